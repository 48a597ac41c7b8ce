#!/bin/sh
# Rebuilds account_sync.pot from the texts of the admin pages (text domain "account_sync").
set -eu
cd "$(dirname "$0")/.."
find admin -name '*.php' | LC_ALL=C sort > languages/.pot-files
xgettext --language=PHP --from-code=UTF-8 --keyword=__:1 --keyword=_e:1 \
    --package-name=account_sync --package-version=0.1.0 --sort-by-file \
    --no-location --omit-header -o languages/.body.pot -f languages/.pot-files
{
    printf '# Texts of the account_sync plugin (text domain "account_sync").\n'
    printf '# Regenerate with languages/update-pot.sh; translations go in <locale>/messages.po.\n'
    printf 'msgid ""\nmsgstr ""\n'
    printf '"Project-Id-Version: account_sync 0.1.0\\n"\n'
    printf '"MIME-Version: 1.0\\n"\n'
    printf '"Content-Type: text/plain; charset=UTF-8\\n"\n'
    printf '"Content-Transfer-Encoding: 8bit\\n"\n\n'
    cat languages/.body.pot
} > languages/account_sync.pot
rm -f languages/.pot-files languages/.body.pot

#!/bin/sh
# Runs the admin pages' browser test: two simulated sites on 127.0.0.1, headless
# Chromium, screenshots in tests/artifacts/. Needs the debug build of the library
# (cargo build), PHP 8.2 with FFI and mysqli, MariaDB on 127.0.0.1:3306 and chromium.
#
#   tests/browser/run.sh [--keep] [--users=N]
set -eu
repo="$(cd "$(dirname "$0")/../.." && pwd)"
if [ ! -f "$repo/target/debug/libaccount_sync.so" ] && [ ! -f "$repo/target/release/libaccount_sync.so" ]; then
    echo "The library is not built: run cargo build in $repo first." >&2
    exit 2
fi
exec python3 "$repo/tests/browser/admin_test.py" "$@"

#!/usr/bin/env bash
# Makes this Debian machine ready for the demo and the tests, and does nothing where all is
# there already: PHP 8.2 CLI with mysqli, PHPUnit, Chromium, a MariaDB server answering on
# 127.0.0.1:3306 to root with an empty password, and the Rust toolchain's cargo on PATH.
# A server that already answers is never touched.
set -euo pipefail

say() { printf 'setup: %s\n' "$*"; }

missing=()
need() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed' || missing+=("$1"); }
need php8.2-cli
need php8.2-mysql
need php8.2-mbstring
need php8.2-xml
need phpunit
need chromium
need mariadb-client

server_answers() { mysqladmin --connect-timeout=2 -h 127.0.0.1 -u root ping >/dev/null 2>&1; }
if ! server_answers && [ ! -x /usr/sbin/mariadbd ]; then
    missing+=(mariadb-server)
fi

if [ "${#missing[@]}" -gt 0 ]; then
    say "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! server_answers; then
    say "starting MariaDB"
    install -d -o mysql -g mysql /run/mysqld
    if [ ! -d /var/lib/mysql/mysql ]; then
        mariadb-install-db --user=mysql --datadir=/var/lib/mysql >/dev/null
    fi
    start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql
    for _ in $(seq 1 60); do
        mysqladmin --connect-timeout=1 ping >/dev/null 2>&1 && break
        sleep 1
    done
    # Debian's root authenticates by unix socket only; the tests connect over TCP.
    if ! server_answers; then
        mysql -u root -e "ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('');"
    fi
    server_answers || { say "MariaDB does not answer on 127.0.0.1:3306"; exit 1; }
fi

if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
    say "cargo is in ~/.cargo/bin; add it to PATH"
fi
command -v cargo >/dev/null 2>&1 || { say "cargo (the Rust toolchain) is required"; exit 1; }

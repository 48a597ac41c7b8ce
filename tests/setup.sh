#!/usr/bin/env bash
# Makes a Debian machine ready for the demo and the tests:
#   - installs the missing ones of php8.2-cli, php8.2-mysql, php8.2-mbstring, php8.2-xml,
#     phpunit, chromium and mariadb-client, and mariadb-server when no server answers on
#     127.0.0.1:3306;
#   - starts MariaDB when nothing answers on 127.0.0.1:3306 and lets root log in over TCP
#     with an empty password (Debian's root@localhost otherwise only accepts its unix socket);
#   - checks that the Rust toolchain's cargo is on PATH.
# A server that already answers is left exactly as it is. Run as root; says nothing when
# everything is in place. Safe to run again.
set -euo pipefail

PACKAGES=(php8.2-cli php8.2-mysql php8.2-mbstring php8.2-xml phpunit chromium mariadb-client)
DATADIR=/var/lib/mysql

say() { printf 'setup.sh: %s\n' "$*"; }

installed() {
    dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

db_answers() {
    (exec 3<>/dev/tcp/127.0.0.1/3306) 2>/dev/null
}

apt_updated=0
apt_install() {
    if [ "$apt_updated" = 0 ]; then
        say "apt-get update"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
        apt_updated=1
    fi
    say "installing $*"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

missing=()
for package in "${PACKAGES[@]}"; do
    installed "$package" || missing+=("$package")
done
if ! db_answers && ! installed mariadb-server; then
    missing+=(mariadb-server)
fi
if [ "${#missing[@]}" -gt 0 ]; then
    apt_install "${missing[@]}"
fi

check_cargo() {
    if command -v cargo >/dev/null 2>&1; then
        return 0
    fi
    if [ -x "$HOME/.cargo/bin/cargo" ]; then
        say "cargo is in ~/.cargo/bin; add it to PATH" >&2
    else
        say "cargo (the Rust toolchain) is required" >&2
    fi
    return 1
}

if db_answers; then
    check_cargo
    exit 0
fi

# Nothing answers: start our own server from the packaged configuration.
mkdir -p /run/mysqld
chown mysql:mysql /run/mysqld
if [ ! -d "$DATADIR/mysql" ]; then
    say "initialising $DATADIR"
    mkdir -p "$DATADIR"
    chown mysql:mysql "$DATADIR"
    mariadb-install-db --user=mysql --datadir="$DATADIR" >/dev/null
fi

say "starting MariaDB"
start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- \
    --user=mysql --datadir="$DATADIR" --bind-address=127.0.0.1 --port=3306

for _ in $(seq 1 120); do
    db_answers && break
    sleep 0.5
done
if ! db_answers; then
    say "MariaDB did not answer on 127.0.0.1:3306 within 60 s" >&2
    exit 1
fi
# Accepting TCP comes a moment before accepting logins on the socket.
for _ in $(seq 1 20); do
    mariadb -uroot -e 'SELECT 1' >/dev/null 2>&1 && break
    sleep 0.5
done

if ! mariadb -h127.0.0.1 -uroot -e 'SELECT 1' >/dev/null 2>&1; then
    say "letting root log in over TCP with an empty password"
    mariadb -uroot -e "ALTER USER 'root'@'localhost' IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD(''); FLUSH PRIVILEGES;"
fi
if ! mariadb -h127.0.0.1 -uroot -e 'SELECT 1' >/dev/null 2>&1; then
    say "root still cannot log in over TCP to 127.0.0.1:3306" >&2
    exit 1
fi

check_cargo

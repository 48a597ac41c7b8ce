#!/usr/bin/env bash
# The demo: two Osclass sites on this machine, A (MindStellar 5.2 schema) with a few thousand
# users and B (OsclassPoint 8.x schema) empty. Each lists the other as an account; B feeds
# from A over HTTP until it holds every active and enabled user of A.
#
#   bash tests/demo/run.sh [--users=3000] [--keep]
#
# --keep leaves both sites (databases, folders and servers) running for a look around.
set -euo pipefail
cd "$(dirname "$0")/../.."

users=3000
keep=0
for arg in "$@"; do
    case "$arg" in
        --users=*) users="${arg#--users=}" ;;
        --keep) keep=1 ;;
        *) echo "usage: bash tests/demo/run.sh [--users=N] [--keep]" >&2; exit 2 ;;
    esac
done

case ":$PATH:" in *":$HOME/.cargo/bin:"*) ;; *) [ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH" ;; esac
bash tests/setup.sh
echo "== building the library (release)"
cargo build --release --locked --quiet
lib="$PWD/target/release/libaccount_sync.so"
header="$PWD/include/account_sync.h"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
json_field() { php -r 'echo json_decode(stream_get_contents(STDIN), true)[$argv[1]];' "$1"; }
site() { php tests/harness/site.php "$@"; }

run_id="$$"
work="$(mktemp -d /tmp/account_sync_demo.XXXXXX)"
port_a="$(free_port)"
port_b="$(free_port)"
pids=()
cleanup() {
    # Each server leads its own process group: its workers go with it.
    for pid in "${pids[@]}"; do kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true; done
    if [ "$keep" -eq 0 ]; then
        site drop --dir="$work/a" >/dev/null 2>&1 || true
        site drop --dir="$work/b" >/dev/null 2>&1 || true
        rm -rf "$work"
    fi
}
trap cleanup EXIT

echo "== creating site A (port $port_a) and site B (port $port_b)"
a_json="$(site create --name=a --fork=ms52 --port="$port_a" --dir="$work/a" --db="as_demo_a_$run_id" \
    --locales=en_US,es_ES --lib="$lib" --header="$header")"
b_json="$(site create --name=b --fork=op84 --port="$port_b" --dir="$work/b" --db="as_demo_b_$run_id" \
    --locales=en_US,es_ES --lib="$lib" --header="$header")"
key_a="$(echo "$a_json" | json_field api_key)"
key_b="$(echo "$b_json" | json_field api_key)"

echo "== seeding $users users on A"
site seed --dir="$work/a" --users="$users" --seed=42

echo "== serving both sites with php -S (FFI enabled)"
for s in a b; do
    port_var="port_$s"
    PHP_CLI_SERVER_WORKERS=2 setsid php -d ffi.enable=1 -S "127.0.0.1:${!port_var}" -t "$work/$s" \
        >"$work/$s-server.log" 2>&1 &
    pids+=("$!")
done
for port in "$port_a" "$port_b"; do
    for _ in $(seq 1 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
        sleep 0.1
    done
done

echo "== accounts: A lists B, B lists A"
php tests/demo/connect.php "$work/a" "Site B" "http://127.0.0.1:$port_b" "$key_b" >/dev/null
account_on_b="$(php tests/demo/connect.php "$work/b" "Site A" "http://127.0.0.1:$port_a" "$key_a")"
php "$work/b/oc-content/plugins/account_sync/cli.php" accounts

echo "== B feeds from A"
php -r 'require $argv[1] . "/oc-load.php"; osc_set_preference("feed_limit", "250", "plugin-account_sync");' "$work/b"
php "$work/b/oc-content/plugins/account_sync/cli.php" feed "$account_on_b"

echo "== what B holds now"
site sql --dir="$work/a" "SELECT COUNT(*) AS a_users, SUM(b_active = 1 AND b_enabled = 1) AS a_active_enabled FROM oc_t_user"
site sql --dir="$work/b" "SELECT COUNT(*) AS b_users, SUM(s_password LIKE '\$2y\$%') AS bcrypt, SUM(LENGTH(s_password) = 40) AS legacy_sha1 FROM oc_t_user"
site sql --dir="$work/b" "SELECT fk_c_locale_code AS locale, COUNT(*) AS descriptions FROM oc_t_user_description GROUP BY fk_c_locale_code"
site sql --dir="$work/b" "SELECT pk_i_id, s_name, s_email, s_city FROM oc_t_user ORDER BY pk_i_id LIMIT 5"
php "$work/b/oc-content/plugins/account_sync/cli.php" accounts

same="$(php -r '
    $a = new mysqli("127.0.0.1", "root", "", $argv[1]);
    $b = new mysqli("127.0.0.1", "root", "", $argv[2]);
    $q = "SELECT LOWER(s_email), s_password, s_name FROM oc_t_user %s";
    $rows = function ($db, $w) use ($q) { $r = $db->query(sprintf($q, $w))->fetch_all(); sort($r); return $r; };
    echo $rows($a, "WHERE b_active = 1 AND b_enabled = 1") === $rows($b, "") ? "yes" : "no";' \
    "as_demo_a_$run_id" "as_demo_b_$run_id")"
echo "B holds exactly A's active and enabled users, with the same password hashes: $same"
[ "$same" = "yes" ]

echo
echo "== streaming: changes on A reach B after one cron run"
site sql --dir="$work/a" "INSERT INTO oc_t_user (dt_reg_date, s_name, s_username, s_password, s_email, b_enabled, b_active)
    VALUES (NOW(), 'Demo Newcomer', 'newcomer', SHA1('demo'), 'newcomer@example.com', 1, 1)" >/dev/null
edited="$(site sql --dir="$work/a" "SELECT s_email FROM oc_t_user WHERE b_active = 1 AND b_enabled = 1 ORDER BY pk_i_id LIMIT 1 OFFSET 1" | php -r 'echo json_decode(stream_get_contents(STDIN), true)[0]["s_email"];')"
blocked="$(site sql --dir="$work/a" "SELECT s_email FROM oc_t_user WHERE b_active = 1 AND b_enabled = 1 ORDER BY pk_i_id LIMIT 1 OFFSET 2" | php -r 'echo json_decode(stream_get_contents(STDIN), true)[0]["s_email"];')"
removed="$(site sql --dir="$work/a" "SELECT pk_i_id FROM oc_t_user WHERE b_active = 1 AND b_enabled = 1 ORDER BY pk_i_id LIMIT 1 OFFSET 3" | php -r 'echo json_decode(stream_get_contents(STDIN), true)[0]["pk_i_id"];')"
removed_email="$(site sql --dir="$work/a" "SELECT s_email FROM oc_t_user WHERE pk_i_id = $removed" | php -r 'echo json_decode(stream_get_contents(STDIN), true)[0]["s_email"];')"
site sql --dir="$work/a" "UPDATE oc_t_user SET s_name = 'Renamed On A', dt_mod_date = NOW() WHERE s_email = '$edited'" >/dev/null
site sql --dir="$work/a" "UPDATE oc_t_user SET b_enabled = 0 WHERE s_email = '$blocked'" >/dev/null
site sql --dir="$work/a" "DELETE FROM oc_t_user_description WHERE fk_i_user_id = $removed" >/dev/null
site sql --dir="$work/a" "DELETE FROM oc_t_user WHERE pk_i_id = $removed" >/dev/null
echo "on A: registered newcomer@example.com, renamed $edited, blocked $blocked, removed $removed_email"
echo "-- B before cron:"
site sql --dir="$work/b" "SELECT s_email, s_name, b_enabled FROM oc_t_user WHERE s_email IN ('newcomer@example.com', '$edited', '$blocked', '$removed_email')"
# The feed's own seed is in A's outbox too (the triggers saw the seeding); B has it all.
php "$work/a/oc-content/plugins/account_sync/cron.php"
echo "-- B after A's cron run:"
site sql --dir="$work/b" "SELECT s_email, s_name, b_enabled FROM oc_t_user WHERE s_email IN ('newcomer@example.com', '$edited', '$blocked', '$removed_email')"
streamed="$(site sql --dir="$work/b" "SELECT (SELECT COUNT(*) FROM oc_t_user WHERE s_email = 'newcomer@example.com') + (SELECT COUNT(*) FROM oc_t_user WHERE s_email = '$edited' AND s_name = 'Renamed On A') + (SELECT COUNT(*) FROM oc_t_user WHERE s_email = '$blocked' AND b_enabled = 0) + (SELECT 1 - COUNT(*) FROM oc_t_user WHERE s_email = '$removed_email') AS n" | php -r 'echo json_decode(stream_get_contents(STDIN), true)[0]["n"];')"
echo "the four changes arrived on B: $streamed of 4"
[ "$streamed" = "4" ]

if [ "$keep" -eq 1 ]; then
    echo "== kept: A at http://127.0.0.1:$port_a, B at http://127.0.0.1:$port_b, folders in $work"
    trap - EXIT
fi

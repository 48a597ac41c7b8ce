#!/usr/bin/env bash
# The benchmark: how fast a full feed copies users from site A into an empty site B through
# the real path (cli.php feed on B -> library -> HTTP -> A's api.php on php -S -> library ->
# MariaDB), beside copying the same rows with mysqldump | mysql; how cheap a second feed of
# an already synchronised B is; what one PHP -> library call costs; how much memory PHP, the
# php -S process and the database connections take; and how the feed grows with the number
# of users; and how fast the stream sends changed users from A to three accounts. Every
# figure is printed with the target it is held against (PASS or MISS).
#
#   bash tests/bench/run.sh [--users=100000] [--sizes=10000,100000] [--limit=2000]
#                           [--changed=10000] [--perf=DIR] [--keep]
#
# --users is the size of the main run (baseline, second feed, memory); --sizes the sizes the
# full feed is repeated at, to show how its cost grows (--users is added to them). A is
# topped up from one size to the next; seeding is timed but is not a figure. --limit is the
# feed_limit preference of both sites. --changed is how many of A's users one UPDATE changes
# before the stream is timed (at most --users; above 10,000 the outbox check misses, as a run
# prunes at most 10,000 rows). --perf=DIR records perf profiles (with DWARF
# call graphs) of B's cli.php and of A's php -S during the main full feed and the second feed,
# and of A's cron.php and B's php -S during the stream, into DIR; the profiler slows them,
# so the figures of such a run are not the ones to quote.
# --keep leaves the sites, servers and files in place.
# Not part of the test command: a run at the defaults takes a few minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."

users=100000
sizes=10000,100000
limit=2000
changed=10000
perf_dir=""
keep=0
for arg in "$@"; do
    case "$arg" in
        --users=*) users="${arg#--users=}" ;;
        --sizes=*) sizes="${arg#--sizes=}" ;;
        --limit=*) limit="${arg#--limit=}" ;;
        --changed=*) changed="${arg#--changed=}" ;;
        --perf=*) perf_dir="$(mkdir -p "${arg#--perf=}" && cd "${arg#--perf=}" && pwd)" ;;
        --keep) keep=1 ;;
        *) echo "usage: bash tests/bench/run.sh [--users=N] [--sizes=N,...] [--limit=N] [--changed=N] [--perf=DIR] [--keep]" >&2; exit 2 ;;
    esac
done
for n in "$users" "$limit" "$changed" ${sizes//,/ }; do
    if ! [[ "$n" =~ ^[1-9][0-9]*$ ]]; then
        echo "run.sh: sizes, users, limit and changed must be whole numbers above 0 (got '$n')" >&2
        exit 2
    fi
done
if [ "$changed" -gt "$users" ]; then
    echo "run.sh: --changed ($changed) cannot be more than --users ($users)" >&2
    exit 2
fi
read -r -a all_sizes <<<"$(printf '%s\n' ${sizes//,/ } "$users" | sort -n -u | tr '\n' ' ')"

case ":$PATH:" in *":$HOME/.cargo/bin:"*) ;; *) [ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH" ;; esac
bash tests/setup.sh
echo "== building the library (release)"
cargo build --release --locked --quiet
lib="$PWD/target/release/libaccount_sync.so"
header="$PWD/include/account_sync.h"

# --- helpers ---------------------------------------------------------------------------

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.3f", b - a }'; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
json_field() { php -r '$d = json_decode(stream_get_contents(STDIN), true); foreach (explode(".", $argv[1]) as $k) { $d = $d[$k]; } echo is_bool($d) ? ($d ? "true" : "false") : $d;' "$1"; }
site() { php tests/harness/site.php "$@"; }
sql() { mysql -h127.0.0.1 -uroot -N -B "$1" -e "$2"; }
wait_port() {
    for _ in $(seq 1 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "run.sh: nothing answers on port $1" >&2
    return 1
}
verdict() { if [ "$1" = 1 ]; then echo PASS; else echo MISS; fi; }

run_id="$$"
work="$(mktemp -d /tmp/account_sync_bench.XXXXXX)"
db_a="as_demo_bench_a_$run_id"
db_b="as_demo_bench_b_$run_id"
db_base="as_demo_bench_base_$run_id"
db_c="as_demo_bench_c_$run_id"
db_d="as_demo_bench_d_$run_id"
port_a="$(free_port)"
port_b="$(free_port)"
port_c="$(free_port)"
port_d="$(free_port)"
server_a=""
receivers=()
watcher=""
cleanup() {
    [ -n "$watcher" ] && kill "$watcher" 2>/dev/null || true
    [ -n "$server_a" ] && kill "$server_a" 2>/dev/null || true
    for pid in "${receivers[@]}"; do kill "$pid" 2>/dev/null || true; done
    if [ "$keep" -eq 0 ]; then
        for s in a b base c d; do site drop --dir="$work/$s" >/dev/null 2>&1 || true; done
        rm -rf "$work"
    fi
}
trap cleanup EXIT

# A's php -S is started afresh before the main feed, so its VmHWM is that feed's.
start_a() {
    if [ -n "$server_a" ]; then
        kill "$server_a" 2>/dev/null || true
        wait "$server_a" 2>/dev/null || true
    fi
    php -d ffi.enable=1 -S "127.0.0.1:$port_a" -t "$work/a" >>"$work/a-server.log" 2>&1 &
    server_a="$!"
    wait_port "$port_a"
}

# Serves a receiving site (B, C or D) for the stream; sets receiver to the server's pid.
start_receiver() {
    php -d ffi.enable=1 -S "127.0.0.1:$2" -t "$work/$1" >>"$work/$1-server.log" 2>&1 &
    receiver="$!"
    receivers+=("$receiver")
    wait_port "$2"
}

# Empties B's user tables, and what B's plugin remembers of those users, and sets its account
# for A back to the first user.
empty_b() {
    sql "$db_b" "SET FOREIGN_KEY_CHECKS = 0; TRUNCATE oc_t_user_description; TRUNCATE oc_t_user; TRUNCATE oc_t_account_sync_identity; TRUNCATE oc_t_account_sync_version; SET FOREIGN_KEY_CHECKS = 1"
    php tests/bench/account.php rewind "$work/b" "$account_on_b" >/dev/null
}

# Starts watching the connections' memory; stop_watch leaves what was seen in watch.json.
# (stop_watch must run in this shell, not in $(...): only the parent can wait for it.)
start_watch() {
    rm -f "$work/watch.stop"
    php tests/bench/db_memory.php "$work/watch.stop" "$@" >"$work/watch.json" &
    watcher="$!"
}
stop_watch() {
    touch "$work/watch.stop"
    wait "$watcher"
    watcher=""
}

# CPU seconds (user + system) a process has used so far; "" when it cannot be read.
cpu_of() {
    [ -r "/proc/$1/stat" ] || return 0
    awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$1/stat"
}
mariadb_pid="$(pgrep -x mariadbd | head -n 1 || true)"

# Runs cli.php feed on B to the end; sets feed_seconds, feed_rss_kib, feed_applied and
# feed_cpu (CPU seconds of B's process, A's php -S and the MariaDB server meanwhile).
# With --perf, $1 names the profiles written.
feed_b() {
    local started a0 m0 recorder="" wrap=()
    if [ -n "$perf_dir" ] && [ -n "${1:-}" ]; then
        perf record -q -F 499 --call-graph dwarf,16384 -p "$server_a" -o "$perf_dir/$1-a.data" 2>/dev/null &
        recorder="$!"
        sleep 0.5
        wrap=(perf record -q -F 499 --call-graph dwarf,16384 -o "$perf_dir/$1-b.data" --)
    fi
    a0="$(cpu_of "$server_a")"
    m0="$(cpu_of "$mariadb_pid")"
    started="$(now)"
    /usr/bin/time -f '%M %U %S' -o "$work/feed.rss" "${wrap[@]}" \
        php "$work/b/oc-content/plugins/account_sync/cli.php" feed "$account_on_b" >"$work/feed.out"
    feed_seconds="$(since "$started")"
    feed_cpu="B $(awk '{ printf "%.2f", $2 + $3 }' "$work/feed.rss") s, A $(calc '%.2f' "$(cpu_of "$server_a") - $a0") s"
    if [ -n "$m0" ]; then
        feed_cpu="$feed_cpu, MariaDB $(calc '%.2f' "$(cpu_of "$mariadb_pid") - $m0") s"
    fi
    if [ -n "$recorder" ]; then
        kill -INT "$recorder"
        wait "$recorder" || true
    fi
    feed_rss_kib="$(awk '{ print $1 }' "$work/feed.rss")"
    feed_applied="$(sed -n 's/^Done: .* retrieved, \([0-9]*\) applied.*/\1/p' "$work/feed.out")"
    tail -n 1 "$work/feed.out"
}

checksums_b() {
    sql "$db_b" "CHECKSUM TABLE oc_t_user, oc_t_user_description" | awk '{ printf "%s ", $2 }'
}

# --- the sites -------------------------------------------------------------------------

if git rev-parse --git-dir >/dev/null 2>&1; then
    tree="commit $(git rev-parse --short HEAD)"
    git diff --quiet HEAD -- src Cargo.toml Cargo.lock build.rs || tree="$tree with uncommitted changes to the library"
else
    tree="not a git checkout"
fi
echo "== library source: $tree; load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)," \
    "MariaDB $(sql mysql 'SELECT VERSION()'), $(php -r 'echo "PHP ", PHP_VERSION;'), library $(php -d ffi.enable=1 -r 'echo FFI::cdef(file_get_contents($argv[1]), $argv[2])->as_version();' "$header" "$lib")"
echo "== creating site A (ms52), site B (op84) and the baseline database (op84, no plugin) in $work"
a_json="$(site create --name=a --fork=ms52 --port="$port_a" --dir="$work/a" --db="$db_a" \
    --locales=en_US,es_ES --lib="$lib" --header="$header")"
b_json="$(site create --name=b --fork=op84 --port="$port_b" --dir="$work/b" --db="$db_b" \
    --locales=en_US,es_ES --lib="$lib" --header="$header")"
site create --name=base --fork=op84 --port="$port_b" --dir="$work/base" --db="$db_base" \
    --locales=en_US,es_ES --no-plugin >/dev/null
key_a="$(echo "$a_json" | json_field api_key)"
key_b="$(echo "$b_json" | json_field api_key)"

start_a
php tests/bench/account.php add "$work/a" "Site B" "http://127.0.0.1:$port_b" "$key_b" >/dev/null
account_on_b="$(php tests/bench/account.php add "$work/b" "Site A" "http://127.0.0.1:$port_a" "$key_a")"
php tests/bench/account.php limit "$work/a" "$limit" >/dev/null
php tests/bench/account.php limit "$work/b" "$limit" >/dev/null
echo "   feed_limit $limit on both sites; B's account for A is $account_on_b, with every column and descriptions"

# --- full feeds at each size -----------------------------------------------------------

seeded=0
declare -A size_seconds size_rows
for size in "${all_sizes[@]}"; do
    echo "== size $size"
    started="$(now)"
    site seed --dir="$work/a" --users="$((size - seeded))" --seed="$size" >/dev/null
    echo "   seeding A with $((size - seeded)) more users: $(since "$started") s (not a figure)"
    seeded="$size"
    rows="$(sql "$db_a" 'SELECT COUNT(*) FROM oc_t_user WHERE b_active = 1 AND b_enabled = 1')"
    descriptions="$(sql "$db_a" 'SELECT COUNT(*) FROM oc_t_user_description d JOIN oc_t_user u ON u.pk_i_id = d.fk_i_user_id WHERE u.b_active = 1 AND u.b_enabled = 1')"

    empty_b
    main=0
    if [ "$size" = "$users" ]; then
        main=1
        start_a
        start_watch "$db_a" "$db_b"
    fi
    echo -n "   full feed of $rows users (+ $descriptions descriptions) into an empty B: "
    if [ "$main" = 1 ]; then feed_b first; else feed_b; fi
    got="$(sql "$db_b" 'SELECT COUNT(*) FROM oc_t_user')"
    if [ "$got" != "$rows" ]; then
        echo "run.sh: B holds $got users after the feed, A serves $rows" >&2
        exit 1
    fi
    size_seconds[$size]="$feed_seconds"
    size_rows[$size]="$rows"
    echo "   $feed_seconds s, $(calc '%.0f' "$rows / $feed_seconds") users/s; CPU: $feed_cpu"

    if [ "$main" = 1 ]; then
        main_rows="$rows"
        main_descriptions="$descriptions"
        main_seconds="$feed_seconds"
        main_rss_kib="$feed_rss_kib"
        main_cpu="$feed_cpu"
        stop_watch
        db_a_peak="$(json_field "$db_a.max_memory_used" <"$work/watch.json")"
        db_b_peak="$(json_field "$db_b.max_memory_used" <"$work/watch.json")"
        a_hwm_kib="$(awk '/VmHWM/ { print $2 }' "/proc/$server_a/status")"

        echo "== baseline: mysqldump of the same rows | mysql into an empty database of B's shape"
        start_watch "$db_base"
        started="$(now)"
        {
            mysqldump -h127.0.0.1 -uroot --no-create-info --complete-insert --single-transaction \
                --skip-triggers --where="b_active=1 AND b_enabled=1" "$db_a" oc_t_user
            mysqldump -h127.0.0.1 -uroot --no-create-info --complete-insert --single-transaction \
                --skip-triggers --where="fk_i_user_id IN (SELECT pk_i_id FROM oc_t_user WHERE b_active=1 AND b_enabled=1)" \
                "$db_a" oc_t_user_description
        } | mysql -h127.0.0.1 -uroot "$db_base"
        base_seconds="$(since "$started")"
        stop_watch
        db_base_peak="$(json_field "$db_base.max_memory_used" <"$work/watch.json")"
        got="$(sql "$db_base" 'SELECT COUNT(*) FROM oc_t_user')"
        got_d="$(sql "$db_base" 'SELECT COUNT(*) FROM oc_t_user_description')"
        if [ "$got" != "$rows" ] || [ "$got_d" != "$descriptions" ]; then
            echo "run.sh: the baseline copied $got users and $got_d descriptions, expected $rows and $descriptions" >&2
            exit 1
        fi
        echo "   $base_seconds s, $(calc '%.0f' "$rows / $base_seconds") users/s"

        echo -n "== second full feed into the synchronised B (Last User ID back to 0): "
        php tests/bench/account.php rewind "$work/b" "$account_on_b" >/dev/null
        before="$(checksums_b)"
        feed_b second
        after="$(checksums_b)"
        second_seconds="$feed_seconds"
        second_cpu="$feed_cpu"
        second_applied="$feed_applied"
        echo "   $second_seconds s, $(calc '%.0f' "$rows / $second_seconds") users/s;" \
            "applied $second_applied; CHECKSUM TABLE before [$before] after [$after]; CPU: $feed_cpu"

        echo -n "== the same full feed through tests/bench/feed_peak.php, for PHP's peak memory: "
        empty_b
        /usr/bin/time -f '%M' -o "$work/peak.rss" \
            php tests/bench/feed_peak.php "$work/b" "$account_on_b" >"$work/peak.json"
        cat "$work/peak.json"
        php_peak="$(json_field php_peak_bytes <"$work/peak.json")"
        peak_seconds="$(json_field seconds <"$work/peak.json")"
        peak_rss_kib="$(tail -n 1 "$work/peak.rss")"
    fi
done

# --- the stream ------------------------------------------------------------------------

echo "== stream: sites C (ms52) and D (op84), empty; A lists B, C and D; C and D list A"
c_json="$(site create --name=c --fork=ms52 --port="$port_c" --dir="$work/c" --db="$db_c" \
    --locales=en_US,es_ES --lib="$lib" --header="$header")"
d_json="$(site create --name=d --fork=op84 --port="$port_d" --dir="$work/d" --db="$db_d" \
    --locales=en_US,es_ES --lib="$lib" --header="$header")"
key_c="$(echo "$c_json" | json_field api_key)"
key_d="$(echo "$d_json" | json_field api_key)"
# A has listed B since the start, and B A. Each receiver must know A's key: every request is
# signed with the sender's.
php tests/bench/account.php add "$work/a" "Site C" "http://127.0.0.1:$port_c" "$key_c" >/dev/null
php tests/bench/account.php add "$work/a" "Site D" "http://127.0.0.1:$port_d" "$key_d" >/dev/null
php tests/bench/account.php add "$work/c" "Site A" "http://127.0.0.1:$port_a" "$key_a" >/dev/null
php tests/bench/account.php add "$work/d" "Site A" "http://127.0.0.1:$port_a" "$key_a" >/dev/null
start_receiver b "$port_b"; server_b="$receiver"
start_receiver c "$port_c"; server_c="$receiver"
start_receiver d "$port_d"; server_d="$receiver"

# The triggers recorded the seeding too: that is not what is measured. TRUNCATE, not DELETE:
# purging a million deleted rows would keep the server busy in the background while the
# stream is timed.
sql "$db_a" "TRUNCATE oc_t_account_sync_delivery; TRUNCATE oc_t_account_sync_outbox"
started="$(now)"
sql "$db_a" "UPDATE oc_t_user SET s_name = CONCAT(s_name, ' *') ORDER BY pk_i_id LIMIT $changed"
update_seconds="$(since "$started")"
outbox_rows="$(sql "$db_a" 'SELECT COUNT(*) FROM oc_t_account_sync_outbox')"
echo "   one UPDATE changed $changed users on A: $update_seconds s with the triggers, $outbox_rows outbox rows (not a figure)"
if [ "$outbox_rows" != "$changed" ]; then
    echo "run.sh: the UPDATE of $changed users left $outbox_rows rows in A's outbox" >&2
    exit 1
fi

# Runs A's cron.php until every account reports pending 0 (at most 10 runs); times them all.
cron="$work/a/oc-content/plugins/account_sync/cron.php"
cron_wrap=()
recorder=""
if [ -n "$perf_dir" ]; then
    perf record -q -F 499 --call-graph dwarf,16384 -p "$server_b" -o "$perf_dir/stream-b.data" 2>/dev/null &
    recorder="$!"
    sleep 0.5
    cron_wrap=(perf record -q -F 499 --call-graph dwarf,16384 -o "$perf_dir/stream-cron.data" --)
fi
rm -f "$work/stream.stop"
php tests/bench/stream_watch.php "$work/stream.stop" "$db_a" >"$work/stream_watch.json" &
watcher="$!"
b0="$(cpu_of "$server_b")"; c0="$(cpu_of "$server_c")"; d0="$(cpu_of "$server_d")"
m0="$(cpu_of "$mariadb_pid")"
cron_runs=0
cron_cpu=0
stream_started="$(now)"
while :; do
    cron_runs=$((cron_runs + 1))
    force=()
    [ "$cron_runs" -gt 1 ] && force=(--force)
    /usr/bin/time -f '%U %S' -o "$work/cron.time" "${cron_wrap[@]}" \
        php "$cron" --budget-ms=3600000 "${force[@]}" >"$work/cron-$cron_runs.json" || {
        echo "run.sh: cron.php failed on run $cron_runs" >&2
        cat "$work/cron-$cron_runs.json" >&2
        exit 1
    }
    cron_cpu="$(calc '%.2f' "$cron_cpu + $(awk '{ print $1 + $2 }' "$work/cron.time")")"
    pending="$(php -r '$d = json_decode(file_get_contents($argv[1]), true); echo array_sum(array_column($d["result"]["accounts"], "pending"));' "$work/cron-$cron_runs.json")"
    [ "$pending" = 0 ] && break
    if [ "$cron_runs" -ge 10 ]; then
        echo "run.sh: $pending changes still pending after $cron_runs cron runs" >&2
        cat "$work/cron-$cron_runs.json" >&2
        exit 1
    fi
done
stream_seconds="$(since "$stream_started")"
touch "$work/stream.stop"
wait "$watcher"
watcher=""
if [ -n "$recorder" ]; then
    kill -INT "$recorder"
    wait "$recorder" || true
fi
stream_cpu="cron.php $cron_cpu s, B $(calc '%.2f' "$(cpu_of "$server_b") - $b0") s, C $(calc '%.2f' "$(cpu_of "$server_c") - $c0") s, D $(calc '%.2f' "$(cpu_of "$server_d") - $d0") s"
if [ -n "$m0" ]; then
    stream_cpu="$stream_cpu, MariaDB $(calc '%.2f' "$(cpu_of "$mariadb_pid") - $m0") s"
fi
deliveries=$((changed * 3))
echo "   $cron_runs cron run(s), $stream_seconds s: $(calc '%.0f' "$deliveries / $stream_seconds") deliveries/s; CPU: $stream_cpu"
# Per account: what each run's report says, and when its delivery marks were written.
stream_accounts="$(php -r '
    $watch = json_decode(file_get_contents($argv[1]), true);
    $start = (float) $argv[2];
    $totals = [];
    for ($i = 1; $i <= (int) $argv[3]; $i++) {
        $run = json_decode(file_get_contents($argv[4] . "/cron-$i.json"), true)["result"];
        foreach ($run["accounts"] as $a) {
            $t = &$totals[$a["account_id"]];
            $t["name"] = $a["name"];
            $t["sent"] = ($t["sent"] ?? 0) + $a["sent"];
            $t["applied"] = ($t["applied"] ?? 0) + $a["applied"];
            $t["failed"] = ($t["failed"] ?? 0) + $a["failed"];
            $t["pending"] = $a["pending"];
            $t["status"] = $a["status"];
            unset($t);
        }
    }
    // Accounts are served at the same time: each took from the start of the run to its own
    // last mark. The final marks of an account may be pruned before the watcher sees them;
    // then its time runs to the end of the run.
    $end = $start + (float) $argv[5];
    foreach ($totals as $id => $t) {
        $w = $watch[$id] ?? null;
        if ($w === null) {
            $span = "no delivery marks seen";
        } elseif ($w["max"] < $t["sent"]) {
            $span = sprintf("marks from %.2f s, %d of them seen: at most %.2f s (to the end of the run)",
                $w["first"] - $start, $w["max"], $end - $start);
        } else {
            $span = sprintf("marks from %.2f s to %.2f s: about %.2f s",
                $w["first"] - $start, $w["last"] - $start, $w["last"] - $start);
        }
        printf("   %s: sent %d, applied %d, failed %d, pending %d, %s; %s\n",
            $t["name"], $t["sent"], $t["applied"], $t["failed"], $t["pending"], $t["status"], $span);
    }' "$work/stream_watch.json" "$stream_started" "$cron_runs" "$work" "$stream_seconds")"
echo "$stream_accounts"
stream_failed="$(php -r '
    $failed = 0;
    for ($i = 1; $i <= (int) $argv[1]; $i++) {
        foreach (json_decode(file_get_contents($argv[2] . "/cron-$i.json"), true)["result"]["accounts"] as $a) {
            $failed += $a["failed"];
        }
    }
    echo $failed;' "$cron_runs" "$work")"

# Each receiver must now hold every changed user with A's new name: as many users whose name
# ends in " *" as A changed, and the same digest of their e-mails and names as on A.
changed_digest="SELECT COUNT(*), BIT_XOR(CRC32(CONCAT(LOWER(s_email), 0x1f, s_name))) FROM oc_t_user WHERE s_name LIKE '% *'"
digest_a="$(sql "$db_a" "$changed_digest" | awk '{ print $2 }')"
stream_held=""
stream_all_held=1
for s in b c d; do
    db_var="db_$s"
    read -r held digest <<<"$(sql "${!db_var}" "$changed_digest")"
    if [ "$digest" = "$digest_a" ]; then
        stream_held="$stream_held ${s^^} $held,"
    else
        stream_held="$stream_held ${s^^} $held (names differ from A's),"
    fi
    [ "$held" = "$changed" ] && [ "$digest" = "$digest_a" ] || stream_all_held=0
done
stream_held="${stream_held%,}"
outbox_left="$(sql "$db_a" 'SELECT COUNT(*) FROM oc_t_account_sync_outbox')"
delivery_left="$(sql "$db_a" 'SELECT COUNT(*) FROM oc_t_account_sync_delivery')"
echo "   changed users held with the new name:$stream_held (of $changed each); A's outbox $outbox_left rows, delivery marks $delivery_left"

echo "== one PHP -> library call"
ffi_json="$(php -d ffi.enable=1 tests/bench/ffi_cost.php "$lib" "$header" 1000000)"
echo "   $ffi_json"
version_ns="$(echo "$ffi_json" | json_field as_version_ns)"
strlen_ns="$(echo "$ffi_json" | json_field strlen_ns)"

# --- the figures -----------------------------------------------------------------------

mib() { calc '%.1f' "$1 / 1048576"; }
feed_ratio="$(calc '%.2f' "$main_seconds / $base_seconds")"
second_speedup="$(calc '%.2f' "$main_seconds / $second_seconds")"
call_ratio="$(calc '%.2f' "$version_ns / $strlen_ns")"
stream_ratio="$(calc '%.2f' "($deliveries / $stream_seconds) / ($main_rows / $main_seconds)")"
stream_clean=0
[ "$stream_all_held" = 1 ] && [ "$outbox_left" = 0 ] && [ "$stream_failed" = 0 ] && stream_clean=1
unchanged=0
[ "$before" = "$after" ] && [ "$second_applied" = 0 ] && unchanged=1

echo
echo "== figures ($main_rows active and enabled users of $users, $main_descriptions descriptions, feed_limit $limit)"
printf '%-44s %10s s %12s users/s\n' "full feed into an empty B (cli.php feed)" "$main_seconds" "$(calc '%.0f' "$main_rows / $main_seconds")"
printf '%-44s %10s s %12s users/s\n' "baseline: mysqldump | mysql" "$base_seconds" "$(calc '%.0f' "$main_rows / $base_seconds")"
printf '%-44s %10s s %12s users/s\n' "second full feed, B already synchronised" "$second_seconds" "$(calc '%.0f' "$main_rows / $second_seconds")"
printf '%-44s %10s s %12s users/s\n' "full feed through feed_peak.php (check)" "$(calc '%.3f' "$peak_seconds")" "$(calc '%.0f' "$main_rows / $peak_seconds")"
printf '%-44s %10s s %12s deliveries/s\n' "stream: $changed changed users to 3 accounts" "$stream_seconds" "$(calc '%.0f' "$deliveries / $stream_seconds")"
echo "$stream_accounts"
echo
echo "CPU seconds during the full feed:   $main_cpu (wall $main_seconds s)"
echo "CPU seconds during the second feed: $second_cpu (wall $second_seconds s)"
echo "CPU seconds during the stream:      $stream_cpu (wall $stream_seconds s, $cron_runs cron run(s))"
echo
echo "memory during the full feed:"
echo "  PHP on B, memory_get_peak_usage(true):      $(mib "$php_peak") MiB (process max RSS with the library: $(calc '%.1f' "$peak_rss_kib / 1024") MiB)"
echo "  cli.php feed process, max RSS:              $(calc '%.1f' "$main_rss_kib / 1024") MiB"
echo "  A's php -S serving the feed, VmHWM:         $(calc '%.1f' "$a_hwm_kib / 1024") MiB"
echo "  MariaDB, connection of A's library:         $(mib "$db_a_peak") MiB (MAX_MEMORY_USED)"
echo "  MariaDB, connection of B's library:         $(mib "$db_b_peak") MiB (MAX_MEMORY_USED)"
echo "  MariaDB, connection of the baseline's mysql: $(mib "$db_base_peak") MiB (MAX_MEMORY_USED)"
echo
echo "one call: as_version() $version_ns ns, strlen() $strlen_ns ns through FFI"
echo
echo "how the full feed grows:"
first="${all_sizes[0]}"
for size in "${all_sizes[@]}"; do
    line="$(printf '  %9s users: %8s s %10s users/s' "$size" "${size_seconds[$size]}" "$(calc '%.0f' "${size_rows[$size]} / ${size_seconds[$size]}")")"
    if [ "$size" != "$first" ]; then
        size_ratio="$(calc '%.2f' "${size_rows[$size]} / ${size_rows[$first]}")"
        time_ratio="$(calc '%.2f' "${size_seconds[$size]} / ${size_seconds[$first]}")"
        line="$line   x$size_ratio users took x$time_ratio time ($(calc '%.2f' "$time_ratio / $size_ratio") of linear)"
    fi
    echo "$line"
done
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg) (other work on this machine skews every figure)"
echo
echo "targets:"
printf '  %-58s %s\n' "full feed within 2x of the baseline (aim 1.2x): ${feed_ratio}x" "$(verdict "$(calc '%d' "$feed_ratio <= 2")")"
printf '  %-58s %s\n' "second feed >= 3x faster than the first: ${second_speedup}x" "$(verdict "$(calc '%d' "$second_speedup >= 3")")"
printf '  %-58s %s\n' "second feed writes no rows: applied $second_applied, checksums $( [ "$unchanged" = 1 ] && echo same || echo differ)" "$(verdict "$unchanged")"
printf '  %-58s %s\n' "PHP peak memory < 64 MiB: $(mib "$php_peak") MiB" "$(verdict "$(calc '%d' "$php_peak < 64 * 1048576")")"
printf '  %-58s %s\n' "as_version call within 3x of strlen: ${call_ratio}x" "$(verdict "$(calc '%d' "$call_ratio <= 3")")"
printf '  %-58s %s\n' "stream >= half the feed's users/s (per delivery): ${stream_ratio}x" "$(verdict "$(calc '%d' "$stream_ratio >= 0.5")")"
printf '  %-58s %s\n' "stream delivered all: held$stream_held, outbox $outbox_left, failed $stream_failed" "$(verdict "$stream_clean")"

if [ "$keep" -eq 1 ]; then
    echo "== kept: A at http://127.0.0.1:$port_a (pid $server_a), B, C and D at ports $port_b, $port_c, $port_d (pids ${receivers[*]}), folders in $work"
    trap - EXIT
fi

<?php

declare(strict_types=1);

/*
 * Watches a sending site's delivery marks while its stream runs, to tell how long each
 * account took: every 0.1 s it counts the rows of t_account_sync_delivery per account, and
 * remembers when each account's count first rose above 0 and when it last rose. Runs until
 * STOP_FILE exists, then prints one JSON object:
 *
 *   {"ACCOUNT_ID": {"first": UNIX_TIME, "last": UNIX_TIME, "max": N}, ...}
 *
 *   php tests/bench/stream_watch.php STOP_FILE DATABASE
 *
 * Only the marks this watcher saw count: a mark written and pruned between two looks is
 * missed, which the benchmark avoids by pruning only at the end of a run.
 */

if (PHP_SAPI !== 'cli' || $argc !== 3) {
    fwrite(STDERR, "usage: php tests/bench/stream_watch.php STOP_FILE DATABASE\n");
    exit(2);
}

[, $stopFile, $database] = $argv;
mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);
$db = new mysqli('127.0.0.1', 'root', '', $database);

$seen = [];
$look = static function () use ($db, &$seen): void {
    $now = microtime(true);
    $rows = $db->query(
        'SELECT fk_i_account_id, COUNT(*) FROM oc_t_account_sync_delivery GROUP BY fk_i_account_id'
    )->fetch_all();
    foreach ($rows as [$account, $count]) {
        $count = (int) $count;
        if ($count === 0) {
            continue;
        }
        if (!isset($seen[$account])) {
            $seen[$account] = ['first' => $now, 'last' => $now, 'max' => $count];
        } elseif ($count > $seen[$account]['max']) {
            $seen[$account]['last'] = $now;
            $seen[$account]['max'] = $count;
        }
    }
};

while (!file_exists($stopFile)) {
    $look();
    usleep(100000);
}
$look();

echo json_encode((object) $seen), "\n";

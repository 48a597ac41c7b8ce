<?php

declare(strict_types=1);

/*
 * Runs a whole feed of one account the way cli.php feed does (one batch a call until the
 * feed is done) and prints, as JSON, how long it took and PHP's own peak memory:
 *
 *   php tests/bench/feed_peak.php SITE_DIR ACCOUNT_ID
 *
 * memory_get_peak_usage(true) counts what PHP's allocator took from the system; the
 * library's own allocations are not in it (the caller reads VmHWM for those).
 */

if (PHP_SAPI !== 'cli' || $argc !== 3 || !ctype_digit($argv[2])) {
    fwrite(STDERR, "usage: php tests/bench/feed_peak.php SITE_DIR ACCOUNT_ID\n");
    exit(2);
}

require $argv[1] . '/oc-load.php';

$library = AccountSync\Library::instance();
$accountId = (int) $argv[2];
$totals = ['batches' => 0, 'retrieved' => 0, 'applied' => 0, 'failed' => 0];
$started = hrtime(true);

do {
    $progress = $library->feed($accountId, 20000, 1);
    foreach ($totals as $key => $sum) {
        $totals[$key] = $sum + (int) ($progress[$key] ?? 0);
    }
} while (!($progress['done'] ?? false) && (int) ($progress['retrieved'] ?? 0) > 0);

$totals['done'] = (bool) ($progress['done'] ?? false);
$totals['seconds'] = (hrtime(true) - $started) / 1e9;
$totals['php_peak_bytes'] = memory_get_peak_usage(true);
echo json_encode($totals), "\n";

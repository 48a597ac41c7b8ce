<?php

declare(strict_types=1);

/*
 * Pushes pending changes to the other sites (the stream), for the system's cron:
 *
 *   php oc-content/plugins/account_sync/cron.php [--budget-ms=50000] [--force]
 *   GET {site}/oc-content/plugins/account_sync/cron.php
 *
 * Over HTTP the budget is capped so a web server's time limit is not reached. Prints one
 * JSON line; the exit code (CLI) or status (HTTP) is non-zero on failure.
 */

use AccountSync\Config;
use AccountSync\FfiUnavailable;
use AccountSync\Library;
use AccountSync\LibraryException;

const ACCOUNT_SYNC_CRON_BUDGET_MS = 50000;
const ACCOUNT_SYNC_CRON_HTTP_MAX_MS = 20000;

$cli = PHP_SAPI === 'cli';

$finish = static function (int $status, array $document) use ($cli): void {
    $line = json_encode($document, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE) . "\n";
    if ($cli) {
        fwrite($status === 0 ? STDOUT : STDERR, $line);
        exit($status === 0 ? 0 : 1);
    }
    http_response_code($status === 0 ? 200 : $status);
    header('Content-Type: application/json');
    echo $line;
};

$budgetMs = ACCOUNT_SYNC_CRON_BUDGET_MS;
$force = false;
if ($cli) {
    foreach (array_slice($argv, 1) as $argument) {
        if (preg_match('/^--budget-ms=(\d+)$/', $argument, $m) === 1) {
            $budgetMs = (int) $m[1];
        } elseif ($argument === '--force') {
            $force = true;
        } else {
            fwrite(STDERR, "usage: php cron.php [--budget-ms=N] [--force]\n");
            exit(2);
        }
    }
} else {
    $budgetMs = min($budgetMs, ACCOUNT_SYNC_CRON_HTTP_MAX_MS);
}

require_once __DIR__ . '/osclass-load.php';

try {
    $library = Library::instance();
    Config::markCron();

    $result = $library->streamPending($budgetMs, $force);
    $failing = array_values(array_filter(
        $result['accounts'] ?? [],
        static fn (array $a): bool => in_array($a['status'] ?? '', ['ERROR', 'FAILING'], true)
    ));
    if (!$cli) {
        // Anyone can request this URL: it says how the run went, not to whom or why.
        $finish(0, [
            'ok' => $failing === [],
            'sent' => array_sum(array_column($result['accounts'] ?? [], 'sent')),
            'failing_accounts' => count($failing),
        ]);
        return;
    }
    // From the system's cron a failing account makes the run fail, so that cron reports it.
    $finish($failing === [] ? 0 : 1, ['ok' => $failing === [], 'result' => $result]);
} catch (FfiUnavailable $e) {
    // Over HTTP the details (files, settings) go to the server's log only.
    error_log('account_sync cron.php: ' . $e->getMessage());
    $finish(503, ['ok' => false, 'error' => $cli ? $e->getMessage() : 'the account_sync library is not available']);
} catch (LibraryException $e) {
    $finish(500, ['ok' => false, 'error' => $e->getMessage(), 'code' => $e->codeName()]);
}

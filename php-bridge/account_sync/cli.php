<?php

declare(strict_types=1);

/*
 * Command line for the plugin, run from the site's folder or anywhere:
 *
 *   php oc-content/plugins/account_sync/cli.php install
 *   php oc-content/plugins/account_sync/cli.php accounts
 *   php oc-content/plugins/account_sync/cli.php feed <account_id> [--budget-ms=20000]
 *   php oc-content/plugins/account_sync/cli.php stream [--budget-ms=50000] [--force]
 *   php oc-content/plugins/account_sync/cli.php version
 *   php oc-content/plugins/account_sync/cli.php scope-header FILE   (for ffi.preload)
 *
 * Exit codes: 0 done, 1 failed (the error is on stderr), 2 wrong usage.
 */

use AccountSync\FfiUnavailable;
use AccountSync\Gateway;
use AccountSync\Library;
use AccountSync\LibraryException;

if (PHP_SAPI !== 'cli') {
    http_response_code(404);
    return;
}

const ACCOUNT_SYNC_USAGE = <<<'TEXT'
usage: php cli.php install
       php cli.php accounts
       php cli.php feed <account_id> [--budget-ms=N]
       php cli.php stream [--budget-ms=N] [--force]
       php cli.php version
       php cli.php scope-header <file>

TEXT;

/** Batches in a row that may run without moving the cursor before the feed is called stuck. */
const ACCOUNT_SYNC_STALLED_BATCHES = 3;

/**
 * @param list<string> $arguments
 * @return array{0: list<string>, 1: array<string, string>} positional arguments and --options
 */
function account_sync_cli_arguments(array $arguments): array
{
    $positional = [];
    $options = [];
    foreach ($arguments as $argument) {
        if (preg_match('/^--([a-z-]+)(?:=(.*))?$/', $argument, $m) === 1) {
            $options[$m[1]] = $m[2] ?? '1';
        } else {
            $positional[] = $argument;
        }
    }

    return [$positional, $options];
}

/** @param array<string, string> $options */
function account_sync_cli_budget(array $options, int $default): int
{
    $value = $options['budget-ms'] ?? (string) $default;
    if (!ctype_digit($value) || (int) $value < 1) {
        throw new InvalidArgumentException('--budget-ms must be a whole number of milliseconds');
    }

    return (int) $value;
}

/**
 * Runs a feed to the end, printing the progress message of every batch. Each call runs batches
 * for up to the budget; within a call the library fetches the next page while it applies one.
 */
function account_sync_cli_feed(Library $library, int $accountId, int $budgetMs): void
{
    $stalled = 0;
    $totals = ['batches' => 0, 'retrieved' => 0, 'applied' => 0, 'failed' => 0];

    do {
        $progress = $library->feed($accountId, $budgetMs, 0);
        foreach ($totals as $key => $sum) {
            $totals[$key] = $sum + (int) ($progress[$key] ?? 0);
        }
        foreach ($progress['messages'] ?? [$progress['message'] ?? json_encode($progress)] as $message) {
            echo (string) $message, "\n";
        }

        $done = (bool) ($progress['done'] ?? false);
        $stalled = ((int) ($progress['retrieved'] ?? 0)) === 0 ? $stalled + 1 : 0;
        if (!$done && $stalled >= ACCOUNT_SYNC_STALLED_BATCHES) {
            throw new RuntimeException(sprintf(
                'the feed of account %d retrieved nothing in %d batches in a row but is not done '
                . '(last user id %s); giving up',
                $accountId,
                $stalled,
                (string) ($progress['last_user_id'] ?? '?')
            ));
        }
    } while (!$done);

    printf(
        "Done: %d batches, %d retrieved, %d applied, %d failed.\n",
        $totals['batches'],
        $totals['retrieved'],
        $totals['applied'],
        $totals['failed']
    );
}

function account_sync_cli_accounts(Library $library): void
{
    $rows = [['id', 'name', 'url', 'last user id', 'status', 'last run']];
    foreach ($library->accounts()['accounts'] ?? [] as $account) {
        $rows[] = [
            (string) ($account['id'] ?? ''),
            (string) ($account['name'] ?? ''),
            (string) ($account['url'] ?? ''),
            (string) ($account['last_user_id'] ?? ''),
            (string) ($account['last_status'] ?? ''),
            (string) ($account['last_date'] ?? ''),
        ];
    }

    $widths = [];
    foreach ($rows as $row) {
        foreach ($row as $i => $cell) {
            $widths[$i] = max($widths[$i] ?? 0, mb_strwidth($cell));
        }
    }
    foreach ($rows as $row) {
        $cells = [];
        foreach ($row as $i => $cell) {
            $cells[] = $cell . str_repeat(' ', $widths[$i] - mb_strwidth($cell));
        }
        echo rtrim(implode('  ', $cells)), "\n";
    }
}

/** @param list<string> $argv */
function account_sync_cli(array $argv): int
{
    [$positional, $options] = account_sync_cli_arguments(array_slice($argv, 1));
    $command = $positional[0] ?? '';

    $known = ['install' => 1, 'accounts' => 1, 'feed' => 2, 'stream' => 1, 'version' => 1, 'scope-header' => 2];
    if (!isset($known[$command]) || count($positional) !== $known[$command]) {
        fwrite(STDERR, ACCOUNT_SYNC_USAGE);

        return 2;
    }
    if ($command === 'feed' && (!ctype_digit($positional[1]) || strlen($positional[1]) > 10 || (int) $positional[1] < 1)) {
        fwrite(STDERR, "feed: the account id must be a whole number from 1\n" . ACCOUNT_SYNC_USAGE);

        return 2;
    }
    $allowed = ['feed' => ['budget-ms'], 'stream' => ['budget-ms', 'force']];
    foreach (array_keys($options) as $option) {
        if (!in_array($option, $allowed[$command] ?? [], true)) {
            fwrite(STDERR, sprintf("%s: unknown option --%s\n", $command, $option) . ACCOUNT_SYNC_USAGE);

            return 2;
        }
    }
    if (isset($options['budget-ms']) && (!ctype_digit($options['budget-ms']) || (int) $options['budget-ms'] < 1)) {
        fwrite(STDERR, "--budget-ms must be a whole number of milliseconds from 1\n");

        return 2;
    }

    try {
        require_once __DIR__ . '/osclass-load.php';
    } catch (RuntimeException $e) {
        fwrite(STDERR, 'error: ' . $e->getMessage() . "\n");

        return 1;
    }

    try {
        if ($command === 'scope-header') {
            $contents = Gateway::scopedHeader(Gateway::libraryPath(), Gateway::headerPath());
            if (file_put_contents($positional[1], $contents) === false) {
                throw new RuntimeException('cannot write ' . $positional[1]);
            }
            printf("Wrote %s; add ffi.preload=%s to the web SAPI's php.ini.\n", $positional[1], realpath($positional[1]));

            return 0;
        }

        $library = Library::instance();
        switch ($command) {
            case 'install':
                echo json_encode(account_sync_install(), JSON_UNESCAPED_SLASHES), "\n";
                break;
            case 'accounts':
                account_sync_cli_accounts($library);
                break;
            case 'feed':
                account_sync_cli_feed($library, (int) $positional[1], account_sync_cli_budget($options, 20000));
                break;
            case 'stream':
                $result = $library->streamPending(account_sync_cli_budget($options, 50000), isset($options['force']));
                echo json_encode($result, JSON_UNESCAPED_SLASHES), "\n";
                break;
            case 'version':
                echo $library->version(), "\n";
                break;
        }
    } catch (LibraryException $e) {
        fwrite(STDERR, sprintf("error (%s): %s\n", $e->codeName(), $e->getMessage()));

        return 1;
    } catch (FfiUnavailable | RuntimeException | InvalidArgumentException $e) {
        fwrite(STDERR, 'error: ' . $e->getMessage() . "\n");

        return 1;
    }

    return 0;
}

exit(account_sync_cli($argv));

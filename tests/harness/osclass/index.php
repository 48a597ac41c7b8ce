<?php

declare(strict_types=1);

/*
 * The harness' front controller. It simulates only what the tests need:
 *
 *   php index.php -p cron -t hourly      runs cron_hourly, then cron (as Osclass' CLI cron)
 *   GET /index.php?page=cron             runs every due type, then cron
 *
 * Any other page answers 404: the harness has no theme.
 */

$harnessCli = PHP_SAPI === 'cli';
if ($harnessCli) {
    $harnessOptions = getopt('p:t:');
    $harnessPage = (string) ($harnessOptions['p'] ?? '');
    $harnessCronType = strtolower((string) ($harnessOptions['t'] ?? ''));
} else {
    $harnessPage = (string) ($_GET['page'] ?? '');
    $harnessCronType = '';
}

require_once __DIR__ . '/oc-load.php';

if ($harnessPage === 'cron') {
    define('__FROM_CRON__', true);
    require LIB_PATH . 'osclass/cron.php';
    return;
}

if (!$harnessCli) {
    http_response_code(404);
    header('Content-Type: text/plain; charset=utf-8');
}
echo 'This Osclass stand-in only simulates page=cron.', "\n";

<?php

declare(strict_types=1);

/*
 * Adds an account on a site, as the Accounts page would: the other site's name, URL and API
 * key, every column this site can apply. Prints the new account's id.
 *
 *   php tests/demo/connect.php SITE_DIR NAME URL API_KEY
 */

if (PHP_SAPI !== 'cli' || $argc !== 5) {
    fwrite(STDERR, "usage: php tests/demo/connect.php SITE_DIR NAME URL API_KEY\n");
    exit(2);
}

[, $dir, $name, $url, $key] = $argv;
require $dir . '/oc-load.php';

$library = AccountSync\Library::instance();
$columns = $library->userColumns()['synced'];
$saved = $library->saveAccount(['name' => $name, 'url' => $url, 'api_key' => $key, 'columns' => $columns]);
echo $saved['account']['id'], "\n";

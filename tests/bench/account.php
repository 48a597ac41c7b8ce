<?php

declare(strict_types=1);

/*
 * Site settings the benchmark changes, done through the plugin's own library as an
 * administrator would:
 *
 *   php tests/bench/account.php add SITE_DIR NAME URL API_KEY   prints the new account's id
 *   php tests/bench/account.php rewind SITE_DIR ACCOUNT_ID      sets Last User ID back to 0
 *   php tests/bench/account.php limit SITE_DIR N                sets the feed_limit preference
 */

if (PHP_SAPI !== 'cli') {
    exit(1);
}

$usage = "usage: php tests/bench/account.php add DIR NAME URL KEY | rewind DIR ID | limit DIR N\n";
$command = $argv[1] ?? '';
$counts = ['add' => 6, 'rewind' => 4, 'limit' => 4];
if (!isset($counts[$command]) || $argc !== $counts[$command]) {
    fwrite(STDERR, $usage);
    exit(2);
}

require $argv[2] . '/oc-load.php';

switch ($command) {
    case 'add':
        $library = AccountSync\Library::instance();
        // Every column this site can take, descriptions included: the heaviest selection.
        $saved = $library->saveAccount([
            'name' => $argv[3],
            'url' => $argv[4],
            'api_key' => $argv[5],
            'columns' => $library->userColumns()['synced'],
        ]);
        echo $saved['account']['id'], "\n";
        break;

    case 'rewind':
        $library = AccountSync\Library::instance();
        $account = $library->account((int) $argv[3])['account'];
        $library->saveAccount([
            'id' => $account['id'],
            'name' => $account['name'],
            'url' => $account['url'],
            'columns' => $account['columns'],
            'last_user_id' => 0,
        ]);
        echo "0\n";
        break;

    case 'limit':
        if (!ctype_digit($argv[3])) {
            fwrite(STDERR, $usage);
            exit(2);
        }
        osc_set_preference('feed_limit', $argv[3], 'plugin-account_sync');
        echo $argv[3], "\n";
        break;
}

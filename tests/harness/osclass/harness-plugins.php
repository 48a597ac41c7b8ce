<?php

declare(strict_types=1);

/*
 * Command line for the harness only (a real Osclass has no such file): installs or
 * uninstalls a plugin the way the admin plugin page does, through Plugins::install and
 * Plugins::uninstall, and prints the outcome as one JSON line.
 *
 *   php harness-plugins.php install account_sync/index.php
 *   php harness-plugins.php uninstall account_sync/index.php
 */

if (PHP_SAPI !== 'cli') {
    http_response_code(404);
    return;
}

$action = $argv[1] ?? '';
$plugin = $argv[2] ?? '';
if (!in_array($action, ['install', 'uninstall'], true) || preg_match('#^[A-Za-z0-9_-]+/index\.php$#', $plugin) !== 1) {
    fwrite(STDERR, "usage: php harness-plugins.php install|uninstall <folder>/index.php\n");
    exit(2);
}

require_once __DIR__ . '/oc-load.php';

$result = $action === 'install' ? Plugins::install($plugin) : Plugins::uninstall($plugin);
if ($result === true) {
    echo json_encode(['ok' => true, 'action' => $action, 'plugin' => $plugin]), "\n";
    exit(0);
}

echo json_encode(['ok' => false, 'action' => $action, 'plugin' => $plugin] + $result, JSON_UNESCAPED_SLASHES), "\n";
exit(1);

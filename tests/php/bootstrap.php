<?php

declare(strict_types=1);

/*
 * Loads the bridge's and the harness' classes and names the library the tests use:
 * ACCOUNT_SYNC_LIB and ACCOUNT_SYNC_HEADER from the environment, else this repository's
 * debug build and committed header.
 */

$repository = dirname(__DIR__, 2);

require_once $repository . '/php-bridge/account_sync/src/autoload.php';

spl_autoload_register(static function (string $class) use ($repository): void {
    $prefixes = [
        'AccountSync\\Harness\\' => $repository . '/tests/harness/src/',
        'AccountSync\\Tests\\' => __DIR__ . '/support/',
    ];
    foreach ($prefixes as $prefix => $folder) {
        if (strncmp($class, $prefix, strlen($prefix)) === 0) {
            $file = $folder . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
            if (is_file($file)) {
                require $file;
            }
        }
    }
});

foreach (['ACCOUNT_SYNC_LIB' => 'target/debug/libaccount_sync.so', 'ACCOUNT_SYNC_HEADER' => 'include/account_sync.h'] as $name => $default) {
    $value = getenv($name);
    if (!is_string($value) || $value === '') {
        putenv($name . '=' . $repository . '/' . $default);
    }
}

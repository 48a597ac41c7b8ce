<?php

declare(strict_types=1);

/*
 * Autoloader for the AccountSync namespace: AccountSync\Foo lives in src/Foo.php.
 * Classes already declared (for example by opcache preloading) are never loaded again.
 */
spl_autoload_register(static function (string $class): void {
    $prefix = 'AccountSync\\';
    if (strncmp($class, $prefix, strlen($prefix)) !== 0) {
        return;
    }

    $relative = str_replace('\\', '/', substr($class, strlen($prefix)));
    $file = __DIR__ . '/' . $relative . '.php';
    if (is_file($file)) {
        require $file;
    }
});

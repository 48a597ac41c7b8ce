<?php

declare(strict_types=1);

/*
 * Admin side of the plugin: routes, menu, form handling and the feed endpoint.
 * Included once from the plugin's index.php, at file scope, on every request;
 * it wires itself only in the back office (oc-admin defines OC_ADMIN), so the
 * API and cron requests of other sites load none of it.
 */

if (!defined('OC_ADMIN') || OC_ADMIN !== true) {
    return;
}

spl_autoload_register(static function (string $class): void {
    $prefix = 'AccountSync\\Admin\\';
    if (strncmp($class, $prefix, strlen($prefix)) !== 0) {
        return;
    }
    $file = __DIR__ . '/classes/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
    if (is_file($file)) {
        require $file;
    }
});

\AccountSync\Admin\Registration::register(dirname(__DIR__) . '/index.php');

<?php

declare(strict_types=1);

/*
 * The back office of the test Osclass: just enough of oc-admin for the
 * account_sync admin pages (login, menus, plugin routes, admin AJAX hooks,
 * CSRF tokens and flash messages). Not a copy of Osclass.
 */

define('OC_ADMIN', true);

require __DIR__ . '/routes.php';
require dirname(__DIR__) . '/oc-load.php';
require __DIR__ . '/functions.php';

\OsclassHarness\Admin\Shell::run();

<?php

declare(strict_types=1);

/*
 * osc_add_route() of the test Osclass. Loaded before oc-load.php, because
 * active plugins declare their routes while oc-load.php includes them.
 */

require_once __DIR__ . '/lib/RouteTable.php';

use OsclassHarness\Admin\RouteTable;

if (!function_exists('osc_add_route')) {
    function osc_add_route(
        $id,
        $regexp,
        $url,
        $file,
        $user_menu = false,
        $location = 'custom',
        $section = 'custom',
        $title = 'Custom'
    ): void {
        RouteTable::add((string) $id, (string) $regexp, (string) $url, (string) $file, (string) $title);
    }
}

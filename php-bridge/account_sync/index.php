<?php

declare(strict_types=1);

/*
Plugin Name: Account sync
Plugin URI:
Description: Keeps user accounts in step between Osclass sites: feeds pull users from another site in batches, and a stream run by cron pushes changes.
Version: 0.1.0
Author: account_sync
Short Name: account_sync
*/

use AccountSync\Config;
use AccountSync\Library;

require_once __DIR__ . '/src/autoload.php';

/**
 * Install hook: gives this site its own API key and default settings, then creates the
 * plugin's tables; returns what as_install answered. An exception here makes Osclass report
 * the install as failed with its message. Nothing may be printed: Osclass treats any output
 * as a failed install.
 */
function account_sync_install(): array
{
    $section = Config::PREFERENCE_SECTION;

    if ((string) osc_get_preference('api_key', $section) === '') {
        osc_set_preference('api_key', bin2hex(random_bytes(24)), $section);
    }
    if ((string) osc_get_preference('feed_limit', $section) === '') {
        osc_set_preference('feed_limit', (string) Config::DEFAULT_FEED_LIMIT, $section, 'INTEGER');
    }
    if ((string) osc_get_preference('custom_columns', $section) === '') {
        osc_set_preference('custom_columns', '[]', $section);
    }
    Config::reloadPreferences();

    return Library::instance()->install();
}

/** Uninstall hook: drops the plugin's tables and triggers, then its preferences. */
function account_sync_uninstall(): void
{
    Library::instance()->uninstall();

    foreach (['api_key', 'feed_limit', 'custom_columns', 'allow_plain_http', 'last_cron'] as $name) {
        osc_delete_preference($name, Config::PREFERENCE_SECTION);
    }
    Config::reloadPreferences();
}

/**
 * The plugin list's "Configure" link when the admin pages are not part of this copy of the
 * plugin; admin/menu.php registers its own otherwise.
 */
function account_sync_configure(): void
{
    if (is_file(__DIR__ . '/admin/configure.php')) {
        osc_admin_render_plugin(osc_plugin_folder(__FILE__) . 'admin/configure.php');
    }
}

osc_register_plugin(osc_plugin_path(__FILE__), 'account_sync_install');
osc_add_hook(osc_plugin_path(__FILE__) . '_uninstall', 'account_sync_uninstall');

if (is_file(__DIR__ . '/admin/menu.php')) {
    require_once __DIR__ . '/admin/menu.php';
} else {
    osc_add_hook(osc_plugin_path(__FILE__) . '_configure', 'account_sync_configure');
}

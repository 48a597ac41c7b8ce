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

    $names = ['api_key', 'previous_api_key', 'previous_key_until', 'feed_limit', 'custom_columns', 'allow_plain_http', 'last_cron'];
    foreach ($names as $name) {
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

/**
 * Tells the library about a user change an Osclass hook reported. The library's triggers
 * record every change in the same transaction as the change; the hooks back them up on
 * hosts that refuse triggers. A failure here must never break the page that changed the
 * user, so it is logged and swallowed.
 */
function account_sync_capture(string $event, int $userId, ?string $oldEmail = null): void
{
    try {
        Library::instance()->capture($event, $userId, $oldEmail);
    } catch (\Throwable $e) {
        error_log(sprintf('account_sync: recording %s of user %d failed: %s', $event, $userId, $e->getMessage()));
    }
}

/** The id of a user array as the activate/deactivate/enable/disable hooks pass it. */
function account_sync_user_id(mixed $user): int
{
    return is_array($user) ? (int) ($user['pk_i_id'] ?? 0) : (int) $user;
}

/** Osclass' own cron (index.php -p cron, or auto-cron): send pending changes. */
function account_sync_cron(): void
{
    try {
        Library::instance()->streamPending(20000);
        Config::markCron();
    } catch (\Throwable $e) {
        error_log('account_sync: the stream from Osclass cron failed: ' . $e->getMessage());
    }
}

osc_add_hook('user_register_completed', static fn ($id) => account_sync_capture('register', (int) $id));
osc_add_hook('user_edit_completed', static fn ($id) => account_sync_capture('edit', (int) $id));
osc_add_hook('activate_user', static fn ($user) => account_sync_capture('activate', account_sync_user_id($user)));
osc_add_hook('validate_user', static fn ($user) => account_sync_capture('activate', account_sync_user_id($user)));
osc_add_hook('deactivate_user', static fn ($user) => account_sync_capture('deactivate', account_sync_user_id($user)));
osc_add_hook('enable_user', static fn ($user) => account_sync_capture('enable', account_sync_user_id($user)));
osc_add_hook('disable_user', static fn ($user) => account_sync_capture('disable', account_sync_user_id($user)));
osc_add_hook('delete_user', static fn ($id) => account_sync_capture('delete', (int) $id));
osc_add_hook(
    'change_email_confirm',
    static fn ($id, $old = null) => account_sync_capture('email', (int) $id, is_string($old) ? $old : null)
);
osc_add_hook('after_username_change', static fn ($id) => account_sync_capture('edit', (int) $id));
osc_add_hook('cron', 'account_sync_cron');

osc_register_plugin(osc_plugin_path(__FILE__), 'account_sync_install');
osc_add_hook(osc_plugin_path(__FILE__) . '_uninstall', 'account_sync_uninstall');

if (is_file(__DIR__ . '/admin/menu.php')) {
    require_once __DIR__ . '/admin/menu.php';
} else {
    osc_add_hook(osc_plugin_path(__FILE__) . '_configure', 'account_sync_configure');
}

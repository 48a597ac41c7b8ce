<?php

declare(strict_types=1);

namespace AccountSync\Admin;

/**
 * Wires the admin pages into Osclass: routes, the admin menu, form handling,
 * the feed endpoint and the "Configure" link of the plugin list.
 */
final class Registration
{
    public static function register(string $pluginIndex): void
    {
        Routes::register();

        osc_add_hook('admin_menu_init', [self::class, 'menu']);
        osc_add_hook('init_admin', [FormHandler::class, 'handle']);
        osc_add_hook('ajax_admin_' . FeedEndpoint::HOOK, [FeedEndpoint::class, 'handle']);
        osc_add_hook(osc_plugin_path($pluginIndex) . '_configure', [self::class, 'configure']);
    }

    public static function menu(): void
    {
        osc_add_admin_menu_page(
            __('Account sync', 'account_sync'),
            Routes::url(Routes::ACCOUNTS),
            'account_sync',
            'administrator'
        );
        osc_add_admin_submenu_page(
            'account_sync',
            __('Accounts', 'account_sync'),
            Routes::url(Routes::ACCOUNTS),
            'account_sync_accounts',
            'administrator'
        );
        osc_add_admin_submenu_page(
            'account_sync',
            __('Logs', 'account_sync'),
            Routes::url(Routes::LOGS),
            'account_sync_logs',
            'administrator'
        );
        osc_add_admin_submenu_page(
            'account_sync',
            __('Configure', 'account_sync'),
            Routes::url(Routes::CONFIGURE),
            'account_sync_configure',
            'administrator'
        );
    }

    /** The plugin list's "Configure" link lands on the Configure page. */
    public static function configure(): void
    {
        osc_redirect_to(Routes::url(Routes::CONFIGURE));
    }
}

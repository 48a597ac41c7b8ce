<?php

declare(strict_types=1);

namespace AccountSync\Admin;

/**
 * The admin routes of the plugin and the URLs that lead to them.
 */
final class Routes
{
    public const CONFIGURE = 'account_sync_configure';
    public const ACCOUNTS = 'account_sync_accounts';
    public const ACCOUNT_EDIT = 'account_sync_account_edit';
    public const ACCOUNT = 'account_sync_account';
    public const LOGS = 'account_sync_logs';
    public const LOG = 'account_sync_log';

    /** Route id => [slug, template file inside admin/]. */
    private const PAGES = [
        self::CONFIGURE => ['configure', 'configure.php'],
        self::ACCOUNTS => ['accounts', 'accounts.php'],
        self::ACCOUNT_EDIT => ['account-edit', 'account-edit.php'],
        self::ACCOUNT => ['account', 'account.php'],
        self::LOGS => ['logs', 'logs.php'],
        self::LOG => ['log', 'log.php'],
    ];

    public static function register(): void
    {
        $folder = self::pluginFolder();
        foreach (self::PAGES as $id => [$slug, $file]) {
            $path = $folder . '/admin/' . $slug;
            osc_add_route($id, $path, $path, $folder . '/admin/' . $file);
        }
    }

    /**
     * The admin URL of a page; arguments are URL-encoded here because Osclass
     * appends them as they are.
     *
     * @param array<string, int|string> $args
     */
    public static function url(string $route, array $args = []): string
    {
        $encoded = [];
        foreach ($args as $name => $value) {
            $encoded[rawurlencode((string) $name)] = rawurlencode((string) $value);
        }

        return (string) osc_route_admin_url($route, $encoded);
    }

    public static function isOurs(string $route): bool
    {
        return isset(self::PAGES[$route]);
    }

    /** The folder name under oc-content/plugins (normally "account_sync"). */
    public static function pluginFolder(): string
    {
        return basename(self::pluginDir());
    }

    public static function pluginDir(): string
    {
        return dirname(__DIR__, 2);
    }

    /** URL of a file under the plugin's assets/ folder. */
    public static function asset(string $file): string
    {
        return osc_base_url() . 'oc-content/plugins/' . self::pluginFolder() . '/assets/' . $file;
    }
}

<?php

declare(strict_types=1);

namespace OsclassHarness\Admin;

/**
 * Dispatches an oc-admin request the way Osclass does for the parts the
 * plugin uses: login, init_admin, admin_menu_init, plugin pages rendered by
 * route or file, the plugin's "Configure" hook, and admin AJAX hooks.
 */
final class Shell
{
    public static function run(): void
    {
        Session::start();
        $page = self::param('page');

        if ($page === 'login') {
            self::login();
            return;
        }
        if ($page === 'logout') {
            Session::logOut();
            osc_redirect_to(osc_admin_base_url(true) . '?page=login');
        }
        if (Session::adminId() === 0) {
            self::refuseAnonymous($page);
            return;
        }

        Menu::reset();
        osc_run_hook('init_admin');
        osc_run_hook('admin_menu_init');

        match ($page) {
            'plugins' => self::plugins(),
            'ajax' => self::ajax(),
            default => Layout::page('Dashboard', static function (): void {
                require __DIR__ . '/../views/dashboard.php';
            }),
        };
    }

    private static function refuseAnonymous(string $page): void
    {
        if ($page === 'ajax') {
            http_response_code(401);
            header('Content-Type: application/json');
            echo json_encode(['error' => 1, 'msg' => 'Not logged in']);
            return;
        }
        osc_redirect_to(osc_admin_base_url(true) . '?page=login');
    }

    private static function login(): void
    {
        $error = '';
        if (($_SERVER['REQUEST_METHOD'] ?? 'GET') === 'POST') {
            $admin = AdminLogin::check((string) ($_POST['user'] ?? ''), (string) ($_POST['password'] ?? ''));
            if ($admin !== null) {
                Session::logIn($admin['id'], $admin['name']);
                osc_redirect_to(osc_admin_base_url(true));
            }
            $error = 'The username or the password is wrong.';
        }

        Layout::bare('Log in', static function () use ($error): void {
            require __DIR__ . '/../views/login.php';
        });
    }

    private static function plugins(): void
    {
        $action = self::param('action');

        if ($action === 'admin') {
            osc_run_hook(self::param('plugin') . '_configure');
            Layout::page('Plugins', static function (): void {
                echo '<p>This plugin has no configuration page.</p>';
            });
            return;
        }
        if ($action !== 'renderplugin') {
            Layout::page('Plugins', static function (): void {
                require __DIR__ . '/../views/plugins.php';
            });
            return;
        }

        $file = self::pluginFile();
        if ($file === '') {
            http_response_code(404);
            Layout::page('Not found', static function (): void {
                echo '<p>No such plugin page.</p>';
            });
            return;
        }

        osc_run_hook('renderplugin_controller');
        Layout::page('Plugins', static function () use ($file): void {
            include osc_plugins_path() . $file;
        });
    }

    /** The plugin file to render: from the route id, or the (deprecated) file parameter. */
    private static function pluginFile(): string
    {
        $route = self::param('route');
        if ($route !== '') {
            $file = RouteTable::file($route);
        } else {
            $file = self::param('file');
        }

        if ($file === '' || str_contains($file, '..') || !is_file(osc_plugins_path() . $file)) {
            return '';
        }

        return $file;
    }

    private static function ajax(): void
    {
        if (self::param('action') !== 'runhook' || self::param('hook') === '') {
            http_response_code(400);
            echo json_encode(['error' => 1, 'msg' => 'Unknown AJAX action']);
            return;
        }

        osc_run_hook('ajax_admin_' . self::param('hook'));
    }

    private static function param(string $name): string
    {
        $value = $_GET[$name] ?? $_POST[$name] ?? '';

        return is_string($value) ? $value : '';
    }
}

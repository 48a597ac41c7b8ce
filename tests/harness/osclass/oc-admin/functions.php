<?php

declare(strict_types=1);

/*
 * Back-office helpers of the test Osclass, with the names and signatures the
 * real ones have. Loaded after oc-load.php; each is declared only when the
 * site's core did not declare it already, so the core may provide any of them.
 */

require_once __DIR__ . '/lib/Session.php';
require_once __DIR__ . '/lib/Menu.php';
require_once __DIR__ . '/lib/AdminLogin.php';
require_once __DIR__ . '/lib/Layout.php';
require_once __DIR__ . '/lib/Shell.php';

use OsclassHarness\Admin\Menu;
use OsclassHarness\Admin\RouteTable;
use OsclassHarness\Admin\Session;

if (!function_exists('osc_admin_base_url')) {
    function osc_admin_base_url($with_index = false): string
    {
        return osc_base_url() . 'oc-admin/' . ($with_index ? 'index.php' : '');
    }
}

if (!function_exists('osc_route_admin_url')) {
    /** Like Osclass, appends the arguments as they are given. */
    function osc_route_admin_url($id, $args = []): string
    {
        if (!RouteTable::has((string) $id)) {
            return '';
        }
        $query = '';
        foreach ($args as $name => $value) {
            $query .= '&' . $name . '=' . $value;
        }

        return osc_admin_base_url(true) . '?page=plugins&action=renderplugin&route=' . $id . $query;
    }
}

if (!function_exists('osc_admin_render_plugin_url')) {
    function osc_admin_render_plugin_url($file = ''): string
    {
        return osc_admin_base_url(true) . '?page=plugins&action=renderplugin&file=' . $file;
    }
}

if (!function_exists('osc_admin_ajax_hook_url')) {
    function osc_admin_ajax_hook_url($hook = '', $params = []): string
    {
        $query = '';
        foreach ($params as $name => $value) {
            $query .= '&' . $name . '=' . $value;
        }

        return osc_admin_base_url(true) . '?page=ajax&action=runhook&hook=' . $hook . $query;
    }
}

if (!function_exists('osc_add_admin_menu_page')) {
    function osc_add_admin_menu_page(
        $title,
        $url,
        $menu_id,
        $capability = 'administrator',
        $icon = null,
        $position = null
    ): void {
        Menu::addMenu((string) $menu_id, (string) $title, (string) $url);
    }
}

if (!function_exists('osc_add_admin_submenu_page')) {
    function osc_add_admin_submenu_page($menu_id, $title, $url, $submenu_id, $capability = 'administrator'): void
    {
        Menu::addItem((string) $menu_id, (string) $submenu_id, (string) $title, (string) $url);
    }
}

if (!function_exists('osc_admin_menu_plugins')) {
    function osc_admin_menu_plugins($title, $url, $submenu_id, $capability = null, $icon = null): void
    {
        Menu::addItem('plugins', (string) $submenu_id, (string) $title, (string) $url);
    }
}

if (!function_exists('osc_csrf_token_form')) {
    function osc_csrf_token_form(): string
    {
        [$name, $token] = Session::csrf();

        return '<input type="hidden" name="CSRFName" value="' . htmlspecialchars($name, ENT_QUOTES) . '">'
            . '<input type="hidden" name="CSRFToken" value="' . htmlspecialchars($token, ENT_QUOTES) . '">';
    }
}

if (!function_exists('osc_csrf_token_url')) {
    function osc_csrf_token_url(): string
    {
        [$name, $token] = Session::csrf();

        return 'CSRFName=' . rawurlencode($name) . '&CSRFToken=' . rawurlencode($token);
    }
}

if (!function_exists('osc_csrf_check')) {
    /** On a missing or wrong token: an error message and back to where the request came from. */
    function osc_csrf_check(): void
    {
        $name = $_POST['CSRFName'] ?? $_GET['CSRFName'] ?? '';
        $token = $_POST['CSRFToken'] ?? $_GET['CSRFToken'] ?? '';
        if (is_string($name) && is_string($token) && Session::csrfValid($name, $token)) {
            return;
        }

        osc_add_flash_error_message('Invalid CSRF token.', 'admin');
        $referer = (string) ($_SERVER['HTTP_REFERER'] ?? '');
        osc_redirect_to($referer !== '' ? $referer : osc_admin_base_url(true));
    }
}

if (!function_exists('osc_add_flash_ok_message')) {
    function osc_add_flash_ok_message($msg, $section = 'pubMessages'): void
    {
        Session::flash('ok', (string) $msg);
    }
}

if (!function_exists('osc_add_flash_error_message')) {
    function osc_add_flash_error_message($msg, $section = 'pubMessages'): void
    {
        Session::flash('error', (string) $msg);
    }
}

if (!function_exists('osc_add_flash_info_message')) {
    function osc_add_flash_info_message($msg, $section = 'pubMessages'): void
    {
        Session::flash('info', (string) $msg);
    }
}

if (!function_exists('osc_show_flash_message')) {
    /** Messages are stored already escaped, as Osclass expects; they are printed as they are. */
    function osc_show_flash_message($section = 'pubMessages'): void
    {
        foreach (Session::takeFlashes() as $flash) {
            echo '<div class="flashmessage flashmessage-' . htmlspecialchars($flash['type'], ENT_QUOTES) . '">'
                . $flash['message'] . '</div>';
        }
    }
}

if (!function_exists('osc_esc_html')) {
    function osc_esc_html($str = ''): string
    {
        return htmlspecialchars((string) $str, ENT_QUOTES | ENT_SUBSTITUTE, 'UTF-8');
    }
}

if (!function_exists('osc_redirect_to')) {
    function osc_redirect_to($url, $code = null): never
    {
        header('Location: ' . $url, true, $code ?? 302);
        exit;
    }
}

if (!function_exists('osc_is_admin_user_logged_in')) {
    function osc_is_admin_user_logged_in(): bool
    {
        return Session::adminId() > 0;
    }
}

<?php

declare(strict_types=1);

namespace OsclassHarness\Admin;

/** Draws the back-office frame (menu, flash messages) around a page. */
final class Layout
{
    /** @param callable(): void $content */
    public static function page(string $title, callable $content): void
    {
        $menus = Menu::all();
        $adminName = Session::adminName();
        $css = osc_admin_base_url() . 'shell.css';
        require __DIR__ . '/../views/layout-top.php';
        osc_show_flash_message('admin');
        $content();
        require __DIR__ . '/../views/layout-bottom.php';
    }

    /** @param callable(): void $content */
    public static function bare(string $title, callable $content): void
    {
        $css = osc_admin_base_url() . 'shell.css';
        require __DIR__ . '/../views/bare-top.php';
        $content();
        require __DIR__ . '/../views/bare-bottom.php';
    }
}

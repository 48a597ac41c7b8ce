<?php

declare(strict_types=1);

namespace OsclassHarness\Admin;

/** The admin menu that plugins fill in the admin_menu_init hook. */
final class Menu
{
    /**
     * @var array<string, array{title: string, url: string,
     *                          items: list<array{id: string, title: string, url: string}>}>
     */
    private static array $menus = [];

    public static function reset(): void
    {
        self::$menus = [
            'dashboard' => ['title' => 'Dashboard', 'url' => osc_admin_base_url(true), 'items' => []],
            'plugins' => [
                'title' => 'Plugins',
                'url' => osc_admin_base_url(true) . '?page=plugins',
                'items' => [],
            ],
        ];
    }

    public static function addMenu(string $id, string $title, string $url): void
    {
        $items = self::$menus[$id]['items'] ?? [];
        self::$menus[$id] = ['title' => $title, 'url' => $url, 'items' => $items];
    }

    public static function addItem(string $menuId, string $id, string $title, string $url): void
    {
        if (!isset(self::$menus[$menuId])) {
            self::$menus[$menuId] = ['title' => $menuId, 'url' => $url, 'items' => []];
        }
        self::$menus[$menuId]['items'][] = ['id' => $id, 'title' => $title, 'url' => $url];
    }

    /**
     * @return array<string, array{title: string, url: string,
     *                             items: list<array{id: string, title: string, url: string}>}>
     */
    public static function all(): array
    {
        return self::$menus;
    }
}

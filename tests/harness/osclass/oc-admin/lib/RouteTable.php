<?php

declare(strict_types=1);

namespace OsclassHarness\Admin;

/** Routes declared by plugins with osc_add_route(). */
final class RouteTable
{
    /** @var array<string, array{regexp: string, url: string, file: string, title: string}> */
    private static array $routes = [];

    public static function add(string $id, string $regexp, string $url, string $file, string $title): void
    {
        self::$routes[$id] = ['regexp' => $regexp, 'url' => $url, 'file' => $file, 'title' => $title];
    }

    public static function has(string $id): bool
    {
        return isset(self::$routes[$id]);
    }

    /** The route's file, relative to oc-content/plugins/, or '' when unknown. */
    public static function file(string $id): string
    {
        return self::$routes[$id]['file'] ?? '';
    }
}

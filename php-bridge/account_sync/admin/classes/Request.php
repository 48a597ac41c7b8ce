<?php

declare(strict_types=1);

namespace AccountSync\Admin;

/**
 * Read-only access to the current request's parameters, as plain strings.
 * A parameter sent as an array where a string is expected reads as empty.
 */
final class Request
{
    public static function isPost(): bool
    {
        return ($_SERVER['REQUEST_METHOD'] ?? 'GET') === 'POST';
    }

    public static function query(string $name): string
    {
        $value = $_GET[$name] ?? '';

        return is_string($value) ? trim($value) : '';
    }

    public static function post(string $name): string
    {
        $value = $_POST[$name] ?? '';

        return is_string($value) ? trim($value) : '';
    }

    /** @return list<string> */
    public static function postList(string $name): array
    {
        $values = $_POST[$name] ?? [];
        if (!is_array($values)) {
            return [];
        }

        $strings = [];
        foreach ($values as $value) {
            if (is_string($value) && trim($value) !== '') {
                $strings[] = trim($value);
            }
        }

        return array_values(array_unique($strings));
    }

    /** A non-negative whole number from the query string, or $default. */
    public static function queryInt(string $name, int $default = 0): int
    {
        $value = self::query($name);

        return ctype_digit($value) ? (int) $value : $default;
    }

    /** A non-negative whole number from the posted form, or $default. */
    public static function postInt(string $name, int $default = 0): int
    {
        $value = self::post($name);

        return ctype_digit($value) ? (int) $value : $default;
    }
}

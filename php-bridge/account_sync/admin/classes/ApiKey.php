<?php

declare(strict_types=1);

namespace AccountSync\Admin;

/** This site's API key: how a new one is made and how it is shown. */
final class ApiKey
{
    /** Shortest key the library accepts. */
    public const MIN_LENGTH = 20;

    /** 40 hex digits from 20 random bytes. */
    public static function generate(): string
    {
        return bin2hex(random_bytes(20));
    }

    public static function mask(string $key): string
    {
        if ($key === '') {
            return '';
        }
        if (strlen($key) <= 8) {
            return str_repeat('•', strlen($key));
        }

        return substr($key, 0, 4) . '…' . substr($key, -4);
    }
}

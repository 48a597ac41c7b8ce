<?php

declare(strict_types=1);

namespace AccountSync\Admin;

/**
 * Remembers, for the rest of the request, which form was refused, so that the
 * page shows the submitted values again instead of the stored ones.
 */
final class FormState
{
    private static string $failedAction = '';

    public static function fail(string $action): void
    {
        self::$failedAction = $action;
    }

    public static function failed(string $action): bool
    {
        return self::$failedAction === $action;
    }
}

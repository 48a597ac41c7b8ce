<?php

declare(strict_types=1);

namespace AccountSync\Admin;

/** Messages shown once at the top of the next admin page. */
final class Flash
{
    public static function ok(string $message): void
    {
        osc_add_flash_ok_message(osc_esc_html($message), 'admin');
    }

    public static function error(string $message): void
    {
        osc_add_flash_error_message(osc_esc_html($message), 'admin');
    }
}

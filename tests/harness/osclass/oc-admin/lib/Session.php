<?php

declare(strict_types=1);

namespace OsclassHarness\Admin;

/**
 * The administrator's PHP session: who is logged in, the CSRF token and the
 * flash messages waiting to be shown.
 */
final class Session
{
    private const ADMIN = 'harness_admin_id';
    private const ADMIN_NAME = 'harness_admin_name';
    private const CSRF_NAME = 'harness_csrf_name';
    private const CSRF_TOKEN = 'harness_csrf_token';
    private const FLASH = 'harness_flash';

    public static function start(): void
    {
        if (session_status() === PHP_SESSION_ACTIVE) {
            return;
        }
        session_name('osclass_admin');
        session_start(['cookie_httponly' => true, 'cookie_samesite' => 'Lax']);
    }

    public static function adminId(): int
    {
        return (int) ($_SESSION[self::ADMIN] ?? 0);
    }

    public static function adminName(): string
    {
        return (string) ($_SESSION[self::ADMIN_NAME] ?? '');
    }

    public static function logIn(int $id, string $name): void
    {
        session_regenerate_id(true);
        $_SESSION[self::ADMIN] = $id;
        $_SESSION[self::ADMIN_NAME] = $name;
    }

    public static function logOut(): void
    {
        $_SESSION = [];
        session_regenerate_id(true);
    }

    /** @return array{0: string, 1: string} field name value and token, made once per session */
    public static function csrf(): array
    {
        if (!isset($_SESSION[self::CSRF_NAME], $_SESSION[self::CSRF_TOKEN])) {
            $_SESSION[self::CSRF_NAME] = 'CSRF' . bin2hex(random_bytes(4));
            $_SESSION[self::CSRF_TOKEN] = bin2hex(random_bytes(32));
        }

        return [(string) $_SESSION[self::CSRF_NAME], (string) $_SESSION[self::CSRF_TOKEN]];
    }

    public static function csrfValid(string $name, string $token): bool
    {
        [$expectedName, $expectedToken] = self::csrf();

        return $name !== '' && $token !== ''
            && hash_equals($expectedName, $name)
            && hash_equals($expectedToken, $token);
    }

    public static function flash(string $type, string $message): void
    {
        $_SESSION[self::FLASH][] = ['type' => $type, 'message' => $message];
    }

    /** @return list<array{type: string, message: string}> and forgets them */
    public static function takeFlashes(): array
    {
        $flashes = $_SESSION[self::FLASH] ?? [];
        unset($_SESSION[self::FLASH]);

        return is_array($flashes) ? array_values($flashes) : [];
    }
}

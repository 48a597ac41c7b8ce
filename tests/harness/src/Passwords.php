<?php

declare(strict_types=1);

namespace AccountSync\Harness;

/**
 * Known passwords with bcrypt hashes computed ahead of time (tests/fixtures/password-hashes.json),
 * since one hash at Osclass' default cost of 15 takes about 1.7 s; and the SHA-1 hashes of
 * Osclass versions before 3.3, which still log in.
 */
final class Passwords
{
    /** @var list<array{password: string, cost: int, hash: string}>|null */
    private static ?array $hashes = null;

    /** @return array{password: string, cost: int, hash: string} */
    public static function bcrypt(int $index): array
    {
        $all = self::all();

        return $all[$index % count($all)];
    }

    public static function count(): int
    {
        return count(self::all());
    }

    /** @return array{password: string, hash: string} */
    public static function sha1(int $index): array
    {
        $password = 'legacy-' . $index;

        return ['password' => $password, 'hash' => sha1($password)];
    }

    /** Osclass' osc_verify_password: bcrypt, or the SHA-1 of old versions. */
    public static function verify(string $password, string $hash): bool
    {
        return password_verify($password, $hash) || hash_equals($hash, sha1($password));
    }

    /** Whether Osclass would re-hash this password at login: not bcrypt, or another cost. */
    public static function needsRehash(string $hash, int $cost): bool
    {
        return !str_starts_with($hash, '$2y$') || password_needs_rehash($hash, PASSWORD_BCRYPT, ['cost' => $cost]);
    }

    /** @return list<array{password: string, cost: int, hash: string}> */
    private static function all(): array
    {
        if (self::$hashes === null) {
            $file = Site::repository() . '/tests/fixtures/password-hashes.json';
            $data = json_decode((string) file_get_contents($file), true, 512, JSON_THROW_ON_ERROR);
            self::$hashes = $data['hashes'];
        }

        return self::$hashes;
    }
}

<?php

declare(strict_types=1);

namespace OsclassHarness\Admin;

/** Checks an administrator's credentials against the site's t_admin table. */
final class AdminLogin
{
    /** @return array{id: int, name: string}|null */
    public static function check(string $username, string $password): ?array
    {
        if ($username === '' || $password === '') {
            return null;
        }

        [$host, $port] = self::hostAndPort((string) DB_HOST);
        $db = new \mysqli($host, (string) DB_USER, (string) DB_PASSWORD, (string) DB_NAME, $port);
        try {
            $statement = $db->prepare(
                'SELECT pk_i_id, s_name, s_password FROM ' . DB_TABLE_PREFIX . 't_admin WHERE s_username = ?'
            );
            $statement->bind_param('s', $username);
            $statement->execute();
            $row = $statement->get_result()->fetch_assoc();
        } finally {
            $db->close();
        }

        if (!is_array($row) || !password_verify($password, (string) $row['s_password'])) {
            return null;
        }

        return ['id' => (int) $row['pk_i_id'], 'name' => (string) $row['s_name']];
    }

    /** @return array{0: string, 1: int} */
    private static function hostAndPort(string $dbHost): array
    {
        if (preg_match('/^([^:]+):(\d+)$/', $dbHost, $m) === 1) {
            return [$m[1], (int) $m[2]];
        }

        return [$dbHost, 3306];
    }
}

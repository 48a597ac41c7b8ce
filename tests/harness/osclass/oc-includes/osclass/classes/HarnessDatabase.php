<?php

declare(strict_types=1);

/**
 * The site's one mysqli connection, opened the way Osclass' DBConnectionClass opens it: the
 * charset of the fork's installer and a session sql_mode without the strict and zero-date
 * modes.
 */
final class HarnessDatabase
{
    private static ?mysqli $connection = null;

    public static function connection(): mysqli
    {
        if (self::$connection === null) {
            self::$connection = self::connect();
        }

        return self::$connection;
    }

    private static function connect(): mysqli
    {
        mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);

        $host = (string) DB_HOST;
        $port = 3306;
        $socket = null;
        if (preg_match('/^([^:]*):(.+)$/', $host, $m) === 1) {
            $host = $m[1] === '' ? 'localhost' : $m[1];
            if (ctype_digit($m[2])) {
                $port = (int) $m[2];
            } else {
                $socket = $m[2];
            }
        }

        $connection = new mysqli($host, (string) DB_USER, (string) DB_PASSWORD, (string) DB_NAME, $port, $socket);
        $connection->set_charset(HARNESS_FORK === 'op84' ? 'utf8mb4' : 'utf8');
        $connection->query(
            "SET SESSION sql_mode = REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(@@SESSION.sql_mode,"
            . " 'NO_ZERO_DATE', ''), 'ONLY_FULL_GROUP_BY', ''), 'STRICT_TRANS_TABLES', ''),"
            . " 'STRICT_ALL_TABLES', ''), 'TRADITIONAL', '')"
        );

        return $connection;
    }
}

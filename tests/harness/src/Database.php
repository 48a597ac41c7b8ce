<?php

declare(strict_types=1);

namespace AccountSync\Harness;

/**
 * Connections to the test MariaDB server, and the rule for which databases the harness may
 * create and drop.
 */
final class Database
{
    public const NAME_PATTERN = '/^as_(test|demo)_[A-Za-z0-9_]{1,48}$/';

    /**
     * @param array{host: string, user: string, password: string} $server DB_HOST may be
     *        "host", "host:port" or "host:/socket"
     */
    public static function connect(array $server, ?string $database = null, string $charset = 'utf8mb4'): \mysqli
    {
        mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);

        [$host, $port, $socket] = self::splitHost($server['host']);
        $db = new \mysqli($host, $server['user'], $server['password'], $database ?? '', $port, $socket);
        $db->options(MYSQLI_OPT_INT_AND_FLOAT_NATIVE, 1);
        $db->set_charset($charset);
        // As Osclass does on every connection, so OP84's zero dates load.
        $db->query(
            "SET SESSION sql_mode = REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(@@SESSION.sql_mode,"
            . " 'NO_ZERO_DATE', ''), 'ONLY_FULL_GROUP_BY', ''), 'STRICT_TRANS_TABLES', ''),"
            . " 'STRICT_ALL_TABLES', ''), 'TRADITIONAL', '')"
        );

        return $db;
    }

    public static function assertName(string $name): void
    {
        if (preg_match(self::NAME_PATTERN, $name) !== 1) {
            throw new \InvalidArgumentException(sprintf(
                'database name %s is refused: the harness only uses names as_test_* or as_demo_*',
                $name
            ));
        }
    }

    public static function exists(\mysqli $db, string $name): bool
    {
        $statement = $db->prepare('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?');
        $statement->bind_param('s', $name);
        $statement->execute();

        return $statement->get_result()->fetch_row() !== null;
    }

    /** Runs a script of several statements, failing on the first error. */
    public static function runScript(\mysqli $db, string $sql): void
    {
        if (!$db->multi_query($sql)) {
            throw new \RuntimeException('SQL failed: ' . $db->error);
        }
        do {
            $result = $db->store_result();
            if ($result instanceof \mysqli_result) {
                $result->free();
            }
        } while ($db->more_results() && $db->next_result());
    }

    /**
     * Runs one statement and returns its rows, or the affected row count for statements
     * without a result set.
     *
     * @return list<array<string, mixed>>|array{affected_rows: int, insert_id: int}
     */
    public static function query(\mysqli $db, string $sql): array
    {
        $result = $db->query($sql);
        if ($result instanceof \mysqli_result) {
            return $result->fetch_all(MYSQLI_ASSOC);
        }

        return ['affected_rows' => (int) $db->affected_rows, 'insert_id' => (int) $db->insert_id];
    }

    /** @return array{0: string, 1: int, 2: ?string} */
    private static function splitHost(string $host): array
    {
        if (preg_match('/^([^:]*):(.+)$/', $host, $m) === 1) {
            $name = $m[1] === '' ? 'localhost' : $m[1];

            return ctype_digit($m[2]) ? [$name, (int) $m[2], null] : [$name, 3306, $m[2]];
        }

        return [$host, 3306, null];
    }
}

<?php

declare(strict_types=1);

namespace AccountSync\Harness;

/**
 * The SQL that builds a site's tables, for either fork.
 *
 * ms52 is tests/fixtures/osclass-5.2.0-schema.sql as it is: the dump of a fresh Osclass 5.2.0
 * install. op84 (OsclassPoint 8.4) is derived from it by the differences listed in
 * osclass-facts.md §1.1 and §1.6, each applied to its own table's CREATE statement:
 *
 *   - every table: DEFAULT CHARSET utf8mb4, COLLATE utf8mb4_unicode_ci;
 *   - t_user: s_country_native VARCHAR(80) after s_country, s_region_native VARCHAR(60) after
 *     s_region, s_city_native VARCHAR(60) after s_city; s_pass_ip and s_access_ip
 *     VARCHAR(64); d_coord_lat/long DECIMAL(20,10); dt_access_date DATETIME NULL with no
 *     default; i_login_fails INT(3) DEFAULT 0, dt_login_fail_date DATETIME,
 *     s_profile_img VARCHAR(100) and fk_c_locale_code CHAR(5) at the end;
 *   - t_admin: i_login_fails INT(3) DEFAULT 0 at the end (its place in OP84 is not recorded);
 *   - t_cron: e_type with MINUTELY, MONTHLY and YEARLY, and no date defaults.
 *
 * Every edit must match exactly once, so a changed fixture fails loudly instead of giving a
 * half-converted schema. Tables OP84 changes in other ways (items, locations) are left as
 * MS52 has them: those differences are not recorded.
 */
final class Schema
{
    public const FORKS = ['ms52', 'op84'];

    /** Rows for t_locale, by code; en_US comes with the fixture. */
    private const LOCALES = [
        'es_ES' => ['Spanish (Spain)', 'Español', 'Spanish translation', '{NUMBER} {CURRENCY}', ',', '.', 'd/m/Y'],
        'fr_FR' => ['French (France)', 'Français', 'French translation', '{NUMBER} {CURRENCY}', ',', ' ', 'd/m/Y'],
        'de_DE' => ['German (Germany)', 'Deutsch', 'German translation', '{NUMBER} {CURRENCY}', ',', '.', 'd.m.Y'],
    ];

    public static function sql(string $fork, string $fixture): string
    {
        $sql = file_get_contents($fixture);
        if ($sql === false) {
            throw new \RuntimeException('cannot read the schema fixture ' . $fixture);
        }

        return match ($fork) {
            'ms52' => $sql,
            'op84' => self::op84($sql),
            default => throw new \InvalidArgumentException('unknown fork ' . $fork . ' (ms52 or op84)'),
        };
    }

    /** @return list<string> locale codes the harness can add */
    public static function knownLocales(): array
    {
        return array_merge(['en_US'], array_keys(self::LOCALES));
    }

    /**
     * Statements that leave exactly the given locales in t_locale.
     *
     * @param list<string> $locales
     * @return list<string>
     */
    public static function localeStatements(\mysqli $db, array $locales): array
    {
        $statements = [];
        foreach ($locales as $code) {
            if ($code === 'en_US') {
                continue;
            }
            if (!isset(self::LOCALES[$code])) {
                throw new \InvalidArgumentException(sprintf(
                    'unknown locale %s (known: %s)',
                    $code,
                    implode(', ', self::knownLocales())
                ));
            }
            [$name, $short, $description, $currency, $decimal, $thousands, $dateFormat] = self::LOCALES[$code];
            $statements[] = sprintf(
                "INSERT INTO oc_t_locale (pk_c_code, s_name, s_short_name, s_description, s_version,"
                . " s_direction, s_author_name, s_author_url, s_currency_format, s_dec_point,"
                . " s_thousands_sep, i_num_dec, s_date_format, s_stop_words, b_enabled, b_enabled_bo)"
                . " VALUES ('%s', '%s', '%s', '%s', '1.0.0', 'ltr', 'account_sync harness',"
                . " 'http://127.0.0.1/', '%s', '%s', '%s', 2, '%s', '', 1, 1)",
                $code,
                $db->real_escape_string($name),
                $db->real_escape_string($short),
                $db->real_escape_string($description),
                $db->real_escape_string($currency),
                $db->real_escape_string($decimal),
                $db->real_escape_string($thousands),
                $db->real_escape_string($dateFormat)
            );
        }
        if (!in_array('en_US', $locales, true)) {
            $statements[] = "DELETE FROM oc_t_locale WHERE pk_c_code = 'en_US'";
        }

        return $statements;
    }

    /**
     * The t_cron rows the fork's installer seeds (basic_data.sql).
     *
     * @return list<string>
     */
    public static function cronStatements(string $fork): array
    {
        if ($fork === 'op84') {
            $types = ['MINUTELY', 'HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'];
            $never = '0000-00-00 00:00:00';
        } else {
            $types = ['HOURLY', 'DAILY', 'WEEKLY'];
            $never = '1000-01-01 00:00:00';
        }

        $rows = array_map(static fn (string $type): string => sprintf("('%s', '%s', '%s')", $type, $never, $never), $types);

        return ['INSERT INTO oc_t_cron (e_type, d_last_exec, d_next_exec) VALUES ' . implode(', ', $rows)];
    }

    private static function op84(string $sql): string
    {
        $tables = preg_match_all('/^CREATE TABLE /m', $sql);
        $sql = self::replace(
            $sql,
            'ENGINE=InnoDB DEFAULT CHARSET=utf8mb3 COLLATE=utf8mb3_general_ci',
            'ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci',
            $tables
        );

        $sql = self::inTable($sql, 'oc_t_user', static function (string $table): string {
            $edits = [
                ["  `s_pass_ip` varchar(50) DEFAULT NULL,\n", "  `s_pass_ip` varchar(64) DEFAULT NULL,\n"],
                [
                    "  `s_country` varchar(40) DEFAULT NULL,\n",
                    "  `s_country` varchar(40) DEFAULT NULL,\n  `s_country_native` varchar(80) DEFAULT NULL,\n",
                ],
                [
                    "  `s_region` varchar(100) DEFAULT NULL,\n",
                    "  `s_region` varchar(100) DEFAULT NULL,\n  `s_region_native` varchar(60) DEFAULT NULL,\n",
                ],
                [
                    "  `s_city` varchar(100) DEFAULT NULL,\n",
                    "  `s_city` varchar(100) DEFAULT NULL,\n  `s_city_native` varchar(60) DEFAULT NULL,\n",
                ],
                ["  `d_coord_lat` decimal(10,6) DEFAULT NULL,\n", "  `d_coord_lat` decimal(20,10) DEFAULT NULL,\n"],
                ["  `d_coord_long` decimal(10,6) DEFAULT NULL,\n", "  `d_coord_long` decimal(20,10) DEFAULT NULL,\n"],
                [
                    "  `dt_access_date` datetime NOT NULL DEFAULT '1000-01-01 00:00:00',\n",
                    "  `dt_access_date` datetime DEFAULT NULL,\n",
                ],
                [
                    "  `s_access_ip` varchar(50) NOT NULL DEFAULT '',\n",
                    "  `s_access_ip` varchar(64) NOT NULL DEFAULT '',\n"
                    . "  `i_login_fails` int(3) DEFAULT 0,\n"
                    . "  `dt_login_fail_date` datetime DEFAULT NULL,\n"
                    . "  `s_profile_img` varchar(100) DEFAULT NULL,\n"
                    . "  `fk_c_locale_code` char(5) DEFAULT NULL,\n",
                ],
            ];
            foreach ($edits as [$from, $to]) {
                $table = self::replace($table, $from, $to, 1);
            }

            return $table;
        });

        $sql = self::inTable($sql, 'oc_t_admin', static fn (string $table): string => self::replace(
            $table,
            "  `b_moderator` tinyint(1) NOT NULL DEFAULT 0,\n",
            "  `b_moderator` tinyint(1) NOT NULL DEFAULT 0,\n  `i_login_fails` int(3) DEFAULT 0,\n",
            1
        ));

        return self::inTable($sql, 'oc_t_cron', static function (string $table): string {
            $table = self::replace(
                $table,
                "enum('INSTANT','HOURLY','DAILY','WEEKLY','CUSTOM')",
                "enum('INSTANT','MINUTELY','HOURLY','DAILY','WEEKLY','MONTHLY','YEARLY','CUSTOM')",
                1
            );

            return self::replace($table, " datetime NOT NULL DEFAULT '1000-01-01 00:00:00'", ' datetime NOT NULL', 2);
        });
    }

    /** Applies $edit to the CREATE TABLE statement of one table only. */
    private static function inTable(string $sql, string $table, callable $edit): string
    {
        $start = strpos($sql, 'CREATE TABLE `' . $table . '` (');
        $end = $start === false ? false : strpos($sql, ') ENGINE=', $start);
        if ($start === false || $end === false) {
            throw new \RuntimeException(sprintf('the schema fixture has no CREATE TABLE for %s', $table));
        }

        return substr($sql, 0, $start) . $edit(substr($sql, $start, $end - $start)) . substr($sql, $end);
    }

    private static function replace(string $subject, string $from, string $to, int $expected): string
    {
        $found = substr_count($subject, $from);
        if ($found !== $expected) {
            throw new \RuntimeException(sprintf(
                'the schema fixture changed: expected %d of "%s", found %d',
                $expected,
                trim($from),
                $found
            ));
        }

        return str_replace($from, $to, $subject);
    }
}

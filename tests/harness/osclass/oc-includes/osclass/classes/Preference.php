<?php

declare(strict_types=1);

/**
 * Preferences in t_preference, with Osclass' caching: the whole table is read once, writes go
 * straight to the database and do not refresh the cache; reset() reads it again.
 */
final class Preference
{
    private const TYPES = ['STRING', 'INTEGER', 'BOOLEAN'];

    private static ?self $instance = null;

    /** @var array<string, array<string, string>> section => name => value */
    private array $cache;

    private function __construct()
    {
        $this->cache = $this->toArray();
    }

    public static function newInstance(): self
    {
        if (self::$instance === null) {
            self::$instance = new self();
        }

        return self::$instance;
    }

    public function get(string $name, string $section = 'osclass'): string
    {
        return $this->cache[$section][$name] ?? '';
    }

    /** @return array<string, string> */
    public function getSection(string $section): array
    {
        return $this->cache[$section] ?? [];
    }

    public function replace(string $name, string $value, string $section = 'osclass', string $type = 'STRING'): bool
    {
        if (!in_array($type, self::TYPES, true)) {
            $type = 'STRING';
        }

        $statement = HarnessDatabase::connection()->prepare(
            'REPLACE INTO ' . DB_TABLE_PREFIX . 't_preference (s_section, s_name, s_value, e_type) VALUES (?, ?, ?, ?)'
        );
        $statement->bind_param('ssss', $section, $name, $value, $type);

        return $statement->execute();
    }

    public function delete(string $name, string $section): bool
    {
        $statement = HarnessDatabase::connection()->prepare(
            'DELETE FROM ' . DB_TABLE_PREFIX . 't_preference WHERE s_section = ? AND s_name = ?'
        );
        $statement->bind_param('ss', $section, $name);

        return $statement->execute();
    }

    public function reset(): void
    {
        $this->cache = $this->toArray();
    }

    /** @return array<string, array<string, string>> */
    private function toArray(): array
    {
        $all = [];
        $rows = HarnessDatabase::connection()->query(
            'SELECT s_section, s_name, s_value FROM ' . DB_TABLE_PREFIX . 't_preference'
        );
        foreach ($rows as $row) {
            $all[(string) $row['s_section']][(string) $row['s_name']] = (string) $row['s_value'];
        }

        return $all;
    }
}

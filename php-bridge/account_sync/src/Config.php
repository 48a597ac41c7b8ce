<?php

declare(strict_types=1);

namespace AccountSync;

/**
 * The configuration handed to as_init, built from the Osclass site this code runs in.
 *
 * Only keys the library knows are written: it refuses unknown ones.
 */
final class Config
{
    public const PREFERENCE_SECTION = 'plugin-account_sync';

    /** How long a replaced key of this site is still sent along: seven days. */
    public const ROTATION_GRACE = 7 * 86400;
    public const DEFAULT_FEED_LIMIT = 500;
    private const LAST_CRON = 'last_cron';

    /** @var array<string, mixed> */
    private array $values;

    /**
     * @param array<string, mixed> $values the as_init document, as docs/abi.md describes it
     */
    public function __construct(array $values)
    {
        $this->values = $values;
    }

    /**
     * This site's configuration: the database constants of config.php, osc_base_url() and
     * this plugin's preferences. Call it after oc-load.php.
     */
    public static function load(): self
    {
        foreach (['DB_HOST', 'DB_USER', 'DB_PASSWORD', 'DB_NAME', 'DB_TABLE_PREFIX'] as $name) {
            if (!defined($name)) {
                throw new \LogicException(sprintf(
                    'The Osclass constant %s is not defined; load oc-load.php first.',
                    $name
                ));
            }
        }

        $preference = static function (string $name): string {
            return (string) osc_get_preference($name, self::PREFERENCE_SECTION);
        };

        return self::fromSettings(
            [
                'host' => (string) DB_HOST,
                'user' => (string) DB_USER,
                'password' => (string) DB_PASSWORD,
                'name' => (string) DB_NAME,
                'table_prefix' => (string) DB_TABLE_PREFIX,
            ],
            rtrim((string) osc_base_url(), '/'),
            [
                'api_key' => $preference('api_key'),
                'previous_api_key' => $preference('previous_api_key'),
                'previous_key_until' => $preference('previous_key_until'),
                'feed_limit' => $preference('feed_limit'),
                'custom_columns' => $preference('custom_columns'),
                'allow_plain_http' => $preference('allow_plain_http'),
                // Osclass' own setting: the zone the site writes its dates in.
                'timezone' => (string) osc_get_preference('timezone', 'osclass'),
            ]
        );
    }

    /**
     * Builds the configuration from plain values, the way load() reads them.
     *
     * @param array{host: string, user: string, password: string, name: string, table_prefix: string} $database
     * @param array<string, string> $preferences preference values as Osclass stores them (strings,
     *        '' when unset): api_key, feed_limit, custom_columns (a JSON list), allow_plain_http
     */
    public static function fromSettings(array $database, string $siteUrl, array $preferences): self
    {
        $db = self::parseDbHost($database['host']);
        $db['user'] = $database['user'];
        $db['password'] = $database['password'];
        $db['name'] = $database['name'];

        $feedLimit = trim($preferences['feed_limit'] ?? '');

        return new self([
            'db' => $db,
            'table_prefix' => $database['table_prefix'],
            'site_url' => $siteUrl,
            'api_key' => trim($preferences['api_key'] ?? ''),
            'previous_api_key' => trim($preferences['previous_api_key'] ?? ''),
            'previous_key_until' => (int) trim($preferences['previous_key_until'] ?? '0'),
            'feed_limit' => $feedLimit === '' ? self::DEFAULT_FEED_LIMIT : self::integer($feedLimit, 'feed_limit'),
            'custom_columns' => self::columnList($preferences['custom_columns'] ?? ''),
            'http' => ['allow_plain_http' => self::flag($preferences['allow_plain_http'] ?? '')],
            'timezone' => self::zone(trim($preferences['timezone'] ?? '')),
        ]);
    }

    /**
     * Splits an Osclass DB_HOST the way MySQL clients read it: "host", "host:port",
     * "host:/path/to/socket", "[::1]:3307". A bare "localhost" uses mysqli's default socket
     * when PHP names one, as mysqli itself would.
     *
     * @return array{host: string, port: int, socket: ?string}
     */
    public static function parseDbHost(string $dbHost): array
    {
        $dbHost = trim($dbHost);
        $host = $dbHost;
        $port = 3306;
        $socket = null;

        if (preg_match('/^\[([^\]]+)\](?::(\d+))?$/', $dbHost, $m) === 1) {
            $host = $m[1];
            $port = isset($m[2]) ? self::integer($m[2], 'DB_HOST port') : 3306;
        } elseif (preg_match('/^([^:]*):(.+)$/', $dbHost, $m) === 1) {
            $host = $m[1] === '' ? 'localhost' : $m[1];
            if (ctype_digit($m[2])) {
                $port = self::integer($m[2], 'DB_HOST port');
            } else {
                $socket = $m[2];
            }
        } elseif ($dbHost === 'localhost') {
            $default = (string) ini_get('mysqli.default_socket');
            $socket = $default !== '' ? $default : null;
        }

        if ($host === '') {
            $host = 'localhost';
        }
        if ($port < 1 || $port > 65535) {
            throw new \InvalidArgumentException(sprintf('DB_HOST port %d is out of range', $port));
        }

        return ['host' => $host, 'port' => $port, 'socket' => $socket];
    }

    /** When cron.php last ran on this site (site time, "Y-m-d H:i:s"); '' when never. */
    public static function lastCron(): string
    {
        return (string) osc_get_preference(self::LAST_CRON, self::PREFERENCE_SECTION);
    }

    /** Records that cron.php ran now. */
    public static function markCron(): void
    {
        osc_set_preference(self::LAST_CRON, date('Y-m-d H:i:s'), self::PREFERENCE_SECTION);
        self::reloadPreferences();
    }

    public function apiKey(): string
    {
        return (string) $this->values['api_key'];
    }

    public function feedLimit(): int
    {
        return (int) $this->values['feed_limit'];
    }

    /** @return list<string> */
    public function customColumns(): array
    {
        return $this->values['custom_columns'];
    }

    public function allowPlainHttp(): bool
    {
        return (bool) $this->values['http']['allow_plain_http'];
    }

    public function withApiKey(string $apiKey): self
    {
        return $this->with('api_key', trim($apiKey));
    }

    /**
     * A new key for this site. The old one stays as the previous key for ROTATION_GRACE
     * seconds: requests are signed with both meanwhile, so sites that still hold the old key
     * keep accepting this one until their owners enter the new key.
     */
    public function withRotatedKey(string $newKey): self
    {
        $copy = $this->with('api_key', trim($newKey));
        $copy->values['previous_api_key'] = $this->apiKey();
        $copy->values['previous_key_until'] = $this->apiKey() === '' ? 0 : time() + self::ROTATION_GRACE;

        return $copy;
    }

    public function withFeedLimit(int $feedLimit): self
    {
        return $this->with('feed_limit', $feedLimit);
    }

    /** @param list<string> $columns */
    public function withCustomColumns(array $columns): self
    {
        return $this->with('custom_columns', array_values(array_map('strval', $columns)));
    }

    public function withAllowPlainHttp(bool $allow): self
    {
        $copy = clone $this;
        $copy->values['http']['allow_plain_http'] = $allow;

        return $copy;
    }

    /**
     * Makes this configuration the site's: it is handed to the library first, and the
     * preferences are written only when as_init accepted it, so a refused value changes
     * nothing.
     *
     * @throws LibraryException when the library refuses the configuration
     */
    public function save(): void
    {
        Library::instance($this);

        $section = self::PREFERENCE_SECTION;
        osc_set_preference('api_key', $this->apiKey(), $section);
        osc_set_preference('previous_api_key', (string) $this->values['previous_api_key'], $section);
        osc_set_preference('previous_key_until', (string) $this->values['previous_key_until'], $section, 'INTEGER');
        osc_set_preference('feed_limit', (string) $this->feedLimit(), $section, 'INTEGER');
        osc_set_preference('custom_columns', json_encode($this->customColumns(), JSON_THROW_ON_ERROR), $section);
        osc_set_preference('allow_plain_http', $this->allowPlainHttp() ? '1' : '0', $section, 'BOOLEAN');
        self::reloadPreferences();
    }

    /**
     * A zone with its rules as the library wants them: the UTC moments its offset changes,
     * from 1901 to 2038. The library has no zone database; PHP does. An empty or unknown
     * name is PHP's default zone.
     *
     * @return array{name: string, transitions: list<array{0: int, 1: int}>}
     */
    public static function zone(string $name): array
    {
        try {
            $zone = new \DateTimeZone($name === '' ? date_default_timezone_get() : $name);
        } catch (\Exception) {
            $zone = new \DateTimeZone(date_default_timezone_get());
        }
        $transitions = [];
        foreach ($zone->getTransitions(-2147483648, 2147483647) ?: [] as $t) {
            $transitions[] = [(int) $t['ts'], (int) $t['offset']];
        }

        return ['name' => $zone->getName(), 'transitions' => $transitions];
    }

    /** Osclass caches preferences per request; reading back what was just written needs this. */
    public static function reloadPreferences(): void
    {
        if (function_exists('osc_reset_preferences')) {
            osc_reset_preferences();
        }
    }

    /** @return array<string, mixed> */
    public function toArray(): array
    {
        return $this->values;
    }

    public function toJson(): string
    {
        return json_encode($this->values, JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE);
    }

    private function with(string $key, mixed $value): self
    {
        $copy = clone $this;
        $copy->values[$key] = $value;

        return $copy;
    }

    private static function integer(string $value, string $what): int
    {
        if (!ctype_digit($value)) {
            throw new \InvalidArgumentException(sprintf('%s must be a whole number, not "%s"', $what, $value));
        }

        return (int) $value;
    }

    private static function flag(string $value): bool
    {
        return in_array(strtolower(trim($value)), ['1', 'true', 'on', 'yes'], true);
    }

    /** @return list<string> */
    private static function columnList(string $json): array
    {
        if (trim($json) === '') {
            return [];
        }

        $columns = json_decode($json, true);
        if (!is_array($columns) || $columns !== array_values($columns)) {
            throw new \InvalidArgumentException('custom_columns must be a JSON list of column names');
        }
        foreach ($columns as $column) {
            if (!is_string($column)) {
                throw new \InvalidArgumentException('custom_columns must be a JSON list of column names');
            }
        }

        return $columns;
    }
}

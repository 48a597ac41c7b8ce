<?php

declare(strict_types=1);

namespace AccountSync\Harness;

/**
 * One simulated Osclass site: a database built from the real schema and a folder holding the
 * harness' stand-in for Osclass (tests/harness/osclass), its config.php, and the plugin
 * folder as a link to php-bridge/account_sync. site.json in the folder records what the
 * harness needs to find the site again.
 */
final class Site
{
    public const PLUGIN = 'account_sync/index.php';

    /** @var array<string, mixed> */
    private array $meta;

    private ?\mysqli $connection = null;

    /** @param array<string, mixed> $meta the contents of site.json */
    private function __construct(array $meta)
    {
        $this->meta = $meta;
    }

    public static function repository(): string
    {
        return dirname(__DIR__, 3);
    }

    public static function open(string $dir): self
    {
        $file = rtrim($dir, '/') . '/site.json';
        $json = is_file($file) ? file_get_contents($file) : false;
        if ($json === false) {
            throw new \RuntimeException(sprintf('%s is not a harness site (no site.json)', $dir));
        }

        return new self(json_decode($json, true, 512, JSON_THROW_ON_ERROR));
    }

    /**
     * Creates the database and the folder and installs the plugin. Anything created is
     * removed again when a step fails.
     *
     * @param array{name: string, fork: string, port: int, dir: string, db: string,
     *              locales: list<string>, lib: ?string, header: ?string, timezone: string,
     *              bcrypt_cost: int, server: array{host: string, user: string, password: string},
     *              install_plugin: bool} $options
     */
    public static function create(array $options): self
    {
        Database::assertName($options['db']);
        if (!in_array($options['fork'], Schema::FORKS, true)) {
            throw new \InvalidArgumentException('--fork must be ms52 or op84');
        }
        if ($options['port'] < 1024 || $options['port'] > 65535) {
            throw new \InvalidArgumentException('--port must be between 1024 and 65535');
        }
        $dir = rtrim($options['dir'], '/');
        if (file_exists($dir) && (!is_dir($dir) || count(scandir($dir)) > 2)) {
            throw new \InvalidArgumentException(sprintf('%s exists and is not an empty folder', $dir));
        }

        $server = Database::connect($options['server']);
        if (Database::exists($server, $options['db'])) {
            throw new \RuntimeException(sprintf(
                'database %s exists already; drop it first (site.php drop, or DROP DATABASE)',
                $options['db']
            ));
        }
        $createdDir = !file_exists($dir);
        if ($createdDir) {
            mkdir($dir, 0777, true);
        }

        $site = new self([
            'name' => $options['name'],
            'fork' => $options['fork'],
            'dir' => (string) realpath($dir),
            'db' => $options['db'],
            'port' => $options['port'],
            'url' => 'http://127.0.0.1:' . $options['port'],
            'locales' => $options['locales'],
            'timezone' => $options['timezone'],
            'bcrypt_cost' => $options['bcrypt_cost'],
            'server' => $options['server'],
        ]);

        try {
            $site->createDatabase($server);
            $site->writeFolder($options['lib'], $options['header']);
            if ($options['install_plugin']) {
                $site->installPlugin();
            }
        } catch (\Throwable $e) {
            $server->query('DROP DATABASE IF EXISTS `' . $options['db'] . '`');
            self::removeTree($dir, $createdDir);
            throw $e;
        }

        return $site;
    }

    /** Drops the database and removes the folder. */
    public function drop(): void
    {
        Database::assertName($this->db());
        $server = Database::connect($this->meta['server']);
        $this->connection = null;
        $server->query('DROP DATABASE IF EXISTS `' . $this->db() . '`');
        self::removeTree($this->dir(), true);
    }

    /** The site's database, over one connection kept for the life of this object. */
    public function connection(): \mysqli
    {
        if ($this->connection === null) {
            $this->connection = Database::connect($this->meta['server'], $this->db(), $this->charset());
        }

        return $this->connection;
    }

    /** The line site.php create prints. */
    public function summary(): array
    {
        return [
            'name' => $this->meta['name'],
            'dir' => $this->dir(),
            'db' => $this->db(),
            'url' => $this->meta['url'],
            'api_key' => $this->preference('api_key', 'plugin-account_sync'),
            'fork' => $this->fork(),
        ];
    }

    public function preference(string $name, string $section = 'osclass'): string
    {
        $statement = $this->connection()->prepare(
            'SELECT s_value FROM oc_t_preference WHERE s_section = ? AND s_name = ?'
        );
        $statement->bind_param('ss', $section, $name);
        $statement->execute();
        $row = $statement->get_result()->fetch_row();

        return $row === null ? '' : (string) $row[0];
    }

    public function dir(): string
    {
        return (string) $this->meta['dir'];
    }

    public function db(): string
    {
        return (string) $this->meta['db'];
    }

    public function fork(): string
    {
        return (string) $this->meta['fork'];
    }

    /** @return list<string> */
    public function locales(): array
    {
        return $this->meta['locales'];
    }

    public function bcryptCost(): int
    {
        return (int) $this->meta['bcrypt_cost'];
    }

    public function charset(): string
    {
        return $this->fork() === 'op84' ? 'utf8mb4' : 'utf8';
    }

    private function createDatabase(\mysqli $server): void
    {
        $charset = $this->fork() === 'op84' ? 'utf8mb4 COLLATE utf8mb4_unicode_ci' : 'utf8mb3 COLLATE utf8mb3_general_ci';
        $server->query(sprintf('CREATE DATABASE `%s` CHARACTER SET %s', $this->db(), $charset));

        $db = $this->connection();
        Database::runScript($db, Schema::sql($this->fork(), self::repository() . '/tests/fixtures/osclass-5.2.0-schema.sql'));

        $statements = array_merge(
            Schema::localeStatements($db, $this->locales()),
            Schema::cronStatements($this->fork())
        );
        foreach ($statements as $statement) {
            $db->query($statement);
        }

        $preferences = [
            ['osclass', 'osclass_installed', '1', 'BOOLEAN'],
            ['osclass', 'language', $this->locales()[0], 'STRING'],
            ['osclass', 'admin_language', $this->locales()[0], 'STRING'],
            ['osclass', 'timezone', (string) $this->meta['timezone'], 'STRING'],
            ['osclass', 'pageTitle', 'Site ' . $this->meta['name'], 'STRING'],
            ['osclass', 'contactEmail', 'admin@site-' . $this->meta['name'] . '.example.com', 'STRING'],
            ['osclass', 'auto_cron', '0', 'BOOLEAN'],
            ['osclass', 'enabled_user_validation', '0', 'BOOLEAN'],
            ['osclass', 'installed_plugins', serialize([]), 'STRING'],
            ['osclass', 'active_plugins', serialize([]), 'STRING'],
        ];
        $insert = $db->prepare('INSERT INTO oc_t_preference (s_section, s_name, s_value, e_type) VALUES (?, ?, ?, ?)');
        foreach ($preferences as [$section, $name, $value, $type]) {
            $insert->bind_param('ssss', $section, $name, $value, $type);
            $insert->execute();
        }

        $admin = Passwords::bcrypt(0);
        $adminInsert = $db->prepare(
            "INSERT INTO oc_t_admin (s_name, s_username, s_password, s_email, s_secret) VALUES ('Administrator', 'admin', ?, ?, 'harness1')"
        );
        $email = 'admin@site-' . $this->meta['name'] . '.example.com';
        $adminInsert->bind_param('ss', $admin['hash'], $email);
        $adminInsert->execute();
    }

    private function writeFolder(?string $lib, ?string $header): void
    {
        $dir = $this->dir();
        self::copyTree(self::repository() . '/tests/harness/osclass', $dir);
        foreach (['oc-content/plugins', 'oc-content/uploads', 'oc-content/languages'] as $folder) {
            if (!is_dir($dir . '/' . $folder)) {
                mkdir($dir . '/' . $folder, 0777, true);
            }
        }
        symlink(self::repository() . '/php-bridge/account_sync', $dir . '/oc-content/plugins/account_sync');

        $server = $this->meta['server'];
        $lines = [
            '<?php',
            '',
            'declare(strict_types=1);',
            '',
            '// Written by tests/harness/site.php for the simulated site ' . var_export($this->meta['name'], true) . '.',
            "define('DB_HOST', " . var_export($server['host'], true) . ');',
            "define('DB_USER', " . var_export($server['user'], true) . ');',
            "define('DB_PASSWORD', " . var_export($server['password'], true) . ');',
            "define('DB_NAME', " . var_export($this->db(), true) . ');',
            "define('DB_TABLE_PREFIX', 'oc_');",
            "define('REL_WEB_URL', '/');",
            "define('WEB_PATH', " . var_export($this->meta['url'] . '/', true) . ');',
            "define('BCRYPT_COST', " . $this->bcryptCost() . ');',
            '// Not an Osclass constant: which fork this stand-in imitates.',
            "define('HARNESS_FORK', " . var_export($this->fork(), true) . ');',
        ];
        if ($lib !== null) {
            $lines[] = "define('ACCOUNT_SYNC_LIB', " . var_export($lib, true) . ');';
        }
        if ($header !== null) {
            $lines[] = "define('ACCOUNT_SYNC_HEADER', " . var_export($header, true) . ');';
        }
        file_put_contents($dir . '/config.php', implode("\n", $lines) . "\n");

        file_put_contents(
            $dir . '/site.json',
            json_encode($this->meta, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE) . "\n"
        );
    }

    private function installPlugin(): void
    {
        $command = [PHP_BINARY, '-d', 'ffi.enable=1', $this->dir() . '/harness-plugins.php', 'install', self::PLUGIN];
        $process = proc_open($command, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, $this->dir());
        if (!is_resource($process)) {
            throw new \RuntimeException('cannot start PHP to install the plugin');
        }
        $output = stream_get_contents($pipes[1]);
        $errors = stream_get_contents($pipes[2]);
        fclose($pipes[1]);
        fclose($pipes[2]);
        $status = proc_close($process);

        if ($status !== 0) {
            throw new \RuntimeException(sprintf(
                'installing the plugin failed (exit %d): %s %s',
                $status,
                trim((string) $output),
                trim((string) $errors)
            ));
        }
    }

    private static function copyTree(string $from, string $to): void
    {
        if (!is_dir($to)) {
            mkdir($to, 0777, true);
        }
        foreach (scandir($from) ?: [] as $entry) {
            if ($entry === '.' || $entry === '..') {
                continue;
            }
            $source = $from . '/' . $entry;
            if (is_dir($source) && !is_link($source)) {
                self::copyTree($source, $to . '/' . $entry);
            } else {
                copy($source, $to . '/' . $entry);
            }
        }
    }

    /** Removes a site folder; links are removed, never followed. */
    private static function removeTree(string $dir, bool $removeSelf): void
    {
        if (!is_dir($dir) || is_link($dir)) {
            return;
        }
        foreach (scandir($dir) ?: [] as $entry) {
            if ($entry === '.' || $entry === '..') {
                continue;
            }
            $path = $dir . '/' . $entry;
            if (is_link($path) || !is_dir($path)) {
                unlink($path);
            } else {
                self::removeTree($path, true);
            }
        }
        if ($removeSelf) {
            rmdir($dir);
        }
    }
}

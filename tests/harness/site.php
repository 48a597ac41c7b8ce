<?php

declare(strict_types=1);

/*
 * Simulated Osclass sites for tests: a real database from the real schema, and a folder with
 * a stand-in for Osclass that the account_sync plugin runs in. See tests/harness/README.md.
 *
 *   php tests/harness/site.php create --name=a --fork=ms52|op84 --port=PORT --dir=DIR
 *                                     [--db=as_test_NAME] [--locales=en_US,es_ES] [--lib=PATH]
 *                                     [--header=PATH] [--timezone=Europe/Madrid]
 *                                     [--bcrypt-cost=15] [--no-plugin]
 *                                     [--db-host=127.0.0.1] [--db-user=root] [--db-password=]
 *   php tests/harness/site.php seed --dir=DIR --users=N [--seed=S] [--no-locations]
 *   php tests/harness/site.php login --dir=DIR --email=E --password=P [--rehash]
 *   php tests/harness/site.php sql --dir=DIR "SELECT ..."
 *   php tests/harness/site.php drop --dir=DIR
 *
 * Every command prints one JSON document on stdout; errors go to stderr with exit code 1,
 * wrong usage exits 2. A refused login prints its reason and exits 3.
 */

use AccountSync\Harness\Login;
use AccountSync\Harness\Schema;
use AccountSync\Harness\Seeder;
use AccountSync\Harness\Site;

if (PHP_SAPI !== 'cli') {
    exit(1);
}

spl_autoload_register(static function (string $class): void {
    $prefix = 'AccountSync\\Harness\\';
    if (strncmp($class, $prefix, strlen($prefix)) === 0) {
        require __DIR__ . '/src/' . substr($class, strlen($prefix)) . '.php';
    }
});

/**
 * @param list<string> $arguments
 * @param list<string> $allowed option names without the dashes
 * @return array{0: array<string, string|true>, 1: list<string>}
 */
function harness_options(array $arguments, array $allowed): array
{
    $options = [];
    $positional = [];
    foreach ($arguments as $argument) {
        if (preg_match('/^--([a-z-]+)(?:=(.*))?$/s', $argument, $m) === 1) {
            if (!in_array($m[1], $allowed, true)) {
                throw new InvalidArgumentException('unknown option --' . $m[1]);
            }
            $options[$m[1]] = array_key_exists(2, $m) ? $m[2] : true;
        } else {
            $positional[] = $argument;
        }
    }

    return [$options, $positional];
}

/** @param array<string, string|true> $options */
function harness_required(array $options, string $name): string
{
    $value = $options[$name] ?? '';
    if (!is_string($value) || $value === '') {
        throw new InvalidArgumentException('--' . $name . '=... is required');
    }

    return $value;
}

/** @param array<string, string|true> $options */
function harness_integer(array $options, string $name, ?int $default = null): int
{
    $value = $options[$name] ?? null;
    if ($value === null && $default !== null) {
        return $default;
    }
    if (!is_string($value) || !ctype_digit($value)) {
        throw new InvalidArgumentException('--' . $name . ' must be a whole number');
    }

    return (int) $value;
}

/** @param list<string> $arguments */
function harness_run(string $command, array $arguments): int
{
    switch ($command) {
        case 'create':
            [$o] = harness_options($arguments, [
                'name', 'fork', 'port', 'dir', 'db', 'locales', 'lib', 'header', 'timezone',
                'bcrypt-cost', 'no-plugin', 'db-host', 'db-user', 'db-password',
            ]);
            $name = harness_required($o, 'name');
            if (preg_match('/^[A-Za-z0-9_]{1,32}$/', $name) !== 1) {
                throw new InvalidArgumentException('--name may hold letters, digits and _ only');
            }
            $locales = array_values(array_filter(array_map('trim', explode(',', (string) ($o['locales'] ?? 'en_US')))));
            foreach ($locales as $locale) {
                if (!in_array($locale, Schema::knownLocales(), true)) {
                    throw new InvalidArgumentException('unknown locale ' . $locale . ' (known: ' . implode(', ', Schema::knownLocales()) . ')');
                }
            }
            $site = Site::create([
                'name' => $name,
                'fork' => harness_required($o, 'fork'),
                'port' => harness_integer($o, 'port'),
                'dir' => harness_required($o, 'dir'),
                'db' => is_string($o['db'] ?? null) ? $o['db'] : 'as_test_' . $name,
                'locales' => $locales === [] ? ['en_US'] : $locales,
                'lib' => is_string($o['lib'] ?? null) ? $o['lib'] : null,
                'header' => is_string($o['header'] ?? null) ? $o['header'] : null,
                'timezone' => is_string($o['timezone'] ?? null) ? $o['timezone'] : 'Europe/Madrid',
                'bcrypt_cost' => harness_integer($o, 'bcrypt-cost', 15),
                'server' => [
                    'host' => is_string($o['db-host'] ?? null) ? $o['db-host'] : '127.0.0.1',
                    'user' => is_string($o['db-user'] ?? null) ? $o['db-user'] : 'root',
                    'password' => is_string($o['db-password'] ?? null) ? $o['db-password'] : '',
                ],
                'install_plugin' => !isset($o['no-plugin']),
            ]);
            harness_print($site->summary());

            return 0;

        case 'seed':
            [$o] = harness_options($arguments, ['dir', 'users', 'seed', 'no-locations']);
            $site = Site::open(harness_required($o, 'dir'));
            $seeder = new Seeder($site, harness_integer($o, 'seed', 1));
            harness_print($seeder->seed(harness_integer($o, 'users'), !isset($o['no-locations'])));

            return 0;

        case 'login':
            [$o] = harness_options($arguments, ['dir', 'email', 'password', 'rehash']);
            $site = Site::open(harness_required($o, 'dir'));
            $password = $o['password'] ?? null;
            if (!is_string($password)) {
                throw new InvalidArgumentException('--password=... is required');
            }
            $result = Login::attempt($site, harness_required($o, 'email'), $password, isset($o['rehash']));
            harness_print($result);

            return $result['ok'] ? 0 : 3;

        case 'sql':
            [$o, $positional] = harness_options($arguments, ['dir']);
            if (count($positional) !== 1) {
                throw new InvalidArgumentException('sql takes one statement');
            }
            $site = Site::open(harness_required($o, 'dir'));
            harness_print(\AccountSync\Harness\Database::query($site->connection(), $positional[0]));

            return 0;

        case 'drop':
            [$o] = harness_options($arguments, ['dir']);
            $site = Site::open(harness_required($o, 'dir'));
            $site->drop();
            harness_print(['dropped' => $site->db(), 'removed' => $site->dir()]);

            return 0;
    }

    throw new InvalidArgumentException('unknown command "' . $command . '" (create, seed, login, sql, drop)');
}

function harness_print(array $document): void
{
    echo json_encode($document, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION), "\n";
}

try {
    exit(harness_run($argv[1] ?? '', array_slice($argv, 2)));
} catch (InvalidArgumentException $e) {
    fwrite(STDERR, 'site.php: ' . $e->getMessage() . "\n");
    exit(2);
} catch (Throwable $e) {
    fwrite(STDERR, 'site.php: ' . $e->getMessage() . "\n");
    exit(1);
}

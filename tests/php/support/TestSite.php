<?php

declare(strict_types=1);

namespace AccountSync\Tests;

/**
 * A simulated site made with tests/harness/site.php for one test, dropped by drop().
 */
final class TestSite
{
    /** @var array<string, mixed> */
    public array $summary;
    public string $dir;
    public int $port;

    /**
     * @param list<string> $extra more site.php create options
     */
    public function __construct(string $name, string $fork, array $extra = [])
    {
        $this->port = Environment::freePort();
        $this->dir = sys_get_temp_dir() . '/' . Environment::unique('as_phpunit_' . $name);
        $command = array_merge([
            PHP_BINARY,
            Environment::repository() . '/tests/harness/site.php',
            'create',
            '--name=' . $name,
            '--fork=' . $fork,
            '--port=' . $this->port,
            '--dir=' . $this->dir,
            '--db=' . Environment::unique('as_test_' . $name),
        ], $extra);
        [$code, $out, $err] = Environment::run($command);
        if ($code !== 0) {
            throw new \RuntimeException(sprintf('site.php create failed (%d): %s %s', $code, $out, $err));
        }
        $this->summary = json_decode($out, true, 512, JSON_THROW_ON_ERROR);
    }

    /**
     * Runs a site.php command for this site.
     *
     * @param list<string> $arguments
     * @return array{0: int, 1: mixed} exit code and the decoded JSON it printed
     */
    public function harness(string $command, array $arguments = []): array
    {
        [$code, $out, $err] = Environment::run(array_merge(
            [PHP_BINARY, Environment::repository() . '/tests/harness/site.php', $command, '--dir=' . $this->dir],
            $arguments
        ));
        $decoded = json_decode($out, true);
        if ($decoded === null) {
            throw new \RuntimeException(sprintf('site.php %s printed no JSON (%d): %s %s', $command, $code, $out, $err));
        }

        return [$code, $decoded];
    }

    /** @return list<array<string, mixed>> */
    public function sql(string $query): array
    {
        [$code, $rows] = $this->harness('sql', [$query]);
        if ($code !== 0) {
            throw new \RuntimeException('query failed: ' . $query);
        }

        return $rows;
    }

    /** Runs PHP code with the site's Osclass stand-in loaded; the code echoes JSON. */
    public function php(string $code): mixed
    {
        [$status, $out, $err] = Environment::run([
            PHP_BINARY,
            '-r',
            sprintf('require %s; %s', var_export($this->dir . '/oc-load.php', true), $code),
        ]);
        $decoded = json_decode($out, true);
        if ($status !== 0 || $decoded === null) {
            throw new \RuntimeException(sprintf('PHP failed (%d): %s %s', $status, $out, $err));
        }

        return $decoded;
    }

    public function drop(): void
    {
        if (is_dir($this->dir)) {
            $this->harness('drop');
        }
    }
}

<?php

declare(strict_types=1);

namespace AccountSync\Tests;

use PHPUnit\Framework\TestCase;

/**
 * What the tests need from the machine: the built library, MariaDB, free ports, PHP
 * subprocesses and servers. Each check skips the test with the reason when a need is not met.
 */
final class Environment
{
    public static function repository(): string
    {
        return dirname(__DIR__, 3);
    }

    public static function libraryPath(): string
    {
        return (string) getenv('ACCOUNT_SYNC_LIB');
    }

    public static function headerPath(): string
    {
        return (string) getenv('ACCOUNT_SYNC_HEADER');
    }

    public static function requireLibrary(TestCase $test): void
    {
        if (!is_file(self::libraryPath()) || !is_file(self::headerPath())) {
            $test->markTestSkipped(sprintf(
                'libaccount_sync is not built (%s, %s): run cargo build first',
                self::libraryPath(),
                self::headerPath()
            ));
        }
    }

    public static function requireDatabase(TestCase $test): void
    {
        $socket = @fsockopen('127.0.0.1', 3306, $errno, $error, 1.0);
        if ($socket === false) {
            $test->markTestSkipped('MariaDB does not answer on 127.0.0.1:3306 (run tests/setup.sh)');
        }
        fclose($socket);
    }

    public static function freePort(): int
    {
        $server = stream_socket_server('tcp://127.0.0.1:0', $errno, $error);
        if ($server === false) {
            throw new \RuntimeException('no free port: ' . $error);
        }
        $name = (string) stream_socket_get_name($server, false);
        fclose($server);

        return (int) substr($name, strrpos($name, ':') + 1);
    }

    public static function unique(string $prefix): string
    {
        return sprintf('%s_%d_%d', $prefix, getmypid(), hrtime(true) % 1000000000);
    }

    /**
     * Runs a command and returns its exit code, stdout and stderr.
     *
     * @param list<string> $command
     * @param array<string, string>|null $environment
     * @return array{0: int, 1: string, 2: string}
     */
    public static function run(array $command, ?string $cwd = null, ?array $environment = null): array
    {
        $process = proc_open($command, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, $cwd, $environment);
        if (!is_resource($process)) {
            throw new \RuntimeException('cannot start ' . implode(' ', $command));
        }
        $out = (string) stream_get_contents($pipes[1]);
        $err = (string) stream_get_contents($pipes[2]);
        fclose($pipes[1]);
        fclose($pipes[2]);

        return [proc_close($process), $out, $err];
    }

    /**
     * Starts php -S on a free port and waits until it answers. Stop it with stopServer().
     *
     * @param list<string> $iniSettings "-d" settings such as "ffi.enable=1"
     * @return array{process: resource, port: int}
     */
    public static function startServer(string $root, array $iniSettings): array
    {
        return self::startServerOnPort($root, $iniSettings, self::freePort());
    }

    /**
     * Starts php -S on the given port (a site must be served on the port its URL names).
     *
     * @param list<string> $iniSettings
     * @return array{process: resource, port: int}
     */
    public static function startServerOnPort(string $root, array $iniSettings, int $port): array
    {
        $command = [PHP_BINARY];
        foreach ($iniSettings as $setting) {
            $command[] = '-d';
            $command[] = $setting;
        }
        array_push($command, '-S', '127.0.0.1:' . $port, '-t', $root);

        $process = proc_open($command, [0 => ['file', '/dev/null', 'r'], 1 => ['file', '/dev/null', 'w'], 2 => ['file', '/dev/null', 'w']], $pipes);
        if (!is_resource($process)) {
            throw new \RuntimeException('cannot start php -S');
        }
        for ($i = 0; $i < 100; $i++) {
            $socket = @fsockopen('127.0.0.1', $port, $errno, $error, 0.1);
            if ($socket !== false) {
                fclose($socket);

                return ['process' => $process, 'port' => $port];
            }
            usleep(50000);
        }
        proc_terminate($process);
        throw new \RuntimeException('php -S did not start on port ' . $port);
    }

    /** @param array{process: resource, port: int} $server */
    public static function stopServer(array $server): void
    {
        proc_terminate($server['process']);
        proc_close($server['process']);
    }

    /**
     * A plain HTTP request to the loopback server.
     *
     * @param array<string, string> $headers
     * @return array{status: int, headers: array<string, string>, body: string}
     */
    public static function http(string $method, string $url, string $body = '', array $headers = []): array
    {
        if ($body !== '' && !array_key_exists('Content-Type', $headers)) {
            $headers['Content-Type'] = 'application/json';
        }
        $lines = [];
        foreach ($headers as $name => $value) {
            $lines[] = $name . ': ' . $value;
        }
        $context = stream_context_create(['http' => [
            'method' => $method,
            'header' => implode("\r\n", $lines),
            'content' => $body,
            'ignore_errors' => true,
            'timeout' => 20,
        ]]);
        $answer = file_get_contents($url, false, $context);
        $responseHeaders = [];
        $status = 0;
        foreach ($http_response_header ?? [] as $line) {
            if (preg_match('#^HTTP/\S+ (\d{3})#', $line, $m) === 1) {
                $status = (int) $m[1];
            } elseif (str_contains($line, ':')) {
                [$name, $value] = explode(':', $line, 2);
                $responseHeaders[strtolower(trim($name))] = trim($value);
            }
        }

        return ['status' => $status, 'headers' => $responseHeaders, 'body' => (string) $answer];
    }
}

<?php

declare(strict_types=1);

namespace AccountSync;

/**
 * Thin PHP wrappers over the functions of libaccount_sync (docs/abi.md).
 *
 * Each wrapper calls one native function, copies the string the library wrote to *out,
 * releases it with as_string_free (on success and on failure alike), and either decodes the
 * JSON answer or throws LibraryException carrying the native code and message.
 */
final class Library
{
    private static ?self $shared = null;

    private Gateway $gateway;

    /** The configuration JSON the library was last initialised with in this process. */
    private ?string $initialisedWith = null;

    /** @var array<string, mixed> */
    private array $initResult = [];

    private int $stringsReceived = 0;
    private int $stringsFreed = 0;

    public function __construct(Gateway $gateway)
    {
        $this->gateway = $gateway;
    }

    /**
     * The library of this process, initialised with $config, or with the site's own
     * configuration (Config::load()) when none is given. as_init runs again only when the
     * configuration differs from the one in force.
     *
     * @throws FfiUnavailable when the library cannot be loaded
     * @throws LibraryException when as_init refuses the configuration
     */
    public static function instance(?Config $config = null): self
    {
        if (self::$shared === null) {
            self::$shared = new self(Gateway::instance());
        }

        self::$shared->init($config ?? Config::load());

        return self::$shared;
    }

    /**
     * Hands a configuration to as_init unless it is the one already in force.
     *
     * @return array<string, mixed> {"version":..,"schema":{"installed":N,"current":M}}
     */
    public function init(Config $config): array
    {
        $json = $config->toJson();
        if ($json === $this->initialisedWith) {
            return $this->initResult;
        }

        $this->initResult = $this->callJson('as_init', [$this->cString($json, 'configuration')]);
        $this->initialisedWith = $json;

        return $this->initResult;
    }

    /** @return array<string, mixed> what the last successful as_init answered */
    public function initResult(): array
    {
        return $this->initResult;
    }

    public function gateway(): Gateway
    {
        return $this->gateway;
    }

    public function version(): string
    {
        $version = $this->gateway->ffi()->as_version();

        return $version instanceof \FFI\CData ? \FFI::string($version) : (string) $version;
    }

    /** @return array<string, mixed> {"from":N,"to":M} */
    public function install(): array
    {
        return $this->callJson('as_install', []);
    }

    /** @return array<string, mixed> */
    public function uninstall(): array
    {
        return $this->callJson('as_uninstall', []);
    }

    /** @return array<string, mixed> {"account_id":3,"name":"Site A"} */
    public function verifyKey(string $key): array
    {
        return $this->callJson('as_verify_key', [$this->cString($key, 'key')]);
    }

    /**
     * Answers one HTTP request of another site. $path is the URL path the caller addressed
     * (it is part of what the caller signed). The body is passed as bytes with its length, so
     * it may hold anything, NUL bytes included.
     *
     * @param array<string, string> $headers request headers, name => value
     * @return array<string, mixed> {"status":200,"content_type":"application/json","body":"…"}
     */
    public function handleRequest(string $method, string $path, array $headers, string $body, string $clientIp): array
    {
        $headersJson = json_encode(
            (object) $headers,
            JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES | JSON_INVALID_UTF8_SUBSTITUTE
        );

        return $this->callJson('as_handle_request', [
            $this->cString($method, 'method'),
            $this->cString($path, 'path'),
            $headersJson,
            $this->bytes($body),
            strlen($body),
            $this->cString($clientIp, 'client IP'),
        ]);
    }

    /**
     * Runs feed batches for an account until it is done, the time budget is spent, or
     * $maxBatches batches ran (0: no limit but the budget).
     *
     * @return array<string, mixed> progress, see docs/abi.md
     */
    public function feed(int $accountId, int $budgetMs, int $maxBatches = 0): array
    {
        return $this->callJson('as_feed', [$this->json([
            'account_id' => $accountId,
            'budget_ms' => $budgetMs,
            'max_batches' => $maxBatches,
        ])]);
    }

    /**
     * Pushes pending changes to the other sites for at most $budgetMs milliseconds; $force
     * also tries accounts that are waiting out earlier failures.
     *
     * @return array<string, mixed>
     */
    public function streamPending(int $budgetMs, bool $force = false): array
    {
        return $this->callJson('as_stream_pending', [$this->json(['budget_ms' => $budgetMs, 'force' => $force])]);
    }

    /**
     * Records a change an Osclass hook saw ($event: register, edit, password, email,
     * activate, deactivate, enable, disable, delete).
     *
     * @return array<string, mixed>
     */
    public function capture(string $event, int $userId, ?string $oldEmail = null): array
    {
        return $this->callJson('as_capture', [$this->json([
            'event' => $event,
            'user_id' => $userId,
            'old_email' => $oldEmail,
        ])]);
    }

    /** @return array<string, mixed> {"accounts":[account…]} */
    public function accounts(): array
    {
        return $this->callJson('as_account_list', []);
    }

    /** @return array<string, mixed> {"account":account} */
    public function account(int $id): array
    {
        return $this->callJson('as_account_get', [$id]);
    }

    /**
     * @param array<string, mixed> $account id (0 or absent creates), name, url, api_key,
     *        columns, last_user_id
     * @return array<string, mixed> {"account":account}
     */
    public function saveAccount(array $account): array
    {
        return $this->callJson('as_account_save', [$this->json($account)]);
    }

    public function deleteAccount(int $id): void
    {
        $this->callJson('as_account_delete', [$id]);
    }

    /** @return array<string, mixed> {"ok":true,"message":"…","remote":{…}} */
    public function testAccount(int $id): array
    {
        return $this->callJson('as_account_test', [$id]);
    }

    /**
     * @param array<string, mixed> $filter type, account_id, status, from, to, page, per_page
     * @return array<string, mixed> {"total":N,"logs":[log…]}
     */
    public function logs(array $filter): array
    {
        return $this->callJson('as_log_list', [$this->json($filter)]);
    }

    /** @return array<string, mixed> {"log":log} */
    public function log(int $id): array
    {
        return $this->callJson('as_log_get', [$id]);
    }

    /**
     * @param array<string, int> $request {"keep_days":30} or {"keep_last":10000}
     * @return array<string, mixed> {"deleted":N}
     */
    public function pruneLogs(array $request): array
    {
        return $this->callJson('as_log_prune', [$this->json($request)]);
    }

    /** @return array<string, mixed> {"columns":[..],"synced":[..],"custom_candidates":[..]} */
    public function userColumns(): array
    {
        return $this->callJson('as_user_columns', []);
    }

    /**
     * Facts about the library's state in this process (as_diagnostics), for support and tests.
     *
     * @return array<string, mixed> {"pid":N,"initialized":bool,"connections_opened":N}
     */
    public function diagnostics(): array
    {
        return $this->callJson('as_diagnostics', []);
    }

    /**
     * How many strings the library handed out and how many were released, in this object's
     * life. They are equal after every call; a test checks it.
     *
     * @return array{received: int, freed: int}
     */
    public function stringCounts(): array
    {
        return ['received' => $this->stringsReceived, 'freed' => $this->stringsFreed];
    }

    /**
     * Calls a native function whose last argument is char **out and decodes its JSON answer.
     *
     * @param list<mixed> $arguments every argument but out
     * @return array<string, mixed>
     */
    private function callJson(string $function, array $arguments): array
    {
        [$code, $text] = $this->call($function, $arguments);

        if ($code !== ErrorCode::OK) {
            throw new LibraryException(
                $text ?? sprintf('%s failed with %s', $function, ErrorCode::name($code)),
                $code
            );
        }

        try {
            $decoded = json_decode($text ?? '', true, 512, JSON_THROW_ON_ERROR);
        } catch (\JsonException $e) {
            throw new LibraryException(sprintf('%s answered text that is not JSON', $function), ErrorCode::PANIC, $e);
        }
        if (!is_array($decoded)) {
            throw new LibraryException(sprintf('%s answered JSON that is not an object', $function), ErrorCode::PANIC);
        }

        return $decoded;
    }

    /**
     * @param list<mixed> $arguments
     * @return array{0: int, 1: ?string} the result code and the copied *out (null if unset)
     */
    private function call(string $function, array $arguments): array
    {
        $ffi = $this->gateway->ffi();
        $out = $ffi->new('char *');
        $arguments[] = \FFI::addr($out);

        try {
            $code = (int) $ffi->{$function}(...$arguments);
        } finally {
            $text = null;
            if (!\FFI::isNull($out)) {
                $this->stringsReceived++;
                try {
                    $text = \FFI::string($out);
                } finally {
                    $ffi->as_string_free($out);
                    $this->stringsFreed++;
                }
            }
        }

        return [$code, $text];
    }

    /**
     * A body as native bytes (const uint8_t *), which FFI does not make from a PHP string by
     * itself; NULL for an empty body, as the ABI allows.
     */
    private function bytes(string $body): ?\FFI\CData
    {
        $length = strlen($body);
        if ($length === 0) {
            return null;
        }

        $buffer = $this->gateway->ffi()->new('uint8_t[' . $length . ']');
        \FFI::memcpy($buffer, $body, $length);

        return $buffer;
    }

    /** @param array<string, mixed> $document */
    private function json(array $document): string
    {
        try {
            return json_encode(
                (object) $document,
                JSON_THROW_ON_ERROR | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE
            );
        } catch (\JsonException $e) {
            throw new LibraryException(
                'The request cannot be written as JSON: ' . $e->getMessage(),
                ErrorCode::INVALID_UTF8,
                $e
            );
        }
    }

    /** C strings end at the first NUL, so a NUL inside would silently cut the value. */
    private function cString(string $value, string $what): string
    {
        if (str_contains($value, "\0")) {
            throw new LibraryException(sprintf('The %s contains a NUL byte', $what), ErrorCode::INVALID_INPUT);
        }

        return $value;
    }
}

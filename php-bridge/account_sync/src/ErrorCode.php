<?php

declare(strict_types=1);

namespace AccountSync;

/**
 * The result codes of libaccount_sync, as listed in docs/abi.md. The numbers are stable.
 */
final class ErrorCode
{
    public const OK = 0;
    public const NULL_ARGUMENT = 1;
    public const INVALID_UTF8 = 2;
    public const INVALID_JSON = 3;
    public const INVALID_INPUT = 4;
    public const NOT_INITIALIZED = 5;
    public const DATABASE = 6;
    public const REMOTE = 7;
    public const NOT_FOUND = 8;
    public const NOT_INSTALLED = 9;
    public const AUTH = 10;
    public const PANIC = 99;

    private const NAMES = [
        self::OK => 'AS_OK',
        self::NULL_ARGUMENT => 'AS_ERR_NULL_ARGUMENT',
        self::INVALID_UTF8 => 'AS_ERR_INVALID_UTF8',
        self::INVALID_JSON => 'AS_ERR_INVALID_JSON',
        self::INVALID_INPUT => 'AS_ERR_INVALID_INPUT',
        self::NOT_INITIALIZED => 'AS_ERR_NOT_INITIALIZED',
        self::DATABASE => 'AS_ERR_DATABASE',
        self::REMOTE => 'AS_ERR_REMOTE',
        self::NOT_FOUND => 'AS_ERR_NOT_FOUND',
        self::NOT_INSTALLED => 'AS_ERR_NOT_INSTALLED',
        self::AUTH => 'AS_ERR_AUTH',
        self::PANIC => 'AS_ERR_PANIC',
    ];

    private function __construct()
    {
    }

    /**
     * The C name of a code, e.g. "AS_ERR_DATABASE"; codes this bridge does not know come back
     * as "AS_ERR_UNKNOWN(<n>)" so a newer library never makes the bridge fail.
     */
    public static function name(int $code): string
    {
        return self::NAMES[$code] ?? sprintf('AS_ERR_UNKNOWN(%d)', $code);
    }
}

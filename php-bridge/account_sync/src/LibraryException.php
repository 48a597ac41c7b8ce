<?php

declare(strict_types=1);

namespace AccountSync;

/**
 * A call into libaccount_sync returned a non-zero result code. The code is the native one
 * (see ErrorCode); the message is the library's own text, which never holds a key or a hash.
 */
final class LibraryException extends \RuntimeException
{
    public function __construct(string $message, int $code, ?\Throwable $previous = null)
    {
        parent::__construct($message, $code, $previous);
    }

    /** The C name of the code, e.g. "AS_ERR_REMOTE". */
    public function codeName(): string
    {
        return ErrorCode::name($this->getCode());
    }
}

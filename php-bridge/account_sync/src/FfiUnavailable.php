<?php

declare(strict_types=1);

namespace AccountSync;

/**
 * The native library cannot be used in this PHP process: the FFI extension is missing or
 * restricted for this SAPI, or the library or its header file cannot be found or loaded. The
 * message says what to change; it is meant for the site owner, not for other sites.
 */
final class FfiUnavailable extends \RuntimeException
{
}

<?php

declare(strict_types=1);

/*
 * The cost of one call from PHP into the library, beside one call into libc through the
 * same FFI machinery:
 *
 *   php -d ffi.enable=1 tests/bench/ffi_cost.php LIBRARY HEADER [CALLS]
 *
 * Prints JSON: nanoseconds per call of as_version() (a const char * that PHP copies into a
 * string), of strlen() and of the empty loop, each the best of three rounds.
 */

if (PHP_SAPI !== 'cli' || $argc < 3) {
    fwrite(STDERR, "usage: php -d ffi.enable=1 tests/bench/ffi_cost.php LIBRARY HEADER [CALLS]\n");
    exit(2);
}

$calls = (int) ($argv[3] ?? 1000000);
$library = FFI::cdef((string) file_get_contents($argv[2]), $argv[1]);
$libc = FFI::cdef('size_t strlen(const char *s);', 'libc.so.6');

/** Best of three rounds of $calls calls, in nanoseconds per call. */
function ns_per_call(callable $round, int $calls): float
{
    $best = INF;
    for ($i = 0; $i < 3; $i++) {
        $started = hrtime(true);
        $round($calls);
        $best = min($best, hrtime(true) - $started);
    }

    return $best / $calls;
}

$version = ns_per_call(static function (int $n) use ($library): void {
    for ($i = 0; $i < $n; $i++) {
        $library->as_version();
    }
}, $calls);

$strlen = ns_per_call(static function (int $n) use ($libc): void {
    for ($i = 0; $i < $n; $i++) {
        $libc->strlen('0.1.0');
    }
}, $calls);

$empty = ns_per_call(static function (int $n): void {
    for ($i = 0; $i < $n; $i++) {
    }
}, $calls);

echo json_encode([
    'calls' => $calls,
    'version' => (string) $library->as_version(),
    'as_version_ns' => round($version, 1),
    'strlen_ns' => round($strlen, 1),
    'empty_loop_ns' => round($empty, 1),
]), "\n";

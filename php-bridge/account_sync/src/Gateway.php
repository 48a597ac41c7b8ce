<?php

declare(strict_types=1);

namespace AccountSync;

/**
 * The one owner of the FFI object for libaccount_sync.
 *
 * It uses the scope "ACCOUNT_SYNC" when the bindings were preloaded (see preload.php), and
 * otherwise reads the header itself with FFI::cdef. Everything else in the bridge asks this
 * class for the FFI object; nothing else loads the library.
 */
final class Gateway
{
    public const SCOPE = 'ACCOUNT_SYNC';
    public const LIB_SETTING = 'ACCOUNT_SYNC_LIB';
    public const HEADER_SETTING = 'ACCOUNT_SYNC_HEADER';

    private static ?self $shared = null;

    /** @var array<string, bool> */
    private array $declared = [];

    private function __construct(
        private \FFI $ffi,
        private string $origin
    ) {
    }

    /** The gateway of this process, loaded on first use. */
    public static function instance(): self
    {
        if (self::$shared === null) {
            self::$shared = self::load();
        }

        return self::$shared;
    }

    /**
     * Loads the bindings without caching them. With no arguments the preloaded scope is tried
     * first, then the library and header found by libraryPath() and headerPath(); given paths
     * skip the scope and the search.
     *
     * @throws FfiUnavailable with a message that says what to change
     */
    public static function load(?string $libraryPath = null, ?string $headerPath = null): self
    {
        self::assertExtensionUsable();

        if ($libraryPath === null && $headerPath === null) {
            $scoped = self::fromScope();
            if ($scoped !== null) {
                return $scoped;
            }
        }

        $library = $libraryPath ?? self::libraryPath();
        $header = $headerPath ?? self::headerPath();
        self::assertReadable($library, 'library');
        self::assertReadable($header, 'header');

        return self::fromHeader($header, $library);
    }

    public function ffi(): \FFI
    {
        return $this->ffi;
    }

    /** Where the bindings came from: "scope ACCOUNT_SYNC" or "<library> with <header>". */
    public function origin(): string
    {
        return $this->origin;
    }

    /** Whether the loaded header declares a function (newer functions may be missing). */
    public function declares(string $function): bool
    {
        if (!isset($this->declared[$function])) {
            try {
                // Reading a function gives a function pointer; an undeclared name throws.
                $this->ffi->{$function};
                $this->declared[$function] = true;
            } catch (\FFI\Exception) {
                $this->declared[$function] = false;
            }
        }

        return $this->declared[$function];
    }

    /**
     * The shared library to load: the ACCOUNT_SYNC_LIB constant, else the environment variable
     * of that name, else lib/ in the plugin folder, else the repository's release then debug
     * build.
     *
     * @throws FfiUnavailable when a named file is missing or no candidate exists
     */
    public static function libraryPath(): string
    {
        $file = 'libaccount_sync.' . (PHP_OS_FAMILY === 'Darwin' ? 'dylib' : 'so');
        $plugin = dirname(__DIR__);
        $repository = dirname($plugin, 2);

        return self::locate(self::LIB_SETTING, 'library', [
            $plugin . '/lib/' . $file,
            $repository . '/target/release/' . $file,
            $repository . '/target/debug/' . $file,
        ]);
    }

    /**
     * The C header to read: the ACCOUNT_SYNC_HEADER constant, else the environment variable of
     * that name, else lib/account_sync.h in the plugin folder, else the repository's include/.
     *
     * @throws FfiUnavailable when a named file is missing or no candidate exists
     */
    public static function headerPath(): string
    {
        $plugin = dirname(__DIR__);

        return self::locate(self::HEADER_SETTING, 'header', [
            $plugin . '/lib/account_sync.h',
            dirname($plugin, 2) . '/include/account_sync.h',
        ]);
    }

    /**
     * The header with the two lines FFI::load and ffi.preload read before the declarations:
     * "#define FFI_SCOPE" and "#define FFI_LIB". include/account_sync.h carries neither (it is
     * also read by FFI::cdef and by C compilers, for which they mean nothing), so preload.php
     * and "cli.php scope-header" write this variant instead.
     */
    public static function scopedHeader(string $libraryPath, string $headerPath): string
    {
        $declarations = file_get_contents($headerPath);
        if ($declarations === false) {
            throw new FfiUnavailable(sprintf('The account_sync header %s cannot be read.', $headerPath));
        }

        return sprintf(
            "#define FFI_SCOPE \"%s\"\n#define FFI_LIB \"%s\"\n%s",
            self::SCOPE,
            addcslashes($libraryPath, "\"\\"),
            $declarations
        );
    }

    private static function assertExtensionUsable(): void
    {
        if (!extension_loaded('ffi') || !class_exists(\FFI::class, false)) {
            throw new FfiUnavailable(
                'The PHP FFI extension is not loaded in this PHP (' . PHP_SAPI . '). Install or '
                . 'enable it (extension=ffi in php.ini) and set ffi.enable=1, or preload the '
                . 'library as the account_sync README explains.'
            );
        }

        $setting = strtolower(trim((string) ini_get('ffi.enable')));
        if (in_array($setting, ['', '0', 'false', 'off', 'no'], true)) {
            throw new FfiUnavailable(sprintf(
                'PHP FFI is disabled by ffi.enable=%s. Set ffi.enable=1 in the php.ini of this '
                . 'SAPI (%s), or ffi.enable=preload together with opcache.preload pointing at '
                . 'the plugin\'s preload.php.',
                ini_get('ffi.enable'),
                PHP_SAPI
            ));
        }
    }

    private static function fromScope(): ?self
    {
        try {
            return new self(\FFI::scope(self::SCOPE), 'scope ' . self::SCOPE);
        } catch (\FFI\Exception $e) {
            // An unknown scope is normal without preloading; a restriction is not.
            self::rethrowRestriction($e);

            return null;
        }
    }

    private static function fromHeader(string $header, string $library): self
    {
        $declarations = file_get_contents($header);
        if ($declarations === false) {
            throw new FfiUnavailable(sprintf('The account_sync header %s cannot be read.', $header));
        }

        try {
            $ffi = \FFI::cdef($declarations, $library);
        } catch (\FFI\Exception $e) {
            self::rethrowRestriction($e);
            throw new FfiUnavailable(
                sprintf('Loading %s with the header %s failed: %s', $library, $header, $e->getMessage()),
                0,
                $e
            );
        }

        return new self($ffi, $library . ' with ' . $header);
    }

    private static function rethrowRestriction(\FFI\Exception $e): void
    {
        if (!str_contains($e->getMessage(), 'ffi.enable')) {
            return;
        }

        throw new FfiUnavailable(
            sprintf(
                'PHP FFI is restricted for this SAPI (%s) by ffi.enable=%s, which allows FFI only '
                . 'on the command line and in preloaded code. Set ffi.enable=1 in this SAPI\'s '
                . 'php.ini (for php -S: php -d ffi.enable=1 -S ...), or keep ffi.enable=preload '
                . 'and set opcache.preload to the plugin\'s preload.php (see the account_sync '
                . 'README).',
                PHP_SAPI,
                ini_get('ffi.enable')
            ),
            0,
            $e
        );
    }

    /**
     * @param list<string> $candidates
     */
    private static function locate(string $setting, string $what, array $candidates): string
    {
        if (defined($setting)) {
            return self::named((string) constant($setting), 'constant ' . $setting, $what);
        }

        $fromEnvironment = getenv($setting);
        if (is_string($fromEnvironment) && $fromEnvironment !== '') {
            return self::named($fromEnvironment, 'environment variable ' . $setting, $what);
        }

        foreach ($candidates as $candidate) {
            if (is_file($candidate)) {
                return $candidate;
            }
        }

        throw new FfiUnavailable(sprintf(
            'The account_sync %s was not found. Looked at: %s. Build it with cargo build, copy it '
            . 'into the plugin\'s lib/ folder, or name it with %s (a PHP constant or an '
            . 'environment variable).',
            $what,
            implode(', ', $candidates),
            $setting
        ));
    }

    private static function named(string $path, string $source, string $what): string
    {
        if (!is_file($path)) {
            throw new FfiUnavailable(sprintf(
                'The account_sync %s %s (from the %s) does not exist.',
                $what,
                $path,
                $source
            ));
        }

        return $path;
    }

    private static function assertReadable(string $path, string $what): void
    {
        if (!is_file($path) || !is_readable($path)) {
            throw new FfiUnavailable(sprintf(
                'The account_sync %s %s does not exist or cannot be read.',
                $what,
                $path
            ));
        }
    }
}

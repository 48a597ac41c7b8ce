<?php

declare(strict_types=1);

/*
 * Preloading for web servers that keep the default ffi.enable=preload, where FFI may only be
 * used from code compiled at server start. In the php.ini of the web SAPI:
 *
 *   opcache.enable=1
 *   opcache.preload=/path/to/oc-content/plugins/account_sync/preload.php
 *   ffi.enable=preload
 *
 * It does two things:
 *   1. compiles the AccountSync classes at startup, so Gateway, being preloaded code, may call
 *      FFI::cdef in every request;
 *   2. binds the library under the scope ACCOUNT_SYNC with FFI::load, so Gateway finds it with
 *      FFI::scope and no request parses the header again. FFI::load needs
 *      "#define FFI_SCOPE" and "#define FFI_LIB" lines at the top of the header, which
 *      include/account_sync.h does not have, so a copy with those two lines is written to the
 *      temporary folder and loaded.
 *
 * Step 2 fails when PHP starts as root, as PHP-FPM and php -S usually do: preloading as root
 * needs opcache.preload_user, and FFI::load is refused together with it. Step 1 still works
 * and each request then loads the header itself; to have the scope too, write the scoped
 * header once with "php cli.php scope-header FILE" and add ffi.preload=FILE.
 * After the library or the plugin is updated, the web server must be restarted.
 */

require_once __DIR__ . '/src/autoload.php';

(static function (): void {
    foreach (glob(__DIR__ . '/src/*.php') ?: [] as $file) {
        $class = 'AccountSync\\' . basename($file, '.php');
        if ($class !== 'AccountSync\\autoload') {
            class_exists($class) || interface_exists($class);
        }
    }

    try {
        if ((string) ini_get('opcache.preload_user') !== '') {
            throw new RuntimeException('PHP refuses FFI::load together with opcache.preload_user; use ffi.preload');
        }

        $library = \AccountSync\Gateway::libraryPath();
        $contents = \AccountSync\Gateway::scopedHeader($library, \AccountSync\Gateway::headerPath());
        $scoped = sprintf('%s/account_sync-%s.h', sys_get_temp_dir(), substr(hash('sha256', $contents), 0, 16));
        if (!is_file($scoped) || file_get_contents($scoped) !== $contents) {
            file_put_contents($scoped, $contents, LOCK_EX);
        }

        if (FFI::load($scoped) === null) {
            throw new RuntimeException('FFI::load(' . $scoped . ') failed');
        }
    } catch (Throwable $e) {
        error_log(
            'account_sync preload: the ACCOUNT_SYNC scope is not available, requests will load '
            . 'the header themselves: ' . $e->getMessage()
        );
    }
})();

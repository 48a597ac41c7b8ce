<?php

declare(strict_types=1);

/*
 * Loads Osclass for the plugin's own entry points (api.php, cron.php, cli.php), which are
 * requested or run directly rather than through Osclass' index.php.
 *
 * oc-load.php is three folders up from the plugin folder. The path the script was started
 * with is tried first: __DIR__ has symbolic links resolved, so a plugin folder that is a link
 * into another tree would otherwise look for oc-load.php in that tree.
 */
(static function (): void {
    $candidates = [];
    $script = $_SERVER['SCRIPT_FILENAME'] ?? '';
    if (is_string($script) && $script !== '') {
        // A relative script path is relative to the shell's logical folder, which keeps links.
        $logical = getenv('PWD');
        if ($script[0] !== '/' && is_string($logical) && $logical !== '') {
            $script = $logical . '/' . $script;
        }
        // dirname() rather than "..": the kernel would resolve ".." from the link's target.
        $candidates[] = dirname($script, 4) . '/oc-load.php';
    }
    $candidates[] = dirname(__DIR__, 3) . '/oc-load.php';

    foreach ($candidates as $candidate) {
        if (is_file($candidate)) {
            require_once $candidate;

            return;
        }
    }

    throw new RuntimeException(
        'oc-load.php was not found three folders above the plugin (looked at '
        . implode(', ', $candidates) . '); the plugin must sit in oc-content/plugins/account_sync.'
    );
})();

require_once __DIR__ . '/src/autoload.php';

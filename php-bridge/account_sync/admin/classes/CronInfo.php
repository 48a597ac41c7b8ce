<?php

declare(strict_types=1);

namespace AccountSync\Admin;

/** The crontab lines for this site and when the plugin's cron last ran. */
final class CronInfo
{
    /** @return list<array{label: string, line: string}> */
    public static function lines(): array
    {
        // The site's own paths, not the resolved ones: the plugin folder may be a link.
        $cron = rtrim((string) osc_plugins_path(), '/') . '/' . Routes::pluginFolder() . '/cron.php';
        $siteDir = rtrim((string) ABS_PATH, '/');
        $php = 'php';

        return [
            [
                'label' => __('Recommended: the plugin\'s own cron, every minute', 'account_sync'),
                'line' => '* * * * * ' . $php . ' ' . self::shellPath($cron) . ' >/dev/null 2>&1',
            ],
            [
                'label' => __('Alternative: Osclass\' hourly cron, which also runs this plugin', 'account_sync'),
                'line' => '0 * * * * cd ' . self::shellPath($siteDir) . ' && '
                    . $php . ' index.php -p cron -t hourly >/dev/null 2>&1',
            ],
        ];
    }

    /** Quoted only when it has to be, so the usual line reads plainly. */
    private static function shellPath(string $path): string
    {
        return preg_match('#^[A-Za-z0-9_./-]+$#', $path) === 1 ? $path : escapeshellarg($path);
    }

    public static function lastRun(): string
    {
        return Backend::lastCron();
    }
}

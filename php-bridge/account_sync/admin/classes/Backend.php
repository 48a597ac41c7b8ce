<?php

declare(strict_types=1);

namespace AccountSync\Admin;

use AccountSync\Config;
use AccountSync\Library;

/**
 * The admin pages' one door to the plugin core: the library and this site's
 * stored settings. Pages never call Config or Library directly, so a change
 * there is met here.
 */
final class Backend
{
    public static function library(): Library
    {
        return Library::instance();
    }

    /**
     * This site's settings as the Configure page edits them.
     *
     * @return array{api_key: string, custom_columns: list<string>, feed_limit: int, allow_plain_http: bool}
     */
    public static function settings(): array
    {
        $config = Config::load();

        return [
            'api_key' => $config->apiKey(),
            'custom_columns' => $config->customColumns(),
            'feed_limit' => $config->feedLimit(),
            'allow_plain_http' => $config->allowPlainHttp(),
        ];
    }

    /**
     * Applies the settings through the library first and stores them only when
     * it accepted them, so a refused setting changes nothing.
     *
     * @param array{api_key: string, custom_columns: list<string>, feed_limit: int, allow_plain_http: bool} $settings
     */
    public static function saveSettings(array $settings): void
    {
        Config::load()
            ->withApiKey($settings['api_key'])
            ->withCustomColumns($settings['custom_columns'])
            ->withFeedLimit($settings['feed_limit'])
            ->withAllowPlainHttp($settings['allow_plain_http'])
            ->save();
    }

    /** How changes are captured: "triggers", or the server's reason for refusing them. */
    public static function capture(): string
    {
        return (string) (self::library()->initResult()['schema']['capture'] ?? '');
    }

    /** When the plugin's cron last ran, as stored by cron.php; '' when never. */
    public static function lastCron(): string
    {
        return Config::lastCron();
    }

    /** @return list<array<string, mixed>> */
    public static function accounts(): array
    {
        $result = self::library()->accounts();

        return array_values($result['accounts'] ?? []);
    }

    /** @return array<string, mixed> */
    public static function account(int $id): array
    {
        $result = self::library()->account($id);

        return $result['account'] ?? [];
    }

    /**
     * Columns an account may apply: the synced user columns, the users'
     * descriptions and this site's custom columns.
     *
     * @return list<string>
     */
    public static function accountColumns(): array
    {
        $columns = self::library()->userColumns();
        $list = array_merge(
            $columns['synced'] ?? [],
            ['descriptions'],
            self::settings()['custom_columns']
        );

        return array_values(array_unique(array_map('strval', $list)));
    }

    /** @return list<string> */
    public static function customCandidates(): array
    {
        $columns = self::library()->userColumns();

        return array_values(array_map('strval', $columns['custom_candidates'] ?? []));
    }
}

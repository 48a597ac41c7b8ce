<?php

declare(strict_types=1);

namespace AccountSync\Admin;

/**
 * Reads the Configure form. Whether a custom column really exists in the user
 * table is decided by the library when the configuration is applied.
 */
final class SettingsForm
{
    public const MIN_FEED_LIMIT = 1;
    public const MAX_FEED_LIMIT = 10000;

    /**
     * @return array{custom_columns: list<string>, feed_limit: int, allow_plain_http: bool}
     * @throws InvalidForm
     */
    public static function fromPost(): array
    {
        return [
            'custom_columns' => self::columns(Request::post('custom_columns')),
            'feed_limit' => self::feedLimit(Request::post('feed_limit')),
            'allow_plain_http' => Request::post('allow_plain_http') === '1',
        ];
    }

    /** @return list<string> */
    public static function columns(string $text): array
    {
        $columns = [];
        foreach (preg_split('/[\s,]+/', $text, -1, PREG_SPLIT_NO_EMPTY) ?: [] as $column) {
            if (preg_match('/^[A-Za-z_][A-Za-z0-9_]{0,63}$/', $column) !== 1) {
                throw new InvalidForm(sprintf(
                    __('"%s" is not a column name.', 'account_sync'),
                    $column
                ));
            }
            $columns[] = $column;
        }

        return array_values(array_unique($columns));
    }

    private static function feedLimit(string $text): int
    {
        $limit = ctype_digit($text) ? (int) $text : 0;
        if ($limit < self::MIN_FEED_LIMIT || $limit > self::MAX_FEED_LIMIT) {
            throw new InvalidForm(sprintf(
                __('The feed limit must be a whole number from %d to %d.', 'account_sync'),
                self::MIN_FEED_LIMIT,
                self::MAX_FEED_LIMIT
            ));
        }

        return $limit;
    }
}

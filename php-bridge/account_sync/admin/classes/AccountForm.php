<?php

declare(strict_types=1);

namespace AccountSync\Admin;

/**
 * Reads and checks the account form. The library checks again; these checks
 * only give the administrator a precise message before anything is sent.
 */
final class AccountForm
{
    /**
     * @param list<string> $allowedColumns the columns the form offered
     * @return array{id: int, name: string, url: string, api_key: string, columns: list<string>, last_user_id: int}
     * @throws InvalidForm
     */
    public static function fromPost(array $allowedColumns): array
    {
        $id = Request::postInt('id');
        $name = Request::post('name');
        $url = rtrim(Request::post('url'), '/');
        $key = Request::post('api_key');
        $columns = Request::postList('columns');
        $lastUserId = Request::post('last_user_id');

        if ($name === '') {
            throw new InvalidForm(__('The name is required.', 'account_sync'));
        }
        self::checkUrl($url);
        self::checkKey($key, $id === 0);
        self::checkColumns($columns, $allowedColumns);
        if ($lastUserId !== '' && !ctype_digit($lastUserId)) {
            throw new InvalidForm(__('The last user ID must be a whole number, 0 or more.', 'account_sync'));
        }

        return [
            'id' => $id,
            'name' => $name,
            'url' => $url,
            'api_key' => $key,
            'columns' => $columns,
            'last_user_id' => (int) $lastUserId,
        ];
    }

    private static function checkUrl(string $url): void
    {
        if ($url === '') {
            throw new InvalidForm(__('The URL is required.', 'account_sync'));
        }

        $scheme = strtolower((string) parse_url($url, PHP_URL_SCHEME));
        if (!in_array($scheme, ['http', 'https'], true)) {
            throw new InvalidForm(__('The URL must start with http:// or https://.', 'account_sync'));
        }
        if (filter_var($url, FILTER_VALIDATE_URL) === false || (string) parse_url($url, PHP_URL_HOST) === '') {
            throw new InvalidForm(__('The URL is not valid.', 'account_sync'));
        }
    }

    /** An empty key on an existing account keeps the stored one. */
    private static function checkKey(string $key, bool $creating): void
    {
        if ($key === '' && !$creating) {
            return;
        }
        if (strlen($key) < ApiKey::MIN_LENGTH) {
            throw new InvalidForm(sprintf(
                __('The API key must be at least %d characters long.', 'account_sync'),
                ApiKey::MIN_LENGTH
            ));
        }
    }

    /**
     * No column at all is allowed: new users are still added, existing ones
     * are left as they are.
     *
     * @param list<string> $columns
     * @param list<string> $allowed
     */
    private static function checkColumns(array $columns, array $allowed): void
    {
        foreach ($columns as $column) {
            if (!in_array($column, $allowed, true)) {
                throw new InvalidForm(sprintf(
                    __('Unknown column: %s.', 'account_sync'),
                    $column
                ));
            }
        }
    }
}

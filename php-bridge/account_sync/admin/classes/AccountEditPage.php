<?php

declare(strict_types=1);

namespace AccountSync\Admin;

/** Data of the add/edit account form. */
final class AccountEditPage
{
    /** @return array<string, mixed> */
    public static function build(): array
    {
        $id = Request::queryInt('id');

        return Page::build(Routes::ACCOUNT_EDIT, static function () use ($id): array {
            $options = Backend::accountColumns();
            $account = $id > 0 ? Backend::account($id) : [];
            $values = self::values($account, $options);

            $columns = [];
            foreach ($options as $column) {
                $columns[] = ['name' => $column, 'checked' => in_array($column, $values['columns'], true)];
            }

            return [
                'id' => $id,
                'creating' => $id === 0,
                'title' => $id === 0
                    ? __('Add an account', 'account_sync')
                    : sprintf(__('Edit account "%s"', 'account_sync'), (string) ($account['name'] ?? '')),
                'name' => $values['name'],
                'url' => $values['url'],
                'key_placeholder' => $id === 0 ? '' : sprintf(
                    __('Leave empty to keep %s', 'account_sync'),
                    (string) ($account['api_key_masked'] ?? '')
                ),
                'key_help' => sprintf(
                    __('Copy it from the other site\'s Configure page. At least %d characters.', 'account_sync'),
                    ApiKey::MIN_LENGTH
                ),
                'last_user_id' => $values['last_user_id'],
                'columns' => $columns,
                'action' => Routes::url(Routes::ACCOUNT_EDIT, $id > 0 ? ['id' => $id] : []),
                'cancel_url' => Routes::url(Routes::ACCOUNTS),
            ];
        });
    }

    /**
     * The values to show: the ones just refused, else the stored account, else
     * the defaults of a new account (every column applied, from user 0).
     *
     * @param array<string, mixed> $account
     * @param list<string> $options
     * @return array{name: string, url: string, last_user_id: string, columns: list<string>}
     */
    private static function values(array $account, array $options): array
    {
        if (FormState::failed('save_account')) {
            return [
                'name' => Request::post('name'),
                'url' => Request::post('url'),
                'last_user_id' => Request::post('last_user_id'),
                'columns' => Request::postList('columns'),
            ];
        }
        if ($account === []) {
            return ['name' => '', 'url' => '', 'last_user_id' => '0', 'columns' => $options];
        }

        return [
            'name' => (string) ($account['name'] ?? ''),
            'url' => (string) ($account['url'] ?? ''),
            'last_user_id' => (string) (int) ($account['last_user_id'] ?? 0),
            'columns' => array_map('strval', (array) ($account['columns'] ?? [])),
        ];
    }
}

<?php

declare(strict_types=1);

namespace AccountSync\Admin;

/** One account as the pages show it, with the links that act on it. */
final class AccountView
{
    /**
     * @param array<string, mixed> $account as the library returns it
     * @return array<string, mixed>
     */
    public static function from(array $account): array
    {
        $id = (int) ($account['id'] ?? 0);
        $status = (string) ($account['last_status'] ?? '');

        return [
            'id' => $id,
            'name' => (string) ($account['name'] ?? ''),
            'url' => (string) ($account['url'] ?? ''),
            'api_key_masked' => (string) ($account['api_key_masked'] ?? ''),
            'columns' => implode(', ', array_map('strval', (array) ($account['columns'] ?? []))),
            'last_user_id' => (int) ($account['last_user_id'] ?? 0),
            'synced_from' => (int) ($account['synced_from'] ?? 0),
            'synced_to' => (int) ($account['synced_to'] ?? 0),
            'status' => $status === '' ? __('Never synced', 'account_sync') : $status,
            'status_class' => self::statusClass($status),
            'message' => (string) ($account['last_message'] ?? ''),
            'date' => (string) ($account['last_date'] ?? ''),
            'view_url' => Routes::url(Routes::ACCOUNT, ['id' => $id]),
            'edit_url' => Routes::url(Routes::ACCOUNT_EDIT, ['id' => $id]),
            'logs_url' => Routes::url(Routes::LOGS, ['account_id' => $id]),
            'delete_confirm' => sprintf(
                __('Delete the account "%s"? Users already synchronised stay.', 'account_sync'),
                (string) ($account['name'] ?? '')
            ),
        ];
    }

    private static function statusClass(string $status): string
    {
        $status = strtoupper($status);
        if ($status === '') {
            return 'as-status-none';
        }
        if ($status === 'OK' || $status === 'DONE') {
            return 'as-status-ok';
        }
        if (str_contains($status, 'RUN') || str_contains($status, 'PROGRESS')) {
            return 'as-status-busy';
        }

        return 'as-status-error';
    }

    /** What the "Feed now" panel needs to call the feed endpoint. */
    public static function feedPanel(): array
    {
        return [
            'url' => FeedEndpoint::url(),
            'token' => (string) osc_csrf_token_url(),
        ];
    }
}

<?php

declare(strict_types=1);

namespace AccountSync\Admin;

/** Data of an account's details page: its state and its latest log entries. */
final class AccountPage
{
    public const LAST_LOGS = 15;

    /** @return array<string, mixed> */
    public static function build(): array
    {
        $id = Request::queryInt('id');

        return Page::build(Routes::ACCOUNT, static function () use ($id): array {
            $account = Backend::account($id);
            $names = [(int) ($account['id'] ?? 0) => (string) ($account['name'] ?? '')];
            $result = Backend::library()->logs(['account_id' => $id, 'page' => 1, 'per_page' => self::LAST_LOGS]);

            $logs = [];
            foreach ($result['logs'] ?? [] as $log) {
                $logs[] = LogView::from($log, $names);
            }

            return [
                'account' => AccountView::from($account),
                'logs' => $logs,
                'logs_total' => (int) ($result['total'] ?? count($logs)),
                'action' => Routes::url(Routes::ACCOUNT, ['id' => $id]),
                'back_url' => Routes::url(Routes::ACCOUNTS),
                'feed' => AccountView::feedPanel(),
            ];
        });
    }
}

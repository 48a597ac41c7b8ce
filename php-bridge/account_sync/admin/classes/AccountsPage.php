<?php

declare(strict_types=1);

namespace AccountSync\Admin;

/** Data of the Accounts page: every account and what can be done with it. */
final class AccountsPage
{
    /** @return array<string, mixed> */
    public static function build(): array
    {
        return Page::build(Routes::ACCOUNTS, static function (): array {
            $accounts = [];
            foreach (Backend::accounts() as $account) {
                $accounts[] = AccountView::from($account);
            }

            return [
                'accounts' => $accounts,
                'add_url' => Routes::url(Routes::ACCOUNT_EDIT),
                'action' => Routes::url(Routes::ACCOUNTS),
                'feed' => AccountView::feedPanel(),
            ];
        });
    }
}

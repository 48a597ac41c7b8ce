<?php

declare(strict_types=1);

namespace AccountSync\Admin;

/** Data of one log entry's page. */
final class LogPage
{
    /** @return array<string, mixed> */
    public static function build(): array
    {
        $id = Request::queryInt('id');

        return Page::build(Routes::LOG, static function () use ($id): array {
            $result = Backend::library()->log($id);
            $log = $result['log'] ?? $result;
            $names = LogView::accountNames(Backend::accounts());

            return [
                'log' => LogView::from($log, $names),
                'content' => LogView::content($log['content'] ?? null),
                'back_url' => Routes::url(Routes::LOGS),
            ];
        });
    }
}

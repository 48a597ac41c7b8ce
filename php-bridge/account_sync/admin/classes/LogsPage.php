<?php

declare(strict_types=1);

namespace AccountSync\Admin;

/** Data of the Logs page: filters, one page of entries, paging and retention. */
final class LogsPage
{
    public const PER_PAGE = 25;

    /** @return array<string, mixed> */
    public static function build(): array
    {
        return Page::build(Routes::LOGS, static function (): array {
            $filter = self::filter();
            $accounts = Backend::accounts();
            $names = LogView::accountNames($accounts);
            $result = Backend::library()->logs($filter + ['page' => self::page(), 'per_page' => self::PER_PAGE]);

            $logs = [];
            foreach ($result['logs'] ?? [] as $log) {
                $logs[] = LogView::from($log, $names);
            }
            $total = (int) ($result['total'] ?? count($logs));

            return [
                'filter' => self::shown($filter),
                'types' => LogView::TYPES,
                'accounts' => self::accountOptions($names, (int) ($filter['account_id'] ?? 0)),
                'logs' => $logs,
                'total' => $total,
                'total_label' => sprintf(__('%d entries', 'account_sync'), $total),
                'pages' => self::pages($filter, $total),
                'search_url' => (string) osc_admin_base_url(true),
                'search_hidden' => ['page' => 'plugins', 'action' => 'renderplugin', 'route' => Routes::LOGS],
                'reset_url' => Routes::url(Routes::LOGS),
                'action' => Routes::url(Routes::LOGS),
                'prune' => self::pruneValues(),
            ];
        });
    }

    /**
     * The filter the query string asks for, with every unusable value left out.
     *
     * @return array<string, int|string>
     */
    private static function filter(): array
    {
        $filter = [];

        $type = strtoupper(Request::query('type'));
        if (in_array($type, LogView::TYPES, true)) {
            $filter['type'] = $type;
        }
        if (Request::queryInt('account_id') > 0) {
            $filter['account_id'] = Request::queryInt('account_id');
        }
        if (Request::queryInt('status') > 0) {
            $filter['status'] = Request::queryInt('status');
        }
        foreach (['from', 'to'] as $bound) {
            if (self::isDate(Request::query($bound))) {
                $filter[$bound] = Request::query($bound);
            }
        }

        return $filter;
    }

    private static function isDate(string $value): bool
    {
        $date = \DateTimeImmutable::createFromFormat('!Y-m-d', $value);

        return $date !== false && $date->format('Y-m-d') === $value;
    }

    private static function page(): int
    {
        return max(1, Request::queryInt('p', 1));
    }

    /**
     * @param array<string, int|string> $filter
     * @return array{type: string, account_id: int, status: string, from: string, to: string}
     */
    private static function shown(array $filter): array
    {
        return [
            'type' => (string) ($filter['type'] ?? ''),
            'account_id' => (int) ($filter['account_id'] ?? 0),
            'status' => isset($filter['status']) ? (string) $filter['status'] : '',
            'from' => (string) ($filter['from'] ?? ''),
            'to' => (string) ($filter['to'] ?? ''),
        ];
    }

    /**
     * @param array<int, string> $names
     * @return list<array{id: int, name: string, selected: bool}>
     */
    private static function accountOptions(array $names, int $selected): array
    {
        $options = [];
        foreach ($names as $id => $name) {
            $options[] = ['id' => $id, 'name' => $name, 'selected' => $id === $selected];
        }

        return $options;
    }

    /**
     * Links to the neighbouring pages, keeping the filter.
     *
     * @param array<string, int|string> $filter
     * @return array{current: int, count: int, previous: string, next: string,
     *                links: list<array{number: int, url: string, current: bool}>}
     */
    private static function pages(array $filter, int $total): array
    {
        $count = max(1, (int) ceil($total / self::PER_PAGE));
        $current = min(self::page(), $count);

        $links = [];
        $first = max(1, $current - 4);
        $last = min($count, $current + 4);
        for ($number = $first; $number <= $last; $number++) {
            $links[] = [
                'number' => $number,
                'url' => Routes::url(Routes::LOGS, $filter + ['p' => $number]),
                'current' => $number === $current,
            ];
        }

        return [
            'current' => $current,
            'count' => $count,
            'previous' => $current > 1 ? Routes::url(Routes::LOGS, $filter + ['p' => $current - 1]) : '',
            'next' => $current < $count ? Routes::url(Routes::LOGS, $filter + ['p' => $current + 1]) : '',
            'links' => $links,
        ];
    }

    /** @return array{keep: string, keep_days: string, keep_last: string} */
    private static function pruneValues(): array
    {
        if (FormState::failed('prune_logs')) {
            return [
                'keep' => Request::post('keep') === 'last' ? 'last' : 'days',
                'keep_days' => Request::post('keep_days'),
                'keep_last' => Request::post('keep_last'),
            ];
        }

        return ['keep' => 'days', 'keep_days' => '30', 'keep_last' => '10000'];
    }
}

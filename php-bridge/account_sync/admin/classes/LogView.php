<?php

declare(strict_types=1);

namespace AccountSync\Admin;

/** One log entry as the pages show it. */
final class LogView
{
    public const TYPES = ['PROCESS', 'FEED', 'STREAM'];

    /**
     * @param array<string, mixed> $log as the library returns it
     * @param array<int, string> $accountNames account id => name
     * @return array<string, mixed>
     */
    public static function from(array $log, array $accountNames): array
    {
        $id = (int) ($log['id'] ?? 0);
        $accountId = (int) ($log['account_id'] ?? 0);
        $status = (string) ($log['status'] ?? '');

        return [
            'id' => $id,
            'date' => (string) ($log['date'] ?? ''),
            'type' => (string) ($log['type'] ?? ''),
            'account_id' => $accountId,
            'account' => $accountNames[$accountId] ?? ($accountId > 0 ? '#' . $accountId : '—'),
            'status' => $status,
            'status_class' => self::statusClass($status),
            'message' => (string) ($log['message'] ?? ''),
            'ip' => (string) ($log['ip'] ?? ''),
            'url' => Routes::url(Routes::LOG, ['id' => $id]),
        ];
    }

    /** HTTP-like statuses: 2xx is fine, 4xx and 5xx are not. */
    private static function statusClass(string $status): string
    {
        if (!ctype_digit($status)) {
            return 'as-status-none';
        }

        return (int) $status < 400 ? 'as-status-ok' : 'as-status-error';
    }

    /**
     * The entry's content for reading: JSON pretty-printed, anything else as it is.
     */
    public static function content(mixed $content): string
    {
        if (is_string($content)) {
            $decoded = json_decode($content, true);
            if ($decoded === null && trim($content) !== 'null') {
                return $content;
            }
            $content = $decoded;
        }

        return (string) json_encode(
            $content,
            JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE
        );
    }

    /**
     * @param list<array<string, mixed>> $accounts
     * @return array<int, string>
     */
    public static function accountNames(array $accounts): array
    {
        $names = [];
        foreach ($accounts as $account) {
            $names[(int) ($account['id'] ?? 0)] = (string) ($account['name'] ?? '');
        }

        return $names;
    }
}

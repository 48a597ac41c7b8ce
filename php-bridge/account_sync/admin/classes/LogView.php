<?php

declare(strict_types=1);

namespace AccountSync\Admin;

/** One log entry as the pages show it. */
final class LogView
{
    public const TYPES = ['PROCESS', 'FEED', 'STREAM'];

    /** Longest part of the content shown in a list when the entry has no response text. */
    private const SUMMARY_LENGTH = 160;

    /**
     * @param array<string, mixed> $log as the library returns it
     * @param array<int, string> $accountNames account id => name, for entries without a name
     * @return array<string, mixed>
     */
    public static function from(array $log, array $accountNames): array
    {
        $id = (int) ($log['id'] ?? 0);
        $accountId = (int) ($log['account_id'] ?? 0);
        $status = (int) ($log['status'] ?? 0);
        $name = (string) ($log['account_name'] ?? '');
        if ($name === '') {
            $name = $accountNames[$accountId] ?? ($accountId > 0 ? '#' . $accountId : '—');
        }

        return [
            'id' => $id,
            'date' => (string) ($log['date'] ?? ''),
            'type' => (string) ($log['type'] ?? ''),
            'account_id' => $accountId,
            'account' => $name,
            'key' => (string) ($log['key'] ?? ''),
            'ip' => (string) ($log['ip'] ?? ''),
            'status' => $status > 0 ? (string) $status : '—',
            'status_class' => self::statusClass($status),
            'message' => self::summary($log),
            'response' => (string) ($log['response'] ?? ''),
            'url' => Routes::url(Routes::LOG, ['id' => $id]),
        ];
    }

    /** HTTP statuses: below 400 is fine, 4xx and 5xx are not, 0 means there was no answer. */
    private static function statusClass(int $status): string
    {
        if ($status <= 0) {
            return 'as-status-none';
        }

        return $status < 400 ? 'as-status-ok' : 'as-status-error';
    }

    /** The response text, or the start of the content when there is none. */
    private static function summary(array $log): string
    {
        $text = trim((string) ($log['response'] ?? ''));
        if ($text === '') {
            $text = trim(preg_replace('/\s+/', ' ', (string) ($log['content'] ?? '')) ?? '');
        }
        if (mb_strlen($text) > self::SUMMARY_LENGTH) {
            $text = mb_substr($text, 0, self::SUMMARY_LENGTH) . '…';
        }

        return $text;
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

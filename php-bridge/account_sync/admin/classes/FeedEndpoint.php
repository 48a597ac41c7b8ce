<?php

declare(strict_types=1);

namespace AccountSync\Admin;

use AccountSync\FfiUnavailable;
use AccountSync\LibraryException;

/**
 * Admin AJAX endpoint behind "Feed now": each call runs the feed of one account
 * for a few seconds and answers the progress; the page calls again until done.
 * Keeping each call short keeps it far below PHP's time limit.
 */
final class FeedEndpoint
{
    public const HOOK = 'account_sync_feed';

    /** Time the library may spend per call before it stops after the current batch. */
    public const BUDGET_MS = 5000;

    /**
     * A site may set its own budget in config.php, e.g. behind a proxy that cuts
     * requests short: define('ACCOUNT_SYNC_FEED_BUDGET_MS', 2000).
     */
    public const BUDGET_SETTING = 'ACCOUNT_SYNC_FEED_BUDGET_MS';
    private const MAX_BUDGET_MS = 20000;

    /** The HTTP timeout of one batch can come on top of the budget. */
    private const TIME_LIMIT_S = 120;

    public static function url(): string
    {
        return (string) osc_admin_ajax_hook_url(self::HOOK);
    }

    public static function handle(): void
    {
        header('Content-Type: application/json; charset=utf-8');
        header('Cache-Control: no-store');

        if (!osc_is_admin_user_logged_in()) {
            self::answer(403, ['ok' => false, 'error' => __('Log in as an administrator first.', 'account_sync')]);
        }
        if (!Request::isPost()) {
            self::answer(405, ['ok' => false, 'error' => __('Use POST.', 'account_sync')]);
        }
        osc_csrf_check();

        if (function_exists('set_time_limit')) {
            set_time_limit(self::TIME_LIMIT_S);
        }

        $accountId = Request::postInt('account_id');
        try {
            $progress = Backend::library()->feed($accountId, self::budgetMs(), 0);
        } catch (LibraryException | FfiUnavailable $e) {
            self::answer(200, ['ok' => false, 'error' => $e->getMessage()]);
        }

        self::answer(200, ['ok' => true, 'progress' => $progress]);
    }

    /** The library always runs at least one batch, however small the budget. */
    public static function budgetMs(): int
    {
        if (!defined(self::BUDGET_SETTING)) {
            return self::BUDGET_MS;
        }

        return max(1, min(self::MAX_BUDGET_MS, (int) constant(self::BUDGET_SETTING)));
    }

    /**
     * Sends the answer and ends the request (a `never` return type would say so, but needs
     * PHP 8.1; the plugin runs on 8.0).
     *
     * @param array<string, mixed> $body
     */
    private static function answer(int $status, array $body): void
    {
        http_response_code($status);
        echo json_encode($body, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE);
        exit;
    }
}

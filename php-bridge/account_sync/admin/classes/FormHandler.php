<?php

declare(strict_types=1);

namespace AccountSync\Admin;

use AccountSync\FfiUnavailable;
use AccountSync\LibraryException;

/**
 * Handles every form posted to the plugin's admin pages, before the page is
 * drawn: on success it redirects with a message, on refusal it leaves a message
 * and lets the same page show the submitted values again. A refused form changes
 * nothing.
 */
final class FormHandler
{
    /** Value of the hidden "as_action" field => method. */
    private const ACTIONS = [
        'save_settings' => 'saveSettings',
        'regenerate_key' => 'regenerateKey',
        'save_account' => 'saveAccount',
        'delete_account' => 'deleteAccount',
        'test_account' => 'testAccount',
        'prune_logs' => 'pruneLogs',
    ];

    public static function handle(): void
    {
        if (!Request::isPost() || !Routes::isOurs(Request::query('route')) || !osc_is_admin_user_logged_in()) {
            return;
        }
        $action = Request::post('as_action');
        if (!isset(self::ACTIONS[$action])) {
            return;
        }

        osc_csrf_check();

        try {
            $redirect = self::{self::ACTIONS[$action]}();
        } catch (InvalidForm | LibraryException | FfiUnavailable $e) {
            FormState::fail($action);
            Flash::error($e->getMessage());
            return;
        }

        osc_redirect_to($redirect);
    }

    private static function saveSettings(): string
    {
        $settings = array_merge(Backend::settings(), SettingsForm::fromPost());
        Backend::saveSettings($settings);
        Flash::ok(__('Settings saved.', 'account_sync'));

        return Routes::url(Routes::CONFIGURE);
    }

    private static function regenerateKey(): string
    {
        \AccountSync\Config::load()->withRotatedKey(ApiKey::generate())->save();
        Flash::ok(__(
            'A new API key was generated. Every site that lists this one must be given the new key; '
            . 'for seven days requests are signed with the old key too, so nothing stops meanwhile.',
            'account_sync'
        ));

        return Routes::url(Routes::CONFIGURE);
    }

    private static function saveAccount(): string
    {
        $input = AccountForm::fromPost(Backend::accountColumns());
        $saved = Backend::library()->saveAccount($input);
        $account = $saved['account'] ?? $saved;
        Flash::ok(sprintf(__('Account "%s" saved.', 'account_sync'), (string) ($account['name'] ?? $input['name'])));

        return Routes::url(Routes::ACCOUNTS);
    }

    private static function deleteAccount(): string
    {
        $id = Request::postInt('id');
        Backend::library()->deleteAccount($id);
        Flash::ok(__('Account deleted.', 'account_sync'));

        return Routes::url(Routes::ACCOUNTS);
    }

    /** A failed test is an answer, not a refused form: it is reported and the page reloads. */
    private static function testAccount(): string
    {
        $id = Request::postInt('id');
        try {
            $result = Backend::library()->testAccount($id);
            $message = (string) ($result['message'] ?? '');
            Flash::ok(trim(__('Connection OK.', 'account_sync') . ' ' . $message));
        } catch (LibraryException $e) {
            Flash::error(sprintf(__('Connection failed: %s', 'account_sync'), $e->getMessage()));
        }

        return self::backTo($id);
    }

    private static function pruneLogs(): string
    {
        $days = Request::post('keep_days');
        $last = Request::post('keep_last');
        if (Request::post('keep') === 'last') {
            $request = ['keep_last' => self::positive($last, __('entries to keep', 'account_sync'))];
        } else {
            $request = ['keep_days' => self::positive($days, __('days to keep', 'account_sync'))];
        }

        $result = Backend::library()->pruneLogs($request);
        Flash::ok(sprintf(__('%d log entries deleted.', 'account_sync'), (int) ($result['deleted'] ?? 0)));

        return Routes::url(Routes::LOGS);
    }

    private static function positive(string $value, string $what): int
    {
        if (!ctype_digit($value) || (int) $value < 1) {
            throw new InvalidForm(sprintf(__('The number of %s must be 1 or more.', 'account_sync'), $what));
        }

        return (int) $value;
    }

    /** The page the form came from: the account's details or the list. */
    private static function backTo(int $id): string
    {
        if (Request::post('return') === 'account') {
            return Routes::url(Routes::ACCOUNT, ['id' => $id]);
        }

        return Routes::url(Routes::ACCOUNTS);
    }
}

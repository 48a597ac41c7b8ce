<?php

declare(strict_types=1);

namespace AccountSync\Admin;

/** Data of the Configure page. */
final class ConfigurePage
{
    /** @return array<string, mixed> */
    public static function build(): array
    {
        return Page::build(Routes::CONFIGURE, static function (): array {
            $settings = Backend::settings();
            $refused = FormState::failed('save_settings');

            return [
                'api_key' => $settings['api_key'],
                'api_key_masked' => ApiKey::mask($settings['api_key']),
                'custom_columns' => $refused
                    ? Request::post('custom_columns')
                    : implode(', ', $settings['custom_columns']),
                'custom_candidates' => Backend::customCandidates(),
                'feed_limit' => $refused ? Request::post('feed_limit') : (string) $settings['feed_limit'],
                'allow_plain_http' => $refused
                    ? Request::post('allow_plain_http') === '1'
                    : $settings['allow_plain_http'],
                'feed_limit_min' => SettingsForm::MIN_FEED_LIMIT,
                'feed_limit_max' => SettingsForm::MAX_FEED_LIMIT,
                'regenerate_label' => $settings['api_key'] === ''
                    ? __('Generate a key', 'account_sync')
                    : __('Regenerate the key', 'account_sync'),
                'site_url' => (string) osc_base_url(),
                'cron_lines' => CronInfo::lines(),
                'last_cron' => CronInfo::lastRun() === '' ? __('never', 'account_sync') : CronInfo::lastRun(),
                'capture' => Backend::capture() === 'triggers'
                    ? __('database triggers: every change of a user is recorded', 'account_sync')
                    : Backend::capture(),
                'action' => Routes::url(Routes::CONFIGURE),
            ];
        });
    }
}

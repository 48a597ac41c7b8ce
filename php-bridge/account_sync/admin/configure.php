<?php

declare(strict_types=1);

if (!defined('OC_ADMIN') || OC_ADMIN !== true) {
    http_response_code(403);
    exit;
}

$view = \AccountSync\Admin\ConfigurePage::build();
require __DIR__ . '/parts/header.php';
?>
<?php if ($view['ready']) : ?>
<h1 class="as-title"><?php _e('Configure', 'account_sync'); ?></h1>

<section class="as-card" id="as-api-key">
    <h2><?php _e('This site\'s API key', 'account_sync'); ?></h2>
    <p class="as-help"><?php _e('Other sites sign their requests to this site with this key. Each site that lists this one as an account stores it, together with this site\'s address:', 'account_sync'); ?>
        <code id="as-site-url"><?php echo osc_esc_html($view['site_url']); ?></code></p>
    <?php if ($view['api_key'] === '') : ?>
        <p class="as-notice as-notice-warning"><?php _e('This site has no API key yet, so it does not answer other sites. Generate one.', 'account_sync'); ?></p>
    <?php else : ?>
        <div class="as-key">
            <code id="as-key-masked"><?php echo osc_esc_html($view['api_key_masked']); ?></code>
            <code id="as-key-full" hidden><?php echo osc_esc_html($view['api_key']); ?></code>
            <button type="button" class="as-button as-button-small" id="as-key-reveal"
                data-text-hide="<?php echo osc_esc_html(__('Hide', 'account_sync')); ?>"><?php _e('Reveal', 'account_sync'); ?></button>
        </div>
    <?php endif; ?>
    <form method="post" action="<?php echo osc_esc_html($view['action']); ?>" class="as-inline-form"
        data-confirm="<?php echo osc_esc_html(__('Generate a new key? Other sites keep using the old one and will be refused until their account for this site gets the new key.', 'account_sync')); ?>">
        <?php echo $view['csrf']; ?>
        <input type="hidden" name="as_action" value="regenerate_key">
        <p class="as-notice as-notice-warning"><?php _e('A new key must be entered on every other site that lists this one. For seven days this site signs its requests with the old key too, so they keep working meanwhile; after that, sites that still hold the old key refuse them.', 'account_sync'); ?></p>
        <button type="submit" class="as-button as-button-danger" id="as-key-regenerate"><?php echo osc_esc_html($view['regenerate_label']); ?></button>
    </form>
</section>

<section class="as-card" id="as-settings">
    <h2><?php _e('Synchronisation settings', 'account_sync'); ?></h2>
    <form method="post" action="<?php echo osc_esc_html($view['action']); ?>" class="as-form">
        <?php echo $view['csrf']; ?>
        <input type="hidden" name="as_action" value="save_settings">
        <label class="as-field">
            <span class="as-label"><?php _e('Custom user columns', 'account_sync'); ?></span>
            <input type="text" name="custom_columns" id="as-custom-columns" value="<?php echo osc_esc_html($view['custom_columns']); ?>" placeholder="s_extra_field, i_extra_number" autocomplete="off">
            <span class="as-help"><?php _e('Extra columns of this site\'s user table to synchronise besides the standard ones, separated by commas. Only columns that really exist in the user table are accepted.', 'account_sync'); ?>
                <?php if ($view['custom_candidates'] !== []) : ?>
                    <?php _e('Columns found here:', 'account_sync'); ?>
                    <?php foreach ($view['custom_candidates'] as $candidate) : ?>
                        <code><?php echo osc_esc_html($candidate); ?></code>
                    <?php endforeach; ?>
                <?php endif; ?>
            </span>
        </label>
        <label class="as-field">
            <span class="as-label"><?php _e('Feed limit', 'account_sync'); ?></span>
            <input type="number" name="feed_limit" id="as-feed-limit" value="<?php echo osc_esc_html($view['feed_limit']); ?>" min="<?php echo (int) $view['feed_limit_min']; ?>" max="<?php echo (int) $view['feed_limit_max']; ?>" required>
            <span class="as-help"><?php _e('Most users this site hands to another site in one answer.', 'account_sync'); ?></span>
        </label>
        <div class="as-field">
            <label class="as-check">
                <input type="checkbox" name="allow_plain_http" id="as-allow-plain-http" value="1"<?php echo $view['allow_plain_http'] ? ' checked' : ''; ?>>
                <span class="as-label"><?php _e('Allow other sites at plain http:// addresses', 'account_sync'); ?></span>
            </label>
            <span class="as-help"><?php _e('Keys never travel, but users\' data, password hashes included, would cross the network unencrypted. Leave it off unless the sites talk over a private network or for tests.', 'account_sync'); ?></span>
        </div>
        <div class="as-actions">
            <button type="submit" class="as-button as-button-primary" id="as-settings-save"><?php _e('Save settings', 'account_sync'); ?></button>
        </div>
    </form>
</section>

<section class="as-card" id="as-cron">
    <h2><?php _e('Cron', 'account_sync'); ?></h2>
    <p class="as-help"><?php _e('Changes made on this site are sent to the other sites by a cron job. Add one of these lines to the crontab of the user that runs this site:', 'account_sync'); ?></p>
    <?php foreach ($view['cron_lines'] as $cron) : ?>
        <p class="as-label"><?php echo osc_esc_html($cron['label']); ?></p>
        <pre class="as-code"><?php echo osc_esc_html($cron['line']); ?></pre>
    <?php endforeach; ?>
    <p id="as-last-cron"><?php _e('Cron last ran:', 'account_sync'); ?>
        <strong><?php echo osc_esc_html($view['last_cron']); ?></strong></p>
    <p id="as-capture"><?php _e('Changes are captured by:', 'account_sync'); ?>
        <strong><?php echo osc_esc_html($view['capture']); ?></strong></p>
</section>
<?php endif; ?>
<?php require __DIR__ . '/parts/footer.php'; ?>

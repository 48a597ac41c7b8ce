<?php

declare(strict_types=1);

if (!defined('OC_ADMIN') || OC_ADMIN !== true) {
    http_response_code(403);
    exit;
}

$view = \AccountSync\Admin\AccountPage::build();
require __DIR__ . '/parts/header.php';
?>
<?php if ($view['ready']) : ?>
<div class="as-title-row">
    <h1 class="as-title"><?php echo osc_esc_html($view['account']['name']); ?></h1>
    <div class="as-row-actions">
        <a class="as-button" href="<?php echo osc_esc_html($view['account']['edit_url']); ?>"><?php _e('Edit', 'account_sync'); ?></a>
        <form method="post" action="<?php echo osc_esc_html($view['action']); ?>">
            <?php echo $view['csrf']; ?>
            <input type="hidden" name="as_action" value="test_account">
            <input type="hidden" name="return" value="account">
            <input type="hidden" name="id" value="<?php echo (int) $view['account']['id']; ?>">
            <button type="submit" class="as-button as-test"><?php _e('Test connection', 'account_sync'); ?></button>
        </form>
        <button type="button" class="as-button as-button-primary as-feed-start"
            data-account-id="<?php echo (int) $view['account']['id']; ?>"
            data-account-name="<?php echo osc_esc_html($view['account']['name']); ?>"><?php _e('Feed now', 'account_sync'); ?></button>
    </div>
</div>

<?php require __DIR__ . '/parts/feed-panel.php'; ?>

<section class="as-card" id="as-account-details">
    <dl class="as-details">
        <dt><?php _e('Status', 'account_sync'); ?></dt>
        <dd><span class="as-status <?php echo osc_esc_html($view['account']['status_class']); ?>" id="as-account-status"><?php echo osc_esc_html($view['account']['status']); ?></span></dd>
        <dt><?php _e('Message', 'account_sync'); ?></dt>
        <dd id="as-account-message"><?php echo osc_esc_html($view['account']['message']); ?></dd>
        <dt><?php _e('Date', 'account_sync'); ?></dt>
        <dd><?php echo osc_esc_html($view['account']['date']); ?></dd>
        <dt><?php _e('URL', 'account_sync'); ?></dt>
        <dd><code><?php echo osc_esc_html($view['account']['url']); ?></code></dd>
        <dt><?php _e('API key', 'account_sync'); ?></dt>
        <dd><code><?php echo osc_esc_html($view['account']['api_key_masked']); ?></code></dd>
        <dt><?php _e('Columns applied', 'account_sync'); ?></dt>
        <dd><?php echo osc_esc_html($view['account']['columns']); ?></dd>
        <dt><?php _e('Last user ID', 'account_sync'); ?></dt>
        <dd id="as-account-last-user-id"><?php echo (int) $view['account']['last_user_id']; ?></dd>
        <dt><?php _e('Synced from / to', 'account_sync'); ?></dt>
        <dd><?php echo (int) $view['account']['synced_from']; ?> / <?php echo (int) $view['account']['synced_to']; ?></dd>
    </dl>
</section>

<section class="as-card">
    <div class="as-title-row">
        <h2><?php _e('Last logs', 'account_sync'); ?></h2>
        <a href="<?php echo osc_esc_html($view['account']['logs_url']); ?>"><?php _e('All logs of this account', 'account_sync'); ?> (<?php echo (int) $view['logs_total']; ?>)</a>
    </div>
    <?php if ($view['logs'] === []) : ?>
        <p class="as-empty"><?php _e('No log entry yet.', 'account_sync'); ?></p>
    <?php else : ?>
        <?php require __DIR__ . '/parts/log-table.php'; ?>
    <?php endif; ?>
</section>
<p><a href="<?php echo osc_esc_html($view['back_url']); ?>">← <?php _e('All accounts', 'account_sync'); ?></a></p>
<?php endif; ?>
<?php require __DIR__ . '/parts/footer.php'; ?>

<?php

declare(strict_types=1);

if (!defined('OC_ADMIN') || OC_ADMIN !== true) {
    http_response_code(403);
    exit;
}

$view = \AccountSync\Admin\LogPage::build();
require __DIR__ . '/parts/header.php';
?>
<?php if ($view['ready']) : ?>
<h1 class="as-title"><?php _e('Log entry', 'account_sync'); ?> #<?php echo (int) $view['log']['id']; ?></h1>
<section class="as-card" id="as-log-entry">
    <dl class="as-details">
        <dt><?php _e('Date', 'account_sync'); ?></dt>
        <dd><?php echo osc_esc_html($view['log']['date']); ?></dd>
        <dt><?php _e('Type', 'account_sync'); ?></dt>
        <dd><span class="as-type"><?php echo osc_esc_html($view['log']['type']); ?></span></dd>
        <dt><?php _e('Account', 'account_sync'); ?></dt>
        <dd><?php echo osc_esc_html($view['log']['account']); ?></dd>
        <dt><?php _e('Status', 'account_sync'); ?></dt>
        <dd><span class="as-status <?php echo osc_esc_html($view['log']['status_class']); ?>"><?php echo osc_esc_html($view['log']['status']); ?></span></dd>
        <dt><?php _e('Response', 'account_sync'); ?></dt>
        <dd><?php echo osc_esc_html($view['log']['response']); ?></dd>
        <dt><?php _e('Key', 'account_sync'); ?></dt>
        <dd><code><?php echo osc_esc_html($view['log']['key']); ?></code></dd>
        <dt><?php _e('IP', 'account_sync'); ?></dt>
        <dd><?php echo osc_esc_html($view['log']['ip']); ?></dd>
    </dl>
    <h2 class="as-subtitle"><?php _e('Content', 'account_sync'); ?></h2>
    <pre class="as-code as-json" id="as-log-content"><?php echo osc_esc_html($view['content']); ?></pre>
</section>
<p><a href="<?php echo osc_esc_html($view['back_url']); ?>">← <?php _e('All logs', 'account_sync'); ?></a></p>
<?php endif; ?>
<?php require __DIR__ . '/parts/footer.php'; ?>

<?php

declare(strict_types=1);

if (!defined('OC_ADMIN') || OC_ADMIN !== true) {
    http_response_code(403);
    exit;
}
?>
<link rel="stylesheet" href="<?php echo osc_esc_html($view['css']); ?>">
<div class="as-admin">
    <nav class="as-tabs" aria-label="<?php echo osc_esc_html(__('Account sync', 'account_sync')); ?>">
        <span class="as-brand"><?php _e('Account sync', 'account_sync'); ?></span>
        <?php foreach ($view['nav'] as $tab) : ?>
            <a href="<?php echo osc_esc_html($tab['url']); ?>" class="as-tab<?php echo $tab['active'] ? ' as-tab-active' : ''; ?>"><?php echo osc_esc_html($tab['label']); ?></a>
        <?php endforeach; ?>
    </nav>
    <?php if ($view['unavailable'] !== '') : ?>
        <div class="as-notice as-notice-error" id="as-unavailable">
            <h2><?php _e('The account_sync library cannot be used', 'account_sync'); ?></h2>
            <p><?php echo osc_esc_html($view['unavailable']); ?></p>
            <p><?php _e('Nothing can be synchronised until this is fixed. Ask whoever runs this server to enable PHP FFI and install the library, then reload this page.', 'account_sync'); ?></p>
        </div>
    <?php endif; ?>
    <?php if ($view['error'] !== '') : ?>
        <div class="as-notice as-notice-error" id="as-error">
            <p><?php echo osc_esc_html($view['error']); ?></p>
        </div>
    <?php endif; ?>

<?php

declare(strict_types=1);

if (!defined('OC_ADMIN') || OC_ADMIN !== true) {
    http_response_code(403);
    exit;
}
?>
<section class="as-card as-feed" id="as-feed" hidden
    data-url="<?php echo osc_esc_html($view['feed']['url']); ?>"
    data-token="<?php echo osc_esc_html($view['feed']['token']); ?>"
    data-text-starting="<?php echo osc_esc_html(__('Asking the other site for its users...', 'account_sync')); ?>"
    data-text-done="<?php echo osc_esc_html(__('Feed finished.', 'account_sync')); ?>"
    data-text-stopped="<?php echo osc_esc_html(__('Stopped. Feed now continues from where it stopped.', 'account_sync')); ?>"
    data-text-stopping="<?php echo osc_esc_html(__('Stopping after the current batch...', 'account_sync')); ?>"
    data-text-stalled="<?php echo osc_esc_html(__('The feed made no progress; see the logs.', 'account_sync')); ?>"
    data-text-bad-answer="<?php echo osc_esc_html(__('Unexpected answer from this site (HTTP status %s).', 'account_sync')); ?>">
    <h2><?php _e('Feed now', 'account_sync'); ?>: <span id="as-feed-name"></span></h2>
    <div class="as-progress" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow="0" id="as-feed-bar">
        <div class="as-progress-fill" id="as-feed-fill"></div>
        <span class="as-progress-label" id="as-feed-percent">0.00%</span>
    </div>
    <p class="as-feed-message" id="as-feed-message"></p>
    <p class="as-feed-state" id="as-feed-state"></p>
    <div class="as-actions">
        <button type="button" class="as-button as-button-danger" id="as-feed-stop"><?php _e('Stop', 'account_sync'); ?></button>
        <button type="button" class="as-button" id="as-feed-close" hidden><?php _e('Close and refresh', 'account_sync'); ?></button>
    </div>
</section>

<?php

declare(strict_types=1);

if (!defined('OC_ADMIN') || OC_ADMIN !== true) {
    http_response_code(403);
    exit;
}
?>
<table class="as-table as-logs" id="as-log-table">
    <thead>
        <tr>
            <th class="as-number">#</th>
            <th><?php _e('Date', 'account_sync'); ?></th>
            <th><?php _e('Type', 'account_sync'); ?></th>
            <th><?php _e('Account', 'account_sync'); ?></th>
            <th><?php _e('Status', 'account_sync'); ?></th>
            <th><?php _e('Message', 'account_sync'); ?></th>
        </tr>
    </thead>
    <tbody>
    <?php foreach ($view['logs'] as $log) : ?>
        <tr>
            <td class="as-number"><a href="<?php echo osc_esc_html($log['url']); ?>" class="as-log-link"><?php echo (int) $log['id']; ?></a></td>
            <td class="as-nowrap"><?php echo osc_esc_html($log['date']); ?></td>
            <td><span class="as-type"><?php echo osc_esc_html($log['type']); ?></span></td>
            <td><?php echo osc_esc_html($log['account']); ?></td>
            <td><span class="as-status <?php echo osc_esc_html($log['status_class']); ?>"><?php echo osc_esc_html($log['status']); ?></span></td>
            <td class="as-message"><a href="<?php echo osc_esc_html($log['url']); ?>"><?php echo osc_esc_html($log['message']); ?></a></td>
        </tr>
    <?php endforeach; ?>
    </tbody>
</table>

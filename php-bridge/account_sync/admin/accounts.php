<?php

declare(strict_types=1);

if (!defined('OC_ADMIN') || OC_ADMIN !== true) {
    http_response_code(403);
    exit;
}

$view = \AccountSync\Admin\AccountsPage::build();
require __DIR__ . '/parts/header.php';
?>
<?php if ($view['ready']) : ?>
<div class="as-title-row">
    <h1 class="as-title"><?php _e('Accounts', 'account_sync'); ?></h1>
    <a class="as-button as-button-primary" id="as-add-account" href="<?php echo osc_esc_html($view['add_url']); ?>"><?php _e('Add an account', 'account_sync'); ?></a>
</div>
<p class="as-help"><?php _e('Each account is another Osclass site whose users are brought into this one.', 'account_sync'); ?></p>

<?php require __DIR__ . '/parts/feed-panel.php'; ?>

<?php if ($view['accounts'] === []) : ?>
    <div class="as-card as-empty" id="as-no-accounts">
        <p><?php _e('No account yet. Add the other sites this site should take users from.', 'account_sync'); ?></p>
    </div>
<?php else : ?>
    <table class="as-table" id="as-accounts">
        <thead>
            <tr>
                <th><?php _e('Name', 'account_sync'); ?></th>
                <th><?php _e('URL', 'account_sync'); ?></th>
                <th><?php _e('Status', 'account_sync'); ?></th>
                <th><?php _e('Last sync', 'account_sync'); ?></th>
                <th class="as-number"><?php _e('Synced from', 'account_sync'); ?></th>
                <th class="as-number"><?php _e('Synced to', 'account_sync'); ?></th>
                <th><?php _e('Actions', 'account_sync'); ?></th>
            </tr>
        </thead>
        <tbody>
        <?php foreach ($view['accounts'] as $account) : ?>
            <tr data-account-id="<?php echo (int) $account['id']; ?>">
                <td><a href="<?php echo osc_esc_html($account['view_url']); ?>" class="as-account-name"><?php echo osc_esc_html($account['name']); ?></a></td>
                <td><code><?php echo osc_esc_html($account['url']); ?></code></td>
                <td><span class="as-status <?php echo osc_esc_html($account['status_class']); ?>" title="<?php echo osc_esc_html($account['message']); ?>"><?php echo osc_esc_html($account['status']); ?></span></td>
                <td class="as-nowrap"><?php echo osc_esc_html($account['date']); ?></td>
                <td class="as-number"><?php echo (int) $account['synced_from']; ?></td>
                <td class="as-number"><?php echo (int) $account['synced_to']; ?></td>
                <td>
                    <div class="as-row-actions">
                        <a class="as-button as-button-small" href="<?php echo osc_esc_html($account['view_url']); ?>"><?php _e('Details', 'account_sync'); ?></a>
                        <a class="as-button as-button-small" href="<?php echo osc_esc_html($account['edit_url']); ?>"><?php _e('Edit', 'account_sync'); ?></a>
                        <form method="post" action="<?php echo osc_esc_html($view['action']); ?>">
                            <?php echo $view['csrf']; ?>
                            <input type="hidden" name="as_action" value="test_account">
                            <input type="hidden" name="id" value="<?php echo (int) $account['id']; ?>">
                            <button type="submit" class="as-button as-button-small as-test"><?php _e('Test connection', 'account_sync'); ?></button>
                        </form>
                        <button type="button" class="as-button as-button-small as-button-primary as-feed-start"
                            data-account-id="<?php echo (int) $account['id']; ?>"
                            data-account-name="<?php echo osc_esc_html($account['name']); ?>"><?php _e('Feed now', 'account_sync'); ?></button>
                        <form method="post" action="<?php echo osc_esc_html($view['action']); ?>"
                            data-confirm="<?php echo osc_esc_html($account['delete_confirm']); ?>">
                            <?php echo $view['csrf']; ?>
                            <input type="hidden" name="as_action" value="delete_account">
                            <input type="hidden" name="id" value="<?php echo (int) $account['id']; ?>">
                            <button type="submit" class="as-button as-button-small as-button-danger as-delete"><?php _e('Delete', 'account_sync'); ?></button>
                        </form>
                    </div>
                </td>
            </tr>
        <?php endforeach; ?>
        </tbody>
    </table>
<?php endif; ?>
<?php endif; ?>
<?php require __DIR__ . '/parts/footer.php'; ?>

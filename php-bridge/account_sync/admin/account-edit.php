<?php

declare(strict_types=1);

if (!defined('OC_ADMIN') || OC_ADMIN !== true) {
    http_response_code(403);
    exit;
}

$view = \AccountSync\Admin\AccountEditPage::build();
require __DIR__ . '/parts/header.php';
?>
<?php if ($view['ready']) : ?>
<h1 class="as-title"><?php echo osc_esc_html($view['title']); ?></h1>

<form method="post" action="<?php echo osc_esc_html($view['action']); ?>" class="as-card as-form" id="as-account-form">
    <?php echo $view['csrf']; ?>
    <input type="hidden" name="as_action" value="save_account">
    <input type="hidden" name="id" value="<?php echo (int) $view['id']; ?>">

    <label class="as-field">
        <span class="as-label"><?php _e('Name', 'account_sync'); ?></span>
        <input type="text" name="name" id="as-name" value="<?php echo osc_esc_html($view['name']); ?>" maxlength="100">
        <span class="as-help"><?php _e('How this site calls the other one, in lists and logs.', 'account_sync'); ?></span>
    </label>

    <label class="as-field">
        <span class="as-label"><?php _e('URL', 'account_sync'); ?></span>
        <input type="text" name="url" id="as-url" value="<?php echo osc_esc_html($view['url']); ?>" placeholder="https://other-site.example" inputmode="url">
        <span class="as-help"><?php _e('The other site\'s address, as shown on its Configure page (http:// or https://).', 'account_sync'); ?></span>
    </label>

    <label class="as-field">
        <span class="as-label"><?php _e('The other site\'s API key', 'account_sync'); ?></span>
        <input type="password" name="api_key" id="as-api-key-input" value="" autocomplete="new-password"
            placeholder="<?php echo osc_esc_html($view['key_placeholder']); ?>">
        <span class="as-help"><?php echo osc_esc_html($view['key_help']); ?></span>
    </label>

    <fieldset class="as-field">
        <legend class="as-label"><?php _e('Columns to apply', 'account_sync'); ?></legend>
        <span class="as-help"><?php _e('New users are always created in full. For users that exist here already, only the checked columns are updated.', 'account_sync'); ?></span>
        <div class="as-columns" id="as-columns">
            <?php foreach ($view['columns'] as $column) : ?>
                <label class="as-check"><input type="checkbox" name="columns[]" value="<?php echo osc_esc_html($column['name']); ?>"<?php echo $column['checked'] ? ' checked' : ''; ?>> <code><?php echo osc_esc_html($column['name']); ?></code></label>
            <?php endforeach; ?>
        </div>
    </fieldset>

    <label class="as-field">
        <span class="as-label"><?php _e('Last user ID', 'account_sync'); ?></span>
        <input type="number" name="last_user_id" id="as-last-user-id" value="<?php echo osc_esc_html($view['last_user_id']); ?>" min="0" step="1">
        <span class="as-help"><?php _e('The next feed asks the other site for its users after this ID. Set 0 to take every user again.', 'account_sync'); ?></span>
    </label>

    <div class="as-actions">
        <button type="submit" class="as-button as-button-primary" id="as-account-save"><?php _e('Save account', 'account_sync'); ?></button>
        <a class="as-button" href="<?php echo osc_esc_html($view['cancel_url']); ?>"><?php _e('Cancel', 'account_sync'); ?></a>
    </div>
</form>
<?php endif; ?>
<?php require __DIR__ . '/parts/footer.php'; ?>

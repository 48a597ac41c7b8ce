<?php

declare(strict_types=1);

if (!defined('OC_ADMIN') || OC_ADMIN !== true) {
    http_response_code(403);
    exit;
}

$view = \AccountSync\Admin\LogsPage::build();
require __DIR__ . '/parts/header.php';
?>
<?php if ($view['ready']) : ?>
<h1 class="as-title"><?php _e('Logs', 'account_sync'); ?></h1>

<form method="get" action="<?php echo osc_esc_html($view['search_url']); ?>" class="as-card as-filters" id="as-log-filter">
    <?php foreach ($view['search_hidden'] as $name => $value) : ?>
        <input type="hidden" name="<?php echo osc_esc_html($name); ?>" value="<?php echo osc_esc_html($value); ?>">
    <?php endforeach; ?>
    <label class="as-field">
        <span class="as-label"><?php _e('Type', 'account_sync'); ?></span>
        <select name="type" id="as-filter-type">
            <option value=""><?php _e('All', 'account_sync'); ?></option>
            <?php foreach ($view['types'] as $type) : ?>
                <option value="<?php echo osc_esc_html($type); ?>"<?php echo $type === $view['filter']['type'] ? ' selected' : ''; ?>><?php echo osc_esc_html($type); ?></option>
            <?php endforeach; ?>
        </select>
    </label>
    <label class="as-field">
        <span class="as-label"><?php _e('Account', 'account_sync'); ?></span>
        <select name="account_id" id="as-filter-account">
            <option value=""><?php _e('All', 'account_sync'); ?></option>
            <?php foreach ($view['accounts'] as $account) : ?>
                <option value="<?php echo (int) $account['id']; ?>"<?php echo $account['selected'] ? ' selected' : ''; ?>><?php echo osc_esc_html($account['name']); ?></option>
            <?php endforeach; ?>
        </select>
    </label>
    <label class="as-field">
        <span class="as-label"><?php _e('Status', 'account_sync'); ?></span>
        <input type="number" name="status" id="as-filter-status" min="100" max="599" placeholder="200" value="<?php echo osc_esc_html($view['filter']['status']); ?>">
    </label>
    <label class="as-field">
        <span class="as-label"><?php _e('From', 'account_sync'); ?></span>
        <input type="date" name="from" id="as-filter-from" value="<?php echo osc_esc_html($view['filter']['from']); ?>">
    </label>
    <label class="as-field">
        <span class="as-label"><?php _e('To', 'account_sync'); ?></span>
        <input type="date" name="to" id="as-filter-to" value="<?php echo osc_esc_html($view['filter']['to']); ?>">
    </label>
    <div class="as-actions">
        <button type="submit" class="as-button as-button-primary" id="as-filter-apply"><?php _e('Filter', 'account_sync'); ?></button>
        <a class="as-button" href="<?php echo osc_esc_html($view['reset_url']); ?>"><?php _e('Reset', 'account_sync'); ?></a>
    </div>
</form>

<p class="as-help" id="as-log-total"><?php echo osc_esc_html($view['total_label']); ?></p>
<?php if ($view['logs'] === []) : ?>
    <div class="as-card as-empty"><p><?php _e('No log entry matches.', 'account_sync'); ?></p></div>
<?php else : ?>
    <?php require __DIR__ . '/parts/log-table.php'; ?>
<?php endif; ?>

<nav class="as-pager" id="as-pager">
    <?php if ($view['pages']['previous'] !== '') : ?>
        <a class="as-button as-button-small" href="<?php echo osc_esc_html($view['pages']['previous']); ?>">← <?php _e('Previous', 'account_sync'); ?></a>
    <?php endif; ?>
    <?php foreach ($view['pages']['links'] as $link) : ?>
        <a class="as-page<?php echo $link['current'] ? ' as-page-current' : ''; ?>" href="<?php echo osc_esc_html($link['url']); ?>"><?php echo (int) $link['number']; ?></a>
    <?php endforeach; ?>
    <?php if ($view['pages']['next'] !== '') : ?>
        <a class="as-button as-button-small" href="<?php echo osc_esc_html($view['pages']['next']); ?>"><?php _e('Next', 'account_sync'); ?> →</a>
    <?php endif; ?>
</nav>

<section class="as-card" id="as-retention">
    <h2><?php _e('Retention', 'account_sync'); ?></h2>
    <form method="post" action="<?php echo osc_esc_html($view['action']); ?>" class="as-form"
        data-confirm="<?php echo osc_esc_html(__('Delete the older log entries now?', 'account_sync')); ?>">
        <?php echo $view['csrf']; ?>
        <input type="hidden" name="as_action" value="prune_logs">
        <label class="as-check">
            <input type="radio" name="keep" value="days"<?php echo $view['prune']['keep'] === 'days' ? ' checked' : ''; ?>>
            <?php _e('Keep the last', 'account_sync'); ?>
            <input type="number" name="keep_days" id="as-keep-days" min="1" value="<?php echo osc_esc_html($view['prune']['keep_days']); ?>" class="as-small-input">
            <?php _e('days', 'account_sync'); ?>
        </label>
        <label class="as-check">
            <input type="radio" name="keep" value="last"<?php echo $view['prune']['keep'] === 'last' ? ' checked' : ''; ?>>
            <?php _e('Keep the last', 'account_sync'); ?>
            <input type="number" name="keep_last" id="as-keep-last" min="1" value="<?php echo osc_esc_html($view['prune']['keep_last']); ?>" class="as-small-input">
            <?php _e('entries', 'account_sync'); ?>
        </label>
        <div class="as-actions">
            <button type="submit" class="as-button as-button-danger" id="as-prune"><?php _e('Delete older entries', 'account_sync'); ?></button>
        </div>
    </form>
</section>
<?php endif; ?>
<?php require __DIR__ . '/parts/footer.php'; ?>

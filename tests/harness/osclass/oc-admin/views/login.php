<?php declare(strict_types=1); ?>
<form method="post" action="<?php echo osc_esc_html(osc_admin_base_url(true) . '?page=login'); ?>" class="harness-login" id="login-form">
    <h1>Osclass back office</h1>
    <?php if ($error !== '') : ?>
        <div class="flashmessage flashmessage-error"><?php echo osc_esc_html($error); ?></div>
    <?php endif; ?>
    <label>Username <input type="text" name="user" id="user_login" autocomplete="username"></label>
    <label>Password <input type="password" name="password" id="user_pass" autocomplete="current-password"></label>
    <button type="submit" id="submit">Log in</button>
</form>

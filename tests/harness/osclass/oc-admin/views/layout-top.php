<?php declare(strict_types=1); ?>
<!DOCTYPE html>
<html lang="en">
<head>
    <meta charset="utf-8">
    <title><?php echo osc_esc_html($title); ?> « Osclass back office</title>
    <link rel="stylesheet" href="<?php echo osc_esc_html($css); ?>">
</head>
<body class="harness-admin">
<header class="harness-top">
    <span class="harness-logo">Osclass</span>
    <span class="harness-user">Logged in as <?php echo osc_esc_html($adminName); ?> · <a href="<?php echo osc_esc_html(osc_admin_base_url(true) . '?page=logout'); ?>">Log out</a></span>
</header>
<div class="harness-frame">
<aside class="harness-menu">
    <?php foreach ($menus as $menuId => $menu) : ?>
        <div class="harness-menu-block" id="menu_<?php echo osc_esc_html($menuId); ?>">
            <a class="harness-menu-title" href="<?php echo osc_esc_html($menu['url']); ?>"><?php echo osc_esc_html($menu['title']); ?></a>
            <?php foreach ($menu['items'] as $item) : ?>
                <a class="harness-menu-item" id="<?php echo osc_esc_html($item['id']); ?>" href="<?php echo osc_esc_html($item['url']); ?>"><?php echo osc_esc_html($item['title']); ?></a>
            <?php endforeach; ?>
        </div>
    <?php endforeach; ?>
</aside>
<main class="harness-content" id="content">

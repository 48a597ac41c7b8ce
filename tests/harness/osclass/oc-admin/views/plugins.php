<?php declare(strict_types=1); ?>
<h1>Plugins</h1>
<ul>
    <?php foreach (\OsclassHarness\Admin\Menu::all()['plugins']['items'] ?? [] as $item) : ?>
        <li><a href="<?php echo osc_esc_html($item['url']); ?>"><?php echo osc_esc_html($item['title']); ?></a></li>
    <?php endforeach; ?>
</ul>

<?php declare(strict_types=1); ?>
<h1>Dashboard</h1>
<p>Test back office. Plugin pages are in the menu on the left.</p>

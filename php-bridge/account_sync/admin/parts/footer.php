<?php declare(strict_types=1); ?>
</div>
<script src="<?php echo osc_esc_html($view['js']); ?>" defer></script>

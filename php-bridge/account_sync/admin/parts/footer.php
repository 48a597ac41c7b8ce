<?php

declare(strict_types=1);

if (!defined('OC_ADMIN') || OC_ADMIN !== true) {
    http_response_code(403);
    exit;
}
?>
</div>
<script src="<?php echo osc_esc_html($view['js']); ?>" defer></script>

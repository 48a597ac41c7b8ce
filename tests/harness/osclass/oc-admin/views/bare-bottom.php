<?php declare(strict_types=1); ?>
</body>
</html>

<?php declare(strict_types=1); ?>
</main>
</div>
</body>
</html>

<?php

declare(strict_types=1);

/*
 * The harness' stand-in for Osclass' oc-load.php: the constants, functions and classes the
 * account_sync plugin uses, over the site's real database, and then the active plugins, as
 * Plugins::loadActive() includes them. It is copied into every simulated site's folder by
 * tests/harness/site.php; config.php beside it holds that site's settings.
 */

if (defined('ABS_PATH')) {
    return;
}

define('ABS_PATH', __DIR__ . '/');
define('LIB_PATH', ABS_PATH . 'oc-includes/');
define('CONTENT_PATH', ABS_PATH . 'oc-content/');
define('PLUGINS_PATH', CONTENT_PATH . 'plugins/');

require_once ABS_PATH . 'config.php';

if (!defined('BCRYPT_COST')) {
    define('BCRYPT_COST', 15);
}
define('OSCLASS_VERSION', HARNESS_FORK === 'op84' ? '8.4.0' : '5.2.0');

require_once LIB_PATH . 'osclass/classes/HarnessDatabase.php';
require_once LIB_PATH . 'osclass/classes/Preference.php';
require_once LIB_PATH . 'osclass/classes/Plugins.php';
require_once LIB_PATH . 'osclass/helpers/hPreference.php';
require_once LIB_PATH . 'osclass/helpers/hPlugins.php';
require_once LIB_PATH . 'osclass/helpers/hDefines.php';
require_once LIB_PATH . 'osclass/helpers/hTranslations.php';

$harnessTimezone = osc_get_preference('timezone');
date_default_timezone_set($harnessTimezone !== '' ? $harnessTimezone : 'Europe/Madrid');
unset($harnessTimezone);

Plugins::loadActive();

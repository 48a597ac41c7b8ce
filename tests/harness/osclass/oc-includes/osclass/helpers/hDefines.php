<?php

declare(strict_types=1);

/* URL and path helpers, as Osclass derives them from config.php. */

function osc_base_url($with_index = false)
{
    return WEB_PATH . ($with_index ? 'index.php' : '');
}

function osc_base_path()
{
    return ABS_PATH;
}

function osc_plugins_path()
{
    return PLUGINS_PATH;
}

function osc_content_path()
{
    return CONTENT_PATH;
}

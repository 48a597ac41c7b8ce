<?php

declare(strict_types=1);

/* Plugin and hook helpers with the signatures of Osclass' hPlugins.php. */

function osc_add_hook($hook, $function, $priority = 5)
{
    Plugins::addHook((string) $hook, $function, (int) $priority);
}

function osc_remove_hook($hook, $function)
{
    Plugins::removeHook((string) $hook, $function);
}

function osc_run_hook($hook, ...$args)
{
    Plugins::runHook((string) $hook, ...$args);
}

function osc_add_filter($hook, $function, $priority = 5)
{
    Plugins::addHook((string) $hook, $function, (int) $priority);
}

function osc_apply_filter($hook, $content, ...$args)
{
    return Plugins::applyFilter((string) $hook, $content, ...$args);
}

function osc_register_plugin($path, $function)
{
    Plugins::register((string) $path, $function);
}

function osc_plugin_path($file)
{
    return Plugins::pluginPath((string) $file);
}

function osc_plugin_folder($file)
{
    $relative = substr(osc_plugin_path($file), strlen(osc_plugins_path()));

    return explode('/', $relative)[0] . '/';
}

function osc_plugin_resource($file)
{
    $path = osc_plugins_path() . $file;

    return is_file($path) ? $path : false;
}

function osc_plugin_is_installed($plugin)
{
    return Plugins::isInstalled((string) $plugin);
}

function osc_plugin_is_enabled($plugin)
{
    return Plugins::isEnabled((string) $plugin);
}

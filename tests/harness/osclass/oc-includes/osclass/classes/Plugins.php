<?php

declare(strict_types=1);

/**
 * Hooks, filters and the plugin life cycle, following Osclass' Plugins class: hook names have
 * the plugins path stripped, callbacks run by priority 0 to 10, a callback is registered once
 * per hook, and install/uninstall run the same steps in the same order (any output during
 * install fails it).
 */
final class Plugins
{
    /** @var array<string, array<int, list<callable>>> hook => priority => callbacks */
    private static array $hooks = [];

    public static function addHook(string $hook, callable $callback, int $priority = 5): void
    {
        $hook = self::hookName($hook);
        $priority = max(0, min(10, $priority));
        foreach (self::$hooks[$hook] ?? [] as $callbacks) {
            if (in_array($callback, $callbacks, true)) {
                return;
            }
        }

        self::$hooks[$hook][$priority][] = $callback;
    }

    public static function removeHook(string $hook, callable $callback): void
    {
        $hook = self::hookName($hook);
        foreach (self::$hooks[$hook] ?? [] as $priority => $callbacks) {
            self::$hooks[$hook][$priority] = array_values(array_filter(
                $callbacks,
                static fn ($registered): bool => $registered !== $callback
            ));
        }
    }

    public static function existsHook(string $hook): bool
    {
        foreach (self::$hooks[self::hookName($hook)] ?? [] as $callbacks) {
            if ($callbacks !== []) {
                return true;
            }
        }

        return false;
    }

    public static function runHook(string $hook, ...$arguments): void
    {
        foreach (self::callbacks($hook) as $callback) {
            call_user_func_array($callback, $arguments);
        }
    }

    public static function applyFilter(string $hook, $content, ...$arguments)
    {
        foreach (self::callbacks($hook) as $callback) {
            $content = call_user_func_array($callback, array_merge([$content], $arguments));
        }

        return $content;
    }

    public static function register(string $path, $function): void
    {
        self::addHook('install_' . self::relative($path), $function);
    }

    /** @return list<string> "folder/index.php" of every installed plugin */
    public static function listInstalled(): array
    {
        return self::listed('installed_plugins');
    }

    /** @return list<string> "folder/index.php" of every active plugin */
    public static function listEnabled(): array
    {
        return self::listed('active_plugins');
    }

    public static function isInstalled(string $path): bool
    {
        return in_array($path, self::listInstalled(), true);
    }

    public static function isEnabled(string $path): bool
    {
        return in_array($path, self::listEnabled(), true);
    }

    /** Includes every active plugin's file, as on every Osclass request. */
    public static function loadActive(): void
    {
        foreach (self::listEnabled() as $path) {
            if (is_file(PLUGINS_PATH . $path)) {
                include_once PLUGINS_PATH . $path;
            }
        }
    }

    /**
     * @return true|array{error_code: string, msg?: string, output?: string}
     */
    public static function install(string $path)
    {
        if (self::isInstalled($path)) {
            return ['error_code' => 'error_installed'];
        }
        if (!is_file(PLUGINS_PATH . $path)) {
            return ['error_code' => 'error_file', 'msg' => 'no such plugin file: ' . $path];
        }

        self::runHook('before_plugin_install');
        ob_start();
        try {
            include_once PLUGINS_PATH . $path;
            self::runHook('install_' . $path);
        } catch (Exception $e) {
            ob_end_clean();

            return ['error_code' => 'custom_error', 'msg' => $e->getMessage()];
        }

        self::activate($path);
        self::setListed('installed_plugins', array_merge(self::listInstalled(), [$path]));

        $output = (string) ob_get_clean();
        if ($output !== '') {
            return ['error_code' => 'error_output', 'output' => $output];
        }
        self::runHook('after_plugin_install');

        return true;
    }

    /**
     * @return true|array{error_code: string, msg?: string}
     */
    public static function uninstall(string $path)
    {
        if (!self::isInstalled($path)) {
            return ['error_code' => 'error_not_installed'];
        }

        self::runHook('before_plugin_uninstall');
        include_once PLUGINS_PATH . $path;
        self::deactivate($path);
        try {
            self::runHook($path . '_uninstall');
        } catch (Exception $e) {
            return ['error_code' => 'custom_error', 'msg' => $e->getMessage()];
        }
        self::setListed('installed_plugins', array_diff(self::listInstalled(), [$path]));
        self::runHook('after_plugin_uninstall');

        return true;
    }

    public static function activate(string $path): void
    {
        self::setListed('active_plugins', array_merge(self::listEnabled(), [$path]));
        self::runHook($path . '_enable');
    }

    public static function deactivate(string $path): void
    {
        self::setListed('active_plugins', array_diff(self::listEnabled(), [$path]));
        self::runHook($path . '_disable');
    }

    /**
     * Maps a plugin file to its path under the plugins folder. A plugin folder that is a
     * symbolic link has its target resolved in __FILE__, so that target is mapped back.
     */
    public static function pluginPath(string $file): string
    {
        $file = preg_replace('|/+|', '/', str_replace('\\', '/', $file));
        foreach (glob(PLUGINS_PATH . '*', GLOB_ONLYDIR) ?: [] as $folder) {
            $target = is_link($folder) ? realpath($folder) : false;
            if ($target !== false && strncmp($file, $target . '/', strlen($target) + 1) === 0) {
                return $folder . substr($file, strlen($target));
            }
        }

        return PLUGINS_PATH . preg_replace('#^.*oc-content/plugins/#', '', $file);
    }

    private static function relative(string $path): string
    {
        $path = preg_replace('|/+|', '/', str_replace('\\', '/', $path));

        return str_replace(PLUGINS_PATH, '', $path);
    }

    private static function hookName(string $hook): string
    {
        return self::relative($hook);
    }

    /** @return list<callable> */
    private static function callbacks(string $hook): array
    {
        $hook = self::hookName($hook);
        $ordered = [];
        for ($priority = 0; $priority <= 10; $priority++) {
            foreach (self::$hooks[$hook][$priority] ?? [] as $callback) {
                $ordered[] = $callback;
            }
        }

        return $ordered;
    }

    /** @return list<string> */
    private static function listed(string $name): array
    {
        $value = osc_get_preference($name);
        $list = $value === '' ? [] : @unserialize($value, ['allowed_classes' => false]);

        return is_array($list) ? array_values(array_map('strval', $list)) : [];
    }

    /** @param array<int, string> $list */
    private static function setListed(string $name, array $list): void
    {
        osc_set_preference($name, serialize(array_values(array_unique($list))), 'osclass');
        osc_reset_preferences();
    }
}

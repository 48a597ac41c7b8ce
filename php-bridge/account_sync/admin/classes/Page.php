<?php

declare(strict_types=1);

namespace AccountSync\Admin;

use AccountSync\FfiUnavailable;
use AccountSync\LibraryException;

/**
 * What every admin page gets: navigation, assets, and the reason the page
 * cannot be drawn when the library is missing or refuses.
 */
final class Page
{
    /**
     * Runs a page's data builder. When the library cannot be loaded the page
     * says so instead of staying blank.
     *
     * @param callable(): array<string, mixed> $build
     * @return array<string, mixed>
     */
    public static function build(string $route, callable $build): array
    {
        $view = [
            'nav' => self::nav($route),
            'css' => Routes::asset('admin.css'),
            'js' => Routes::asset('admin.js'),
            'csrf' => osc_csrf_token_form(),
            'ready' => false,
            'unavailable' => '',
            'error' => '',
        ];

        try {
            $view = array_merge($view, $build());
            $view['ready'] = true;
        } catch (FfiUnavailable $e) {
            $view['unavailable'] = $e->getMessage();
        } catch (LibraryException $e) {
            $view['error'] = $e->getMessage();
        }

        return $view;
    }

    /** @return list<array{label: string, url: string, active: bool}> */
    private static function nav(string $current): array
    {
        $tabs = [
            Routes::ACCOUNTS => __('Accounts', 'account_sync'),
            Routes::LOGS => __('Logs', 'account_sync'),
            Routes::CONFIGURE => __('Configure', 'account_sync'),
        ];
        $sections = [
            Routes::ACCOUNT_EDIT => Routes::ACCOUNTS,
            Routes::ACCOUNT => Routes::ACCOUNTS,
            Routes::LOG => Routes::LOGS,
        ];
        $active = $sections[$current] ?? $current;

        $items = [];
        foreach ($tabs as $route => $label) {
            $items[] = ['label' => $label, 'url' => Routes::url($route), 'active' => $route === $active];
        }

        return $items;
    }
}

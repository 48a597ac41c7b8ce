<?php

declare(strict_types=1);

/* Translation helpers. The harness has no .mo files, so text comes back as written. */

function __($key, $domain = 'core')
{
    return (string) $key;
}

function _e($key, $domain = 'core')
{
    echo __($key, $domain);
}

function _m($key)
{
    return __($key, 'messages');
}

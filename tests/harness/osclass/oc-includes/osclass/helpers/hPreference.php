<?php

declare(strict_types=1);

/* Preference helpers with the signatures and return values of Osclass' hPreference.php. */

function osc_get_preference($key, $section = 'osclass')
{
    return Preference::newInstance()->get((string) $key, (string) $section);
}

function osc_get_bool_preference($key, $section = 'osclass')
{
    return in_array(strtolower(osc_get_preference($key, $section)), ['1', 'true', 'on'], true);
}

function osc_set_preference($key, $value = '', $section = 'osclass', $type = 'STRING')
{
    return Preference::newInstance()->replace((string) $key, (string) $value, (string) $section, (string) $type);
}

function osc_delete_preference($key = '', $section = 'osclass')
{
    return Preference::newInstance()->delete((string) $key, (string) $section);
}

function osc_get_preference_section($section = 'osclass')
{
    return Preference::newInstance()->getSection((string) $section);
}

function osc_reset_preferences()
{
    Preference::newInstance()->reset();
}

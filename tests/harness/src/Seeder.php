<?php

declare(strict_types=1);

namespace AccountSync\Harness;

use Random\Engine\Mt19937;
use Random\Randomizer;

/**
 * Fills a site with users in the shape Osclass writes them: names in several scripts,
 * mixed-case e-mails, inactive (b_active=0) and blocked (b_enabled=0) users, legacy SHA-1 and
 * bcrypt passwords, descriptions in the installed locales, location ids and texts, and the
 * OP84-only columns on OP84 sites. The same seed gives the same users.
 */
final class Seeder
{
    private const BATCH = 1000;

    /** Countries, regions, cities and city areas seeded once per site, with coordinates. */
    private const COUNTRIES = [['ES', 'Spain', 'España'], ['GR', 'Greece', 'Ελλάδα'], ['US', 'United States', 'United States'], ['JP', 'Japan', '日本']];
    private const REGIONS = [
        [1, 'ES', 'Madrid', 'Madrid'],
        [2, 'ES', 'Cataluña', 'Catalunya'],
        [3, 'GR', 'Attica', 'Αττική'],
        [4, 'US', 'California', 'California'],
        [5, 'JP', 'Tokyo', '東京都'],
    ];
    private const CITIES = [
        [1, 1, 'ES', 'Madrid', 'Madrid', '40.416775', '-3.703790'],
        [2, 2, 'ES', 'Barcelona', 'Barcelona', '41.385064', '2.173404'],
        [3, 3, 'GR', 'Athens', 'Αθήνα', '37.983810', '23.727539'],
        [4, 4, 'US', 'Los Angeles', 'Los Angeles', '34.052235', '-118.243683'],
        [5, 5, 'JP', 'Shinjuku', '新宿区', '35.693825', '139.703356'],
    ];
    private const CITY_AREAS = [[1, 1, 'Chamberí'], [2, 2, 'Gràcia']];

    private Site $site;
    private \mysqli $db;
    private Randomizer $random;

    /** @var array<string, int> */
    private array $counts = [];

    /** @var array<string, array{id: int, email: string, password: string}> */
    private array $samples = [];

    /** @var array<string, true> lower-cased e-mails already on the site or seeded */
    private array $emails = [];

    public function __construct(Site $site, int $seed)
    {
        $this->site = $site;
        $this->db = $site->connection();
        $this->random = new Randomizer(new Mt19937($seed));
    }

    /** @return array<string, mixed> counts by kind, the id range and sample logins */
    public function seed(int $users, bool $locations): array
    {
        $timezone = date_default_timezone_get();
        date_default_timezone_set($this->site->preference('timezone') ?: 'Europe/Madrid');

        try {
            $this->db->begin_transaction();
            if ($locations) {
                $this->seedLocations();
            }
            $firstId = $this->nextUserId();
            foreach ($this->db->query('SELECT LOWER(s_email) FROM oc_t_user') as $row) {
                $this->emails[(string) reset($row)] = true;
            }
            for ($start = 0; $start < $users; $start += self::BATCH) {
                $this->insertBatch($firstId + $start, min(self::BATCH, $users - $start), $locations);
            }
            $this->db->commit();
        } catch (\Throwable $e) {
            $this->db->rollback();
            throw $e;
        } finally {
            date_default_timezone_set($timezone);
        }

        ksort($this->counts);

        return [
            'users' => $users,
            'first_id' => $users > 0 ? $firstId : null,
            'last_id' => $users > 0 ? $firstId + $users - 1 : null,
            'counts' => $this->counts,
            'feedable' => $this->counts['active_enabled'] ?? 0,
            'samples' => $this->samples,
        ];
    }

    private function nextUserId(): int
    {
        $row = $this->db->query('SELECT COALESCE(MAX(pk_i_id), 0) + 1 FROM oc_t_user')->fetch_row();

        return (int) $row[0];
    }

    private function seedLocations(): void
    {
        if ((int) $this->db->query('SELECT COUNT(*) FROM oc_t_country')->fetch_row()[0] > 0) {
            return;
        }

        foreach (self::COUNTRIES as [$code, $name]) {
            $this->db->query(sprintf("INSERT INTO oc_t_country (pk_c_code, s_name, s_slug) VALUES ('%s', %s, %s)", $code, $this->quote($name), $this->quote(strtolower($name))));
        }
        foreach (self::REGIONS as [$id, $country, $name]) {
            $this->db->query(sprintf("INSERT INTO oc_t_region (pk_i_id, fk_c_country_code, s_name, s_slug) VALUES (%d, '%s', %s, %s)", $id, $country, $this->quote($name), $this->quote(strtolower($name))));
        }
        foreach (self::CITIES as [$id, $region, $country, $name]) {
            $this->db->query(sprintf("INSERT INTO oc_t_city (pk_i_id, fk_i_region_id, s_name, s_slug, fk_c_country_code) VALUES (%d, %d, %s, %s, '%s')", $id, $region, $this->quote($name), $this->quote(strtolower($name)), $country));
        }
        foreach (self::CITY_AREAS as [$id, $city, $name]) {
            $this->db->query(sprintf('INSERT INTO oc_t_city_area (pk_i_id, fk_i_city_id, s_name) VALUES (%d, %d, %s)', $id, $city, $this->quote($name)));
        }
    }

    private function insertBatch(int $firstId, int $count, bool $locations): void
    {
        $rows = [];
        $descriptions = [];
        for ($id = $firstId; $id < $firstId + $count; $id++) {
            [$user, $userDescriptions] = $this->user($id, $locations);
            $rows[] = '(' . implode(', ', array_map([$this, 'quote'], $user)) . ')';
            foreach ($userDescriptions as $locale => $text) {
                $descriptions[] = sprintf('(%d, %s, %s)', $id, $this->quote($locale), $this->quote($text));
            }
            $columns = array_keys($user);
        }

        $this->db->query('INSERT INTO oc_t_user (' . implode(', ', $columns) . ') VALUES ' . implode(",\n", $rows));
        if ($descriptions !== []) {
            $this->db->query('INSERT INTO oc_t_user_description (fk_i_user_id, fk_c_locale_code, s_info) VALUES ' . implode(",\n", $descriptions));
        }
    }

    /** @return array{0: array<string, mixed>, 1: array<string, string>} the row and its descriptions */
    private function user(int $id, bool $locations): array
    {
        $op84 = $this->site->fork() === 'op84';
        $script = $this->script($op84);
        [$name, $slug] = $this->pick(Names::SCRIPTS[$script]);

        $status = $this->random->getInt(0, 99);
        $active = $status < 8 || ($status >= 15 && $status < 17) ? 0 : 1;
        $enabled = $status >= 8 && $status < 17 ? 0 : 1;

        $legacy = $this->random->getInt(0, 9) === 0;
        if ($legacy) {
            $password = Passwords::sha1($id);
        } else {
            $password = Passwords::bcrypt($this->random->getInt(0, Passwords::count() - 1));
        }

        $email = $this->email($slug, $id);
        $registered = $this->random->getInt(strtotime('2016-01-01 00:00:00'), strtotime('2025-11-30 23:59:59'));
        $accessed = $this->random->getInt(0, 9) < 7 ? $this->random->getInt($registered, strtotime('2025-12-01 00:00:00')) : null;
        $pendingCode = $this->random->getInt(0, 19) === 0;
        $place = $locations ? $this->random->getInt(0, 9) : 9;
        $city = $place < 4 ? $this->pick(self::CITIES) : null;
        $textPlace = $place >= 4 && $place < 6;

        $user = [
            'pk_i_id' => $id,
            'dt_reg_date' => date('Y-m-d H:i:s', $registered),
            'dt_mod_date' => $this->random->getInt(0, 9) < 6 ? date('Y-m-d H:i:s', $registered + $this->random->getInt(60, 86400 * 400)) : null,
            's_name' => $name,
            's_username' => str_replace('.', '_', $slug) . '_' . $id,
            's_password' => $password['hash'],
            's_secret' => $this->token(8),
            's_email' => $email,
            's_website' => $this->random->getInt(0, 4) === 0 ? 'https://www.example.com/~' . $slug : null,
            's_phone_land' => $this->random->getInt(0, 6) === 0 ? '+34 91 ' . $this->digits(7) : null,
            's_phone_mobile' => $this->random->getInt(0, 4) < 2 ? '+34 6' . $this->digits(8) : null,
            'b_enabled' => $enabled,
            'b_active' => $active,
            's_pass_code' => $pendingCode ? $this->token(30) : null,
            's_pass_date' => $pendingCode ? date('Y-m-d H:i:s', strtotime('2025-11-30 12:00:00')) : null,
            's_pass_ip' => $pendingCode ? $this->ip() : null,
            'fk_c_country_code' => $city[2] ?? null,
            's_country' => $city !== null ? $this->countryName($city[2]) : ($textPlace ? 'France' : null),
            's_address' => $city !== null || $textPlace ? 'Calle Mayor ' . $this->random->getInt(1, 200) : null,
            's_zip' => $city !== null || $textPlace ? $this->digits(5) : null,
            'fk_i_region_id' => $city[1] ?? null,
            's_region' => $city !== null ? $this->regionName($city[1]) : ($textPlace ? 'Île-de-France' : null),
            'fk_i_city_id' => $city[0] ?? null,
            's_city' => $city[3] ?? ($textPlace ? 'Paris' : null),
            'fk_i_city_area_id' => $city !== null && $city[0] <= 2 ? $city[0] : null,
            's_city_area' => $city !== null && $city[0] <= 2 ? self::CITY_AREAS[$city[0] - 1][2] : null,
            'd_coord_lat' => $city !== null ? $this->coordinate($city[5], $op84) : null,
            'd_coord_long' => $city !== null ? $this->coordinate($city[6], $op84) : null,
            'b_company' => $this->random->getInt(0, 9) === 0 ? 1 : 0,
            'i_items' => $this->random->getInt(0, 5),
            'i_comments' => $this->random->getInt(0, 3),
            'dt_access_date' => $accessed !== null ? date('Y-m-d H:i:s', $accessed) : ($op84 ? null : '1000-01-01 00:00:00'),
            's_access_ip' => $accessed !== null ? $this->ip() : '',
        ];
        if ($op84) {
            $user = $this->withOp84Columns($user, $city);
        }

        $descriptions = $this->descriptions($name);
        $this->count($script, $active, $enabled, $legacy, $descriptions);
        $this->sample($id, $email, $password['password'], $script, $active, $enabled, $legacy, $descriptions);

        return [$user, $descriptions];
    }

    /**
     * @param array<string, mixed> $user
     * @param ?array<int, mixed> $city
     * @return array<string, mixed>
     */
    private function withOp84Columns(array $user, ?array $city): array
    {
        $ordered = [];
        foreach ($user as $column => $value) {
            $ordered[$column] = $value;
            if ($column === 's_country') {
                $ordered['s_country_native'] = $city !== null ? $this->countryName($city[2], true) : null;
            } elseif ($column === 's_region') {
                $ordered['s_region_native'] = $city !== null ? $this->regionName($city[1], true) : null;
            } elseif ($column === 's_city') {
                $ordered['s_city_native'] = $city[4] ?? null;
            }
        }

        $fails = $this->random->getInt(0, 9) === 0 ? $this->random->getInt(1, 4) : 0;
        $ordered['i_login_fails'] = $fails;
        $ordered['dt_login_fail_date'] = $fails > 0 ? date('Y-m-d H:i:s', strtotime('2025-11-29 08:00:00')) : null;
        $ordered['s_profile_img'] = $this->random->getInt(0, 6) === 0 ? $user['pk_i_id'] . '_' . $this->token(6) . '.jpg' : null;
        $locales = $this->site->locales();
        $ordered['fk_c_locale_code'] = $this->random->getInt(0, 1) === 0 ? $this->pick($locales) : null;

        return $ordered;
    }

    /** @return array<string, string> locale => text, only for installed locales */
    private function descriptions(string $name): array
    {
        if ($this->random->getInt(0, 99) >= 35) {
            return [];
        }

        [$english, $spanish] = $this->pick(Names::HOBBIES);
        $texts = [];
        $locales = $this->site->locales();
        if (in_array('en_US', $locales, true)) {
            $texts['en_US'] = sprintf('About me: %s, fond of %s.', $name, $english);
        }
        if (in_array('es_ES', $locales, true) && $this->random->getInt(0, 1) === 0) {
            $texts['es_ES'] = sprintf('Sobre mí: %s, aficionado a %s.', $name, $spanish);
        }

        return $texts;
    }

    private function script(bool $op84): string
    {
        $roll = $this->random->getInt(1, array_sum(Names::WEIGHTS));
        foreach (Names::WEIGHTS as $script => $weight) {
            $roll -= $weight;
            if ($roll <= 0) {
                // utf8mb3 tables (MS52) cannot hold emoji; those users get Latin names there.
                return $script === 'emoji' && !$op84 ? 'latin' : $script;
            }
        }

        return 'latin';
    }

    /**
     * A mixed-case address built from the name and the id, so sites seeded alike share
     * addresses; one already on the site (a user synced from elsewhere) gets a number added.
     */
    private function email(string $slug, int $id): string
    {
        $local = $slug . $id;
        $local = match ($this->random->getInt(0, 3)) {
            0 => ucwords($local, '.'),
            1 => strtoupper(substr($local, 0, 1)) . substr($local, 1),
            default => $local,
        };
        $domain = $this->pick(Names::DOMAINS);

        $email = $local . '@' . $domain;
        for ($n = 2; isset($this->emails[strtolower($email)]); $n++) {
            $email = $local . '.' . $n . '@' . $domain;
        }
        $this->emails[strtolower($email)] = true;

        return $email;
    }

    /**
     * @param array<string, string> $descriptions
     */
    private function count(string $script, int $active, int $enabled, bool $legacy, array $descriptions): void
    {
        $kinds = ['script_' . $script, $legacy ? 'sha1' : 'bcrypt'];
        if ($active === 1 && $enabled === 1) {
            $kinds[] = 'active_enabled';
        }
        if ($active === 0) {
            $kinds[] = 'inactive';
        }
        if ($enabled === 0) {
            $kinds[] = 'blocked';
        }
        foreach (array_keys($descriptions) as $locale) {
            $kinds[] = 'description_' . $locale;
        }
        foreach ($kinds as $kind) {
            $this->counts[$kind] = ($this->counts[$kind] ?? 0) + 1;
        }
    }

    /**
     * @param array<string, string> $descriptions
     */
    private function sample(int $id, string $email, string $password, string $script, int $active, int $enabled, bool $legacy, array $descriptions): void
    {
        $kinds = [];
        if ($active === 1 && $enabled === 1) {
            $kinds[] = $legacy ? 'sha1' : 'active';
            if ($script === 'emoji') {
                $kinds[] = 'emoji';
            }
            if (count($descriptions) === 2) {
                $kinds[] = 'two_descriptions';
            }
        } elseif ($active === 0 && $enabled === 1) {
            $kinds[] = 'inactive';
        } elseif ($active === 1 && $enabled === 0) {
            $kinds[] = 'blocked';
        }
        foreach ($kinds as $kind) {
            $this->samples[$kind] ??= ['id' => $id, 'email' => $email, 'password' => $password];
        }
    }

    private function countryName(string $code, bool $native = false): string
    {
        foreach (self::COUNTRIES as $country) {
            if ($country[0] === $code) {
                return $native ? $country[2] : $country[1];
            }
        }

        return $code;
    }

    private function regionName(int $id, bool $native = false): string
    {
        $region = self::REGIONS[$id - 1];

        return $native ? $region[3] : $region[2];
    }

    /** A point near the city; OP84 stores ten decimals, MS52 six. */
    private function coordinate(string $centre, bool $op84): string
    {
        $value = (float) $centre + $this->random->getInt(-50000, 50000) / 1000000;

        return number_format($value, $op84 ? 10 : 6, '.', '');
    }

    private function ip(): string
    {
        return match ($this->random->getInt(0, 2)) {
            0 => '192.0.2.' . $this->random->getInt(1, 254),
            1 => '203.0.113.' . $this->random->getInt(1, 254),
            default => sprintf('2001:db8:%x::%x', $this->random->getInt(1, 0xffff), $this->random->getInt(1, 0xffff)),
        };
    }

    private function token(int $length): string
    {
        return $this->fromAlphabet('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', $length);
    }

    private function digits(int $length): string
    {
        return $this->fromAlphabet('0123456789', $length);
    }

    private function fromAlphabet(string $alphabet, int $length): string
    {
        $text = '';
        $last = strlen($alphabet) - 1;
        for ($i = 0; $i < $length; $i++) {
            $text .= $alphabet[$this->random->getInt(0, $last)];
        }

        return $text;
    }

    /**
     * @template T
     * @param array<int, T> $list
     * @return T
     */
    private function pick(array $list)
    {
        return $list[$this->random->getInt(0, count($list) - 1)];
    }

    private function quote($value): string
    {
        if ($value === null) {
            return 'NULL';
        }
        if (is_int($value)) {
            return (string) $value;
        }

        return "'" . $this->db->real_escape_string((string) $value) . "'";
    }
}

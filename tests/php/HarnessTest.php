<?php

declare(strict_types=1);

namespace AccountSync\Tests;

use PHPUnit\Framework\TestCase;

/** tests/harness/site.php: schemas of both forks, seeding, logins, cron and dropping. */
final class HarnessTest extends TestCase
{
    /** @var list<TestSite> */
    private array $sites = [];

    protected function setUp(): void
    {
        Environment::requireDatabase($this);
    }

    protected function tearDown(): void
    {
        foreach ($this->sites as $site) {
            $site->drop();
        }
    }

    public function testOp84SchemaHasTheOsclassPointDifferences(): void
    {
        $site = $this->site('op84', 'op84', ['--no-plugin', '--locales=en_US,es_ES']);
        $db = $site->summary['db'];

        $columns = $site->sql("SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '$db' AND TABLE_NAME = 'oc_t_user' ORDER BY ORDINAL_POSITION");
        $names = array_column($columns, 'COLUMN_NAME');
        $byName = array_combine($names, $columns);

        $this->assertSame('s_country_native', $names[array_search('s_country', $names, true) + 1]);
        $this->assertSame('s_region_native', $names[array_search('s_region', $names, true) + 1]);
        $this->assertSame('s_city_native', $names[array_search('s_city', $names, true) + 1]);
        $this->assertSame(['s_access_ip', 'i_login_fails', 'dt_login_fail_date', 's_profile_img', 'fk_c_locale_code'], array_slice($names, -5));
        $this->assertSame('varchar(64)', $byName['s_pass_ip']['COLUMN_TYPE']);
        $this->assertSame('varchar(64)', $byName['s_access_ip']['COLUMN_TYPE']);
        $this->assertSame('decimal(20,10)', $byName['d_coord_lat']['COLUMN_TYPE']);
        $this->assertSame('YES', $byName['dt_access_date']['IS_NULLABLE']);
        $this->assertSame('NULL', $byName['dt_access_date']['COLUMN_DEFAULT']);

        $collations = $site->sql("SELECT DISTINCT TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$db'");
        $this->assertSame([['TABLE_COLLATION' => 'utf8mb4_unicode_ci']], $collations);
        $this->assertSame(38, count($site->sql("SHOW TABLES")));

        $this->assertSame(
            ['MINUTELY', 'HOURLY', 'DAILY', 'WEEKLY', 'MONTHLY', 'YEARLY'],
            array_column($site->sql('SELECT e_type FROM oc_t_cron ORDER BY e_type + 0'), 'e_type')
        );
        $this->assertSame(['en_US', 'es_ES'], array_column($site->sql('SELECT pk_c_code FROM oc_t_locale ORDER BY pk_c_code'), 'pk_c_code'));
    }

    public function testMs52SchemaIsTheFixtureAsItIs(): void
    {
        $site = $this->site('ms52', 'ms52', ['--no-plugin']);
        $db = $site->summary['db'];

        $collations = $site->sql("SELECT DISTINCT TABLE_COLLATION FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$db'");
        $this->assertSame([['TABLE_COLLATION' => 'utf8mb3_general_ci']], $collations);
        $this->assertSame([], $site->sql("SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '$db' AND COLUMN_NAME = 's_country_native'"));
        $this->assertSame(['HOURLY', 'DAILY', 'WEEKLY'], array_column($site->sql('SELECT e_type FROM oc_t_cron ORDER BY e_type + 0'), 'e_type'));
        $this->assertSame([['pk_c_code' => 'en_US']], $site->sql('SELECT pk_c_code FROM oc_t_locale'));
        $this->assertSame([['s_value' => 'Europe/Madrid']], $site->sql("SELECT s_value FROM oc_t_preference WHERE s_section = 'osclass' AND s_name = 'timezone'"));
    }

    public function testSeedingIsRepeatableAndCountsEveryKind(): void
    {
        $first = $this->site('seed_a', 'ms52', ['--no-plugin', '--locales=en_US,es_ES']);
        $second = $this->site('seed_b', 'ms52', ['--no-plugin', '--locales=en_US,es_ES']);

        [, $summary] = $first->harness('seed', ['--users=3000', '--seed=11']);
        $second->harness('seed', ['--users=3000', '--seed=11']);

        $rows = 'SELECT s_email, s_name, s_password, b_active, b_enabled FROM oc_t_user ORDER BY pk_i_id';
        $this->assertSame($first->sql($rows), $second->sql($rows));
        $this->assertSame(3000, $summary['users']);
        $this->assertSame(['first_id' => 1, 'last_id' => 3000], ['first_id' => $summary['first_id'], 'last_id' => $summary['last_id']]);

        $counts = $summary['counts'];
        $this->assertSame(3000, $counts['bcrypt'] + $counts['sha1']);
        $scripts = array_filter($counts, static fn (string $kind): bool => str_starts_with($kind, 'script_'), ARRAY_FILTER_USE_KEY);
        $this->assertSame(3000, array_sum($scripts));
        $this->assertArrayNotHasKey('script_emoji', $counts, 'utf8mb3 tables cannot hold emoji');

        $facts = $first->sql('SELECT SUM(b_active = 1 AND b_enabled = 1) feedable, SUM(b_active = 0) inactive, SUM(b_enabled = 0) blocked, SUM(LENGTH(s_password) = 40) sha1, SUM(BINARY s_email <> LOWER(s_email)) mixed_case FROM oc_t_user')[0];
        $this->assertSame($summary['feedable'], (int) $facts['feedable']);
        $this->assertSame($counts['inactive'], (int) $facts['inactive']);
        $this->assertSame($counts['blocked'], (int) $facts['blocked']);
        $this->assertSame($counts['sha1'], (int) $facts['sha1']);
        $this->assertGreaterThan(500, (int) $facts['mixed_case']);

        $descriptions = $first->sql('SELECT fk_c_locale_code, COUNT(*) n FROM oc_t_user_description GROUP BY fk_c_locale_code ORDER BY fk_c_locale_code');
        $this->assertSame([
            ['fk_c_locale_code' => 'en_US', 'n' => $counts['description_en_US']],
            ['fk_c_locale_code' => 'es_ES', 'n' => $counts['description_es_ES']],
        ], $descriptions);
    }

    public function testSeedingAroundAnExistingAddressNumbersTheNewOne(): void
    {
        $site = $this->site('dup', 'ms52', ['--no-plugin']);
        $site->harness('seed', ['--users=1', '--seed=21']);
        $existing = $site->sql('SELECT s_email FROM oc_t_user')[0]['s_email'];
        // Move the user out of the way of the next id, as a user synced from elsewhere would be.
        $site->sql('DELETE FROM oc_t_user_description');
        $site->sql('UPDATE oc_t_user SET pk_i_id = 0');

        [$code, $summary] = $site->harness('seed', ['--users=1', '--seed=21']);

        $this->assertSame(0, $code);
        $this->assertSame(preg_replace('/@/', '.2@', $existing, 1), $site->sql('SELECT s_email FROM oc_t_user WHERE pk_i_id = 1')[0]['s_email']);
        $this->assertSame(1, $summary['first_id']);
    }

    public function testOp84KeepsEmojiNamesIntact(): void
    {
        $site = $this->site('emoji', 'op84', ['--no-plugin']);

        [, $summary] = $site->harness('seed', ['--users=400', '--seed=2']);

        $this->assertGreaterThan(0, $summary['counts']['script_emoji']);
        $emoji = $site->sql('SELECT s_name FROM oc_t_user WHERE pk_i_id = ' . $summary['samples']['emoji']['id'])[0]['s_name'];
        $this->assertContains($emoji, ['Ana 🌟 García', 'Kenji 🍣 Tanaka', '🎸 Lucía Rock']);
    }

    public function testLoginFollowsOsclassRules(): void
    {
        $site = $this->site('login', 'ms52', ['--no-plugin', '--bcrypt-cost=10']);
        [, $summary] = $site->harness('seed', ['--users=300', '--seed=4']);
        $samples = $summary['samples'];
        $login = fn (array $sample, ?string $password = null, array $extra = []): array => $site->harness('login', array_merge(
            ['--email=' . $sample['email'], '--password=' . ($password ?? $sample['password'])],
            $extra
        ));

        [$code, $active] = $login($samples['active']);
        $this->assertSame(0, $code);
        $this->assertSame(['ok' => true, 'user_id' => $samples['active']['id']], array_intersect_key($active, ['ok' => 1, 'user_id' => 1]));

        [, $upperCase] = $login(['email' => strtoupper($samples['active']['email'])] + $samples['active']);
        $this->assertTrue($upperCase['ok']);

        [$code, $wrong] = $login($samples['active'], 'not the password');
        $this->assertSame([3, 'wrong_password'], [$code, $wrong['reason']]);
        [, $inactive] = $login($samples['inactive']);
        $this->assertSame('not_validated', $inactive['reason']);
        [, $blocked] = $login($samples['blocked']);
        $this->assertSame('suspended', $blocked['reason']);
        [$code, $unknown] = $login(['email' => 'nobody@example.com', 'password' => 'x']);
        $this->assertSame([3, 'unknown_email'], [$code, $unknown['reason']]);

        [, $legacy] = $login($samples['sha1'], null, ['--rehash']);
        $this->assertSame(['ok' => true, 'needs_rehash' => true, 'rehashed' => true], array_intersect_key($legacy, ['ok' => 1, 'needs_rehash' => 1, 'rehashed' => 1]));
        $stored = $site->sql('SELECT s_password FROM oc_t_user WHERE pk_i_id = ' . $samples['sha1']['id'])[0]['s_password'];
        $this->assertStringStartsWith('$2y$10$', $stored);
        [, $again] = $login($samples['sha1']);
        $this->assertSame(['ok' => true, 'needs_rehash' => false], array_intersect_key($again, ['ok' => 1, 'needs_rehash' => 1]));
    }

    public function testCronFromTheCommandLineRunsOnlyTheNamedType(): void
    {
        $site = $this->site('cron', 'ms52', ['--no-plugin']);

        [$code] = Environment::run([PHP_BINARY, 'index.php', '-p', 'cron', '-t', 'hourly'], $site->dir);

        $this->assertSame(0, $code);
        $rows = $site->sql('SELECT e_type, d_last_exec, d_next_exec FROM oc_t_cron ORDER BY e_type + 0');
        $this->assertSame('HOURLY', $rows[0]['e_type']);
        $madrid = new \DateTimeImmutable('now', new \DateTimeZone('Europe/Madrid'));
        $this->assertLessThan(120, abs(strtotime($rows[0]['d_last_exec']) - strtotime($madrid->format('Y-m-d H:i:s'))), 'written in the site\'s time zone');
        $this->assertSame(3600, strtotime($rows[0]['d_next_exec']) - (strtotime($rows[0]['d_last_exec']) - strtotime($rows[0]['d_last_exec']) % 60));
        $this->assertSame('1000-01-01 00:00:00', $rows[1]['d_last_exec']);
    }

    public function testRefusesDatabaseNamesOutsideTheTestPrefixes(): void
    {
        [$code, , $err] = Environment::run([
            PHP_BINARY, Environment::repository() . '/tests/harness/site.php', 'create', '--name=x', '--fork=ms52',
            '--port=18999', '--dir=' . sys_get_temp_dir() . '/as_never_made', '--db=osclass', '--no-plugin',
        ]);

        $this->assertSame(2, $code);
        $this->assertSame("site.php: database name osclass is refused: the harness only uses names as_test_* or as_demo_*\n", $err);
        $this->assertDirectoryDoesNotExist(sys_get_temp_dir() . '/as_never_made');
    }

    public function testDropRemovesTheDatabaseAndTheFolder(): void
    {
        $site = new TestSite('drop', 'ms52', ['--no-plugin']);

        [$code, $dropped] = $site->harness('drop');

        $this->assertSame(0, $code);
        $this->assertSame(['dropped' => $site->summary['db'], 'removed' => $site->dir], $dropped);
        $this->assertDirectoryDoesNotExist($site->dir);
        [, $out] = Environment::run(['mysql', '-h127.0.0.1', '-uroot', '-N', '-e', "SHOW DATABASES LIKE '" . $site->summary['db'] . "'"]);
        $this->assertSame('', $out);
    }

    /** @param list<string> $extra */
    private function site(string $name, string $fork, array $extra): TestSite
    {
        $site = new TestSite($name, $fork, $extra);
        $this->sites[] = $site;

        return $site;
    }
}

<?php

declare(strict_types=1);

namespace AccountSync\Tests;

use PHPUnit\Framework\TestCase;

/**
 * The plugin installed in simulated sites: the install hook, api.php and cron.php over
 * php -S, and cli.php, including a whole feed from one site to another.
 */
final class PluginTest extends TestCase
{
    private const API = '/oc-content/plugins/account_sync/api.php';

    /** @var list<TestSite> */
    private array $sites = [];

    /** @var list<array{process: resource, port: int}> */
    private array $servers = [];

    protected function setUp(): void
    {
        Environment::requireLibrary($this);
        Environment::requireDatabase($this);
    }

    protected function tearDown(): void
    {
        foreach ($this->servers as $server) {
            Environment::stopServer($server);
        }
        foreach ($this->sites as $site) {
            $site->drop();
        }
    }

    public function testInstallRecordsThePluginAndGivesTheSiteAKey(): void
    {
        $site = $this->site('inst', 'ms52');

        $this->assertMatchesRegularExpression('/^[0-9a-f]{48}$/', $site->summary['api_key']);
        $preferences = $site->sql("SELECT s_name, s_value FROM oc_t_preference WHERE s_section = 'plugin-account_sync' ORDER BY s_name");
        $this->assertSame([
            ['s_name' => 'api_key', 's_value' => $site->summary['api_key']],
            ['s_name' => 'custom_columns', 's_value' => '[]'],
            ['s_name' => 'feed_limit', 's_value' => '500'],
        ], $preferences);
        $plugins = $site->sql("SELECT s_name, s_value FROM oc_t_preference WHERE s_section = 'osclass' AND s_name IN ('active_plugins', 'installed_plugins') ORDER BY s_name");
        $this->assertSame([['account_sync/index.php'], ['account_sync/index.php']], array_map(
            static fn (array $row): array => unserialize($row['s_value']),
            $plugins
        ));
        $this->assertSame([['n' => 1]], $site->sql("SELECT COUNT(*) n FROM information_schema.TABLES WHERE TABLE_SCHEMA = '" . $site->summary['db'] . "' AND TABLE_NAME = 'oc_t_account_sync_account'"));
    }

    public function testUninstallDropsTheTablesAndPreferences(): void
    {
        $site = $this->site('uninst', 'ms52');

        [$code, $out] = Environment::run([PHP_BINARY, 'harness-plugins.php', 'uninstall', 'account_sync/index.php'], $site->dir);

        $this->assertSame([0, ['ok' => true, 'action' => 'uninstall', 'plugin' => 'account_sync/index.php']], [$code, json_decode($out, true)]);
        $this->assertSame([], $site->sql("SELECT s_name FROM oc_t_preference WHERE s_section = 'plugin-account_sync'"));
        $this->assertSame([['n' => 0]], $site->sql("SELECT COUNT(*) n FROM information_schema.TABLES WHERE TABLE_SCHEMA = '" . $site->summary['db'] . "' AND TABLE_NAME LIKE 'oc_t_account_sync%'"));
    }

    public function testApiAnswersThroughTheLibrary(): void
    {
        $site = $this->site('api', 'op84');
        $url = 'http://127.0.0.1:' . $this->serve($site, ['ffi.enable=1']) . self::API;

        $missing = Environment::http('POST', $url, '{"action":"ping"}', ['Content-Type' => 'application/json']);
        $unknown = Environment::http('POST', $url, '{"action":"ping"}', ['X-AccountSync-Version' => '1', 'X-AccountSync-Key-Id' => str_repeat('ab', 16)]);

        $this->assertSame([401, 'ERR: API Key is missing'], [$missing['status'], $missing['body']]);
        $this->assertStringStartsWith('text/plain', $missing['headers']['content-type']);
        $this->assertSame([403, 'ERR: API Key is invalid - no account found'], [$unknown['status'], $unknown['body']]);
    }

    public function testApiAnswers503WithJsonWhenFfiIsRefused(): void
    {
        $site = $this->site('api503', 'ms52');
        $url = 'http://127.0.0.1:' . $this->serve($site, ['ffi.enable=preload']) . self::API;

        $answer = Environment::http('POST', $url, '{"action":"ping"}', ['X-AccountSync-Key-Id' => 'x']);

        $this->assertSame(503, $answer['status']);
        $this->assertSame('application/json', $answer['headers']['content-type']);
        $this->assertSame(['ok' => false, 'error' => 'the account_sync library is not available on this site'], json_decode($answer['body'], true));
    }

    public function testCronOverHttpRecordsItsRun(): void
    {
        $site = $this->site('cronhttp', 'ms52');
        $port = $this->serve($site, ['ffi.enable=1']);

        $answer = Environment::http('GET', 'http://127.0.0.1:' . $port . '/oc-content/plugins/account_sync/cron.php');

        $this->assertSame(200, $answer['status']);
        $document = json_decode($answer['body'], true);
        // Over HTTP only the outcome shows: no account names, no error texts.
        $this->assertSame(['ok' => true, 'sent' => 0, 'failing_accounts' => 0], $document);
        $lastCron = $site->sql("SELECT s_value FROM oc_t_preference WHERE s_section = 'plugin-account_sync' AND s_name = 'last_cron'");
        $this->assertCount(1, $lastCron);
        $madrid = new \DateTimeImmutable('now', new \DateTimeZone('Europe/Madrid'));
        $this->assertLessThan(120, abs(strtotime($lastCron[0]['s_value']) - strtotime($madrid->format('Y-m-d H:i:s'))));
    }

    public function testCliUsageAndErrors(): void
    {
        $site = $this->site('cli', 'ms52');
        $cli = $site->dir . '/oc-content/plugins/account_sync/cli.php';

        [$usage, , $usageText] = Environment::run([PHP_BINARY, $cli, 'frobnicate']);
        [$missing, , $missingText] = Environment::run([PHP_BINARY, $cli, 'feed', '4242']);
        [$version, $versionText] = Environment::run([PHP_BINARY, $cli, 'version']);
        [$accounts, $table] = Environment::run([PHP_BINARY, $cli, 'accounts']);

        $this->assertSame(2, $usage);
        $this->assertStringStartsWith('usage: php cli.php install', $usageText);
        $this->assertSame(1, $missing);
        $this->assertStringStartsWith('error (AS_ERR_NOT_FOUND): ', $missingText);
        $this->assertSame(0, $version);
        $this->assertMatchesRegularExpression('/^\d+\.\d+\.\d+\S*\n$/', $versionText);
        $this->assertSame([0, "id  name  url  last user id  status  last run\n"], [$accounts, $table]);

        // Wrong usage is exit 2 with a reason, never a silent run.
        $wrong = [
            [['stream', '--bogus'], 'stream: unknown option --bogus'],
            [['feed', '99999999999999999999'], 'feed: the account id must be a whole number from 1'],
            [['feed', '0'], 'feed: the account id must be a whole number from 1'],
            [['feed', '1', '--budget-ms=0'], '--budget-ms must be a whole number of milliseconds from 1'],
        ];
        foreach ($wrong as [$arguments, $message]) {
            [$code, , $text] = Environment::run(array_merge([PHP_BINARY, $cli], $arguments));
            $this->assertSame([2, $message], [$code, strtok($text, "\n")], implode(' ', $arguments));
        }
    }

    public function testCliFeedCopiesEveryServedUserAndPrintsEachBatch(): void
    {
        $source = $this->site('feed_a', 'ms52', ['--locales=en_US,es_ES']);
        $target = $this->site('feed_b', 'op84', ['--locales=en_US,es_ES']);
        [, $seeded] = $source->harness('seed', ['--users=1200', '--seed=9']);
        $this->serve($source, ['ffi.enable=1']);
        $this->addAccount($source, $target);
        $accountId = $this->addAccount($target, $source);
        foreach ([$source, $target] as $site) {
            $site->php("osc_set_preference('feed_limit', '400', 'plugin-account_sync'); echo '{}';");
        }

        [$code, $out, $err] = Environment::run([PHP_BINARY, $target->dir . '/oc-content/plugins/account_sync/cli.php', 'feed', (string) $accountId]);

        $this->assertSame(0, $code, $err);
        $lines = explode("\n", trim($out));
        $batches = (int) ceil($seeded['feedable'] / 400);
        $this->assertCount($batches + 1, $lines);
        $this->assertStringStartsWith('Progress: 100.00% ', $lines[$batches - 1]);
        $this->assertSame(sprintf('Done: %d batches, %d retrieved, %d applied, 0 failed.', $batches, $seeded['feedable'], $seeded['feedable']), $lines[$batches]);
        $this->assertSame([['n' => $seeded['feedable']]], $target->sql('SELECT COUNT(*) n FROM oc_t_user'));
        $sample = $seeded['samples']['active'];
        [$loginCode, $login] = $target->harness('login', ['--email=' . $sample['email'], '--password=' . $sample['password']]);
        $this->assertSame([0, true], [$loginCode, $login['ok']]);
    }

    /** @return int the account's id on $on */
    private function addAccount(TestSite $on, TestSite $for): int
    {
        $account = json_encode([
            'name' => 'Site ' . $for->summary['name'],
            'url' => $for->summary['url'],
            'api_key' => $for->summary['api_key'],
            'columns' => ['s_name', 's_password', 'descriptions'],
        ]);
        $saved = $on->php(sprintf(
            'echo json_encode(AccountSync\Library::instance()->saveAccount(json_decode(%s, true)));',
            var_export($account, true)
        ));

        return (int) $saved['account']['id'];
    }

    /** @param list<string> $extra */
    private function site(string $name, string $fork, array $extra = []): TestSite
    {
        $site = new TestSite($name, $fork, $extra);
        $this->sites[] = $site;

        return $site;
    }

    /** @param list<string> $settings */
    private function serve(TestSite $site, array $settings): int
    {
        $server = Environment::startServerOnPort($site->dir, $settings, $site->port);
        $this->servers[] = $server;

        return $server['port'];
    }
}

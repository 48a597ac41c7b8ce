<?php

declare(strict_types=1);

namespace AccountSync\Tests;

use AccountSync\Config;
use PHPUnit\Framework\TestCase;

final class ConfigTest extends TestCase
{
    private const DATABASE = [
        'host' => '127.0.0.1',
        'user' => 'osclass',
        'password' => 'sécret "quoted"',
        'name' => 'osclass_db',
        'table_prefix' => 'oc_',
    ];

    public function testPlainHostUsesTheDefaultPort(): void
    {
        $this->assertSame(['host' => '127.0.0.1', 'port' => 3306, 'socket' => null], Config::parseDbHost('127.0.0.1'));
    }

    public function testHostWithPort(): void
    {
        $this->assertSame(['host' => 'db.internal', 'port' => 3307, 'socket' => null], Config::parseDbHost('db.internal:3307'));
    }

    public function testHostWithSocket(): void
    {
        $this->assertSame(
            ['host' => 'localhost', 'port' => 3306, 'socket' => '/run/mysqld/mysqld.sock'],
            Config::parseDbHost('localhost:/run/mysqld/mysqld.sock')
        );
    }

    public function testBracketedIpv6WithPort(): void
    {
        $this->assertSame(['host' => '::1', 'port' => 3308, 'socket' => null], Config::parseDbHost('[::1]:3308'));
    }

    public function testPortOutOfRangeIsRefused(): void
    {
        $this->expectException(\InvalidArgumentException::class);
        $this->expectExceptionMessage('DB_HOST port 70000 is out of range');

        Config::parseDbHost('127.0.0.1:70000');
    }

    public function testSettingsBecomeTheDocumentedInitJson(): void
    {
        $config = Config::fromSettings(self::DATABASE, 'http://127.0.0.1:8081', [
            'api_key' => '  0123456789abcdef0123456789abcdef  ',
            'feed_limit' => '250',
            'custom_columns' => '["s_extra"]',
            'allow_plain_http' => '1',
            'timezone' => 'UTC',
        ]);

        $this->assertSame([
            'db' => [
                'host' => '127.0.0.1',
                'port' => 3306,
                'socket' => null,
                'user' => 'osclass',
                'password' => 'sécret "quoted"',
                'name' => 'osclass_db',
            ],
            'table_prefix' => 'oc_',
            'site_url' => 'http://127.0.0.1:8081',
            'api_key' => '0123456789abcdef0123456789abcdef',
            'previous_api_key' => '',
            'previous_key_until' => 0,
            'feed_limit' => 250,
            'custom_columns' => ['s_extra'],
            'http' => ['allow_plain_http' => true],
            'timezone' => ['name' => 'UTC', 'transitions' => [[-2147483648, 0]]],
        ], $config->toArray());
        $this->assertSame(
            '{"db":{"host":"127.0.0.1","port":3306,"socket":null,"user":"osclass","password":"sécret \"quoted\"",'
            . '"name":"osclass_db"},"table_prefix":"oc_","site_url":"http://127.0.0.1:8081",'
            . '"api_key":"0123456789abcdef0123456789abcdef","previous_api_key":"","previous_key_until":0,"feed_limit":250,"custom_columns":["s_extra"],'
            . '"http":{"allow_plain_http":true},"timezone":{"name":"UTC","transitions":[[-2147483648,0]]}}',
            $config->toJson()
        );
    }

    public function testUnsetPreferencesGiveTheDefaults(): void
    {
        $config = Config::fromSettings(['host' => 'db:/tmp/mysql.sock'] + self::DATABASE, 'http://site', []);

        $this->assertSame(['host' => 'db', 'port' => 3306, 'socket' => '/tmp/mysql.sock'], array_slice($config->toArray()['db'], 0, 3));
        $this->assertSame('', $config->apiKey());
        $this->assertSame(500, $config->feedLimit());
        $this->assertSame([], $config->customColumns());
        $this->assertFalse($config->allowPlainHttp());
    }

    public function testCustomColumnsMustBeAJsonList(): void
    {
        $this->expectException(\InvalidArgumentException::class);
        $this->expectExceptionMessage('custom_columns must be a JSON list of column names');

        Config::fromSettings(self::DATABASE, 'http://site', ['custom_columns' => '{"s_extra":1}']);
    }

    public function testFeedLimitMustBeAWholeNumber(): void
    {
        $this->expectException(\InvalidArgumentException::class);
        $this->expectExceptionMessage('feed_limit must be a whole number, not "lots"');

        Config::fromSettings(self::DATABASE, 'http://site', ['feed_limit' => 'lots']);
    }

    public function testWithersReturnChangedCopies(): void
    {
        $original = Config::fromSettings(self::DATABASE, 'http://site', []);

        $changed = $original->withApiKey(' abcdefghijklmnopqrstuvwxyz ')->withFeedLimit(20)
            ->withCustomColumns(['s_a', 's_b'])->withAllowPlainHttp(true);

        $this->assertSame('abcdefghijklmnopqrstuvwxyz', $changed->apiKey());
        $this->assertSame(20, $changed->feedLimit());
        $this->assertSame(['s_a', 's_b'], $changed->customColumns());
        $this->assertTrue($changed->allowPlainHttp());
        $this->assertSame(500, $original->feedLimit());
        $this->assertSame('', $original->apiKey());
    }

    public function testLoadReadsTheSiteItRunsIn(): void
    {
        Environment::requireDatabase($this);
        $site = new TestSite('cfg', 'ms52', ['--no-plugin']);

        try {
            $site->php(
                "osc_set_preference('api_key', 'k0123456789abcdefghij', 'plugin-account_sync');"
                . "osc_set_preference('custom_columns', '[\"s_x\"]', 'plugin-account_sync');"
                . 'echo "{}";'
            );
            $config = $site->php('require ' . var_export(Environment::repository() . '/php-bridge/account_sync/src/autoload.php', true)
                . '; echo json_encode(AccountSync\Config::load()->toArray());');
        } finally {
            $site->drop();
        }

        // The site writes its dates in Osclass' timezone preference (the harness sets Madrid).
        $this->assertSame('Europe/Madrid', $config['timezone']['name']);
        $this->assertGreaterThan(100, count($config['timezone']['transitions']));
        unset($config['timezone']);
        $this->assertSame([
            'db' => ['host' => '127.0.0.1', 'port' => 3306, 'socket' => null, 'user' => 'root', 'password' => '', 'name' => $site->summary['db']],
            'table_prefix' => 'oc_',
            'site_url' => 'http://127.0.0.1:' . $site->port,
            'api_key' => 'k0123456789abcdefghij',
            'previous_api_key' => '',
            'previous_key_until' => 0,
            'feed_limit' => 500,
            'custom_columns' => ['s_x'],
            'http' => ['allow_plain_http' => false],
        ], $config);
    }
}

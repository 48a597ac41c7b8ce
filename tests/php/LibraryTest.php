<?php

declare(strict_types=1);

namespace AccountSync\Tests;

use AccountSync\Config;
use AccountSync\ErrorCode;
use AccountSync\Gateway;
use AccountSync\Library;
use AccountSync\LibraryException;
use PHPUnit\Framework\TestCase;

/**
 * The wrappers against the real library and a real site database (no plugin installed by the
 * harness: the test installs it through the wrapper).
 */
final class LibraryTest extends TestCase
{
    private const API_PATH = '/oc-content/plugins/account_sync/api.php';

    private static ?TestSite $site = null;
    private static ?Library $library = null;

    public static function tearDownAfterClass(): void
    {
        self::$site?->drop();
        self::$site = null;
    }

    protected function setUp(): void
    {
        Environment::requireLibrary($this);
        Environment::requireDatabase($this);

        if (self::$site === null) {
            self::$site = new TestSite('lib', 'ms52', ['--no-plugin', '--locales=en_US,es_ES']);
            self::$library = new Library(Gateway::load(Environment::libraryPath(), Environment::headerPath()));
            self::$library->init($this->config());
        }
    }

    public function testVersionIsTheCrateVersion(): void
    {
        preg_match('/^version = "([^"]+)"/m', (string) file_get_contents(Environment::repository() . '/Cargo.toml'), $m);

        $this->assertSame($m[1], $this->library()->version());
    }

    public function testMalformedConfigurationJsonIsCodeThree(): void
    {
        $ffi = $this->library()->gateway()->ffi();
        $out = $ffi->new('char *');

        $code = $ffi->as_init('{"db": ', \FFI::addr($out));
        $message = \FFI::string($out);
        $ffi->as_string_free($out);

        $this->assertSame(ErrorCode::INVALID_JSON, $code);
        $this->assertStringStartsWith('configuration is not valid: ', $message);
    }

    public function testConfigurationOfTheWrongShapeThrowsCodeThree(): void
    {
        try {
            $this->library()->init(new Config(['db' => 'not an object', 'table_prefix' => 'oc_']));
            $this->fail('as_init accepted a configuration of the wrong shape');
        } catch (LibraryException $e) {
            $this->assertSame(ErrorCode::INVALID_JSON, $e->getCode());
            $this->assertSame('AS_ERR_INVALID_JSON', $e->codeName());
            $this->assertStringStartsWith('configuration is not valid: ', $e->getMessage());
        }
    }

    public function testRefusedValueThrowsCodeFourAndKeepsThePreviousConfiguration(): void
    {
        try {
            $this->library()->init($this->config()->withApiKey('short'));
            $this->fail('as_init accepted a 5-character api_key');
        } catch (LibraryException $e) {
            $this->assertSame(ErrorCode::INVALID_INPUT, $e->getCode());
            $this->assertSame('api_key must be at least 20 characters', $e->getMessage());
        }

        // The site's configuration is still in force: the library still reaches its database.
        $keys = array_keys($this->library()->userColumns());
        sort($keys);
        $this->assertSame(['columns', 'custom_candidates', 'synced'], $keys);
    }

    public function testInstallCreatesTheTablesOnce(): void
    {
        $first = $this->library()->install();
        $again = $this->library()->install();

        $this->assertSame(0, $first['from']);
        $this->assertGreaterThanOrEqual(1, $first['to']);
        $this->assertSame($first['to'], $again['from']);
        $this->assertSame($first['to'], $again['to']);
        $tables = array_column(self::$site->sql("SHOW TABLES LIKE 'oc_t_account_sync%'"), 'Tables_in_' . self::$site->summary['db'] . ' (oc_t_account_sync%)');
        $this->assertContains('oc_t_account_sync_account', $tables);
        $this->assertContains('oc_t_account_sync_log', $tables);
    }

    /** @depends testInstallCreatesTheTablesOnce */
    public function testAccountsRoundTrip(): void
    {
        $key = str_repeat('b', 48);
        $saved = $this->library()->saveAccount([
            'name' => 'Site B',
            'url' => 'http://127.0.0.1:9',
            'api_key' => $key,
            'columns' => ['s_name', 'descriptions'],
        ])['account'];

        $this->assertSame('Site B', $saved['name']);
        $this->assertSame('http://127.0.0.1:9', $saved['url']);
        $this->assertSame(['s_name', 'descriptions'], $saved['columns']);
        $this->assertStringNotContainsString($key, json_encode($saved));
        $this->assertSame($saved, $this->library()->account($saved['id'])['account']);
        $this->assertContains($saved['id'], array_column($this->library()->accounts()['accounts'], 'id'));
        $this->assertSame(['account_id' => $saved['id'], 'name' => 'Site B'], $this->library()->verifyKey($key));

        $this->library()->deleteAccount($saved['id']);

        $this->assertNotContains($saved['id'], array_column($this->library()->accounts()['accounts'], 'id'));
        $this->assertNativeError(ErrorCode::NOT_FOUND, fn () => $this->library()->account($saved['id']));
    }

    /** @depends testInstallCreatesTheTablesOnce */
    public function testUnknownKeyIsCodeTen(): void
    {
        $this->assertNativeError(ErrorCode::AUTH, fn () => $this->library()->verifyKey(str_repeat('z', 40)));
    }

    /** @depends testInstallCreatesTheTablesOnce */
    public function testFeedOfAMissingAccountIsCodeEight(): void
    {
        $this->assertNativeError(ErrorCode::NOT_FOUND, fn () => $this->library()->feed(987654, 1000, 1));
    }

    public function testNulByteInAStringArgumentIsRefusedBeforeTheCall(): void
    {
        $this->assertNativeError(ErrorCode::INVALID_INPUT, fn () => $this->library()->verifyKey("abc\0def"));
    }

    /** @depends testInstallCreatesTheTablesOnce */
    public function testRequestWithoutKeyIdIsRefusedWith401(): void
    {
        $answer = $this->library()->handleRequest('POST', self::API_PATH, ['Content-Type' => 'application/json'], '{"action":"ping"}', '127.0.0.1');

        $this->assertSame(401, $answer['status']);
        $this->assertSame('ERR: API Key is missing', $answer['body']);
    }

    /** @depends testInstallCreatesTheTablesOnce */
    public function testBinaryBodyReachesTheLibraryWithItsLength(): void
    {
        $headers = ['X-AccountSync-Version' => '1', 'X-AccountSync-Key-Id' => str_repeat('0', 32)];

        $answer = $this->library()->handleRequest('POST', self::API_PATH, $headers, "\0\xff\xfe binary \0", '127.0.0.1');
        $empty = $this->library()->handleRequest('POST', self::API_PATH, $headers, '', '127.0.0.1');

        $this->assertSame(403, $answer['status']);
        $this->assertSame('ERR: API Key is invalid - no account found', $answer['body']);
        $this->assertSame(403, $empty['status']);
    }

    /** @depends testRequestWithoutKeyIdIsRefusedWith401 */
    public function testRefusalsAreLoggedAndPrunable(): void
    {
        $logs = $this->library()->logs([]);
        $this->assertGreaterThanOrEqual(1, $logs['total']);
        $this->assertSame($logs['logs'][0], $this->library()->logs(['page' => 1, 'per_page' => 1])['logs'][0]);

        $entry = $this->library()->log((int) $logs['logs'][0]['id'])['log'];
        $this->assertSame($logs['logs'][0]['id'], $entry['id']);

        $this->assertSame(['deleted' => 0], $this->library()->pruneLogs(['keep_days' => 30]));
        $this->assertNativeError(ErrorCode::NOT_FOUND, fn () => $this->library()->log(99999999));
    }

    public function testUserColumnsListTheSyncedOnesOnly(): void
    {
        $columns = $this->library()->userColumns();

        $this->assertContains('s_email', $columns['columns']);
        $this->assertContains('s_secret', $columns['columns']);
        $this->assertContains('s_name', $columns['synced']);
        $this->assertNotContains('s_secret', $columns['synced']);
        $this->assertNotContains('pk_i_id', $columns['synced']);
    }

    public function testStreamWithoutAccountsSendsNothing(): void
    {
        $result = $this->library()->streamPending(100);

        $this->assertFalse($result['busy']);
        $this->assertSame([], $result['accounts']);
        $this->assertSame(0, $result['pruned']);
    }

    public function testEveryStringTheLibraryHandsOutIsFreed(): void
    {
        $library = $this->library();
        try {
            $library->verifyKey(str_repeat('q', 30));
        } catch (LibraryException) {
        }
        $library->userColumns();

        $counts = $library->stringCounts();
        $this->assertGreaterThanOrEqual(2, $counts['received']);
        $this->assertSame($counts['received'], $counts['freed']);
    }

    public function testFailingCallsDoNotLeakTheirMessages(): void
    {
        $library = $this->library();
        $refused = $this->config()->withFeedLimit(0);
        $rss = static fn (): int => (int) explode(' ', (string) file_get_contents('/proc/self/statm'))[1] * 4096;

        for ($i = 0; $i < 20000; $i++) {
            $this->callRefused($library, $refused);
        }
        $before = $rss();
        for ($i = 0; $i < 100000; $i++) {
            $this->callRefused($library, $refused);
        }
        $growth = $rss() - $before;

        // Measured here: 100,000 unfreed messages add about 9 MiB; freed ones add nothing once
        // the allocator is warm.
        $this->assertLessThan(4 * 1024 * 1024, $growth, sprintf('resident memory grew by %d bytes', $growth));
    }

    public function testInstanceKeepsOneLibraryPerProcess(): void
    {
        $first = Library::instance($this->config());
        $second = Library::instance($this->config());

        $this->assertSame($first, $second);
        $this->assertSame($first->version(), $first->initResult()['version']);
        $schema = array_keys($first->initResult()['schema']);
        sort($schema);
        $this->assertSame(['capture', 'current', 'installed'], $schema);
    }

    private function callRefused(Library $library, Config $refused): void
    {
        try {
            $library->init($refused);
        } catch (LibraryException $e) {
            if ($e->getCode() !== ErrorCode::INVALID_INPUT) {
                throw $e;
            }
        }
    }

    private function assertNativeError(int $code, callable $call): void
    {
        try {
            $call();
            $this->fail(sprintf('expected %s', ErrorCode::name($code)));
        } catch (LibraryException $e) {
            $this->assertSame(ErrorCode::name($code), $e->codeName(), $e->getMessage());
            $this->assertNotSame('', $e->getMessage());
        }
    }

    private function config(): Config
    {
        return Config::fromSettings(
            ['host' => '127.0.0.1', 'user' => 'root', 'password' => '', 'name' => self::$site->summary['db'], 'table_prefix' => 'oc_'],
            self::$site->summary['url'],
            ['api_key' => str_repeat('a', 48)]
        );
    }

    private function library(): Library
    {
        return self::$library;
    }
}

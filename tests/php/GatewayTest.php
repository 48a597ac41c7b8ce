<?php

declare(strict_types=1);

namespace AccountSync\Tests;

use AccountSync\FfiUnavailable;
use AccountSync\Gateway;
use PHPUnit\Framework\TestCase;

final class GatewayTest extends TestCase
{
    private string $savedLibrary = '';

    protected function setUp(): void
    {
        $this->savedLibrary = (string) getenv('ACCOUNT_SYNC_LIB');
    }

    protected function tearDown(): void
    {
        putenv('ACCOUNT_SYNC_LIB=' . $this->savedLibrary);
    }

    public function testMissingLibraryFileIsNamed(): void
    {
        $this->expectException(FfiUnavailable::class);
        $this->expectExceptionMessage('The account_sync library /nonexistent/libaccount_sync.so does not exist or cannot be read.');

        Gateway::load('/nonexistent/libaccount_sync.so', Environment::repository() . '/include/account_sync.h');
    }

    public function testMissingHeaderFileIsNamed(): void
    {
        Environment::requireLibrary($this);

        $this->expectException(FfiUnavailable::class);
        $this->expectExceptionMessage('The account_sync header /nonexistent/account_sync.h does not exist or cannot be read.');

        Gateway::load(Environment::libraryPath(), '/nonexistent/account_sync.h');
    }

    public function testLibraryNamedByTheEnvironmentMustExist(): void
    {
        putenv('ACCOUNT_SYNC_LIB=/nonexistent/from-env.so');

        $this->expectException(FfiUnavailable::class);
        $this->expectExceptionMessage('The account_sync library /nonexistent/from-env.so (from the environment variable ACCOUNT_SYNC_LIB) does not exist.');

        Gateway::libraryPath();
    }

    /**
     * @runInSeparateProcess
     * @preserveGlobalState disabled
     */
    public function testConstantWinsOverTheEnvironment(): void
    {
        define('ACCOUNT_SYNC_LIB', '/nonexistent/from-constant.so');

        $this->expectException(FfiUnavailable::class);
        $this->expectExceptionMessage('(from the constant ACCOUNT_SYNC_LIB)');

        Gateway::libraryPath();
    }

    public function testCommittedHeaderLoadsWithCdef(): void
    {
        Environment::requireLibrary($this);

        $gateway = Gateway::load(Environment::libraryPath(), Environment::headerPath());

        $this->assertSame(Environment::libraryPath() . ' with ' . Environment::headerPath(), $gateway->origin());
        $this->assertTrue($gateway->declares('as_init'));
        $this->assertTrue($gateway->declares('as_string_free'));
        $this->assertFalse($gateway->declares('as_no_such_function'));
    }

    public function testHeaderThatCdefRefusesGivesTheParserMessage(): void
    {
        Environment::requireLibrary($this);
        $header = tempnam(sys_get_temp_dir(), 'as_header_');
        // A C++-style enum base, as some cbindgen settings write it: FFI's C parser stops at ':'.
        file_put_contents($header, "enum as_code : uint32_t { AS_OK = 0 };\nconst char *as_version(void);\n");

        try {
            Gateway::load(Environment::libraryPath(), $header);
            $this->fail('a header FFI cannot parse must be refused');
        } catch (FfiUnavailable $e) {
            $this->assertSame(
                'Loading ' . Environment::libraryPath() . ' with the header ' . $header . " failed: unexpected ':' at line 1",
                $e->getMessage()
            );
        } finally {
            unlink($header);
        }
    }

    public function testScopedHeaderStartsWithTheLinesFfiLoadNeeds(): void
    {
        Environment::requireLibrary($this);

        $scoped = Gateway::scopedHeader('/opt/lib "x"/libaccount_sync.so', Environment::headerPath());

        $lines = explode("\n", $scoped, 3);
        $this->assertSame('#define FFI_SCOPE "ACCOUNT_SYNC"', $lines[0]);
        $this->assertSame('#define FFI_LIB "/opt/lib \\"x\\"/libaccount_sync.so"', $lines[1]);
        $this->assertSame(file_get_contents(Environment::headerPath()), $lines[2]);
    }

    public function testDisabledFfiSaysWhichSettingToChange(): void
    {
        [$code, $out] = Environment::run([PHP_BINARY, '-d', 'ffi.enable=0', '-r', $this->probeCode()]);

        $this->assertSame(0, $code);
        $this->assertSame(
            'PHP FFI is disabled by ffi.enable=0. Set ffi.enable=1 in the php.ini of this SAPI (cli), '
            . 'or ffi.enable=preload together with opcache.preload pointing at the plugin\'s preload.php.',
            json_decode($out, true)['error']
        );
    }

    public function testWebSapiWithoutPreloadingExplainsBothWays(): void
    {
        Environment::requireLibrary($this);
        [$root, $server] = $this->probeServer(['ffi.enable=preload']);

        try {
            $answer = json_decode(Environment::http('GET', 'http://127.0.0.1:' . $server['port'] . '/probe.php')['body'], true);
        } finally {
            Environment::stopServer($server);
            $this->removeProbe($root);
        }

        $this->assertStringStartsWith('PHP FFI is restricted for this SAPI (cli-server) by ffi.enable=preload', $answer['error']);
        $this->assertStringContainsString('php -d ffi.enable=1 -S', $answer['error']);
        $this->assertStringContainsString('opcache.preload', $answer['error']);
    }

    public function testPreloadedBridgeMayUseFfiOnTheWebSapi(): void
    {
        Environment::requireLibrary($this);
        $settings = $this->preloadSettings();
        [$root, $server] = $this->probeServer($settings);

        try {
            $answer = json_decode(Environment::http('GET', 'http://127.0.0.1:' . $server['port'] . '/probe.php')['body'], true);
        } finally {
            Environment::stopServer($server);
            $this->removeProbe($root);
        }

        $this->assertSame(['origin' => Environment::libraryPath() . ' with ' . Environment::headerPath()], $answer);
    }

    public function testPreloadedBridgeFindsTheScopeFromFfiPreload(): void
    {
        Environment::requireLibrary($this);
        $scoped = tempnam(sys_get_temp_dir(), 'as_scope_');
        file_put_contents($scoped, Gateway::scopedHeader(Environment::libraryPath(), Environment::headerPath()));
        [$root, $server] = $this->probeServer(array_merge($this->preloadSettings(), ['ffi.preload=' . $scoped]));

        try {
            $answer = json_decode(Environment::http('GET', 'http://127.0.0.1:' . $server['port'] . '/probe.php')['body'], true);
        } finally {
            Environment::stopServer($server);
            $this->removeProbe($root);
            unlink($scoped);
        }

        $this->assertSame(['origin' => 'scope ACCOUNT_SYNC'], $answer);
    }

    /** @return list<string> */
    private function preloadSettings(): array
    {
        $settings = [
            'ffi.enable=preload',
            'opcache.enable=1',
            'opcache.preload=' . Environment::repository() . '/php-bridge/account_sync/preload.php',
        ];
        if (function_exists('posix_geteuid') && posix_geteuid() === 0) {
            // PHP refuses to preload as root without naming the user to preload as.
            $settings[] = 'opcache.preload_user=root';
        }

        return $settings;
    }

    private function probeCode(): string
    {
        return sprintf(
            'require %s; try { echo json_encode(["origin" => AccountSync\Gateway::instance()->origin()]); }'
            . ' catch (AccountSync\FfiUnavailable $e) { echo json_encode(["error" => $e->getMessage()]); }',
            var_export(Environment::repository() . '/php-bridge/account_sync/src/autoload.php', true)
        );
    }

    /**
     * @param list<string> $settings
     * @return array{0: string, 1: array{process: resource, port: int}}
     */
    private function probeServer(array $settings): array
    {
        $root = sys_get_temp_dir() . '/' . Environment::unique('as_probe');
        mkdir($root);
        file_put_contents($root . '/probe.php', "<?php\n" . $this->probeCode() . "\n");

        return [$root, Environment::startServer($root, $settings)];
    }

    private function removeProbe(string $root): void
    {
        unlink($root . '/probe.php');
        rmdir($root);
    }
}

<?php

declare(strict_types=1);

/*
 * The endpoint other sites call: {site}/oc-content/plugins/account_sync/api.php.
 * Everything about the request (method, signature, body) is decided by the library; this
 * file only hands the raw request over and writes the answer back.
 */

use AccountSync\FfiUnavailable;
use AccountSync\Library;
use AccountSync\LibraryException;

// Answers with a JSON error; used whenever the library cannot answer itself.
$refuse = static function (int $status, string $error): void {
    http_response_code($status);
    header('Content-Type: application/json');
    echo json_encode(['ok' => false, 'error' => $error], JSON_UNESCAPED_SLASHES);
};

// The request headers, name => value, from getallheaders() or $_SERVER.
$requestHeaders = static function (): array {
    if (function_exists('getallheaders')) {
        $headers = getallheaders();
        if (is_array($headers)) {
            return array_map('strval', $headers);
        }
    }

    $headers = [];
    foreach ($_SERVER as $key => $value) {
        if (strncmp((string) $key, 'HTTP_', 5) === 0) {
            $name = str_replace(' ', '-', ucwords(strtolower(str_replace('_', ' ', substr((string) $key, 5)))));
            $headers[$name] = (string) $value;
        }
    }
    foreach (['CONTENT_TYPE' => 'Content-Type', 'CONTENT_LENGTH' => 'Content-Length'] as $key => $name) {
        if (isset($_SERVER[$key]) && $_SERVER[$key] !== '') {
            $headers[$name] = (string) $_SERVER[$key];
        }
    }

    return $headers;
};

try {
    require_once __DIR__ . '/osclass-load.php';
} catch (Throwable $e) {
    error_log('account_sync api.php: Osclass could not be loaded: ' . $e->getMessage());
    $refuse(503, 'this site cannot load Osclass');
    return;
}

if (!function_exists('account_sync_install')) {
    $refuse(503, 'account_sync is not enabled on this site');
    return;
}

try {
    $answer = Library::instance()->handleRequest(
        (string) ($_SERVER['REQUEST_METHOD'] ?? 'GET'),
        (string) parse_url((string) ($_SERVER['REQUEST_URI'] ?? '/'), PHP_URL_PATH),
        $requestHeaders(),
        (string) file_get_contents('php://input'),
        (string) ($_SERVER['REMOTE_ADDR'] ?? '')
    );
} catch (FfiUnavailable $e) {
    // The details name files and settings of this server: they go to its log only.
    error_log('account_sync api.php: ' . $e->getMessage());
    $refuse(503, 'the account_sync library is not available on this site');
    return;
} catch (LibraryException $e) {
    error_log(sprintf('account_sync api.php: %s: %s', $e->codeName(), $e->getMessage()));
    $refuse(503, 'the account_sync library failed (' . $e->codeName() . ')');
    return;
}

http_response_code((int) ($answer['status'] ?? 500));
header('Content-Type: ' . (string) ($answer['content_type'] ?? 'application/json'));
echo (string) ($answer['body'] ?? '');

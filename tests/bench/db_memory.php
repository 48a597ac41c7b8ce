<?php

declare(strict_types=1);

/*
 * Watches the memory MariaDB spends on the connections to some databases, until a stop
 * file appears, then prints the highest MAX_MEMORY_USED seen per database as JSON:
 *
 *   php tests/bench/db_memory.php STOP_FILE DB [DB...]
 *
 * MariaDB keeps MAX_MEMORY_USED per connection in information_schema.PROCESSLIST (the
 * session's own SHOW STATUS LIKE 'Max_memory_used' is visible only inside that session).
 * The peak is kept by the server, so polling only has to see a connection once before it
 * closes; a connection opened and closed between two polls is missed.
 */

if (PHP_SAPI !== 'cli' || $argc < 3) {
    fwrite(STDERR, "usage: php tests/bench/db_memory.php STOP_FILE DB [DB...]\n");
    exit(2);
}

$stop = $argv[1];
$databases = array_slice($argv, 2);
$db = new mysqli('127.0.0.1', 'root', '', '', 3306);
$own = (int) $db->query('SELECT CONNECTION_ID()')->fetch_row()[0];
$in = implode(', ', array_map(static fn (string $d): string => "'" . $db->real_escape_string($d) . "'", $databases));
$peak = array_fill_keys($databases, 0);
$connections = array_fill_keys($databases, []);

do {
    $rows = $db->query(
        "SELECT ID, DB, MAX_MEMORY_USED FROM information_schema.PROCESSLIST WHERE DB IN ($in) AND ID <> $own"
    );
    foreach ($rows as $row) {
        $name = (string) $row['DB'];
        $peak[$name] = max($peak[$name], (int) $row['MAX_MEMORY_USED']);
        $connections[$name][(int) $row['ID']] = true;
    }
    usleep(50000);
} while (!file_exists($stop));

$out = [];
foreach ($databases as $name) {
    $out[$name] = ['max_memory_used' => $peak[$name], 'connections' => count($connections[$name])];
}
echo json_encode($out), "\n";

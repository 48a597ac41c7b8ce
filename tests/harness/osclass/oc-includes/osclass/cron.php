<?php

declare(strict_types=1);

/*
 * Cron as Osclass runs it: each type's t_cron row is moved on first, then its cron_<type>
 * hook fires; the cron hook fires at the end of every run. From the command line only the
 * named type runs; over HTTP every type that is due runs.
 *
 * Expects $harnessCli and $harnessCronType from index.php.
 */

$harnessCronTypes = [
    'minutely' => '+5 minutes',
    'hourly' => '+1 hour',
    'daily' => '+1 day',
    'weekly' => '+1 week',
    'monthly' => '+1 month',
    'yearly' => '+1 year',
];
if (HARNESS_FORK !== 'op84') {
    unset($harnessCronTypes['minutely'], $harnessCronTypes['monthly'], $harnessCronTypes['yearly']);
}

$harnessDb = HarnessDatabase::connection();
$harnessNow = time();
foreach ($harnessCronTypes as $harnessType => $harnessInterval) {
    $harnessUpper = strtoupper($harnessType);
    $harnessRow = $harnessDb->query(sprintf(
        "SELECT d_next_exec FROM %st_cron WHERE e_type = '%s'",
        DB_TABLE_PREFIX,
        $harnessUpper
    ))->fetch_assoc();

    if ($harnessCli) {
        $harnessDue = $harnessCronType === $harnessType;
    } else {
        $harnessNext = $harnessRow === null ? 0 : (int) strtotime((string) $harnessRow['d_next_exec']);
        $harnessDue = $harnessNow - $harnessNext + 60 >= 0;
    }
    if (!$harnessDue) {
        continue;
    }

    $harnessMinute = $harnessNow - $harnessNow % 60;
    $harnessStatement = $harnessDb->prepare(sprintf(
        'UPDATE %st_cron SET d_last_exec = ?, d_next_exec = ? WHERE e_type = ?',
        DB_TABLE_PREFIX
    ));
    $harnessLast = date('Y-m-d H:i:s', $harnessNow);
    $harnessNextExec = date('Y-m-d H:i:s', (int) strtotime($harnessInterval, $harnessMinute));
    $harnessStatement->bind_param('sss', $harnessLast, $harnessNextExec, $harnessUpper);
    $harnessStatement->execute();

    osc_run_hook('cron_' . $harnessType);
}

osc_run_hook('cron');

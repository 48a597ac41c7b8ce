<?php declare(strict_types=1); ?>
<!DOCTYPE html>
<html lang="en">
<head>
    <meta charset="utf-8">
    <title><?php echo osc_esc_html($title); ?> « Osclass back office</title>
    <link rel="stylesheet" href="<?php echo osc_esc_html($css); ?>">
</head>
<body class="harness-bare">

<?php

declare(strict_types=1);

namespace AccountSync\Harness;

/**
 * A login checked the way Osclass' login controller checks it: the user is found by e-mail
 * (the column's collation ignores case), the password must verify (bcrypt, or the SHA-1 of old
 * versions), then an unvalidated user (b_active=0) and a blocked one (b_enabled=0) are refused.
 * Osclass re-hashes a password that is not bcrypt or has another cost right after the password
 * check; that is done only when asked, since it changes the row.
 */
final class Login
{
    /** @return array<string, mixed> {"ok":true,"user_id":N,...} or {"ok":false,"reason":...} */
    public static function attempt(Site $site, string $email, string $password, bool $rehash): array
    {
        $db = $site->connection();
        $statement = $db->prepare('SELECT pk_i_id, s_password, b_active, b_enabled FROM oc_t_user WHERE s_email = ?');
        $email = trim($email);
        $statement->bind_param('s', $email);
        $statement->execute();
        $user = $statement->get_result()->fetch_assoc();

        if ($user === null) {
            return ['ok' => false, 'reason' => 'unknown_email'];
        }
        $id = (int) $user['pk_i_id'];
        if (!Passwords::verify($password, (string) $user['s_password'])) {
            return ['ok' => false, 'reason' => 'wrong_password', 'user_id' => $id];
        }

        $needsRehash = Passwords::needsRehash((string) $user['s_password'], $site->bcryptCost());
        $rehashed = false;
        if ($needsRehash && $rehash) {
            $hash = password_hash($password, PASSWORD_BCRYPT, ['cost' => $site->bcryptCost()]);
            $update = $db->prepare('UPDATE oc_t_user SET s_password = ? WHERE pk_i_id = ?');
            $update->bind_param('si', $hash, $id);
            $update->execute();
            $rehashed = true;
        }

        $result = ['user_id' => $id, 'needs_rehash' => $needsRehash, 'rehashed' => $rehashed];
        if ((int) $user['b_active'] !== 1) {
            return ['ok' => false, 'reason' => 'not_validated'] + $result;
        }
        if ((int) $user['b_enabled'] !== 1) {
            return ['ok' => false, 'reason' => 'suspended'] + $result;
        }

        return ['ok' => true] + $result;
    }
}

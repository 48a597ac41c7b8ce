//! Which local user an account's user ids stand for. E-mails change; a person's id on the
//! other site does not, so the receiver remembers the pair the first time it applies a user
//! and finds the same person by it afterwards.

use std::collections::HashMap;

use mysql::prelude::Queryable;
use mysql::Value as Sql;

use crate::domain::email;
use crate::error::Result;
use crate::storage::{id_params, select_ids, select_in, Tables};

/// The local users these remote ids stand for: remote id to (local id, normalised e-mail).
pub fn lookup(
    conn: &mut impl Queryable,
    t: &Tables,
    account_id: i64,
    remote_ids: &[u64],
) -> Result<HashMap<u64, (u64, String)>> {
    let rows: Vec<(u64, u64, String)> = select_in(
        conn,
        |list| {
            format!(
                "SELECT i.i_remote_id, u.pk_i_id, u.s_email FROM {} i JOIN {} u ON u.pk_i_id = i.fk_i_user_id
                 WHERE i.fk_i_account_id = ? AND i.i_remote_id IN ({list})",
                t.plugin("identity"),
                t.osclass("user")
            )
        },
        &[Sql::Int(account_id)],
        &id_params(remote_ids),
    )?;
    Ok(rows
        .into_iter()
        .map(|(remote, local, address)| (remote, (local, email::normalise(&address))))
        .collect())
}

/// The account's ids of these local users, where known: local id to remote id.
pub fn remote_ids(
    conn: &mut impl Queryable,
    t: &Tables,
    account_id: i64,
    local_ids: &[u64],
) -> Result<HashMap<u64, u64>> {
    let rows: Vec<(u64, u64)> = select_in(
        conn,
        |list| {
            format!(
                "SELECT fk_i_user_id, i_remote_id FROM {} WHERE fk_i_account_id = ? AND fk_i_user_id IN ({list})",
                t.plugin("identity")
            )
        },
        &[Sql::Int(account_id)],
        &id_params(local_ids),
    )?;
    Ok(rows.into_iter().collect())
}

/// A remote user this site has applied: who it is here, and the digest of the feed record
/// it was applied from (none when it came another way).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    pub remote: u64,
    pub local: u64,
    pub digest: Option<String>,
}

/// Remembers pairs of one account. A pair without a digest forgets the one it had: the user
/// changed here since, so the next feed fetches it in full.
pub fn remember(
    conn: &mut impl Queryable,
    t: &Tables,
    account_id: i64,
    pairs: &[Pair],
) -> Result<()> {
    for chunk in pairs.chunks(10_000) {
        let values = vec!["(?, ?, ?, ?)"; chunk.len()].join(", ");
        let params: Vec<Sql> = chunk
            .iter()
            .flat_map(|p| {
                [
                    Sql::Int(account_id),
                    Sql::UInt(p.remote),
                    Sql::UInt(p.local),
                    p.digest.as_deref().map(Sql::from).unwrap_or(Sql::NULL),
                ]
            })
            .collect();
        conn.exec_drop(
            format!(
                "INSERT INTO {} (fk_i_account_id, i_remote_id, fk_i_user_id, s_digest) VALUES {values}
                 ON DUPLICATE KEY UPDATE fk_i_user_id = VALUES(fk_i_user_id), s_digest = VALUES(s_digest)",
                t.plugin("identity")
            ),
            params,
        )?;
    }
    Ok(())
}

/// Forgets what the feeds of accounts other than `account_id` remembered of these local users.
pub fn forget_digests_elsewhere(
    conn: &mut impl Queryable,
    t: &Tables,
    account_id: i64,
    local_ids: &[u64],
) -> Result<()> {
    for chunk in local_ids.chunks(10_000) {
        let mut params = vec![Sql::Int(account_id)];
        params.extend(id_params(chunk));
        conn.exec_drop(
            format!(
                "UPDATE {} SET s_digest = NULL WHERE fk_i_account_id <> ? AND s_digest IS NOT NULL AND fk_i_user_id IN ({})",
                t.plugin("identity"),
                crate::storage::placeholders(chunk.len())
            ),
            params,
        )?;
    }
    Ok(())
}

/// The digests remembered for these remote ids of one account, where the local user still
/// exists: remote id to digest.
pub fn digests(
    conn: &mut impl Queryable,
    t: &Tables,
    account_id: i64,
    remote_ids: &[u64],
) -> Result<HashMap<u64, String>> {
    let rows: Vec<(u64, String)> = select_ids(
        conn,
        "i.i_remote_id",
        |condition| {
            format!(
                "SELECT i.i_remote_id, i.s_digest FROM {} i JOIN {} u ON u.pk_i_id = i.fk_i_user_id
                 WHERE i.fk_i_account_id = ? AND i.s_digest IS NOT NULL AND {condition}",
                t.plugin("identity"),
                t.osclass("user")
            )
        },
        &[Sql::Int(account_id)],
        remote_ids,
        |r: &(u64, String)| r.0,
    )?;
    Ok(rows.into_iter().collect())
}

/// Whether this site holds a user it applied from the account's feed with an id above
/// `cursor`: a feed from there asks for digests first.
pub fn any_after(
    conn: &mut impl Queryable,
    t: &Tables,
    account_id: i64,
    cursor: u64,
) -> Result<bool> {
    let found: Option<u8> = conn.exec_first(
        format!(
            "SELECT 1 FROM {} i JOIN {} u ON u.pk_i_id = i.fk_i_user_id
             WHERE i.fk_i_account_id = ? AND i.i_remote_id > ? AND i.s_digest IS NOT NULL LIMIT 1",
            t.plugin("identity"),
            t.osclass("user")
        ),
        (account_id, cursor),
    )?;
    Ok(found.is_some())
}

/// Forgets a local user that was removed.
pub fn forget_user(conn: &mut impl Queryable, t: &Tables, user_id: u64) -> Result<()> {
    conn.exec_drop(
        format!(
            "DELETE FROM {} WHERE fk_i_user_id = ?",
            t.plugin("identity")
        ),
        (user_id,),
    )?;
    Ok(())
}

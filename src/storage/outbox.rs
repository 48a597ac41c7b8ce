//! The outbox: changes waiting to reach each account, and the versions that order them.

use std::collections::{BTreeMap, HashMap};

use mysql::prelude::Queryable;
use mysql::Value as Sql;

use crate::error::Result;
use crate::storage::{placeholders, select_ids, select_in, take_column, text_params, Tables};

/// One recorded change of a local user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub id: u64,
    pub user_id: u64,
    pub email: String,
    pub old_email: Option<String>,
    pub event: String,
    /// Changed columns, comma-separated; `*` for all of them.
    pub columns: String,
    pub version: u64,
}

pub use crate::domain::record::Version;

/// Changes not yet acknowledged by this account, oldest first.
pub fn pending(
    conn: &mut impl Queryable,
    t: &Tables,
    account_id: i64,
    limit: u64,
) -> Result<Vec<Change>> {
    let rows: Vec<mysql::Row> = conn.exec(
        format!(
            "SELECT o.pk_i_id, o.fk_i_user_id, o.s_email, o.s_old_email, o.e_event, o.s_columns, o.i_version
             FROM {} o LEFT JOIN {} d ON d.fk_i_outbox_id = o.pk_i_id AND d.fk_i_account_id = ?
             WHERE d.fk_i_outbox_id IS NULL ORDER BY o.pk_i_id LIMIT ?",
            t.plugin("outbox"),
            t.plugin("delivery")
        ),
        (account_id, limit),
    )?;
    rows.into_iter()
        .map(|mut r| {
            Ok(Change {
                id: take_column(&mut r, 0, "outbox id")?,
                user_id: take_column(&mut r, 1, "user id")?,
                email: take_column(&mut r, 2, "e-mail")?,
                old_email: take_column(&mut r, 3, "previous e-mail")?,
                event: take_column(&mut r, 4, "event")?,
                columns: take_column(&mut r, 5, "columns")?,
                version: take_column(&mut r, 6, "version")?,
            })
        })
        .collect()
}

/// How many changes this account still has to receive.
pub fn count_pending(conn: &mut impl Queryable, t: &Tables, account_id: i64) -> Result<u64> {
    Ok(conn
        .exec_first(
            format!(
                "SELECT COUNT(*) FROM {} o LEFT JOIN {} d ON d.fk_i_outbox_id = o.pk_i_id AND d.fk_i_account_id = ?
                 WHERE d.fk_i_outbox_id IS NULL",
                t.plugin("outbox"),
                t.plugin("delivery")
            ),
            (account_id,),
        )?
        .unwrap_or(0))
}

pub fn mark_delivered(
    conn: &mut impl Queryable,
    t: &Tables,
    account_id: i64,
    ids: &[u64],
) -> Result<()> {
    for chunk in ids.chunks(10_000) {
        let values = vec!["(?, ?)"; chunk.len()].join(", ");
        let params: Vec<Sql> = chunk
            .iter()
            .flat_map(|id| [Sql::Int(account_id), Sql::UInt(*id)])
            .collect();
        conn.exec_drop(
            format!(
                "INSERT IGNORE INTO {} (fk_i_account_id, fk_i_outbox_id) VALUES {values}",
                t.plugin("delivery")
            ),
            params,
        )?;
    }
    Ok(())
}

/// Records a change seen by a hook (the triggers record the same change themselves).
pub fn record_hook(
    conn: &mut impl Queryable,
    t: &Tables,
    user_id: u64,
    email: &str,
    old_email: Option<&str>,
    event: &str,
    columns: &str,
) -> Result<()> {
    conn.exec_drop(
        format!(
            "INSERT INTO {} (fk_i_user_id, s_email, s_old_email, e_event, s_columns, i_version, e_source, dt_date)
             VALUES (?, ?, ?, ?, ?, CAST(UNIX_TIMESTAMP(NOW(6)) * 1000000 AS UNSIGNED), 'hook', NOW())",
            t.plugin("outbox")
        ),
        (user_id, email, old_email, event, columns),
    )?;
    Ok(())
}

/// The versions of these local users' columns: the newest of what was applied here and what
/// this site changed itself (still in the outbox, or folded into the version table). A user's
/// map may hold `*`, standing for every column (see `record::version_in`).
pub fn versions(
    conn: &mut impl Queryable,
    t: &Tables,
    user_ids: &[u64],
    site_id: &str,
) -> Result<HashMap<u64, BTreeMap<String, Version>>> {
    let mut out: HashMap<u64, BTreeMap<String, Version>> = HashMap::new();
    if user_ids.is_empty() {
        return Ok(out);
    }
    let mut keep = |user: u64, column: &str, v: Version| {
        let columns = out.entry(user).or_default();
        match columns.get_mut(column) {
            Some(slot) if *slot >= v => {}
            Some(slot) => *slot = v,
            None => {
                columns.insert(column.to_string(), v);
            }
        }
    };
    let stored: Vec<(u64, String, u64, String)> = select_ids(
        conn,
        "fk_i_user_id",
        |condition| {
            format!(
                "SELECT fk_i_user_id, s_column, i_version, s_origin FROM {} WHERE {condition}",
                t.plugin("version")
            )
        },
        &[],
        user_ids,
        |r: &(u64, String, u64, String)| r.0,
    )?;
    for (user, column, at, origin) in stored {
        keep(user, &column, Version { at, origin });
    }
    let local: Vec<(u64, String, u64)> = select_ids(
        conn,
        "fk_i_user_id",
        |condition| {
            format!(
                "SELECT fk_i_user_id, s_columns, i_version FROM {} WHERE {condition}",
                t.plugin("outbox")
            )
        },
        &[],
        user_ids,
        |r: &(u64, String, u64)| r.0,
    )?;
    for (user, columns, at) in local {
        for column in columns.split(',').filter(|c| !c.is_empty()) {
            keep(
                user,
                column,
                Version {
                    at,
                    origin: site_id.to_string(),
                },
            );
        }
    }
    Ok(out)
}

/// `*` stands for every column and the descriptions.
pub fn expand(columns: &str, all_columns: &[&str]) -> Vec<String> {
    if columns == "*" {
        let mut all: Vec<String> = all_columns.iter().map(|c| c.to_string()).collect();
        all.push(crate::domain::columns::DESCRIPTIONS.to_string());
        return all;
    }
    columns
        .split(',')
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

/// Remembers the versions of values applied here (newer ones win).
pub fn set_versions(
    conn: &mut impl Queryable,
    t: &Tables,
    rows: &[(u64, String, Version)],
) -> Result<()> {
    for chunk in rows.chunks(10_000) {
        let values = vec!["(?, ?, ?, ?)"; chunk.len()].join(", ");
        let params: Vec<Sql> = chunk
            .iter()
            .flat_map(|(user, column, v)| {
                [
                    Sql::UInt(*user),
                    Sql::from(column.as_str()),
                    Sql::UInt(v.at),
                    Sql::from(v.origin.as_str()),
                ]
            })
            .collect();
        conn.exec_drop(
            format!(
                "INSERT INTO {} (fk_i_user_id, s_column, i_version, s_origin) VALUES {values}
                 ON DUPLICATE KEY UPDATE
                   s_origin = IF(VALUES(i_version) > i_version OR (VALUES(i_version) = i_version AND VALUES(s_origin) > s_origin), VALUES(s_origin), s_origin),
                   i_version = GREATEST(i_version, VALUES(i_version))",
                t.plugin("version")
            ),
            params,
        )?;
    }
    Ok(())
}

pub fn forget_versions(conn: &mut impl Queryable, t: &Tables, user_id: u64) -> Result<()> {
    conn.exec_drop(
        format!("DELETE FROM {} WHERE fk_i_user_id = ?", t.plugin("version")),
        (user_id,),
    )?;
    Ok(())
}

/// The version at which this e-mail was last removed, if it was.
pub fn tombstone(conn: &mut impl Queryable, t: &Tables, email: &str) -> Result<Option<Version>> {
    let row: Option<(u64, String)> = conn.exec_first(
        format!(
            "SELECT i_version, s_origin FROM {} WHERE s_email = ?",
            t.plugin("tombstone")
        ),
        (email,),
    )?;
    Ok(row.map(|(at, origin)| Version { at, origin }))
}

/// The tombstones of these normalised e-mails.
pub fn tombstones(
    conn: &mut impl Queryable,
    t: &Tables,
    emails: &[String],
) -> Result<HashMap<String, Version>> {
    let rows: Vec<(String, u64, String)> = select_in(
        conn,
        |list| {
            format!(
                "SELECT s_email, i_version, s_origin FROM {} WHERE s_email IN ({list})",
                t.plugin("tombstone")
            )
        },
        &[],
        &text_params(emails),
    )?;
    Ok(rows
        .into_iter()
        .map(|(address, at, origin)| (address.to_lowercase(), Version { at, origin }))
        .collect())
}

pub fn set_tombstone(
    conn: &mut impl Queryable,
    t: &Tables,
    email: &str,
    v: &Version,
) -> Result<()> {
    conn.exec_drop(
        format!(
            "INSERT INTO {} (s_email, i_version, s_origin, dt_date) VALUES (?, ?, ?, NOW())
             ON DUPLICATE KEY UPDATE s_origin = IF(VALUES(i_version) > i_version, VALUES(s_origin), s_origin),
                                     i_version = GREATEST(i_version, VALUES(i_version)), dt_date = NOW()",
            t.plugin("tombstone")
        ),
        (email, v.at, &v.origin),
    )?;
    Ok(())
}

/// Removes changes every account has, folding their versions into the version table first
/// so that ordering survives the pruning. Returns how many went.
pub fn prune(
    conn: &mut impl Queryable,
    t: &Tables,
    site_id: &str,
    all_columns: &[&str],
) -> Result<u64> {
    let accounts: u64 = conn
        .query_first(format!("SELECT COUNT(*) FROM {}", t.plugin("account")))?
        .unwrap_or(0);
    let done: Vec<(u64, u64, String, u64, String)> = conn.exec(
        format!(
            "SELECT o.pk_i_id, o.fk_i_user_id, o.s_columns, o.i_version, o.e_event FROM {} o
             WHERE (SELECT COUNT(*) FROM {} d JOIN {} a ON a.pk_i_id = d.fk_i_account_id
                    WHERE d.fk_i_outbox_id = o.pk_i_id) >= ? LIMIT 10000",
            t.plugin("outbox"),
            t.plugin("delivery"),
            t.plugin("account")
        ),
        (accounts,),
    )?;
    if done.is_empty() {
        return Ok(0);
    }
    let mut versions = Vec::new();
    for (_, user, columns, at, event) in &done {
        if event != "delete" {
            // A registration's `*` stays one row: it stands for every column.
            let columns = if columns == "*" {
                vec!["*".to_string()]
            } else {
                expand(columns, all_columns)
            };
            for column in columns {
                versions.push((
                    *user,
                    column,
                    Version {
                        at: *at,
                        origin: site_id.to_string(),
                    },
                ));
            }
        }
    }
    set_versions(conn, t, &versions)?;
    let ids: Vec<Sql> = done.iter().map(|d| Sql::UInt(d.0)).collect();
    for chunk in ids.chunks(10_000) {
        conn.exec_drop(
            format!(
                "DELETE FROM {} WHERE fk_i_outbox_id IN ({})",
                t.plugin("delivery"),
                placeholders(chunk.len())
            ),
            chunk.to_vec(),
        )?;
        conn.exec_drop(
            format!(
                "DELETE FROM {} WHERE pk_i_id IN ({})",
                t.plugin("outbox"),
                placeholders(chunk.len())
            ),
            chunk.to_vec(),
        )?;
    }
    Ok(done.len() as u64)
}

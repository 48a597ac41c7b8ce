//! The accounts table: the other sites, their keys, cursors and counters.

use mysql::prelude::Queryable;
use mysql::{Conn, Row};

use crate::domain::account::{Account, AccountInput};
use crate::error::{Error, Result};
use crate::storage::{take_column, Tables};
use crate::transport::signing::{self, key_id};

const COLUMNS: &str =
    "pk_i_id, s_name, s_url, s_api_key, s_columns, i_last_user_id, i_synced_from, \
    i_synced_to, s_last_status, s_last_message, DATE_FORMAT(dt_last_date, '%Y-%m-%d %H:%i:%s'), \
    IF(dt_prev_key_until > NOW(), s_prev_api_key, NULL), \
    IF(dt_prev_key_until > NOW(), DATE_FORMAT(dt_prev_key_until, '%Y-%m-%d %H:%i:%s'), NULL)";

/// How long an account keeps accepting the other site's previous key after a new one was
/// entered.
pub const PREVIOUS_KEY_GRACE_DAYS: u32 = 7;

fn from_row(mut row: Row) -> Result<Account> {
    let id: i64 = take_column(&mut row, 0, "id")?;
    let columns: String = take_column(&mut row, 4, "column list")?;
    let columns: Vec<String> = serde_json::from_str(&columns)
        .map_err(|e| Error::database(format!("account {id} has unreadable columns: {e}")))?;
    Ok(Account {
        id,
        name: take_column(&mut row, 1, "name")?,
        url: take_column(&mut row, 2, "url")?,
        api_key: take_column(&mut row, 3, "key")?,
        columns,
        last_user_id: take_column(&mut row, 5, "last user id")?,
        synced_from: take_column(&mut row, 6, "synced from")?,
        synced_to: take_column(&mut row, 7, "synced to")?,
        last_status: take_column(&mut row, 8, "status")?,
        last_message: take_column(&mut row, 9, "message")?,
        last_date: take_column(&mut row, 10, "date")?,
        previous_api_key: take_column(&mut row, 11, "previous key")?,
        previous_key_until: take_column(&mut row, 12, "previous key's end")?,
    })
}

pub fn list(conn: &mut Conn, t: &Tables) -> Result<Vec<Account>> {
    let rows: Vec<Row> = conn.query(format!(
        "SELECT {COLUMNS} FROM {} ORDER BY s_name, pk_i_id",
        t.plugin("account")
    ))?;
    rows.into_iter().map(from_row).collect()
}

pub fn get(conn: &mut Conn, t: &Tables, id: i64) -> Result<Account> {
    let row: Option<Row> = conn.exec_first(
        format!(
            "SELECT {COLUMNS} FROM {} WHERE pk_i_id = ?",
            t.plugin("account")
        ),
        (id,),
    )?;
    row.map(from_row)
        .unwrap_or_else(|| Err(Error::not_found(format!("account {id} does not exist"))))
}

/// The account whose key, or whose previous key still in its grace period, has this
/// fingerprint; with the key that matched.
pub fn find_by_key_id(
    conn: &mut Conn,
    t: &Tables,
    key_id: &str,
) -> Result<Option<(Account, String)>> {
    let row: Option<Row> = conn.exec_first(
        format!(
            "SELECT {COLUMNS} FROM {} WHERE s_key_id = ? OR (s_prev_key_id = ? AND dt_prev_key_until > NOW())
             ORDER BY s_key_id = ? DESC LIMIT 1",
            t.plugin("account")
        ),
        (key_id, key_id, key_id),
    )?;
    let Some(account) = row.map(from_row).transpose()? else {
        return Ok(None);
    };
    let key = if signing::key_id(&account.api_key) == key_id {
        account.api_key.clone()
    } else {
        account.previous_api_key.clone().unwrap_or_default()
    };
    Ok(Some((account, key)))
}

/// Creates or changes an account from validated input and returns it as stored.
pub fn save(conn: &mut Conn, t: &Tables, input: &AccountInput) -> Result<Account> {
    let columns = serde_json::to_string(&input.columns).unwrap_or_else(|_| "[]".into());
    let key_clash = |e: mysql::Error| match &e {
        mysql::Error::MySqlError(m) if m.code == 1062 => {
            Error::input("another account already holds this API key")
        }
        _ => Error::from(e),
    };

    if input.id > 0 {
        let existing = get(conn, t, input.id)?;
        if input
            .api_key
            .as_ref()
            .is_some_and(|k| *k != existing.api_key)
        {
            // The other site may still sign with the key it had: accept it for a while.
            conn.exec_drop(
                format!(
                    "UPDATE {} SET s_prev_api_key = ?, s_prev_key_id = ?, dt_prev_key_until = NOW() + INTERVAL ? DAY
                     WHERE pk_i_id = ?",
                    t.plugin("account")
                ),
                (&existing.api_key, key_id(&existing.api_key), PREVIOUS_KEY_GRACE_DAYS, input.id),
            )?;
        }
        let key = input.api_key.clone().unwrap_or(existing.api_key);
        conn.exec_drop(
            format!(
                "UPDATE {} SET s_name = ?, s_url = ?, s_api_key = ?, s_key_id = ?, s_columns = ?, i_last_user_id = ? WHERE pk_i_id = ?",
                t.plugin("account")
            ),
            (&input.name, &input.url, &key, key_id(&key), &columns, input.last_user_id, input.id),
        )
        .map_err(key_clash)?;
        return get(conn, t, input.id);
    }

    let key = input.api_key.clone().unwrap_or_default();
    conn.exec_drop(
        format!(
            "INSERT INTO {} (s_name, s_url, s_api_key, s_key_id, s_columns, i_last_user_id, s_last_message, dt_created)
             VALUES (?, ?, ?, ?, ?, ?, '', NOW())",
            t.plugin("account")
        ),
        (&input.name, &input.url, &key, key_id(&key), &columns, input.last_user_id),
    )
    .map_err(key_clash)?;
    let id = conn.last_insert_id() as i64;
    get(conn, t, id)
}

pub fn delete(conn: &mut Conn, t: &Tables, id: i64) -> Result<()> {
    conn.exec_drop(
        format!("DELETE FROM {} WHERE pk_i_id = ?", t.plugin("account")),
        (id,),
    )?;
    if conn.affected_rows() == 0 {
        return Err(Error::not_found(format!("account {id} does not exist")));
    }
    Ok(())
}

/// Records the outcome of a feed batch: the new cursor and counter only move together with
/// the batch they describe, inside the caller's transaction.
pub fn record_feed_batch(
    conn: &mut impl Queryable,
    t: &Tables,
    id: i64,
    last_user_id: u64,
    applied: u64,
    status: &str,
    message: &str,
) -> Result<()> {
    conn.exec_drop(
        format!(
            "UPDATE {} SET i_last_user_id = ?, i_synced_from = i_synced_from + ?, s_last_status = ?,
             s_last_message = ?, dt_last_date = NOW() WHERE pk_i_id = ?",
            t.plugin("account")
        ),
        (last_user_id, applied, status, message, id),
    )?;
    Ok(())
}

/// Writes status, message and date without touching the cursor.
pub fn record_status(
    conn: &mut impl Queryable,
    t: &Tables,
    id: i64,
    status: &str,
    message: &str,
) -> Result<()> {
    conn.exec_drop(
        format!(
            "UPDATE {} SET s_last_status = ?, s_last_message = ?, dt_last_date = NOW() WHERE pk_i_id = ?",
            t.plugin("account")
        ),
        (status, message, id),
    )?;
    Ok(())
}

/// Adds to the counters: users received from the account, and changes it took from here.
pub fn add_counters(
    conn: &mut impl Queryable,
    t: &Tables,
    id: i64,
    from: u64,
    to: u64,
) -> Result<()> {
    conn.exec_drop(
        format!(
            "UPDATE {} SET i_synced_from = i_synced_from + ?, i_synced_to = i_synced_to + ? WHERE pk_i_id = ?",
            t.plugin("account")
        ),
        (from, to, id),
    )?;
    Ok(())
}

/// Stream delivery state: how many runs in a row failed and when to try again.
pub fn stream_state(conn: &mut impl Queryable, t: &Tables, id: i64) -> Result<(u32, bool)> {
    let row: Option<(u32, i64)> = conn.exec_first(
        format!(
            "SELECT i_stream_failures, COALESCE(dt_stream_retry > NOW(), 0) FROM {} WHERE pk_i_id = ?",
            t.plugin("account")
        ),
        (id,),
    )?;
    Ok(row.map(|(f, wait)| (f, wait == 1)).unwrap_or((0, false)))
}

/// After a failed run: the next try waits longer each time, with jitter so that many sites
/// do not all come back at the same second.
pub fn stream_failed(
    conn: &mut impl Queryable,
    t: &Tables,
    id: i64,
    delay_seconds: u64,
) -> Result<()> {
    conn.exec_drop(
        format!(
            "UPDATE {} SET i_stream_failures = i_stream_failures + 1, dt_stream_retry = NOW() + INTERVAL ? SECOND WHERE pk_i_id = ?",
            t.plugin("account")
        ),
        (delay_seconds, id),
    )?;
    Ok(())
}

pub fn stream_succeeded(conn: &mut impl Queryable, t: &Tables, id: i64) -> Result<()> {
    conn.exec_drop(
        format!(
            "UPDATE {} SET i_stream_failures = 0, dt_stream_retry = NULL WHERE pk_i_id = ?",
            t.plugin("account")
        ),
        (id,),
    )?;
    Ok(())
}

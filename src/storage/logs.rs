//! The log table: one row for every PROCESS, FEED and STREAM step.

use mysql::prelude::Queryable;
use mysql::{Conn, Row, Value as Sql};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::storage::{take_column, Tables};

/// The longest content kept for one entry; longer content is cut with a marker, so that a
/// feed page of many megabytes does not make the log table the largest of the site.
const MAX_CONTENT: usize = 64 * 1024;
const MAX_RESPONSE: usize = 4 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LogType {
    PROCESS,
    FEED,
    STREAM,
}

impl LogType {
    fn as_str(self) -> &'static str {
        match self {
            LogType::PROCESS => "PROCESS",
            LogType::FEED => "FEED",
            LogType::STREAM => "STREAM",
        }
    }
}

/// A log entry to write. `key` is already masked.
#[derive(Debug, Clone)]
pub struct NewLog<'a> {
    pub kind: LogType,
    pub account_id: Option<i64>,
    pub account_name: &'a str,
    pub key: &'a str,
    pub ip: &'a str,
    pub status: i32,
    pub response: String,
    pub content: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct LogEntry {
    pub id: u64,
    #[serde(rename = "type")]
    pub kind: String,
    pub account_id: Option<i64>,
    pub account_name: String,
    pub key: String,
    pub ip: String,
    pub date: String,
    pub status: i32,
    pub response: String,
    pub content: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogFilter {
    #[serde(rename = "type")]
    pub kind: Option<LogType>,
    pub account_id: Option<i64>,
    pub status: Option<i32>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    pub keep_days: Option<u32>,
    pub keep_last: Option<u64>,
}

fn cut(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!(
        "{}… [{} more bytes not kept]",
        &text[..end],
        text.len() - end
    )
}

pub fn write(conn: &mut impl Queryable, t: &Tables, log: &NewLog) -> Result<()> {
    conn.exec_drop(
        format!(
            "INSERT INTO {} (e_type, fk_i_account_id, s_account_name, s_key, s_ip, dt_date, i_status, s_response, s_content)
             VALUES (?, ?, ?, ?, ?, NOW(), ?, ?, ?)",
            t.plugin("log")
        ),
        (
            log.kind.as_str(),
            log.account_id,
            cut(log.account_name, 100),
            cut(log.key, 40),
            cut(log.ip, 64),
            log.status,
            cut(&log.response, MAX_RESPONSE),
            cut(&log.content, MAX_CONTENT),
        ),
    )?;
    Ok(())
}

const SELECT: &str = "SELECT pk_i_id, e_type, fk_i_account_id, s_account_name, s_key, s_ip, \
    DATE_FORMAT(dt_date, '%Y-%m-%d %H:%i:%s'), i_status, COALESCE(s_response, ''), ";

fn from_row(mut row: Row) -> Result<LogEntry> {
    Ok(LogEntry {
        id: take_column(&mut row, 0, "id")?,
        kind: take_column(&mut row, 1, "type")?,
        account_id: take_column(&mut row, 2, "account id")?,
        account_name: take_column(&mut row, 3, "account name")?,
        key: take_column(&mut row, 4, "key")?,
        ip: take_column(&mut row, 5, "ip")?,
        date: take_column(&mut row, 6, "date")?,
        status: take_column(&mut row, 7, "status")?,
        response: take_column(&mut row, 8, "response")?,
        content: take_column(&mut row, 9, "content")?,
    })
}

fn check_date(field: &str, value: &str) -> Result<()> {
    let ok = value.len() == 10
        && value.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if ok {
        Ok(())
    } else {
        Err(Error::input(format!(
            "{field} must be a date written YYYY-MM-DD"
        )))
    }
}

/// One page of entries, newest first, with the number of entries the filter matches.
pub fn list(conn: &mut Conn, t: &Tables, filter: &LogFilter) -> Result<(u64, Vec<LogEntry>)> {
    let mut conditions = Vec::new();
    let mut params: Vec<Sql> = Vec::new();
    if let Some(kind) = filter.kind {
        conditions.push("e_type = ?");
        params.push(kind.as_str().into());
    }
    if let Some(id) = filter.account_id {
        conditions.push("fk_i_account_id = ?");
        params.push(id.into());
    }
    if let Some(status) = filter.status {
        conditions.push("i_status = ?");
        params.push(status.into());
    }
    if let Some(from) = &filter.from {
        check_date("from", from)?;
        conditions.push("dt_date >= ?");
        params.push(format!("{from} 00:00:00").into());
    }
    if let Some(to) = &filter.to {
        check_date("to", to)?;
        conditions.push("dt_date <= ?");
        params.push(format!("{to} 23:59:59").into());
    }
    let per_page = filter.per_page.unwrap_or(50);
    if per_page == 0 || per_page > 500 {
        return Err(Error::input("per_page must be between 1 and 500"));
    }
    let page = filter.page.unwrap_or(1).max(1);
    let clause = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };

    let total: u64 = conn
        .exec_first(
            format!("SELECT COUNT(*) FROM {} {clause}", t.plugin("log")),
            params.clone(),
        )?
        .unwrap_or(0);
    params.push((per_page as u64).into());
    params.push(((page as u64 - 1) * per_page as u64).into());
    let rows: Vec<Row> = conn.exec(
        format!(
            "{SELECT} LEFT(COALESCE(s_content, ''), 300) FROM {} {clause} ORDER BY pk_i_id DESC LIMIT ? OFFSET ?",
            t.plugin("log")
        ),
        params,
    )?;
    let entries = rows.into_iter().map(from_row).collect::<Result<Vec<_>>>()?;
    Ok((total, entries))
}

pub fn get(conn: &mut Conn, t: &Tables, id: u64) -> Result<LogEntry> {
    let row: Option<Row> = conn.exec_first(
        format!(
            "{SELECT} COALESCE(s_content, '') FROM {} WHERE pk_i_id = ?",
            t.plugin("log")
        ),
        (id,),
    )?;
    row.map(from_row)
        .unwrap_or_else(|| Err(Error::not_found(format!("log entry {id} does not exist"))))
}

/// Deletes entries older than N days, or all but the last N; returns how many went.
pub fn prune(conn: &mut Conn, t: &Tables, retention: &Retention) -> Result<u64> {
    match (retention.keep_days, retention.keep_last) {
        (Some(days), None) => {
            conn.exec_drop(
                format!(
                    "DELETE FROM {} WHERE dt_date < NOW() - INTERVAL ? DAY",
                    t.plugin("log")
                ),
                (days,),
            )?;
        }
        (None, Some(last)) => {
            let threshold: Option<u64> = conn.exec_first(
                format!(
                    "SELECT pk_i_id FROM {} ORDER BY pk_i_id DESC LIMIT 1 OFFSET ?",
                    t.plugin("log")
                ),
                (last.saturating_sub(1),),
            )?;
            match threshold {
                Some(id) if last > 0 => conn.exec_drop(
                    format!("DELETE FROM {} WHERE pk_i_id < ?", t.plugin("log")),
                    (id,),
                )?,
                Some(_) => conn.query_drop(format!("DELETE FROM {}", t.plugin("log")))?,
                None => return Ok(0),
            }
        }
        _ => {
            return Err(Error::input(
                "give either keep_days or keep_last, not both and not neither",
            ))
        }
    }
    Ok(conn.affected_rows())
}

/// Authentication failures from one address in the last minutes, to slow a guesser down.
pub fn recent_auth_failures(conn: &mut Conn, t: &Tables, ip: &str, minutes: u32) -> Result<u64> {
    Ok(conn
        .exec_first(
            format!(
                "SELECT COUNT(*) FROM {} WHERE s_ip = ? AND dt_date >= NOW() - INTERVAL ? MINUTE AND i_status IN (401, 403)",
                t.plugin("log")
            ),
            (ip, minutes),
        )?
        .unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_on_a_character_boundary() {
        let text = "é".repeat(10);
        let c = cut(&text, 5);
        assert!(c.starts_with("éé"));
        assert!(c.contains("more bytes not kept"));
        assert_eq!(cut("short", 10), "short");
    }

    #[test]
    fn dates_must_be_plain_days() {
        assert!(check_date("from", "2026-12-04").is_ok());
        assert!(check_date("from", "2026-12-04' OR 1=1").is_err());
        assert!(check_date("from", "04/12/2026").is_err());
    }
}

//! Osclass' user tables: `t_user` and `t_user_description`, read and written by the sync.

use std::collections::{BTreeMap, HashMap};

use mysql::prelude::Queryable;
use mysql::{Conn, Row, Value as Sql};

use crate::domain::columns;
use crate::domain::email;
use crate::domain::record::{UserRecord, Value};
use crate::domain::time::TimeZone;
use crate::error::{Error, Result};
use crate::storage::{id_params, placeholders, select_ids, select_in, text_params, Tables};

/// The most parameters one prepared statement may carry (the protocol's limit is 65535).
const MAX_PARAMS: usize = 60_000;
/// Parameters of one multi-row insert: large enough to save round trips, small enough that
/// the server's memory for the statement stays modest.
const INSERT_PARAMS: usize = 12_000;

/// A column of the site's real user table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnInfo {
    pub name: String,
    pub data_type: String,
    pub max_chars: Option<u64>,
    pub scale: Option<u32>,
}

impl ColumnInfo {
    pub fn is_integer(&self) -> bool {
        matches!(
            self.data_type.as_str(),
            "tinyint" | "smallint" | "mediumint" | "int" | "bigint"
        )
    }

    pub fn is_decimal(&self) -> bool {
        self.data_type == "decimal"
    }

    /// Floating point: the server's text of such a value is rounded, so it cannot stand for
    /// the value in a comparison or a digest.
    pub fn is_float(&self) -> bool {
        matches!(self.data_type.as_str(), "float" | "double" | "real")
    }
}

/// What this site's user table looks like: its columns (in table order), the locales it can
/// hold descriptions for, and the custom columns the owner chose to sync.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserTable {
    pub columns: Vec<ColumnInfo>,
    pub locales: Vec<String>,
    pub custom: Vec<String>,
    /// Column name to its place in `columns`.
    index: HashMap<String, usize>,
    /// The zone the site writes its dates in.
    pub zone: TimeZone,
}

impl UserTable {
    /// Reads the real table shape. A custom column must exist and be neither a synced nor a
    /// site-local column; otherwise the configuration is refused.
    pub fn load(conn: &mut Conn, t: &Tables, custom: &[String]) -> Result<UserTable> {
        let rows: Vec<(String, String, Option<u64>, Option<u32>)> = conn.exec(
            "SELECT column_name, data_type, character_maximum_length, numeric_scale
             FROM information_schema.columns WHERE table_schema = DATABASE() AND table_name = ?
             ORDER BY ordinal_position",
            (t.raw_osclass("user"),),
        )?;
        if rows.is_empty() {
            return Err(Error::database(format!(
                "the table {} does not exist in this database; is the table prefix right?",
                t.raw_osclass("user")
            )));
        }
        let columns: Vec<ColumnInfo> = rows
            .into_iter()
            .map(|(name, data_type, max_chars, scale)| ColumnInfo {
                name,
                data_type: data_type.to_lowercase(),
                max_chars,
                scale,
            })
            .collect();

        for name in custom {
            if !columns.iter().any(|c| &c.name == name) {
                return Err(Error::input(format!(
                    "custom column {name:?} does not exist in {}",
                    t.raw_osclass("user")
                )));
            }
            if columns::is_site_local(name) || columns::is_synced(name) {
                return Err(Error::input(format!(
                    "{name} cannot be a custom column: it is {}",
                    if columns::is_synced(name) {
                        "synced already"
                    } else {
                        "local to each site"
                    }
                )));
            }
        }

        let locales: Vec<String> = conn.query(format!(
            "SELECT pk_c_code FROM {} ORDER BY pk_c_code",
            t.osclass("locale")
        ))?;
        Ok(UserTable::new(columns, locales, custom.to_vec()))
    }

    pub fn new(columns: Vec<ColumnInfo>, locales: Vec<String>, custom: Vec<String>) -> UserTable {
        let index = columns
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name.clone(), i))
            .collect();
        UserTable {
            columns,
            locales,
            custom,
            index,
            zone: TimeZone::default(),
        }
    }

    pub fn column(&self, name: &str) -> Option<&ColumnInfo> {
        self.index.get(name).map(|i| &self.columns[*i])
    }

    pub fn has(&self, name: &str) -> bool {
        self.column(name).is_some()
    }

    /// The columns this site sends and accepts: the synced ones it has, then its custom ones.
    pub fn travelling(&self) -> Vec<&str> {
        let mut out: Vec<&str> = columns::SYNCED
            .iter()
            .copied()
            .filter(|c| self.has(c))
            .collect();
        out.extend(self.custom.iter().map(String::as_str));
        out
    }

    /// What an account may select: the travelling columns and the descriptions.
    pub fn selectable(&self) -> Vec<String> {
        let mut out: Vec<String> = self.travelling().into_iter().map(str::to_string).collect();
        out.push(columns::DESCRIPTIONS.to_string());
        out
    }

    /// Columns of the table that could be offered as custom columns.
    pub fn custom_candidates(&self) -> Vec<String> {
        self.columns
            .iter()
            .map(|c| c.name.clone())
            .filter(|c| !columns::is_synced(c) && !columns::is_site_local(c))
            .collect()
    }

    /// Marks the locales this site has in which the user has no description, so that the
    /// receiver can remove one it still holds.
    pub fn mark_absent_descriptions(&self, record: &mut UserRecord) {
        record.absent_locales = self
            .locales
            .iter()
            .filter(|l| !record.descriptions.contains_key(*l))
            .cloned()
            .collect();
    }

    pub fn has_locale(&self, code: &str) -> bool {
        self.locales.iter().any(|l| l == code)
    }
}

/// Converts what the server returned into the value that travels.
pub fn to_value(info: &ColumnInfo, value: Sql) -> Value {
    match value {
        Sql::NULL => Value::Null,
        Sql::Int(i) => Value::Int(i),
        Sql::UInt(u) => Value::Int(u as i64),
        Sql::Bytes(bytes) => {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            if info.is_integer() {
                text.parse().map(Value::Int).unwrap_or(Value::Text(text))
            } else {
                Value::Text(text)
            }
        }
        Sql::Float(f) => Value::Text(f.to_string()),
        Sql::Double(f) => Value::Text(f.to_string()),
        Sql::Date(y, m, d, h, i, s, _) => {
            Value::Text(format!("{y:04}-{m:02}-{d:02} {h:02}:{i:02}:{s:02}"))
        }
        Sql::Time(neg, days, h, i, s, _) => Value::Text(format!(
            "{}{:02}:{i:02}:{s:02}",
            if neg { "-" } else { "" },
            days * 24 + h as u32
        )),
    }
}

pub fn to_sql(value: &Value) -> Sql {
    match value {
        Value::Null => Sql::NULL,
        Value::Int(i) => Sql::Int(*i),
        Value::Text(s) => Sql::Bytes(s.as_bytes().to_vec()),
    }
}

/// Whether a stored value already equals an incoming one, as the column would store it.
/// Decimals are compared at the column's scale, since sites differ in precision.
pub fn same_value(info: &ColumnInfo, stored: &Value, incoming: &Value) -> bool {
    if info.is_decimal() {
        if let (Some(a), Some(b)) = (decimal(stored), decimal(incoming)) {
            let half_step = 0.5 * 10f64.powi(-(info.scale.unwrap_or(0) as i32));
            return (a - b).abs() < half_step;
        }
    }
    if info.is_integer() {
        if let (Value::Int(a), Value::Text(b)) | (Value::Text(b), Value::Int(a)) =
            (stored, incoming)
        {
            return b.trim().parse::<i64>().ok() == Some(*a);
        }
    }
    stored == incoming
}

fn decimal(v: &Value) -> Option<f64> {
    match v {
        Value::Int(i) => Some(*i as f64),
        Value::Text(s) => s.trim().parse().ok(),
        Value::Null => None,
    }
}

fn select_list(cols: &[&str]) -> String {
    cols.iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The descriptions of `cols`, looked up once for a whole result set.
fn infos<'a>(table: &'a UserTable, cols: &[&str]) -> Vec<&'a ColumnInfo> {
    cols.iter()
        .map(|c| table.column(c).expect("columns come from the table"))
        .collect()
}

fn read_columns(infos: &[&ColumnInfo], mut row: Row, offset: usize) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for (i, info) in infos.iter().enumerate() {
        let value = row.take::<Sql, _>(i + offset).unwrap_or(Sql::NULL);
        out.insert(info.name.clone(), to_value(info, value));
    }
    out
}

/// One page of the feed this site serves.
#[derive(Debug, Clone)]
pub struct FeedPage {
    /// Source user id and record, ascending by id.
    pub records: Vec<(u64, UserRecord)>,
    /// The digest of each record's row (`row_digest`), in the same order.
    pub rows: Vec<String>,
    /// Whether users follow the page.
    pub more: bool,
    /// (total, remaining after the page), when asked for.
    pub totals: Option<(u64, u64)>,
}

/// Records by user id, and the digests of their rows (empty when not read), in the same order.
pub type Served = (Vec<(u64, UserRecord)>, Vec<String>);

/// What a query reads of each user besides its id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// The travelling columns.
    Columns,
    /// The travelling columns and the row's digest.
    ColumnsAndDigest,
    /// The row's digest alone: records come without columns.
    Digest,
}

/// Active and enabled users after `cursor`, at most `limit`, with their descriptions. One
/// row more than the limit is read to know whether more follow; counting every user (a full
/// scan) happens only when `totals` asks for it.
pub fn feed_page(
    conn: &mut Conn,
    t: &Tables,
    table: &UserTable,
    cursor: u64,
    limit: u64,
    totals: bool,
    reading: Reading,
) -> Result<FeedPage> {
    let rows: Vec<Row> = conn.exec(
        format!(
            "SELECT pk_i_id, {} FROM {} WHERE b_active = 1 AND b_enabled = 1 AND pk_i_id > ? ORDER BY pk_i_id LIMIT ?",
            read_list(table, reading),
            t.osclass("user")
        ),
        (cursor, limit + 1),
    )?;
    let more = rows.len() as u64 > limit;
    let (records, digests) = records_of(
        conn,
        t,
        table,
        rows.into_iter().take(limit as usize),
        reading,
    )?;

    let totals = if totals {
        let next = records.last().map(|(id, _)| *id).unwrap_or(cursor);
        let counted: Option<(u64, u64)> = conn.exec_first(
            format!(
                "SELECT COUNT(*), COALESCE(SUM(pk_i_id > ?), 0) FROM {} WHERE b_active = 1 AND b_enabled = 1",
                t.osclass("user")
            ),
            (next,),
        )?;
        Some(counted.unwrap_or((0, 0)))
    } else {
        None
    };
    Ok(FeedPage {
        records,
        rows: digests,
        more,
        totals,
    })
}

/// These users, those of them that are active and enabled, ascending by id, with their
/// descriptions and the digests of their rows: what the feed serves of them.
pub fn served_by_id(conn: &mut Conn, t: &Tables, table: &UserTable, ids: &[u64]) -> Result<Served> {
    let (records, digests) = select_records(
        conn,
        t,
        table,
        ids,
        "b_active = 1 AND b_enabled = 1 AND",
        Reading::ColumnsAndDigest,
    )?;
    let mut both: Vec<((u64, UserRecord), String)> = records.into_iter().zip(digests).collect();
    both.sort_by_key(|((id, _), _)| *id);
    Ok(both.into_iter().unzip())
}

/// The records of these users that meet `condition` (SQL followed by `pk_i_id IN …`).
fn select_records(
    conn: &mut impl Queryable,
    t: &Tables,
    table: &UserTable,
    ids: &[u64],
    condition: &str,
    reading: Reading,
) -> Result<Served> {
    let rows: Vec<Row> = select_in(
        conn,
        |list| {
            format!(
                "SELECT pk_i_id, {} FROM {} WHERE {condition} pk_i_id IN ({list})",
                read_list(table, reading),
                t.osclass("user")
            )
        },
        &[],
        &id_params(ids),
    )?;
    records_of(conn, t, table, rows.into_iter(), reading)
}

/// The select list of a reading, after `pk_i_id`: the travelling columns, then the server's
/// digest of the row; a reading of the digest alone adds the floating point columns, which
/// the digest leaves out (`row_digest`).
fn read_list(table: &UserTable, reading: Reading) -> String {
    let cols = table.travelling();
    let (floats, exact) = split_floats(table, &cols);
    match reading {
        Reading::Columns => select_list(&cols),
        Reading::ColumnsAndDigest => format!("{}, {}", select_list(&cols), row_digest(&exact)),
        Reading::Digest if floats.is_empty() => row_digest(&exact),
        Reading::Digest => format!("{}, {}", row_digest(&exact), select_list(&floats)),
    }
}

/// The floating point columns of `cols`, and the others.
fn split_floats<'a>(table: &UserTable, cols: &[&'a str]) -> (Vec<&'a str>, Vec<&'a str>) {
    cols.iter()
        .partition(|c| table.column(c).is_some_and(ColumnInfo::is_float))
}

/// A digest of the row's values in `cols`, computed by the server, so that a page of digests
/// does not need the values themselves. Each value goes in as the hex of its text (`-` for
/// NULL), which keeps it apart from its neighbours whatever it holds; a value too large for
/// that goes in as its own SHA-256. Floating point columns are not in `cols`: their text is
/// rounded, so `records_of` adds them as the library reads them.
fn row_digest(cols: &[&str]) -> String {
    let parts = cols
        .iter()
        .map(|c| {
            format!(
                "IFNULL(IFNULL(HEX(CONCAT(`{c}`)), CONCAT('#', SHA2(CONCAT(`{c}`), 256))), '-')"
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    format!("SHA2(CONCAT_WS(',', {parts}), 256)")
}

/// Rows of `pk_i_id` and what `reading` reads, as records with their descriptions, and the
/// rows' digests when read.
fn records_of(
    conn: &mut impl Queryable,
    t: &Tables,
    table: &UserTable,
    rows: impl Iterator<Item = Row>,
    reading: Reading,
) -> Result<Served> {
    let cols = table.travelling();
    let (floats, _) = split_floats(table, &cols);
    let float_infos = infos(table, &floats);
    let infos = infos(table, &cols);
    let mut digests = Vec::new();
    let mut records: Vec<(u64, UserRecord)> = rows
        .map(|mut row| {
            let id: u64 = row.take(0).unwrap_or(0);
            let columns = match reading {
                Reading::Columns => read_columns(&infos, row, 1),
                Reading::ColumnsAndDigest => {
                    // NULL when the row is too large for the server to put together: no
                    // digest then, and the receiver always fetches the record.
                    let digest: Option<String> = row.take(1 + cols.len()).flatten();
                    let columns = read_columns(&infos, row, 1);
                    digests.push(with_floats(digest, &floats, &columns));
                    columns
                }
                Reading::Digest => {
                    let digest: Option<String> = row.take(1).flatten();
                    let values = read_columns(&float_infos, row, 2);
                    digests.push(with_floats(digest, &floats, &values));
                    BTreeMap::new()
                }
            };
            let record = UserRecord {
                id: Some(id),
                columns,
                ..Default::default()
            };
            (id, record)
        })
        .collect();
    let ids: Vec<u64> = records.iter().map(|(id, _)| *id).collect();
    let mut descriptions = descriptions_of(conn, t, &ids)?;
    for (id, record) in records.iter_mut() {
        if let Some(d) = descriptions.remove(id) {
            record.descriptions = d;
        }
    }
    Ok((records, digests))
}

/// The server's row digest with the floating point values added as the library reads them;
/// empty when the server gave none.
fn with_floats(
    digest: Option<String>,
    floats: &[&str],
    values: &BTreeMap<String, Value>,
) -> String {
    let Some(digest) = digest else {
        return String::new();
    };
    if floats.is_empty() {
        return digest;
    }
    let exact: Vec<Option<&Value>> = floats.iter().map(|c| values.get(*c)).collect();
    format!(
        "{digest}{}",
        serde_json::to_string(&exact).unwrap_or_default()
    )
}

/// Descriptions of these users, by user id and locale.
pub fn descriptions_of(
    conn: &mut impl Queryable,
    t: &Tables,
    ids: &[u64],
) -> Result<HashMap<u64, BTreeMap<String, String>>> {
    let rows: Vec<(u64, String, Option<String>)> = select_ids(
        conn,
        "fk_i_user_id",
        |condition| {
            format!(
                "SELECT fk_i_user_id, fk_c_locale_code, s_info FROM {} WHERE {condition}",
                t.osclass("user_description")
            )
        },
        &[],
        ids,
        |r: &(u64, String, Option<String>)| r.0,
    )?;
    let mut out: HashMap<u64, BTreeMap<String, String>> = HashMap::new();
    for (id, locale, info) in rows {
        out.entry(id)
            .or_default()
            .insert(locale, info.unwrap_or_default());
    }
    Ok(out)
}

/// A user as stored on this site: its id and the asked columns.
#[derive(Debug, Clone)]
pub struct StoredUser {
    pub id: u64,
    pub columns: BTreeMap<String, Value>,
}

/// The users holding these e-mails (compared without case), keyed by normalised e-mail.
pub fn find_by_emails(
    conn: &mut impl Queryable,
    t: &Tables,
    table: &UserTable,
    emails: &[String],
    cols: &[&str],
) -> Result<HashMap<String, StoredUser>> {
    let mut select: Vec<&str> = vec!["s_email"];
    select.extend(cols.iter().filter(|c| **c != "s_email"));
    let select_infos = infos(table, &select);
    let rows: Vec<Row> = select_in(
        conn,
        |list| {
            format!(
                "SELECT pk_i_id, {} FROM {} WHERE s_email IN ({list})",
                select_list(&select),
                t.osclass("user")
            )
        },
        &[],
        &text_params(emails),
    )?;
    let mut out = HashMap::new();
    for mut row in rows {
        let id: u64 = row.take(0).unwrap_or(0);
        let columns = read_columns(&select_infos, row, 1);
        let key = columns
            .get("s_email")
            .and_then(Value::as_text)
            .map(email::normalise)
            .unwrap_or_default();
        out.insert(key, StoredUser { id, columns });
    }
    Ok(out)
}

/// Inserts users that all carry the same columns, in as few statements as the parameter
/// limit allows.
pub fn insert_many(
    conn: &mut impl Queryable,
    t: &Tables,
    cols: &[String],
    rows: &[Vec<Value>],
) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    for (sql, params) in insert_statements(t, cols, rows) {
        conn.exec_drop(sql, params)?;
    }
    Ok(())
}

/// The multi-row inserts of these rows, as many rows a statement as the parameter limit allows.
fn insert_statements<'a>(
    t: &Tables,
    cols: &[String],
    rows: &'a [Vec<Value>],
) -> impl Iterator<Item = (String, Vec<Sql>)> + 'a {
    let per_statement = (INSERT_PARAMS / cols.len().max(1)).max(1);
    let names = cols
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let one = format!("({})", placeholders(cols.len()));
    let table = t.osclass("user");
    rows.chunks(per_statement).map(move |chunk| {
        let values = vec![one.as_str(); chunk.len()].join(", ");
        let params: Vec<Sql> = chunk.iter().flat_map(|r| r.iter().map(to_sql)).collect();
        (
            format!("INSERT INTO {table} ({names}) VALUES {values}"),
            params,
        )
    })
}

/// Inserts new users, grouped by the columns they have, and returns their ids by normalised
/// e-mail. MariaDB (10.5 and later) hands the ids back from the insert itself; elsewhere they
/// are read back by e-mail.
pub fn insert_returning_ids(
    conn: &mut impl Queryable,
    t: &Tables,
    groups: &BTreeMap<Vec<String>, Vec<Vec<Value>>>,
    emails: &[String],
) -> Result<HashMap<String, u64>> {
    if !returns_from_insert(conn)? {
        for (cols, rows) in groups {
            insert_many(conn, t, cols, rows)?;
        }
        return ids_by_email(conn, t, emails);
    }
    let mut ids = HashMap::with_capacity(emails.len());
    for (cols, rows) in groups {
        for (sql, params) in insert_statements(t, cols, rows) {
            let back: Vec<(u64, String)> =
                conn.exec(format!("{sql} RETURNING pk_i_id, s_email"), params)?;
            ids.extend(back.into_iter().map(|(id, e)| (email::normalise(&e), id)));
        }
    }
    Ok(ids)
}

/// Whether the server gives rows back from `INSERT … RETURNING` (MariaDB 10.5 and later).
fn returns_from_insert(conn: &mut impl Queryable) -> Result<bool> {
    let version: Option<String> = conn.query_first("SELECT VERSION()")?;
    Ok(returning_in(&version.unwrap_or_default()))
}

fn returning_in(version: &str) -> bool {
    if !version.contains("MariaDB") {
        return false;
    }
    let mut parts = version.split(|c: char| !c.is_ascii_digit());
    let major: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let minor: u32 = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    (major, minor) >= (10, 5)
}

/// Changes some columns of one user.
pub fn update_one(
    conn: &mut impl Queryable,
    t: &Tables,
    id: u64,
    changes: &BTreeMap<String, Value>,
) -> Result<()> {
    if changes.is_empty() {
        return Ok(());
    }
    let set = changes
        .keys()
        .map(|c| format!("`{c}` = ?"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut params: Vec<Sql> = changes.values().map(to_sql).collect();
    params.push(Sql::UInt(id));
    conn.exec_drop(
        format!("UPDATE {} SET {set} WHERE pk_i_id = ?", t.osclass("user")),
        params,
    )?;
    Ok(())
}

/// Changes the same columns of many users, each to its own values, in as few statements as
/// the parameter limit allows: `SET c = CASE pk_i_id WHEN ? THEN ? … END`.
pub fn update_many(
    conn: &mut impl Queryable,
    t: &Tables,
    cols: &[String],
    rows: &[(u64, Vec<Value>)],
) -> Result<()> {
    if rows.len() == 1 {
        let changes: BTreeMap<String, Value> = cols
            .iter()
            .cloned()
            .zip(rows[0].1.iter().cloned())
            .collect();
        return update_one(conn, t, rows[0].0, &changes);
    }
    let per_statement = (INSERT_PARAMS / (cols.len() * 2 + 1).max(1)).max(1);
    for chunk in rows.chunks(per_statement) {
        let whens = vec!["WHEN ? THEN ?"; chunk.len()].join(" ");
        let set = cols
            .iter()
            .map(|c| format!("`{c}` = CASE pk_i_id {whens} END"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut params: Vec<Sql> = Vec::with_capacity(chunk.len() * (cols.len() * 2 + 1));
        for i in 0..cols.len() {
            for (id, values) in chunk {
                params.push(Sql::UInt(*id));
                params.push(to_sql(&values[i]));
            }
        }
        params.extend(chunk.iter().map(|(id, _)| Sql::UInt(*id)));
        conn.exec_drop(
            format!(
                "UPDATE {} SET {set} WHERE pk_i_id IN ({})",
                t.osclass("user"),
                placeholders(chunk.len())
            ),
            params,
        )?;
    }
    Ok(())
}

/// Removes a user's descriptions in these locales.
pub fn delete_descriptions(
    conn: &mut impl Queryable,
    t: &Tables,
    id: u64,
    locales: &[String],
) -> Result<()> {
    if locales.is_empty() {
        return Ok(());
    }
    let mut params: Vec<Sql> = vec![Sql::UInt(id)];
    params.extend(locales.iter().map(|l| Sql::from(l.as_str())));
    conn.exec_drop(
        format!(
            "DELETE FROM {} WHERE fk_i_user_id = ? AND fk_c_locale_code IN ({})",
            t.osclass("user_description"),
            placeholders(locales.len())
        ),
        params,
    )?;
    Ok(())
}

/// Writes descriptions, replacing the text of a locale the user already has.
pub fn upsert_descriptions(
    conn: &mut impl Queryable,
    t: &Tables,
    rows: &[(u64, String, String)],
) -> Result<()> {
    for chunk in rows.chunks(MAX_PARAMS / 3) {
        let values = vec!["(?, ?, ?)"; chunk.len()].join(", ");
        let params: Vec<Sql> = chunk
            .iter()
            .flat_map(|(id, locale, text)| {
                [
                    Sql::UInt(*id),
                    Sql::from(locale.as_str()),
                    Sql::from(text.as_str()),
                ]
            })
            .collect();
        conn.exec_drop(
            format!(
                "INSERT INTO {} (fk_i_user_id, fk_c_locale_code, s_info) VALUES {values}
                 ON DUPLICATE KEY UPDATE s_info = VALUES(s_info)",
                t.osclass("user_description")
            ),
            params,
        )?;
    }
    Ok(())
}

/// Gives these users a placeholder e-mail that no one else holds, so that their real new
/// addresses can then be written in any order.
pub fn park_emails(conn: &mut impl Queryable, t: &Tables, ids: &[u64]) -> Result<()> {
    if ids.len() < 2 {
        return Ok(());
    }
    conn.exec_drop(
        format!(
            "UPDATE {} SET s_email = CONCAT('account-sync-moving-', pk_i_id, '@invalid') WHERE pk_i_id IN ({})",
            t.osclass("user"),
            placeholders(ids.len())
        ),
        ids.to_vec(),
    )?;
    Ok(())
}

/// The normalised e-mails of these local users, by id (users that do not exist are absent).
pub fn emails_by_ids(
    conn: &mut impl Queryable,
    t: &Tables,
    ids: &[u64],
) -> Result<HashMap<u64, String>> {
    let rows: Vec<(u64, String)> = select_in(
        conn,
        |list| {
            format!(
                "SELECT pk_i_id, s_email FROM {} WHERE pk_i_id IN ({list})",
                t.osclass("user")
            )
        },
        &[],
        &id_params(ids),
    )?;
    Ok(rows
        .into_iter()
        .map(|(id, address)| (id, email::normalise(&address)))
        .collect())
}

/// Ids of the users holding these e-mails, keyed by normalised e-mail.
pub fn ids_by_email(
    conn: &mut impl Queryable,
    t: &Tables,
    emails: &[String],
) -> Result<HashMap<String, u64>> {
    let rows: Vec<(u64, String)> = select_in(
        conn,
        |list| {
            format!(
                "SELECT pk_i_id, s_email FROM {} WHERE s_email IN ({list})",
                t.osclass("user")
            )
        },
        &[],
        &text_params(emails),
    )?;
    Ok(rows
        .into_iter()
        .map(|(id, address)| (email::normalise(&address), id))
        .collect())
}

/// Osclass shows a user by its username; core sets an empty one to the user's id.
pub fn fill_empty_usernames(conn: &mut impl Queryable, t: &Tables, ids: &[u64]) -> Result<()> {
    for chunk in ids.chunks(MAX_PARAMS) {
        conn.exec_drop(
            format!(
                "UPDATE {} SET s_username = pk_i_id WHERE s_username = '' AND pk_i_id IN ({})",
                t.osclass("user"),
                placeholders(chunk.len())
            ),
            chunk.to_vec(),
        )?;
    }
    Ok(())
}

/// The current records of these local users (travelling columns and descriptions).
pub fn records_by_ids(
    conn: &mut impl Queryable,
    t: &Tables,
    table: &UserTable,
    ids: &[u64],
) -> Result<HashMap<u64, UserRecord>> {
    let (records, _) = select_records(conn, t, table, ids, "", Reading::Columns)?;
    Ok(records.into_iter().collect())
}

/// Removes a user with the rows Osclass removes with one: the user's listings and what hangs
/// off them, the user's comments, pending e-mail change, descriptions and alerts. Files of
/// listing pictures and profile images stay on disk: the library cannot reach the site's
/// upload folder.
pub fn delete_with_dependants(conn: &mut impl Queryable, t: &Tables, id: u64) -> Result<()> {
    let items = format!(
        "SELECT pk_i_id FROM {} WHERE fk_i_user_id = ?",
        t.osclass("item")
    );
    for table in [
        "item_comment",
        "item_description",
        "item_location",
        "item_meta",
        "item_resource",
        "item_stats",
    ] {
        conn.exec_drop(
            format!(
                "DELETE FROM {} WHERE fk_i_item_id IN ({items})",
                t.osclass(table)
            ),
            (id,),
        )?;
    }
    conn.exec_drop(
        format!("DELETE FROM {} WHERE fk_i_user_id = ?", t.osclass("item")),
        (id,),
    )?;
    for table in [
        "item_comment",
        "user_email_tmp",
        "user_description",
        "alerts",
    ] {
        conn.exec_drop(
            format!("DELETE FROM {} WHERE fk_i_user_id = ?", t.osclass(table)),
            (id,),
        )?;
    }
    conn.exec_drop(
        format!("DELETE FROM {} WHERE pk_i_id = ?", t.osclass("user")),
        (id,),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_mariadb_10_5_and_later_return_ids_from_an_insert() {
        assert!(returning_in("10.11.19-MariaDB-0+deb12u1"));
        assert!(returning_in("10.5.0-MariaDB"));
        assert!(returning_in("11.4.2-MariaDB-log"));
        assert!(!returning_in("10.4.32-MariaDB"));
        assert!(!returning_in("8.0.36"));
        assert!(!returning_in("5.7.44-log"));
        assert!(!returning_in(""));
    }

    fn info(name: &str, data_type: &str, scale: Option<u32>) -> ColumnInfo {
        ColumnInfo {
            name: name.into(),
            data_type: data_type.into(),
            max_chars: None,
            scale,
        }
    }

    #[test]
    fn decimals_compare_at_the_column_scale() {
        let lat = info("d_coord_lat", "decimal", Some(6));
        assert!(same_value(
            &lat,
            &Value::Text("40.416775".into()),
            &Value::Text("40.4167750000".into())
        ));
        assert!(same_value(
            &lat,
            &Value::Text("40.416775".into()),
            &Value::Text("40.41677500001".into())
        ));
        assert!(!same_value(
            &lat,
            &Value::Text("40.416775".into()),
            &Value::Text("40.416776".into())
        ));
        assert!(!same_value(&lat, &Value::Null, &Value::Text("1.0".into())));
        assert!(same_value(&lat, &Value::Null, &Value::Null));
    }

    #[test]
    fn converts_server_values() {
        let reg = info("dt_reg_date", "datetime", None);
        assert_eq!(
            to_value(&reg, Sql::Date(2024, 3, 1, 10, 0, 5, 0)),
            Value::Text("2024-03-01 10:00:05".into())
        );
        let flag = info("b_active", "tinyint", None);
        assert_eq!(to_value(&flag, Sql::Bytes(b"1".to_vec())), Value::Int(1));
        assert_eq!(to_value(&flag, Sql::NULL), Value::Null);
    }
}

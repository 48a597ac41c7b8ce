//! Applying user records from another site: the one path the feed and the stream share.
//!
//! A batch is planned first (what to insert, what to change, what is already equal), then
//! written. The fast path writes the whole batch in a few multi-row statements; when the
//! database refuses any of them, the batch is rolled back to its savepoint and written again
//! record by record, each behind its own savepoint, so that a record the target cannot
//! store fails alone and the others still apply.

use std::collections::{BTreeMap, HashMap, HashSet};

use mysql::prelude::Queryable;

use crate::domain::columns::{self, DESCRIPTIONS, REQUIRED_FOR_INSERT};
use crate::domain::record::{UserRecord, Value};
use crate::error::{Error, Result};
use crate::storage::locations::Locations;
use crate::storage::users::{self, UserTable};
use crate::storage::Tables;

/// What one batch did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub failed: Vec<Failure>,
}

impl Outcome {
    pub fn applied(&self) -> u64 {
        self.inserted + self.updated
    }
}

/// A record that could not be applied, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub email: String,
    pub reason: String,
}

/// The columns an account lets change on users this site already has.
#[derive(Debug, Clone)]
pub struct Selection {
    pub columns: HashSet<String>,
    pub descriptions: bool,
}

impl Selection {
    pub fn from_account_columns(selected: &[String]) -> Selection {
        Selection {
            columns: selected
                .iter()
                .filter(|c| *c != DESCRIPTIONS)
                .cloned()
                .collect(),
            descriptions: selected.iter().any(|c| c == DESCRIPTIONS),
        }
    }
}

#[derive(Debug)]
enum Plan {
    Insert {
        key: String,
        values: BTreeMap<String, Value>,
        descriptions: Vec<(String, String)>,
    },
    Update {
        key: String,
        id: u64,
        changes: BTreeMap<String, Value>,
        descriptions: Vec<(String, String)>,
    },
}

impl Plan {
    fn key(&self) -> &str {
        match self {
            Plan::Insert { key, .. } | Plan::Update { key, .. } => key,
        }
    }
}

/// The values a record would store on this site: the columns this table has, with location
/// ids replaced by this site's own.
fn target_values(
    table: &UserTable,
    locations: &Locations,
    record: &UserRecord,
) -> BTreeMap<String, Value> {
    let writable: HashSet<&str> = table.travelling().into_iter().collect();
    let mut values: BTreeMap<String, Value> = record
        .columns
        .iter()
        .filter(|(c, _)| writable.contains(c.as_str()))
        .map(|(c, v)| (c.clone(), v.clone()))
        .collect();
    let carries_location = record.columns.keys().any(|c| {
        c == "fk_c_country_code"
            || columns::LOCATION_IDS.contains(&c.as_str())
            || c == "s_region"
            || c == "s_city"
    });
    if carries_location {
        for (column, value) in locations.resolve(record).values() {
            if table.has(column) {
                values.insert(column.to_string(), value);
            }
        }
    }
    values
}

fn wanted_descriptions(table: &UserTable, record: &UserRecord) -> Vec<(String, String)> {
    record
        .descriptions
        .iter()
        .filter(|(locale, _)| table.has_locale(locale))
        .map(|(l, t)| (l.clone(), t.clone()))
        .collect()
}

/// Applies `records` inside the caller's transaction. Records that fail are reported in the
/// outcome; an error means the connection itself failed and the caller must roll back.
pub fn apply(
    conn: &mut impl Queryable,
    t: &Tables,
    table: &UserTable,
    records: &[UserRecord],
    selection: &Selection,
) -> Result<Outcome> {
    let mut outcome = Outcome::default();
    let plans = plan(conn, t, table, records, selection, &mut outcome)?;
    if plans.is_empty() {
        return Ok(outcome);
    }

    conn.query_drop("SAVEPOINT account_sync_batch")?;
    match write_fast(conn, t, &plans) {
        Ok(()) => {
            conn.query_drop("RELEASE SAVEPOINT account_sync_batch")?;
            count(&plans, &mut outcome);
            return Ok(outcome);
        }
        Err(e) if e.connection_lost => return Err(e),
        Err(_) => conn.query_drop("ROLLBACK TO SAVEPOINT account_sync_batch")?,
    }

    for plan in &plans {
        conn.query_drop("SAVEPOINT account_sync_record")?;
        match write_one(conn, t, plan) {
            Ok(()) => {
                conn.query_drop("RELEASE SAVEPOINT account_sync_record")?;
                count(std::slice::from_ref(plan), &mut outcome);
            }
            Err(e) if e.connection_lost => return Err(e),
            Err(e) => {
                conn.query_drop("ROLLBACK TO SAVEPOINT account_sync_record")?;
                outcome.failed.push(Failure {
                    email: plan.key().to_string(),
                    reason: e.message,
                });
            }
        }
    }
    Ok(outcome)
}

fn count(plans: &[Plan], outcome: &mut Outcome) {
    for plan in plans {
        match plan {
            Plan::Insert { .. } => outcome.inserted += 1,
            Plan::Update { .. } => outcome.updated += 1,
        }
    }
}

fn plan(
    conn: &mut impl Queryable,
    t: &Tables,
    table: &UserTable,
    records: &[UserRecord],
    selection: &Selection,
    outcome: &mut Outcome,
) -> Result<Vec<Plan>> {
    let mut seen = HashSet::new();
    let mut unique: Vec<&UserRecord> = Vec::with_capacity(records.len());
    for record in records {
        if seen.insert(record.key()) {
            unique.push(record);
        } else {
            outcome.failed.push(Failure {
                email: record.key(),
                reason: "the same e-mail appears twice in one batch".into(),
            });
        }
    }

    let compared: Vec<&str> = table
        .travelling()
        .into_iter()
        .filter(|c| selection.columns.contains(*c))
        .collect();
    let keys: Vec<String> = unique.iter().map(|r| r.key()).collect();
    let existing = users::find_by_emails(conn, t, table, &keys, &compared)?;
    let existing_ids: Vec<u64> = existing.values().map(|u| u.id).collect();
    let stored_descriptions = if selection.descriptions {
        users::descriptions_of(conn, t, &existing_ids)?
    } else {
        HashMap::new()
    };
    let locations = Locations::load(conn, t, &unique)?;

    let mut plans = Vec::with_capacity(unique.len());
    for record in unique {
        let key = record.key();
        let values = target_values(table, &locations, record);
        let descriptions = wanted_descriptions(table, record);

        let Some(stored) = existing.get(&key) else {
            if let Some(missing) = REQUIRED_FOR_INSERT
                .iter()
                .find(|c| matches!(values.get(**c), None | Some(Value::Null)))
            {
                outcome.failed.push(Failure {
                    email: key,
                    reason: format!("a new user needs {missing}"),
                });
                continue;
            }
            plans.push(Plan::Insert {
                key,
                values,
                descriptions,
            });
            continue;
        };

        let changes: BTreeMap<String, Value> = values
            .into_iter()
            .filter(|(c, _)| selection.columns.contains(c))
            .filter(|(c, v)| {
                let info = table.column(c).expect("values hold only table columns");
                !users::same_value(info, stored.columns.get(c).unwrap_or(&Value::Null), v)
            })
            .collect();
        let descriptions: Vec<(String, String)> = if selection.descriptions {
            let have = stored_descriptions.get(&stored.id);
            descriptions
                .into_iter()
                .filter(|(l, text)| have.and_then(|h| h.get(l)) != Some(text))
                .collect()
        } else {
            Vec::new()
        };
        if changes.is_empty() && descriptions.is_empty() {
            outcome.unchanged += 1;
        } else {
            plans.push(Plan::Update {
                key,
                id: stored.id,
                changes,
                descriptions,
            });
        }
    }
    Ok(plans)
}

fn write_fast(conn: &mut impl Queryable, t: &Tables, plans: &[Plan]) -> Result<()> {
    let mut groups: BTreeMap<Vec<String>, Vec<Vec<Value>>> = BTreeMap::new();
    let mut new_keys = Vec::new();
    for plan in plans {
        if let Plan::Insert { key, values, .. } = plan {
            let cols: Vec<String> = values.keys().cloned().collect();
            groups
                .entry(cols)
                .or_default()
                .push(values.values().cloned().collect());
            new_keys.push(key.clone());
        }
    }
    for (cols, rows) in &groups {
        users::insert_many(conn, t, cols, rows)?;
    }
    let new_ids = users::ids_by_email(conn, t, &new_keys)?;
    users::fill_empty_usernames(conn, t, &new_ids.values().copied().collect::<Vec<_>>())?;

    let mut descriptions = Vec::new();
    for plan in plans {
        match plan {
            Plan::Insert {
                key,
                descriptions: d,
                ..
            } => {
                let id = *new_ids.get(key).ok_or_else(|| missing_after_insert(key))?;
                descriptions.extend(d.iter().map(|(l, text)| (id, l.clone(), text.clone())));
            }
            Plan::Update {
                id,
                changes,
                descriptions: d,
                ..
            } => {
                users::update_one(conn, t, *id, changes)?;
                descriptions.extend(d.iter().map(|(l, text)| (*id, l.clone(), text.clone())));
            }
        }
    }
    users::upsert_descriptions(conn, t, &descriptions)
}

fn write_one(conn: &mut impl Queryable, t: &Tables, plan: &Plan) -> Result<()> {
    let (id, descriptions) = match plan {
        Plan::Insert {
            key,
            values,
            descriptions,
        } => {
            let cols: Vec<String> = values.keys().cloned().collect();
            users::insert_many(conn, t, &cols, &[values.values().cloned().collect()])?;
            let id: u64 = conn
                .query_first("SELECT LAST_INSERT_ID()")?
                .ok_or_else(|| missing_after_insert(key))?;
            users::fill_empty_usernames(conn, t, &[id])?;
            (id, descriptions)
        }
        Plan::Update {
            id,
            changes,
            descriptions,
            ..
        } => {
            users::update_one(conn, t, *id, changes)?;
            (*id, descriptions)
        }
    };
    let rows: Vec<(u64, String, String)> = descriptions
        .iter()
        .map(|(l, text)| (id, l.clone(), text.clone()))
        .collect();
    users::upsert_descriptions(conn, t, &rows)
}

fn missing_after_insert(key: &str) -> Error {
    Error::database(format!("{key} was inserted but cannot be found again"))
}

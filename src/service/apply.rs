//! Applying user records from another site: the one path the feed and the stream share.
//!
//! A batch is planned first (what to insert, what to change, what is already equal), then
//! written. The fast path writes the whole batch in a few multi-row statements; when the
//! database refuses any of them, the batch is rolled back to its savepoint and written again
//! record by record, each behind its own savepoint, so that a record the target cannot
//! store fails alone and the others still apply.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};

use mysql::prelude::Queryable;

use crate::domain::columns::{self, DESCRIPTIONS, REQUIRED_FOR_INSERT};
use crate::domain::email;
use crate::domain::record::{version_in, UserRecord, Value};
use crate::domain::time;
use crate::error::{Error, Result};
use crate::storage::locations::Locations;
use crate::storage::outbox::{self, Version};
use crate::storage::users::{self, UserTable};
use crate::storage::{identities, schema, Tables};

/// The columns a record may change on a user this site already has.
#[derive(Debug, Clone, Default)]
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

/// One record to apply: found by `lookup` (a normalised e-mail: the previous address when
/// the e-mail changed), changing only `selection` on an existing user, inserted whole when
/// there is none and `may_insert` allows it.
#[derive(Debug, Clone)]
pub struct Item<'a> {
    /// Borrowed from a feed page, owned when built from a streamed event.
    pub record: Cow<'a, UserRecord>,
    pub lookup: String,
    pub selection: Cow<'a, Selection>,
    pub may_insert: bool,
    /// What the receiver remembers of the record once applied (see `identities::Pair`).
    pub digest: Option<String>,
}

/// What happened to one item, with the local user id where there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    Inserted(u64),
    Updated(u64),
    Unchanged(u64),
    /// Not present and not to be inserted.
    Skipped,
    Failed(String),
}

/// What one feed batch did.
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

/// Applies feed records from an account, all with its selection, inside the caller's
/// transaction. A record whose sender id this site has seen before goes to the same local user
/// whatever its e-mail is now; the pairs are remembered for next time.
pub fn apply(
    conn: &mut impl Queryable,
    t: &Tables,
    table: &UserTable,
    account_id: i64,
    records: &[UserRecord],
    digests: &[Option<String>],
    selection: &Selection,
) -> Result<Outcome> {
    let remote_ids: Vec<u64> = records.iter().filter_map(|r| r.id).collect();
    let known = identities::lookup(conn, t, account_id, &remote_ids)?;
    let lookups: Vec<String> = records
        .iter()
        .map(|r| {
            r.id.and_then(|id| known.get(&id))
                .map(|(_, key)| key.clone())
                .unwrap_or_else(|| r.key())
        })
        .collect();

    // A value this site changed after the sender set its own stays: the feed copies the
    // sender's users, it does not undo newer edits made here. The users found here are read
    // once, with every column the account may change, for this and for the plan.
    let compared: Vec<&str> = table
        .travelling()
        .into_iter()
        .filter(|c| selection.columns.contains(*c))
        .collect();
    let found = users::find_by_emails(conn, t, table, &lookups, &compared)?;
    let local: HashMap<String, u64> = found.iter().map(|(k, u)| (k.clone(), u.id)).collect();
    let site_id = schema::site_id_of(conn, t)?;
    // Ascending, so that users stored together are read as one range (`select_ids`).
    let mut local_ids: Vec<u64> = local.values().copied().collect();
    local_ids.sort_unstable();
    let here = outbox::versions(conn, t, &local_ids, &site_id)?;
    let zero = Version {
        at: 0,
        origin: String::new(),
    };
    let items: Vec<Item> = records
        .iter()
        .zip(lookups)
        .map(|(r, lookup)| {
            let mut chosen = Cow::Borrowed(selection);
            let mine = local.get(&lookup).and_then(|id| here.get(id));
            // Most often nothing here is newer than anything that came: no column to check.
            let oldest_sent = if r.versions.contains_key("*") {
                r.versions.values().min()
            } else {
                None
            };
            let newest_here = mine.and_then(|m| m.values().max());
            if let (Some(mine), Some(newest)) = (mine, newest_here) {
                if newest > oldest_sent.unwrap_or(&zero) {
                    let newer_here = |c: &str| {
                        version_in(mine, c).is_some_and(|v| v > r.version_of(c).unwrap_or(&zero))
                    };
                    let owned = chosen.to_mut();
                    owned.columns.retain(|c| !newer_here(c));
                    owned.descriptions &= !newer_here(DESCRIPTIONS);
                }
            }
            Item {
                lookup,
                record: Cow::Borrowed(r),
                selection: chosen,
                may_insert: true,
                digest: None,
            }
        })
        .collect();
    // A user removed here after the sender last changed it stays removed.
    let missing: Vec<String> = items
        .iter()
        .filter(|i| !local.contains_key(&i.lookup))
        .map(|i| i.lookup.clone())
        .collect();
    let removed = outbox::tombstones(conn, t, &missing)?;
    let mut items = items;
    for (item, digest) in items.iter_mut().zip(digests) {
        item.digest = digest.clone();
    }
    for item in items.iter_mut() {
        if let Some(tombstone) = removed.get(&item.lookup) {
            if item.record.versions.values().max().unwrap_or(&zero) <= tombstone {
                item.may_insert = false;
            }
        }
    }
    let results = write_items(conn, t, table, &items, Some(found))?;
    remember(conn, t, account_id, &items, &results)?;

    // The sender's versions hold here now, for the columns that came.
    let mut applied_versions = Vec::new();
    for (item, result) in items.iter().zip(&results) {
        if let Applied::Inserted(id) | Applied::Updated(id) | Applied::Unchanged(id) = result {
            for (column, v) in &item.record.versions {
                if column == "*"
                    || item.selection.columns.contains(column)
                    || (column == DESCRIPTIONS && item.selection.descriptions)
                {
                    applied_versions.push((*id, column.clone(), v.clone()));
                }
            }
        }
    }
    outbox::set_versions(conn, t, &applied_versions)?;

    let mut outcome = Outcome::default();
    for (item, result) in items.iter().zip(results) {
        match result {
            Applied::Inserted(_) => outcome.inserted += 1,
            Applied::Updated(_) => outcome.updated += 1,
            Applied::Unchanged(_) | Applied::Skipped => outcome.unchanged += 1,
            Applied::Failed(reason) => outcome.failed.push(Failure {
                email: item.record.key(),
                reason,
            }),
        }
    }
    Ok(outcome)
}

/// Remembers which local user each applied record's sender id stands for.
pub fn remember(
    conn: &mut impl Queryable,
    t: &Tables,
    account_id: i64,
    items: &[Item],
    results: &[Applied],
) -> Result<()> {
    let pairs: Vec<identities::Pair> = items
        .iter()
        .zip(results)
        .filter_map(|(item, result)| match result {
            Applied::Inserted(local) | Applied::Updated(local) | Applied::Unchanged(local) => {
                item.record.id.map(|remote| identities::Pair {
                    remote,
                    local: *local,
                    digest: item.digest.clone(),
                })
            }
            _ => None,
        })
        .collect();
    identities::remember(conn, t, account_id, &pairs)?;
    // A user changed from here no longer holds what the other accounts' feeds last applied:
    // their next feed fetches it again instead of skipping it.
    let updated: Vec<u64> = results
        .iter()
        .filter_map(|r| match r {
            Applied::Updated(local) => Some(*local),
            _ => None,
        })
        .collect();
    identities::forget_digests_elsewhere(conn, t, account_id, &updated)
}

#[derive(Debug)]
enum Plan {
    Insert {
        values: BTreeMap<String, Value>,
        descriptions: Vec<(String, String)>,
    },
    Update {
        id: u64,
        changes: BTreeMap<String, Value>,
        descriptions: Vec<(String, String)>,
        /// Locales whose description goes.
        removed: Vec<String>,
    },
}

/// Applies items inside the caller's transaction and says, item by item, what happened. An
/// error means the connection itself failed and the caller must roll back.
pub fn apply_items(
    conn: &mut impl Queryable,
    t: &Tables,
    table: &UserTable,
    items: &[Item],
) -> Result<Vec<Applied>> {
    write_items(conn, t, table, items, None)
}

/// `apply_items`, with the users already found by the items' lookups when the caller has
/// them (holding at least the columns the items' selections may change).
fn write_items(
    conn: &mut impl Queryable,
    t: &Tables,
    table: &UserTable,
    items: &[Item],
    found: Option<HashMap<String, users::StoredUser>>,
) -> Result<Vec<Applied>> {
    let mut results = vec![Applied::Skipped; items.len()];
    let plans = plan(conn, t, table, items, found, &mut results)?;
    if plans.is_empty() {
        return Ok(results);
    }

    conn.query_drop("SAVEPOINT account_sync_batch")?;
    match write_fast(conn, t, items, &plans) {
        Ok(ids) => {
            conn.query_drop("RELEASE SAVEPOINT account_sync_batch")?;
            for ((index, plan), id) in plans.iter().zip(ids) {
                results[*index] = done(plan, id);
            }
            return Ok(results);
        }
        Err(e) if e.connection_lost => return Err(e),
        Err(_) => conn.query_drop("ROLLBACK TO SAVEPOINT account_sync_batch")?,
    }

    for (index, plan) in &plans {
        conn.query_drop("SAVEPOINT account_sync_record")?;
        match write_one(conn, t, plan) {
            Ok(id) => {
                conn.query_drop("RELEASE SAVEPOINT account_sync_record")?;
                results[*index] = done(plan, id);
            }
            Err(e) if e.connection_lost => return Err(e),
            Err(e) => {
                conn.query_drop("ROLLBACK TO SAVEPOINT account_sync_record")?;
                results[*index] = Applied::Failed(e.message);
            }
        }
    }
    Ok(results)
}

fn done(plan: &Plan, id: u64) -> Applied {
    match plan {
        Plan::Insert { .. } => Applied::Inserted(id),
        Plan::Update { .. } => Applied::Updated(id),
    }
}

/// The values a record would store on this site: the columns this table has, dates in this
/// site's time, location ids replaced by this site's own.
fn target_values(
    table: &UserTable,
    writable: &HashSet<&str>,
    locations: &Locations,
    record: &UserRecord,
) -> BTreeMap<String, Value> {
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
    time::dates_to_local(&mut values, &table.zone);
    values
}

/// What Osclass itself gives a new user that the sender did not say: a registration date of
/// now (a sender's date that was no date travels as null) and an empty username, which the
/// insert then sets to the user's id, as Osclass does.
fn fill_insert_defaults(table: &UserTable, values: &mut BTreeMap<String, Value>) {
    let missing = |values: &BTreeMap<String, Value>, c: &str| {
        table.has(c) && matches!(values.get(c), None | Some(Value::Null))
    };
    if missing(values, "dt_reg_date") {
        values.insert(
            "dt_reg_date".into(),
            Value::Text(time::now_local(&table.zone)),
        );
    }
    if missing(values, "s_username") {
        values.insert("s_username".into(), Value::Text(String::new()));
    }
}

fn wanted_descriptions(table: &UserTable, record: &UserRecord) -> Vec<(String, String)> {
    record
        .descriptions
        .iter()
        .filter(|(locale, _)| table.has_locale(locale))
        .map(|(l, text)| (l.clone(), text.clone()))
        .collect()
}

fn plan(
    conn: &mut impl Queryable,
    t: &Tables,
    table: &UserTable,
    items: &[Item],
    found: Option<HashMap<String, users::StoredUser>>,
    results: &mut [Applied],
) -> Result<Vec<(usize, Plan)>> {
    // One item a local user: two items found by the same e-mail are one person twice. An
    // item's new e-mail may be another item's current one (two users swapping addresses);
    // the writes handle that.
    let mut claimed = HashSet::new();
    let mut unique = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        if !claimed.insert(item.lookup.clone()) {
            results[index] = Applied::Failed("the same e-mail appears twice in one batch".into());
            continue;
        }
        unique.push(index);
    }

    let existing = match found {
        Some(found) => found,
        None => {
            let compared: Vec<&str> = table
                .travelling()
                .into_iter()
                .filter(|c| {
                    unique
                        .iter()
                        .any(|i| items[*i].selection.columns.contains(*c))
                })
                .collect();
            let keys: Vec<String> = unique.iter().map(|i| items[*i].lookup.clone()).collect();
            users::find_by_emails(conn, t, table, &keys, &compared)?
        }
    };
    let wants_descriptions = unique.iter().any(|i| items[*i].selection.descriptions);
    let mut existing_ids: Vec<u64> = existing.values().map(|u| u.id).collect();
    existing_ids.sort_unstable();
    let stored_descriptions = if wants_descriptions {
        users::descriptions_of(conn, t, &existing_ids)?
    } else {
        HashMap::new()
    };
    let records: Vec<&UserRecord> = unique.iter().map(|i| items[*i].record.as_ref()).collect();
    let locations = Locations::load(conn, t, &records)?;
    let writable: HashSet<&str> = table.travelling().into_iter().collect();

    let mut plans = Vec::with_capacity(unique.len());
    for index in unique {
        let item = &items[index];
        let values = target_values(table, &writable, &locations, &item.record);
        let descriptions = wanted_descriptions(table, &item.record);

        let Some(stored) = existing.get(&item.lookup) else {
            if !item.may_insert {
                continue;
            }
            let mut values = values;
            fill_insert_defaults(table, &mut values);
            match REQUIRED_FOR_INSERT
                .iter()
                .find(|c| matches!(values.get(**c), None | Some(Value::Null)))
            {
                Some(missing) => {
                    results[index] = Applied::Failed(format!("a new user needs {missing}"))
                }
                None => plans.push((
                    index,
                    Plan::Insert {
                        values,
                        descriptions,
                    },
                )),
            }
            continue;
        };

        let changes: BTreeMap<String, Value> = values
            .into_iter()
            .filter(|(c, _)| item.selection.columns.contains(c))
            .filter(|(c, v)| {
                let info = table.column(c).expect("values hold only table columns");
                !users::same_value(info, stored.columns.get(c).unwrap_or(&Value::Null), v)
            })
            .collect();
        let descriptions: Vec<(String, String)> = if item.selection.descriptions {
            let have = stored_descriptions.get(&stored.id);
            descriptions
                .into_iter()
                .filter(|(l, text)| have.and_then(|h| h.get(l)) != Some(text))
                .collect()
        } else {
            Vec::new()
        };
        // A description the sender no longer has, in a locale it has, goes here too.
        let removed: Vec<String> = match stored_descriptions.get(&stored.id) {
            Some(have) if item.selection.descriptions => have
                .keys()
                .filter(|l| item.record.absent_locales.contains(*l))
                .cloned()
                .collect(),
            _ => Vec::new(),
        };
        if changes.is_empty() && descriptions.is_empty() && removed.is_empty() {
            results[index] = Applied::Unchanged(stored.id);
        } else {
            plans.push((
                index,
                Plan::Update {
                    id: stored.id,
                    changes,
                    descriptions,
                    removed,
                },
            ));
        }
    }
    Ok(plans)
}

/// Writes every plan; returns the user id of each, in the order of `plans`.
fn write_fast(
    conn: &mut impl Queryable,
    t: &Tables,
    items: &[Item],
    plans: &[(usize, Plan)],
) -> Result<Vec<u64>> {
    let mut groups: BTreeMap<Vec<String>, Vec<Vec<Value>>> = BTreeMap::new();
    let mut new_keys = Vec::new();
    let mut unnamed = Vec::new();
    for (index, plan) in plans {
        if let Plan::Insert { values, .. } = plan {
            let cols: Vec<String> = values.keys().cloned().collect();
            groups
                .entry(cols)
                .or_default()
                .push(values.values().cloned().collect());
            let key = items[*index].record.key();
            if values.get("s_username").and_then(Value::as_text) == Some("") {
                unnamed.push(key.clone());
            }
            new_keys.push(key);
        }
    }
    let new_ids = users::insert_returning_ids(conn, t, &groups, &new_keys)?;
    let unnamed: Vec<u64> = unnamed
        .iter()
        .filter_map(|k| new_ids.get(k).copied())
        .collect();
    users::fill_empty_usernames(conn, t, &unnamed)?;

    // Addresses that move between users of this batch (a swap, a chain of renames) would
    // collide halfway: every user whose e-mail changes first gets a placeholder address.
    let moving: Vec<u64> = plans
        .iter()
        .filter_map(|(_, p)| match p {
            Plan::Update { id, changes, .. } if changes.contains_key("s_email") => Some(*id),
            _ => None,
        })
        .collect();
    users::park_emails(conn, t, &moving)?;

    let mut ids = Vec::with_capacity(plans.len());
    let mut descriptions = Vec::new();
    let mut updates: BTreeMap<Vec<String>, Vec<(u64, Vec<Value>)>> = BTreeMap::new();
    for (index, plan) in plans {
        let (id, wanted) = match plan {
            Plan::Insert {
                descriptions: d, ..
            } => {
                let key = items[*index].record.key();
                (
                    *new_ids
                        .get(&key)
                        .ok_or_else(|| missing_after_insert(&key))?,
                    d,
                )
            }
            Plan::Update {
                id,
                changes,
                descriptions: d,
                removed,
            } => {
                users::delete_descriptions(conn, t, *id, removed)?;
                if !changes.is_empty() {
                    let cols: Vec<String> = changes.keys().cloned().collect();
                    updates
                        .entry(cols)
                        .or_default()
                        .push((*id, changes.values().cloned().collect()));
                }
                (*id, d)
            }
        };
        descriptions.extend(wanted.iter().map(|(l, text)| (id, l.clone(), text.clone())));
        ids.push(id);
    }
    // Users changing the same columns change in one statement.
    for (cols, rows) in &updates {
        users::update_many(conn, t, cols, rows)?;
    }
    users::upsert_descriptions(conn, t, &descriptions)?;
    Ok(ids)
}

fn write_one(conn: &mut impl Queryable, t: &Tables, plan: &Plan) -> Result<u64> {
    let (id, descriptions) = match plan {
        Plan::Insert {
            values,
            descriptions,
        } => {
            let cols: Vec<String> = values.keys().cloned().collect();
            users::insert_many(conn, t, &cols, &[values.values().cloned().collect()])?;
            let key = values
                .get("s_email")
                .and_then(Value::as_text)
                .map(email::normalise)
                .unwrap_or_default();
            let id: u64 = conn
                .query_first("SELECT LAST_INSERT_ID()")?
                .ok_or_else(|| missing_after_insert(&key))?;
            users::fill_empty_usernames(conn, t, &[id])?;
            (id, descriptions)
        }
        Plan::Update {
            id,
            changes,
            descriptions,
            removed,
        } => {
            users::delete_descriptions(conn, t, *id, removed)?;
            users::update_one(conn, t, *id, changes)?;
            (*id, descriptions)
        }
    };
    let rows: Vec<(u64, String, String)> = descriptions
        .iter()
        .map(|(l, text)| (id, l.clone(), text.clone()))
        .collect();
    users::upsert_descriptions(conn, t, &rows)?;
    Ok(id)
}

fn missing_after_insert(key: &str) -> Error {
    Error::database(format!("{key} was inserted but cannot be found again"))
}

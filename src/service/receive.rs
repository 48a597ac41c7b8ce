//! Receiving streamed changes: each applied through the feed's record path, in version
//! order, so that an older change never overwrites a newer one, whatever the arrival order.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

type Versions = HashMap<u64, std::collections::BTreeMap<String, Version>>;

/// The version this site holds of a user's column.
fn newest<'a>(versions: &'a Versions, id: u64, column: &str) -> Option<&'a Version> {
    versions
        .get(&id)
        .and_then(|v| crate::domain::record::version_in(v, column))
}

use mysql::prelude::Queryable;
use mysql::TxOpts;
use serde::Serialize;
use serde_json::{Map, Value as Json};

use crate::config::is_identifier;
use crate::domain::account::Account;
use crate::domain::columns::DESCRIPTIONS;
use crate::domain::email;
use crate::domain::record::{decode_user_id, UserRecord};
use crate::error::{Error, Result};
use crate::service::apply::{self, Applied, Item, Selection};
use crate::state::Site;
use crate::storage::outbox::{self, Version};
use crate::storage::{accounts, identities, schema, users};

/// The most events one request may carry.
pub const MAX_EVENTS: usize = 2_000;

/// A change as it travels.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: u64,
    /// The user's id on the sending site.
    pub user_id: Option<u64>,
    /// The user's id on the receiving site, when the sender knows it.
    pub your_id: Option<u64>,
    pub delete: bool,
    pub email: String,
    pub old_email: Option<String>,
    pub version: Version,
    /// Changed columns; `*` for all.
    pub changed: Vec<String>,
    pub record: Option<UserRecord>,
}

impl Event {
    pub fn to_json(&self) -> Json {
        let mut event = serde_json::json!({
            "id": self.id,
            "user_id": self.user_id,
            "your_id": self.your_id,
            "type": if self.delete { "delete" } else { "upsert" },
            "email": self.email,
            "old_email": self.old_email,
            "version": self.version.at,
            "origin": self.version.origin,
            "changed": self.changed,
        });
        if let Some(record) = &self.record {
            event["record"] = record.to_json();
        }
        event
    }

    pub fn from_json(json: &Json) -> Result<Event> {
        let object: &Map<String, Json> = json
            .as_object()
            .ok_or_else(|| Error::input("an event must be an object"))?;
        const FIELDS: &[&str] = &[
            "id",
            "user_id",
            "your_id",
            "type",
            "email",
            "old_email",
            "version",
            "origin",
            "changed",
            "record",
        ];
        if let Some(unknown) = object.keys().find(|k| !FIELDS.contains(&k.as_str())) {
            return Err(Error::input(format!(
                "unknown field {unknown:?} in an event"
            )));
        }
        let number = |f: &str| {
            object
                .get(f)
                .and_then(Json::as_u64)
                .ok_or_else(|| Error::input(format!("{f} must be a whole number")))
        };
        let text = |f: &str| {
            object
                .get(f)
                .and_then(Json::as_str)
                .ok_or_else(|| Error::input(format!("{f} must be a string")))
        };
        let delete = match text("type")? {
            "upsert" => false,
            "delete" => true,
            other => return Err(Error::input(format!("unknown event type {other:?}"))),
        };
        let address = text("email")?;
        email::validate(address)?;
        let old_email = match object.get("old_email") {
            None | Some(Json::Null) => None,
            Some(Json::String(s)) => {
                email::validate(s)?;
                Some(s.trim().to_string())
            }
            Some(_) => return Err(Error::input("old_email must be a string or null")),
        };
        let origin = text("origin")?;
        if origin.is_empty() || origin.len() > 64 || !is_identifier(&format!("o{origin}")) {
            return Err(Error::input(
                "origin must be 1 to 64 letters, digits or underscores",
            ));
        }
        let changed: Vec<String> = match object.get("changed") {
            Some(Json::Array(list)) => list
                .iter()
                .map(|c| match c.as_str() {
                    Some(s) if s == "*" || is_identifier(s) => Ok(s.to_string()),
                    _ => Err(Error::input("changed must list column names")),
                })
                .collect::<Result<_>>()?,
            _ => return Err(Error::input("changed must be an array")),
        };
        let record = match (delete, object.get("record")) {
            (true, None) => None,
            (true, Some(_)) => return Err(Error::input("a delete carries no record")),
            (false, Some(r)) => Some(UserRecord::from_json(r)?),
            (false, None) => return Err(Error::input("an upsert needs its record")),
        };
        if let Some(r) = &record {
            if r.key() != email::normalise(address) {
                return Err(Error::input(
                    "the record's s_email differs from the event's email",
                ));
            }
        }
        let user_id = decode_user_id(object.get("user_id"), "user_id")?;
        let your_id = decode_user_id(object.get("your_id"), "your_id")?;
        Ok(Event {
            id: number("id")?,
            user_id,
            your_id,
            delete,
            email: address.trim().to_string(),
            old_email,
            version: Version {
                at: number("version")?,
                origin: origin.to_string(),
            },
            changed,
            record,
        })
    }
}

/// What the receiver says of one event.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Ack {
    pub id: u64,
    /// applied, unchanged, superseded (a newer change is known here) or failed.
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

fn ack(id: u64, status: &'static str, reason: Option<String>) -> Ack {
    Ack { id, status, reason }
}

/// Applies a request's events in one transaction and acknowledges each.
pub fn receive(site: &mut Site, account: &Account, events: &[Json]) -> Result<Vec<Ack>> {
    if events.len() > MAX_EVENTS {
        return Err(Error::input(format!(
            "at most {MAX_EVENTS} events a request"
        )));
    }
    let mut acks: Vec<Option<Ack>> = vec![None; events.len()];
    let mut parsed: Vec<(usize, Event)> = Vec::new();
    let mut ids = HashSet::new();
    // A version far ahead of this site's clock would pin its columns against every later
    // change: a day of clock difference is allowed, no more.
    let latest = (crate::transport::signing::now() + 86_400) * 1_000_000;
    for (index, json) in events.iter().enumerate() {
        match Event::from_json(json).and_then(|e| {
            if e.version.at > latest {
                Err(Error::input(format!(
                    "version {} is more than a day ahead of this site's clock",
                    e.version.at
                )))
            } else {
                Ok(e)
            }
        }) {
            Ok(e) if !ids.insert(e.id) => {
                return Err(Error::input(format!("event id {} appears twice", e.id)));
            }
            Ok(e) => parsed.push((index, e)),
            Err(e) => {
                let id = json.get("id").and_then(Json::as_u64).unwrap_or(0);
                acks[index] = Some(ack(id, "failed", Some(e.message)));
            }
        }
    }

    let t = site.tables.clone();
    let table = site.users.clone();
    let all_columns: Vec<&str> = table.travelling();
    let selection = Selection::from_account_columns(&account.columns);
    let conn = site.installed_conn()?;
    let site_id = schema::site_id(conn, &t)?;
    let mut tx = conn.start_transaction(TxOpts::default())?;
    tx.query_drop("SET @account_sync_applying = 1")?;

    let mut keys: Vec<String> = Vec::new();
    for (_, e) in &parsed {
        keys.push(email::normalise(&e.email));
        if let Some(old) = &e.old_email {
            keys.push(email::normalise(old));
        }
    }
    let local = users::ids_by_email(&mut tx, &t, &keys)?;
    let remote_ids: Vec<u64> = parsed.iter().filter_map(|(_, e)| e.user_id).collect();
    let known = identities::lookup(&mut tx, &t, account.id, &remote_ids)?;
    let own_ids: Vec<u64> = parsed.iter().filter_map(|(_, e)| e.your_id).collect();
    let own = users::emails_by_ids(&mut tx, &t, &own_ids)?;
    // The person is found by the sender's id when this site has seen it before, else by
    // the previous e-mail, else by the e-mail.
    let local_of = |e: &Event| -> Option<Found> {
        if let Some((id, key)) = e.your_id.and_then(|u| own.get(&u).map(|k| (u, k))) {
            return Some(Found {
                key: key.clone(),
                id,
                by_identity: true,
            });
        }
        if let Some((id, key)) = e.user_id.and_then(|u| known.get(&u)) {
            return Some(Found {
                key: key.clone(),
                id: *id,
                by_identity: true,
            });
        }
        let old = e.old_email.as_deref().map(email::normalise);
        old.into_iter()
            .chain(std::iter::once(email::normalise(&e.email)))
            .find_map(|k| {
                local.get(&k).map(|id| Found {
                    key: k.clone(),
                    id: *id,
                    by_identity: false,
                })
            })
    };
    let local_ids: Vec<u64> = parsed
        .iter()
        .filter_map(|(_, e)| local_of(e).map(|f| f.id))
        .collect();
    let versions = outbox::versions(&mut tx, &t, &local_ids, &site_id)?;

    let mut items: Vec<Item> = Vec::new();
    let mut item_events: Vec<(usize, &Event, Vec<String>)> = Vec::new();
    // Removals first: a user removed and registered again with the same e-mail since the
    // last run arrives as a removal and a registration, and the registration must not find
    // the removed user.
    let mut removed_here: HashSet<u64> = HashSet::new();
    for (index, e) in parsed.iter().filter(|(_, e)| e.delete) {
        let found = local_of(e);
        let ack = delete(&mut tx, &t, e, found.as_ref().map(|f| f.id), &versions)?;
        if ack.status == "applied" {
            removed_here.extend(found.map(|f| f.id));
        }
        acks[*index] = Some(ack);
    }
    for (index, e) in parsed.iter().filter(|(_, e)| !e.delete) {
        let found = local_of(e).filter(|f| !removed_here.contains(&f.id));
        let record = e.record.clone().expect("an upsert has its record");
        let wanted: Vec<String> = e
            .changed
            .iter()
            .flat_map(|c| outbox::expand(c, &all_columns))
            .collect();
        match found {
            Some(f) if e.changed.iter().any(|c| c == "*") && !f.by_identity => {
                // A registration on the other site for an address someone here already
                // uses: applying it would hand this site's account to whoever registered.
                acks[*index] = Some(ack(
                    e.id,
                    "failed",
                    Some(format!(
                        "a user with the e-mail {} already exists here and is not known as this site's user; \
                         a registration never takes over an account (a feed merges them on purpose)",
                        record.email()
                    )),
                ));
            }
            Some(Found {
                key: lookup, id, ..
            }) => {
                let winners: Vec<String> = wanted
                    .into_iter()
                    .filter(|c| {
                        c == "s_email"
                            || selection.columns.contains(c)
                            || (c == DESCRIPTIONS && selection.descriptions)
                    })
                    .filter(|c| newest(&versions, id, c).is_none_or(|v| e.version > *v))
                    .collect();
                if winners.is_empty() {
                    acks[*index] = Some(ack(e.id, "superseded", None));
                    continue;
                }
                let chosen = Selection {
                    columns: winners
                        .iter()
                        .filter(|c| *c != DESCRIPTIONS)
                        .cloned()
                        .collect(),
                    descriptions: winners.iter().any(|c| c == DESCRIPTIONS),
                };
                items.push(Item {
                    record: Cow::Owned(record),
                    lookup,
                    selection: Cow::Owned(chosen),
                    may_insert: false,
                    digest: None,
                });
                item_events.push((*index, e, winners));
            }
            None => {
                if outbox::tombstone(&mut tx, &t, &record.key())?.is_some_and(|v| v >= e.version) {
                    acks[*index] = Some(ack(
                        e.id,
                        "superseded",
                        Some("the user was removed later".into()),
                    ));
                    continue;
                }
                // A new user: every column has the event's version, kept as one `*` row.
                let everything = vec!["*".to_string()];
                items.push(Item {
                    lookup: record.key(),
                    record: Cow::Owned(record),
                    selection: Cow::Borrowed(&selection),
                    may_insert: true,
                    digest: None,
                });
                item_events.push((*index, e, everything));
            }
        }
    }

    let results = apply::apply_items(&mut tx, &t, &table, &items)?;
    apply::remember(&mut tx, &t, account.id, &items, &results)?;
    let mut new_versions = Vec::new();
    for ((index, e, columns), result) in item_events.into_iter().zip(results) {
        let (status, reason, id) = match result {
            Applied::Inserted(id) | Applied::Updated(id) => ("applied", None, Some(id)),
            Applied::Unchanged(id) => ("unchanged", None, Some(id)),
            Applied::Skipped => ("unchanged", None, None),
            Applied::Failed(reason) => ("failed", Some(reason), None),
        };
        if let Some(id) = id {
            new_versions.extend(columns.into_iter().map(|c| (id, c, e.version.clone())));
        }
        acks[index] = Some(ack(e.id, status, reason));
    }
    outbox::set_versions(&mut tx, &t, &new_versions)?;
    tx.query_drop("SET @account_sync_applying = NULL")?;
    tx.commit()?;

    let applied = acks
        .iter()
        .flatten()
        .filter(|a| a.status == "applied")
        .count() as u64;
    accounts::add_counters(site.installed_conn()?, &t, account.id, applied, 0)?;
    Ok(acks
        .into_iter()
        .map(|a| a.expect("every event has its answer"))
        .collect())
}

/// A local user an event names, and how it was found.
struct Found {
    key: String,
    id: u64,
    by_identity: bool,
}

/// A removal wins only over older changes of the same user. It leaves a tombstone, so that
/// an older change arriving later does not bring the user back. A removal the database
/// refuses (another plugin's rows still point at the user) fails alone.
fn delete(
    conn: &mut impl Queryable,
    t: &crate::storage::Tables,
    e: &Event,
    found: Option<u64>,
    versions: &Versions,
) -> Result<Ack> {
    let key = email::normalise(&e.email);
    let Some(id) = found else {
        outbox::set_tombstone(conn, t, &key, &e.version)?;
        return Ok(ack(e.id, "unchanged", Some("no such user here".into())));
    };
    let newer_here = versions
        .get(&id)
        .and_then(|v| v.values().max())
        .is_some_and(|v| *v > e.version);
    if newer_here {
        return Ok(ack(
            e.id,
            "superseded",
            Some("the user changed here after the removal".into()),
        ));
    }
    conn.query_drop("SAVEPOINT account_sync_removal")?;
    match users::delete_with_dependants(conn, t, id) {
        Ok(()) => conn.query_drop("RELEASE SAVEPOINT account_sync_removal")?,
        Err(err) if err.connection_lost => return Err(err),
        Err(err) => {
            conn.query_drop("ROLLBACK TO SAVEPOINT account_sync_removal")?;
            return Ok(ack(
                e.id,
                "failed",
                Some(format!("the user cannot be removed here: {}", err.message)),
            ));
        }
    }
    outbox::forget_versions(conn, t, id)?;
    identities::forget_user(conn, t, id)?;
    outbox::set_tombstone(conn, t, &key, &e.version)?;
    Ok(ack(e.id, "applied", None))
}

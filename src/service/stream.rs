//! Sending this site's changes to every account, from cron.
//!
//! Each account keeps its own delivery marks, so one that fails neither blocks the others
//! nor loses its changes. Several changes of one user since the last run travel as one
//! event carrying the user's current state. A change counts as delivered only when the
//! account acknowledged it, event by event, in valid JSON; a failed run is retried on later
//! runs, waiting longer each time.
//!
//! The accounts are served at the same time, each by a thread with a database connection
//! of its own, so that one receiver applying a request does not hold up the others.

use std::collections::{BTreeSet, HashMap};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use mysql::prelude::Queryable;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value as Json};

use crate::domain::account::Account;
use crate::error::{Code, Error, Result};
use crate::service::receive::{Ack, Event};
use crate::state::Site;
use crate::storage::logs::LogType;
use crate::storage::outbox::{self, Change, Version};
use crate::storage::{accounts, identities, schema, triggers, users};
use crate::transport::signing;
use crate::transport::wire::Request;

/// Changes read from the outbox per round, and events per request.
const CHANGES_PER_ROUND: u64 = 5_000;
const EVENTS_PER_REQUEST: usize = 500;
/// Runs in a row that fail before the account is shown as failing.
const FAILING_AFTER: u32 = 3;
/// Accounts served at the same time, each with its own thread and database connection; the
/// others wait for a thread to be free. A run holds at most this many connections besides
/// the one that holds the lock.
const ACCOUNTS_AT_ONCE: usize = 4;
/// How often the connection that holds the run's lock is used while the accounts are served.
const KEEP_ALIVE: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamRequest {
    #[serde(default = "default_budget")]
    pub budget_ms: u64,
    /// Try accounts that are waiting out a failure, too.
    #[serde(default)]
    pub force: bool,
}

fn default_budget() -> u64 {
    50_000
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct AccountReport {
    pub account_id: i64,
    pub name: String,
    pub sent: u64,
    pub applied: u64,
    pub failed: u64,
    pub pending: u64,
    pub status: String,
    pub message: String,
}

/// One event and the outbox rows it stands for.
struct Outgoing {
    event: Event,
    change_ids: Vec<u64>,
    label: String,
}

pub fn run(site: &mut Site, request: &StreamRequest) -> Result<Json> {
    if request.budget_ms == 0 || request.budget_ms > crate::service::feed::MAX_BUDGET_MS {
        return Err(Error::input("budget_ms must be between 1 and 3600000"));
    }
    let started = Instant::now();
    let t = site.tables.clone();
    let table = site.users.clone();
    let conn = site.installed_conn()?;
    let capture = triggers::keep_in_step(conn, &t, &table)?;
    let got: Option<i64> =
        conn.exec_first(format!("SELECT GET_LOCK({LOCK_NAME}, 0)"), (&t.prefix,))?;
    if got != Some(1) {
        return Ok(
            json!({"busy": true, "message": "another stream run is in progress on this site", "accounts": []}),
        );
    }

    crate::service::failpoint("stream_locked");
    let result = run_locked(site, request, started);
    let conn = site.installed_conn()?;
    conn.exec_drop(format!("DO RELEASE_LOCK({LOCK_NAME})"), (&t.prefix,))?;
    let (reports, pruned) = result?;
    Ok(json!({
        "busy": false,
        "capture": match capture { triggers::Capture::Triggers => "triggers".to_string(), triggers::Capture::HooksOnly(r) => r },
        "accounts": reports,
        "pruned": pruned,
    }))
}

/// The named lock that keeps two cron runs of one site from sending at the same time. Lock
/// names are global to the server, so the name carries the database and the table prefix.
const LOCK_NAME: &str = "CONCAT('account_sync_', MD5(CONCAT(DATABASE(), '.', ?)))";

fn run_locked(
    site: &mut Site,
    request: &StreamRequest,
    started: Instant,
) -> Result<(Vec<AccountReport>, u64)> {
    let t = site.tables.clone();
    let list = accounts::list(site.installed_conn()?, &t)?;
    let reports = serve_all(site, &list, request, started)?;
    let site_id = schema::site_id(site.installed_conn()?, &t)?;
    let table = site.users.clone();
    let pruned = outbox::prune(site.installed_conn()?, &t, &site_id, &table.travelling())?;
    Ok((reports, pruned))
}

/// Serves every account, `ACCOUNTS_AT_ONCE` at a time: each thread takes the next account no
/// thread has taken yet, until none is left. The site's own connection only holds the lock
/// meanwhile. The reports come in the order of the list. An account whose work failed (the
/// database refused a statement, a panic) does not stop the others; once every thread is
/// done, the first such error in the order of the list is the run's.
fn serve_all(
    site: &mut Site,
    list: &[Account],
    request: &StreamRequest,
    started: Instant,
) -> Result<Vec<AccountReport>> {
    let mut workers = (0..list.len().min(ACCOUNTS_AT_ONCE))
        .map(|_| site.worker())
        .collect::<Result<Vec<Site>>>()?;
    let next = AtomicUsize::new(0);
    let results: Vec<OnceLock<Result<AccountReport>>> =
        list.iter().map(|_| OnceLock::new()).collect();
    // Why an account got no result: no thread could be started, or the threads stopped.
    let mut stopped = None;
    std::thread::scope(|scope| {
        let mut threads = Vec::new();
        for worker in workers.iter_mut() {
            let (next, results) = (&next, &results);
            let spawned = std::thread::Builder::new()
                .name("account_sync stream".into())
                .spawn_scoped(scope, move || {
                    serve_next(worker, list, next, results, request, started)
                });
            match spawned {
                Ok(thread) => threads.push(thread),
                Err(e) => {
                    stopped = Some(Error::remote(format!(
                        "cannot start a thread for the stream: {e}"
                    )))
                }
            }
        }
        // Meanwhile the site's own connection, idle but holding the lock, is kept from the
        // server's idle timeout.
        let mut touched = Instant::now();
        while !threads.iter().all(|t| t.is_finished()) {
            std::thread::sleep(Duration::from_millis(20));
            if touched.elapsed() >= KEEP_ALIVE {
                site.keep_alive();
                touched = Instant::now();
            }
        }
        // Every thread is joined here, so none panics the scope; the others went on with
        // the accounts a stopped thread did not take.
        for thread in threads {
            if let Err(panic) = thread.join() {
                stopped = Some(Error::from_panic(&*panic));
            }
        }
    });
    for worker in workers {
        site.absorb(worker);
    }

    list.iter()
        .zip(results)
        .map(|(account, result)| {
            result.into_inner().unwrap_or_else(|| {
                let e = stopped
                    .clone()
                    .unwrap_or_else(|| Error::new(Code::Panic, "no thread served the account"));
                Err(naming(account, e))
            })
        })
        .collect()
}

/// One thread's work: the next account not taken yet, until none is left. A panic in one
/// account's work becomes that account's error, and the connection it may have left in the
/// middle of a statement is closed.
fn serve_next(
    site: &mut Site,
    list: &[Account],
    next: &AtomicUsize,
    results: &[OnceLock<Result<AccountReport>>],
    request: &StreamRequest,
    started: Instant,
) {
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(account) = list.get(i) else {
            return;
        };
        let result = catch_unwind(AssertUnwindSafe(|| serve(site, account, request, started)))
            .unwrap_or_else(|panic| {
                site.drop_connection();
                Err(Error::from_panic(&*panic))
            })
            .map_err(|e| naming(account, e));
        let _ = results[i].set(result);
    }
}

/// The error with the account it happened for, since several accounts run at once.
fn naming(account: &Account, mut e: Error) -> Error {
    e.message = format!("stream to {}: {}", account.name, e.message);
    e
}

/// One account's part of the run: delivers unless it waits out earlier failures, then counts
/// what is left. A failed delivery is written on the account and is no error here.
fn serve(
    site: &mut Site,
    account: &Account,
    request: &StreamRequest,
    started: Instant,
) -> Result<AccountReport> {
    let t = site.tables.clone();
    let budget = Duration::from_millis(request.budget_ms);
    let mut report = AccountReport {
        account_id: account.id,
        name: account.name.clone(),
        ..Default::default()
    };
    let (failures, waiting) = accounts::stream_state(site.installed_conn()?, &t, account.id)?;
    crate::service::failpoint(&format!("stream_account_{}", account.id));
    if waiting && !request.force {
        report.status = "WAITING".into();
        report.message = format!("{failures} failed runs in a row; waiting before the next try");
    } else {
        deliver(site, account, failures, started, budget, &mut report)?;
    }
    report.pending = outbox::count_pending(site.installed_conn()?, &t, account.id)?;
    Ok(report)
}

fn deliver(
    site: &mut Site,
    account: &Account,
    failures: u32,
    started: Instant,
    budget: Duration,
    report: &mut AccountReport,
) -> Result<()> {
    let t = site.tables.clone();
    loop {
        let changes = outbox::pending(site.installed_conn()?, &t, account.id, CHANGES_PER_ROUND)?;
        if changes.is_empty() {
            break;
        }
        let outgoing = collapse(site, account.id, &changes)?;
        for chunk in outgoing.chunks(EVENTS_PER_REQUEST) {
            if let Err(e) = send(site, account, chunk, report) {
                let delay = backoff_seconds(failures + 1);
                let conn = site.installed_conn()?;
                accounts::stream_failed(conn, &t, account.id, delay)?;
                let status = if failures + 1 >= FAILING_AFTER {
                    "FAILING"
                } else {
                    "ERROR"
                };
                let message = format!(
                    "Stream failed ({} runs in a row), next try in about {delay} s: {}",
                    failures + 1,
                    e.message
                );
                accounts::record_status(conn, &t, account.id, status, &message)?;
                report.status = status.into();
                report.message = message;
                return Ok(());
            }
            if started.elapsed() > budget {
                break;
            }
        }
        if started.elapsed() > budget {
            break;
        }
    }
    let conn = site.installed_conn()?;
    accounts::stream_succeeded(conn, &t, account.id)?;
    if report.sent > 0 || failures > 0 {
        let message = format!(
            "Stream: {} changes sent, {} applied, {} failed",
            report.sent, report.applied, report.failed
        );
        accounts::record_status(
            conn,
            &t,
            account.id,
            if report.failed == 0 { "OK" } else { "PARTIAL" },
            &message,
        )?;
        report.message = message;
    }
    report.status = if report.failed == 0 {
        "OK".into()
    } else {
        "PARTIAL".into()
    };
    Ok(())
}

/// 30 s after the first failure, doubling up to an hour, each within ±20 %.
fn backoff_seconds(failures: u32) -> u64 {
    let base = 30u64
        .saturating_mul(1u64 << failures.saturating_sub(1).min(10))
        .min(3_600);
    let jitter = signing::nonce()
        .ok()
        .and_then(|n| u64::from_str_radix(&n[..4], 16).ok())
        .unwrap_or(0x8000);
    base * (80 + jitter * 40 / 0xffff) / 100
}

/// One event a user: its current state, the union of what changed, the first previous
/// e-mail, the newest version.
fn collapse(site: &mut Site, account_id: i64, changes: &[Change]) -> Result<Vec<Outgoing>> {
    let t = site.tables.clone();
    let table = site.users.clone();
    let conn = site.installed_conn()?;
    let site_id = schema::site_id(conn, &t)?;

    let mut order: Vec<u64> = Vec::new();
    let mut groups: HashMap<u64, Vec<&Change>> = HashMap::new();
    for change in changes {
        groups.entry(change.user_id).or_insert_with(|| {
            order.push(change.user_id);
            Vec::new()
        });
        groups
            .get_mut(&change.user_id)
            .expect("just inserted")
            .push(change);
    }
    let mut current = users::records_by_ids(conn, &t, &table, &order)?;
    // The receiver's own id of each user, where this site learned it: it finds the person by
    // it whatever either side did to the e-mail meanwhile.
    let theirs = identities::remote_ids(conn, &t, account_id, &order)?;
    for record in current.values_mut() {
        crate::domain::time::dates_to_utc(record, &table.zone);
        table.mark_absent_descriptions(record);
    }

    let mut out = Vec::with_capacity(order.len());
    for user_id in order {
        let group = &groups[&user_id];
        let last = group.last().expect("a group has a change");
        let version = Version {
            at: group.iter().map(|c| c.version).max().unwrap_or(0),
            origin: site_id.clone(),
        };
        let old_email = group.iter().find_map(|c| c.old_email.clone());
        let mut changed: BTreeSet<String> = BTreeSet::new();
        for c in group.iter() {
            changed.extend(
                c.columns
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
            );
        }
        let changed: Vec<String> = if changed.contains("*") {
            vec!["*".to_string()]
        } else {
            changed.into_iter().collect()
        };
        let event = match current.get(&user_id) {
            Some(record) => Event {
                id: last.id,
                user_id: Some(user_id),
                your_id: theirs.get(&user_id).copied(),
                delete: false,
                email: record.email().to_string(),
                old_email,
                version,
                changed,
                record: Some(record.clone()),
            },
            None => Event {
                id: last.id,
                user_id: Some(user_id),
                your_id: theirs.get(&user_id).copied(),
                delete: true,
                email: last.email.clone(),
                old_email: None,
                version,
                changed: vec!["*".to_string()],
                record: None,
            },
        };
        out.push(Outgoing {
            label: describe(&event),
            event,
            change_ids: group.iter().map(|c| c.id).collect(),
        });
    }
    Ok(out)
}

/// What the change was, in the words of the admin panel.
fn describe(event: &Event) -> String {
    if event.delete {
        return "removal".into();
    }
    let flag = |name: &str| {
        event
            .record
            .as_ref()
            .and_then(|r| r.columns.get(name))
            .cloned()
    };
    match event
        .changed
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["*"] => "registration".into(),
        ["b_active"] => {
            if flag("b_active") == Some(crate::domain::record::Value::Int(1)) {
                "activation".into()
            } else {
                "deactivation".into()
            }
        }
        ["b_enabled"] => {
            if flag("b_enabled") == Some(crate::domain::record::Value::Int(1)) {
                "unblock".into()
            } else {
                "block".into()
            }
        }
        cols if cols.contains(&"s_email") => "e-mail change".into(),
        cols if cols.contains(&"s_password") => "password change".into(),
        _ => "edit".into(),
    }
}

/// Sends one request; marks what the account acknowledged. An error means nothing of this
/// request counts as delivered.
fn send(
    site: &mut Site,
    account: &Account,
    chunk: &[Outgoing],
    report: &mut AccountReport,
) -> Result<()> {
    let t = site.tables.clone();
    let request = Request::Stream {
        events: chunk.iter().map(|o| o.event.to_json()).collect(),
    };
    let own_key = site.config.api_key.clone();
    let result = site
        .client()?
        .call(account, &own_key, site.config.previous_key(), &request)
        .and_then(|a| a.into_json())
        .and_then(|j| read_acks(&j, chunk));

    let conn = site.installed_conn()?;
    let sent: Vec<Json> = chunk
        .iter()
        .map(|o| json!({"id": o.event.id, "change": o.label, "email": o.event.email, "changed": o.event.changed}))
        .collect();
    let (status, response, acks) = match &result {
        Ok(acks) => (200, summarise(acks), json!(acks)),
        Err(e) => (0, e.message.clone(), Json::Null),
    };
    crate::service::log_outgoing(
        conn,
        &t,
        LogType::STREAM,
        account,
        status,
        response,
        json!({"events": sent, "acks": acks}).to_string(),
    )?;
    let acks = result?;

    let by_id: HashMap<u64, &Ack> = acks.iter().map(|a| (a.id, a)).collect();
    let mut delivered = Vec::new();
    for o in chunk {
        if let Some(a) = by_id.get(&o.event.id) {
            delivered.extend(o.change_ids.iter().copied());
            report.sent += 1;
            match a.status {
                "applied" => report.applied += 1,
                "failed" => report.failed += 1,
                _ => {}
            }
        }
    }
    let applied_now = acks.iter().filter(|a| a.status == "applied").count() as u64;
    outbox::mark_delivered(conn, &t, account.id, &delivered)?;
    accounts::add_counters(conn, &t, account.id, 0, applied_now)?;
    Ok(())
}

fn summarise(acks: &[Ack]) -> String {
    let count = |s: &str| acks.iter().filter(|a| a.status == s).count();
    format!(
        "{} events acknowledged: {} applied, {} unchanged, {} superseded, {} failed",
        acks.len(),
        count("applied"),
        count("unchanged"),
        count("superseded"),
        count("failed")
    )
}

/// Only acknowledgements of events this request carried, with a known status, count.
fn read_acks(json: &Json, chunk: &[Outgoing]) -> Result<Vec<Ack>> {
    let list = json
        .get("acks")
        .and_then(Json::as_array)
        .ok_or_else(|| Error::remote("the answer has no acks"))?;
    let sent: std::collections::HashSet<u64> = chunk.iter().map(|o| o.event.id).collect();
    let mut acks = Vec::with_capacity(list.len());
    for a in list {
        let id = a
            .get("id")
            .and_then(Json::as_u64)
            .ok_or_else(|| Error::remote("an ack without an id"))?;
        let status = match a.get("status").and_then(Json::as_str) {
            Some("applied") => "applied",
            Some("unchanged") => "unchanged",
            Some("superseded") => "superseded",
            Some("failed") => "failed",
            other => {
                return Err(Error::remote(format!(
                    "an ack with an unknown status {other:?}"
                )))
            }
        };
        if !sent.contains(&id) {
            return Err(Error::remote(format!(
                "an ack for event {id}, which was not sent"
            )));
        }
        let reason = a.get("reason").and_then(Json::as_str).map(str::to_string);
        acks.push(Ack { id, status, reason });
    }
    Ok(acks)
}

/// Records a change a hook saw, for hosts where the triggers could not be created; with
/// triggers the same change is in the outbox already and the hook adds nothing new.
pub fn capture(site: &mut Site, json: &str) -> Result<Json> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Hook {
        event: String,
        user_id: u64,
        #[serde(default)]
        old_email: Option<String>,
    }
    let hook: Hook = serde_json::from_str(json).map_err(|e| {
        Error::json(format!(
            "the captured change is not of the expected shape: {e}"
        ))
    })?;
    // "*" stands for a registration only; a hooked edit names every column, since the hook
    // does not say which changed.
    let everything = format!("{},descriptions", site.users.travelling().join(","));
    let (kind, columns) = match hook.event.as_str() {
        "register" => ("register", "*"),
        "edit" | "password" | "email" => ("update", everything.as_str()),
        "activate" | "deactivate" => ("update", "b_active"),
        "enable" | "disable" => ("update", "b_enabled"),
        "delete" => ("delete", "*"),
        other => return Err(Error::input(format!("unknown change {other:?}"))),
    };
    let t = site.tables.clone();
    let conn = site.installed_conn()?;
    if matches!(
        schema::meta(conn, &t, "capture")?.as_deref(),
        Some("triggers")
    ) {
        return Ok(json!({"recorded": false, "reason": "the triggers recorded this change"}));
    }
    let email: Option<String> = conn.exec_first(
        format!(
            "SELECT s_email FROM {} WHERE pk_i_id = ?",
            t.osclass("user")
        ),
        (hook.user_id,),
    )?;
    let Some(email) = email else {
        return Err(Error::not_found(format!(
            "user {} does not exist",
            hook.user_id
        )));
    };
    outbox::record_hook(
        conn,
        &t,
        hook.user_id,
        &email,
        hook.old_email.as_deref(),
        kind,
        columns,
    )?;
    Ok(json!({"recorded": true}))
}

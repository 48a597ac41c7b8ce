//! Pulling users from another site, batch after batch, within a time budget.

use std::time::{Duration, Instant};

use mysql::prelude::Queryable;
use mysql::TxOpts;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::domain::account::Account;
use crate::domain::progress::Progress;
use crate::domain::record::UserRecord;
use crate::error::{Code, Error, Result};
use crate::service::apply::{self, Failure, Outcome, Selection};
use crate::state::Site;
use crate::storage::logs::{self, LogType, NewLog};
use crate::storage::{accounts, identities, Tables};
use crate::transport::client::Answer;
use crate::transport::signing;
use crate::transport::wire::{FeedAnswer, Request, UsersAnswer};

/// The longest a single call may keep feeding; a web request stops well before PHP's limit.
pub const MAX_BUDGET_MS: u64 = 3_600_000;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedRequest {
    pub account_id: i64,
    #[serde(default = "default_budget")]
    pub budget_ms: u64,
    /// 0: as many batches as the budget allows.
    #[serde(default)]
    pub max_batches: u64,
}

fn default_budget() -> u64 {
    20_000
}

/// What a call to `as_feed` did, and where the feed stands.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct FeedProgress {
    pub account_id: i64,
    pub batches: u64,
    pub retrieved: u64,
    pub applied: u64,
    pub unchanged: u64,
    pub failed: u64,
    pub done: bool,
    pub last_user_id: u64,
    pub total: u64,
    pub remaining: u64,
    pub percent: f64,
    /// The message of the last batch, as written on the account.
    pub message: String,
    /// The message of every batch of this call, oldest first.
    pub messages: Vec<String>,
}

/// Feeds until the source has nothing more, the budget is spent or `max_batches` ran.
/// A batch is applied in one transaction together with the account's new cursor, counter
/// and message: a batch that fails leaves the cursor where it was.
///
/// While one page is applied, the next is already being fetched: the source's work and this
/// site's overlap instead of taking turns. A page fetched ahead and then not used (the call
/// stopped, or the batch failed) is dropped; the next call asks for it again.
pub fn run(site: &mut Site, request: &FeedRequest) -> Result<FeedProgress> {
    if request.budget_ms == 0 || request.budget_ms > MAX_BUDGET_MS {
        return Err(Error::input(format!(
            "budget_ms must be between 1 and {MAX_BUDGET_MS}"
        )));
    }
    let started = Instant::now();
    let budget = Duration::from_millis(request.budget_ms);
    let mut progress = FeedProgress {
        account_id: request.account_id,
        ..FeedProgress::default()
    };
    let tables = site.tables.clone();
    let mut ahead: Option<Fetch<Fetched>> = None;
    let mut totals: Option<(u64, u64)> = None;
    // Digests first while they save work: a page of digests that led to fetching most of its
    // users anyway (this site lost them, or they all changed) turns the rest of the call to
    // whole pages.
    let mut digests_help = true;
    let disposer = Disposer::start();
    // Worked out once a call, again only if the account's columns change meanwhile.
    let mut known: Option<(Vec<String>, String)> = None;

    loop {
        let batch_started = Instant::now();
        let account = accounts::get(site.installed_conn()?, &tables, request.account_id)?;
        let fingerprint = match &known {
            Some((columns, fingerprint)) if *columns == account.columns => fingerprint.clone(),
            _ => {
                let fingerprint = fingerprint(site, &account)?;
                known = Some((account.columns.clone(), fingerprint.clone()));
                fingerprint
            }
        };
        let fetch = match ahead.take() {
            Some(f) if f.cursor == account.last_user_id => f,
            _ => Fetch::page(site, &account, totals.is_none(), digests_help, &fingerprint)?,
        };
        let (mut page, mut batch) = receive_page(site, &account, fetch)?;
        let (total, remaining) = match (page.total, page.remaining) {
            (Some(t), Some(r)) => (t, r),
            _ => {
                let (t, r) = totals.unwrap_or((0, 0));
                (
                    t,
                    if page.more {
                        r.saturating_sub(page.served() as u64)
                    } else {
                        0
                    },
                )
            }
        };
        totals = Some((total, remaining));

        let served = page.served();
        if let Some(skipped) = fetch_changed(site, &account, &mut page, &fingerprint)? {
            if page.users.len() * 2 > served {
                digests_help = false;
            }
            batch = decode_records(&page, &fingerprint, skipped);
        }

        let another = page.more
            && (request.max_batches == 0 || progress.batches + 1 < request.max_batches)
            && started.elapsed() + batch_started.elapsed() * 2 < budget;
        if another {
            let mut next = account.clone();
            next.last_user_id = page.next_cursor;
            ahead = Some(Fetch::page(site, &next, false, digests_help, &fingerprint)?);
        }

        apply_batch(
            site,
            &account,
            &page,
            &batch,
            total,
            remaining,
            &mut progress,
        )?;
        progress.batches += 1;
        let more = page.more;
        disposer.take((page, batch));
        if !more {
            progress.done = true;
            break;
        }
        if ahead.is_none() {
            break;
        }
    }
    // A page fetched ahead and not used is waited for as it goes (`Fetch` drops by joining).
    drop(ahead);
    Ok(progress)
}

/// Frees the pages that were applied on a thread of its own: dropping thousands of records is
/// work the next page need not wait for. The thread ends, and is waited for, with the call.
struct Disposer {
    litter: Option<std::sync::mpsc::Sender<Fetched>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Disposer {
    fn start() -> Disposer {
        let (litter, bin) = std::sync::mpsc::channel::<Fetched>();
        let thread = std::thread::Builder::new()
            .name("account_sync free".into())
            .spawn(move || bin.into_iter().for_each(drop))
            .ok();
        Disposer {
            litter: Some(litter),
            thread,
        }
    }

    /// Without the thread (it could not start), the page is freed here.
    fn take(&self, fetched: Fetched) {
        if let Some(litter) = &self.litter {
            let _ = litter.send(fetched);
        }
    }
}

impl Drop for Disposer {
    fn drop(&mut self) {
        self.litter.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A feed request under way on its own thread, which also reads the answer: decoding a page
/// is work this site does while it still applies the page before.
struct Fetch<T> {
    cursor: u64,
    request: Request,
    handle: Option<std::thread::JoinHandle<Result<T>>>,
}

/// A fetch given up on any path is waited for: no thread outlives the call.
impl<T> Drop for Fetch<T> {
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

/// A page as it came, and its records ready to apply.
type Fetched = (FeedAnswer, Batch);

impl Fetch<Fetched> {
    /// The page after the account's cursor: the records, or only their digests where this
    /// site already holds users of the account beyond the cursor (and `digests_help`).
    fn page(
        site: &mut Site,
        account: &Account,
        totals: bool,
        digests_help: bool,
        fingerprint: &str,
    ) -> Result<Fetch<Fetched>> {
        let tables = site.tables.clone();
        let digests = digests_help
            && identities::any_after(
                site.installed_conn()?,
                &tables,
                account.id,
                account.last_user_id,
            )?;
        let request = Request::Feed {
            cursor: account.last_user_id,
            limit: crate::transport::wire::page_limit(site.config.feed_limit, digests),
            totals,
            digests,
        };
        let (cursor, fingerprint) = (account.last_user_id, fingerprint.to_string());
        Fetch::start(site, account, request, move |answer| {
            let page = read_page(answer, cursor)?;
            let batch = decode_records(&page, &fingerprint, 0);
            Ok((page, batch))
        })
    }
}

impl<T: Send + 'static> Fetch<T> {
    fn start(
        site: &mut Site,
        account: &Account,
        request: Request,
        read: impl FnOnce(Answer) -> Result<T> + Send + 'static,
    ) -> Result<Fetch<T>> {
        let client = site.client()?;
        let key = site.config.api_key.clone();
        let previous = site.config.previous_key().map(str::to_string);
        let (for_thread, sent) = (account.clone(), request.clone());
        let handle = std::thread::Builder::new()
            .name("account_sync feed".into())
            .spawn(move || {
                client
                    .call(&for_thread, &key, previous.as_deref(), &sent)
                    .and_then(read)
            })
            .map_err(|e| Error::remote(format!("cannot start the feed request: {e}")))?;
        Ok(Fetch {
            cursor: account.last_user_id,
            request,
            handle: Some(handle),
        })
    }

    fn wait(mut self) -> (Request, Result<T>) {
        let answer = match self.handle.take().map(|h| h.join()) {
            Some(Ok(answer)) => answer,
            _ => Err(Error::remote("the feed request's thread failed")),
        };
        (self.request.clone(), answer)
    }
}

/// The page a fetch brought, checked and logged; a failure is written on the account.
fn receive_page(site: &mut Site, account: &Account, fetch: Fetch<Fetched>) -> Result<Fetched> {
    let tables = site.tables.clone();
    let (request, answer) = fetch.wait();
    match answer {
        Ok((page, batch)) => {
            log_transmission(
                site.installed_conn()?,
                &tables,
                account,
                &request,
                Ok(&page),
            )?;
            Ok((page, batch))
        }
        Err(e) => {
            let conn = site.installed_conn()?;
            let status = if e.code == Code::Remote {
                "ERROR"
            } else {
                "FAILED"
            };
            accounts::record_status(conn, &tables, account.id, status, &e.message)?;
            log_transmission(conn, &tables, account, &request, Err(&e))?;
            Err(Error::new(
                e.code,
                format!("feed from {} failed: {}", account.name, e.message),
            ))
        }
    }
}

/// For a page of digests: fetches the records of the users whose digest differs from the
/// one remembered for them here and puts them in the page. Returns how many users it left
/// out because their digest is the same (nothing about them changed since they were applied),
/// or `None` for a page of records.
fn fetch_changed(
    site: &mut Site,
    account: &Account,
    page: &mut FeedAnswer,
    fingerprint: &str,
) -> Result<Option<u64>> {
    if !page.users.is_empty() || page.digests.is_empty() {
        return Ok(None);
    }
    let tables = site.tables.clone();
    let ids: Vec<u64> = page.digests.iter().map(|(id, _)| *id).collect();
    let known = identities::digests(site.installed_conn()?, &tables, account.id, &ids)?;
    let changed: Vec<u64> = page
        .digests
        .iter()
        .filter(|(id, digest)| known.get(id) != Some(&remembered(fingerprint, digest)))
        .map(|(id, _)| *id)
        .collect();
    let skipped = (page.digests.len() - changed.len()) as u64;
    page.digests.clear();
    // No more records a request than a page of records holds here.
    let mut served = 0;
    for chunk in changed.chunks(site.config.feed_limit.max(1) as usize) {
        let wanted = chunk.to_vec();
        let request = Request::Users {
            ids: wanted.clone(),
        };
        let fetch = Fetch::start(site, account, request, move |a| read_users(a, &wanted))?;
        let (request, answer) = fetch.wait();
        match answer {
            Ok(found) => {
                log_users(
                    site.installed_conn()?,
                    &tables,
                    account,
                    &request,
                    Ok(&found),
                )?;
                served += found.users.len();
                page.users.extend(found.users);
                page.digests.extend(found.digests);
            }
            Err(e) => {
                page.users.clear();
                page.digests.clear();
                let conn = site.installed_conn()?;
                accounts::record_status(conn, &tables, account.id, "ERROR", &e.message)?;
                log_users(conn, &tables, account, &request, Err(&e))?;
                return Err(Error::new(
                    e.code,
                    format!("feed from {} failed: {}", account.name, e.message),
                ));
            }
        }
    }
    // Users asked for that are no longer served (deactivated meanwhile) are left as they are,
    // like a user the page does not hold.
    Ok(Some(skipped + changed.len().saturating_sub(served) as u64))
}

/// What the receiver remembers of a record it applied: the sender's digest together with
/// what decided how it was applied here (`fingerprint`). A change of any of that makes every
/// remembered digest differ, and the next feed applies everything again.
fn remembered(fingerprint: &str, digest: &str) -> String {
    signing::digest(format!("{fingerprint}\n{digest}").as_bytes())
}

/// What decides, on this site, how an account's records are applied: the account's columns,
/// this site's columns and their types, its locales, its time zone, and which locations it
/// knows (a record's city is looked up by name).
fn fingerprint(site: &mut Site, account: &Account) -> Result<String> {
    let mut columns = account.columns.clone();
    columns.sort();
    let table = &site.users;
    let here: Vec<(&str, &str, Option<u32>, Option<u64>)> = table
        .columns
        .iter()
        .map(|c| (c.name.as_str(), c.data_type.as_str(), c.scale, c.max_chars))
        .collect();
    let described = serde_json::to_string(&(
        columns,
        here,
        &table.locales,
        &table.zone.name,
        &table.zone.transitions,
    ))
    .unwrap_or_default();
    let tables = site.tables.clone();
    let places = crate::storage::locations::census(site.installed_conn()?, &tables)?;
    Ok(signing::digest(format!("{described}|{places}").as_bytes()))
}

fn read_users(answer: Answer, asked: &[u64]) -> Result<UsersAnswer> {
    let json = answer.into_json()?;
    let found: UsersAnswer = serde_json::from_value(json).map_err(|e| {
        Error::remote(format!(
            "the users answer is not of the expected shape: {e}"
        ))
    })?;
    if found.digests.len() != found.users.len() {
        return Err(Error::remote(
            "the users answer does not give one digest a user",
        ));
    }
    let mut unseen: std::collections::HashSet<u64> = asked.iter().copied().collect();
    for ((id, _), user) in found.digests.iter().zip(&found.users) {
        if !unseen.remove(id) {
            return Err(Error::remote(format!(
                "the users answer holds user {id}, which was not asked for or comes twice"
            )));
        }
        if user.get("id").and_then(|v| v.as_u64()) != Some(*id) {
            return Err(Error::remote(format!(
                "the users answer gives user {id} the record of another"
            )));
        }
    }
    Ok(found)
}

fn log_users(
    conn: &mut impl Queryable,
    t: &Tables,
    account: &Account,
    request: &Request,
    result: std::result::Result<&UsersAnswer, &Error>,
) -> Result<()> {
    let (status, response, content) = match result {
        Ok(found) => (
            200,
            format!("{} changed users fetched", found.users.len()),
            json!({
                "request": {"action": "users", "ids": match request { Request::Users { ids } => ids.len(), _ => 0 }},
                "answer": {"users": found.users.len(),
                           "emails": found.users.iter().filter_map(|u| u.pointer("/user/s_email")).collect::<Vec<_>>()}
            }),
        ),
        Err(e) => (
            0,
            e.message.clone(),
            json!({"request": {"action": "users"}, "error": e.message}),
        ),
    };
    crate::service::log_outgoing(
        conn,
        t,
        LogType::FEED,
        account,
        status,
        response,
        content.to_string(),
    )
}

/// Applies one page and adds it to the progress.
fn apply_batch(
    site: &mut Site,
    account: &Account,
    page: &FeedAnswer,
    batch: &Batch,
    total: u64,
    remaining: u64,
    progress: &mut FeedProgress,
) -> Result<()> {
    let tables = site.tables.clone();
    let skipped = batch.skipped;
    let selection = Selection::from_account_columns(&account.columns);
    let p = Progress {
        total,
        remaining,
        last_retrieved: page.users.len() as u64 + skipped,
        limit: page.limit,
        from_user_id: account.last_user_id,
    };

    let outcome = crate::service::with_retries(site, |site| {
        apply_page(site, account, page, batch, &selection, &p)
    })
    .inspect_err(|e| {
        if let Ok(conn) = site.installed_conn() {
            let message = format!(
                "batch from user id {} not applied: {}",
                account.last_user_id, e.message
            );
            let _ = accounts::record_status(conn, &tables, account.id, "FAILED", &message);
        }
    })?;

    progress.retrieved += page.users.len() as u64 + skipped;
    progress.applied += outcome.applied();
    progress.unchanged += outcome.unchanged;
    progress.failed += outcome.failed.len() as u64;
    progress.last_user_id = page.next_cursor;
    progress.total = total;
    progress.remaining = remaining;
    progress.percent = (p.percent() * 100.0).round() / 100.0;
    progress.message = p.message();
    progress.messages.push(progress.message.clone());
    Ok(())
}

/// Applies one page in one transaction with the account's new cursor, counter, message and
/// PROCESS log: all of it lands, or none of it. A page another feed of the same account
/// applied meanwhile (the cursor moved) is left alone.
fn apply_page(
    site: &mut Site,
    account: &Account,
    page: &FeedAnswer,
    batch: &Batch,
    selection: &Selection,
    p: &Progress,
) -> Result<Outcome> {
    let tables = site.tables.clone();
    let users = site.users.clone();
    let conn = site.installed_conn()?;
    let mut tx = conn.start_transaction(TxOpts::default())?;
    let cursor: Option<u64> = tx.exec_first(
        format!(
            "SELECT i_last_user_id FROM {} WHERE pk_i_id = ? FOR UPDATE",
            tables.plugin("account")
        ),
        (account.id,),
    )?;
    if cursor != Some(page.cursor) {
        tx.rollback()?;
        return Err(Error::new(
            Code::InvalidInput,
            "another feed of this account ran at the same time; run it again",
        ));
    }
    tx.query_drop("SET @account_sync_applying = 1")?;
    let mut outcome = apply::apply(
        &mut tx,
        &tables,
        &users,
        account.id,
        &batch.records,
        &batch.digests,
        selection,
    )?;
    outcome.unchanged += batch.skipped;
    outcome.failed.extend(batch.failures.iter().cloned());
    let status = if outcome.failed.is_empty() {
        "OK"
    } else {
        "PARTIAL"
    };
    accounts::record_feed_batch(
        &mut tx,
        &tables,
        account.id,
        page.next_cursor,
        outcome.applied(),
        status,
        &p.message(),
    )?;
    logs::write(&mut tx, &tables, &process_log(account, p, &outcome))?;
    tx.query_drop("SET @account_sync_applying = NULL")?;
    crate::service::failpoint("feed_before_commit");
    tx.commit()?;
    Ok(outcome)
}

/// Checks that the page makes sense before anything of it is applied.
fn read_page(answer: Answer, cursor: u64) -> Result<FeedAnswer> {
    let json = answer.into_json()?;
    let page: FeedAnswer = serde_json::from_value(json)
        .map_err(|e| Error::remote(format!("the feed page is not of the expected shape: {e}")))?;
    if page.cursor != cursor {
        return Err(Error::remote(format!(
            "asked from user id {cursor}, the page starts at {}",
            page.cursor
        )));
    }
    if page.more && (page.served() == 0 || page.next_cursor <= cursor) {
        return Err(Error::remote(
            "the page says more users follow but does not move past the cursor",
        ));
    }
    if page.next_cursor < cursor {
        return Err(Error::remote("the page moves the cursor backwards"));
    }
    if !page.users.is_empty() && !page.digests.is_empty() && page.digests.len() != page.users.len()
    {
        return Err(Error::remote("the page does not give one digest a user"));
    }
    if let Some((id, _)) = page
        .digests
        .iter()
        .find(|(id, _)| *id <= cursor || *id > page.next_cursor)
    {
        return Err(Error::remote(format!(
            "the page gives a digest for user {id}, outside the ids it covers"
        )));
    }
    Ok(page)
}

/// A page ready to apply.
struct Batch {
    records: Vec<UserRecord>,
    /// What to remember of each record once applied: none when the page gave no digest for
    /// it, or one naming another user.
    digests: Vec<Option<String>>,
    /// Records that could not be read.
    failures: Vec<Failure>,
    /// Users of the page left out because their digest had not changed.
    skipped: u64,
}

fn decode_records(page: &FeedAnswer, fingerprint: &str, skipped: u64) -> Batch {
    let mut records = Vec::with_capacity(page.users.len());
    let mut digests = Vec::with_capacity(page.users.len());
    let mut failures = Vec::new();
    for (index, json) in page.users.iter().enumerate() {
        match UserRecord::from_json(json) {
            Ok(r) => {
                let digest = page
                    .digests
                    .get(index)
                    .filter(|(id, _)| r.id == Some(*id))
                    .map(|(_, d)| remembered(fingerprint, d));
                records.push(r);
                digests.push(digest);
            }
            Err(e) => {
                let email = json
                    .pointer("/user/s_email")
                    .and_then(|v| v.as_str())
                    .unwrap_or("")
                    .to_string();
                failures.push(Failure {
                    email,
                    reason: format!("record {index} of the page: {}", e.message),
                });
            }
        }
    }
    Batch {
        records,
        digests,
        failures,
        skipped,
    }
}

fn log_transmission(
    conn: &mut impl Queryable,
    t: &Tables,
    account: &Account,
    request: &Request,
    result: std::result::Result<&FeedAnswer, &Error>,
) -> Result<()> {
    let (status, response, content) = match result {
        Ok(page) => (
            200,
            match (page.remaining, page.total) {
                (Some(remaining), Some(total)) => format!(
                    "{} users, next cursor {}, {remaining} remaining of {total}",
                    page.served(),
                    page.next_cursor
                ),
                _ => format!(
                    "{} users, next cursor {}, more: {}",
                    page.served(),
                    page.next_cursor,
                    page.more
                ),
            },
            json!({
                "request": request.to_json(),
                "answer": {"cursor": page.cursor, "limit": page.limit, "next_cursor": page.next_cursor,
                           "more": page.more, "total": page.total, "remaining": page.remaining,
                           "users": page.served(), "digests_only": page.users.is_empty() && !page.digests.is_empty(),
                           "emails": page.users.iter().filter_map(|u| u.pointer("/user/s_email")).collect::<Vec<_>>()}
            }),
        ),
        Err(e) => (
            0,
            e.message.clone(),
            json!({"request": request.to_json(), "error": e.message}),
        ),
    };
    crate::service::log_outgoing(
        conn,
        t,
        LogType::FEED,
        account,
        status,
        response,
        content.to_string(),
    )
}

fn process_log<'a>(account: &'a Account, p: &Progress, outcome: &Outcome) -> NewLog<'a> {
    let content = json!({
        "from_user_id": p.from_user_id,
        "inserted": outcome.inserted,
        "updated": outcome.updated,
        "unchanged": outcome.unchanged,
        "failed": outcome.failed.iter().map(|f| json!({"email": f.email, "reason": f.reason})).collect::<Vec<_>>(),
    });
    let response = format!(
        "{} inserted, {} updated, {} unchanged, {} failed. {}",
        outcome.inserted,
        outcome.updated,
        outcome.unchanged,
        outcome.failed.len(),
        p.message()
    );
    NewLog {
        kind: LogType::PROCESS,
        account_id: Some(account.id),
        account_name: &account.name,
        key: "",
        ip: "",
        status: if outcome.failed.is_empty() { 200 } else { 207 },
        response,
        content: content.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(body: &str) -> Answer {
        Answer {
            status: 200,
            body: body.to_string(),
        }
    }

    fn page(users: &str, digests: &str) -> String {
        format!(
            r#"{{"ok":true,"protocol":1,"cursor":10,"limit":5,"next_cursor":30,"more":true,"total":null,"remaining":null,"users":{users},"digests":{digests}}}"#
        )
    }

    const RECORD: &str = r#"{"id":20,"user":{"s_email":"ana@example.com"},"descriptions":{}}"#;

    #[test]
    fn pages_with_and_without_digests_are_read() {
        let whole = read_page(answer(&page(&format!("[{RECORD}]"), r#"[[20,"ab"]]"#)), 10).unwrap();
        assert_eq!((whole.users.len(), whole.served()), (1, 1));
        let digests = read_page(answer(&page("[]", r#"[[20,"ab"],[30,"cd"]]"#)), 10).unwrap();
        assert_eq!((digests.users.len(), digests.served()), (0, 2));
        let older = format!(
            r#"{{"ok":true,"protocol":1,"cursor":10,"limit":5,"next_cursor":20,"more":false,"total":1,"remaining":0,"users":[{RECORD}]}}"#
        );
        assert!(read_page(answer(&older), 10).unwrap().digests.is_empty());

        let batch = decode_records(&whole, "columns", 0);
        assert_eq!(batch.digests, vec![Some(remembered("columns", "ab"))]);
        let elsewhere =
            read_page(answer(&page(&format!("[{RECORD}]"), r#"[[21,"ab"]]"#)), 10).unwrap();
        assert_eq!(
            decode_records(&elsewhere, "columns", 0).digests,
            vec![None],
            "a digest naming another user is not remembered"
        );
    }

    #[test]
    fn pages_whose_digests_do_not_fit_are_refused() {
        let cases = [
            (
                page(&format!("[{RECORD}]"), r#"[[20,"ab"],[30,"cd"]]"#),
                "one digest a user",
            ),
            (page("[]", r#"[[5,"ab"]]"#), "outside the ids it covers"),
            (page("[]", r#"[[31,"ab"]]"#), "outside the ids it covers"),
            (page("[]", r#"[["20","ab"]]"#), "not of the expected shape"),
            (page("[]", r#"{"20":"ab"}"#), "not of the expected shape"),
            (page("[]", "[]"), "does not move past the cursor"),
        ];
        for (body, want) in cases {
            let e = read_page(answer(&body), 10).unwrap_err();
            assert!(e.message.contains(want), "{body}: {}", e.message);
        }
    }

    #[test]
    fn users_answers_must_hold_what_was_asked_with_one_digest_each() {
        let good =
            format!(r#"{{"ok":true,"protocol":1,"users":[{RECORD}],"digests":[[20,"ab"]]}}"#);
        assert_eq!(read_users(answer(&good), &[20, 25]).unwrap().users.len(), 1);
        let cases = [
            (
                format!(r#"{{"ok":true,"protocol":1,"users":[{RECORD}],"digests":[]}}"#),
                "one digest a user",
            ),
            (
                format!(r#"{{"ok":true,"protocol":1,"users":[{RECORD}],"digests":[[21,"ab"]]}}"#),
                "which was not asked for",
            ),
            (
                format!(r#"{{"ok":true,"protocol":1,"users":[{RECORD}]}}"#),
                "not of the expected shape",
            ),
            (r#"{"ok":false,"error":"no"}"#.to_string(), "no"),
            (
                format!(
                    r#"{{"ok":true,"protocol":1,"users":[{RECORD},{RECORD}],"digests":[[20,"ab"],[20,"ab"]]}}"#
                ),
                "comes twice",
            ),
            (
                format!(r#"{{"ok":true,"protocol":1,"users":[{RECORD}],"digests":[[25,"ab"]]}}"#),
                "the record of another",
            ),
        ];
        for (body, want) in cases {
            let e = read_users(answer(&body), &[20, 25]).unwrap_err();
            assert!(e.message.contains(want), "{body}: {}", e.message);
        }
    }
}

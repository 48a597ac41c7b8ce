//! This site's endpoint: who is calling, is the request genuine, and what it asks for.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::json;

use crate::domain::account::{mask_key, Account};
use crate::domain::record::UserRecord;
use crate::error::{Error, Result};
use crate::state::Site;
use crate::storage::logs::{self, LogType, NewLog};
use crate::storage::{accounts, nonces, users};
use crate::transport::signing::{self, MAX_SKEW_SECONDS};
use crate::transport::wire::*;

/// A request as PHP received it. Header names are compared without case.
pub struct HttpRequest<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub headers: HashMap<String, String>,
    pub body: &'a [u8],
    pub client_ip: &'a str,
}

impl HttpRequest<'_> {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub content_type: String,
    pub body: String,
    /// What the log keeps beyond the body (never sent).
    #[serde(skip)]
    pub detail: Option<String>,
}

impl HttpResponse {
    fn text(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            content_type: "text/plain; charset=utf-8".into(),
            body: body.into(),
            detail: None,
        }
    }

    fn json(status: u16, body: String) -> HttpResponse {
        HttpResponse {
            status,
            content_type: "application/json".into(),
            body,
            detail: None,
        }
    }

    fn error(status: u16, message: &str) -> HttpResponse {
        HttpResponse::json(status, error_body(message))
    }
}

/// After this many refused keys from one address within five minutes, each further refusal
/// waits a little longer before it is answered. Requests that pass are never delayed, so a
/// guesser sharing an address with a genuine site (behind one proxy) slows only itself.
const FAILURES_BEFORE_DELAY: u64 = 5;
/// Refusals from one address within five minutes past which they are no longer logged:
/// each would be the same line, and a flood must not grow the log without bound.
const FAILURES_LOGGED: u64 = 100;

/// Answers one request. Every refusal is logged; nothing but the log changes.
pub fn handle(site: &mut Site, request: &HttpRequest) -> Result<HttpResponse> {
    let t = site.tables.clone();
    let key_id = request.header(HEADER_KEY_ID).unwrap_or("").to_string();
    let masked = if key_id.is_empty() {
        String::new()
    } else {
        mask_key(&key_id)
    };
    let refuse =
        |site: &mut Site, kind, account: Option<&Account>, response: HttpResponse, why: &str| {
            if response.status == 401 || response.status == 403 {
                let t = site.tables.clone();
                let failures =
                    logs::recent_auth_failures(site.installed_conn()?, &t, request.client_ip, 5)?;
                if failures > FAILURES_BEFORE_DELAY {
                    let extra = (failures - FAILURES_BEFORE_DELAY).min(10);
                    std::thread::sleep(std::time::Duration::from_millis(200 * extra));
                }
                if failures >= FAILURES_LOGGED {
                    return Ok(response);
                }
            }
            log(
                site,
                kind,
                account,
                &masked,
                request.client_ip,
                &response,
                why,
            )?;
            Ok(response)
        };

    if key_id.is_empty() {
        return refuse(
            site,
            LogType::PROCESS,
            None,
            HttpResponse::text(401, ERR_KEY_MISSING),
            "no key id header",
        );
    }

    // The current key names the account; during the caller's key rotation, the previous one
    // may instead.
    let mut found = accounts::find_by_key_id(site.installed_conn()?, &t, &key_id)?
        .map(|(a, k)| (a, k, HEADER_SIGNATURE));
    if found.is_none() {
        if let Some(previous) = request.header(HEADER_PREVIOUS_KEY_ID) {
            found = accounts::find_by_key_id(site.installed_conn()?, &t, previous)?
                .map(|(a, k)| (a, k, HEADER_PREVIOUS_SIGNATURE));
        }
    }
    let Some((account, key, signature_header)) = found else {
        return refuse(
            site,
            LogType::PROCESS,
            None,
            HttpResponse::text(403, ERR_KEY_INVALID),
            "no account holds this key id",
        );
    };
    if let Err(why) = check_signature(site, &key, signature_header, request) {
        return refuse(
            site,
            LogType::PROCESS,
            Some(&account),
            HttpResponse::text(403, ERR_KEY_INVALID),
            &why,
        );
    }

    if !request.method.eq_ignore_ascii_case("POST") {
        let r = HttpResponse::error(405, "only POST is served here");
        return refuse(site, LogType::PROCESS, Some(&account), r, "wrong method");
    }
    match request.header(HEADER_VERSION).map(str::parse::<u64>) {
        Some(Ok(PROTOCOL_VERSION)) => {}
        Some(Ok(other)) => {
            let r = HttpResponse::error(400, &format!("protocol version {other} is not supported (this site speaks {PROTOCOL_VERSION})"));
            return refuse(
                site,
                LogType::PROCESS,
                Some(&account),
                r,
                "unsupported protocol version",
            );
        }
        _ => {
            let r = HttpResponse::error(
                400,
                &format!("the {HEADER_VERSION} header is missing or not a number"),
            );
            return refuse(
                site,
                LogType::PROCESS,
                Some(&account),
                r,
                "no protocol version",
            );
        }
    }
    if request.body.len() > MAX_REQUEST_BODY {
        let r = HttpResponse::error(
            413,
            &format!("the body is larger than {MAX_REQUEST_BODY} bytes"),
        );
        return refuse(site, LogType::PROCESS, Some(&account), r, "body too large");
    }

    let parsed = match Request::parse(request.body) {
        Ok(r) => r,
        Err(e) => {
            let kind = kind_of_body(request.body);
            return refuse(
                site,
                kind,
                Some(&account),
                HttpResponse::error(400, &e.message),
                &e.message,
            );
        }
    };

    let (kind, response, summary) = match &parsed {
        Request::Ping => {
            let response = ping(site, &account);
            let shown = summary(&parsed, &response);
            (LogType::PROCESS, response, shown)
        }
        Request::Feed {
            cursor,
            limit,
            totals,
            digests,
        } => {
            let (response, shown) = feed(site, *cursor, *limit, *totals, *digests)?;
            (LogType::FEED, response, shown)
        }
        Request::Users { ids } => {
            let (response, shown) = users_by_id(site, ids)?;
            (LogType::FEED, response, shown)
        }
        Request::Stream { events } => {
            let response = stream(site, &account, events);
            let shown = summary(&parsed, &response);
            (LogType::STREAM, response, shown)
        }
    };
    log(
        site,
        kind,
        Some(&account),
        &masked,
        request.client_ip,
        &response,
        &summary,
    )?;
    Ok(response)
}

fn check_signature(
    site: &mut Site,
    key: &str,
    signature_header: &str,
    request: &HttpRequest,
) -> std::result::Result<(), String> {
    let timestamp: u64 = request
        .header(HEADER_TIMESTAMP)
        .and_then(|v| v.parse().ok())
        .ok_or("no timestamp")?;
    if signing::now().abs_diff(timestamp) > MAX_SKEW_SECONDS {
        return Err(format!(
            "timestamp {timestamp} is more than {MAX_SKEW_SECONDS} s from this site's clock"
        ));
    }
    let nonce = request.header(HEADER_NONCE).ok_or("no nonce")?;
    if nonce.len() != 32 || !nonce.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("the nonce is not 32 hex digits".into());
    }
    let signature = request.header(signature_header).ok_or("no signature")?;
    if !signing::verify(
        key,
        "POST",
        request.path,
        timestamp,
        nonce,
        request.body,
        signature,
    ) {
        return Err("the signature does not match the account's key".into());
    }
    let t = site.tables.clone();
    let conn = site.installed_conn().map_err(|e| e.message)?;
    match nonces::claim(conn, &t, &nonce.to_ascii_lowercase(), 2 * MAX_SKEW_SECONDS) {
        Ok(true) => Ok(()),
        Ok(false) => Err("the nonce was used before: a replayed request".into()),
        Err(e) => Err(e.message),
    }
}

fn kind_of_body(body: &[u8]) -> LogType {
    let text = String::from_utf8_lossy(&body[..body.len().min(200)]).to_string();
    if text.contains("\"feed\"") {
        LogType::FEED
    } else if text.contains("\"stream\"") {
        LogType::STREAM
    } else {
        LogType::PROCESS
    }
}

fn ping(site: &Site, account: &Account) -> HttpResponse {
    let body = json!({
        "ok": true,
        "protocol": PROTOCOL_VERSION,
        "version": env!("CARGO_PKG_VERSION"),
        "account": account.name,
        "columns": site.users.travelling(),
        "locales": site.users.locales,
    });
    HttpResponse::json(200, body.to_string())
}

/// The page, and what the log keeps of it (counts, not the users). With `digests`, the page
/// holds each user's id and digest only.
fn feed(
    site: &mut Site,
    cursor: u64,
    asked: u64,
    totals: bool,
    digests: bool,
) -> Result<(HttpResponse, String)> {
    let limit = asked.min(page_limit(site.config.feed_limit, digests));
    let t = site.tables.clone();
    let table = site.users.clone();
    let conn = site.installed_conn()?;
    let reading = if digests {
        users::Reading::Digest
    } else {
        users::Reading::ColumnsAndDigest
    };
    let mut page = users::feed_page(conn, &t, &table, cursor, limit, totals, reading)?;
    prepare(conn, &t, &table, &mut page.records)?;
    let next_cursor = page.records.last().map(|(id, _)| *id).unwrap_or(cursor);
    let total = page.totals.map(|(t, _)| t);
    let remaining = page.totals.map(|(_, r)| r);
    let sums = record_digests(&table, &page.records, &page.rows)?;
    #[derive(Serialize)]
    struct Page<'a> {
        ok: bool,
        protocol: u64,
        cursor: u64,
        limit: u64,
        next_cursor: u64,
        more: bool,
        total: Option<u64>,
        remaining: Option<u64>,
        users: Vec<&'a UserRecord>,
        digests: &'a [(u64, String)],
    }
    let body = serde_json::to_string(&Page {
        ok: true,
        protocol: PROTOCOL_VERSION,
        cursor,
        limit,
        next_cursor,
        more: page.more,
        total,
        remaining,
        users: if digests {
            Vec::new()
        } else {
            page.records.iter().map(|(_, r)| r).collect()
        },
        digests: &sums,
    })
    .map_err(|e| Error::input(format!("cannot encode the page: {e}")))?;
    let shown = json!({
        "request": {"action": "feed", "cursor": cursor, "limit": asked, "totals": totals, "digests": digests},
        "answer": {"limit": limit, "next_cursor": next_cursor, "more": page.more, "total": total,
                   "remaining": remaining, "users": page.records.len()}
    });
    Ok((HttpResponse::json(200, body), shown.to_string()))
}

/// The records of the users asked for by id, those of them still active and enabled.
fn users_by_id(site: &mut Site, ids: &[u64]) -> Result<(HttpResponse, String)> {
    let t = site.tables.clone();
    let table = site.users.clone();
    let conn = site.installed_conn()?;
    let (mut records, rows) = users::served_by_id(conn, &t, &table, ids)?;
    prepare(conn, &t, &table, &mut records)?;
    let sums = record_digests(&table, &records, &rows)?;
    let users: Vec<&UserRecord> = records.iter().map(|(_, r)| r).collect();
    let body = serde_json::to_string(
        &json!({"ok": true, "protocol": PROTOCOL_VERSION, "users": users, "digests": sums}),
    )
    .map_err(|e| Error::input(format!("cannot encode the answer: {e}")))?;
    let shown = json!({
        "request": {"action": "users", "ids": ids.len()},
        "answer": {"users": records.len()}
    });
    Ok((HttpResponse::json(200, body), shown.to_string()))
}

/// Readies records read from the user table for travel: what this site knows of when their
/// values were set goes with them (so that the receiver keeps a value it changed itself
/// later), dates go in UTC, and locales without a description are named.
fn prepare(
    conn: &mut mysql::Conn,
    t: &crate::storage::Tables,
    table: &users::UserTable,
    records: &mut [(u64, UserRecord)],
) -> Result<()> {
    let site_id = crate::storage::schema::site_id(conn, t)?;
    let ids: Vec<u64> = records.iter().map(|(id, _)| *id).collect();
    let mut versions = crate::storage::outbox::versions(conn, t, &ids, &site_id)?;
    let travelling = table.travelling();
    for (id, record) in records.iter_mut() {
        record.versions = crate::domain::record::compact_versions(
            versions.remove(id).unwrap_or_default(),
            &travelling,
        );
        crate::domain::time::dates_to_utc(record, &table.zone);
        table.mark_absent_descriptions(record);
    }
    Ok(())
}

/// What each record is known by (see docs/protocol.md): a digest of its row as the database
/// read it, of what else it carries (descriptions, locales without one, versions), and of what
/// turns a row into a record here (this library's version, the columns and their types, the
/// time zone, the locales). Equal digests mean this site would send the same record.
fn record_digests(
    table: &users::UserTable,
    records: &[(u64, UserRecord)],
    rows: &[String],
) -> Result<Vec<(u64, String)>> {
    let fail = |e: serde_json::Error| Error::input(format!("cannot make a digest: {e}"));
    let columns: Vec<(&str, &str, Option<u32>, Option<u64>)> = table
        .travelling()
        .into_iter()
        .filter_map(|c| table.column(c))
        .map(|c| (c.name.as_str(), c.data_type.as_str(), c.scale, c.max_chars))
        .collect();
    // The context is long (the zone's transitions): it goes into each record's digest as a
    // digest of its own.
    let context = signing::digest(
        serde_json::to_string(&(
            env!("CARGO_PKG_VERSION"),
            columns,
            &table.zone.name,
            &table.zone.transitions,
            &table.locales,
        ))
        .map_err(fail)?
        .as_bytes(),
    );
    records
        .iter()
        .zip(rows)
        .map(|((id, record), row)| {
            if row.is_empty() {
                // The server could not digest the row: a digest no one has seen, so that the
                // receiver fetches the record every time.
                return Ok((*id, signing::nonce()?));
            }
            let rest = serde_json::to_string(&(
                &record.descriptions,
                &record.absent_locales,
                &record.versions,
            ))
            .map_err(fail)?;
            let text = format!("{context}\n{row}\n{rest}");
            Ok((*id, signing::digest(text.as_bytes())))
        })
        .collect()
}

fn stream(site: &mut Site, account: &Account, events: &[serde_json::Value]) -> HttpResponse {
    match crate::service::with_retries(site, |site| {
        crate::service::receive::receive(site, account, events)
    }) {
        Ok(acks) => HttpResponse::json(
            200,
            json!({"ok": true, "protocol": PROTOCOL_VERSION, "acks": acks}).to_string(),
        ),
        Err(e) if e.code == crate::error::Code::InvalidInput => {
            HttpResponse::error(400, &e.message)
        }
        Err(e) => {
            // The database's words stay here (the log has them); the other site learns only
            // that it should try again.
            let mut r = HttpResponse::error(
                500,
                "the changes could not be applied here; they will be accepted on a later try",
            );
            r.detail = Some(e.message);
            r
        }
    }
}

fn summary(request: &Request, response: &HttpResponse) -> String {
    let asked = request.to_json();
    let shown = match request {
        Request::Stream { events } => {
            let answer: serde_json::Value =
                serde_json::from_str(&response.body).unwrap_or_default();
            let shown: Vec<serde_json::Value> = events
                .iter()
                .map(|e| json!({"id": e["id"], "type": e["type"], "email": e["email"], "changed": e["changed"]}))
                .collect();
            json!({"events": shown, "answer": answer.get("acks").cloned().unwrap_or(answer), "detail": response.detail})
        }
        _ => json!({"request": asked, "answer": response.body}),
    };
    shown.to_string()
}

fn log(
    site: &mut Site,
    kind: LogType,
    account: Option<&Account>,
    masked_key: &str,
    ip: &str,
    response: &HttpResponse,
    content: &str,
) -> Result<()> {
    let t = site.tables.clone();
    let short: String = response.body.chars().take(300).collect();
    logs::write(
        site.installed_conn()?,
        &t,
        &NewLog {
            kind,
            account_id: account.map(|a| a.id),
            account_name: account.map(|a| a.name.as_str()).unwrap_or(""),
            key: masked_key,
            ip,
            status: response.status as i32,
            response: short,
            content: content.to_string(),
        },
    )
}

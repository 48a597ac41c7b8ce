//! What the admin pages ask for: accounts, their connection test, logs, key checks.

use serde_json::{json, Value as Json};

use crate::domain::account::{mask_key, AccountInput};
use crate::error::{Code, Error, Result};
use crate::state::Site;
use crate::storage::logs::{self, LogFilter, LogType, NewLog, Retention};
use crate::storage::{accounts, schema, triggers};
use crate::transport::signing;
use crate::transport::wire::Request;

pub fn install(site: &mut Site) -> Result<Json> {
    let t = site.tables.clone();
    let table = site.users.clone();
    let conn = site.conn()?;
    let (from, to) = schema::install(conn, &t)?;
    schema::site_id(conn, &t)?;
    let capture = triggers::install(conn, &t, &table)?;
    site.schema_changed();
    Ok(json!({"from": from, "to": to, "capture": capture_text(&capture)}))
}

pub fn uninstall(site: &mut Site) -> Result<Json> {
    let t = site.tables.clone();
    schema::uninstall(site.conn()?, &t)?;
    site.schema_changed();
    Ok(json!({}))
}

/// The schema versions, and how changes are captured. Called by `as_init`: when the tables
/// are current, the triggers are brought in step with the configured columns here.
pub fn schema_status(site: &mut Site) -> Result<Json> {
    let t = site.tables.clone();
    let table = site.users.clone();
    let conn = site.conn()?;
    let installed = schema::installed_version(conn, &t)?;
    let capture = if installed == schema::CURRENT {
        Json::from(capture_text(&triggers::keep_in_step(conn, &t, &table)?))
    } else {
        Json::Null
    };
    Ok(json!({"installed": installed, "current": schema::CURRENT, "capture": capture}))
}

fn capture_text(capture: &triggers::Capture) -> String {
    match capture {
        triggers::Capture::Triggers => "triggers".to_string(),
        triggers::Capture::HooksOnly(reason) => reason.clone(),
    }
}

pub fn account_list(site: &mut Site) -> Result<Json> {
    let t = site.tables.clone();
    let list = accounts::list(site.installed_conn()?, &t)?;
    Ok(json!({"accounts": list.iter().map(|a| a.to_public()).collect::<Vec<_>>()}))
}

pub fn account_get(site: &mut Site, id: i64) -> Result<Json> {
    let t = site.tables.clone();
    let account = accounts::get(site.installed_conn()?, &t, id)?;
    Ok(json!({"account": account.to_public()}))
}

pub fn account_save(site: &mut Site, json: &str) -> Result<Json> {
    let mut input: AccountInput = serde_json::from_str(json)
        .map_err(|e| Error::json(format!("the account is not of the expected shape: {e}")))?;
    input.validate(&site.users.selectable(), site.config.http.allow_plain_http)?;
    if input.api_key.as_deref() == Some(site.config.api_key.as_str())
        && !site.config.api_key.is_empty()
    {
        return Err(Error::input(
            "that is this site's own API key; enter the other site's key",
        ));
    }
    let t = site.tables.clone();
    let account = accounts::save(site.installed_conn()?, &t, &input)?;
    Ok(json!({"account": account.to_public()}))
}

pub fn account_delete(site: &mut Site, id: i64) -> Result<Json> {
    let t = site.tables.clone();
    accounts::delete(site.installed_conn()?, &t, id)?;
    Ok(json!({}))
}

/// Pings the other site; success says under which name it knows this site.
pub fn account_test(site: &mut Site, id: i64) -> Result<Json> {
    let t = site.tables.clone();
    let account = accounts::get(site.installed_conn()?, &t, id)?;
    let own_key = site.config.api_key.clone();
    let result = site
        .client()?
        .call(
            &account,
            &own_key,
            site.config.previous_key(),
            &Request::Ping,
        )
        .and_then(|a| a.into_json());

    let (status, response) = match &result {
        Ok(remote) => (
            200,
            format!(
                "OK: the other site knows this site as {}",
                remote["account"].as_str().unwrap_or("?")
            ),
        ),
        Err(e) => (0, e.message.clone()),
    };
    logs::write(
        site.installed_conn()?,
        &t,
        &NewLog {
            kind: LogType::PROCESS,
            account_id: Some(account.id),
            account_name: &account.name,
            key: &mask_key(&signing::key_id(&account.api_key)),
            ip: "",
            status,
            response: response.clone(),
            content: json!({"test_connection": account.endpoint(), "result": response}).to_string(),
        },
    )?;
    match result {
        Ok(remote) => Ok(json!({"ok": true, "message": response, "remote": remote})),
        Err(e) => Err(Error::new(
            Code::Remote,
            format!("{}: {}", account.name, e.message),
        )),
    }
}

/// Which account holds this key, compared in constant time.
pub fn verify_key(site: &mut Site, key: &str) -> Result<Json> {
    let t = site.tables.clone();
    let found = accounts::find_by_key_id(site.installed_conn()?, &t, &signing::key_id(key))?;
    match found {
        Some((a, matched)) if constant_time_eq(matched.as_bytes(), key.as_bytes()) => {
            Ok(json!({"account_id": a.id, "name": a.name}))
        }
        _ => Err(Error::new(
            Code::Auth,
            crate::transport::wire::ERR_KEY_INVALID,
        )),
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

pub fn log_list(site: &mut Site, json: &str) -> Result<Json> {
    let filter: LogFilter = serde_json::from_str(json)
        .map_err(|e| Error::json(format!("the log filter is not of the expected shape: {e}")))?;
    let t = site.tables.clone();
    let (total, entries) = logs::list(site.installed_conn()?, &t, &filter)?;
    Ok(json!({"total": total, "logs": entries}))
}

pub fn log_get(site: &mut Site, id: i64) -> Result<Json> {
    if id <= 0 {
        return Err(Error::not_found(format!("log entry {id} does not exist")));
    }
    let t = site.tables.clone();
    let entry = logs::get(site.installed_conn()?, &t, id as u64)?;
    Ok(json!({"log": entry}))
}

pub fn log_prune(site: &mut Site, json: &str) -> Result<Json> {
    let retention: Retention = serde_json::from_str(json)
        .map_err(|e| Error::json(format!("the retention is not of the expected shape: {e}")))?;
    let t = site.tables.clone();
    let deleted = logs::prune(site.installed_conn()?, &t, &retention)?;
    Ok(json!({"deleted": deleted}))
}

pub fn user_columns(site: &mut Site) -> Result<Json> {
    Ok(json!({
        "columns": site.users.columns.iter().map(|c| c.name.clone()).collect::<Vec<_>>(),
        "synced": site.users.selectable(),
        "custom_candidates": site.users.custom_candidates(),
    }))
}

#[cfg(test)]
mod tests {
    use super::constant_time_eq;

    #[test]
    fn compares_keys() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"abcd"));
    }
}

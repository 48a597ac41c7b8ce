//! Every exported function. Conventions (see docs/abi.md):
//! - the result is an `int32_t` code, 0 on success;
//! - `out` must not be NULL; on return `*out` holds a string the library allocated: JSON on
//!   success, a message on failure. The caller owns it and releases it with
//!   `as_string_free`, exactly once;
//! - input strings are NUL-terminated UTF-8, owned by the caller and only read during the
//!   call.
//!
//! Those rules are the safety contract of every `unsafe` export below; it is stated once
//! here rather than repeated in a `# Safety` section on each.
#![allow(clippy::missing_safety_doc)]

use std::collections::HashMap;
use std::ffi::c_char;
#[cfg(test)]
use std::ffi::CStr;

use serde_json::Value as Json;

use crate::config::Config;
use crate::error::{Code, Error, Result};
use crate::ffi::boundary::{bytes, run, text};
use crate::ffi::strings;
use crate::service::{admin, feed, serve, stream};
use crate::state;

fn json_out(value: Result<Json>) -> Result<String> {
    value.map(|v| v.to_string())
}

/// The library's version, e.g. "0.1.0". The string is static: never free it.
#[no_mangle]
pub extern "C" fn as_version() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// Copies the name of a result code (e.g. "AS_ERR_DATABASE") into `buf`, at most
/// `len - 1` bytes and a NUL, and returns the length of the whole name. `buf` may be NULL
/// when `len` is 0, to ask for the length. An unknown code gives "AS_ERR_UNKNOWN".
#[no_mangle]
pub unsafe extern "C" fn as_error_message(code: i32, buf: *mut c_char, len: usize) -> usize {
    let name = Code::from_i32(code)
        .map(Code::name)
        .unwrap_or("AS_ERR_UNKNOWN");
    if !buf.is_null() && len > 0 {
        let n = name.len().min(len - 1);
        // SAFETY: the caller promises `buf` holds `len` writable bytes; n + 1 <= len.
        unsafe {
            std::ptr::copy_nonoverlapping(name.as_ptr(), buf.cast::<u8>(), n);
            *buf.add(n) = 0;
        }
    }
    name.len()
}

/// Releases a string the library wrote to an `out` argument. NULL is fine; freeing the
/// same string twice is not (debug builds report it on stderr and ignore it).
#[no_mangle]
pub unsafe extern "C" fn as_string_free(s: *mut c_char) {
    // SAFETY: forwarded promise of the caller.
    unsafe { strings::free(s) }
}

/// Applies the configuration (JSON, see docs/abi.md). Out: `{"version":…,"schema":…}`.
/// A refused configuration leaves the previous one in force.
#[no_mangle]
pub unsafe extern "C" fn as_init(config_json: *const c_char, out: *mut *mut c_char) -> i32 {
    run(out, || {
        // SAFETY: the caller's promise on `config_json`.
        let config = Config::parse(unsafe { text(config_json, "config_json") }?)?;
        state::init(config)?;
        let schema = state::with_site(admin::schema_status)?;
        Ok(serde_json::json!({"version": env!("CARGO_PKG_VERSION"), "schema": schema}).to_string())
    })
}

/// Creates the plugin's tables or upgrades them in place. Out: `{"from":N,"to":M}`.
#[no_mangle]
pub unsafe extern "C" fn as_install(out: *mut *mut c_char) -> i32 {
    run(out, || json_out(state::with_site(admin::install)))
}

/// Drops the plugin's tables. Osclass' own tables are untouched. Out: `{}`.
#[no_mangle]
pub unsafe extern "C" fn as_uninstall(out: *mut *mut c_char) -> i32 {
    run(out, || json_out(state::with_site(admin::uninstall)))
}

/// Finds the account holding `key` (another site's API key). Out:
/// `{"account_id":N,"name":…}`; `AS_ERR_AUTH` when no account holds it.
#[no_mangle]
pub unsafe extern "C" fn as_verify_key(key: *const c_char, out: *mut *mut c_char) -> i32 {
    run(out, || {
        // SAFETY: the caller's promise on `key`.
        let key = unsafe { text(key, "key") }?;
        json_out(state::with_site(|site| admin::verify_key(site, key)))
    })
}

/// Answers one request to this site's endpoint. `method`, `path` and `client_ip` are
/// strings; `headers_json` is a JSON object of header name to value; `body` is `body_len`
/// bytes of any content (NULL only with length 0). Out:
/// `{"status":N,"content_type":…,"body":…}` for PHP to send as it is.
#[no_mangle]
pub unsafe extern "C" fn as_handle_request(
    method: *const c_char,
    path: *const c_char,
    headers_json: *const c_char,
    body: *const u8,
    body_len: usize,
    client_ip: *const c_char,
    out: *mut *mut c_char,
) -> i32 {
    run(out, || {
        // SAFETY: the caller's promises on every argument.
        let (method, path, headers, body, client_ip) = unsafe {
            (
                text(method, "method")?,
                text(path, "path")?,
                text(headers_json, "headers_json")?,
                bytes(body, body_len, "body")?,
                text(client_ip, "client_ip")?,
            )
        };
        let headers: HashMap<String, Json> = serde_json::from_str(headers)
            .map_err(|e| Error::json(format!("headers_json is not a JSON object: {e}")))?;
        let headers = headers
            .into_iter()
            .map(|(k, v)| {
                (
                    k.to_ascii_lowercase(),
                    v.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| v.to_string()),
                )
            })
            .collect();
        let request = serve::HttpRequest {
            method,
            path,
            headers,
            body,
            client_ip,
        };
        let response = state::with_site(|site| serve::handle(site, &request))?;
        Ok(serde_json::to_string(&response).unwrap_or_default())
    })
}

/// Feeds from one account: `{"account_id":N,"budget_ms":20000,"max_batches":0}`. Out: the
/// progress (docs/abi.md). A batch that fails leaves the account's cursor unchanged.
#[no_mangle]
pub unsafe extern "C" fn as_feed(request_json: *const c_char, out: *mut *mut c_char) -> i32 {
    run(out, || {
        // SAFETY: the caller's promise on `request_json`.
        let request: feed::FeedRequest =
            serde_json::from_str(unsafe { text(request_json, "request_json") }?).map_err(|e| {
                Error::json(format!(
                    "the feed request is not of the expected shape: {e}"
                ))
            })?;
        let progress = state::with_site(|site| feed::run(site, &request))?;
        Ok(serde_json::to_string(&progress).unwrap_or_default())
    })
}

/// Sends this site's pending changes to every account: `{"budget_ms":50000,"force":false}`
/// (`force` also tries accounts waiting out earlier failures). Out:
/// `{"busy":false,"capture":"triggers","accounts":[{"account_id":…,"sent":…,"applied":…,
/// "failed":…,"pending":…,"status":…,"message":…}],"pruned":N}`; `busy` is true when another
/// run holds the site's stream lock, and then nothing was sent.
#[no_mangle]
pub unsafe extern "C" fn as_stream_pending(
    request_json: *const c_char,
    out: *mut *mut c_char,
) -> i32 {
    run(out, || {
        // SAFETY: the caller's promise on `request_json`.
        let request: stream::StreamRequest =
            serde_json::from_str(unsafe { text(request_json, "request_json") }?).map_err(|e| {
                Error::json(format!(
                    "the stream request is not of the expected shape: {e}"
                ))
            })?;
        json_out(state::with_site(|site| stream::run(site, &request)))
    })
}

/// Records a change a hook saw: `{"event":"register|edit|password|email|activate|deactivate|
/// enable|disable|delete","user_id":N,"old_email":null}`. Where the triggers are installed
/// they have recorded it already and this only says so. Out: `{"recorded":bool,…}`.
#[no_mangle]
pub unsafe extern "C" fn as_capture(event_json: *const c_char, out: *mut *mut c_char) -> i32 {
    run(out, || {
        // SAFETY: the caller's promise on `event_json`.
        let json = unsafe { text(event_json, "event_json") }?;
        json_out(state::with_site(|site| stream::capture(site, json)))
    })
}

/// All accounts, keys masked. Out: `{"accounts":[…]}`.
#[no_mangle]
pub unsafe extern "C" fn as_account_list(out: *mut *mut c_char) -> i32 {
    run(out, || json_out(state::with_site(admin::account_list)))
}

/// One account. Out: `{"account":…}`; `AS_ERR_NOT_FOUND` when it does not exist.
#[no_mangle]
pub unsafe extern "C" fn as_account_get(account_id: i64, out: *mut *mut c_char) -> i32 {
    run(out, || {
        json_out(state::with_site(|site| {
            admin::account_get(site, account_id)
        }))
    })
}

/// Creates (`id` 0 or absent) or changes an account from JSON
/// `{"id":…,"name":…,"url":…,"api_key":…,"columns":[…],"last_user_id":…}`. An empty or
/// absent `api_key` keeps the stored one. Out: `{"account":…}`.
#[no_mangle]
pub unsafe extern "C" fn as_account_save(
    account_json: *const c_char,
    out: *mut *mut c_char,
) -> i32 {
    run(out, || {
        // SAFETY: the caller's promise on `account_json`.
        let json = unsafe { text(account_json, "account_json") }?;
        json_out(state::with_site(|site| admin::account_save(site, json)))
    })
}

/// Deletes an account. Out: `{}`.
#[no_mangle]
pub unsafe extern "C" fn as_account_delete(account_id: i64, out: *mut *mut c_char) -> i32 {
    run(out, || {
        json_out(state::with_site(|site| {
            admin::account_delete(site, account_id)
        }))
    })
}

/// Calls the account's site. Out: `{"ok":true,"message":…,"remote":…}`; on failure
/// `AS_ERR_REMOTE` with the exact error the other site gave.
#[no_mangle]
pub unsafe extern "C" fn as_account_test(account_id: i64, out: *mut *mut c_char) -> i32 {
    run(out, || {
        json_out(state::with_site(|site| {
            admin::account_test(site, account_id)
        }))
    })
}

/// One page of logs, newest first. Filter JSON, every field optional:
/// `{"type":"FEED","account_id":N,"status":N,"from":"YYYY-MM-DD","to":"YYYY-MM-DD",
/// "page":1,"per_page":50}`. Out: `{"total":N,"logs":[…]}` with content cut to 300 chars.
#[no_mangle]
pub unsafe extern "C" fn as_log_list(filter_json: *const c_char, out: *mut *mut c_char) -> i32 {
    run(out, || {
        // SAFETY: the caller's promise on `filter_json`.
        let json = unsafe { text(filter_json, "filter_json") }?;
        json_out(state::with_site(|site| admin::log_list(site, json)))
    })
}

/// One log entry with its whole content. Out: `{"log":…}`.
#[no_mangle]
pub unsafe extern "C" fn as_log_get(log_id: i64, out: *mut *mut c_char) -> i32 {
    run(out, || {
        json_out(state::with_site(|site| admin::log_get(site, log_id)))
    })
}

/// Deletes old log entries: `{"keep_days":N}` or `{"keep_last":N}`. Out: `{"deleted":N}`.
#[no_mangle]
pub unsafe extern "C" fn as_log_prune(request_json: *const c_char, out: *mut *mut c_char) -> i32 {
    run(out, || {
        // SAFETY: the caller's promise on `request_json`.
        let json = unsafe { text(request_json, "request_json") }?;
        json_out(state::with_site(|site| admin::log_prune(site, json)))
    })
}

/// The user table's columns. Out: `{"columns":[…],"synced":[…],"custom_candidates":[…]}`:
/// `synced` is what an account may select (with "descriptions").
#[no_mangle]
pub unsafe extern "C" fn as_user_columns(out: *mut *mut c_char) -> i32 {
    run(out, || json_out(state::with_site(admin::user_columns)))
}

/// Facts about the library's state in this process, for support and tests. Out:
/// `{"pid":N,"initialized":bool,"connections_opened":N}`.
#[no_mangle]
pub unsafe extern "C" fn as_diagnostics(out: *mut *mut c_char) -> i32 {
    run(out, || {
        let opened = state::with_site(|site| Ok(site.connections_opened)).unwrap_or(0);
        Ok(serde_json::json!({
            "pid": std::process::id(),
            "initialized": state::is_initialized(),
            "connections_opened": opened,
        })
        .to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ptr;

    fn call(f: impl FnOnce(*mut *mut c_char) -> i32) -> (i32, String) {
        let mut out: *mut c_char = ptr::null_mut();
        let code = f(&mut out);
        // SAFETY: `run` always writes a string from `to_c`.
        let text = unsafe { CStr::from_ptr(out) }
            .to_string_lossy()
            .into_owned();
        unsafe { as_string_free(out) };
        (code, text)
    }

    #[test]
    fn version_is_static_and_readable() {
        let v = unsafe { CStr::from_ptr(as_version()) }.to_str().unwrap();
        assert_eq!(v, env!("CARGO_PKG_VERSION"));
    }

    #[test]
    fn null_and_bad_arguments_get_their_codes() {
        assert_eq!(
            unsafe { as_init(ptr::null(), ptr::null_mut()) },
            Code::NullArgument as i32
        );
        let (code, msg) = call(|out| unsafe { as_init(ptr::null(), out) });
        assert_eq!(
            (code, msg.as_str()),
            (Code::NullArgument as i32, "config_json is NULL")
        );
        let bad_utf8 = b"{\"db\":\xff}\0";
        let (code, _) = call(|out| unsafe { as_init(bad_utf8.as_ptr().cast(), out) });
        assert_eq!(code, Code::InvalidUtf8 as i32);
        let (code, msg) = call(|out| unsafe { as_init(c"{not json".as_ptr(), out) });
        assert_eq!(code, Code::InvalidJson as i32, "{msg}");
        let (code, _) = call(|out| unsafe {
            as_handle_request(
                c"POST".as_ptr(),
                c"/".as_ptr(),
                c"{}".as_ptr(),
                ptr::null(),
                5,
                c"127.0.0.1".as_ptr(),
                out,
            )
        });
        assert_eq!(code, Code::NullArgument as i32);
    }

    #[test]
    fn error_names_fit_any_buffer() {
        let mut buf = [0 as c_char; 8];
        let n = unsafe { as_error_message(6, buf.as_mut_ptr(), buf.len()) };
        assert_eq!(n, "AS_ERR_DATABASE".len());
        assert_eq!(
            unsafe { CStr::from_ptr(buf.as_ptr()) }.to_str().unwrap(),
            "AS_ERR_"
        );
        assert_eq!(
            unsafe { as_error_message(12345, ptr::null_mut(), 0) },
            "AS_ERR_UNKNOWN".len()
        );
    }

    #[test]
    fn panics_become_codes() {
        let (code, msg) = call(|out| run(out, || panic!("boom")));
        assert_eq!(code, Code::Panic as i32);
        assert!(msg.contains("boom"), "{msg}");
    }

    #[test]
    fn freeing_twice_is_caught_in_debug_builds() {
        let p = strings::to_c("x".into());
        unsafe {
            as_string_free(p);
            as_string_free(p);
            as_string_free(ptr::null_mut());
        }
    }
}

//! Orchestration: feeding from another site, serving this site's endpoint, applying users.

pub mod admin;
pub mod apply;
pub mod feed;
pub mod receive;
pub mod serve;
pub mod stream;

use crate::error::Result;
use crate::state::Site;

/// Runs one transaction's work again when the database chose it as a deadlock victim, a lock
/// wait timed out, or the connection broke (a new one is opened, giving a restarting server
/// a few seconds): four tries in all.
pub fn with_retries<T>(site: &mut Site, mut work: impl FnMut(&mut Site) -> Result<T>) -> Result<T> {
    let mut attempt = 1;
    loop {
        match work(site) {
            Err(e) if (e.retryable || e.connection_lost) && attempt < 4 => {
                if e.connection_lost {
                    site.drop_connection();
                }
                std::thread::sleep(std::time::Duration::from_millis(250 << attempt));
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// Test builds only: `ACCOUNT_SYNC_FAILPOINT=abort:<name>` makes the process die at that
/// point, as a crash or a kill would; `pause:<name>` waits three seconds there, long enough
/// for a test to restart the database; `panic:<name>` panics there, as a bug would. Tests
/// use them to prove what survives. The variable is read by the process the test starts, so
/// a failpoint concerns that process alone. Release builds ignore them.
pub fn failpoint(name: &str) {
    #[cfg(debug_assertions)]
    if let Ok(wanted) = std::env::var("ACCOUNT_SYNC_FAILPOINT") {
        if wanted == format!("abort:{name}") {
            eprintln!("account_sync: failpoint {name} reached; the process dies here");
            std::process::abort();
        }
        if wanted == format!("pause:{name}") {
            eprintln!("account_sync: failpoint {name} reached; pausing");
            std::thread::sleep(std::time::Duration::from_secs(3));
        }
        if wanted == format!("panic:{name}") {
            panic!("failpoint {name} reached");
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = name;
}

/// Logs a request this site made to an account (a feed page, a users request, a stream
/// request), under the account's masked key fingerprint.
pub fn log_outgoing(
    conn: &mut impl mysql::prelude::Queryable,
    t: &crate::storage::Tables,
    kind: crate::storage::logs::LogType,
    account: &crate::domain::account::Account,
    status: i32,
    response: String,
    content: String,
) -> Result<()> {
    let key =
        crate::domain::account::mask_key(&crate::transport::signing::key_id(&account.api_key));
    crate::storage::logs::write(
        conn,
        t,
        &crate::storage::logs::NewLog {
            kind,
            account_id: Some(account.id),
            account_name: &account.name,
            key: &key,
            ip: "",
            status,
            response,
            content,
        },
    )
}

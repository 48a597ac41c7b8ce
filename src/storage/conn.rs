//! Opening a database connection the way the library needs it.

use std::time::Duration;

use mysql::prelude::Queryable;
use mysql::{Conn, Opts, OptsBuilder};

use crate::config::DbConfig;
use crate::error::{Error, Result};

/// Opens a connection and sets the session up:
/// - utf8mb4 on the wire, so a character the table cannot hold reaches the server and is
///   refused there instead of being silently replaced;
/// - strict SQL mode, so a value too long for its column fails instead of being cut.
///   Osclass itself strips strict mode; the library wants every loss to be an error.
pub fn open(db: &DbConfig) -> Result<Conn> {
    let mut builder = OptsBuilder::new()
        .user(Some(db.user.clone()))
        .pass(Some(db.password.clone()))
        .db_name(Some(db.name.clone()))
        .tcp_connect_timeout(Some(Duration::from_secs(5)))
        .read_timeout(Some(Duration::from_secs(120)))
        .write_timeout(Some(Duration::from_secs(120)))
        .init(vec![
            "SET NAMES utf8mb4 COLLATE utf8mb4_unicode_ci".to_string(),
            "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION'".to_string(),
            format!(
                "SET SESSION innodb_lock_wait_timeout = {}",
                lock_wait_seconds()
            ),
        ]);
    builder = match &db.socket {
        Some(socket) if !socket.is_empty() => builder.socket(Some(socket.clone())),
        _ => builder
            .ip_or_hostname(Some(db.host.clone()))
            .tcp_port(db.port),
    };
    Conn::new(Opts::from(builder)).map_err(|e| {
        let mut error = Error::database(format!(
            "cannot connect to the database {} as {}: {e}",
            db.name, db.user
        ));
        error.connection_lost = is_connection_lost(&e);
        error
    })
}

/// How long a statement waits for a row another transaction holds before it gives up (and is
/// tried again): 20 s. Test builds read `ACCOUNT_SYNC_LOCK_WAIT` so that a test can make a
/// lock wait time out quickly.
fn lock_wait_seconds() -> u32 {
    #[cfg(debug_assertions)]
    if let Some(seconds) = std::env::var("ACCOUNT_SYNC_LOCK_WAIT")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        return seconds;
    }
    20
}

/// Sets the session's time zone to a fixed UTC offset (seconds), so that NOW() is local time.
pub fn set_offset(conn: &mut Conn, offset: i32) -> Result<()> {
    let sign = if offset < 0 { '-' } else { '+' };
    let minutes = offset.unsigned_abs() / 60;
    conn.query_drop(format!(
        "SET time_zone = '{sign}{:02}:{:02}'",
        minutes / 60,
        minutes % 60
    ))?;
    Ok(())
}

/// True when the server still answers on this connection.
pub fn is_alive(conn: &mut Conn) -> bool {
    conn.query_drop("SELECT 1").is_ok()
}

/// MySQL error numbers worth a second try: the transaction was chosen as a deadlock victim
/// or waited too long for a lock.
pub fn is_retryable(e: &mysql::Error) -> bool {
    matches!(e, mysql::Error::MySqlError(m) if m.code == 1213 || m.code == 1205)
}

/// True when the connection itself is gone (server restarted, network cut).
pub fn is_connection_lost(e: &mysql::Error) -> bool {
    match e {
        mysql::Error::IoError(_) | mysql::Error::CodecError(_) | mysql::Error::DriverError(_) => {
            true
        }
        mysql::Error::MySqlError(m) => matches!(m.code, 1927 | 2006 | 2013 | 1053),
        _ => false,
    }
}

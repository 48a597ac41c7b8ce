//! Nonces already seen, so that a captured request cannot be played again.

use mysql::prelude::Queryable;
use mysql::Conn;

use crate::error::Result;
use crate::storage::Tables;

/// Remembers a nonce; false when it was seen before. Nonces older than the accepted clock
/// skew are forgotten, since their requests are refused by their timestamp anyway.
pub fn claim(conn: &mut Conn, t: &Tables, nonce: &str, keep_seconds: u64) -> Result<bool> {
    conn.exec_drop(
        format!(
            "DELETE FROM {} WHERE dt_seen < NOW() - INTERVAL ? SECOND",
            t.plugin("nonce")
        ),
        (keep_seconds,),
    )?;
    conn.exec_drop(
        format!(
            "INSERT IGNORE INTO {} (s_nonce, dt_seen) VALUES (?, NOW())",
            t.plugin("nonce")
        ),
        (nonce,),
    )?;
    Ok(conn.affected_rows() == 1)
}

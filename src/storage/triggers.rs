//! Triggers that record every change of a synced user column in the outbox, in the same
//! transaction as the change, whoever makes it: Osclass core with or without a hook, another
//! plugin, or a plain SQL update by hand.
//!
//! Writes made by the library while applying another site's change set the session variable
//! `@account_sync_applying`; the triggers skip them, so a received change is never sent back.
//! A host that refuses triggers (no TRIGGER privilege, binary logging without
//! `log_bin_trust_function_creators`) leaves the plugin with its hooks only; see
//! docs/stream.md for what that misses.

use mysql::prelude::Queryable;
use mysql::Conn;

use crate::error::Result;
use crate::storage::schema::{meta, set_meta};
use crate::storage::users::UserTable;
use crate::storage::Tables;

/// How changes are captured on this site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Capture {
    Triggers,
    /// Triggers could not be created; the reason says why.
    HooksOnly(String),
}

const VERSION_NOW: &str = "CAST(UNIX_TIMESTAMP(NOW(6)) * 1000000 AS UNSIGNED)";

fn name(t: &Tables, suffix: &str) -> String {
    format!("`{}account_sync_{suffix}`", t.prefix)
}

fn outbox_insert(
    t: &Tables,
    user: &str,
    email: &str,
    old_email: &str,
    event: &str,
    columns: &str,
) -> String {
    format!(
        "INSERT INTO {} (fk_i_user_id, s_email, s_old_email, e_event, s_columns, i_version, dt_date)
         VALUES ({user}, {email}, {old_email}, '{event}', {columns}, {VERSION_NOW}, NOW())",
        t.plugin("outbox")
    )
}

/// The statements that create every trigger for the table's current columns.
pub fn definitions(t: &Tables, table: &UserTable) -> Vec<String> {
    let user = t.osclass("user");
    let description = t.osclass("user_description");
    // Text compares byte for byte (a change of case is a change); a floating point value
    // compares as a number, its text being rounded.
    let checks: String = table
        .travelling()
        .iter()
        .map(|c| {
            let same = if table.column(c).is_some_and(|i| i.is_float()) {
                format!("NEW.`{c}` <=> OLD.`{c}`")
            } else {
                format!("BINARY NEW.`{c}` <=> BINARY OLD.`{c}`")
            };
            format!("IF NOT ({same}) THEN SET changed = CONCAT(changed, ',{c}'); END IF;\n")
        })
        .collect();
    let description_event = |row: &str| {
        format!(
            "INSERT INTO {} (fk_i_user_id, s_email, s_old_email, e_event, s_columns, i_version, dt_date)
             SELECT u.pk_i_id, u.s_email, NULL, 'update', 'descriptions', {VERSION_NOW}, NOW()
             FROM {user} u WHERE u.pk_i_id = {row}.fk_i_user_id",
            t.plugin("outbox")
        )
    };
    vec![
        format!(
            "CREATE TRIGGER {} AFTER INSERT ON {user} FOR EACH ROW
             BEGIN IF @account_sync_applying IS NULL THEN {}; END IF; END",
            name(t, "user_ai"),
            outbox_insert(t, "NEW.pk_i_id", "NEW.s_email", "NULL", "register", "'*'")
        ),
        format!(
            "CREATE TRIGGER {} AFTER UPDATE ON {user} FOR EACH ROW
             BEGIN
               DECLARE changed TEXT DEFAULT '';
               IF @account_sync_applying IS NULL THEN
                 {checks}
                 IF changed <> '' THEN {}; END IF;
               END IF;
             END",
            name(t, "user_au"),
            outbox_insert(
                t,
                "NEW.pk_i_id",
                "NEW.s_email",
                "IF(BINARY NEW.s_email <=> BINARY OLD.s_email, NULL, OLD.s_email)",
                "update",
                "SUBSTRING(changed, 2)"
            )
        ),
        // A removal also leaves a tombstone here, so that an older change of the user arriving
        // later from another site does not bring it back.
        format!(
            "CREATE TRIGGER {} BEFORE DELETE ON {user} FOR EACH ROW
             BEGIN IF @account_sync_applying IS NULL THEN {}; {}; END IF; END",
            name(t, "user_bd"),
            outbox_insert(t, "OLD.pk_i_id", "OLD.s_email", "NULL", "delete", "'*'"),
            format!(
                "INSERT INTO {tombstone} (s_email, i_version, s_origin, dt_date)
                 VALUES (LOWER(TRIM(OLD.s_email)), {VERSION_NOW},
                         COALESCE((SELECT s_value FROM {meta} WHERE s_name = 'site_id'), ''), NOW())
                 ON DUPLICATE KEY UPDATE i_version = VALUES(i_version), s_origin = VALUES(s_origin), dt_date = NOW()",
                tombstone = t.plugin("tombstone"),
                meta = t.plugin("meta")
            )
        ),
        format!(
            "CREATE TRIGGER {} AFTER INSERT ON {description} FOR EACH ROW
             BEGIN IF @account_sync_applying IS NULL THEN {}; END IF; END",
            name(t, "description_ai"),
            description_event("NEW")
        ),
        format!(
            "CREATE TRIGGER {} AFTER UPDATE ON {description} FOR EACH ROW
             BEGIN IF @account_sync_applying IS NULL AND NOT (BINARY NEW.s_info <=> BINARY OLD.s_info) THEN {}; END IF; END",
            name(t, "description_au"),
            description_event("NEW")
        ),
        format!(
            "CREATE TRIGGER {} AFTER DELETE ON {description} FOR EACH ROW
             BEGIN IF @account_sync_applying IS NULL THEN {}; END IF; END",
            name(t, "description_ad"),
            description_event("OLD")
        ),
    ]
}

/// Drops every trigger of the plugin on this site's tables.
pub fn drop_all(conn: &mut Conn, t: &Tables) -> Result<()> {
    let names: Vec<String> = conn.exec(
        "SELECT trigger_name FROM information_schema.triggers WHERE trigger_schema = DATABASE() AND trigger_name LIKE ?",
        (format!("{}account\\_sync\\_%", t.prefix.replace('_', "\\_")),),
    )?;
    for n in names {
        conn.query_drop(format!("DROP TRIGGER IF EXISTS `{n}`"))?;
    }
    Ok(())
}

/// What the installed triggers watch and do; a change of either rebuilds them.
fn signature(table: &UserTable) -> String {
    format!("3:{}", table.travelling().join(","))
}

/// (Re)creates the triggers for the table's current columns. A refusal by the server is not
/// an error: the site falls back to its hooks, and the reason is kept for the admin pages.
pub fn install(conn: &mut Conn, t: &Tables, table: &UserTable) -> Result<Capture> {
    drop_all(conn, t)?;
    for statement in definitions(t, table) {
        if let Err(e) = conn.query_drop(&statement) {
            let reason = format!(
                "the database refused to create triggers ({e}); changes are captured by hooks only"
            );
            drop_all(conn, t)?;
            set_meta(conn, t, "capture", &reason)?;
            set_meta(conn, t, "trigger_columns", "")?;
            return Ok(Capture::HooksOnly(reason));
        }
    }
    set_meta(conn, t, "capture", "triggers")?;
    set_meta(conn, t, "trigger_columns", &signature(table))?;
    Ok(Capture::Triggers)
}

/// Keeps the triggers in step with the synced and custom columns; cheap when they are.
pub fn keep_in_step(conn: &mut Conn, t: &Tables, table: &UserTable) -> Result<Capture> {
    match meta(conn, t, "capture")?.as_deref() {
        Some("triggers")
            if meta(conn, t, "trigger_columns")?.as_deref() == Some(signature(table).as_str()) =>
        {
            Ok(Capture::Triggers)
        }
        Some(reason) if reason != "triggers" => Ok(Capture::HooksOnly(reason.to_string())),
        _ => install(conn, t, table),
    }
}

//! The plugin's tables, created and upgraded in place by numbered migrations.
//!
//! The installed version is kept in the meta table. A library that knows more migrations
//! than a site has applied runs the missing ones on `as_install`; every other function
//! refuses to work on tables older than it expects, with a message that says to upgrade.

use mysql::prelude::Queryable;
use mysql::Conn;

use crate::error::{Code, Error, Result};
use crate::storage::Tables;

/// One migration: statements with `{p}` standing for the table prefix.
type Migration = &'static [&'static str];

const MIGRATIONS: &[Migration] = &[
    // 1: accounts, logs, replay protection.
    &[
        "CREATE TABLE IF NOT EXISTS `{p}t_account_sync_account` (
            pk_i_id INT UNSIGNED NOT NULL AUTO_INCREMENT,
            s_name VARCHAR(100) NOT NULL,
            s_url VARCHAR(255) NOT NULL,
            s_api_key VARCHAR(255) NOT NULL,
            s_key_id CHAR(32) NOT NULL,
            s_columns TEXT NOT NULL,
            i_last_user_id INT UNSIGNED NOT NULL DEFAULT 0,
            i_synced_from INT UNSIGNED NOT NULL DEFAULT 0,
            i_synced_to INT UNSIGNED NOT NULL DEFAULT 0,
            s_last_status VARCHAR(20) NOT NULL DEFAULT '',
            s_last_message TEXT NOT NULL DEFAULT '',
            dt_last_date DATETIME NULL,
            dt_created DATETIME NOT NULL,
            PRIMARY KEY (pk_i_id),
            UNIQUE KEY uk_key_id (s_key_id)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci",
        "CREATE TABLE IF NOT EXISTS `{p}t_account_sync_log` (
            pk_i_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
            e_type ENUM('PROCESS','FEED','STREAM') NOT NULL,
            fk_i_account_id INT UNSIGNED NULL,
            s_account_name VARCHAR(100) NOT NULL DEFAULT '',
            s_key VARCHAR(40) NOT NULL DEFAULT '',
            s_ip VARCHAR(64) NOT NULL DEFAULT '',
            dt_date DATETIME NOT NULL,
            i_status SMALLINT NOT NULL DEFAULT 0,
            s_response TEXT NULL,
            s_content MEDIUMTEXT NULL,
            PRIMARY KEY (pk_i_id),
            KEY idx_date (dt_date),
            KEY idx_account (fk_i_account_id, pk_i_id),
            KEY idx_type (e_type, pk_i_id),
            KEY idx_ip (s_ip, dt_date)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci",
        "CREATE TABLE IF NOT EXISTS `{p}t_account_sync_nonce` (
            s_nonce CHAR(32) NOT NULL,
            dt_seen DATETIME NOT NULL,
            PRIMARY KEY (s_nonce),
            KEY idx_seen (dt_seen)
        ) ENGINE=InnoDB DEFAULT CHARSET=ascii",
    ],
    // 2: the stream: changes waiting to go out, what each account has, versions and
    // tombstones for ordering, and each account's delivery state.
    &[
        "CREATE TABLE IF NOT EXISTS `{p}t_account_sync_outbox` (
            pk_i_id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
            fk_i_user_id INT UNSIGNED NOT NULL,
            s_email VARCHAR(100) NOT NULL,
            s_old_email VARCHAR(100) NULL,
            e_event ENUM('register','update','delete') NOT NULL,
            s_columns TEXT NOT NULL,
            i_version BIGINT UNSIGNED NOT NULL,
            e_source ENUM('trigger','hook') NOT NULL DEFAULT 'trigger',
            dt_date DATETIME NOT NULL,
            PRIMARY KEY (pk_i_id),
            KEY idx_user (fk_i_user_id, pk_i_id)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci",
        "CREATE TABLE IF NOT EXISTS `{p}t_account_sync_delivery` (
            fk_i_account_id INT UNSIGNED NOT NULL,
            fk_i_outbox_id BIGINT UNSIGNED NOT NULL,
            PRIMARY KEY (fk_i_account_id, fk_i_outbox_id),
            KEY idx_outbox (fk_i_outbox_id)
        ) ENGINE=InnoDB",
        "CREATE TABLE IF NOT EXISTS `{p}t_account_sync_version` (
            fk_i_user_id INT UNSIGNED NOT NULL,
            s_column VARCHAR(64) NOT NULL,
            i_version BIGINT UNSIGNED NOT NULL,
            s_origin VARCHAR(64) NOT NULL,
            PRIMARY KEY (fk_i_user_id, s_column)
        ) ENGINE=InnoDB DEFAULT CHARSET=ascii",
        "CREATE TABLE IF NOT EXISTS `{p}t_account_sync_tombstone` (
            s_email VARCHAR(100) NOT NULL,
            i_version BIGINT UNSIGNED NOT NULL,
            s_origin VARCHAR(64) NOT NULL,
            dt_date DATETIME NOT NULL,
            PRIMARY KEY (s_email)
        ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci",
        "ALTER TABLE `{p}t_account_sync_account`
            ADD COLUMN i_stream_failures INT UNSIGNED NOT NULL DEFAULT 0,
            ADD COLUMN dt_stream_retry DATETIME NULL",
    ],
    // 3: key rotation: an account keeps accepting the other site's previous key for a while.
    &["ALTER TABLE `{p}t_account_sync_account`
            ADD COLUMN s_prev_api_key VARCHAR(255) NULL,
            ADD COLUMN s_prev_key_id CHAR(32) NULL,
            ADD COLUMN dt_prev_key_until DATETIME NULL,
            ADD KEY idx_prev_key_id (s_prev_key_id)"],
    // 4: which local user each account's user ids stand for, so that a person keeps being
    // found after an e-mail change.
    &["CREATE TABLE IF NOT EXISTS `{p}t_account_sync_identity` (
            fk_i_account_id INT UNSIGNED NOT NULL,
            i_remote_id INT UNSIGNED NOT NULL,
            fk_i_user_id INT UNSIGNED NOT NULL,
            PRIMARY KEY (fk_i_account_id, i_remote_id),
            KEY idx_user (fk_i_user_id)
        ) ENGINE=InnoDB"],
    // 5: the digest of the record each user was last fed from, so that a feed run again
    // fetches only the users that changed.
    &["ALTER TABLE `{p}t_account_sync_identity`
            ADD COLUMN s_digest CHAR(32) CHARACTER SET ascii NULL"],
];

/// The schema version this library works with.
pub const CURRENT: u32 = MIGRATIONS.len() as u32;

fn meta_table(t: &Tables) -> String {
    t.plugin("meta")
}

/// The installed version, 0 when the plugin's tables do not exist.
pub fn installed_version(conn: &mut Conn, t: &Tables) -> Result<u32> {
    let exists: Option<String> = conn.exec_first(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?",
        (t.raw_plugin("meta"),),
    )?;
    if exists.is_none() {
        return Ok(0);
    }
    let version: Option<String> = conn.exec_first(
        format!(
            "SELECT s_value FROM {} WHERE s_name = 'schema_version'",
            meta_table(t)
        ),
        (),
    )?;
    Ok(version.and_then(|v| v.parse().ok()).unwrap_or(0))
}

/// Runs the migrations the site lacks and returns (from, to).
pub fn install(conn: &mut Conn, t: &Tables) -> Result<(u32, u32)> {
    conn.query_drop(format!(
        "CREATE TABLE IF NOT EXISTS {} (s_name VARCHAR(64) NOT NULL, s_value TEXT NOT NULL,
         PRIMARY KEY (s_name)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
        meta_table(t)
    ))?;
    let from = installed_version(conn, t)?;
    if from > CURRENT {
        return Err(Error::new(
            Code::NotInstalled,
            format!("the plugin's tables are at version {from}, newer than this library ({CURRENT}); install the newer library"),
        ));
    }
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(from as usize) {
        let version = index as u32 + 1;
        for statement in migration.iter() {
            conn.query_drop(statement.replace("{p}", &t.prefix))
                .map_err(|e| {
                    Error::database(format!(
                        "upgrading the plugin's tables to version {version} failed: {e}"
                    ))
                })?;
        }
        conn.exec_drop(
            format!(
                "REPLACE INTO {} (s_name, s_value) VALUES ('schema_version', ?)",
                meta_table(t)
            ),
            (version.to_string(),),
        )?;
    }
    Ok((from, CURRENT))
}

/// Drops every table of the plugin. Osclass' own tables are never touched.
pub fn uninstall(conn: &mut Conn, t: &Tables) -> Result<()> {
    crate::storage::triggers::drop_all(conn, t)?;
    for name in [
        "log",
        "nonce",
        "outbox",
        "delivery",
        "version",
        "tombstone",
        "identity",
        "account",
        "meta",
    ] {
        conn.query_drop(format!("DROP TABLE IF EXISTS {}", t.plugin(name)))?;
    }
    Ok(())
}

/// Refuses to work on missing or outdated tables.
pub fn require_current(conn: &mut Conn, t: &Tables) -> Result<()> {
    match installed_version(conn, t)? {
        v if v == CURRENT => Ok(()),
        0 => Err(Error::new(Code::NotInstalled, "the plugin's tables are not installed; run the plugin's install")),
        v => Err(Error::new(
            Code::NotInstalled,
            format!("the plugin's tables are at version {v}, this library needs {CURRENT}; run the plugin's install to upgrade"),
        )),
    }
}

/// A value of the meta table.
pub fn meta(conn: &mut Conn, t: &Tables, name: &str) -> Result<Option<String>> {
    Ok(conn.exec_first(
        format!("SELECT s_value FROM {} WHERE s_name = ?", meta_table(t)),
        (name,),
    )?)
}

pub fn set_meta(conn: &mut Conn, t: &Tables, name: &str, value: &str) -> Result<()> {
    conn.exec_drop(
        format!(
            "REPLACE INTO {} (s_name, s_value) VALUES (?, ?)",
            meta_table(t)
        ),
        (name, value),
    )?;
    Ok(())
}

/// This site's identity in versions: made once at install, never changed.
pub fn site_id(conn: &mut Conn, t: &Tables) -> Result<String> {
    if let Some(id) = meta(conn, t, "site_id")? {
        return Ok(id);
    }
    let id = crate::transport::signing::nonce()?;
    conn.exec_drop(
        format!(
            "INSERT IGNORE INTO {} (s_name, s_value) VALUES ('site_id', ?)",
            meta_table(t)
        ),
        (&id,),
    )?;
    Ok(meta(conn, t, "site_id")?.unwrap_or(id))
}

/// This site's id, read in any transaction (it exists once the plugin is installed).
pub fn site_id_of(conn: &mut impl Queryable, t: &Tables) -> Result<String> {
    let id: Option<String> = conn.exec_first(
        format!(
            "SELECT s_value FROM {} WHERE s_name = 'site_id'",
            meta_table(t)
        ),
        (),
    )?;
    Ok(id.unwrap_or_default())
}

//! The process-wide state behind the C ABI: configuration, one connection, one HTTP client.
//!
//! PHP calls the library from one thread per process, request after request (PHP-FPM keeps
//! a worker for many requests). The state lives as long as the process, so a second request
//! reuses the connection. A process forked after the library was loaded (PHP-FPM's master
//! forks its workers) notices the new process id and leaves its parent's connection and
//! client alone: it neither uses nor closes them, it opens its own.
//!
//! A call that works on several threads (the stream, one account a thread) gives each thread
//! a worker site of its own: a copy of the configuration and a connection of its own, made
//! and dropped within that call, so it never outlives the call nor crosses a fork.

use std::sync::Mutex;

use mysql::prelude::Queryable;

use mysql::Conn;
use once_cell::sync::Lazy;

use crate::config::Config;
use crate::error::{Code, Error, Result};
use crate::storage::users::UserTable;
use crate::storage::{conn, schema, Tables};
use crate::transport::client::Client;

/// Everything one call needs: the site's configuration, its tables and its connections.
pub struct Site {
    pub config: Config,
    pub tables: Tables,
    pub users: UserTable,
    conn: Option<Conn>,
    client: Option<Client>,
    schema_ok: bool,
    /// The UTC offset the session's `time_zone` was last set to.
    session_offset: Option<i32>,
    /// Connections opened by this process, for diagnostics and tests.
    pub connections_opened: u64,
}

struct State {
    pid: u32,
    site: Option<Site>,
}

static STATE: Lazy<Mutex<State>> = Lazy::new(|| {
    Mutex::new(State {
        pid: std::process::id(),
        site: None,
    })
});

fn lock() -> std::sync::MutexGuard<'static, State> {
    // A panic while the lock was held is caught at the boundary; the state it left is
    // repaired by `after_panic`, so a poisoned lock is still usable.
    let mut state = STATE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let pid = std::process::id();
    if state.pid != pid {
        if let Some(site) = state.site.as_mut() {
            // The parent's socket and client thread: closing them would break the parent.
            std::mem::forget(site.conn.take());
            std::mem::forget(site.client.take());
            site.schema_ok = false;
            site.session_offset = None;
            site.connections_opened = 0;
        }
        state.pid = pid;
    }
    state
}

impl Site {
    /// The live connection, reconnecting when the server went away since the last call.
    pub fn conn(&mut self) -> Result<&mut Conn> {
        let alive = match self.conn.as_mut() {
            Some(c) => conn::is_alive(c),
            None => false,
        };
        if !alive {
            self.conn = None;
            self.schema_ok = false;
            self.session_offset = None;
            self.conn = Some(conn::open(&self.config.db)?);
            self.connections_opened += 1;
        }
        // The plugin's own dates (logs, last run) are written with NOW(): in the site's time,
        // like every date Osclass shows. The offset follows daylight saving time.
        let offset = self
            .users
            .zone
            .offset_at(crate::transport::signing::now() as i64);
        let connection = self.conn.as_mut().expect("connection was just opened");
        if self.session_offset != Some(offset) {
            conn::set_offset(connection, offset)?;
            self.session_offset = Some(offset);
        }
        Ok(connection)
    }

    /// The connection, after checking that the plugin's tables are installed and current.
    pub fn installed_conn(&mut self) -> Result<&mut Conn> {
        if !self.schema_ok {
            let tables = self.tables.clone();
            schema::require_current(self.conn()?, &tables)?;
            self.schema_ok = true;
        }
        self.conn()
    }

    /// A site for another thread of the current call: the same configuration, tables and
    /// users table, the same HTTP client, and a connection of its own, opened on first use
    /// with the same session settings (time zone offset included). Its connections count in
    /// `connections_opened` of the worker only; `absorb` adds them to this site's.
    pub fn worker(&mut self) -> Result<Site> {
        Ok(Site {
            config: self.config.clone(),
            tables: self.tables.clone(),
            users: self.users.clone(),
            conn: None,
            client: Some(self.client()?),
            schema_ok: false,
            session_offset: None,
            connections_opened: 0,
        })
    }

    /// Keeps the open connection from timing out while it only holds a lock for the work of
    /// other threads. It never reconnects: a new connection would not hold the lock.
    pub fn keep_alive(&mut self) {
        if let Some(conn) = self.conn.as_mut() {
            let _ = conn.query_drop("DO 1");
        }
    }

    /// Takes back a worker made by `worker` once its thread is done: its connection closes,
    /// and the connections it opened are counted as this process'.
    pub fn absorb(&mut self, worker: Site) {
        self.connections_opened += worker.connections_opened;
    }

    pub fn client(&mut self) -> Result<Client> {
        if self.client.is_none() {
            self.client = Some(Client::new(&self.config.http)?);
        }
        Ok(self.client.clone().expect("client was just built"))
    }

    /// Forgets that the schema was checked (after install or uninstall).
    pub fn schema_changed(&mut self) {
        self.schema_ok = false;
    }

    /// Drops the connection so that the next call opens a fresh one.
    pub fn drop_connection(&mut self) {
        self.conn = None;
        self.schema_ok = false;
        self.session_offset = None;
    }
}

/// Applies a new configuration. The connection is kept when the database settings did not
/// change. A configuration that fails (bad custom column, unreachable database) leaves the
/// previous one in force.
pub fn init(config: Config) -> Result<()> {
    let mut state = lock();
    let mut candidate = Site {
        tables: Tables::new(&config.table_prefix),
        users: UserTable::new(Vec::new(), Vec::new(), Vec::new()),
        config,
        conn: None,
        client: None,
        schema_ok: false,
        session_offset: None,
        connections_opened: 0,
    };
    if let Some(old) = state.site.as_mut() {
        candidate.connections_opened = old.connections_opened;
        if old.config.db == candidate.config.db {
            candidate.conn = old.conn.take();
        }
        if old.config.http == candidate.config.http {
            candidate.client = old.client.take();
        }
    }

    let tables = candidate.tables.clone();
    let custom = candidate.config.custom_columns.clone();
    match candidate
        .conn()
        .and_then(|c| UserTable::load(c, &tables, &custom))
    {
        Ok(mut users) => {
            users.zone = candidate.config.timezone.clone().unwrap_or_default();
            candidate.users = users;
            state.site = Some(candidate);
            Ok(())
        }
        Err(e) => {
            if let Some(old) = state.site.as_mut() {
                if old.config.db == candidate.config.db {
                    old.conn = candidate.conn.take();
                }
                old.connections_opened = candidate.connections_opened;
            }
            Err(e)
        }
    }
}

/// Runs `f` with the configured site, or refuses before `as_init` succeeded.
pub fn with_site<T>(f: impl FnOnce(&mut Site) -> Result<T>) -> Result<T> {
    let mut state = lock();
    let site = state.site.as_mut().ok_or_else(|| {
        Error::new(
            Code::NotInitialized,
            "call as_init with the site's configuration first",
        )
    })?;
    let result = f(site);
    if let Err(e) = &result {
        if e.code == Code::Database {
            // The connection may be in any state after a failed statement; a ping on the
            // next call decides whether it is reused.
            site.schema_ok = false;
        }
    }
    result
}

/// Called after a panic was caught: the connection may be mid-transaction, so it goes.
pub fn after_panic() {
    let mut state = lock();
    if let Some(site) = state.site.as_mut() {
        site.drop_connection();
    }
}

/// The configuration currently in force, if any.
pub fn is_initialized() -> bool {
    lock().site.is_some()
}

//! MySQL storage: the plugin's own tables and Osclass' user tables.
//!
//! Every query is parameterised. Table names are built only from the validated table
//! prefix, and column names only from the real column list of the table they belong to.

pub mod accounts;
pub mod conn;
pub mod identities;
pub mod locations;
pub mod logs;
pub mod nonces;
pub mod outbox;
pub mod schema;
pub mod triggers;
pub mod users;

/// The table names of one site, derived from its prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tables {
    pub prefix: String,
}

impl Tables {
    pub fn new(prefix: &str) -> Tables {
        Tables {
            prefix: prefix.to_string(),
        }
    }

    pub fn osclass(&self, name: &str) -> String {
        format!("`{}t_{}`", self.prefix, name)
    }

    pub fn plugin(&self, name: &str) -> String {
        format!("`{}t_account_sync_{}`", self.prefix, name)
    }

    /// The unquoted name, for information_schema look-ups.
    pub fn raw_osclass(&self, name: &str) -> String {
        format!("{}t_{}", self.prefix, name)
    }

    pub fn raw_plugin(&self, name: &str) -> String {
        format!("{}t_account_sync_{}", self.prefix, name)
    }
}

/// `?, ?, ?` for `n` parameters.
pub fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// Takes column `index` of a row, naming the column when its value is unreadable.
pub fn take_column<T: mysql::prelude::FromValue>(
    row: &mut mysql::Row,
    index: usize,
    name: &str,
) -> crate::error::Result<T> {
    row.take_opt(index)
        .unwrap_or(Err(mysql::FromValueError(mysql::Value::NULL)))
        .map_err(|e| {
            crate::error::Error::database(format!("a row has an unreadable {name}: {e:?}"))
        })
}

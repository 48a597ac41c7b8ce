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

/// Items of one `IN (…)` list a statement carries at the most, far below the protocol's limit
/// of 65,535 parameters.
const IN_LIST: usize = 10_000;

/// The rows of a query with one `IN (…)` list, run in slices of the list so that no statement
/// carries too many parameters. `sql` gets the placeholders of a slice; `before` are the
/// parameters that stand ahead of the list.
pub fn select_in<T: mysql::prelude::FromRow>(
    conn: &mut impl mysql::prelude::Queryable,
    sql: impl Fn(&str) -> String,
    before: &[mysql::Value],
    items: &[mysql::Value],
) -> crate::error::Result<Vec<T>> {
    let mut out = Vec::new();
    for chunk in items.chunks(IN_LIST) {
        let mut params = before.to_vec();
        params.extend_from_slice(chunk);
        out.extend(conn.exec::<T, _, _>(sql(&placeholders(chunk.len())), params)?);
    }
    Ok(out)
}

/// Parameters for a list of ids.
pub fn id_params(ids: &[u64]) -> Vec<mysql::Value> {
    ids.iter().map(|i| mysql::Value::UInt(*i)).collect()
}

/// Parameters for a list of strings.
pub fn text_params<S: AsRef<str>>(items: &[S]) -> Vec<mysql::Value> {
    items
        .iter()
        .map(|s| mysql::Value::from(s.as_ref()))
        .collect()
}

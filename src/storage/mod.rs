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

/// The rows of a query for a list of ids in `column`. Ids that are ascending and close
/// together (a feed page) are read with one range scan, which costs the server far less than a
/// long `IN (…)` list, and the rows of ids outside the list are dropped (`id_of` names a row's
/// id); other lists go through `select_in`. `sql` gets the condition on `column`.
pub fn select_ids<T: mysql::prelude::FromRow>(
    conn: &mut impl mysql::prelude::Queryable,
    column: &str,
    sql: impl Fn(&str) -> String,
    before: &[mysql::Value],
    ids: &[u64],
    id_of: impl Fn(&T) -> u64,
) -> crate::error::Result<Vec<T>> {
    if let Some((first, last)) = dense_range(ids) {
        let mut params = before.to_vec();
        params.extend([mysql::Value::UInt(first), mysql::Value::UInt(last)]);
        let rows: Vec<T> = conn.exec(sql(&format!("{column} BETWEEN ? AND ?")), params)?;
        return Ok(rows
            .into_iter()
            .filter(|r| ids.binary_search(&id_of(r)).is_ok())
            .collect());
    }
    select_in(
        conn,
        |list| sql(&format!("{column} IN ({list})")),
        before,
        &id_params(ids),
    )
}

/// The bounds of ids worth reading as a range: many, strictly ascending, and filling at least
/// a quarter of the range they span.
fn dense_range(ids: &[u64]) -> Option<(u64, u64)> {
    let (first, last) = (*ids.first()?, *ids.last()?);
    let ascending = ids.windows(2).all(|w| w[0] < w[1]);
    (ids.len() >= 16 && ascending && (last - first) / 4 < ids.len() as u64).then_some((first, last))
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

#[cfg(test)]
mod range_tests {
    use super::dense_range;

    #[test]
    fn only_many_ascending_close_ids_are_read_as_a_range() {
        let page: Vec<u64> = (100..400).map(|i| i * 2).collect();
        assert_eq!(dense_range(&page), Some((200, 798)));
        assert_eq!(dense_range(&page[..10]), None, "too few");
        let sparse: Vec<u64> = (1..200).map(|i| i * 10).collect();
        assert_eq!(dense_range(&sparse), None, "a tenth of the range");
        let mut unordered = page.clone();
        unordered.swap(3, 4);
        assert_eq!(dense_range(&unordered), None);
        let mut repeated = page.clone();
        repeated[5] = repeated[4];
        assert_eq!(dense_range(&repeated), None);
        assert_eq!(dense_range(&[]), None);
    }
}

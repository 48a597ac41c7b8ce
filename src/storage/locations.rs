//! Location ids belong to each site: a user's region, city and city area are found again on
//! the target by name, and the country by its ISO code.

use std::collections::{HashMap, HashSet};

use mysql::prelude::Queryable;

use crate::domain::record::{UserRecord, Value};
use crate::error::Result;
use crate::storage::{select_in, text_params, Tables};

/// The target's location rows that the records of one batch can refer to.
#[derive(Debug, Default)]
pub struct Locations {
    countries: HashSet<String>,
    regions: HashMap<(String, String), u64>,
    cities: HashMap<(u64, String), u64>,
    areas: HashMap<(u64, String), u64>,
}

/// The target's ids for one user; `None` where nothing matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub country: Option<String>,
    pub region: Option<u64>,
    pub city: Option<u64>,
    pub area: Option<u64>,
}

fn text<'a>(record: &'a UserRecord, column: &str) -> Option<&'a str> {
    record
        .columns
        .get(column)
        .and_then(Value::as_text)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn fold(s: &str) -> String {
    s.trim().to_lowercase()
}

fn distinct<'a>(records: &[&'a UserRecord], column: &str) -> Vec<&'a str> {
    let mut seen: Vec<&str> = records.iter().filter_map(|r| text(r, column)).collect();
    seen.sort_unstable();
    seen.dedup();
    seen
}

/// The rows of a location table whose names (or codes) the batch uses.
fn fetch<T: mysql::prelude::FromRow>(
    conn: &mut impl Queryable,
    sql: impl Fn(&str) -> String,
    names: &[&str],
) -> Result<Vec<T>> {
    select_in(conn, sql, &[], &text_params(names))
}

impl Locations {
    /// Loads, in one query a table, the rows the batch names.
    pub fn load(
        conn: &mut impl Queryable,
        t: &Tables,
        records: &[&UserRecord],
    ) -> Result<Locations> {
        let mut out = Locations::default();
        let codes = distinct(records, "fk_c_country_code");
        let countries: Vec<String> = fetch(
            conn,
            |p| {
                format!(
                    "SELECT pk_c_code FROM {} WHERE pk_c_code IN ({p})",
                    t.osclass("country")
                )
            },
            &codes,
        )?;
        out.countries = countries.into_iter().map(|c| fold(&c)).collect();

        let regions: Vec<(u64, String, String)> = fetch(
            conn,
            |p| {
                format!(
                    "SELECT pk_i_id, fk_c_country_code, s_name FROM {} WHERE s_name IN ({p})",
                    t.osclass("region")
                )
            },
            &distinct(records, "s_region"),
        )?;
        for (id, country, name) in regions {
            out.regions
                .entry((fold(&country), fold(&name)))
                .or_insert(id);
        }

        let cities: Vec<(u64, u64, String)> = fetch(
            conn,
            |p| {
                format!(
                    "SELECT pk_i_id, fk_i_region_id, s_name FROM {} WHERE s_name IN ({p})",
                    t.osclass("city")
                )
            },
            &distinct(records, "s_city"),
        )?;
        for (id, region, name) in cities {
            out.cities.entry((region, fold(&name))).or_insert(id);
        }

        let areas: Vec<(u64, u64, String)> = fetch(
            conn,
            |p| {
                format!(
                    "SELECT pk_i_id, fk_i_city_id, s_name FROM {} WHERE s_name IN ({p})",
                    t.osclass("city_area")
                )
            },
            &distinct(records, "s_city_area"),
        )?;
        for (id, city, name) in areas {
            out.areas.entry((city, fold(&name))).or_insert(id);
        }
        Ok(out)
    }

    /// Each level is looked up within the one above it, so that a city of the same name in
    /// another region is never taken.
    pub fn resolve(&self, record: &UserRecord) -> Resolved {
        let country = text(record, "fk_c_country_code")
            .map(fold)
            .filter(|c| self.countries.contains(c));
        let region = match (&country, text(record, "s_region")) {
            (Some(c), Some(name)) => self.regions.get(&(c.clone(), fold(name))).copied(),
            _ => None,
        };
        let city = match (region, text(record, "s_city")) {
            (Some(r), Some(name)) => self.cities.get(&(r, fold(name))).copied(),
            _ => None,
        };
        let area = match (city, text(record, "s_city_area")) {
            (Some(c), Some(name)) => self.areas.get(&(c, fold(name))).copied(),
            _ => None,
        };
        Resolved {
            country: country.map(|c| c.to_uppercase()),
            region,
            city,
            area,
        }
    }
}

impl Resolved {
    /// The values to store in the id columns.
    pub fn values(&self) -> [(&'static str, Value); 4] {
        let id = |v: Option<u64>| v.map(|i| Value::Int(i as i64)).unwrap_or(Value::Null);
        [
            (
                "fk_c_country_code",
                self.country.clone().map(Value::Text).unwrap_or(Value::Null),
            ),
            ("fk_i_region_id", id(self.region)),
            ("fk_i_city_id", id(self.city)),
            ("fk_i_city_area_id", id(self.area)),
        ]
    }
}

/// A short account of the locations this site knows, which changes when one is added: the
/// number of countries and the newest region, city and city area.
pub fn census(conn: &mut impl Queryable, t: &Tables) -> Result<String> {
    let found: Option<String> = conn.query_first(format!(
        "SELECT CONCAT_WS(',', (SELECT COUNT(*) FROM {}), IFNULL((SELECT MAX(pk_i_id) FROM {}), 0),
                IFNULL((SELECT MAX(pk_i_id) FROM {}), 0), IFNULL((SELECT MAX(pk_i_id) FROM {}), 0))",
        t.osclass("country"),
        t.osclass("region"),
        t.osclass("city"),
        t.osclass("city_area")
    ))?;
    Ok(found.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(pairs: &[(&str, &str)]) -> UserRecord {
        let mut r = UserRecord::default();
        for (k, v) in pairs {
            r.columns.insert(k.to_string(), Value::Text(v.to_string()));
        }
        r
    }

    #[test]
    fn resolves_each_level_within_its_parent() {
        let mut l = Locations::default();
        l.countries.insert("es".into());
        l.regions.insert(("es".into(), "madrid".into()), 10);
        l.cities.insert((10, "alcalá".into()), 20);
        l.cities.insert((11, "toledo".into()), 21);
        l.areas.insert((20, "centro".into()), 30);

        let full = record(&[
            ("fk_c_country_code", "ES"),
            ("s_region", "Madrid"),
            ("s_city", "Alcalá"),
            ("s_city_area", "Centro"),
        ]);
        assert_eq!(
            l.resolve(&full),
            Resolved {
                country: Some("ES".into()),
                region: Some(10),
                city: Some(20),
                area: Some(30)
            }
        );

        let wrong_region = record(&[
            ("fk_c_country_code", "ES"),
            ("s_region", "Madrid"),
            ("s_city", "Toledo"),
        ]);
        assert_eq!(l.resolve(&wrong_region).city, None);

        let unknown_country = record(&[("fk_c_country_code", "FR"), ("s_region", "Madrid")]);
        assert_eq!(
            l.resolve(&unknown_country),
            Resolved {
                country: None,
                region: None,
                city: None,
                area: None
            }
        );
    }
}

//! A user as it travels between sites: its synced columns and its descriptions by locale.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use crate::config::is_identifier;
use crate::domain::{columns, email};
use crate::error::{Error, Result};

/// One column value. Osclass' user columns are whole numbers, text, dates and decimals; dates
/// and decimals travel as text, exactly as the database writes them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Value {
    Null,
    Int(i64),
    Text(String),
}

impl serde::Serialize for Value {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        match self {
            Value::Null => serializer.serialize_none(),
            Value::Int(i) => serializer.serialize_i64(*i),
            Value::Text(s) => serializer.serialize_str(s),
        }
    }
}

impl Value {
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }
}

/// A version: when (UTC microseconds) and where a value was set. Ties go to the greater
/// origin, so that every site orders the same two changes the same way.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Version {
    pub at: u64,
    pub origin: String,
}

impl Version {
    fn from_json(json: &Json) -> Result<Version> {
        let at = json.get("at").and_then(Json::as_u64);
        let origin = json.get("origin").and_then(Json::as_str);
        match (at, origin, json.as_object().map(|o| o.len())) {
            (Some(at), Some(origin), Some(2)) if is_origin(origin) => Ok(Version {
                at,
                origin: origin.to_string(),
            }),
            _ => Err(Error::input(
                "a version must be {\"at\": microseconds, \"origin\": site id}",
            )),
        }
    }
}

/// A column's version in a map that may hold `*` (every column): the newer of the two.
pub fn version_in<'a>(
    versions: &'a BTreeMap<String, Version>,
    column: &str,
) -> Option<&'a Version> {
    match (versions.get(column), versions.get("*")) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

/// The versions of a user's columns in short: when every column has one, `*` carries the
/// oldest and only newer columns are listed.
pub fn compact_versions(
    versions: BTreeMap<String, Version>,
    all_columns: &[&str],
) -> BTreeMap<String, Version> {
    let complete = all_columns
        .iter()
        .chain(std::iter::once(&columns::DESCRIPTIONS))
        .all(|c| versions.contains_key(*c));
    let Some(oldest) = versions.values().min().cloned().filter(|_| complete) else {
        return versions;
    };
    let mut out: BTreeMap<String, Version> =
        versions.into_iter().filter(|(_, v)| *v > oldest).collect();
    out.insert("*".to_string(), oldest);
    out
}

/// A site id as versions carry it: 1 to 64 letters, digits or underscores.
pub fn is_origin(s: &str) -> bool {
    !s.is_empty() && s.len() <= 64 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Serialises as the wire format wants it, `{"user": {...}, "descriptions": {...}}`, without
/// building a JSON tree first (a feed page holds thousands of records).
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct UserRecord {
    /// The user's id on the sending site. It names the same person across e-mail changes:
    /// the receiver remembers which of its users it stands for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<u64>,
    /// Column name to value; always holds `s_email`.
    #[serde(rename = "user")]
    pub columns: BTreeMap<String, Value>,
    /// Locale code (`en_US`) to the user's "about me" text.
    pub descriptions: BTreeMap<String, String>,
    /// Locales the sender has installed but the user has no description in: a receiver that
    /// holds one for such a locale removes it.
    #[serde(
        rename = "no_descriptions",
        skip_serializing_if = "std::collections::BTreeSet::is_empty"
    )]
    pub absent_locales: std::collections::BTreeSet<String>,
    /// When the sender's values were set, for the columns the sender knows it of (changed
    /// since its plugin was installed). A receiver keeps a newer value of its own.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub versions: BTreeMap<String, Version>,
}

impl UserRecord {
    /// The address as the sender stores it.
    pub fn email(&self) -> &str {
        self.columns
            .get("s_email")
            .and_then(Value::as_text)
            .unwrap_or("")
    }

    /// The key two sites compare.
    pub fn key(&self) -> String {
        email::normalise(self.email())
    }

    /// When the sender set this column: its own version, or the one of `*` (every column)
    /// when that is newer.
    pub fn version_of(&self, column: &str) -> Option<&Version> {
        version_in(&self.versions, column)
    }

    /// The record as the wire format writes it (the same as its `Serialize`).
    pub fn to_json(&self) -> Json {
        serde_json::to_value(self).unwrap_or_default()
    }

    /// Reads a record sent by another site, refusing anything that is not of the documented
    /// shape. The column names are only checked to be names here; the receiver keeps the
    /// ones its table really has.
    pub fn from_json(json: &Json) -> Result<UserRecord> {
        let object = json
            .as_object()
            .ok_or_else(|| Error::input("a user record must be an object"))?;
        for key in object.keys() {
            if !["user", "descriptions", "no_descriptions", "id", "versions"]
                .contains(&key.as_str())
            {
                return Err(Error::input(format!(
                    "unknown field {key:?} in a user record"
                )));
            }
        }

        let user = object
            .get("user")
            .and_then(Json::as_object)
            .ok_or_else(|| Error::input("a user record needs a \"user\" object"))?;
        let mut record = UserRecord {
            id: decode_user_id(object.get("id"), "a record's id")?,
            ..Default::default()
        };
        for (name, value) in user {
            record
                .columns
                .insert(name.clone(), decode_column(name, value)?);
        }

        match record.columns.get("s_email") {
            Some(Value::Text(address)) => email::validate(address)?,
            _ => return Err(Error::input("a user record needs s_email as a string")),
        }
        let trimmed = record.email().trim().to_string();
        record
            .columns
            .insert("s_email".into(), Value::Text(trimmed));

        if let Some(descriptions) = object.get("descriptions") {
            record.descriptions = decode_descriptions(descriptions)?;
        }
        if let Some(absent) = object.get("no_descriptions") {
            let list = absent
                .as_array()
                .ok_or_else(|| Error::input("no_descriptions must be a list of locales"))?;
            for locale in list {
                match locale.as_str() {
                    Some(code)
                        if is_locale_code(code) && !record.descriptions.contains_key(code) =>
                    {
                        record.absent_locales.insert(code.to_string());
                    }
                    _ => {
                        return Err(Error::input(
                            "no_descriptions must list locale codes without a description",
                        ))
                    }
                }
            }
        }
        if let Some(versions) = object.get("versions") {
            let versions = versions
                .as_object()
                .ok_or_else(|| Error::input("versions must be an object"))?;
            for (column, version) in versions {
                if column != "*" && !is_identifier(column) {
                    return Err(Error::input(format!("{column:?} is not a column name")));
                }
                record
                    .versions
                    .insert(column.clone(), Version::from_json(version)?);
            }
        }
        Ok(record)
    }
}

/// An optional user id of the sending site: absent, null, or a whole number from 1 that fits
/// Osclass' `INT UNSIGNED`.
pub fn decode_user_id(value: Option<&Json>, what: &str) -> Result<Option<u64>> {
    match value {
        None | Some(Json::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .filter(|i| *i > 0 && *i <= u32::MAX as u64)
            .map(Some)
            .ok_or_else(|| {
                Error::input(format!("{what} must be a user id (a whole number from 1)"))
            }),
    }
}

fn decode_column(name: &str, value: &Json) -> Result<Value> {
    if !is_identifier(name) {
        return Err(Error::input(format!("{name:?} is not a column name")));
    }
    if columns::is_site_local(name) {
        return Err(Error::input(format!(
            "column {name} belongs to one site and never travels"
        )));
    }
    if columns::is_flag(name) {
        return decode_flag(name, value).map(Value::Int);
    }
    match value {
        Json::Null => Ok(Value::Null),
        Json::String(s) => {
            if s.contains('\0') {
                return Err(Error::input(format!("column {name} contains a NUL byte")));
            }
            if name.starts_with("dt_") && crate::domain::time::parse_stamped(s).is_none() {
                return Err(Error::input(format!(
                    "column {name} must be a date with its zone, YYYY-MM-DDTHH:MM:SSZ or ±HH:MM, not {s:?}"
                )));
            }
            Ok(Value::Text(s.clone()))
        }
        Json::Number(n) if n.is_i64() => Ok(Value::Int(n.as_i64().unwrap_or_default())),
        Json::Number(n) if name.starts_with("d_") => Ok(Value::Text(n.to_string())),
        _ => Err(Error::input(format!(
            "column {name} has a value of the wrong type"
        ))),
    }
}

/// Flags accept exactly these spellings: `0`, `1`, `false`, `true`, `"0"`, `"1"`. Anything
/// else ("False", "yes", 2) is refused, so that no reading of a typo blocks a user.
pub fn decode_flag(name: &str, value: &Json) -> Result<i64> {
    match value {
        Json::Bool(b) => Ok(*b as i64),
        Json::Number(n) if n.as_i64() == Some(0) || n.as_i64() == Some(1) => {
            Ok(n.as_i64().unwrap_or(0))
        }
        Json::String(s) if s == "0" || s == "1" => Ok(if s == "1" { 1 } else { 0 }),
        _ => Err(Error::input(format!(
            "column {name} must be 0, 1, true, false, \"0\" or \"1\", not {value}"
        ))),
    }
}

fn decode_descriptions(json: &Json) -> Result<BTreeMap<String, String>> {
    let object = json
        .as_object()
        .ok_or_else(|| Error::input("descriptions must be an object"))?;
    let mut out = BTreeMap::new();
    for (locale, text) in object {
        if !is_locale_code(locale) {
            return Err(Error::input(format!(
                "{locale:?} is not a locale code like en_US"
            )));
        }
        match text {
            Json::String(s) if !s.contains('\0') => {
                out.insert(locale.clone(), s.clone());
            }
            Json::Null => {}
            _ => {
                return Err(Error::input(format!(
                    "description for {locale} must be a string"
                )))
            }
        }
    }
    Ok(out)
}

pub fn is_locale_code(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 5
        && b[0].is_ascii_lowercase()
        && b[1].is_ascii_lowercase()
        && b[2] == b'_'
        && b[3].is_ascii_uppercase()
        && b[4].is_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(user: Json) -> Result<UserRecord> {
        UserRecord::from_json(&json!({"user": user}))
    }

    #[test]
    fn round_trips_through_json() {
        let json = json!({
            "id": 17,
            "user": {"s_email": "Ana@Example.com", "s_name": "Ана 😀", "b_active": 1,
                     "d_coord_lat": "40.416775", "fk_i_region_id": null},
            "descriptions": {"en_US": "hi", "es_ES": "hola"}
        });
        let r = UserRecord::from_json(&json).unwrap();
        assert_eq!(r.key(), "ana@example.com");
        assert_eq!(r.id, Some(17));
        assert_eq!(r.columns["b_active"], Value::Int(1));
        assert_eq!(r.columns["fk_i_region_id"], Value::Null);
        assert_eq!(r.descriptions["es_ES"], "hola");
        assert_eq!(UserRecord::from_json(&r.to_json()).unwrap(), r);
        let mut plain = r.clone();
        plain.versions.clear();
        assert_eq!(
            plain.to_json(),
            json!({"id": 17, "user": {"s_email": "Ana@Example.com", "s_name": "Ана 😀", "b_active": 1,
                                      "d_coord_lat": "40.416775", "fk_i_region_id": null},
                   "descriptions": {"en_US": "hi", "es_ES": "hola"}}),
            "the wire format: no empty versions or no_descriptions, null kept for columns"
        );
    }

    #[test]
    fn flags_accept_only_explicit_spellings() {
        for (v, want) in [
            (json!(0), 0),
            (json!(1), 1),
            (json!(true), 1),
            (json!(false), 0),
            (json!("0"), 0),
            (json!("1"), 1),
        ] {
            assert_eq!(decode_flag("b_active", &v).unwrap(), want, "{v}");
        }
        for v in [
            json!("False"),
            json!("false"),
            json!(2),
            json!(-1),
            json!("yes"),
            json!(null),
            json!(0.5),
        ] {
            assert!(decode_flag("b_active", &v).is_err(), "{v}");
        }
    }

    #[test]
    fn refuses_bad_records() {
        let bad = [
            json!({"s_name": "no e-mail"}),
            json!({"s_email": "not-an-email"}),
            json!({"s_email": 5}),
            json!({"s_email": "a@b.c", "pk_i_id": 7}),
            json!({"s_email": "a@b.c", "s_secret": "x"}),
            json!({"s_email": "a@b.c", "s_name; DROP TABLE": "x"}),
            json!({"s_email": "a@b.c", "s_name": ["x"]}),
            json!({"s_email": "a@b.c", "s_name": "a\u{0}b"}),
            json!({"s_email": "a@b.c", "dt_reg_date": "2024-01-01 10:00:00"}),
            json!({"s_email": "a@b.c", "b_enabled": "False"}),
        ];
        for user in bad {
            assert!(record(user.clone()).is_err(), "{user}");
        }
        assert!(UserRecord::from_json(&json!({"user": {"s_email": "a@b.c"}, "extra": 1})).is_err());
        assert!(UserRecord::from_json(
            &json!({"user": {"s_email": "a@b.c"}, "descriptions": {"english": "x"}})
        )
        .is_err());
    }

    #[test]
    fn versions_compact_to_a_star_and_the_newer_columns() {
        let v = |at| Version {
            at,
            origin: "a".into(),
        };
        let full: BTreeMap<String, Version> =
            [("s_name", v(5)), ("s_email", v(5)), ("descriptions", v(9))]
                .into_iter()
                .map(|(c, x)| (c.to_string(), x))
                .collect();
        let short = compact_versions(full.clone(), &["s_name", "s_email"]);
        assert_eq!(short.keys().collect::<Vec<_>>(), vec!["*", "descriptions"]);
        let record = UserRecord {
            versions: short,
            ..Default::default()
        };
        assert_eq!(record.version_of("s_name"), Some(&v(5)));
        assert_eq!(record.version_of("descriptions"), Some(&v(9)));
        // Without a version for every column nothing is folded.
        assert_eq!(
            compact_versions(full.clone(), &["s_name", "s_email", "s_phone_land"]),
            full
        );
    }

    #[test]
    fn dates_must_carry_their_zone() {
        for ok in [
            "2024-03-01T10:00:00Z",
            "2024-03-01T10:00:00+01:00",
            "2024-03-01T10:00:00-05:30",
        ] {
            assert!(
                record(json!({"s_email": "a@b.c", "dt_reg_date": ok})).is_ok(),
                "{ok}"
            );
        }
        for bad in [
            "2024-03-01 10:00:00",
            "2024-03-01T10:00:00",
            "2024-03-01",
            "2024-02-30T10:00:00Z",
            "yesterday",
        ] {
            assert!(
                record(json!({"s_email": "a@b.c", "dt_reg_date": bad})).is_err(),
                "{bad}"
            );
        }
    }
}

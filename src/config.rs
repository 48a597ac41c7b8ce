//! The configuration PHP hands to `as_init`, parsed and checked before it takes effect.

use serde::Deserialize;

use crate::error::{Error, Result};

pub const DEFAULT_FEED_LIMIT: u32 = 500;
pub const MAX_FEED_LIMIT: u32 = 10_000;
pub const MIN_API_KEY_LEN: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DbConfig {
    #[serde(default = "default_host")]
    pub host: String,
    #[serde(default = "default_port")]
    pub port: u16,
    #[serde(default)]
    pub socket: Option<String>,
    pub user: String,
    #[serde(default)]
    pub password: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpConfig {
    #[serde(default = "default_connect_timeout")]
    pub connect_timeout_ms: u64,
    #[serde(default = "default_timeout")]
    pub timeout_ms: u64,
    /// Plain http is always allowed to loopback; elsewhere only when the owner says so.
    #[serde(default)]
    pub allow_plain_http: bool,
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            connect_timeout_ms: default_connect_timeout(),
            timeout_ms: default_timeout(),
            allow_plain_http: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub db: DbConfig,
    pub table_prefix: String,
    #[serde(default)]
    pub site_url: String,
    #[serde(default)]
    pub api_key: String,
    /// The key this site had before its current one. Until `previous_key_until` (Unix
    /// seconds) requests carry a second signature made with it, so that sites which still
    /// hold the old key keep accepting this one while their owners enter the new key.
    #[serde(default)]
    pub previous_api_key: String,
    #[serde(default)]
    pub previous_key_until: u64,
    #[serde(default = "default_feed_limit")]
    pub feed_limit: u32,
    #[serde(default)]
    pub custom_columns: Vec<String>,
    #[serde(default)]
    pub http: HttpConfig,
    /// The zone the site writes its dates in (Osclass' `timezone` preference), with its rules.
    /// Without it dates are taken to be UTC.
    #[serde(default)]
    pub timezone: Option<crate::domain::time::TimeZone>,
}

fn default_host() -> String {
    "127.0.0.1".to_string()
}
fn default_port() -> u16 {
    3306
}
fn default_connect_timeout() -> u64 {
    5_000
}
fn default_timeout() -> u64 {
    30_000
}
fn default_feed_limit() -> u32 {
    DEFAULT_FEED_LIMIT
}

impl Config {
    /// Parses and checks the shape and values that need no database. The custom columns are
    /// checked against the real user table once a connection exists.
    pub fn parse(json: &str) -> Result<Config> {
        let config: Config = serde_json::from_str(json)
            .map_err(|e| Error::json(format!("configuration is not valid: {e}")))?;
        config.check()?;
        Ok(config)
    }

    fn check(&self) -> Result<()> {
        if !is_identifier_prefix(&self.table_prefix) {
            return Err(Error::input(
                "table_prefix may hold only letters, digits and underscores (at most 20)",
            ));
        }
        if self.db.name.is_empty() || self.db.user.is_empty() {
            return Err(Error::input("db.name and db.user must not be empty"));
        }
        if !self.api_key.is_empty() && self.api_key.chars().count() < MIN_API_KEY_LEN {
            return Err(Error::input(format!(
                "api_key must be at least {MIN_API_KEY_LEN} characters"
            )));
        }
        if self
            .api_key
            .chars()
            .any(|c| c.is_control() || c.is_whitespace())
        {
            return Err(Error::input(
                "api_key must not contain spaces or control characters",
            ));
        }
        if self.feed_limit == 0 || self.feed_limit > MAX_FEED_LIMIT {
            return Err(Error::input(format!(
                "feed_limit must be between 1 and {MAX_FEED_LIMIT}"
            )));
        }
        if let Some(zone) = &self.timezone {
            zone.check()?;
        }
        if self.http.timeout_ms == 0 || self.http.connect_timeout_ms == 0 {
            return Err(Error::input("http timeouts must be greater than 0"));
        }
        for column in &self.custom_columns {
            if !is_identifier(column) {
                return Err(Error::input(format!(
                    "custom column {column:?} is not a column name"
                )));
            }
        }
        Ok(())
    }
}

impl Config {
    /// The previous key while it is still to be sent along.
    pub fn previous_key(&self) -> Option<&str> {
        let now = crate::transport::signing::now();
        (!self.previous_api_key.is_empty() && now < self.previous_key_until)
            .then_some(self.previous_api_key.as_str())
    }
}

/// A column or table name as Osclass writes them: ASCII letters, digits and underscores.
pub fn is_identifier(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !name.as_bytes()[0].is_ascii_digit()
}

fn is_identifier_prefix(prefix: &str) -> bool {
    prefix.len() <= 20
        && prefix
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minimal() -> serde_json::Value {
        serde_json::json!({"db": {"user": "root", "name": "site"}, "table_prefix": "oc_"})
    }

    #[test]
    fn fills_defaults() {
        let c = Config::parse(&minimal().to_string()).unwrap();
        assert_eq!(c.db.host, "127.0.0.1");
        assert_eq!(c.db.port, 3306);
        assert_eq!(c.feed_limit, DEFAULT_FEED_LIMIT);
        assert_eq!(c.http.timeout_ms, 30_000);
        assert!(!c.http.allow_plain_http);
    }

    #[test]
    fn refuses_bad_values() {
        let cases = [
            ("table_prefix", serde_json::json!("oc_; DROP")),
            ("api_key", serde_json::json!("short")),
            ("feed_limit", serde_json::json!(0)),
            ("feed_limit", serde_json::json!(10_001)),
            (
                "custom_columns",
                serde_json::json!(["s_x`; DROP TABLE oc_t_user; --"]),
            ),
        ];
        for (field, value) in cases {
            let mut json = minimal();
            json[field] = value;
            let err = Config::parse(&json.to_string()).unwrap_err();
            assert_eq!(err.code, crate::error::Code::InvalidInput, "{field}");
        }
    }

    #[test]
    fn refuses_unknown_fields_and_wrong_types() {
        let mut json = minimal();
        json["feed_limt"] = serde_json::json!(5);
        assert_eq!(
            Config::parse(&json.to_string()).unwrap_err().code,
            crate::error::Code::InvalidJson
        );
        let mut json = minimal();
        json["feed_limit"] = serde_json::json!("5");
        assert_eq!(
            Config::parse(&json.to_string()).unwrap_err().code,
            crate::error::Code::InvalidJson
        );
        assert_eq!(
            Config::parse("{").unwrap_err().code,
            crate::error::Code::InvalidJson
        );
    }

    #[test]
    fn identifiers() {
        assert!(is_identifier("s_name"));
        assert!(!is_identifier("1abc"));
        assert!(!is_identifier("s name"));
        assert!(!is_identifier(""));
    }
}

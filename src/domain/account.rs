//! Accounts: the other sites this site knows, and what an owner may set on them.

use serde::{Deserialize, Serialize};

use crate::config::MIN_API_KEY_LEN;
use crate::error::{Error, Result};

/// An account as stored, with its counters. `api_key` is the other site's key; it never
/// leaves the library whole (see [`Account::to_public`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub name: String,
    pub url: String,
    pub api_key: String,
    pub columns: Vec<String>,
    pub last_user_id: u64,
    pub synced_from: u64,
    pub synced_to: u64,
    pub last_status: String,
    pub last_message: String,
    pub last_date: Option<String>,
    /// The other site's previous key, while it is still accepted.
    pub previous_api_key: Option<String>,
    pub previous_key_until: Option<String>,
}

/// The account as PHP sees it.
#[derive(Debug, Clone, Serialize)]
pub struct PublicAccount {
    pub id: i64,
    pub name: String,
    pub url: String,
    pub api_key_masked: String,
    pub columns: Vec<String>,
    pub last_user_id: u64,
    pub synced_from: u64,
    pub synced_to: u64,
    pub last_status: String,
    pub last_message: String,
    pub last_date: Option<String>,
    /// Until when the other site's previous key is still accepted, if there is one.
    pub previous_key_until: Option<String>,
}

impl Account {
    pub fn to_public(&self) -> PublicAccount {
        PublicAccount {
            id: self.id,
            name: self.name.clone(),
            url: self.url.clone(),
            api_key_masked: mask_key(&self.api_key),
            columns: self.columns.clone(),
            last_user_id: self.last_user_id,
            synced_from: self.synced_from,
            synced_to: self.synced_to,
            last_status: self.last_status.clone(),
            last_message: self.last_message.clone(),
            last_date: self.last_date.clone(),
            previous_key_until: self.previous_key_until.clone(),
        }
    }

    /// The endpoint every site answers at.
    pub fn endpoint(&self) -> String {
        format!(
            "{}/oc-content/plugins/account_sync/api.php",
            self.url.trim_end_matches('/')
        )
    }
}

/// What an owner sends to create (`id` 0 or absent) or change an account.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountInput {
    #[serde(default)]
    pub id: i64,
    pub name: String,
    pub url: String,
    #[serde(default)]
    pub api_key: Option<String>,
    pub columns: Vec<String>,
    #[serde(default)]
    pub last_user_id: u64,
}

impl AccountInput {
    /// Checks every field; `allowed` is the list of columns this site can apply.
    pub fn validate(&mut self, allowed: &[String], allow_plain_http: bool) -> Result<()> {
        self.name = self.name.trim().to_string();
        self.url = self.url.trim().trim_end_matches('/').to_string();
        if self.name.is_empty() || self.name.chars().count() > 100 {
            return Err(Error::input(
                "the account name must have 1 to 100 characters",
            ));
        }
        if self.name.chars().any(char::is_control) {
            return Err(Error::input(
                "the account name must not contain control characters",
            ));
        }
        check_url(&self.url, allow_plain_http)?;

        if let Some(key) = &self.api_key {
            let key = key.trim();
            if key.is_empty() && self.id > 0 {
                self.api_key = None;
            } else if key.chars().count() < MIN_API_KEY_LEN {
                return Err(Error::input(format!(
                    "the API key must have at least {MIN_API_KEY_LEN} characters"
                )));
            } else if key.chars().any(|c| c.is_whitespace() || c.is_control()) {
                return Err(Error::input("the API key must not contain spaces"));
            } else {
                self.api_key = Some(key.to_string());
            }
        } else if self.id <= 0 {
            return Err(Error::input("a new account needs the other site's API key"));
        }

        for column in &self.columns {
            if !allowed.iter().any(|a| a == column) {
                return Err(Error::input(format!(
                    "column {column:?} does not exist in this site's user table"
                )));
            }
        }
        self.columns.dedup();
        Ok(())
    }
}

/// An account URL: http or https, a host, no credentials, no query. Plain http only to
/// loopback unless the owner allowed it, because the feed carries password hashes.
pub fn check_url(url: &str, allow_plain_http: bool) -> Result<()> {
    if url.is_empty() {
        return Err(Error::input("the URL is empty"));
    }
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| Error::input(format!("the URL {url:?} is not valid: {e}")))?;
    match parsed.scheme() {
        "https" => {}
        "http" if allow_plain_http || is_loopback(&parsed) => {}
        "http" => {
            return Err(Error::input(
                "plain http is allowed only to this machine; use https or allow plain http in Configure",
            ))
        }
        other => return Err(Error::input(format!("the URL must start with http:// or https://, not {other}:"))),
    }
    if parsed.host_str().unwrap_or("").is_empty() {
        return Err(Error::input("the URL has no host"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(Error::input(
            "the URL must not contain a user name or password",
        ));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(Error::input(
            "the URL must be the site's address, without ? or #",
        ));
    }
    Ok(())
}

fn is_loopback(url: &reqwest::Url) -> bool {
    let host = url.host_str().unwrap_or("");
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost"
        || bare
            .parse::<std::net::IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

/// A key as it may appear in a page or a log: its first and last four characters.
pub fn mask_key(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() < 12 {
        return "****".to_string();
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(url: &str, key: Option<&str>, columns: &[&str]) -> AccountInput {
        AccountInput {
            id: 0,
            name: " Site A ".into(),
            url: url.into(),
            api_key: key.map(str::to_string),
            columns: columns.iter().map(|c| c.to_string()).collect(),
            last_user_id: 0,
        }
    }

    #[test]
    fn accepts_a_good_account() {
        let allowed = vec!["s_name".to_string(), "descriptions".to_string()];
        let mut a = input(
            "http://127.0.0.1:8081/",
            Some("k".repeat(24).as_str()),
            &["s_name"],
        );
        a.validate(&allowed, false).unwrap();
        assert_eq!(a.name, "Site A");
        assert_eq!(a.url, "http://127.0.0.1:8081");
    }

    #[test]
    fn refuses_bad_input() {
        let allowed = vec!["s_name".to_string()];
        let key = "k".repeat(24);
        let cases = [
            input("", Some(&key), &[]),
            input("ftp://127.0.0.1", Some(&key), &[]),
            input("javascript:alert(1)", Some(&key), &[]),
            input("http://example.com", Some(&key), &[]),
            input("https://user:pw@example.com", Some(&key), &[]),
            input("https://example.com/?x=1", Some(&key), &[]),
            input("https://example.com", Some("short"), &[]),
            input("https://example.com", None, &[]),
            input(
                "https://example.com",
                Some(&key),
                &["s_name`; DROP TABLE oc_t_user"],
            ),
            input("https://example.com", Some(&key), &["i_items"]),
        ];
        for mut case in cases {
            assert!(case.validate(&allowed, false).is_err(), "{case:?}");
        }
    }

    #[test]
    fn plain_http_elsewhere_needs_permission() {
        assert!(check_url("http://example.com", false).is_err());
        assert!(check_url("http://example.com", true).is_ok());
        assert!(check_url("http://localhost:8080", false).is_ok());
        assert!(check_url("http://[::1]:8080", false).is_ok());
    }

    #[test]
    fn masks_keys() {
        assert_eq!(mask_key("abcdefghijklmnopqrstuvwxyz"), "abcd…wxyz");
        assert_eq!(mask_key("short"), "****");
    }
}

//! The wire format: headers, actions, limits and the messages both sides agree on.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};

use crate::error::{Error, Result};

pub const PROTOCOL_VERSION: u64 = 1;

pub const HEADER_VERSION: &str = "X-AccountSync-Version";
pub const HEADER_KEY_ID: &str = "X-AccountSync-Key-Id";
pub const HEADER_TIMESTAMP: &str = "X-AccountSync-Timestamp";
pub const HEADER_NONCE: &str = "X-AccountSync-Nonce";
pub const HEADER_SIGNATURE: &str = "X-AccountSync-Signature";
/// During a key rotation: the fingerprint and signature of the sender's previous key.
pub const HEADER_PREVIOUS_KEY_ID: &str = "X-AccountSync-Previous-Key-Id";
pub const HEADER_PREVIOUS_SIGNATURE: &str = "X-AccountSync-Previous-Signature";

/// The path of the endpoint below a site's URL.
pub const ENDPOINT_PATH: &str = "/oc-content/plugins/account_sync/api.php";

/// The largest request body a site reads.
pub const MAX_REQUEST_BODY: usize = 8 * 1024 * 1024;
/// The largest answer a site reads from another (a full feed page with descriptions).
pub const MAX_RESPONSE_BODY: usize = 64 * 1024 * 1024;
/// The largest page one feed request may ask for.
pub const MAX_FEED_LIMIT: u64 = 10_000;
/// A page of digests is small on the wire: it may hold this many times a site's feed limit
/// (at most `MAX_FEED_LIMIT`).
pub const DIGEST_PAGE_FACTOR: u64 = 5;

/// The most users a page may hold for a site whose feed limit is `feed_limit`.
pub fn page_limit(feed_limit: u32, digests: bool) -> u64 {
    let limit = feed_limit as u64;
    if digests {
        (limit * DIGEST_PAGE_FACTOR).min(MAX_FEED_LIMIT)
    } else {
        limit
    }
}

pub const ERR_KEY_MISSING: &str = "ERR: API Key is missing";
pub const ERR_KEY_INVALID: &str = "ERR: API Key is invalid - no account found";

/// A request body, checked field by field so that every refusal says what is wrong.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    Ping,
    /// `totals`: whether the answer should count the users (a full scan of the source's user
    /// table); a feed asks on its first page and works the rest out from the pages.
    /// `digests`: answer with each user's id and digest instead of the records, so that a
    /// receiver already holding most of them fetches only the ones that changed.
    Feed {
        cursor: u64,
        limit: u64,
        totals: bool,
        digests: bool,
    },
    /// The records of these users (those still active and enabled), with their digests.
    Users {
        ids: Vec<u64>,
    },
    Stream {
        events: Vec<Json>,
    },
}

impl Request {
    pub fn parse(body: &[u8]) -> Result<Request> {
        if body.is_empty() {
            return Err(Error::input(
                "the request body is empty; send a JSON object with an action",
            ));
        }
        let text =
            std::str::from_utf8(body).map_err(|_| Error::input("the request body is not UTF-8"))?;
        let json: Json = serde_json::from_str(text)
            .map_err(|e| Error::json(format!("the request body is not valid JSON: {e}")))?;
        let object = json
            .as_object()
            .ok_or_else(|| Error::input("the request body must be a JSON object"))?;
        let action = match object.get("action") {
            Some(Json::String(a)) => a.as_str(),
            Some(_) => return Err(Error::input("action must be a string")),
            None => return Err(Error::input("the request has no action")),
        };
        match action {
            "ping" => {
                only_fields(object, &["action"])?;
                Ok(Request::Ping)
            }
            "feed" => {
                only_fields(object, &["action", "cursor", "limit", "totals", "digests"])?;
                let cursor = whole_number(object, "cursor", 0, u32::MAX as u64)?;
                let limit = whole_number(object, "limit", 1, MAX_FEED_LIMIT)?;
                Ok(Request::Feed {
                    cursor,
                    limit,
                    totals: flag(object, "totals", true)?,
                    digests: flag(object, "digests", false)?,
                })
            }
            "users" => {
                only_fields(object, &["action", "ids"])?;
                let refuse = || {
                    Error::input(format!(
                        "ids must be an array of 1 to {MAX_FEED_LIMIT} user ids (whole numbers from 1 to {})",
                        u32::MAX
                    ))
                };
                let Some(Json::Array(list)) = object.get("ids") else {
                    return Err(refuse());
                };
                if list.is_empty() || list.len() > MAX_FEED_LIMIT as usize {
                    return Err(refuse());
                }
                let ids = list
                    .iter()
                    .map(|v| v.as_u64().filter(|n| (1..=u32::MAX as u64).contains(n)))
                    .collect::<Option<Vec<u64>>>()
                    .ok_or_else(refuse)?;
                Ok(Request::Users { ids })
            }
            "stream" => {
                only_fields(object, &["action", "events"])?;
                match object.get("events") {
                    Some(Json::Array(events)) => Ok(Request::Stream {
                        events: events.clone(),
                    }),
                    _ => Err(Error::input("events must be an array")),
                }
            }
            other => Err(Error::input(format!(
                "unknown action {other:?}; this site knows ping, feed, users and stream"
            ))),
        }
    }

    pub fn to_json(&self) -> Json {
        match self {
            Request::Ping => serde_json::json!({"action": "ping"}),
            Request::Feed {
                cursor,
                limit,
                totals,
                digests,
            } => {
                let mut request = serde_json::json!({"action": "feed", "cursor": cursor, "limit": limit, "totals": totals});
                // Only when asked: a site whose library predates digests refuses the field.
                if *digests {
                    request["digests"] = Json::Bool(true);
                }
                request
            }
            Request::Users { ids } => serde_json::json!({"action": "users", "ids": ids}),
            Request::Stream { events } => serde_json::json!({"action": "stream", "events": events}),
        }
    }
}

fn only_fields(object: &Map<String, Json>, allowed: &[&str]) -> Result<()> {
    match object.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(unknown) => Err(Error::input(format!("unknown field {unknown:?}"))),
        None => Ok(()),
    }
}

fn flag(object: &Map<String, Json>, field: &str, default: bool) -> Result<bool> {
    match object.get(field) {
        None => Ok(default),
        Some(Json::Bool(b)) => Ok(*b),
        Some(_) => Err(Error::input(format!("{field} must be true or false"))),
    }
}

fn whole_number(object: &Map<String, Json>, field: &str, min: u64, max: u64) -> Result<u64> {
    let refuse = || {
        Error::input(format!(
            "{field} must be a whole number from {min} to {max}"
        ))
    };
    let value = object
        .get(field)
        .ok_or_else(|| Error::input(format!("{field} is missing")))?;
    let n = value.as_u64().ok_or_else(refuse)?;
    if n < min || n > max {
        return Err(refuse());
    }
    Ok(n)
}

/// The answer to a feed request.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FeedAnswer {
    pub ok: bool,
    pub protocol: u64,
    pub cursor: u64,
    pub limit: u64,
    pub next_cursor: u64,
    pub more: bool,
    /// Present when the request asked for totals.
    pub total: Option<u64>,
    pub remaining: Option<u64>,
    /// The records; empty when the request asked for digests.
    pub users: Vec<Json>,
    /// (user id, digest) of each user of the page: beside the records, one each in the same
    /// order, or alone when the request asked for digests. A page without them is still
    /// valid: its users are then fetched in full by the next feed too.
    #[serde(default)]
    pub digests: Vec<(u64, String)>,
}

impl FeedAnswer {
    /// How many users the page covers, in records or in digests.
    pub fn served(&self) -> usize {
        self.users.len().max(self.digests.len())
    }
}

/// The answer to a users request: the records asked for that are still active and enabled,
/// and their digests, one each in the same order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UsersAnswer {
    pub ok: bool,
    pub protocol: u64,
    pub users: Vec<Json>,
    pub digests: Vec<(u64, String)>,
}

/// `{"ok":false,"error":…}`, the body of every refusal but the two about keys.
pub fn error_body(message: &str) -> String {
    serde_json::json!({"ok": false, "error": message}).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_known_actions() {
        assert_eq!(
            Request::parse(br#"{"action":"ping"}"#).unwrap(),
            Request::Ping
        );
        assert_eq!(
            Request::parse(br#"{"action":"feed","cursor":0,"limit":5}"#).unwrap(),
            Request::Feed {
                cursor: 0,
                limit: 5,
                totals: true,
                digests: false
            }
        );
        assert_eq!(
            Request::parse(br#"{"action":"feed","cursor":3,"limit":5,"totals":false}"#).unwrap(),
            Request::Feed {
                cursor: 3,
                limit: 5,
                totals: false,
                digests: false
            }
        );
        assert_eq!(
            Request::parse(br#"{"action":"feed","cursor":3,"limit":5,"digests":true}"#).unwrap(),
            Request::Feed {
                cursor: 3,
                limit: 5,
                totals: true,
                digests: true
            }
        );
        assert_eq!(
            Request::parse(br#"{"action":"users","ids":[4,2,9]}"#).unwrap(),
            Request::Users { ids: vec![4, 2, 9] }
        );
        assert!(
            Request::parse(br#"{"action":"feed","cursor":3,"limit":5,"totals":"no"}"#).is_err()
        );
        for round in [
            Request::Feed {
                cursor: 7,
                limit: 9,
                totals: false,
                digests: true,
            },
            Request::Users { ids: vec![1, 8] },
        ] {
            assert_eq!(
                Request::parse(round.to_json().to_string().as_bytes()).unwrap(),
                round
            );
        }
    }

    #[test]
    fn refuses_bad_bodies_with_a_reason() {
        let cases: &[(&[u8], &str)] = &[
            (b"", "empty"),
            (b"not json", "not valid JSON"),
            (b"{\"action\":\"feed\",\"cursor\":0", "not valid JSON"),
            (b"[1,2]", "JSON object"),
            (b"{\"x\":1}", "no action"),
            (b"{\"action\":5}", "action must be a string"),
            (b"{\"action\":\"drop\"}", "unknown action"),
            (b"{\"action\":\"ping\",\"extra\":1}", "unknown field"),
            (
                b"{\"action\":\"feed\",\"cursor\":-1,\"limit\":5}",
                "cursor must be",
            ),
            (
                b"{\"action\":\"feed\",\"cursor\":0,\"limit\":0}",
                "limit must be",
            ),
            (
                b"{\"action\":\"feed\",\"cursor\":0,\"limit\":10001}",
                "limit must be",
            ),
            (
                b"{\"action\":\"feed\",\"cursor\":0,\"limit\":\"5\"}",
                "limit must be",
            ),
            (
                b"{\"action\":\"feed\",\"cursor\":1.5,\"limit\":5}",
                "cursor must be",
            ),
            (
                b"{\"action\":\"feed\",\"cursor\":99999999999999999999,\"limit\":5}",
                "cursor must be",
            ),
            (b"{\"action\":\"feed\",\"limit\":5}", "cursor is missing"),
            (b"\xff\xfe", "not UTF-8"),
            (
                b"{\"action\":\"feed\",\"cursor\":0,\"limit\":5,\"digests\":1}",
                "digests must be true or false",
            ),
            (b"{\"action\":\"users\"}", "ids must be an array"),
            (b"{\"action\":\"users\",\"ids\":[]}", "ids must be an array"),
            (
                b"{\"action\":\"users\",\"ids\":[0]}",
                "ids must be an array",
            ),
            (
                b"{\"action\":\"users\",\"ids\":[1,\"2\"]}",
                "ids must be an array",
            ),
            (
                b"{\"action\":\"users\",\"ids\":[1.5]}",
                "ids must be an array",
            ),
            (
                b"{\"action\":\"users\",\"ids\":[4294967296]}",
                "ids must be an array",
            ),
            (
                b"{\"action\":\"users\",\"ids\":[1],\"x\":1}",
                "unknown field",
            ),
        ];
        for (body, want) in cases {
            let err = Request::parse(body).unwrap_err();
            assert!(
                err.message.contains(want),
                "{:?}: {}",
                String::from_utf8_lossy(body),
                err.message
            );
        }
    }

    #[test]
    fn a_feed_request_names_digests_only_when_it_wants_them() {
        let plain = Request::Feed {
            cursor: 0,
            limit: 5,
            totals: true,
            digests: false,
        };
        assert!(
            plain.to_json().get("digests").is_none(),
            "older sites refuse the field"
        );
        let digests = Request::Feed {
            cursor: 0,
            limit: 5,
            totals: true,
            digests: true,
        };
        assert_eq!(digests.to_json()["digests"], Json::Bool(true));
    }

    #[test]
    fn numbers_in_events_survive_a_round_trip_exactly() {
        let body = br#"{"action":"stream","events":[{"a":9.999999899999991e+39,"b":9.99899989999999e+48,"c":0.1}]}"#;
        let request = Request::parse(body).unwrap();
        assert_eq!(
            Request::parse(request.to_json().to_string().as_bytes()).unwrap(),
            request
        );
        let Request::Stream { events } = request else {
            panic!("a stream request parses as a stream");
        };
        assert_eq!(events[0]["a"].as_f64(), Some(9.999999899999991e+39));
    }

    #[test]
    fn deep_nesting_is_refused_not_a_crash() {
        let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
        let body = format!("{{\"action\":\"stream\",\"events\":{deep}}}");
        assert!(Request::parse(body.as_bytes()).is_err());
    }
}

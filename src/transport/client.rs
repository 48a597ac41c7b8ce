//! The HTTP client that calls other sites, signing every request with this site's key.

use std::io::Read;
use std::time::Duration;

use serde_json::Value as Json;

use crate::config::HttpConfig;
use crate::domain::account::{check_url, Account};
use crate::error::{Error, Result};
use crate::transport::signing;
use crate::transport::wire::*;

/// What another site answered: its status and body, read up to the size limit.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: String,
}

impl Answer {
    /// The body as a JSON object with `"ok": true`, or an error saying what came instead:
    /// a refusal of the key, an error page, an empty body.
    pub fn into_json(self) -> Result<Json> {
        let excerpt: String = self.body.chars().take(300).collect();
        if !(200..300).contains(&self.status) {
            let reason = serde_json::from_str::<Json>(&self.body)
                .ok()
                .and_then(|j| j.get("error").and_then(Json::as_str).map(str::to_string))
                .unwrap_or(excerpt);
            return Err(Error::remote(format!(
                "HTTP {}: {}",
                self.status,
                reason.trim()
            )));
        }
        if self.body.trim().is_empty() {
            return Err(Error::remote(format!(
                "HTTP {} with an empty body",
                self.status
            )));
        }
        let json: Json = serde_json::from_str(&self.body).map_err(|_| {
            Error::remote(format!(
                "HTTP {} but the answer is not JSON: {}",
                self.status,
                excerpt.trim()
            ))
        })?;
        if json.get("ok") != Some(&Json::Bool(true)) {
            return Err(Error::remote(format!(
                "the other site answered without ok: {}",
                excerpt.trim()
            )));
        }
        Ok(json)
    }
}

#[derive(Clone)]
pub struct Client {
    http: reqwest::blocking::Client,
    allow_plain_http: bool,
}

impl Client {
    pub fn new(config: &HttpConfig) -> Result<Client> {
        let http = reqwest::blocking::Client::builder()
            .connect_timeout(Duration::from_millis(config.connect_timeout_ms))
            .timeout(Duration::from_millis(config.timeout_ms))
            .user_agent(concat!("account_sync/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .map_err(|e| Error::remote(format!("cannot build the HTTP client: {e}")))?;
        Ok(Client {
            http,
            allow_plain_http: config.allow_plain_http,
        })
    }

    /// Sends one signed request to an account's endpoint; during a key rotation it is signed
    /// with the previous key as well.
    pub fn call(
        &self,
        account: &Account,
        own_key: &str,
        previous_key: Option<&str>,
        request: &Request,
    ) -> Result<Answer> {
        if own_key.is_empty() {
            return Err(Error::input(
                "this site has no API key yet; set one in Configure",
            ));
        }
        check_url(&account.url, self.allow_plain_http)?;
        let url = account.endpoint();
        let path = reqwest::Url::parse(&url)
            .map(|u| u.path().to_string())
            .unwrap_or_else(|_| ENDPOINT_PATH.into());
        let body = request.to_json().to_string().into_bytes();
        let timestamp = signing::now();
        let nonce = signing::nonce()?;
        let signature = signing::sign(own_key, "POST", &path, timestamp, &nonce, &body);

        let mut builder = self.http.post(&url);
        if let Some(previous) = previous_key {
            builder = builder
                .header(HEADER_PREVIOUS_KEY_ID, signing::key_id(previous))
                .header(
                    HEADER_PREVIOUS_SIGNATURE,
                    signing::sign(previous, "POST", &path, timestamp, &nonce, &body),
                );
        }
        let response = builder
            .header("Content-Type", "application/json")
            .header(HEADER_VERSION, PROTOCOL_VERSION.to_string())
            .header(HEADER_KEY_ID, signing::key_id(own_key))
            .header(HEADER_TIMESTAMP, timestamp.to_string())
            .header(HEADER_NONCE, nonce)
            .header(HEADER_SIGNATURE, signature)
            .body(body)
            .send()
            .map_err(|e| Error::remote(format!("{url}: no answer ({})", describe(&e))))?;

        let status = response.status().as_u16();
        let mut bytes = Vec::new();
        response
            .take(MAX_RESPONSE_BODY as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::remote(format!("{url}: the answer broke off: {e}")))?;
        if bytes.len() > MAX_RESPONSE_BODY {
            return Err(Error::remote(format!(
                "{url}: the answer is larger than {MAX_RESPONSE_BODY} bytes"
            )));
        }
        Ok(Answer {
            status,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        })
    }
}

fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timed out".to_string()
    } else if e.is_connect() {
        "could not connect".to_string()
    } else {
        let mut text = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            text.push_str(&format!(": {s}"));
            source = s.source();
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, body: &str) -> Answer {
        Answer {
            status,
            body: body.into(),
        }
    }

    #[test]
    fn only_an_ok_json_answer_counts() {
        assert!(answer(200, r#"{"ok":true}"#).into_json().is_ok());
        let cases = [
            (answer(200, ""), "empty body"),
            (answer(200, "<html>oops</html>"), "not JSON"),
            (answer(200, r#"{"ok":false}"#), "without ok"),
            (
                answer(500, "<h1>Fatal error</h1>"),
                "HTTP 500: <h1>Fatal error</h1>",
            ),
            (
                answer(403, ERR_KEY_INVALID),
                "HTTP 403: ERR: API Key is invalid - no account found",
            ),
            (
                answer(400, r#"{"ok":false,"error":"limit must be"}"#),
                "HTTP 400: limit must be",
            ),
        ];
        for (a, want) in cases {
            let err = a.into_json().unwrap_err();
            assert!(err.message.contains(want), "{}", err.message);
        }
    }
}

#[cfg(test)]
mod limits {
    use super::*;
    use std::io::Write;
    use std::net::TcpListener;

    fn account(port: u16) -> Account {
        Account {
            id: 1,
            name: "Big".into(),
            url: format!("http://127.0.0.1:{port}"),
            api_key: "k".repeat(24),
            columns: vec![],
            last_user_id: 0,
            synced_from: 0,
            synced_to: 0,
            last_status: String::new(),
            last_message: String::new(),
            last_date: None,
            previous_api_key: None,
            previous_key_until: None,
        }
    }

    /// A server on loopback that answers one request with `body_len` bytes.
    fn serve_once(body_len: usize) -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut request = [0u8; 4096];
            let _ = std::io::Read::read(&mut stream, &mut request);
            let _ = write!(stream, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body_len}\r\n\r\n");
            let chunk = vec![b' '; 1 << 20];
            let mut left = body_len;
            while left > 0 {
                let n = left.min(chunk.len());
                if stream.write_all(&chunk[..n]).is_err() {
                    break;
                }
                left -= n;
            }
        });
        port
    }

    #[test]
    fn an_answer_over_the_limit_is_refused() {
        let client = Client::new(&HttpConfig::default()).unwrap();
        let port = serve_once(MAX_RESPONSE_BODY + 10);
        let err = client
            .call(&account(port), &"o".repeat(24), None, &Request::Ping)
            .unwrap_err();
        assert!(err.message.contains("larger than"), "{}", err.message);

        let port = serve_once(1000);
        let answer = client
            .call(&account(port), &"o".repeat(24), None, &Request::Ping)
            .unwrap();
        assert_eq!((answer.status, answer.body.len()), (200, 1000));
    }

    #[test]
    fn a_site_that_does_not_answer_in_time_is_a_timeout() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let config = HttpConfig {
            timeout_ms: 300,
            ..HttpConfig::default()
        };
        let err = Client::new(&config)
            .unwrap()
            .call(&account(port), &"o".repeat(24), None, &Request::Ping)
            .unwrap_err();
        assert!(err.message.contains("timed out"), "{}", err.message);
        drop(listener);
    }
}

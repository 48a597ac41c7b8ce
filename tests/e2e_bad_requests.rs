//! Hostile and broken requests to a real site's api.php: each gets a clear error and
//! changes nothing but the log.

mod support;

use account_sync::transport::signing;
use account_sync::transport::wire::*;
use support::sites::Site;

struct Caller {
    url: String,
    path: String,
    key: String,
    http: reqwest::blocking::Client,
}

struct Sent {
    status: u16,
    body: String,
}

impl Caller {
    /// Site `from` calling site `to`, signing with `from`'s key.
    fn of(from: &Site, to: &Site) -> Caller {
        Caller {
            url: format!("{}{ENDPOINT_PATH}", to.url),
            path: ENDPOINT_PATH.to_string(),
            key: from.api_key.clone(),
            http: reqwest::blocking::Client::builder()
                .no_proxy()
                .build()
                .unwrap(),
        }
    }

    fn headers(&self, body: &[u8], timestamp: u64, nonce: &str) -> Vec<(&'static str, String)> {
        vec![
            (HEADER_VERSION, "1".to_string()),
            (HEADER_KEY_ID, signing::key_id(&self.key)),
            (HEADER_TIMESTAMP, timestamp.to_string()),
            (HEADER_NONCE, nonce.to_string()),
            (
                HEADER_SIGNATURE,
                signing::sign(&self.key, "POST", &self.path, timestamp, nonce, body),
            ),
        ]
    }

    fn send(&self, headers: Vec<(&'static str, String)>, body: Vec<u8>) -> Sent {
        let mut request = self
            .http
            .post(&self.url)
            .header("Content-Type", "application/json")
            .body(body);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        let response = request.send().expect("the site answers");
        Sent {
            status: response.status().as_u16(),
            body: response.text().unwrap(),
        }
    }

    fn signed(&self, body: &[u8]) -> Sent {
        let nonce = signing::nonce().unwrap();
        self.send(self.headers(body, signing::now(), &nonce), body.to_vec())
    }
}

#[test]
fn every_bad_request_gets_a_clear_error_and_writes_only_a_log_line() {
    let mut a = Site::create("a", "ms52", "en_US");
    let b = Site::create("b", "ms52", "en_US");
    a.seed(20, 3);
    a.add_account(&b, None);
    a.serve();

    let caller = Caller::of(&b, &a);
    let checksum = |s: &Site| {
        s.sql("CHECKSUM TABLE oc_t_user, oc_t_user_description, oc_t_account_sync_account EXTENDED")
    };
    let logs_before = a.logs("{}")["total"].as_i64().unwrap();
    let before = checksum(&a);
    let mut requests = 0;

    // A good request first, so the refusals below are not a broken site.
    let ok = caller.signed(br#"{"action":"feed","cursor":0,"limit":5}"#);
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert!(ok.body.contains("\"next_cursor\""));
    requests += 1;

    // Keys.
    let none = caller.send(vec![], b"{\"action\":\"ping\"}".to_vec());
    assert_eq!((none.status, none.body.as_str()), (401, ERR_KEY_MISSING));
    let stranger = Caller {
        key: "a-key-no-account-holds-at-all".into(),
        ..caller_clone(&caller)
    };
    let unknown = stranger.signed(b"{\"action\":\"ping\"}");
    assert_eq!(
        (unknown.status, unknown.body.as_str()),
        (403, ERR_KEY_INVALID)
    );
    let body = b"{\"action\":\"ping\"}".to_vec();
    let mut forged = caller.headers(&body, signing::now(), &signing::nonce().unwrap());
    forged[4].1 = "00".repeat(32);
    let forged = caller.send(forged, body.clone());
    assert_eq!(
        (forged.status, forged.body.as_str()),
        (403, ERR_KEY_INVALID)
    );
    let stale = caller.send(
        caller.headers(&body, signing::now() - 3600, &signing::nonce().unwrap()),
        body.clone(),
    );
    assert_eq!((stale.status, stale.body.as_str()), (403, ERR_KEY_INVALID));
    let nonce = signing::nonce().unwrap();
    let first = caller.send(caller.headers(&body, signing::now(), &nonce), body.clone());
    assert_eq!(first.status, 200);
    let replay = caller.send(caller.headers(&body, signing::now(), &nonce), body.clone());
    assert_eq!(
        (replay.status, replay.body.as_str()),
        (403, ERR_KEY_INVALID)
    );
    let tampered = caller.send(
        caller.headers(&body, signing::now(), &signing::nonce().unwrap()),
        b"{\"action\":\"feed\",\"cursor\":0,\"limit\":5}".to_vec(),
    );
    assert_eq!(
        (tampered.status, tampered.body.as_str()),
        (403, ERR_KEY_INVALID)
    );
    requests += 7;

    // Versions.
    let mut old = caller.headers(&body, signing::now(), &signing::nonce().unwrap());
    old[0].1 = "7".into();
    let old = caller.send(old, body.clone());
    assert_eq!(old.status, 400);
    assert!(
        old.body
            .contains("protocol version 7 is not supported (this site speaks 1)"),
        "{}",
        old.body
    );
    let mut missing = caller.headers(&body, signing::now(), &signing::nonce().unwrap());
    missing.remove(0);
    let missing = caller.send(missing, body);
    assert_eq!(missing.status, 400);
    assert!(
        missing.body.contains("X-AccountSync-Version"),
        "{}",
        missing.body
    );
    requests += 2;

    // Bodies.
    let big_junk = format!(
        "{{\"action\":\"ping\",\"junk\":\"{}\"}}",
        "x".repeat(3 * 1024 * 1024)
    );
    let cases: Vec<(Vec<u8>, u16, &str)> = vec![
        (b"".to_vec(), 400, "body is empty"),
        (b"not json at all".to_vec(), 400, "not valid JSON"),
        (
            b"{\"action\":\"feed\",\"cursor\":0".to_vec(),
            400,
            "not valid JSON",
        ),
        (b"[\"feed\"]".to_vec(), 400, "must be a JSON object"),
        (
            b"{\"action\":\"format_disk\"}".to_vec(),
            400,
            "unknown action",
        ),
        (
            b"{\"action\":[\"feed\"]}".to_vec(),
            400,
            "action must be a string",
        ),
        (
            b"{\"action\":\"feed\",\"cursor\":\"0\",\"limit\":5}".to_vec(),
            400,
            "cursor must be a whole number",
        ),
        (
            b"{\"action\":\"feed\",\"cursor\":0,\"limit\":true}".to_vec(),
            400,
            "limit must be a whole number",
        ),
        (
            b"{\"action\":\"feed\",\"cursor\":-5,\"limit\":5}".to_vec(),
            400,
            "cursor must be a whole number",
        ),
        (
            b"{\"action\":\"feed\",\"cursor\":0,\"limit\":-1}".to_vec(),
            400,
            "limit must be a whole number",
        ),
        (
            b"{\"action\":\"feed\",\"cursor\":0,\"limit\":0}".to_vec(),
            400,
            "limit must be a whole number",
        ),
        (
            b"{\"action\":\"feed\",\"cursor\":0,\"limit\":1000000000000}".to_vec(),
            400,
            "limit must be a whole number",
        ),
        (
            b"{\"action\":\"feed\",\"cursor\":99999999999999,\"limit\":5}".to_vec(),
            400,
            "cursor must be a whole number",
        ),
        (
            b"{\"action\":\"feed\",\"cursor\":0,\"limit\":5,\"drop\":1}".to_vec(),
            400,
            "unknown field",
        ),
        (
            b"{\"action\":\"feed\",\"cursor\":0,\"limit\":\"5; DROP TABLE oc_t_user\"}".to_vec(),
            400,
            "limit must be",
        ),
        (
            format!("{}{}", "[".repeat(2000), "]".repeat(2000)).into_bytes(),
            400,
            "not valid JSON",
        ),
        (b"{\"action\":\"p\xffing\"}".to_vec(), 400, "not UTF-8"),
        (
            b"{\"action\":\"feed\",\"cursor\":0,\"limit\":5,\"digests\":\"yes\"}".to_vec(),
            400,
            "digests must be true or false",
        ),
        (
            b"{\"action\":\"users\",\"ids\":[]}".to_vec(),
            400,
            "ids must be an array",
        ),
        (
            b"{\"action\":\"users\",\"ids\":\"1,2\"}".to_vec(),
            400,
            "ids must be an array",
        ),
        (
            b"{\"action\":\"users\",\"ids\":[1,-2]}".to_vec(),
            400,
            "ids must be an array",
        ),
        (
            format!(
                "{{\"action\":\"users\",\"ids\":[{}]}}",
                vec!["1"; 10_001].join(",")
            )
            .into_bytes(),
            400,
            "ids must be an array",
        ),
        (big_junk.into_bytes(), 400, "unknown field"),
    ];
    for (body, status, message) in cases {
        let answer = caller.signed(&body);
        assert_eq!(
            answer.status,
            status,
            "{}: {}",
            String::from_utf8_lossy(&body[..body.len().min(80)]),
            answer.body
        );
        assert!(
            answer.body.contains(message),
            "{message:?} not in {}",
            answer.body
        );
        assert!(answer.body.contains("\"ok\":false"), "{}", answer.body);
        requests += 1;
    }

    // A body over the limit is refused before it is read.
    let huge = vec![b' '; MAX_REQUEST_BODY + 1024];
    let answer = caller.signed(&huge);
    assert_eq!(answer.status, 413, "{}", answer.body);
    requests += 1;

    // Guessing keys gets slow: after five refusals within five minutes, each further refusal
    // waits longer (200 ms for each refusal past five)...
    for _ in 0..3 {
        assert_eq!(stranger.signed(b"{\"action\":\"ping\"}").status, 403);
        requests += 1;
    }
    let started = std::time::Instant::now();
    assert_eq!(stranger.signed(b"{\"action\":\"ping\"}").status, 403);
    requests += 1;
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(600),
        "{:?}",
        started.elapsed()
    );
    // ...while a genuine caller from the same address is not slowed down.
    let started = std::time::Instant::now();
    assert_eq!(caller.signed(b"{\"action\":\"ping\"}").status, 200);
    requests += 1;
    assert!(
        started.elapsed() < std::time::Duration::from_millis(800),
        "{:?}",
        started.elapsed()
    );

    assert_eq!(
        checksum(&a),
        before,
        "no bad request changed a user or an account"
    );
    let logs_after = a.logs("{}")["total"].as_i64().unwrap();
    assert_eq!(logs_after - logs_before, requests, "one log line a request");
    let refused = a.logs(r#"{"status":403,"per_page":50}"#);
    let text = serde_json::to_string(&refused).unwrap();
    assert!(!text.contains(&b.api_key), "no key in the logs");
    assert!(text.contains("replayed"), "the log says why: {text}");
}

fn caller_clone(c: &Caller) -> Caller {
    Caller {
        url: c.url.clone(),
        path: c.path.clone(),
        key: c.key.clone(),
        http: c.http.clone(),
    }
}

#[test]
fn bad_values_in_streamed_changes_fail_alone_and_odd_ones_are_stored_as_they_are() {
    let mut a = Site::create("a", "ms52", "en_US");
    let b = Site::create("b", "ms52", "en_US");
    a.add_account(&b, None);
    a.serve();
    let caller = Caller::of(&b, &a);
    let now = signing::now() * 1_000_000;
    let event = |id: u64, user: serde_json::Value| {
        serde_json::json!({"id": id, "user_id": id, "type": "upsert", "email": user["s_email"], "old_email": null,
                           "version": now, "origin": "b0b0", "changed": ["*"],
                           "record": {"user": user}})
    };
    let base = |email: &str| {
        serde_json::json!({"s_email": email, "s_name": "N", "s_password": "x", "dt_reg_date": "2024-01-01T00:00:00Z",
                           "b_active": 1, "b_enabled": 1})
    };
    let with = |email: &str, column: &str, value: serde_json::Value| {
        let mut u = base(email);
        u[column] = value;
        u
    };
    let sneaky = "Robert'); DROP TABLE oc_t_user; -- \\ % _ \" `";
    let events = vec![
        event(
            1,
            with("bobby@example.com", "s_name", serde_json::json!(sneaky)),
        ),
        event(
            2,
            with(
                "O'Reilly+tag@Example.COM",
                "s_name",
                serde_json::json!("Apostrophe"),
            ),
        ),
        event(3, base("no-at-sign.example.com")),
        event(4, base("has space@example.com")),
        event(
            5,
            with("flag@example.com", "b_active", serde_json::json!("False")),
        ),
        event(
            6,
            with(
                "date@example.com",
                "dt_reg_date",
                serde_json::json!("2024-01-01 10:00:00"),
            ),
        ),
        event(
            7,
            with("nul@example.com", "s_name", serde_json::json!("a\u{0}b")),
        ),
        event(
            8,
            with("local@example.com", "s_secret", serde_json::json!("stolen")),
        ),
        event(
            9,
            with(
                "column@example.com",
                "s_name`; DROP TABLE oc_t_user; --",
                serde_json::json!("x"),
            ),
        ),
        serde_json::json!({"id": 10, "type": "upsert", "email": "x@example.com", "version": now, "origin": "b0b0",
                           "changed": ["*"], "record": {"user": base("x@example.com")}, "extra": true}),
        serde_json::json!({"id": 11, "type": "upsert", "email": "future@example.com", "version": now * 2, "origin": "b0b0",
                           "changed": ["*"], "record": {"user": base("future@example.com")}}),
    ];
    let body = serde_json::json!({"action": "stream", "events": events}).to_string();
    let answer = caller.signed(body.as_bytes());
    assert_eq!(answer.status, 200, "{}", answer.body);
    let acks: serde_json::Value = serde_json::from_str(&answer.body).unwrap();
    let status: Vec<&str> = acks["acks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        status,
        [
            "applied", "applied", "failed", "failed", "failed", "failed", "failed", "failed",
            "failed", "failed", "failed"
        ],
        "{acks}"
    );
    for ack in &acks["acks"].as_array().unwrap()[2..] {
        assert!(!ack["reason"].as_str().unwrap().is_empty(), "{ack}");
    }
    assert_eq!(
        a.value("SELECT COUNT(*) FROM oc_t_user"),
        2,
        "only the two good changes were written"
    );
    assert_eq!(
        a.value("SELECT s_name FROM oc_t_user WHERE s_email = 'bobby@example.com'"),
        sneaky,
        "stored as sent"
    );
    assert_eq!(
        a.value("SELECT s_email FROM oc_t_user WHERE s_name = 'Apostrophe'"),
        "O'Reilly+tag@Example.COM"
    );
}

//! The stream to several accounts at once: each account gets every change whichever others
//! are slow, refuse, cannot be reached or break; the report keeps the order of the account
//! list; an error of one account's work fails the run only after the others were served.

mod support;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value as Json;
use support::sites::Site;

/// A receiver that takes one request and leaves it unanswered until the test lets it go,
/// then answers 503: an account that is slow, then fails.
struct HeldReceiver {
    url: String,
    arrived: mpsc::Receiver<()>,
    release: mpsc::Sender<()>,
}

impl HeldReceiver {
    fn start() -> HeldReceiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let (arrived_tx, arrived) = mpsc::channel();
        let (release, released) = mpsc::channel::<()>();
        std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            read_request(&mut stream);
            let _ = arrived_tx.send(());
            let _ = released.recv_timeout(Duration::from_secs(120));
            let _ = stream.write_all(
                b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 9\r\nConnection: close\r\n\r\nheld back",
            );
        });
        HeldReceiver {
            url,
            arrived,
            release,
        }
    }
}

/// Reads a request's head and as much of its body as it announces.
fn read_request(stream: &mut std::net::TcpStream) {
    let mut seen = Vec::new();
    let mut buffer = [0u8; 65536];
    loop {
        let n = stream.read(&mut buffer).unwrap_or(0);
        if n == 0 {
            return;
        }
        seen.extend_from_slice(&buffer[..n]);
        let Some(end) = seen.windows(4).position(|w| w == b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&seen[..end]).to_lowercase();
        let length: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        if seen.len() >= end + 4 + length {
            return;
        }
    }
}

/// An account on `site` for a URL no test site serves, with a key of its own.
fn add_account_at(site: &Site, name: &str, url: &str, key: &str) -> i64 {
    let columns = site.php("echo json_encode(AccountSync\\Library::instance()->userColumns());")
        ["synced"]
        .clone();
    let account = serde_json::json!({"name": name, "url": url,
                                     "api_key": key.repeat(40), "columns": columns});
    site.php(&format!(
        "echo json_encode(AccountSync\\Library::instance()->saveAccount(json_decode('{}', true)));",
        account.to_string().replace('\'', "\\'")
    ))["account"]["id"]
        .as_i64()
        .expect("account id")
}

fn cron_command(site: &Site) -> Command {
    let mut cmd = Command::new("php");
    cmd.arg(site.dir.join("oc-content/plugins/account_sync/cron.php"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd
}

/// What cron.php printed: its answer is its last line, on stdout when the run succeeded and
/// on stderr when it did not (a panic's message comes before it there).
fn printed(out: &Output) -> Json {
    let text = if out.status.success() {
        &out.stdout
    } else {
        &out.stderr
    };
    let text = String::from_utf8_lossy(text);
    let last = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("");
    serde_json::from_str(last).unwrap_or_else(|e| panic!("cron.php printed no JSON ({e}): {text}"))
}

fn count(site: &Site, query: &str) -> i64 {
    site.value(query).as_i64().unwrap()
}

fn users(site: &Site) -> i64 {
    count(site, "SELECT COUNT(*) FROM oc_t_user")
}

/// The e-mails and names of a site's users, to compare two sites (sorted here: the sites'
/// collations differ).
fn people(site: &Site) -> Vec<String> {
    let rows = site.sql("SELECT LOWER(s_email) AS e, s_name AS n FROM oc_t_user");
    let mut out: Vec<String> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{} {}", r["e"].as_str().unwrap(), r["n"].as_str().unwrap()))
        .collect();
    out.sort();
    out
}

/// A, whose seeded users wait in its outbox, and receivers that list A; A lists them all.
fn sender_and_receivers(names: &[(&str, &str)]) -> (Site, Vec<Site>) {
    let a = Site::create("a", "ms52", "en_US");
    a.seed(30, 11);
    let mut receivers = Vec::new();
    for (name, fork) in names {
        let mut r = Site::create(name, fork, "en_US");
        r.serve();
        a.add_account(&r, None);
        r.add_account(&a, None);
        receivers.push(r);
    }
    (a, receivers)
}

#[test]
fn accounts_are_served_at_the_same_time_and_none_waits_for_a_failing_one() {
    let (a, live) = sender_and_receivers(&[("b", "ms52"), ("c", "op84"), ("d", "ms52")]);
    // E answers, but does not know A: it refuses A's requests.
    let mut e = Site::create("e", "ms52", "en_US");
    e.serve();
    a.add_account(&e, None);
    // Nothing listens on Z's port.
    add_account_at(
        &a,
        "Site Z",
        &format!("http://127.0.0.1:{}", support::free_port()),
        "z",
    );
    // First in the list: an account whose request hangs until the test lets it go.
    let held = HeldReceiver::start();
    add_account_at(&a, "Site AA", &held.url, "h");
    let expected = users(&a);
    let outbox = count(&a, "SELECT COUNT(*) FROM oc_t_account_sync_outbox");
    assert!(expected >= 30 && outbox >= expected, "{expected} {outbox}");

    let run = cron_command(&a).spawn().unwrap();
    held.arrived
        .recv_timeout(Duration::from_secs(60))
        .expect("the run called Site AA");
    // While Site AA's request hangs, the other accounts get everything. The wait stays well
    // below the client's 30 s timeout, after which one account after the other would do too.
    let deadline = Instant::now() + Duration::from_secs(20);
    let delivered_meanwhile = loop {
        if live.iter().all(|r| users(r) == expected) {
            break true;
        }
        if Instant::now() > deadline {
            break false;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    held.release.send(()).unwrap();
    let out = run.wait_with_output().unwrap();
    let answer = printed(&out);
    assert!(
        delivered_meanwhile,
        "B, C and D got every user while Site AA's request waited: {:?}; {answer}",
        live.iter().map(users).collect::<Vec<_>>()
    );

    // A failing account makes cron.php fail, and the report is complete and in list order.
    assert!(!out.status.success(), "{answer}");
    let reports = answer["result"]["accounts"].as_array().unwrap();
    let names: Vec<&str> = reports
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Site AA", "Site B", "Site C", "Site D", "Site E", "Site Z"],
        "{answer}"
    );
    for report in &reports[1..4] {
        assert_eq!(
            (
                report["status"].as_str(),
                report["sent"].as_i64(),
                report["applied"].as_i64(),
                report["pending"].as_i64()
            ),
            (Some("OK"), Some(expected), Some(expected), Some(0)),
            "{answer}"
        );
    }
    // Site AA's 503 is the answer it gave when let go: its request had not timed out.
    for (report, says) in [
        (&reports[0], "HTTP 503"),
        (&reports[4], "HTTP 403"),
        (&reports[5], "could not connect"),
    ] {
        assert_eq!(
            (
                report["status"].as_str(),
                report["sent"].as_i64(),
                report["pending"].as_i64()
            ),
            (Some("ERROR"), Some(0), Some(outbox)),
            "{answer}"
        );
        let message = report["message"].as_str().unwrap();
        assert!(
            message.contains(says),
            "{} says {says}: {message}",
            report["name"]
        );
    }

    for r in &live {
        assert_eq!(people(r), people(&a), "site {} holds A's users", r.name);
    }
    assert_eq!(users(&e), 0);
    // The failing accounts keep the outbox from being pruned; each live one has every mark.
    assert_eq!(
        count(&a, "SELECT COUNT(*) FROM oc_t_account_sync_outbox"),
        outbox
    );
    assert_eq!(
        count(
            &a,
            "SELECT COUNT(*) FROM oc_t_account_sync_delivery d JOIN oc_t_account_sync_account a
               ON a.pk_i_id = d.fk_i_account_id WHERE a.s_name IN ('Site B', 'Site C', 'Site D')"
        ),
        3 * outbox
    );
    assert_eq!(
        count(&a, "SELECT COUNT(*) FROM oc_t_account_sync_delivery"),
        3 * outbox,
        "the failing accounts have no marks"
    );
}

#[test]
fn a_database_error_of_one_account_fails_the_run_after_the_others_were_served() {
    let (a, receivers) = sender_and_receivers(&[("b", "ms52"), ("c", "op84"), ("d", "ms52")]);
    let outbox = count(&a, "SELECT COUNT(*) FROM oc_t_account_sync_outbox");
    // A's database refuses every change of Site C's account row: its counters after the
    // request, then the record of that failure. That is no failure of C's but of A's
    // database, which fails the run.
    let c_id = a.value("SELECT pk_i_id FROM oc_t_account_sync_account WHERE s_name = 'Site C'");
    a.sql(&format!(
        "CREATE TRIGGER refuse_c BEFORE UPDATE ON oc_t_account_sync_account FOR EACH ROW
         IF OLD.pk_i_id = {c_id} THEN
           SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'no updates of C today';
         END IF"
    ));

    let out = cron_command(&a).output().unwrap();
    let answer = printed(&out);
    assert!(!out.status.success(), "{answer}");
    assert_eq!(answer["code"], "AS_ERR_DATABASE", "{answer}");
    let error = answer["error"].as_str().unwrap();
    assert!(
        error.starts_with("stream to Site C: ") && error.contains("no updates of C today"),
        "{error}"
    );
    // B and D, before and after C in the list, were served in full and say so.
    for (id, r) in [(1, &receivers[0]), (3, &receivers[2])] {
        assert_eq!(people(r), people(&a), "site {}", r.name);
        assert_eq!(a.account(id)["last_status"], "OK", "account {id}");
    }
    assert_eq!(
        count(&a, "SELECT COUNT(*) FROM oc_t_account_sync_delivery"),
        3 * outbox,
        "C's acknowledgements were recorded before its account row was refused"
    );
    assert_eq!(
        count(&a, "SELECT COUNT(*) FROM oc_t_account_sync_outbox"),
        outbox,
        "a failed run prunes nothing"
    );

    a.sql("DROP TRIGGER refuse_c");
    let out = cron_command(&a).output().unwrap();
    let again = printed(&out);
    assert!(out.status.success(), "{again}");
    let reports = again["result"]["accounts"].as_array().unwrap();
    assert_eq!(
        reports
            .iter()
            .map(|r| (
                r["name"].as_str().unwrap(),
                r["sent"].as_i64().unwrap(),
                r["pending"].as_i64().unwrap()
            ))
            .collect::<Vec<_>>(),
        [("Site B", 0, 0), ("Site C", 0, 0), ("Site D", 0, 0)],
        "{again}"
    );
    assert_eq!(people(&receivers[1]), people(&a));
    assert_eq!(
        count(&a, "SELECT COUNT(*) FROM oc_t_account_sync_outbox"),
        0
    );
}

#[test]
fn a_panic_in_one_account_becomes_the_run_s_error_and_the_others_are_served() {
    let (a, receivers) = sender_and_receivers(&[("b", "ms52"), ("c", "op84")]);
    let b_id = a.value("SELECT pk_i_id FROM oc_t_account_sync_account WHERE s_name = 'Site B'");

    let out = cron_command(&a)
        .env(
            "ACCOUNT_SYNC_FAILPOINT",
            format!("panic:stream_account_{b_id}"),
        )
        .output()
        .unwrap();
    let answer = printed(&out);
    assert!(!out.status.success(), "{answer}");
    assert_eq!(
        (answer["code"].as_str(), answer["error"].as_str()),
        (
            Some("AS_ERR_PANIC"),
            Some(
                format!(
                    "stream to Site B: internal error in account_sync: failpoint stream_account_{b_id} reached"
                )
                .as_str()
            )
        ),
        "{answer}"
    );
    assert_eq!(users(&receivers[0]), 0, "B was not sent anything");
    assert_eq!(people(&receivers[1]), people(&a), "C was served in full");

    let out = cron_command(&a).output().unwrap();
    let again = printed(&out);
    assert!(out.status.success(), "{again}");
    assert_eq!(again["result"]["accounts"][0]["status"], "OK", "{again}");
    assert_eq!(people(&receivers[0]), people(&a));
    assert_eq!(
        count(&a, "SELECT COUNT(*) FROM oc_t_account_sync_outbox"),
        0
    );
}

//! Faults: a feed process that dies before its commit, and a database server that crashes
//! and restarts between two calls and in the middle of a batch. Nothing is half applied and
//! the feed finishes with the right result.

mod support;

use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value as Json;
use support::sites::Site;
use support::PrivateDatabaseServer;

fn emails(site: &Site, active_only: bool) -> Vec<String> {
    let filter = if active_only {
        "WHERE b_active = 1 AND b_enabled = 1"
    } else {
        ""
    };
    let rows = site.sql(&format!(
        "SELECT LOWER(s_email) AS e, s_password AS p FROM oc_t_user {filter}"
    ));
    let mut out: Vec<String> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{} {}", r["e"].as_str().unwrap(), r["p"].as_str().unwrap()))
        .collect();
    out.sort();
    out
}

fn feed_command(site: &Site, failpoint: Option<&str>) -> Command {
    let mut cmd = Command::new("php");
    cmd.arg(site.dir.join("oc-content/plugins/account_sync/cli.php"))
        .args(["feed", "1"]);
    if let Some(point) = failpoint {
        cmd.env("ACCOUNT_SYNC_FAILPOINT", point);
    }
    cmd
}

#[test]
fn a_feed_that_dies_before_its_commit_leaves_nothing_and_a_rerun_finishes() {
    let mut a = Site::create("a", "ms52", "en_US");
    let b = Site::create("b", "ms52", "en_US");
    a.seed(60, 9);
    a.serve();
    a.add_account(&b, None);
    b.add_account(&a, None);
    b.set_preference("feed_limit", "10");

    let died = feed_command(&b, Some("abort:feed_before_commit"))
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert!(!died.status.success(), "the feed process was meant to die");
    let stderr = String::from_utf8_lossy(&died.stderr);
    assert!(stderr.contains("failpoint feed_before_commit"), "{stderr}");

    assert_eq!(
        b.value("SELECT COUNT(*) FROM oc_t_user"),
        0,
        "the batch rolled back"
    );
    let account = b.account(1);
    assert_eq!(
        (
            account["last_user_id"].as_i64(),
            account["synced_from"].as_i64()
        ),
        (Some(0), Some(0))
    );
    assert_eq!(b.logs(r#"{"type":"PROCESS"}"#)["total"], 0);

    let lines = b.feed(1);
    assert!(
        lines.iter().any(|l| l.starts_with("Progress: 100.00%")),
        "{lines:#?}"
    );
    assert_eq!(emails(&b, false), emails(&a, true));
    assert_eq!(
        b.account(1)["synced_from"].as_u64().unwrap() as usize,
        emails(&a, true).len()
    );
}

#[test]
fn a_database_restart_between_calls_and_during_a_batch_loses_nothing() {
    let mut server = PrivateDatabaseServer::start();
    let mut a = Site::create_on("a", "ms52", "en_US", &server.host());
    let b = Site::create_on("b", "ms52", "en_US", &server.host());
    a.seed(40, 4);
    a.serve();
    a.add_account(&b, None);
    b.add_account(&a, None);
    b.set_preference("feed_limit", "15");
    let expected = emails(&a, true);

    // Between two calls in one process: the library finds its connection dead and opens a
    // new one.
    let script = format!(
        "require '{}/oc-load.php'; $l = AccountSync\\Library::instance();
         $first = $l->feed(1, 60000, 1); $d1 = $l->diagnostics(); fwrite(STDOUT, \"first\\n\"); fflush(STDOUT); sleep(6);
         $rest = $l->feed(1, 60000, 0); echo json_encode(['first' => $first, 'rest' => $rest, 'diag' => $l->diagnostics(), 'd1' => $d1]);",
        b.dir.display()
    );
    let mut child = Command::new("php")
        .arg("-r")
        .arg(&script)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 6];
    std::io::Read::read_exact(&mut stdout, &mut first).unwrap();
    server.crash_and_restart();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    assert!(child.wait().unwrap().success(), "{rest}");
    let result: Json = serde_json::from_str(rest.trim()).unwrap();
    assert_eq!(result["rest"]["done"], true, "{result}");
    assert!(
        result["diag"]["connections_opened"].as_i64().unwrap() >= 2,
        "{result}"
    );
    assert_eq!(emails(&b, false), expected);

    // During a batch: the server dies while the batch waits before its commit. The batch is
    // rolled back by the server and applied again on a new connection.
    b.sql("DELETE FROM oc_t_user_description");
    b.sql("DELETE FROM oc_t_user");
    // B starts over: it forgets that it removed them (else a feed keeps them removed).
    b.sql("DELETE FROM oc_t_account_sync_tombstone");
    b.sql("DELETE FROM oc_t_account_sync_outbox");
    b.restart_feed(1);
    let before = b.account(1)["synced_from"].as_i64().unwrap();
    let feed = feed_command(&b, Some("pause:feed_before_commit"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    server.crash_and_restart();
    let out = feed.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("Progress: 100.00%"), "{text}");
    assert_eq!(emails(&b, false), expected, "every user once, none lost");
    assert_eq!(
        b.account(1)["synced_from"].as_i64().unwrap() - before,
        expected.len() as i64,
        "each batch counted once"
    );
    a.stop();
}

#[test]
fn a_lock_held_elsewhere_is_waited_out_and_the_batch_tried_again() {
    let mut a = Site::create("a", "ms52", "en_US");
    let b = Site::create("b", "ms52", "en_US");
    a.seed(30, 2);
    a.serve();
    a.add_account(&b, None);
    b.add_account(&a, None);
    b.set_preference("feed_limit", "10");

    // Another session holds the account's row for three seconds; the feed's lock waits give
    // up after one second (test builds only) and the batch is tried again.
    let holder = Command::new("mysql")
        .args(["-h", "127.0.0.1", "-u", "root", &b.db, "-e"])
        .arg("BEGIN; SELECT pk_i_id FROM oc_t_account_sync_account WHERE pk_i_id = 1 FOR UPDATE; SELECT SLEEP(3); COMMIT;")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let started = std::time::Instant::now();
    let out = feed_command(&b, None)
        .env("ACCOUNT_SYNC_LOCK_WAIT", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("Progress: 100.00%"), "{text}");
    assert!(
        started.elapsed() >= Duration::from_millis(2500),
        "the feed waited the lock out: {:?}",
        started.elapsed()
    );
    let _ = holder.wait_with_output();

    assert_eq!(emails(&b, false), emails(&a, true));
    let batches = text.lines().filter(|l| l.starts_with("Progress: ")).count() as i64;
    assert_eq!(
        b.logs(r#"{"type":"PROCESS"}"#)["total"],
        batches,
        "each batch applied once"
    );
}

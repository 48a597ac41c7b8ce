//! The stream between three real sites in a full mesh: every kind of user change on one
//! site reaches the two others after one cron run, with nothing lost, nothing echoed, and
//! the same end state on every site.

mod support;

use std::collections::BTreeMap;

use serde_json::Value as Json;
use support::sites::Site;

const SYNCED: &str =
    "LOWER(s_email) AS k, s_email, s_name, s_username, s_password, s_phone_mobile, s_phone_land,
                      b_active, b_enabled, s_city, s_region, b_company, dt_reg_date";

fn state(site: &Site) -> BTreeMap<String, Json> {
    let rows = site.sql(&format!("SELECT {SYNCED} FROM oc_t_user"));
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| (r["k"].as_str().unwrap().to_string(), r.clone()))
        .collect()
}

fn descriptions(site: &Site) -> BTreeMap<String, Json> {
    let rows = site.sql(
        "SELECT CONCAT(LOWER(u.s_email), '/', d.fk_c_locale_code) AS k, d.s_info FROM oc_t_user u
         JOIN oc_t_user_description d ON d.fk_i_user_id = u.pk_i_id",
    );
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| (r["k"].as_str().unwrap().to_string(), r["s_info"].clone()))
        .collect()
}

fn user(site: &Site, email: &str) -> Json {
    site.sql(&format!(
        "SELECT {SYNCED}, s_secret, i_items FROM oc_t_user WHERE s_email = '{email}'"
    ))[0]
        .clone()
}

fn outbox_size(site: &Site) -> i64 {
    site.value("SELECT COUNT(*) FROM oc_t_account_sync_outbox")
        .as_i64()
        .unwrap()
}

/// Three sites, each listing the two others; B and C start from a feed of A.
fn mesh() -> (Site, Site, Site) {
    let mut a = Site::create("a", "ms52", "en_US,es_ES");
    let mut b = Site::create("b", "ms52", "en_US,es_ES");
    let mut c = Site::create("c", "op84", "en_US,es_ES");
    a.seed(40, 5);
    a.sql("INSERT INTO oc_t_user (dt_reg_date, s_name, s_username, s_password, s_email, b_enabled, b_active)
           VALUES ('2025-01-01 00:00:00', 'Not Yet', 'notyet', SHA1('x'), 'inactive.one@example.com', 1, 0),
                  ('2025-01-01 00:00:00', 'Held Back', 'held', SHA1('x'), 'blocked.one@example.com', 0, 1)");
    for s in [&mut a, &mut b, &mut c] {
        s.serve();
    }
    for (x, y) in [(&a, &b), (&a, &c), (&b, &a), (&b, &c), (&c, &a), (&c, &b)] {
        x.add_account(y, None);
    }
    b.feed(1);
    c.feed(1);
    // Sync-applied rows are not changes of B or C: nothing to send back.
    assert_eq!(outbox_size(&b), 0);
    assert_eq!(outbox_size(&c), 0);
    // The seed itself was recorded on A; send it so every test starts with empty queues.
    a.cron(true);
    assert_eq!(
        outbox_size(&a),
        0,
        "{}",
        a.sql("SELECT * FROM oc_t_account_sync_outbox LIMIT 3")
    );
    (a, b, c)
}

fn first_active(site: &Site, offset: u32) -> String {
    site.value(&format!(
        "SELECT s_email FROM oc_t_user WHERE b_active = 1 AND b_enabled = 1 ORDER BY pk_i_id LIMIT 1 OFFSET {offset}"
    ))
    .as_str()
    .unwrap()
    .to_string()
}

#[test]
fn every_kind_of_change_reaches_both_other_sites_after_one_run() {
    let (a, b, c) = mesh();
    let edited = first_active(&a, 0);
    let deactivated = first_active(&a, 1);
    let blocked = first_active(&a, 2);
    let removed = first_active(&a, 3);
    let moved = first_active(&a, 4);
    let password = first_active(&a, 5);
    let inactive = "inactive.one@example.com".to_string();
    let unblocked = "blocked.one@example.com".to_string();

    // Site-local values on B that no change of A may touch.
    b.sql(&format!(
        "UPDATE oc_t_user SET s_secret = 'b-local', i_items = 7 WHERE s_email = '{deactivated}'"
    ));
    let before_on_b = user(&b, &deactivated);

    // Each change the way Osclass makes it: plain writes to its tables (the triggers see
    // them), some with the hook Osclass would fire.
    a.sql("INSERT INTO oc_t_user (dt_reg_date, s_name, s_username, s_password, s_email, b_enabled, b_active)
           VALUES ('2026-12-01 10:00:00', 'New Nadia', 'nadia', SHA1('pw'), 'nadia.new@example.com', 1, 1)");
    a.sql("INSERT INTO oc_t_user_description (fk_i_user_id, fk_c_locale_code, s_info)
           SELECT pk_i_id, 'es_ES', 'Nueva aquí' FROM oc_t_user WHERE s_email = 'nadia.new@example.com'");
    a.sql(&format!("UPDATE oc_t_user SET s_name = 'Edited Name', s_phone_mobile = '+34 600 000 000', dt_mod_date = NOW() WHERE s_email = '{edited}'"));
    a.sql(&format!(
        "UPDATE oc_t_user SET b_active = 1 WHERE s_email = '{inactive}'"
    ));
    a.sql(&format!(
        "UPDATE oc_t_user SET b_active = 0 WHERE s_email = '{deactivated}'"
    ));
    a.sql(&format!(
        "UPDATE oc_t_user SET b_enabled = 0 WHERE s_email = '{blocked}'"
    ));
    a.sql(&format!(
        "UPDATE oc_t_user SET b_enabled = 1 WHERE s_email = '{unblocked}'"
    ));
    a.sql(&format!(
        "UPDATE oc_t_user SET s_email = 'moved.away@example.com' WHERE s_email = '{moved}'"
    ));
    a.sql(&format!("UPDATE oc_t_user SET s_password = '$2y$04$PlainSqlUpdateWithNoHookAtAll0123456789abcdefghijk' WHERE s_email = '{password}'"));
    let removed_id = a.value(&format!(
        "SELECT pk_i_id FROM oc_t_user WHERE s_email = '{removed}'"
    ));
    a.php(&format!(
        "osc_run_hook('delete_user', {removed_id}); echo '{{}}';"
    ));
    a.remove_user(&removed_id);
    // An access-time update is not a change.
    a.sql(&format!("UPDATE oc_t_user SET dt_access_date = NOW(), s_access_ip = '127.0.0.9' WHERE s_email = '{edited}'"));

    let run = a.cron(false);
    assert_eq!(run["ok"], true, "{run}");
    for report in run["result"]["accounts"].as_array().unwrap() {
        assert_eq!(report["status"], "OK", "{run}");
        assert_eq!(report["pending"], 0, "{run}");
        assert_eq!(report["failed"], 0, "{run}");
    }

    let on_a = state(&a);
    for other in [&b, &c] {
        let here = state(other);
        for key in [
            "nadia.new@example.com",
            edited.to_lowercase().as_str(),
            inactive.to_lowercase().as_str(),
            deactivated.to_lowercase().as_str(),
            blocked.to_lowercase().as_str(),
            unblocked.to_lowercase().as_str(),
            "moved.away@example.com",
            password.to_lowercase().as_str(),
        ] {
            assert_eq!(here.get(key), on_a.get(key), "{key} on site {}", other.name);
        }
        assert!(
            !here.contains_key(&removed.to_lowercase()),
            "removed user still on {}",
            other.name
        );
        assert!(
            !here.contains_key(&moved.to_lowercase()),
            "the old e-mail is gone on {}",
            other.name
        );
        assert_eq!(
            descriptions(other).get("nadia.new@example.com/es_ES"),
            Some(&Json::from("Nueva aquí"))
        );
    }

    // Deactivation touched b_active only.
    let after_on_b = user(&b, &deactivated);
    let changed: Vec<&String> = after_on_b
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, v)| before_on_b.get(k.as_str()) != Some(*v))
        .map(|(k, _)| k)
        .collect();
    assert_eq!(changed, vec!["b_active"]);

    // Nothing echoed back, and A's outbox is pruned once both accounts have everything.
    for s in [&a, &b, &c] {
        assert_eq!(outbox_size(s), 0, "outbox of {}", s.name);
    }
    for s in [&b, &c] {
        let run = s.cron(false);
        for report in run["result"]["accounts"].as_array().unwrap() {
            assert_eq!(report["sent"], 0, "{} sent something back: {run}", s.name);
        }
    }
    let logs = a.logs(r#"{"type":"STREAM","account_id":1,"per_page":1}"#);
    let newest = a.php(&format!(
        "echo json_encode(AccountSync\\Library::instance()->log({}));",
        logs["logs"][0]["id"]
    ));
    let text = newest["log"]["content"].as_str().unwrap().to_string();
    for label in [
        "registration",
        "activation",
        "deactivation",
        "block",
        "unblock",
        "e-mail change",
        "password change",
        "removal",
        "edit",
    ] {
        assert!(
            text.contains(&format!("\"change\":\"{label}\"")),
            "STREAM log names the {label}: {text}"
        );
    }
    let account = b.account(1);
    assert!(account["synced_from"].as_i64().unwrap() >= 9, "{account}");
}

#[test]
fn a_site_that_was_down_gets_everything_once_and_in_order() {
    let (a, mut b, c) = mesh();
    let who = first_active(&a, 0);
    b.stop();

    for (run, name) in ["First", "Second", "Third"].iter().enumerate() {
        a.sql(&format!(
            "UPDATE oc_t_user SET s_name = '{name} name' WHERE s_email = '{who}'"
        ));
        let report = a.cron(run > 0);
        let accounts = report["result"]["accounts"].as_array().unwrap().clone();
        let to_b = accounts.iter().find(|r| r["name"] == "Site B").unwrap();
        let to_c = accounts.iter().find(|r| r["name"] == "Site C").unwrap();
        assert_eq!(to_c["status"], "OK");
        assert_ne!(to_b["status"], "OK", "{report}");
        assert!(to_b["pending"].as_i64().unwrap() >= 1);
    }
    let account_b_on_a = a.account(1);
    assert_eq!(account_b_on_a["last_status"], "FAILING", "{account_b_on_a}");
    assert!(
        account_b_on_a["last_message"]
            .as_str()
            .unwrap()
            .contains("could not connect"),
        "{account_b_on_a}"
    );
    assert_eq!(
        c.value(&format!(
            "SELECT s_name FROM oc_t_user WHERE s_email = '{who}'"
        )),
        "Third name"
    );

    // B is waiting out its failures: a plain run leaves it, a forced one delivers.
    b.serve();
    let waiting = a.cron(false);
    assert_eq!(
        waiting["result"]["accounts"][0]["status"], "WAITING",
        "{waiting}"
    );
    let back = a.cron(true);
    let to_b = back["result"]["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Site B")
        .unwrap()
        .clone();
    assert_eq!(
        (
            to_b["status"].as_str(),
            to_b["sent"].as_i64(),
            to_b["pending"].as_i64()
        ),
        (Some("OK"), Some(1), Some(0)),
        "{back}"
    );
    assert_eq!(
        b.value(&format!(
            "SELECT s_name FROM oc_t_user WHERE s_email = '{who}'"
        )),
        "Third name"
    );
    assert_eq!(
        b.value(&format!(
            "SELECT COUNT(*) FROM oc_t_user WHERE s_email = '{who}'"
        )),
        1
    );
    assert_eq!(a.account(1)["last_status"], "OK");
    assert_eq!(outbox_size(&a), 0);
}

#[test]
fn a_lost_acknowledgement_resends_and_applies_once() {
    let (a, b, _c) = mesh();
    let who = first_active(&a, 0);
    a.sql(&format!(
        "UPDATE oc_t_user SET s_phone_land = '+1 555 0100' WHERE s_email = '{who}'"
    ));
    // Keep the change in A's outbox after delivery, as if A died before recording B's answer.
    a.sql("CREATE TABLE keep_outbox AS SELECT * FROM oc_t_account_sync_outbox");
    a.cron(false);
    a.sql("INSERT INTO oc_t_account_sync_outbox SELECT * FROM keep_outbox");
    a.sql("DELETE FROM oc_t_account_sync_delivery");
    let checksum = || b.sql("CHECKSUM TABLE oc_t_user, oc_t_user_description EXTENDED");
    let before = checksum();

    let again = a.cron(false);
    let to_b = again["result"]["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "Site B")
        .unwrap()
        .clone();
    assert_eq!(
        (to_b["sent"].as_i64(), to_b["applied"].as_i64()),
        (Some(1), Some(0)),
        "sent again, applied once: {again}"
    );
    assert_eq!(checksum(), before, "the second delivery changed nothing");
    assert_eq!(
        b.value(&format!(
            "SELECT s_phone_land FROM oc_t_user WHERE s_email = '{who}'"
        )),
        "+1 555 0100"
    );
}

#[test]
fn close_edits_on_two_sites_converge_everywhere() {
    let (a, b, c) = mesh();
    let who = first_active(&a, 0);
    a.sql(&format!("UPDATE oc_t_user SET s_name = 'Name from A', s_phone_mobile = '111' WHERE s_email = '{who}'"));
    std::thread::sleep(std::time::Duration::from_millis(20));
    b.sql(&format!(
        "UPDATE oc_t_user SET s_name = 'Name from B' WHERE s_email = '{who}'"
    ));

    // B sends first, then A; C gets both in the opposite order of their making.
    b.cron(false);
    a.cron(false);
    c.cron(false);
    a.cron(false);
    b.cron(false);

    for s in [&a, &b, &c] {
        let row = s.sql(&format!(
            "SELECT s_name, s_phone_mobile FROM oc_t_user WHERE s_email = '{who}'"
        ))[0]
            .clone();
        assert_eq!(
            row["s_name"], "Name from B",
            "site {}: the newer name wins",
            s.name
        );
        assert_eq!(
            row["s_phone_mobile"], "111",
            "site {}: A's phone, changed by A alone, stays",
            s.name
        );
        assert_eq!(outbox_size(s), 0, "queue of {} is empty", s.name);
    }
    assert_eq!(state(&a), state(&b));
    assert_eq!(state(&b).len(), state(&c).len());
}

#[test]
fn without_the_trigger_privilege_hooked_changes_still_travel() {
    let mut a = Site::create("a", "ms52", "en_US");
    let mut b = Site::create("b", "ms52", "en_US");
    a.seed(10, 2);
    a.serve();
    b.serve();
    a.add_account(&b, None);
    b.add_account(&a, None);
    b.feed(1);
    a.cron(true);

    // A's database user may do everything but create triggers.
    let user = format!("as_nt_{}", std::process::id());
    support::mysql(None, &format!(
        "DROP USER IF EXISTS '{user}'@'127.0.0.1'; DROP USER IF EXISTS '{user}'@'localhost';
         CREATE USER '{user}'@'127.0.0.1' IDENTIFIED BY 'pw'; CREATE USER '{user}'@'localhost' IDENTIFIED BY 'pw';
         GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, INDEX, ALTER ON `{db}`.* TO '{user}'@'127.0.0.1';
         GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, INDEX, ALTER ON `{db}`.* TO '{user}'@'localhost';",
        db = a.db
    ));
    for trigger in a.sql("SELECT trigger_name AS n FROM information_schema.triggers WHERE trigger_schema = DATABASE()").as_array().unwrap() {
        a.sql(&format!("DROP TRIGGER `{}`", trigger["n"].as_str().unwrap()));
    }
    let config = a.dir.join("config.php");
    let text = std::fs::read_to_string(&config).unwrap();
    let text = text
        .replace(
            "define('DB_USER', 'root');",
            &format!("define('DB_USER', '{user}');"),
        )
        .replace("define('DB_PASSWORD', '');", "define('DB_PASSWORD', 'pw');");
    std::fs::write(&config, text).unwrap();
    let install = support::run(
        std::process::Command::new("php")
            .arg(a.dir.join("oc-content/plugins/account_sync/cli.php"))
            .arg("install"),
    );
    assert!(install.contains("refused to create triggers"), "{install}");

    let who = first_active(&a, 0);
    let id = a.value(&format!(
        "SELECT pk_i_id FROM oc_t_user WHERE s_email = '{who}'"
    ));
    a.sql(&format!(
        "UPDATE oc_t_user SET s_name = 'Hooked Edit' WHERE pk_i_id = {id}"
    ));
    a.php(&format!(
        "osc_run_hook('user_edit_completed', {id}); echo '{{}}';"
    ));
    let run = a.cron(false);
    assert!(
        run["result"]["capture"]
            .as_str()
            .unwrap()
            .contains("hooks only"),
        "{run}"
    );
    assert_eq!(run["result"]["accounts"][0]["sent"], 1, "{run}");
    assert_eq!(
        b.value(&format!(
            "SELECT s_name FROM oc_t_user WHERE s_email = '{who}'"
        )),
        "Hooked Edit"
    );

    // The documented gap: a write that fires no hook waits for the user's next hooked change.
    let before = b.value(&format!(
        "SELECT s_password FROM oc_t_user WHERE s_email = '{who}'"
    ));
    a.sql(&format!(
        "UPDATE oc_t_user SET s_password = SHA1('unhooked') WHERE pk_i_id = {id}"
    ));
    assert_eq!(a.cron(false)["result"]["accounts"][0]["sent"], 0);
    assert_eq!(
        b.value(&format!(
            "SELECT s_password FROM oc_t_user WHERE s_email = '{who}'"
        )),
        before
    );
    a.php(&format!(
        "osc_run_hook('user_edit_completed', {id}); echo '{{}}';"
    ));
    a.cron(false);
    assert_eq!(
        b.value(&format!(
            "SELECT s_password = SHA1('unhooked') AS same FROM oc_t_user WHERE s_email = '{who}'"
        )),
        1
    );

    a.stop();
    support::mysql(
        None,
        &format!("DROP USER '{user}'@'127.0.0.1'; DROP USER '{user}'@'localhost';"),
    );
}

/// A and B listing each other, B fed from A, queues empty.
fn pair() -> (Site, Site) {
    let mut a = Site::create("a", "ms52", "en_US");
    let mut b = Site::create("b", "op84", "en_US");
    a.seed(20, 8);
    a.serve();
    b.serve();
    a.add_account(&b, None);
    b.add_account(&a, None);
    b.feed(1);
    a.cron(true);
    (a, b)
}

#[test]
fn a_registration_never_takes_over_an_account_of_the_other_site() {
    let (a, b) = pair();
    b.sql("INSERT INTO oc_t_user (dt_reg_date, s_name, s_username, s_password, s_email, b_enabled, b_active)
           VALUES ('2025-01-01 00:00:00', 'Victim on B', 'victim', '$2y$10$victimvictimvictimvictimuXKq1gTgq5uXKq1gTgq5uXKq1gTgq', 'victim@example.com', 1, 1)");
    let before = user(&b, "victim@example.com");
    a.sql("INSERT INTO oc_t_user (dt_reg_date, s_name, s_username, s_password, s_email, b_enabled, b_active)
           VALUES (NOW(), 'Someone else', 'someone', SHA1('theirs'), 'Victim@Example.com', 1, 0)");
    let run = a.cron(false);
    assert_eq!(run["result"]["accounts"][0]["failed"], 1, "{run}");
    assert_eq!(
        user(&b, "victim@example.com"),
        before,
        "B's user is untouched"
    );
    let logs = a.logs(r#"{"type":"STREAM","per_page":1}"#);
    let entry = a.php(&format!(
        "echo json_encode(AccountSync\\Library::instance()->log({}));",
        logs["logs"][0]["id"]
    ));
    assert!(
        entry["log"]["content"]
            .as_str()
            .unwrap()
            .contains("a registration never takes over an account"),
        "{entry}"
    );
}

#[test]
fn users_swapping_e_mails_stay_themselves_on_the_other_site() {
    let (a, b) = pair();
    let (first, second) = (first_active(&a, 0), first_active(&a, 1));
    let id_of = |s: &Site, e: &str| {
        s.value(&format!(
            "SELECT pk_i_id FROM oc_t_user WHERE s_email = '{e}'"
        ))
    };
    let (first_on_b, second_on_b) = (id_of(&b, &first), id_of(&b, &second));
    let first_id = id_of(&a, &first);
    a.sql(&format!(
        "UPDATE oc_t_user SET s_email = 'swap.tmp@example.com' WHERE s_email = '{first}'"
    ));
    a.sql(&format!(
        "UPDATE oc_t_user SET s_email = '{first}' WHERE s_email = '{second}'"
    ));
    a.sql(&format!(
        "UPDATE oc_t_user SET s_email = '{second}' WHERE s_email = 'swap.tmp@example.com'"
    ));
    let run = a.cron(false);
    assert_eq!(run["result"]["accounts"][0]["failed"], 0, "{run}");
    assert_eq!(
        id_of(&b, &second),
        first_on_b,
        "the first user now has the second address"
    );
    assert_eq!(id_of(&b, &first), second_on_b);

    // A later change of the first user reaches the same person on B.
    a.sql(&format!(
        "UPDATE oc_t_user SET s_password = SHA1('first-new') WHERE pk_i_id = {first_id}"
    ));
    a.cron(false);
    assert_eq!(
        b.value("SELECT pk_i_id FROM oc_t_user WHERE s_password = SHA1('first-new')"),
        first_on_b
    );
    assert_eq!(outbox_size(&a), 0);
}

#[test]
fn a_removal_the_other_site_cannot_make_fails_alone() {
    let (a, b) = pair();
    let (kept, removed) = (first_active(&a, 0), first_active(&a, 1));
    // Another plugin on B keeps rows that point at the user's listing.
    let on_b = b.value(&format!(
        "SELECT pk_i_id FROM oc_t_user WHERE s_email = '{removed}'"
    ));
    b.sql("INSERT INTO oc_t_category (pk_i_id) VALUES (1)");
    b.sql(&format!("INSERT INTO oc_t_item (fk_i_user_id, fk_i_category_id, dt_pub_date, s_contact_email) VALUES ({on_b}, 1, NOW(), '{removed}')"));
    b.sql(
        "CREATE TABLE oc_t_item_car_attr (fk_i_item_id INT UNSIGNED NOT NULL PRIMARY KEY,
           FOREIGN KEY (fk_i_item_id) REFERENCES oc_t_item (pk_i_id)) ENGINE=InnoDB",
    );
    b.sql("INSERT INTO oc_t_item_car_attr SELECT pk_i_id FROM oc_t_item");

    let removed_id = a.value(&format!(
        "SELECT pk_i_id FROM oc_t_user WHERE s_email = '{removed}'"
    ));
    a.remove_user(&removed_id);
    a.sql(&format!(
        "UPDATE oc_t_user SET s_name = 'Still Arrives' WHERE s_email = '{kept}'"
    ));
    let run = a.cron(false);
    let report = &run["result"]["accounts"][0];
    assert_eq!(
        (
            report["sent"].as_i64(),
            report["failed"].as_i64(),
            report["status"].as_str()
        ),
        (Some(2), Some(1), Some("PARTIAL")),
        "{run}"
    );
    assert_eq!(
        b.value(&format!(
            "SELECT s_name FROM oc_t_user WHERE s_email = '{kept}'"
        )),
        "Still Arrives"
    );
    assert_eq!(
        b.value(&format!(
            "SELECT COUNT(*) FROM oc_t_user WHERE s_email = '{removed}'"
        )),
        1,
        "kept, as B's database wants"
    );
    assert_eq!(
        outbox_size(&a),
        0,
        "the failed removal does not block the queue"
    );
}

#[test]
fn a_feed_run_again_keeps_what_was_changed_here_since() {
    let (a, b) = pair();
    let who = first_active(&a, 0);
    b.sql(&format!(
        "UPDATE oc_t_user SET s_name = 'Edited on B' WHERE s_email = '{who}'"
    ));
    a.sql(&format!(
        "UPDATE oc_t_user SET s_phone_mobile = '+44 7700 900000' WHERE s_email = '{who}'"
    ));
    b.restart_feed(1);
    b.feed(1);
    let on_b = user(&b, &who);
    assert_eq!(on_b["s_name"], "Edited on B", "B's newer edit stays");
    assert_eq!(
        on_b["s_phone_mobile"], "+44 7700 900000",
        "A's newer edit comes"
    );

    b.cron(false);
    a.cron(false);
    assert_eq!(user(&a, &who)["s_name"], "Edited on B");
    assert_eq!(user(&a, &who)["s_phone_mobile"], "+44 7700 900000");
}

#[test]
fn two_cron_runs_at_once_send_once() {
    let (a, b) = pair();
    let who = first_active(&a, 0);
    a.sql(&format!(
        "UPDATE oc_t_user SET s_name = 'Sent Once' WHERE s_email = '{who}'"
    ));
    // The first run holds the site's stream lock for three seconds; the second starts meanwhile.
    let slow = std::process::Command::new("php")
        .arg(a.dir.join("oc-content/plugins/account_sync/cron.php"))
        .env("ACCOUNT_SYNC_FAILPOINT", "pause:stream_locked")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let second = a.cron(false);
    assert_eq!(second["result"]["busy"], true, "{second}");
    assert_eq!(
        second["result"]["accounts"],
        serde_json::json!([]),
        "{second}"
    );

    let first = slow.wait_with_output().unwrap();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let first: Json = serde_json::from_slice(&first.stdout).unwrap();
    assert_eq!(first["result"]["accounts"][0]["sent"], 1, "{first}");
    assert_eq!(
        b.value(&format!(
            "SELECT s_name FROM oc_t_user WHERE s_email = '{who}'"
        )),
        "Sent Once"
    );
    assert_eq!(
        a.cron(false)["result"]["accounts"][0]["sent"],
        0,
        "nothing is left to send twice"
    );
}

#[test]
fn a_removal_takes_the_rows_osclass_removes_with_a_user() {
    let (a, b) = pair();
    let removed = first_active(&a, 2);
    let on_b = b.value(&format!(
        "SELECT pk_i_id FROM oc_t_user WHERE s_email = '{removed}'"
    ));
    b.sql("INSERT INTO oc_t_category (pk_i_id) VALUES (1)");
    b.sql(&format!(
        "INSERT INTO oc_t_item (pk_i_id, fk_i_user_id, fk_i_category_id, dt_pub_date, s_contact_email) VALUES (77, {on_b}, 1, NOW(), '{removed}')"
    ));
    b.sql("INSERT INTO oc_t_item_description (fk_i_item_id, fk_c_locale_code, s_title, s_description) VALUES (77, 'en_US', 'Bike', 'Red bike')");
    b.sql(&format!("INSERT INTO oc_t_item_comment (fk_i_item_id, s_author_name, s_author_email, s_body, fk_i_user_id, dt_pub_date) VALUES (77, 'x', '{removed}', 'nice', {on_b}, NOW())"));
    b.sql(&format!("INSERT INTO oc_t_alerts (s_email, fk_i_user_id, s_search, e_type) VALUES ('{removed}', {on_b}, 'bikes', 'DAILY')"));

    let id = a.value(&format!(
        "SELECT pk_i_id FROM oc_t_user WHERE s_email = '{removed}'"
    ));
    a.remove_user(&id);
    a.cron(false);

    for (table, column) in [
        ("user", "pk_i_id"),
        ("item", "fk_i_user_id"),
        ("item_comment", "fk_i_user_id"),
        ("alerts", "fk_i_user_id"),
        ("user_description", "fk_i_user_id"),
    ] {
        assert_eq!(
            b.value(&format!(
                "SELECT COUNT(*) FROM oc_t_{table} WHERE {column} = {on_b}"
            )),
            0,
            "{table}"
        );
    }
    assert_eq!(
        b.value("SELECT COUNT(*) FROM oc_t_item_description WHERE fk_i_item_id = 77"),
        0
    );
}

#[test]
fn an_edit_crossing_an_e_mail_change_reaches_the_same_person() {
    let (a, b) = pair();
    let who = first_active(&a, 3);
    a.sql(&format!(
        "UPDATE oc_t_user SET s_email = 'moved.on.a@example.com' WHERE s_email = '{who}'"
    ));
    b.sql(&format!(
        "UPDATE oc_t_user SET s_name = 'Edited on B' WHERE s_email = '{who}'"
    ));
    b.cron(false);
    a.cron(false);
    b.cron(false);
    for s in [&a, &b] {
        assert_eq!(
            s.value(&format!(
                "SELECT COUNT(*) FROM oc_t_user WHERE s_email = '{who}'"
            )),
            0,
            "{}",
            s.name
        );
        assert_eq!(
            s.value("SELECT s_name FROM oc_t_user WHERE s_email = 'moved.on.a@example.com'"),
            "Edited on B",
            "{}",
            s.name
        );
    }
    assert_eq!(state(&a), state(&b));
}

#[test]
fn a_user_removed_and_registered_again_in_one_run_arrives_as_the_new_person() {
    let (a, b) = pair();
    let who = first_active(&a, 4);
    let id = a.value(&format!(
        "SELECT pk_i_id FROM oc_t_user WHERE s_email = '{who}'"
    ));
    a.remove_user(&id);
    a.sql(&format!(
        "INSERT INTO oc_t_user (dt_reg_date, s_name, s_username, s_password, s_email, b_enabled, b_active)
         VALUES (NOW(), 'New Person', 'newp', SHA1('new'), '{who}', 1, 1)"
    ));
    let run = a.cron(false);
    assert_eq!(run["result"]["accounts"][0]["failed"], 0, "{run}");
    assert_eq!(
        b.value(&format!(
            "SELECT s_name FROM oc_t_user WHERE s_email = '{who}'"
        )),
        "New Person"
    );
}

#[test]
fn a_removal_is_not_undone_by_an_older_edit_arriving_later() {
    let (a, b) = pair();
    let who = first_active(&a, 5);
    b.sql(&format!(
        "UPDATE oc_t_user SET s_name = 'Edited first on B' WHERE s_email = '{who}'"
    ));
    std::thread::sleep(std::time::Duration::from_millis(20));
    let id = a.value(&format!(
        "SELECT pk_i_id FROM oc_t_user WHERE s_email = '{who}'"
    ));
    a.remove_user(&id);
    b.cron(false);
    a.cron(false);
    b.cron(false);
    for s in [&a, &b] {
        assert_eq!(
            s.value(&format!(
                "SELECT COUNT(*) FROM oc_t_user WHERE s_email = '{who}'"
            )),
            0,
            "{}",
            s.name
        );
    }
}

#[test]
fn a_feed_run_again_does_not_bring_back_a_user_removed_here() {
    let (a, b) = pair();
    let who = first_active(&a, 6);
    let id = b.value(&format!(
        "SELECT pk_i_id FROM oc_t_user WHERE s_email = '{who}'"
    ));
    b.remove_user(&id);
    b.restart_feed(1);
    b.feed(1);
    assert_eq!(
        b.value(&format!(
            "SELECT COUNT(*) FROM oc_t_user WHERE s_email = '{who}'"
        )),
        0
    );
    b.cron(false);
    assert_eq!(
        a.value(&format!(
            "SELECT COUNT(*) FROM oc_t_user WHERE s_email = '{who}'"
        )),
        0,
        "the removal reached A"
    );
}

#[test]
fn a_removed_description_is_removed_on_the_other_site_too() {
    let (a, b) = pair();
    let who = first_active(&a, 7);
    let id = a.value(&format!(
        "SELECT pk_i_id FROM oc_t_user WHERE s_email = '{who}'"
    ));
    a.sql(&format!("INSERT INTO oc_t_user_description (fk_i_user_id, fk_c_locale_code, s_info) VALUES ({id}, 'en_US', 'About me') ON DUPLICATE KEY UPDATE s_info = 'About me'"));
    a.cron(false);
    let on_b = |s: &Site| {
        s.value(&format!("SELECT COUNT(*) FROM oc_t_user_description d JOIN oc_t_user u ON u.pk_i_id = d.fk_i_user_id WHERE u.s_email = '{who}'"))
    };
    assert_eq!(on_b(&b), 1);

    a.sql(&format!(
        "DELETE FROM oc_t_user_description WHERE fk_i_user_id = {id}"
    ));
    let run = a.cron(false);
    assert_eq!(run["result"]["accounts"][0]["applied"], 1, "{run}");
    assert_eq!(on_b(&b), 0, "the description is gone on B as well");
}

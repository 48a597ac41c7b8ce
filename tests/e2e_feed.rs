//! Site B feeds from site A over real HTTP: `php -S` serving the plugin, PHP FFI, the
//! library, MariaDB. B ends with exactly A's active and enabled users.

mod support;

use std::collections::BTreeMap;

use serde_json::Value as Json;
use support::sites::Site;

/// The synced view of a site's users, keyed by normalised e-mail. Coordinates are rounded
/// to the smaller precision of the two forks.
fn users(site: &Site, only_active_enabled: bool) -> BTreeMap<String, Json> {
    let filter = if only_active_enabled {
        "WHERE b_active = 1 AND b_enabled = 1"
    } else {
        ""
    };
    let rows = site.sql(&format!(
        "SELECT LOWER(TRIM(s_email)) AS k, s_email, s_name, s_username, s_password, s_website, s_phone_land,
                s_phone_mobile, b_active, b_enabled, s_country, s_region, s_city, s_city_area, s_address, s_zip,
                ROUND(d_coord_lat, 6) AS lat, ROUND(d_coord_long, 6) AS lng, b_company, dt_reg_date, dt_mod_date
         FROM oc_t_user {filter} ORDER BY k"
    ));
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| (r["k"].as_str().unwrap().to_string(), r.clone()))
        .collect()
}

fn descriptions(site: &Site, locales: &[&str]) -> BTreeMap<String, Json> {
    let list = locales
        .iter()
        .map(|l| format!("'{l}'"))
        .collect::<Vec<_>>()
        .join(",");
    let rows = site.sql(&format!(
        "SELECT CONCAT(LOWER(TRIM(u.s_email)), '/', d.fk_c_locale_code) AS k, d.s_info FROM oc_t_user u
         JOIN oc_t_user_description d ON d.fk_i_user_id = u.pk_i_id
         WHERE u.b_active = 1 AND u.b_enabled = 1 AND d.fk_c_locale_code IN ({list}) ORDER BY k"
    ));
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| (r["k"].as_str().unwrap().to_string(), r["s_info"].clone()))
        .collect()
}

fn count(site: &Site, sql: &str) -> i64 {
    let rows = site.sql(sql);
    let first = &rows[0];
    let value = first.as_object().unwrap().values().next().unwrap();
    value
        .as_str()
        .map(|s| s.parse().unwrap())
        .or_else(|| value.as_i64())
        .unwrap()
}

fn has_four_byte_char(row: &Json) -> bool {
    row.as_object().unwrap().values().any(|v| {
        v.as_str()
            .is_some_and(|s| s.chars().any(|c| c as u32 > 0xFFFF))
    })
}

/// Users every test wants on A, beyond what the seeder makes: a legacy SHA-1 hash, a
/// mixed-case e-mail, an emoji name, one inactive and one blocked user.
fn add_edge_users(a: &Site) {
    a.sql(
        "INSERT INTO oc_t_user (dt_reg_date, s_name, s_username, s_password, s_email, b_enabled, b_active,
                                fk_c_country_code, s_country, s_region, s_city)
         VALUES ('2020-01-02 03:04:05', 'Legacy Lee', 'legacy', SHA1('old-secret'), 'Legacy.Lee@Example.org', 1, 1, NULL, 'Spain', 'Madrid', 'Alcalá'),
                ('2021-05-06 07:08:09', 'Zoë 😀 Smile', 'zoe', '$2y$04$abcdefghijklmnopqrstuuJ5d5Q8GQ7Xq0U5c8v2s1Y0oWb6u3a1O', 'ZOE@Example.ORG', 1, 1, NULL, NULL, NULL, NULL),
                ('2022-01-01 00:00:00', 'Never Validated', 'nv', SHA1('x'), 'inactive@example.org', 1, 0, NULL, NULL, NULL, NULL),
                ('2022-01-01 00:00:00', 'Blocked Bob', 'bob', SHA1('x'), 'blocked@example.org', 0, 1, NULL, NULL, NULL, NULL)",
    );
    a.sql(
        "INSERT INTO oc_t_user_description (fk_i_user_id, fk_c_locale_code, s_info)
         SELECT pk_i_id, 'es_ES', 'Hola, soy Zoë 😀' FROM oc_t_user WHERE s_email = 'ZOE@Example.ORG'",
    );
}

#[test]
fn feed_brings_exactly_the_active_enabled_users_and_a_second_feed_changes_nothing() {
    let mut a = Site::create("a", "op84", "en_US,es_ES");
    let b = Site::create("b", "op84", "en_US,es_ES");
    let c = Site::create("c", "ms52", "en_US");
    a.seed(160, 11);
    add_edge_users(&a);
    a.serve();

    a.add_account(&b, None);
    a.add_account(&c, None);
    let from_a_on_b = b.add_account(&a, None);
    let from_a_on_c = c.add_account(&a, None);
    b.set_preference("feed_limit", "7");

    // One location of A exists on B under other ids: B must point at its own rows.
    b.sql("INSERT INTO oc_t_country (pk_c_code, s_name) VALUES ('ES', 'Spain')");
    b.sql(
        "INSERT INTO oc_t_region (pk_i_id, fk_c_country_code, s_name) VALUES (901, 'ES', 'Madrid')",
    );
    b.sql("INSERT INTO oc_t_city (pk_i_id, fk_i_region_id, s_name, fk_c_country_code) VALUES (902, 901, 'Alcalá', 'ES')");
    a.sql("UPDATE oc_t_user SET fk_c_country_code = NULL WHERE s_email = 'Legacy.Lee@Example.org'");
    a.sql("INSERT IGNORE INTO oc_t_country (pk_c_code, s_name) VALUES ('ES', 'Spain')");
    a.sql("UPDATE oc_t_user SET fk_c_country_code = 'ES' WHERE s_email = 'Legacy.Lee@Example.org'");

    let expected = users(&a, true);
    let total = expected.len();
    assert!(total > 100, "the seeder made {total} active users");
    assert!(
        count(
            &a,
            "SELECT COUNT(*) FROM oc_t_user WHERE b_active = 0 OR b_enabled = 0"
        ) >= 2
    );

    // B: many small batches.
    let lines = b.feed(from_a_on_b);
    let batches = total.div_ceil(7);
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("Progress: ")).count(),
        batches,
        "{lines:#?}"
    );
    assert!(
        lines.iter().any(|l| l.starts_with(&format!(
            "Progress: {:.2}% (Total stats - Retrieved: 7, Remaining: {}, Total: {total} / Last request stats - Retrieved : 7, Limit: 7, From user ID: 0)",
            700.0 / total as f64,
            total - 7
        ))),
        "{lines:#?}"
    );
    let last = lines
        .iter()
        .rev()
        .find(|l| l.starts_with("Progress: "))
        .unwrap();
    assert!(
        last.starts_with(&format!(
            "Progress: 100.00% (Total stats - Retrieved: {total}, Remaining: 0, Total: {total}"
        )),
        "{last}"
    );

    assert_eq!(
        users(&b, false),
        expected,
        "B holds exactly A's active and enabled users"
    );
    assert_eq!(
        descriptions(&b, &["en_US", "es_ES"]),
        descriptions(&a, &["en_US", "es_ES"])
    );
    let lee = &b.sql("SELECT fk_c_country_code, fk_i_region_id, fk_i_city_id, s_password FROM oc_t_user WHERE s_email = 'Legacy.Lee@Example.org'")[0];
    assert_eq!(lee["fk_i_region_id"], 901);
    assert_eq!(lee["fk_i_city_id"], 902);
    assert_eq!(
        lee["s_password"].as_str().unwrap().len(),
        40,
        "legacy SHA-1 copied as it is"
    );
    assert_eq!(count(&b, "SELECT COUNT(*) FROM oc_t_user WHERE fk_i_region_id IS NOT NULL AND fk_i_region_id <> 901"), 0);

    let account = b.account(from_a_on_b);
    let max_id = count(
        &a,
        "SELECT MAX(pk_i_id) FROM oc_t_user WHERE b_active = 1 AND b_enabled = 1",
    );
    assert_eq!(account["last_user_id"], max_id);
    assert_eq!(account["synced_from"], total as i64);
    assert_eq!(account["last_status"], "OK");
    assert!(account["last_message"]
        .as_str()
        .unwrap()
        .starts_with("Progress: 100.00%"));

    let feed_logs = b.logs(r#"{"type":"FEED","account_id":1,"per_page":500}"#);
    assert_eq!(feed_logs["total"], batches as i64);
    let process_logs = b.logs(r#"{"type":"PROCESS","account_id":1,"per_page":500}"#);
    assert_eq!(process_logs["total"], batches as i64);
    assert!(process_logs["logs"][0]["response"]
        .as_str()
        .unwrap()
        .contains("0 failed"));
    let served = a.logs(r#"{"type":"FEED","per_page":500}"#);
    assert_eq!(
        served["total"], batches as i64,
        "A logged every page it served"
    );
    assert!(
        !serde_json::to_string(&served).unwrap().contains("$2y$"),
        "no hash in A's logs"
    );
    assert!(
        !serde_json::to_string(&feed_logs)
            .unwrap()
            .contains(&a.api_key),
        "no key in B's logs"
    );

    // The same passwords log in on B.
    let login = support::run(
        std::process::Command::new("php")
            .arg(support::repo().join("tests/harness/site.php"))
            .args([
                "login",
                &format!("--dir={}", b.dir.display()),
                "--email=legacy.lee@example.org",
                "--password=old-secret",
            ]),
    );
    assert!(login.contains("\"ok\":true"), "{login}");

    // A second full feed from user id 0 writes nothing.
    let checksum = |s: &Site| s.sql("CHECKSUM TABLE oc_t_user, oc_t_user_description EXTENDED");
    let before = checksum(&b);
    b.restart_feed(from_a_on_b);
    let again = b.feed(from_a_on_b);
    assert!(
        again
            .last()
            .unwrap()
            .contains(" retrieved, 0 applied, 0 failed"),
        "{again:#?}"
    );
    assert_eq!(checksum(&b), before, "a second feed changes nothing");
    assert_eq!(b.account(from_a_on_b)["synced_from"], total as i64);

    // C runs the MindStellar fork: 3-byte utf8 tables and no es_ES. Emoji users fail alone.
    c.feed(from_a_on_c);
    let storable: BTreeMap<String, Json> = expected
        .iter()
        .filter(|(_, r)| !has_four_byte_char(r))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    assert!(storable.len() < expected.len(), "A has users with emoji");
    assert_eq!(users(&c, false), storable);
    let failed = c.logs(r#"{"type":"PROCESS","status":207,"per_page":500}"#);
    let failed_text = serde_json::to_string(&failed).unwrap();
    assert!(failed["total"].as_i64().unwrap() >= 1);
    let entry = c.php(&format!(
        "echo json_encode(AccountSync\\Library::instance()->log({}));",
        failed["logs"][0]["id"]
    ));
    assert!(
        entry["log"]["content"]
            .as_str()
            .unwrap()
            .contains("Incorrect string value"),
        "{failed_text}"
    );
    let c_account = c.account(from_a_on_c);
    assert_eq!(
        c_account["last_user_id"], max_id,
        "the cursor moved past the failed records"
    );
    assert_eq!(c_account["last_status"], "PARTIAL");
    assert_eq!(
        count(
            &c,
            "SELECT COUNT(*) FROM oc_t_user_description WHERE fk_c_locale_code <> 'en_US'"
        ),
        0
    );
}

#[test]
fn dates_travel_in_utc_and_land_in_each_site_s_own_zone() {
    let mut a = Site::create_in_zone("a", "ms52", "Europe/Madrid");
    let mut b = Site::create_in_zone("b", "op84", "America/New_York");
    a.sql(
        "INSERT INTO oc_t_user (dt_reg_date, dt_mod_date, s_name, s_username, s_password, s_email, b_enabled, b_active)
         VALUES ('2024-07-01 12:00:00', '2024-01-15 10:00:00', 'Summer Sam', 'sam', SHA1('x'), 'sam@example.com', 1, 1)",
    );
    a.serve();
    b.serve();
    a.add_account(&b, None);
    b.add_account(&a, None);
    b.feed(1);
    let sam = &b
        .sql("SELECT dt_reg_date, dt_mod_date FROM oc_t_user WHERE s_email = 'sam@example.com'")[0];
    // Madrid is UTC+2 in July and UTC+1 in January; New York UTC-4 and UTC-5.
    assert_eq!(sam["dt_reg_date"], "2024-07-01 06:00:00");
    assert_eq!(sam["dt_mod_date"], "2024-01-15 04:00:00");

    // The plugin's own dates (logs, the account's last run) are in the site's time too.
    let skew = |filter: &str| {
        b.php(&format!(
            "$l = AccountSync\\Library::instance()->logs({filter})['logs'][0]['date'];
             $now = new DateTime('now', new DateTimeZone('America/New_York'));
             echo json_encode(['seconds' => abs(strtotime($l) - strtotime($now->format('Y-m-d H:i:s')))]);"
        ))
    };
    let feed_log = skew("['per_page' => 1]");
    assert!(feed_log["seconds"].as_i64().unwrap() < 300, "{feed_log}");

    // And back, by the stream: an edit on B reaches A in A's time.
    b.sql("UPDATE oc_t_user SET dt_mod_date = '2024-12-24 18:30:00' WHERE s_email = 'sam@example.com'");
    b.cron(false);
    assert_eq!(
        a.value("SELECT dt_mod_date FROM oc_t_user WHERE s_email = 'sam@example.com'"),
        "2024-12-25 00:30:00"
    );
    // The stream writes its log on a connection of the thread that served the account.
    let stream_log = skew("['type' => 'STREAM', 'per_page' => 1]");
    assert!(
        stream_log["seconds"].as_i64().unwrap() < 300,
        "{stream_log}"
    );
}

/// How many records B fetched because their digest had changed, over all its feed logs.
fn fetched_changed(b: &Site) -> u64 {
    let logs = b.logs(r#"{"type":"FEED","per_page":500}"#);
    logs["logs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|l| l["response"].as_str())
        .filter_map(|r| r.strip_suffix(" changed users fetched"))
        .map(|n| n.parse::<u64>().unwrap())
        .sum()
}

#[test]
fn a_feed_run_again_fetches_only_the_users_that_changed() {
    // A runs the MindStellar fork (utf8 columns); the other feed test has the 8.x fork serve.
    let mut a = Site::create("a", "ms52", "en_US");
    let b = Site::create("b", "op84", "en_US");
    a.seed(50, 5);
    a.serve();
    a.add_account(&b, None);
    let from_a = b.add_account(&a, None);
    b.set_preference("feed_limit", "8");

    b.feed(from_a);
    let expected = users(&a, true);
    let total = expected.len();
    assert!(
        total > 5 * 8,
        "more users than one page of digests: {total}"
    );
    assert!(users(&b, false) == expected, "B holds A's users");
    assert_eq!(fetched_changed(&b), 0, "a first feed gets whole pages");

    // Nothing changed on A: the pages come as digests and no record is fetched.
    b.restart_feed(from_a);
    let again = b.feed(from_a);
    assert!(
        again
            .last()
            .unwrap()
            .contains(&format!("{total} retrieved, 0 applied, 0 failed")),
        "{again:#?}"
    );
    assert_eq!(fetched_changed(&b), 0);
    let process = b.logs(r#"{"type":"PROCESS","per_page":1}"#);
    assert!(
        process["logs"][0]["response"]
            .as_str()
            .unwrap()
            .starts_with("0 inserted, 0 updated, "),
        "{process}"
    );

    // One user changed on A: exactly that one is fetched and applied.
    let id = a.value(
        "SELECT pk_i_id FROM oc_t_user WHERE b_active = 1 AND b_enabled = 1 ORDER BY pk_i_id LIMIT 1 OFFSET 7",
    );
    a.sql(&format!(
        "UPDATE oc_t_user SET s_name = 'Renamed On A' WHERE pk_i_id = {id}"
    ));
    b.restart_feed(from_a);
    let third = b.feed(from_a);
    assert!(
        third
            .last()
            .unwrap()
            .contains(&format!("{total} retrieved, 1 applied, 0 failed")),
        "{third:#?}"
    );
    assert_eq!(fetched_changed(&b), 1);
    assert!(users(&b, false) == users(&a, true), "B has the change");

    // A description changed on A, and one added: both users are fetched.
    let described = a.value(
        "SELECT d.fk_i_user_id FROM oc_t_user_description d JOIN oc_t_user u ON u.pk_i_id = d.fk_i_user_id
         WHERE u.b_active = 1 AND u.b_enabled = 1 AND d.s_info <> '' ORDER BY d.fk_i_user_id LIMIT 1",
    );
    let undescribed = a.value(
        "SELECT pk_i_id FROM oc_t_user u WHERE b_active = 1 AND b_enabled = 1
         AND NOT EXISTS (SELECT 1 FROM oc_t_user_description d WHERE d.fk_i_user_id = u.pk_i_id) ORDER BY pk_i_id LIMIT 1",
    );
    a.sql(&format!(
        "UPDATE oc_t_user_description SET s_info = 'Sobre mí, de nuevo' WHERE fk_i_user_id = {described}"
    ));
    a.sql(&format!(
        "INSERT INTO oc_t_user_description (fk_i_user_id, fk_c_locale_code, s_info) VALUES ({undescribed}, 'en_US', 'New here')"
    ));
    b.restart_feed(from_a);
    b.feed(from_a);
    assert_eq!(fetched_changed(&b), 3);
    assert_eq!(
        descriptions(&b, &["en_US"]),
        descriptions(&a, &["en_US"]),
        "B has both descriptions"
    );

    // Fewer columns on the account: what was remembered no longer says what B holds, so
    // every user is applied again once, and then no more. The first page of digests (five
    // times the feed limit) fetches all its users; past it the feed asks for whole pages.
    let account = b.account(from_a);
    let mut columns: Vec<String> = account["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert!(columns.iter().any(|c| c == "s_phone_mobile"));
    columns.retain(|c| c != "s_phone_mobile");
    b.php(&format!(
        "$l = AccountSync\\Library::instance();
         $l->saveAccount(['id' => {from_a}, 'name' => 'Site A', 'url' => '{}', 'columns' => json_decode('{}', true), 'last_user_id' => 0]);
         echo '{{}}';",
        a.url,
        serde_json::to_string(&columns).unwrap()
    ));
    let fourth = b.feed(from_a);
    assert!(
        fourth
            .last()
            .unwrap()
            .contains(&format!("{total} retrieved, 0 applied, 0 failed")),
        "{fourth:#?}"
    );
    assert_eq!(fetched_changed(&b), 3 + 5 * 8);
    b.restart_feed(from_a);
    b.feed(from_a);
    assert_eq!(
        fetched_changed(&b),
        3 + 5 * 8,
        "everything was remembered again"
    );

    // B's users emptied behind the plugin's back: nothing remembered stands for a user any
    // more, and the feed brings them all back in whole pages.
    support::mysql(
        Some(&b.db),
        "SET FOREIGN_KEY_CHECKS = 0; TRUNCATE oc_t_user_description; TRUNCATE oc_t_user",
    );
    b.restart_feed(from_a);
    let fifth = b.feed(from_a);
    assert!(
        fifth
            .last()
            .unwrap()
            .contains(&format!("{total} retrieved, {total} applied, 0 failed")),
        "{fifth:#?}"
    );
    assert_eq!(fetched_changed(&b), 3 + 5 * 8);
    assert!(
        users(&b, false) == users(&a, true),
        "B holds A's users again"
    );
}

#[test]
fn a_feed_run_again_fetches_what_changed_around_the_digests() {
    let mut a = Site::create("a", "op84", "en_US,es_ES");
    let mut c = Site::create("c", "op84", "en_US");
    let b = Site::create("b", "op84", "en_US");
    for site in [&a, &b, &c] {
        site.sql("ALTER TABLE oc_t_user ADD COLUMN d_score FLOAT NULL");
        site.set_preference("custom_columns", r#"["d_score"]"#);
    }
    a.seed(30, 8);
    a.serve();
    c.serve();
    a.add_account(&b, None);
    c.add_account(&b, None);
    let from_a = b.add_account(&a, None);
    let from_c = b.add_account(&c, None);
    let id = a.value(
        "SELECT pk_i_id FROM oc_t_user WHERE b_active = 1 AND b_enabled = 1 ORDER BY pk_i_id LIMIT 1",
    );
    let email = a.value(&format!(
        "SELECT s_email FROM oc_t_user WHERE pk_i_id = {id}"
    ));
    a.sql(&format!(
        "UPDATE oc_t_user SET d_score = 1.2345678 WHERE pk_i_id = {id}"
    ));
    b.feed(from_a);
    let score = |s: &Site| {
        s.value(&format!(
            "SELECT CAST(d_score AS DOUBLE) FROM oc_t_user WHERE s_email = {email}"
        ))
    };
    assert_eq!(score(&b), score(&a), "the custom column came");

    // A float whose text rounds to the same digits, changed where no trigger sees it.
    support::mysql(
        Some(&a.db),
        &format!(
            "SET @account_sync_applying = 1; UPDATE oc_t_user SET d_score = 1.2345671 WHERE pk_i_id = {id}"
        ),
    );
    assert_ne!(score(&b), score(&a));
    b.restart_feed(from_a);
    b.feed(from_a);
    assert_eq!(score(&b), score(&a), "the rounded float was seen to change");
    assert_eq!(fetched_changed(&b), 1);

    // A locale installed here: the descriptions in it are applied by the next feed.
    let in_spanish = count(
        &a,
        "SELECT COUNT(*) FROM oc_t_user_description d JOIN oc_t_user u ON u.pk_i_id = d.fk_i_user_id
         WHERE u.b_active = 1 AND u.b_enabled = 1 AND d.fk_c_locale_code = 'es_ES' AND d.s_info <> ''",
    );
    assert!(in_spanish > 0);
    support::mysql(
        None,
        &format!(
            "INSERT INTO `{}`.oc_t_locale SELECT * FROM `{}`.oc_t_locale WHERE pk_c_code = 'es_ES'",
            b.db, a.db
        ),
    );
    b.restart_feed(from_a);
    b.feed(from_a);
    assert_eq!(
        descriptions(&b, &["es_ES"]),
        descriptions(&a, &["es_ES"]),
        "B's new locale got its descriptions"
    );

    // The same person on C, renamed there later: C's feed changes B's user. What A's feed
    // remembered of that user no longer holds, so A's next feed fetches it again (and keeps
    // C's name, the newer one, as it would have without digests).
    c.sql(&format!(
        "INSERT INTO oc_t_user (dt_reg_date, s_name, s_username, s_password, s_email, b_enabled, b_active)
         VALUES (NOW(), 'Named On C', 'named_on_c', 'x', {email}, 1, 1)"
    ));
    b.feed(from_c);
    let name = |s: &Site| {
        s.value(&format!(
            "SELECT s_name FROM oc_t_user WHERE s_email = {email}"
        ))
    };
    assert_eq!(name(&b), "Named On C");
    let fetched = fetched_changed(&b);
    b.restart_feed(from_a);
    b.feed(from_a);
    assert_eq!(
        fetched_changed(&b),
        fetched + 1,
        "A's feed fetched the user again"
    );
    assert_eq!(name(&b), "Named On C");
}

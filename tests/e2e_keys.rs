//! Rotating a site's API key without stopping: the rotating site signs with its new and its
//! previous key for a while, and an account keeps accepting the other site's previous key for
//! a while after its owner entered the new one.

mod support;

use serde_json::Value as Json;
use support::sites::Site;

fn test_connection(site: &Site) -> Json {
    site.php(
        "try { echo json_encode(AccountSync\\Library::instance()->testAccount(1)); }
         catch (AccountSync\\LibraryException $e) { echo json_encode(['ok' => false, 'error' => $e->getMessage()]); }",
    )
}

#[test]
fn a_key_rotation_keeps_both_sites_talking() {
    let mut a = Site::create("a", "ms52", "en_US");
    let mut b = Site::create("b", "ms52", "en_US");
    a.seed(12, 6);
    a.serve();
    b.serve();
    a.add_account(&b, None);
    b.add_account(&a, None);
    let old_key = b.api_key.clone();
    let new_key = "the-new-key-of-site-b-0123456789";

    // B regenerates its key, as Configure does; A still holds the old one.
    b.php(&format!(
        "AccountSync\\Config::load()->withRotatedKey('{new_key}')->save(); echo '{{}}';"
    ));
    assert_eq!(
        b.value("SELECT s_value FROM oc_t_preference WHERE s_name = 'previous_api_key'"),
        old_key.as_str()
    );
    assert_eq!(
        test_connection(&b)["ok"],
        true,
        "A accepts B's old signature during the rotation"
    );
    assert!(b.feed(1).iter().any(|l| l.starts_with("Progress: 100.00%")));

    // A's owner enters B's new key; A keeps accepting the old one for a week.
    a.php(&format!(
        "$l = AccountSync\\Library::instance(); $x = $l->account(1)['account'];
         $l->saveAccount(['id' => 1, 'name' => $x['name'], 'url' => $x['url'], 'columns' => $x['columns'], 'api_key' => '{new_key}']);
         echo '{{}}';"
    ));
    let account = a.account(1);
    assert!(account["previous_key_until"].is_string(), "{account}");
    assert_eq!(test_connection(&b)["ok"], true);

    // B's rotation ends: it signs with the new key alone, and A takes it.
    b.set_preference("previous_key_until", "1");
    assert_eq!(
        test_connection(&b)["ok"],
        true,
        "the new key alone is accepted"
    );

    // A site still signing with the old key alone is accepted during A's grace only.
    b.set_preference("api_key", &old_key);
    b.set_preference("previous_api_key", "");
    assert_eq!(
        test_connection(&b)["ok"],
        true,
        "the previous key, within the grace period"
    );
    a.sql("UPDATE oc_t_account_sync_account SET dt_prev_key_until = NOW() - INTERVAL 1 SECOND");
    let refused = test_connection(&b);
    assert_eq!(refused["ok"], false);
    assert!(
        refused["error"]
            .as_str()
            .unwrap()
            .contains("ERR: API Key is invalid - no account found"),
        "{refused}"
    );
    assert!(a.account(1)["previous_key_until"].is_null());
}

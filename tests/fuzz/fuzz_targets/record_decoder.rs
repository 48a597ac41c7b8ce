//! Any JSON as a user record or a streamed event: decoding succeeds or refuses, never
//! panics, and what decodes keeps its meaning through its own JSON.
#![no_main]

use account_sync::domain::record::UserRecord;
use account_sync::service::receive::Event;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    if let Ok(record) = UserRecord::from_json(&json) {
        assert_eq!(UserRecord::from_json(&record.to_json()).expect("a decoded record decodes again"), record);
    }
    if let Ok(event) = Event::from_json(&json) {
        assert_eq!(Event::from_json(&event.to_json()).expect("a decoded event decodes again"), event);
    }
});

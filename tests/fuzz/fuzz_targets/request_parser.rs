//! Any bytes as a request body: parsing either succeeds or refuses with an error, never
//! panics, and a parsed request survives a round trip through its JSON.
#![no_main]

use account_sync::transport::wire::Request;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    if let Ok(request) = Request::parse(body) {
        let again = Request::parse(request.to_json().to_string().as_bytes()).expect("a parsed request parses again");
        assert_eq!(again, request);
    }
});

//! Strings the library hands to C, and taking them back.
//!
//! In debug builds every string handed out is remembered, so that freeing a pointer twice,
//! or one the library never made, is reported on stderr and ignored instead of corrupting
//! the heap. Release builds skip the bookkeeping.

use std::ffi::{c_char, CString};

#[cfg(debug_assertions)]
mod ledger {
    use std::collections::HashSet;
    use std::sync::Mutex;

    use once_cell::sync::Lazy;

    static LIVE: Lazy<Mutex<HashSet<usize>>> = Lazy::new(|| Mutex::new(HashSet::new()));

    pub fn issued(p: usize) {
        LIVE.lock().unwrap_or_else(|e| e.into_inner()).insert(p);
    }

    pub fn returned(p: usize) -> bool {
        LIVE.lock().unwrap_or_else(|e| e.into_inner()).remove(&p)
    }
}

/// Hands a string to C. NUL bytes inside (which C cannot see past) become U+FFFD.
pub fn to_c(text: String) -> *mut c_char {
    let c = CString::new(text).unwrap_or_else(|e| {
        let cleaned = String::from_utf8_lossy(&e.into_vec()).replace('\0', "\u{fffd}");
        CString::new(cleaned).expect("NUL bytes were replaced")
    });
    let p = c.into_raw();
    #[cfg(debug_assertions)]
    ledger::issued(p as usize);
    p
}

/// Takes back a string made by [`to_c`].
///
/// # Safety
/// `p` is NULL or a pointer returned by [`to_c`] and not freed since.
pub unsafe fn free(p: *mut c_char) {
    if p.is_null() {
        return;
    }
    #[cfg(debug_assertions)]
    if !ledger::returned(p as usize) {
        eprintln!("account_sync: as_string_free was given a pointer the library did not hand out, or one freed already; ignored");
        return;
    }
    // SAFETY: the caller promises `p` came from `CString::into_raw` in `to_c`.
    drop(unsafe { CString::from_raw(p) });
}

//! The panic boundary and pointer checks every export goes through.

use std::ffi::{c_char, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::error::{Code, Error, Result};
use crate::ffi::strings;
use crate::state;

/// Runs `work`, writes its output or error message to `*out` and returns the result code.
/// A panic becomes `AS_ERR_PANIC`; nothing unwinds into C.
pub fn run(out: *mut *mut c_char, work: impl FnOnce() -> Result<String>) -> i32 {
    if out.is_null() {
        return Code::NullArgument as i32;
    }
    let (code, text) = match catch_unwind(AssertUnwindSafe(work)) {
        Ok(Ok(text)) => (Code::Ok, text),
        Ok(Err(e)) => (e.code, e.message),
        Err(panic) => {
            let _ = catch_unwind(state::after_panic);
            let e = Error::from_panic(&*panic);
            (e.code, e.message)
        }
    };
    // SAFETY: `out` was checked to be non-NULL; the caller promises it points to writable
    // storage for one pointer.
    unsafe { *out = strings::to_c(text) };
    code as i32
}

/// Borrows a NUL-terminated UTF-8 argument.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that stays valid during the call.
pub unsafe fn text<'a>(p: *const c_char, name: &str) -> Result<&'a str> {
    if p.is_null() {
        return Err(Error::new(Code::NullArgument, format!("{name} is NULL")));
    }
    // SAFETY: non-NULL and NUL-terminated by the caller's promise.
    let c = unsafe { CStr::from_ptr(p) };
    c.to_str()
        .map_err(|_| Error::new(Code::InvalidUtf8, format!("{name} is not valid UTF-8")))
}

/// Borrows a byte buffer; NULL is accepted only with a length of 0.
///
/// # Safety
/// `p` is NULL or points to `len` readable bytes that stay valid during the call.
pub unsafe fn bytes<'a>(p: *const u8, len: usize, name: &str) -> Result<&'a [u8]> {
    if p.is_null() {
        if len == 0 {
            return Ok(&[]);
        }
        return Err(Error::new(
            Code::NullArgument,
            format!("{name} is NULL but its length is {len}"),
        ));
    }
    // SAFETY: non-NULL and `len` bytes long by the caller's promise.
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

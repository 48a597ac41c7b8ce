//! The C ABI: the only place that touches raw pointers.
//!
//! Each export checks its pointers, turns C strings into `&str`, runs the service inside a
//! panic boundary and hands back a code and a string the caller frees with
//! `as_string_free`.

mod boundary;
pub mod exports;
mod strings;

//! Pure domain types: no I/O, no database, no HTTP.

pub mod account;
pub mod columns;
pub mod email;
pub mod progress;
pub mod record;
pub mod time;

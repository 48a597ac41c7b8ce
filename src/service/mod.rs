//! Orchestration: feeding from another site, serving this site's endpoint, applying users.

pub mod admin;
pub mod apply;
pub mod feed;
pub mod receive;
pub mod serve;
pub mod stream;

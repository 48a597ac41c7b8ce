//! HTTP between sites: signing, the wire format, and the client that calls other sites.

pub mod client;
pub mod signing;
pub mod wire;

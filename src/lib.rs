//! account_sync keeps the user accounts of several Osclass sites in step.
//!
//! The crate is loaded by the Osclass plugin through PHP FFI; its C ABI lives in [`ffi`].
//! Layers, from the inside out: [`domain`] (pure types), [`storage`] (MySQL),
//! [`transport`] (HTTP and the wire format), [`service`] (feed, stream, receive) and [`ffi`].

pub mod config;
pub mod domain;
pub mod error;
pub mod ffi;
pub mod service;
pub mod state;
pub mod storage;
pub mod transport;

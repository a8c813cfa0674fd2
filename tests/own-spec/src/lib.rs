//! A binding generated from a spec of our own (`spec/`), not quectel-qi's: a firmware whose
//! `AT+QPING` accepts up to 100 requests where the application note allows 10, and a made-up
//! heartbeat command, `AT+QXHB`, with its URC. `build.rs` runs `qi_codegen::Builder` on it, as
//! quectel-qi's build script does on the document's spec; nothing is forked.
//!
//! The generated code refers to `crate::wire`: quectel-qi's hand-written wire support, reused.
//! The generated `DigestTables` give quectel-qi's length-aware digester this spec
//! (`quectel_qi::digest::SpecDigester<DigestTables>`, `tests/digest.rs`), and the build script
//! also writes the spec's test suite for this crate (`tests/generated.rs`).
#![no_std]

pub use quectel_qi::wire;

/// Only clippy's style lints that quectel-qi allows too; rustc's warnings are errors here
/// (qi-codegen's `compiles` test builds every spec it accepts with `-D warnings`).
#[allow(
    clippy::large_enum_variant,
    clippy::derivable_impls,
    clippy::match_single_binding,
    clippy::single_match
)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/qi.rs"));
}

pub use generated::*;

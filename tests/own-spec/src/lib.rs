//! A binding generated from a spec of our own (`spec/`), not quectel-qi's: a firmware whose
//! `AT+QPING` accepts up to 100 requests where the application note allows 10, and a made-up
//! heartbeat command, `AT+QXHB`, with its URC. `build.rs` runs `qi_codegen::Builder` on it, as
//! quectel-qi's build script does on the document's spec; nothing is forked.
//!
//! The generated code refers to `crate::wire`: quectel-qi's hand-written wire support, reused.
#![no_std]

pub use quectel_qi::wire;

/// Allowed as in quectel-qi, plus what only a small spec makes the generator emit (no data
/// URCs, one-variant matches): an unused payload argument, empty `if`s and single-arm matches.
#[allow(
    unused_parens,
    unused_variables,
    unknown_lints,
    clippy::large_enum_variant,
    clippy::derivable_impls,
    clippy::needless_ifs,
    clippy::match_single_binding,
    clippy::single_match
)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/qi.rs"));
}

pub use generated::*;

//! Typed AT commands for the TCP/IP ("QI") command set of Quectel's EG800Q, EG915Q and
//! EG916Q-GL modules, generated from a YAML description of Quectel's TCP/IP Application Note
//! (version 1.2).
//!
//! # The generated API
//!
//! Everything below except [`wire`] is generated from the spec at build time:
//!
//! - **Parameter types**: every integer parameter with a range is a newtype (`ConnectId`,
//!   `ContextId`, `Period`, ...) that cannot hold a value outside it: build one with `new`
//!   (`Option`), `TryFrom<i64>` or, for constants, `new_const`, which fails at compile time.
//!   Enumerations are enums (`AccessMode`, `ServiceType`, ...); keyword enums carry `as_str`.
//! - **Requests**: one module per command (`qiopen`, `qisend`, ...; `AT+QICFG` has a module per
//!   sub-configuration, `qicfg::recvind`) with a struct per form of the command
//!   (`qiopen::Open`, `qisend::SendFixed`, `qicfg::recvind::Set`). Each has `validate()`, which
//!   checks every rule of the spec and names the command, parameter, value and what is allowed;
//!   `encode()`, which validates first and writes nothing on failure; `MAX_LEN` (the longest
//!   encoding) and `TIMEOUT_MS` (the document's maximum response time).
//! - **Responses**: [`response`] holds a struct per response line shape, with `decode` (which
//!   ignores extra trailing fields from newer firmware) and `encode`.
//! - **URCs**: [`Urc`] has a variant per unsolicited result code, with `decode` and `encode`;
//!   payload-carrying variants hold their bytes.
//! - **Errors**: [`ErrorCode`] lists the codes of chapter 4 with their text.
//!
//! Every item's documentation comes from the spec: syntax, range, default, unit, timeout and the
//! section of the document; `#[doc(alias)]` carries the document's names (`AT+QIOPEN`,
//! `connectID`).
//!
//! The crate is `no_std` and needs no allocator.
//!
//! # Cargo features
//!
//! - `modem` (default): the spec's `modem` group, the modem's own commands beside the TCP/IP
//!   ones (`AT+CPIN`, `AT+CREG` and its URCs, `AT+CSQ`, `AT+COPS`, `AT+CFUN`, identification,
//!   time zone, `AT+QCFG`, ...). Neither the client nor the stack sends them; a firmware that
//!   does not either saves their decoders and digester tables (5.7 KB of flash in the QEMU
//!   firmware) with `default-features = false`, and must then leave the module's registration
//!   URCs off (they are unless `AT+CREG=1` and the like turn them on).
//! - `ping`, `ntp` (default): the spec's groups of `AT+QPING`
//!   ([`ping`](client::Client::ping), [`ping_each`](client::Client::ping_each)) and `AT+QNTP`
//!   ([`sync_time`](client::Client::sync_time)), with their URCs.
//! - `eg800q`, `eg915q`, `eg916q-gl`: the API of that module (at most one; the document states no
//!   difference, so today each is the general API).
//! - `std`, `host` (a stack on std threads over a serial port, TCP or any `std::io` pair),
//!   `log`, `defmt`.
#![no_std]
#![forbid(unsafe_code)]

#[cfg(feature = "std")]
extern crate std;

/// A warning through `log` or `defmt`, when one of those features is on.
macro_rules! warn_ {
    ($($arg:tt)*) => {{
        #[cfg(feature = "log")]
        log::warn!($($arg)*);
        #[cfg(feature = "defmt")]
        defmt::warn!($($arg)*);
    }};
}

pub mod client;
pub mod digest;
pub mod framing;
#[cfg(feature = "host")]
pub mod host;
pub mod prelude;
pub mod sizes;
pub mod stack;
pub mod supported;
pub mod tables;
pub mod wire;
mod zeroed;

// The crates whose types the public API uses, so an application keeps its versions in step.
pub use atat;
pub use embassy_time;
pub use embedded_hal;
pub use embedded_io;
pub use embedded_io_async;
pub use embedded_nal_async;
pub use heapless;

/// The generated API (see the crate documentation).
///
/// Allowed for generated code only: payload-carrying variants are large by design (no_std, no
/// `Box`), and `Default` impls are written out because the default comes from the spec.
#[allow(unused_parens, clippy::large_enum_variant, clippy::derivable_impls)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/qi.rs"));
}

/// What atat's URC channel holds for the atat-based client over atat's plain `Ingress`
/// (whole frames; with a [`client::PushIngress`] it holds [`client::UrcMeta`]).
pub use client::QueuedUrc;
pub use generated::*;

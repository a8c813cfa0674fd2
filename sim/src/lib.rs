//! qi-sim: a virtual Quectel EG915Q speaking the QI commands over a byte stream, and the
//! support code of the `qi` tool.
//!
//! The module decodes command lines with the generated codec of `quectel-qi`, keeps PDP
//! contexts and a socket table backed by real loopback sockets, and answers with the generated
//! encoders. Run it over an in-memory duplex ([`transport::duplex`]), a TCP port
//! ([`transport::serve_tcp`]) or a pseudo-terminal ([`transport::serve_pty`]).

pub mod config;
pub mod decode;
pub mod module;
pub mod script;
pub mod send;
pub mod transport;

pub use config::{Chunks, Config, Faults};
pub use module::{Control, Module};

//! qi-sim: a virtual Quectel EG915Q speaking the QI commands (and the basic commands drivers
//! send around them, `spec/basic/`) over a byte stream, and the support code of the `qi` tool.
//! It keeps V.250's line discipline, so drivers written for real modules run against it
//! unmodified; [`Modem`] sets its simulated SIM, network and identity, [`Control`] and
//! [`control_port`] inject faults while it runs.
//!
//! The module decodes command lines with the generated codec of `quectel-qi`, keeps PDP
//! contexts and a socket table backed by real loopback sockets, and answers with the generated
//! encoders. Run it over an in-memory duplex ([`transport::duplex()`]), a TCP port
//! ([`transport::serve_tcp`]) or a pseudo-terminal ([`transport::serve_pty`]).
//!
//! ```
//! use std::io::{Read, Write};
//! let (mut host, module) = qi_sim::transport::duplex(qi_sim::Config::for_tests());
//! host.write_all(b"AT+QIACT=1\r").unwrap();
//! let mut buf = [0u8; 6];
//! host.read_exact(&mut buf).unwrap();
//! assert_eq!(&buf, b"\r\nOK\r\n");
//! module.control().drop_peer(quectel_qi::ConnectId::new_const(0)); // a fault (no-op here)
//! drop(host); // the module stops when the host end drops
//! module.join();
//! ```
//!
//! What the virtual module chooses where the document is silent (defaults of enumerated
//! settings, error codes for states the document does not cover, what AT+QPING measures) is
//! documented in [`module`].

pub mod config;
pub mod control_port;
pub mod decode;
pub mod module;
pub mod network;
pub mod probe;
pub mod script;
pub mod send;
pub mod transport;

pub use config::{Chunks, Config, Faults, FieldFaults, Modem, SimCard, TestReply};
pub use module::{Control, Module};
pub use network::Network;

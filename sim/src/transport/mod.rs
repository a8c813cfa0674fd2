//! Ways to reach a virtual module: an in-memory duplex, a TCP port, a pseudo-terminal.

pub mod duplex;
pub mod pacing;
pub mod pty;
pub mod tcp;

pub use duplex::{duplex, HostEnd, HostReader, HostWriter, Running};
pub use pty::serve_pty;
pub use tcp::{serve_tcp, TcpServer};

//! What most applications use, without glob clashes: `use quectel_qi::prelude::*;`.
//!
//! The traits (imported anonymously, for their methods), the stack and its sockets, and the
//! parameter types every call takes. Error types keep their module's name
//! (`stack::Error`, `client::Error`) so that they do not clash with an application's own.

pub use embedded_io_async::{Read as _, ReadReady as _, Write as _, WriteReady as _};
pub use embedded_nal_async::{Dns as _, TcpConnect as _, UdpStack as _};

pub use crate::client::{self, Client};
pub use crate::stack::{self, Stack, StackResources, TcpSocket, UdpService, UdpSocket};
pub use crate::{AccessMode, ConnectId, ContextId, ContextType, Port, ServiceType};

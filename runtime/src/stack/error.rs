//! What a stack call can fail with.

use core::fmt;

use embedded_io::ErrorKind;

use crate::client;

/// Why [`Runner::run`](super::Runner::run) returned: the serial input ended or failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// The serial input reported the end of its stream (a read of 0 bytes).
    EndOfStream,
    /// A read from the serial input failed.
    Io(ErrorKind),
}

/// Why a stack call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A command failed: which one (`AT+QIOPEN`, `AT+QISEND`, ...) and how.
    Command {
        /// The command, as the document names it.
        command: &'static str,
        /// What went wrong.
        error: client::Error,
    },
    /// The client refused before any command was sent, or failed between commands.
    Client(client::Error),
    /// All connect IDs are in use.
    NoFreeSocket,
    /// The runner stopped reading the serial port: nothing the module says arrives any more.
    ReaderStopped(Stopped),
    /// The network deactivated the socket's context (`+QIURC: "pdpdeact"`): the socket is
    /// gone; activate the context again and reconnect.
    ContextLost,
    /// The peer closed the connection: nothing more can be sent.
    PeerClosed,
    /// The module restarted (`RDY`) while the call waited for its answer: the command was not
    /// heard, and every context and socket is gone (reads then give
    /// [`ContextLost`](Self::ContextLost)); activate the context again.
    ModuleRestarted,
    /// The name resolved to no address of the kind asked for.
    NotFound,
    /// Not something the module offers (reverse lookups, transparent-mode sockets, one UDP
    /// socket bound to several local addresses).
    Unsupported,
    /// Direct push: the stack's push buffer (`PUSH` of
    /// [`StackResources`](super::StackResources)) cannot hold a push the module may send (up
    /// to 1,500 bytes, and a UDP service's sender): the socket was not opened, or a push
    /// larger than the buffer was dropped whole.
    PushBufferTooSmall {
        /// The push buffer's size in bytes.
        capacity: usize,
    },
    /// The stack's input buffer (`INGRESS` of [`StackResources`](super::StackResources))
    /// cannot hold a frame the call asks for in the live data framing
    /// ([`sizes::data_frame_size`](crate::sizes::data_frame_size)): a direct push socket,
    /// which the module may push 1,500 bytes at a time (hex framing doubles them), was not
    /// opened; a read cannot fetch even one byte.
    IngressTooSmall {
        /// The input buffer's size in bytes.
        capacity: usize,
    },
}

impl Error {
    /// The client's error, if the call failed in the client.
    pub fn client_error(&self) -> Option<&client::Error> {
        match self {
            Error::Command { error, .. } | Error::Client(error) => Some(error),
            _ => None,
        }
    }
}

impl From<client::Error> for Error {
    fn from(e: client::Error) -> Self {
        Error::Client(e)
    }
}

impl fmt::Display for Stopped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stopped::EndOfStream => f.write_str("the serial input ended"),
            Stopped::Io(kind) => write!(f, "reading the serial input failed ({kind:?})"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Command { command, error } => write!(f, "{command}: {error}"),
            Error::Client(e) => e.fmt(f),
            Error::NoFreeSocket => f.write_str("every connect ID is in use"),
            Error::ReaderStopped(why) => write!(f, "the stack's runner stopped: {why}"),
            Error::ContextLost => f.write_str("the network deactivated the PDP context"),
            Error::PeerClosed => f.write_str("the peer closed the connection"),
            Error::ModuleRestarted => f.write_str("the module restarted while the call waited"),
            Error::NotFound => f.write_str("the name has no address of that kind"),
            Error::Unsupported => f.write_str("the module does not offer this"),
            Error::PushBufferTooSmall { capacity } => write!(
                f,
                "the push buffer ({capacity} bytes) cannot hold a push of the module"
            ),
            Error::IngressTooSmall { capacity } => write!(
                f,
                "the input buffer ({capacity} bytes) cannot hold a frame of the module"
            ),
        }
    }
}

impl core::error::Error for Error {}

impl embedded_io::Error for Error {
    fn kind(&self) -> ErrorKind {
        use client::Error as C;
        match self {
            Error::Command { error, .. } | Error::Client(error) => match error {
                C::Invalid(_) | C::TooLong { .. } | C::ForbiddenByte => ErrorKind::InvalidInput,
                C::Timeout => ErrorKind::TimedOut,
                C::Rejected(_) => ErrorKind::ConnectionRefused,
                C::BufferTooSmall => ErrorKind::OutOfMemory,
                C::WrongState => ErrorKind::NotConnected,
                C::Io => ErrorKind::BrokenPipe,
                _ => ErrorKind::Other,
            },
            Error::NoFreeSocket => ErrorKind::OutOfMemory,
            Error::ReaderStopped(_) => ErrorKind::BrokenPipe,
            Error::ContextLost | Error::ModuleRestarted => ErrorKind::ConnectionReset,
            Error::PeerClosed => ErrorKind::ConnectionAborted,
            Error::NotFound => ErrorKind::AddrNotAvailable,
            Error::Unsupported => ErrorKind::Unsupported,
            Error::PushBufferTooSmall { .. } | Error::IngressTooSmall { .. } => {
                ErrorKind::OutOfMemory
            }
        }
    }
}

//! What a typed call can fail with.

use core::fmt;

use crate::wire::ValidationError;
use crate::ErrorCode;

/// Why a typed call failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// A parameter breaks a rule of the spec; nothing was written.
    Invalid(ValidationError),
    /// The module answered with an error result.
    Module(ModuleError),
    /// The module gave up sending: `SEND FAIL` (its send buffer is full).
    SendFailed,
    /// The module reported a failure in a later URC (`+QIOPEN: <id>,<err>`, `+QPING: <err>`,
    /// ...): the code, as the generated [`ErrorCode`] when the document lists it.
    Rejected(Code),
    /// No answer within the spec's time (or the configured override).
    Timeout,
    /// The serial port failed (atat's read or write error).
    Io,
    /// The module's answer could not be decoded.
    Parse,
    /// The caller's buffer cannot hold what the call must return.
    BufferTooSmall,
    /// The data is longer than one command may carry (a datagram is never split).
    TooLong {
        /// The most one command carries.
        max: usize,
    },
    /// The payload holds a byte the open-length send form cannot carry (Ctrl+Z or Esc).
    ForbiddenByte,
    /// The socket is in a state or mode where the call cannot work (e.g. not open).
    WrongState,
    /// Received data was dropped: the client's push buffer was full, or (the stack) the
    /// ingress buffer overflowed and was cleared while the socket was open.
    Overrun,
    /// The module's answer is longer than the response buffer the application sized (the
    /// stack's `RESPONSE`, atat's response slot): refused whole, never cut.
    ResponseTooLong,
    /// The command is longer than the command buffer the application sized (the stack's
    /// `COMMAND`): nothing was written.
    CommandTooLong,
    /// Leaving transparent mode by DTR needs `AT&D1` set through the client first
    /// ([`Client::set_dtr_behaviour`](super::Client::set_dtr_behaviour)); nothing was done.
    DtrNotArmed,
    /// The DTR pin could not be set.
    Pin,
}

/// A result code from the module: listed in the document (chapter 4) or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// A code of chapter 4.
    Known(ErrorCode),
    /// A code the document does not list.
    Other(u16),
}

impl Code {
    /// The code for a number.
    pub fn from_number(n: u16) -> Self {
        ErrorCode::try_from(n).map_or(Code::Other(n), Code::Known)
    }

    /// The number on the wire.
    pub fn number(self) -> u16 {
        match self {
            Code::Known(c) => c.code(),
            Code::Other(n) => n,
        }
    }
}

/// An error result of a command, optionally enriched with the code `AT+QIGETERROR` gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModuleError {
    /// What the final result line said.
    pub result: ErrorResult,
    /// The code `AT+QIGETERROR` reported afterwards (when the client is configured to ask).
    pub last_error: Option<Code>,
}

/// The error final result itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorResult {
    /// `ERROR`.
    Error,
    /// `+CME ERROR: <n>`.
    Cme(Code),
    /// `NO CARRIER`.
    NoCarrier,
    /// Another error result, or one whose number was lost by the framing layer.
    Other,
}

impl ModuleError {
    /// The most precise code known: the `+CME ERROR` number, else `AT+QIGETERROR`'s.
    pub fn code(&self) -> Option<Code> {
        match self.result {
            ErrorResult::Cme(c) => Some(c),
            _ => self.last_error,
        }
    }
}

impl From<ValidationError> for Error {
    fn from(e: ValidationError) -> Self {
        Error::Invalid(e)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Code::Known(c) => c.fmt(f),
            Code::Other(n) => write!(f, "error {n}"),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Invalid(e) => e.fmt(f),
            Error::Module(m) => match (m.result, m.code()) {
                (ErrorResult::NoCarrier, _) => f.write_str("the module answered NO CARRIER"),
                (_, Some(c)) => write!(f, "the module answered an error: {c}"),
                (_, None) => f.write_str("the module answered ERROR"),
            },
            Error::SendFailed => f.write_str("SEND FAIL: the module's send buffer is full"),
            Error::Rejected(c) => write!(f, "the module reported {c}"),
            Error::Timeout => f.write_str("no answer in time"),
            Error::Io => f.write_str("the serial port failed"),
            Error::Parse => f.write_str("the answer could not be decoded"),
            Error::BufferTooSmall => f.write_str("the buffer is too small"),
            Error::TooLong { max } => write!(f, "longer than the {max} bytes one command carries"),
            Error::ForbiddenByte => f.write_str("the payload holds Ctrl+Z or Esc"),
            Error::WrongState => f.write_str("the socket cannot do this in its state"),
            Error::Overrun => f.write_str("received data was dropped: a buffer was full"),
            Error::CommandTooLong => {
                f.write_str("the command is longer than the command buffer: nothing written")
            }
            Error::DtrNotArmed => {
                f.write_str("DTR does not leave transparent mode: set AT&D1 first")
            }
            Error::Pin => f.write_str("the DTR pin could not be set"),
            Error::ResponseTooLong => {
                f.write_str("the answer is longer than the response buffer: refused whole")
            }
        }
    }
}

impl core::error::Error for Error {}

//! Sans-io interpretation of the module's final results, and the command wrappers the client
//! hands to atat: a typed command whose error result keeps its number, and raw payload bytes.

use atat::{AtatCmd, AtatResp, InternalError};

use super::error::{Code, Error, ErrorResult, ModuleError};

/// What the module answered to one command: the typed response, or an error final result.
#[derive(Debug)]
pub enum Reply<R> {
    /// The command succeeded (OK, SEND OK, CONNECT or the prompt).
    Done(R),
    /// The command failed with this final result.
    Failed(Failure),
}

impl<R> AtatResp for Reply<R> {}

/// An error final result, as the framing layer reported it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// `SEND FAIL`.
    SendFail,
    /// `ERROR`, `+CME ERROR: <n>` or `NO CARRIER`.
    Result(ErrorResult),
}

impl Failure {
    /// Reads an error from atat's framing: numbered CME errors keep their number when the
    /// digester passes the line through as a custom error.
    pub fn from_internal(e: &InternalError<'_>) -> Self {
        match e {
            InternalError::Error => Failure::Result(ErrorResult::Error),
            InternalError::CmeError(c) => {
                Failure::Result(ErrorResult::Cme(Code::from_number(u16::from(*c))))
            }
            InternalError::Custom(line) => Self::from_line(line),
            InternalError::ConnectionError(atat::ConnectionError::NoCarrier) => {
                Failure::Result(ErrorResult::NoCarrier)
            }
            _ => Failure::Result(ErrorResult::Other),
        }
    }

    /// Reads an error final result line (`SEND FAIL`, `+CME ERROR: 552`, `NO CARRIER`, `ERROR`).
    pub fn from_line(line: &[u8]) -> Self {
        let line = trim(line);
        if line == b"SEND FAIL" {
            return Failure::SendFail;
        }
        if line == b"NO CARRIER" {
            return Failure::Result(ErrorResult::NoCarrier);
        }
        if line == b"ERROR" {
            return Failure::Result(ErrorResult::Error);
        }
        if let Ok(body) = crate::wire::line_body(line, b"+CME ERROR") {
            if let Some(n) = crate::wire::int(body, 0)
                .ok()
                .and_then(|n| u16::try_from(n).ok())
            {
                return Failure::Result(ErrorResult::Cme(Code::from_number(n)));
            }
        }
        Failure::Result(ErrorResult::Other)
    }

    /// The client error, before any `AT+QIGETERROR` enrichment.
    pub fn into_error(self) -> Error {
        match self {
            Failure::SendFail => Error::SendFailed,
            Failure::Result(result) => Error::Module(ModuleError {
                result,
                last_error: None,
            }),
        }
    }
}

fn trim(mut b: &[u8]) -> &[u8] {
    while let [b'\r' | b'\n' | b' ', rest @ ..] = b {
        b = rest;
    }
    while let [rest @ .., b'\r' | b'\n' | b' '] = b {
        b = rest;
    }
    b
}

/// Maps atat's own errors (no answer, port failure) to the client's.
pub fn transport_error(e: atat::Error) -> Error {
    match e {
        atat::Error::Timeout => Error::Timeout,
        atat::Error::Read | atat::Error::Write => Error::Io,
        atat::Error::Capacity => Error::ResponseTooLong,
        // What the stack's link answers for a command its buffer cannot hold.
        atat::Error::Aborted => Error::CommandTooLong,
        _ => Error::Parse,
    }
}

/// Raw bytes written after a prompt (or in transparent mode), answered by a final result
/// (`SEND OK`, `SEND FAIL`, `OK`) within `TIMEOUT_MS` when `ANSWERED`, else by nothing.
pub struct Payload<'a, const TIMEOUT_MS: u32, const ANSWERED: bool>(pub &'a [u8]);

/// The largest payload one write carries: the spec's limit of one `AT+QISEND`.
pub const PAYLOAD_MAX: usize = crate::limits::MAX_PROMPT_DATA_LEN;

impl<const TIMEOUT_MS: u32, const ANSWERED: bool> AtatCmd for Payload<'_, TIMEOUT_MS, ANSWERED> {
    type Response = Reply<()>;
    const MAX_TIMEOUT_MS: u32 = TIMEOUT_MS;
    const EXPECTS_RESPONSE_CODE: bool = ANSWERED;

    fn write(&self, buf: &mut [u8]) -> usize {
        match buf.get_mut(..self.0.len()) {
            Some(dst) => {
                dst.copy_from_slice(self.0);
                self.0.len()
            }
            None => 0,
        }
    }

    fn parse(&self, resp: Result<&[u8], InternalError>) -> Result<Self::Response, atat::Error> {
        match resp {
            Ok(_) => Ok(Reply::Done(())),
            Err(e) => Ok(Reply::Failed(Failure::from_internal(&e))),
        }
    }
}

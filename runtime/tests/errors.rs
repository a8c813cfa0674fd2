//! Every error of the client and the stack names itself: a distinct message per variant, and
//! the `embedded_io` kind an I/O caller sees.

use std::collections::HashSet;

use embedded_io::{Error as _, ErrorKind};
use quectel_qi::client::{Code, Error, ErrorResult, ModuleError};
use quectel_qi::stack::{self, Stopped};
use quectel_qi::ErrorCode;

fn module(result: ErrorResult, last_error: Option<Code>) -> Error {
    Error::Module(ModuleError { result, last_error })
}

fn client_errors() -> Vec<Error> {
    vec![
        module(ErrorResult::Error, None),
        module(ErrorResult::Cme(Code::Other(999)), None),
        module(ErrorResult::NoCarrier, None),
        module(
            ErrorResult::Other,
            Some(Code::Known(ErrorCode::SocketIdentityUsed)),
        ),
        Error::SendFailed,
        Error::Rejected(Code::from_number(565)),
        Error::Timeout,
        Error::Io,
        Error::Parse,
        Error::BufferTooSmall,
        Error::TooLong { max: 1460 },
        Error::ForbiddenByte,
        Error::WrongState,
        Error::Overrun,
        Error::ResponseTooLong,
        Error::CommandTooLong,
    ]
}

#[test]
fn every_client_error_has_its_own_message() {
    let errors = client_errors();
    let texts: HashSet<String> = errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(texts.len(), errors.len(), "{texts:?}");
    assert!(texts.iter().all(|t| !t.is_empty()));
    assert_eq!(Code::from_number(563).number(), 563);
    assert_eq!(Code::Other(999).number(), 999);
    // The +CME ERROR number wins over AT+QIGETERROR's.
    let cme = module(ErrorResult::Cme(Code::Other(7)), Some(Code::Other(8)));
    assert!(cme.to_string().contains("error 7"), "{cme}");
}

#[test]
fn every_stack_error_has_its_own_message_and_kind() {
    let errors = [
        stack::Error::Command {
            command: "AT+QIRD",
            error: Error::Parse,
        },
        stack::Error::Client(Error::WrongState),
        stack::Error::NoFreeSocket,
        stack::Error::ReaderStopped(Stopped::EndOfStream),
        stack::Error::ReaderStopped(Stopped::Io(ErrorKind::BrokenPipe)),
        stack::Error::ContextLost,
        stack::Error::PeerClosed,
        stack::Error::ModuleRestarted,
        stack::Error::NotFound,
        stack::Error::Unsupported,
        stack::Error::PushBufferTooSmall { capacity: 700 },
        stack::Error::IngressTooSmall { capacity: 900 },
    ];
    let texts: HashSet<String> = errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(texts.len(), errors.len(), "{texts:?}");
    assert!(errors[0].to_string().starts_with("AT+QIRD: "));
    assert_eq!(errors[0].client_error(), Some(&Error::Parse));
    assert_eq!(stack::Error::PeerClosed.client_error(), None);
    assert_eq!(
        stack::Error::from(Error::Io),
        stack::Error::Client(Error::Io)
    );
    let kind = |e: stack::Error| e.kind();
    let cmd = |error| stack::Error::Command {
        command: "AT",
        error,
    };
    assert_eq!(kind(cmd(Error::ForbiddenByte)), ErrorKind::InvalidInput);
    assert_eq!(
        kind(cmd(Error::TooLong { max: 1 })),
        ErrorKind::InvalidInput
    );
    assert_eq!(kind(cmd(Error::Timeout)), ErrorKind::TimedOut);
    assert_eq!(
        kind(cmd(Error::Rejected(Code::Other(1)))),
        ErrorKind::ConnectionRefused
    );
    assert_eq!(kind(cmd(Error::BufferTooSmall)), ErrorKind::OutOfMemory);
    assert_eq!(kind(cmd(Error::WrongState)), ErrorKind::NotConnected);
    assert_eq!(kind(cmd(Error::Io)), ErrorKind::BrokenPipe);
    assert_eq!(kind(cmd(Error::Parse)), ErrorKind::Other);
    assert_eq!(kind(stack::Error::NoFreeSocket), ErrorKind::OutOfMemory);
    // A buffer too small for what the module sends names its size, and is out of memory.
    for (e, size) in [(&errors[10], "700"), (&errors[11], "900")] {
        assert!(e.to_string().contains(size), "{e}");
        assert_eq!(e.kind(), ErrorKind::OutOfMemory);
    }
    assert_eq!(
        kind(stack::Error::ReaderStopped(Stopped::EndOfStream)),
        ErrorKind::BrokenPipe
    );
    assert_eq!(kind(stack::Error::ContextLost), ErrorKind::ConnectionReset);
    assert_eq!(
        kind(stack::Error::ModuleRestarted),
        ErrorKind::ConnectionReset
    );
    assert_eq!(kind(stack::Error::PeerClosed), ErrorKind::ConnectionAborted);
    assert_eq!(kind(stack::Error::NotFound), ErrorKind::AddrNotAvailable);
    assert_eq!(kind(stack::Error::Unsupported), ErrorKind::Unsupported);
}

//! How the client reads an error final result: from atat's framing errors and from the line
//! the digester passes through, and the client error each becomes.

use atat::InternalError;
use quectel_qi::client::{Code, Error, ErrorResult, Failure, ModuleError};

fn result(r: ErrorResult) -> Failure {
    Failure::Result(r)
}

#[test]
fn atat_errors_keep_their_meaning() {
    let cme = atat::CmeError::from(552u16);
    let cases = [
        (InternalError::Error, result(ErrorResult::Error)),
        (
            InternalError::CmeError(cme),
            result(ErrorResult::Cme(Code::from_number(u16::from(cme)))),
        ),
        (
            InternalError::Custom(b"+CME ERROR: 552"),
            result(ErrorResult::Cme(Code::from_number(552))),
        ),
        (InternalError::Custom(b"SEND FAIL"), Failure::SendFail),
        (
            InternalError::ConnectionError(atat::ConnectionError::NoCarrier),
            result(ErrorResult::NoCarrier),
        ),
        (
            InternalError::ConnectionError(atat::ConnectionError::Busy),
            result(ErrorResult::Other),
        ),
        (InternalError::InvalidResponse, result(ErrorResult::Other)),
    ];
    for (e, want) in cases {
        assert_eq!(Failure::from_internal(&e), want, "{e:?}");
    }
}

#[test]
fn error_lines_are_read_whatever_surrounds_them() {
    let cases: [(&[u8], Failure); 7] = [
        (b"\r\n SEND FAIL \r\n", Failure::SendFail),
        (b"NO CARRIER\r\n", result(ErrorResult::NoCarrier)),
        (b"\r\nERROR", result(ErrorResult::Error)),
        (
            b"+CME ERROR: 563",
            result(ErrorResult::Cme(Code::from_number(563))),
        ),
        // Numbers a u16 cannot hold, and text, are no numbered error.
        (b"+CME ERROR: 70000", result(ErrorResult::Other)),
        (b"+CME ERROR: SIM not inserted", result(ErrorResult::Other)),
        (b"BUSY", result(ErrorResult::Other)),
    ];
    for (line, want) in cases {
        assert_eq!(
            Failure::from_line(line),
            want,
            "{:?}",
            String::from_utf8_lossy(line)
        );
    }
}

#[test]
fn failures_become_client_errors() {
    assert_eq!(Failure::SendFail.into_error(), Error::SendFailed);
    assert_eq!(
        result(ErrorResult::NoCarrier).into_error(),
        Error::Module(ModuleError {
            result: ErrorResult::NoCarrier,
            last_error: None,
        })
    );
}

//! A data line that announces more bytes than follow it: a typed error from its decoder,
//! never a panic and never a shorter payload taken as whole (atat's `serde_at` panics on the
//! same input, which is why payloads never go through it).

use atat::{AtatCmd, AtatUrc};
use quectel_qi::response::qird::ReadLine;
use quectel_qi::wire::DecodeError;
use quectel_qi::{qird, ConnectId, QueuedUrc, ReadLength, Urc};

#[test]
fn a_read_answer_shorter_than_announced_is_truncated() {
    assert_eq!(
        ReadLine::decode(b"+QIRD: 10", b"ABCD"),
        Err(DecodeError::Truncated)
    );
    // Whole, it decodes: the test can fail.
    assert_eq!(
        ReadLine::decode(b"+QIRD: 4", b"ABCD").map(|l| l.data.to_vec()),
        Ok(b"ABCD".to_vec())
    );
    let cmd = qird::Read {
        connect_id: ConnectId::new_const(1),
        read_length: Some(ReadLength::new_const(10)),
    };
    assert!(matches!(
        cmd.parse(Ok(b"+QIRD: 10\r\nABCD")),
        Err(atat::Error::Parse)
    ));
}

#[test]
fn a_push_shorter_than_announced_is_never_taken_as_a_push() {
    use quectel_qi::urc::RecvPush;
    assert_eq!(
        RecvPush::decode(b"+QIURC: \"recv\",0,10", b"ABCD"),
        Err(DecodeError::Truncated)
    );
    // The same line without its payload is the buffer-access notice with a length (which of
    // the two it is, only the socket's mode tells: the digester knows it): never a push of 4.
    let short = Urc::decode(b"+QIURC: \"recv\",0,10", b"ABCD");
    assert!(!matches!(short, Ok(Urc::RecvPush(_))), "{short:?}");
    let parsed = Urc::from_frame(b"+QIURC: \"recv\",0,10\r\nABCD");
    assert!(!matches!(parsed, Some(Urc::RecvPush(_))), "{parsed:?}");
    assert!(matches!(
        Urc::from_frame(b"+QIURC: \"recv\",0,4\r\nABCD"),
        Some(Urc::RecvPush(p)) if p.data == b"ABCD"
    ));
    // atat's channel queues the same frames as the atat-based client's `QueuedUrc`.
    let queued = QueuedUrc::parse(b"+QIURC: \"recv\",0,10\r\nABCD").and_then(|q| {
        let is_push = matches!(q.urc(), Some(Urc::RecvPush(_)));
        is_push.then_some(q)
    });
    assert!(queued.is_none());
}

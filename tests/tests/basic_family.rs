//! The basic family (`spec/basic/`) through the runtime's framing: the registration URCs and
//! the read responses that share their prefix are never taken for each other, and the lines of
//! text alone (`AT+CGMI`) decode as the request's response.

use atat::digest::{DigestResult, Digester};
use quectel_qi::digest::{DigestState, QiDigester};
use quectel_qi::response::{cereg, cgmi};
use quectel_qi::{AccessTechnology, RegistrationReport, RegistrationStatus, Request, Urc};

#[test]
fn registration_urcs_need_their_exact_fields() {
    assert!(matches!(
        Urc::decode(b"+CEREG: 1", b""),
        Ok(Urc::Cereg(u)) if u.registration_status == RegistrationStatus::RegisteredHome
    ));
    match Urc::decode(b"+CEREG: 5,\"1A2B\",\"01C2D3E4\",7", b"") {
        Ok(Urc::CeregLocation(u)) => {
            assert_eq!(u.registration_status, RegistrationStatus::RegisteredRoaming);
            assert_eq!(u.tac.as_str(), "1A2B");
            assert_eq!(u.act, Some(AccessTechnology::EUtran));
        }
        other => panic!("{other:?}"),
    }
    // The read responses: <n> first, then <stat>.
    for line in [
        &b"+CEREG: 0,1"[..],
        b"+CEREG: 2,1,\"1A2B\",\"01C2D3E4\",7",
        b"+CREG: 1,5",
        b"+CGREG: 2,0",
    ] {
        assert!(Urc::decode(line, b"").is_err(), "{line:?}");
    }
}

#[test]
fn the_digester_hands_a_read_response_over_and_a_urc_as_a_urc() {
    let state = DigestState::new();
    let mut d = QiDigester::new(&state);
    let wire = b"\r\n+CEREG: 2,1,\"1A2B\",\"01C2D3E4\",7\r\n\r\nOK\r\n";
    let (got, used) = d.digest(wire);
    assert_eq!(used, wire.len());
    let DigestResult::Response(Ok(body)) = got else {
        panic!("{got:?}");
    };
    let line = Request::decode(b"AT+CEREG?")
        .unwrap()
        .decode_response(body, b"")
        .unwrap();
    assert_eq!(
        line,
        quectel_qi::ResponseLine::CeregReadLine(cereg::ReadLine {
            registration_report: RegistrationReport::EnableWithLocation,
            registration_status: RegistrationStatus::RegisteredHome,
            tac: Some(heapless::String::try_from("1A2B").unwrap()),
            ci: Some(heapless::String::try_from("01C2D3E4").unwrap()),
            act: Some(AccessTechnology::EUtran),
        })
    );
    let (got, _) = d.digest(b"\r\n+CEREG: 0\r\n");
    assert_eq!(got, DigestResult::Urc(b"+CEREG: 0"));
}

#[test]
fn a_line_of_text_alone_is_the_response() {
    let req = Request::decode(b"AT+CGMI").unwrap();
    assert_eq!(
        req.decode_response(b"Quectel", b"").unwrap(),
        quectel_qi::ResponseLine::CgmiQueryLine(cgmi::QueryLine {
            manufacturer: heapless::String::try_from("Quectel").unwrap(),
        })
    );
    // Basic syntax: the value follows the letter, without `=`; left out, it counts as 0.
    let mut buf = [0u8; 16];
    let n = quectel_qi::command_echo::Set {
        command_echo: Some(quectel_qi::CommandEcho::Off),
    }
    .encode(&mut buf)
    .unwrap();
    assert_eq!(&buf[..n], b"ATE0\r");
    assert!(matches!(
        Request::decode(b"ATE"),
        Ok(Request::CommandEchoSet(e)) if e.command_echo.is_none()
    ));
    assert!(Request::decode(b"ATE2").is_err());
    assert!(Request::decode(b"AT&D1").is_ok());
}

//! The digester and the decoders under every data framing (`crate::framing`): hex data,
//! view mode 1, the prompt with CR LF, the payload echo; input split at every byte.

mod digest_harness;

use atat::AtatCmd;
use digest_harness::{feed, one_and_split, Out};
use quectel_qi::digest::{DigestState, QiDigester};
use quectel_qi::framing::Framing;
use quectel_qi::response::qird as qird_line;
use quectel_qi::wire::{copy_payload, decode_data_frame};
use quectel_qi::{qird, urc, AccessMode, ConnectId, Urc};

const PAYLOAD: &[u8] = b"\r\nOK\r\n+QIURC: \"closed\",0\r\n,\"1.2.3.4\",80,\0\xff";

fn hex(data: &[u8]) -> String {
    data.iter().map(|b| format!("{b:02X}")).collect()
}

fn id(n: i64) -> ConnectId {
    ConnectId::new(n).unwrap()
}

fn framing(f: Framing) -> impl Fn(&DigestState) {
    move |s| s.set_framing(f)
}

const HEX: Framing = Framing {
    recv_hex: true,
    ..Framing::new()
};

const COMMA: Framing = Framing {
    view_comma: true,
    ..Framing::new()
};

fn read() -> qird::Read {
    qird::Read {
        connect_id: id(0),
        read_length: None,
    }
}

/// The payload of a `+QIRD` answer, in bytes: as the client's reads take it (the generated
/// response leaves the payload in the answer).
fn parsed_read(resp: &[u8]) -> Vec<u8> {
    let line = read().parse(Ok(resp)).expect("the +QIRD answer decodes");
    let l = decode_data_frame(
        resp,
        qird_line::ReadLine::decode,
        |x| x.data.len(),
        |x, w| x.data = w,
    )
    .expect("the +QIRD line decodes");
    assert_eq!(l.read_actual_length, line.read_actual_length);
    bytes(l.data, l.read_actual_length.get() as usize)
}

/// A payload of `n` bytes from its wire form.
fn bytes(wire: &[u8], n: usize) -> Vec<u8> {
    let mut out = vec![0u8; n];
    assert_eq!(copy_payload(wire, n, 0, &mut out), Ok(n), "{wire:?}");
    out
}

#[test]
fn hex_read_takes_two_digits_per_byte() {
    let input = format!(
        "AT+QIRD=0\r\r\n+QIRD: {}\r\n{}\r\n\r\nOK\r\n",
        PAYLOAD.len(),
        hex(PAYLOAD)
    );
    let out = one_and_split(input.as_bytes(), framing(HEX));
    let [Out::Ok(resp)] = out.as_slice() else {
        panic!("one response: {out:?}")
    };
    assert_eq!(parsed_read(resp), PAYLOAD);
}

#[test]
fn comma_read_takes_its_payload_after_the_header() {
    let mut input = format!("AT+QIRD=0\r\r\n+QIRD: {},", PAYLOAD.len()).into_bytes();
    input.extend_from_slice(PAYLOAD);
    input.extend_from_slice(b"\r\n\r\nOK\r\n");
    let out = one_and_split(&input, framing(COMMA));
    let [Out::Ok(resp)] = out.as_slice() else {
        panic!("one response: {out:?}")
    };
    assert_eq!(parsed_read(resp), PAYLOAD);
}

#[test]
fn comma_and_hex_read_from_a_udp_service_keeps_the_sender() {
    let both = Framing {
        recv_hex: true,
        ..COMMA
    };
    let input = format!(
        "AT+QIRD=2\r\r\n+QIRD: {},\"127.0.0.1\",5000,{}\r\n\r\nOK\r\n",
        PAYLOAD.len(),
        hex(PAYLOAD)
    );
    let out = one_and_split(input.as_bytes(), framing(both));
    let [Out::Ok(resp)] = out.as_slice() else {
        panic!("one response: {out:?}")
    };
    let cmd = qird::ReadFrom {
        connect_id: id(2),
        read_length: None,
    };
    let line = cmd.parse(Ok(resp)).unwrap();
    assert_eq!(line.remote_port.map(|p| p.get()), Some(5000));
    let l = decode_data_frame(
        resp,
        qird_line::ReadFromLine::decode,
        |x| x.data.len(),
        |x, w| x.data = w,
    )
    .expect("the +QIRD line decodes");
    assert_eq!(bytes(l.data, l.read_actual_length.get() as usize), PAYLOAD);
}

#[test]
fn comma_push_of_a_tcp_socket_is_not_read_as_a_sender() {
    // The payload starts like a sender's address: on a TCP socket it is data.
    let data: &[u8] = b"\"1.2.3.4\",80,rest\r\n";
    let mut input = format!("\r\n+QIURC: \"recv\",1,{},", data.len()).into_bytes();
    input.extend_from_slice(data);
    input.extend_from_slice(b"\r\n");
    let out = one_and_split(&input, |s| {
        s.set_framing(COMMA);
        s.set_access_mode(id(1), AccessMode::DirectPush);
        s.set_udp_service(id(1), false);
    });
    let [Out::Urc(frame)] = out.as_slice() else {
        panic!("one URC: {out:?}")
    };
    match Urc::from_frame(frame) {
        Some(Urc::RecvPush(p)) => assert_eq!(bytes(p.data, p.recv_length.get() as usize), data),
        other => panic!("{other:?}"),
    }
}

#[test]
fn hex_push_of_a_udp_service_decodes_to_bytes() {
    let input = format!(
        "\r\n+QIURC: \"recv\",3,{},\"127.0.0.1\",6000\r\n{}\r\n",
        PAYLOAD.len(),
        hex(PAYLOAD)
    );
    let out = one_and_split(input.as_bytes(), |s| {
        s.set_framing(HEX);
        s.set_access_mode(id(3), AccessMode::DirectPush);
        s.set_udp_service(id(3), true);
    });
    let [Out::Urc(frame)] = out.as_slice() else {
        panic!("one URC: {out:?}")
    };
    match Urc::from_frame(frame) {
        Some(Urc::RecvPushUdpService(p)) => {
            assert_eq!(bytes(p.data, p.recv_length.get() as usize), PAYLOAD)
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn prompt_with_crlf_then_echo_then_result() {
    let f = Framing {
        prompt_crlf: true,
        echo: true,
        ..Framing::default()
    };
    let echo = b"\r\n>\r\nAB\r\n";
    for i in 0..=echo.len() {
        let state = DigestState::new();
        state.set_framing(f);
        let mut d = QiDigester::new(&state);
        let (out, _) = feed(&mut d, &[b"AT+QISEND=0,4\r\r\n>"]);
        assert_eq!(out, vec![Out::Prompt]);
        // The client writes the payload once the prompt is there; the echo follows.
        state.expect_payload_echo(4);
        let mut rest = b"\r\nAB\r\n".to_vec();
        rest.extend_from_slice(b"\r\nSEND OK\r\n");
        let cut = i.min(rest.len());
        let (out, left) = feed(&mut d, &[&rest[..cut], &rest[cut..]]);
        assert_eq!(out, vec![Out::Ok(Vec::new())], "split at {i}");
        assert!(left.is_empty(), "left {left:?}");
    }
}

#[test]
fn frames_decode_in_every_framing() {
    let decode = |frame: &[u8]| {
        let x = decode_data_frame(
            frame,
            urc::RecvPush::decode,
            |x| x.data.len(),
            |x, w| x.data = w,
        )?;
        // The payload as it lies on the wire; bytes once copied out.
        let mut out = vec![0u8; x.recv_length.get() as usize];
        let n = copy_payload(x.data, out.len(), 0, &mut out)?;
        assert_eq!(n, out.len());
        Ok::<_, quectel_qi::wire::DecodeError>(out)
    };
    let n = PAYLOAD.len();
    let mut crlf = format!("+QIURC: \"recv\",0,{n}\r\n").into_bytes();
    crlf.extend_from_slice(PAYLOAD);
    let mut comma = format!("+QIURC: \"recv\",0,{n},").into_bytes();
    comma.extend_from_slice(PAYLOAD);
    let crlf_hex = format!("+QIURC: \"recv\",0,{n}\r\n{}", hex(PAYLOAD)).into_bytes();
    let comma_hex = format!("+QIURC: \"recv\",0,{n},{}", hex(PAYLOAD)).into_bytes();
    for frame in [crlf, comma, crlf_hex, comma_hex] {
        let x = decode(&frame).unwrap_or_else(|e| panic!("{e:?}: {frame:?}"));
        assert_eq!(x.as_slice(), PAYLOAD);
    }
    // A frame cut short is an error, never a shorter payload.
    let cut = format!("+QIURC: \"recv\",0,{n},{}", &hex(PAYLOAD)[1..]).into_bytes();
    assert!(decode(&cut).is_err());
}

#[test]
fn comma_read_of_tcp_data_that_looks_like_a_sender() {
    // AT+QIRD=0 (a TCP socket's read form): the fields after the length are payload.
    let data: &[u8] = b"\"1.2.3.4\",80,xyz";
    let mut input = format!("AT+QIRD=0\r\r\n+QIRD: {},", data.len()).into_bytes();
    input.extend_from_slice(data);
    input.extend_from_slice(b"\r\n\r\nOK\r\n");
    let out = one_and_split(&input, |s| {
        s.set_framing(COMMA);
        s.set_access_mode(id(0), AccessMode::BufferAccess);
    });
    let [Out::Ok(resp)] = out.as_slice() else {
        panic!("one response: {out:?}")
    };
    assert_eq!(parsed_read(resp), data);
}

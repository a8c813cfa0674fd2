//! The generated API by hand: typed construction, validation before encoding, decoding.

use quectel_qi::wire::{DecodeError, EncodeError, Value};
use quectel_qi::*;

const CONTEXT: ContextId = ContextId::new_const(1);

#[test]
fn a_typed_open_encodes_like_the_document() {
    let open = qiopen::Open {
        context_id: CONTEXT,
        connect_id: ConnectId::new_const(0),
        service_type: ServiceType::Tcp,
        host: "192.0.2.2",
        remote_port: Port::new_const(8009),
        local_port: Some(Port::new_const(0)),
        access_mode: Some(AccessMode::BufferAccess),
    };
    let mut buf = [0u8; qiopen::Open::MAX_LEN];
    let n = open.encode(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"AT+QIOPEN=1,0,\"TCP\",\"192.0.2.2\",8009,0,0\r");
    assert_eq!(qiopen::Open::TIMEOUT_MS, 150_000);
}

#[test]
fn ranges_are_enforced_by_the_types() {
    assert_eq!(ConnectId::new(11).map(ConnectId::get), Some(11));
    assert!(ConnectId::new(12).is_none());
    assert!(ContextId::try_from(0).is_err());
    // <period> is 0 or 20..=86400: both sides of the gap.
    assert!(Period::new(0).is_some() && Period::new(1).is_none());
    assert!(Period::new(19).is_none() && Period::new(20).is_some());
    assert!(Period::new(86400).is_some() && Period::new(86401).is_none());
}

#[test]
fn a_rule_violation_names_the_parameter_and_writes_nothing() {
    let listener = qiopen::Open {
        context_id: CONTEXT,
        connect_id: ConnectId::new_const(1),
        service_type: ServiceType::TcpListener,
        host: "127.0.0.1",
        remote_port: Port::new_const(80),
        local_port: Some(Port::new_const(2020)),
        access_mode: None,
    };
    let mut buf = [0xAAu8; 64];
    match listener.encode(&mut buf) {
        Err(EncodeError::Invalid(e)) => {
            assert_eq!(
                (e.command, e.param, e.value),
                ("AT+QIOPEN", "remote_port", Value::Int(80))
            );
            assert!(e.to_string().contains("<remote_port>"), "{e}");
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
    assert!(buf.iter().all(|b| *b == 0xAA), "nothing may be written");
}

#[test]
fn string_limits_and_hex_are_checked() {
    let long = "x".repeat(128);
    let q = qicsgp::Configure {
        context_id: CONTEXT,
        context_type: ContextType::Ipv4,
        apn: "internet",
        username: Some(&long),
        password: Some(""),
        authentication: None,
    };
    assert_eq!(q.validate().unwrap_err().param, "username");
    let odd = qisendex::SendHex {
        connect_id: ConnectId::new_const(0),
        hex_string: "123",
    };
    assert_eq!(odd.validate().unwrap_err().param, "hex_string");
    let together = qicsgp::Configure {
        username: Some("u"),
        password: None,
        ..q
    };
    // The group's rule names the parameter left out, not the one given.
    let e = together.validate().unwrap_err();
    assert_eq!((e.param, e.value), ("password", Value::Missing));
    assert!(e.to_string().contains("<password> is left out"), "{e}");
    let e = qicsgp::Configure {
        username: None,
        password: Some("p"),
        ..q
    }
    .validate()
    .unwrap_err();
    // Only trailing parameters may be left out: that rule speaks first here.
    assert_eq!((e.param, e.value), ("password", Value::Present));
    assert!(
        e.to_string().contains("because <username> is left out"),
        "{e}"
    );
    assert!(
        qicsgp::Configure {
            username: None,
            password: None,
            ..q
        }
        .validate()
        .is_ok(),
        "the group left out as a whole is valid"
    );
}

#[test]
fn one_byte_is_not_bytes() {
    let e = qidnsgip::Resolve {
        context_id: CONTEXT,
        hostname: "",
    }
    .validate()
    .unwrap_err();
    assert!(e.to_string().contains("at least 1 byte:"), "{e}");
    assert_eq!(Value::Len(1).to_string(), "1 byte long");
    assert_eq!(Value::Len(2).to_string(), "2 bytes long");
}

#[test]
fn a_failed_decode_names_the_closest_shape() {
    // The value is out of range: not "unexpected line prefix".
    assert_eq!(
        Urc::decode(b"+QIOPEN: 12,0", b""),
        Err(DecodeError::OutOfRange { index: 0 })
    );
    assert_eq!(Urc::decode(b"+QNOPE: 1", b""), Err(DecodeError::Prefix));
    assert_eq!(
        Urc::decode(b"+QIURC: \"nope\",1", b""),
        Err(DecodeError::Keyword)
    );
    // The set form got as far as its value; the query form only to an extra field.
    let line = b"AT+QICFG=\"transpktsize\",2000";
    assert_eq!(
        Request::decode(line),
        Err(DecodeError::OutOfRange { index: 1 })
    );
    let (shape, e) = Request::diagnose(line).unwrap();
    assert_eq!(
        (shape.form, e),
        ("set", DecodeError::OutOfRange { index: 1 })
    );
    // An answer to the query with a bad value: the closest line's error, not the prefix.
    let query = Request::decode(b"AT+QICFG=\"transpktsize\"").unwrap();
    assert_eq!(
        query.decode_response(b"+QICFG: \"transpktsize\",x", b""),
        Err(DecodeError::NotInteger { index: 1 })
    );
}

#[test]
fn a_short_buffer_is_an_error_not_a_panic() {
    let close = qiclose::Close {
        connect_id: ConnectId::new_const(0),
        timeout: None,
    };
    for n in 0..12 {
        let mut buf = vec![0u8; n];
        assert_eq!(
            close.encode(&mut buf),
            Err(EncodeError::Overflow),
            "buffer of {n}"
        );
    }
}

#[test]
fn malformed_module_lines_are_typed_errors() {
    assert!(
        Urc::decode(b"+QIOPEN: 12,0", b"").is_err(),
        "connectID 12 is out of range"
    );
    assert_eq!(
        urc::OpenResult::decode(b"+QIOPEN: x,0", b""),
        Err(DecodeError::NotInteger { index: 0 })
    );
    assert_eq!(
        urc::OpenResult::decode(b"+QIOPEN: 1", b""),
        Err(DecodeError::MissingField { index: 1 })
    );
    // Newer firmware may append fields: the tolerant reader ignores them.
    let r = urc::OpenResult::decode(b"+QIOPEN: 1,0,99", b"").unwrap();
    assert_eq!(r.connect_id.get(), 1);
    // A push URC announcing more bytes than arrived.
    assert_eq!(
        urc::RecvPush::decode(b"+QIURC: \"recv\",0,4", b"ab"),
        Err(DecodeError::Truncated)
    );
    assert_eq!(
        ErrorCode::try_from(566).map(ErrorCode::text),
        Ok("Socket connect failed")
    );
    assert_eq!(ErrorCode::try_from(600), Err(600));
}

#[test]
fn atat_traits_parse_responses_and_urcs() {
    use atat::{AtatCmd, AtatUrc};
    let read = qird::Read {
        connect_id: ConnectId::new_const(0),
        read_length: Some(ReadLength::new_const(1500)),
    };
    let line = read.parse(Ok(b"+QIRD: 7\r\nOK\r\n>\x00z")).unwrap();
    assert_eq!(line.read_actual_length.get(), 7);
    assert!(line.data.is_empty(), "a reply carries no payload");
    let (head, payload) = wire::split_line(b"+QIRD: 7\r\nOK\r\n>\x00z");
    let line = response::qird::ReadLine::decode(head, payload).unwrap();
    assert_eq!(line.data, b"OK\r\n>\x00z", "payload bytes are kept whole");
    assert_eq!(
        read.parse(Ok(b"+QIRD: 7\r\nOK")),
        Err(atat::Error::Parse),
        "a short payload is an error"
    );

    let table = qistate::Read.parse(Ok(b"+QISTATE: 0,\"TCP\",\"192.0.2.2\",8009,65514,2,1,0,0,\"usbmodem\"\r\n+QISTATE: 1,\"TCP LISTENER\",\"10.7.157.1\",0,2020,3,1,1,0,\"usbmodem\"")).unwrap();
    assert_eq!(table.len(), 2);
    assert_eq!(table[1].socket_service_type, SocketServiceType::TcpListener);
    assert_eq!(
        qistate::Read.parse(Ok(b"")).unwrap().len(),
        0,
        "no sockets, no lines"
    );

    let queued = QueuedUrc::parse(b"+QIURC: \"recv\",3,5\r\n+QIURC").unwrap();
    match queued.urc().unwrap() {
        Urc::RecvPush(p) => assert_eq!((p.connect_id.get(), p.data), (3, &b"+QIURC"[..5])),
        other => panic!("{other:?}"),
    }
    let push = Urc::from_frame(b"+QIURC: \"recv\",3,5\r\n+QIURC").unwrap();
    match push.detach() {
        Urc::RecvPush(p) => assert_eq!((p.recv_length.get(), p.data), (5, &b""[..])),
        other => panic!("{other:?}"),
    }
    assert_eq!(<qiopen::Open<'_> as AtatCmd>::MAX_TIMEOUT_MS, 150_000);
}

#[test]
fn the_urc_parser_frames_lines_and_payloads() {
    use atat::digest::ParseError;
    use atat::Parser;
    let buf = b"\r\n+QIURC: \"recv\",1,4\r\nOK\r\n\r\nOK\r\n";
    let (frame, used) = Urc::parse(buf).unwrap();
    assert_eq!(frame, b"+QIURC: \"recv\",1,4\r\nOK\r\n");
    assert_eq!(used, 2 + frame.len());
    assert_eq!(
        Urc::parse(b"\r\n+QIURC: \"recv\",1,4\r\nOK"),
        Err(ParseError::Incomplete)
    );
    assert_eq!(
        Urc::parse(b"+QIURC: \"closed\",2"),
        Err(ParseError::Incomplete)
    );
    assert_eq!(Urc::parse(b"+QIU"), Err(ParseError::Incomplete));
    assert_eq!(
        Urc::parse(b"+QIURC: \"closed\",2\r\n"),
        Ok((&b"+QIURC: \"closed\",2"[..], 18))
    );
    assert_eq!(Urc::parse(b"OK\r\n"), Err(ParseError::NoMatch));
    assert_eq!(Urc::parse(b"+CSQ: 1,2\r\n"), Err(ParseError::NoMatch));
}

mod writer_int {
    use proptest::prelude::*;
    use quectel_qi::wire::Writer;

    fn written(v: i64) -> String {
        let mut buf = [0u8; 24];
        let mut w = Writer::new(&mut buf);
        w.int(v).unwrap();
        String::from_utf8(w.written().to_vec()).unwrap()
    }

    #[test]
    fn both_paths_agree_with_std_at_their_edges() {
        for v in [
            0,
            9,
            10,
            -1,
            i64::from(u32::MAX),
            i64::from(u32::MAX) + 1,
            -i64::from(u32::MAX) - 1,
            10_000_000_000,
            999_999_999_999,
            i64::MAX,
            i64::MIN,
        ] {
            assert_eq!(written(v), v.to_string(), "{v}");
        }
    }

    #[test]
    fn an_integer_that_does_not_fit_writes_nothing() {
        let mut buf = [0u8; 3];
        let mut w = Writer::new(&mut buf);
        assert!(w.int(1234).is_err());
        assert!(w.int(-123).is_err());
        assert!(w.int(i64::MIN).is_err());
        assert!(w.quoted("ab").is_err());
        assert!(w.is_empty());
        w.int(-12).unwrap();
        assert_eq!(w.written(), b"-12");
    }

    proptest! {
        #[test]
        fn any_i64_is_written_as_std_writes_it(v in any::<i64>()) {
            prop_assert_eq!(written(v), v.to_string());
        }
    }
}

#[test]
fn a_quote_inside_a_string_is_a_field_boundary() {
    // Requests never send one: the module has no escape for it.
    let e = qidnsgip::Resolve {
        context_id: CONTEXT,
        hostname: "a\",\"b",
    }
    .validate()
    .unwrap_err();
    assert_eq!(e.allowed, "text without double quotes");
    // On decoding, `"a","b"` is two fields: an integer after the string exposes the shift ...
    assert_eq!(
        response::qntp::ReadLine::decode(b"+QNTP: \"a\",\"b\",123", b""),
        Err(DecodeError::NotInteger { index: 1 })
    );
    // ... a strict decode reports the extra field; the tolerant one cannot tell it from a field
    // newer firmware appends, and reads the string cut (the documented limit).
    let line = b"+QIURC: \"dnsgip\",\"a\",\"b\"";
    assert_eq!(
        urc::DnsgipAddress::decode_strict(line, b""),
        Err(DecodeError::TrailingData)
    );
    assert_eq!(
        urc::DnsgipAddress::decode(line, b"").map(|u| u.host_ip_addr.len()),
        Ok(1)
    );
}

#[test]
fn the_window_scale_test_line_decodes_as_the_document_prints_it() {
    // 2.3.1's test response prints "window/scale"; the other places, "windows/scale".
    use quectel_qi::response::qicfg::TestWindowsScaleLine;
    for line in [
        &b"+QICFG: \"window/scale\",(0-1)"[..],
        &b"+QICFG: \"windows/scale\",(0-1)"[..],
    ] {
        let decoded = TestWindowsScaleLine::decode(line, b"").unwrap();
        assert_eq!(decoded.window_scale_enable.as_str(), "(0-1)");
    }
    let mut out = [0u8; 64];
    let mut w = quectel_qi::wire::Writer::new(&mut out);
    TestWindowsScaleLine::decode(b"+QICFG: \"window/scale\",(0-1)", b"")
        .unwrap()
        .encode(&mut w)
        .unwrap();
    assert_eq!(w.written(), b"+QICFG: \"windows/scale\",(0-1)");
    assert_eq!(
        TestWindowsScaleLine::decode(b"+QICFG: \"windowscale\",(0-1)", b""),
        Err(quectel_qi::wire::DecodeError::Keyword)
    );
}

#[test]
fn a_line_end_inside_a_text_is_refused() {
    // Found by fuzzing (`fuzz/regressions/round_trip-cr-value`): a value ending in CR decoded,
    // encoded, and decoded one CR shorter, the last CR read as the line's terminator.
    let mut found = b"AT+QURCCFG=\"a\",a,a,,".to_vec();
    found.extend([b'\r'; 33]);
    assert_eq!(qurccfg::Set::decode(&found), Err(DecodeError::Invalid));
    assert!(Request::decode(&found).is_err());
    // One CR is the terminator; a second belongs to the value, which cannot be sent.
    assert_eq!(
        qurccfg::Set::decode(b"AT+QURCCFG=\"a\",a\r").map(|s| s.value1),
        Ok(Some("a"))
    );
    assert_eq!(
        qurccfg::Set::decode(b"AT+QURCCFG=\"a\",a\r\r"),
        Err(DecodeError::Invalid)
    );
    for value in ["a\r", "\r", "a\nb", "\n"] {
        let set = qurccfg::Set {
            config_setting: "urcport",
            value1: Some(value),
            value2: None,
            value3: None,
            value4: None,
        };
        let mut buf = [0xAAu8; qurccfg::Set::MAX_LEN];
        match set.encode(&mut buf) {
            Err(EncodeError::Invalid(e)) => {
                assert_eq!((e.param, e.value), ("value", Value::Present), "{value:?}");
                assert_eq!(e.allowed, "text without CR or LF");
            }
            other => panic!("{value:?}: expected a validation error, got {other:?}"),
        }
        assert!(buf.iter().all(|b| *b == 0xAA), "nothing may be written");
    }
    // Quoted text as well: a CR or LF inside the quotes would end the line just the same.
    let e = qidnsgip::Resolve {
        context_id: CONTEXT,
        hostname: "example.com\r\nAT+QPOWD",
    }
    .validate()
    .unwrap_err();
    assert_eq!((e.param, e.allowed), ("hostname", "text without CR or LF"));
    assert_eq!(
        qidnsgip::Resolve::decode(b"AT+QIDNSGIP=1,\"a\rb\"\r"),
        Err(DecodeError::Invalid)
    );
}

//! The API generated from our own spec behaves like quectel-qi's: typed ranges (with our
//! firmware's deviation), validation before any byte is written, decoding both ways.

use own_spec_example::{
    qping, qxhb, response, urc, ContextId, HbInterval, HbState, PingTimeout, Pingnum, Request, Urc,
};

#[test]
fn our_deviating_range_is_the_one_generated() {
    // The application note allows 1-10 requests; our spec says 1-100.
    assert_eq!(Pingnum::RANGES, &[(1, 100)]);
    assert!(Pingnum::new(50).is_some());
    assert!(Pingnum::new(101).is_none());
}

#[test]
fn a_ping_encodes_with_its_optional_parameters() {
    let ping = qping::Ping {
        context_id: ContextId::new(1).unwrap(),
        host: "example.com",
        timeout: Some(PingTimeout::default()),
        pingnum: Some(Pingnum::new(20).unwrap()),
    };
    let mut buf = [0u8; qping::Ping::MAX_LEN];
    let n = ping.encode(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"AT+QPING=1,\"example.com\",4,20\r");
    assert_eq!(qping::Ping::decode(&buf[..n]).unwrap(), ping);
    // Nested optional parameters: the count needs the timeout before it.
    let skipped = qping::Ping {
        timeout: None,
        ..ping
    };
    assert!(skipped.encode(&mut buf).is_err());
}

#[test]
fn an_invalid_request_writes_nothing() {
    let ping = qping::Ping {
        context_id: ContextId::new(1).unwrap(),
        host: "",
        timeout: None,
        pingnum: None,
    };
    let mut buf = [b'#'; qping::Ping::MAX_LEN];
    let err = ping.encode(&mut buf).unwrap_err();
    assert!(matches!(err, own_spec_example::wire::EncodeError::Invalid(e) if e.param == "host"));
    assert!(buf.iter().all(|b| *b == b'#'));
}

#[test]
fn the_made_up_command_round_trips() {
    let set = qxhb::Set {
        connect_id: own_spec_example::ConnectId::new(3).unwrap(),
        hb_state: HbState::On,
        hb_interval: Some(HbInterval::new(120).unwrap()),
    };
    let mut buf = [0u8; qxhb::Set::MAX_LEN];
    let n = set.encode(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"AT+QXHB=3,1,120\r");
    assert_eq!(qxhb::Set::TIMEOUT_MS, 1000);
    match Request::decode(&buf[..n]).unwrap() {
        Request::QxhbSet(back) => assert_eq!(back, set),
        other => panic!("decoded as {other:?}"),
    }
    let line = response::qxhb::ReadLine::decode(b"+QXHB: 3,1,120", b"").unwrap();
    assert_eq!(line.hb_interval.get(), 120);
}

#[test]
fn our_urcs_decode() {
    match Urc::decode(b"+QXHB: 3,2", b"").unwrap() {
        Urc::HeartbeatMissed(u) => assert_eq!(u.missed.get(), 2),
        other => panic!("{other:?}"),
    }
    let reply = urc::PingReply::decode(b"+QPING: 0,\"192.0.2.7\",32", b"").unwrap();
    assert_eq!(reply.time, Some(32));
    assert_eq!(reply.ip_address.as_deref(), Some("192.0.2.7"));
}

/// The module profile is chosen with a cargo feature (`--features eg800q`).
#[test]
fn the_profile_follows_the_cargo_feature() {
    let lowest = if cfg!(feature = "eg800q") { 30 } else { 10 };
    assert_eq!(HbInterval::MIN.get(), lowest);
    assert!(HbInterval::new(i64::from(lowest) - 1).is_none());
}

/// A line cut inside a quoted string is not a shorter line with an extra field ignored.
#[test]
fn a_line_cut_inside_quotes_is_rejected() {
    // Newer firmware may append whole fields: ignored.
    assert!(urc::HeartbeatMissed::decode(b"+QXHB: 3,2,7", b"").is_ok());
    assert!(urc::HeartbeatMissed::decode(b"+QXHB: 3,2,\"new\"", b"").is_ok());
    // A quote opened and never closed: the line was cut.
    assert_eq!(
        urc::HeartbeatMissed::decode(b"+QXHB: 3,2,\"cut", b""),
        Err(own_spec_example::wire::DecodeError::TrailingData)
    );
    assert!(Urc::decode(b"+QXHB: 3,2,\"cut", b"").is_err());
}

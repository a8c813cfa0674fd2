//! Constructs of other application notes that the schema expresses, each generated from this
//! crate's spec and round-tripped: repeated fields and parameter groups with bounds, an optional
//! field in the middle of a line.

use own_spec_example::wire::{DecodeError, EncodeError, Writer};
use own_spec_example::{
    qxaddr, qxsub, qxuns, response, urc, ConnectId, ContextId, GrantedQos, MsgId, Qos, Request,
    StopReason, SubResult, Urc,
};

fn encoded(f: impl Fn(&mut Writer<'_>) -> Result<(), own_spec_example::wire::Overflow>) -> Vec<u8> {
    let mut buf = [0u8; 512];
    let mut w = Writer::new(&mut buf);
    f(&mut w).unwrap();
    let n = w.len();
    buf[..n].to_vec()
}

#[test]
fn a_list_of_granted_values_round_trips_within_its_bounds() {
    let line = b"+QXSUB: 0,7,0,1,128,2";
    let u = urc::Subscribed::decode(line, b"").unwrap();
    assert_eq!(u.sub_result, SubResult::Granted);
    let granted: Vec<i64> = u.granted_qos.iter().map(|g| i64::from(g.get())).collect();
    assert_eq!(granted, [1, 128, 2]);
    assert_eq!(encoded(|w| u.encode(w)), line);
    assert_eq!(Urc::decode(line, b"").unwrap(), Urc::Subscribed(u));
    // `min: 0`: a request still being retried grants nothing yet.
    let none = urc::Subscribed::decode(b"+QXSUB: 0,7,1", b"").unwrap();
    assert!(none.granted_qos.is_empty());
    assert_eq!(encoded(|w| none.encode(w)), b"+QXSUB: 0,7,1");
    // Each value is checked against its range, at its own wire index.
    assert_eq!(
        urc::Subscribed::decode(b"+QXSUB: 0,7,0,1,3", b""),
        Err(DecodeError::OutOfRange { index: 4 })
    );
    // `max: 4`: a fifth value is more than the line may carry.
    assert_eq!(
        urc::Subscribed::decode(b"+QXSUB: 0,7,0,0,1,2,0,1", b""),
        Err(DecodeError::TrailingData)
    );
    assert_eq!(GrantedQos::RANGES, &[(0, 2), (128, 128)]);
}

#[test]
fn a_list_of_addresses_needs_its_minimum() {
    let line = b"+QXADDR: 1,\"10.0.0.2\",\"2001:db8::2\"";
    let l = response::qxaddr::ListLine::decode(line, b"").unwrap();
    assert_eq!(l.context_id, ContextId::new(1).unwrap());
    let addrs: Vec<&str> = l.address.iter().map(|a| a.as_str()).collect();
    assert_eq!(addrs, ["10.0.0.2", "2001:db8::2"]);
    assert_eq!(encoded(|w| l.encode(w)), line);
    // `min: 1`: a line without any address is missing its first one.
    assert_eq!(
        response::qxaddr::ListLine::decode(b"+QXADDR: 1", b""),
        Err(DecodeError::MissingField { index: 1 })
    );
    // The form in flight claims its line.
    let req = Request::decode(b"AT+QXADDR=1").unwrap();
    assert_eq!(req.form_index(), qxaddr::List::FORM_INDEX);
}

#[test]
fn an_optional_field_in_the_middle_of_a_urc_keeps_its_place() {
    let without = urc::HeartbeatStopped::decode(b"+QXHBSTOP: 3,,4", b"").unwrap();
    assert_eq!(without.stop_reason, None);
    assert_eq!(without.missed.get(), 4);
    assert_eq!(encoded(|w| without.encode(w)), b"+QXHBSTOP: 3,,4");
    let with = urc::HeartbeatStopped::decode(b"+QXHBSTOP: 3,2,4", b"").unwrap();
    assert_eq!(with.stop_reason, Some(StopReason::RetriesExhausted));
    assert_eq!(encoded(|w| with.encode(w)), b"+QXHBSTOP: 3,2,4");
    match Urc::decode(b"+QXHBSTOP: 3,,4", b"").unwrap() {
        Urc::HeartbeatStopped(u) => assert_eq!(u, without),
        other => panic!("{other:?}"),
    }
    // The place is kept: dropping the empty field leaves the last one missing, and the
    // count taken for a reason is no reason.
    assert_eq!(
        urc::HeartbeatStopped::decode(b"+QXHBSTOP: 3,2", b""),
        Err(DecodeError::MissingField { index: 2 })
    );
    assert_eq!(
        urc::HeartbeatStopped::decode(b"+QXHBSTOP: 3,4", b""),
        Err(DecodeError::UnknownValue { index: 1 })
    );
}

fn topics<'a>(entries: &[(&'a str, Qos)]) -> heapless::Vec<qxsub::SubscribeTopicsEntry<'a>, 4> {
    entries
        .iter()
        .map(|&(topic, qos)| qxsub::SubscribeTopicsEntry { topic, qos })
        .collect()
}

#[test]
fn topic_and_qos_pairs_round_trip_as_a_repeated_group() {
    let sub = qxsub::Subscribe {
        connect_id: ConnectId::new(0).unwrap(),
        msg_id: MsgId::new(7).unwrap(),
        topics: topics(&[
            ("sensors/1", Qos::AtLeastOnce),
            ("sensors/2", Qos::ExactlyOnce),
        ]),
    };
    let mut buf = [0u8; qxsub::Subscribe::MAX_LEN];
    let n = sub.encode(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"AT+QXSUB=0,7,\"sensors/1\",1,\"sensors/2\",2\r");
    assert_eq!(qxsub::Subscribe::decode(&buf[..n]).unwrap(), sub);
    assert_eq!(
        Request::decode(&buf[..n]),
        Ok(Request::QxsubSubscribe(sub.clone()))
    );
    // The longest command fits MAX_LEN: four entries of the longest topic.
    let long = "t".repeat(64);
    let full = qxsub::Subscribe {
        topics: topics(&[(long.as_str(), Qos::AtMostOnce); 4]),
        ..sub.clone()
    };
    let n = full.encode(&mut buf).unwrap();
    assert_eq!(qxsub::Subscribe::decode(&buf[..n]).unwrap(), full);
}

#[test]
fn a_repeated_group_is_checked_within_its_bounds() {
    let none = qxsub::Subscribe {
        connect_id: ConnectId::new(0).unwrap(),
        msg_id: MsgId::new(7).unwrap(),
        topics: heapless::Vec::new(),
    };
    // `min: 1`: nothing is written without a topic.
    let mut buf = [b'#'; qxsub::Subscribe::MAX_LEN];
    let err = none.encode(&mut buf).unwrap_err();
    assert!(matches!(err, EncodeError::Invalid(e) if e.param == "topics"));
    assert!(buf.iter().all(|b| *b == b'#'));
    // Each entry's strings are checked like any parameter's.
    let long = "t".repeat(65);
    let too_long = qxsub::Subscribe {
        topics: topics(&[(long.as_str(), Qos::AtMostOnce)]),
        ..none.clone()
    };
    assert!(matches!(too_long.validate(), Err(e) if e.param == "topic"));
    // Decoding: an entry cut in half, more entries than `max`, none at all.
    assert_eq!(
        qxsub::Subscribe::decode(b"AT+QXSUB=0,7,\"a\",1,\"b\""),
        Err(DecodeError::MissingField { index: 5 })
    );
    assert_eq!(
        qxsub::Subscribe::decode(b"AT+QXSUB=0,7,\"a\",0,\"b\",0,\"c\",0,\"d\",0,\"e\",0"),
        Err(DecodeError::TrailingData)
    );
    assert_eq!(
        qxsub::Subscribe::decode(b"AT+QXSUB=0,7"),
        Err(DecodeError::Invalid)
    );
    assert_eq!(
        qxsub::Subscribe::decode(b"AT+QXSUB=0,7,\"a\",3"),
        Err(DecodeError::UnknownValue { index: 3 })
    );
}

#[test]
fn a_group_of_one_parameter_is_a_list_of_topics() {
    let uns = qxuns::Unsubscribe {
        connect_id: ConnectId::new(0).unwrap(),
        msg_id: MsgId::new(8).unwrap(),
        topics: ["a", "b/c"]
            .into_iter()
            .map(|topic| qxuns::UnsubscribeTopicsEntry { topic })
            .collect(),
    };
    let mut buf = [0u8; qxuns::Unsubscribe::MAX_LEN];
    let n = uns.encode(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"AT+QXUNS=0,8,\"a\",\"b/c\"\r");
    assert_eq!(qxuns::Unsubscribe::decode(&buf[..n]).unwrap(), uns);
}

#[test]
fn a_response_time_is_computed_from_the_settings() {
    use own_spec_example::{PktTimeout, RetryTimes};
    // AT+QXUNS answers after the broker: <pkt_timeout> × <retry_times>, 5 s × 3 by default.
    assert_eq!(qxuns::Unsubscribe::TIMEOUT_MS, 15_000);
    let (t, r) = (PktTimeout::new(10).unwrap(), RetryTimes::new(4).unwrap());
    assert_eq!(qxuns::Unsubscribe::timeout_ms_for(t, r), 40_000);
    assert_eq!(
        qxuns::Unsubscribe::timeout_ms_for(PktTimeout::MAX, RetryTimes::MAX),
        600_000
    );
}

#[test]
fn a_later_result_after_ok_has_its_own_computed_timeout() {
    use own_spec_example::{PktTimeout, RetryTimes};
    // AT+QXSUB answers OK at once; the broker's answer comes within the settings' product.
    assert_eq!(qxsub::Subscribe::TIMEOUT_MS, 5_000);
    assert_eq!(qxsub::Subscribe::LATER_TIMEOUT_MS, 15_000);
    let (t, r) = (PktTimeout::new(2).unwrap(), RetryTimes::new(1).unwrap());
    assert_eq!(qxsub::Subscribe::later_timeout_ms_for(t, r), 2_000);
}

#[test]
fn result_codes_differ_by_command() {
    use own_spec_example::{qxhb, ErrorCode};
    assert_eq!(qxhb::Set::ERRORS, &[ErrorCode::SocketNotOpen]);
    assert_eq!(qxsub::Subscribe::ERRORS, &[ErrorCode::BrokerRefused]);
    assert_eq!(ErrorCode::try_from(5), Ok(ErrorCode::BrokerRefused));
}

/// What the caller knows of each socket's receive mode (set with `AT+QXCONF="recvmode"`).
struct Sockets {
    recv_mode: [Option<own_spec_example::RecvMode>; 12],
}

impl own_spec_example::UrcSettings for Sockets {
    fn recv_mode(&self, instance: Option<i64>) -> Option<own_spec_example::RecvMode> {
        let i = usize::try_from(instance?).ok()?;
        *self.recv_mode.get(i)?
    }
}

#[test]
fn a_line_shape_is_chosen_by_a_setting_of_its_own_socket() {
    use own_spec_example::RecvMode;
    let mut sockets = Sockets {
        recv_mode: [None; 12],
    };
    sockets.recv_mode[1] = Some(RecvMode::Bytes);
    sockets.recv_mode[2] = Some(RecvMode::Messages);
    // The same shape on the wire: the first variant wins without settings.
    assert!(matches!(
        Urc::decode(b"+QXRECV: 2,5", b""),
        Ok(Urc::WaitingBytes(_))
    ));
    // Socket 2 counts messages, socket 1 bytes: each line is read by its own socket's mode.
    match Urc::decode_with(b"+QXRECV: 2,5", b"", &sockets).unwrap() {
        Urc::WaitingMessages(u) => assert_eq!(u.waiting_messages.get(), 5),
        other => panic!("{other:?}"),
    }
    match Urc::decode_with(b"+QXRECV: 1,5", b"", &sockets).unwrap() {
        Urc::WaitingBytes(u) => assert_eq!(u.waiting_bytes.get(), 5),
        other => panic!("{other:?}"),
    }
    // A socket whose mode is not known rules nothing out.
    assert!(matches!(
        Urc::decode_with(b"+QXRECV: 3,5", b"", &sockets),
        Ok(Urc::WaitingBytes(_))
    ));
    // A count only bytes can be (above 16) stays bytes, whatever the setting says.
    assert!(matches!(
        Urc::decode_with(b"+QXRECV: 2,100", b"", &sockets),
        Ok(Urc::WaitingBytes(_))
    ));
    // Other URCs decode as usual.
    assert!(matches!(
        Urc::decode_with(b"+QXHB: 3,2", b"", &sockets),
        Ok(Urc::HeartbeatMissed(_))
    ));
}

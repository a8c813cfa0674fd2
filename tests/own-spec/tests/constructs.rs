//! Constructs of other application notes that the schema expresses, each generated from this
//! crate's spec and round-tripped: repeated fields with bounds, an optional field in the middle
//! of a line.

use own_spec_example::wire::{DecodeError, Writer};
use own_spec_example::{qxaddr, response, urc, ContextId, GrantedQos, Request, StopReason, SubResult, Urc};

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

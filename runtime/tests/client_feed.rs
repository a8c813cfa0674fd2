//! The reader side: `feed_ingress` gives up instead of hanging, and `PortReader` splits the
//! port's bytes between atat and the raw data of transparent mode, at every split point.

use atat::{Ingress, ResponseSlot, UrcChannel};
use quectel_qi::client::QueuedUrc;
use quectel_qi::client::{feed_ingress, FeedError, PortReader};
use quectel_qi::digest::{DigestState, QiDigester};
use quectel_qi::sizes::{INGRESS_BUF_SIZE, RESPONSE_SLOT_SIZE};
use quectel_qi::ConnectId;

type Slot = ResponseSlot<RESPONSE_SLOT_SIZE>;
type Urcs = UrcChannel<QueuedUrc, 2, 1>;

struct Rig {
    slot: &'static Slot,
    urcs: &'static Urcs,
    digest: &'static DigestState,
}

fn rig() -> Rig {
    Rig {
        slot: Box::leak(Box::new(ResponseSlot::new())),
        urcs: Box::leak(Box::new(UrcChannel::new())),
        digest: Box::leak(Box::new(DigestState::new())),
    }
}

type QiIngress = Ingress<'static, QiDigester<'static>, QueuedUrc, RESPONSE_SLOT_SIZE, 2, 1>;

fn ingress(r: &Rig, size: usize) -> QiIngress {
    let buf: &'static mut [u8] = Box::leak(vec![0u8; size].into_boxed_slice());
    Ingress::new(QiDigester::new(r.digest), buf, r.slot, r.urcs)
}

const CLOSED: &[u8] = b"\r\n+QIURC: \"closed\",1\r\n";

#[test]
fn a_full_urc_channel_ends_the_feed_after_the_waits_allowed() {
    let r = rig();
    let _sub = r.urcs.subscribe().unwrap();
    let mut ing = ingress(&r, INGRESS_BUF_SIZE);
    let three = [CLOSED, CLOSED, CLOSED].concat();
    let mut waits = 0;
    let got = feed_ingress(&mut ing, &three, 5, || waits += 1);
    // Two URCs fit; the third stays in the ingress, every byte was taken.
    assert_eq!(got, Err(FeedError::UrcChannelFull { fed: three.len() }));
    assert_eq!(waits, 5);
    assert_eq!(feed_ingress(&mut ing, b"", 5, || panic!()), Ok(()));
}

#[test]
fn a_frame_longer_than_the_ingress_buffer_is_cleared_and_reported() {
    let r = rig();
    let mut ing = ingress(&r, 16);
    // A response that never ends: nothing can be digested from 16 bytes of it.
    let long = b"\r\n+QIRD: 1000\r\n0123456789012345678901234567890123456789";
    let got = feed_ingress(&mut ing, long, 5, || {
        panic!("no wait: the channel is empty")
    });
    assert_eq!(got, Err(FeedError::Overflow { fed: 16 }));
    // Cleared: it takes bytes again.
    assert_eq!(feed_ingress(&mut ing, b"\r\nOK\r\n", 5, || {}), Ok(()));
    assert!(r.slot.try_get().is_some());
}

/// What a [`PortReader`] made of some input: raw data, and the URCs atat got.
#[derive(Debug, PartialEq, Eq)]
struct Out {
    raw: Vec<u8>,
    urcs: usize,
}

/// Feeds `input` cut at `cuts` through a blocking `PortReader`, flushing at the end.
fn split(input: &[u8], cuts: &[usize], asynch: bool) -> (Out, &'static DigestState) {
    let r = rig();
    let mut sub = r.urcs.subscribe().unwrap();
    let mut ing = ingress(&r, INGRESS_BUF_SIZE);
    let mut port = PortReader::new(r.digest);
    let mut raw = Vec::new();
    let mut urcs = 0;
    let mut from = 0;
    for &to in cuts.iter().chain([input.len()].iter()) {
        let piece = &input[from..to];
        from = to;
        let got = if asynch {
            embassy_futures::block_on(
                port.feed_async(&mut ing, piece, |b| raw.extend_from_slice(b)),
            )
        } else {
            port.feed(&mut ing, piece, |b| raw.extend_from_slice(b), 0, || {})
        };
        assert_eq!(got, Ok(()));
        while sub.try_next_message_pure().is_some() {
            urcs += 1;
        }
    }
    port.flush(|b| raw.extend_from_slice(b));
    assert_eq!(port.held(), 0);
    (Out { raw, urcs }, r.digest)
}

/// Every way to cut `input` in two and in three (the latter around `around`).
fn every_cut(input: &[u8], around: usize, want: &Out, transparent_after: bool) {
    let mut cuts: Vec<Vec<usize>> = vec![vec![]];
    for i in 1..input.len() {
        cuts.push(vec![i]);
    }
    for i in around.saturating_sub(16)..(around + 16).min(input.len()) {
        for j in i + 1..(around + 16).min(input.len()) {
            cuts.push(vec![i, j]);
        }
    }
    for c in &cuts {
        for asynch in [false, true] {
            let (out, digest) = split(input, c, asynch);
            assert_eq!(&out, want, "cut at {c:?}, async {asynch}");
            assert_eq!(digest.is_transparent(), transparent_after, "cut at {c:?}");
        }
    }
}

#[test]
fn bytes_right_after_connect_are_data() {
    let input = b"\r\nCONNECT\r\n\r\nOK\r\n+QIURC: \"closed\",1\r\nERROR\r\nraw";
    let want = Out {
        raw: input[11..].to_vec(),
        urcs: 0,
    };
    every_cut(input, 11, &want, true);
}

#[test]
fn connect_with_a_rate_and_after_an_echo() {
    let input = b"AT+QISWTMD=0,2\r\r\nCONNECT 150000000\r\nabc\r";
    let want = Out {
        raw: b"abc\r".to_vec(),
        urcs: 0,
    };
    every_cut(input, 37, &want, true);
}

#[test]
fn no_carrier_ends_transparent_mode_and_goes_to_atat() {
    let input = b"\r\nCONNECT\r\ndata\r\nNO\r\n\r\nNO CARRIER\r\n+QIURC: \"closed\",1\r\n";
    let want = Out {
        raw: b"data\r\nNO\r\n".to_vec(),
        // The URC after NO CARRIER: command mode again.
        urcs: 1,
    };
    every_cut(input, 25, &want, false);
}

#[test]
fn atat_and_the_client_hear_of_no_carrier() {
    let r = rig();
    let mut ing = ingress(&r, INGRESS_BUF_SIZE);
    let mut port = PortReader::new(r.digest);
    let mut raw = Vec::new();
    port.feed(
        &mut ing,
        b"\r\nCONNECT\r\nx",
        |b| raw.extend_from_slice(b),
        0,
        || {},
    )
    .unwrap();
    assert_eq!(*r.slot.try_get().unwrap(), atat::Response::ok(b""));
    r.slot.reset();
    port.feed(
        &mut ing,
        b"\r\nNO CARRIER\r\n",
        |b| raw.extend_from_slice(b),
        0,
        || {},
    )
    .unwrap();
    assert_eq!(
        *r.slot.try_get().unwrap(),
        atat::Response::ConnectionError(atat::ConnectionError::NoCarrier as u8)
    );
    assert_eq!(raw, b"x");
    assert!(r.digest.take_carrier_lost());
    assert!(!r.digest.take_carrier_lost());
}

#[test]
fn a_read_ending_like_no_carrier_is_kept_until_the_port_is_quiet() {
    let r = rig();
    let mut ing = ingress(&r, INGRESS_BUF_SIZE);
    let mut port = PortReader::new(r.digest);
    let mut raw = Vec::new();
    let input = b"\r\nCONNECT\r\nline\r\nNO CAR";
    port.feed(&mut ing, input, |b| raw.extend_from_slice(b), 0, || {})
        .unwrap();
    assert_eq!(raw, b"line");
    assert_eq!(port.held(), 8);
    port.flush(|b| raw.extend_from_slice(b));
    assert_eq!(raw, b"line\r\nNO CAR");
    assert!(r.digest.is_transparent());
}

#[test]
fn bytes_kept_back_are_data_once_the_client_left_transparent_mode() {
    let r = rig();
    let mut ing = ingress(&r, INGRESS_BUF_SIZE);
    let mut port = PortReader::new(r.digest);
    let mut raw = Vec::new();
    port.feed(
        &mut ing,
        b"\r\nCONNECT\r\necho\r",
        |b| raw.extend_from_slice(b),
        0,
        || {},
    )
    .unwrap();
    assert_eq!(port.held(), 1);
    // The client's `+++`: command mode before the module's OK.
    r.digest.set_transparent(false);
    port.feed(
        &mut ing,
        b"\r\nOK\r\n",
        |b| raw.extend_from_slice(b),
        0,
        || {},
    )
    .unwrap();
    assert_eq!(raw, b"echo\r");
    assert!(r.slot.try_get().is_some());
    assert_eq!(r.digest.access_mode(ConnectId::new_const(0)), None);
}

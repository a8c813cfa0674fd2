//! The atat-based client's ingress with a push ring: atat's URC channel carries metadata
//! only, each payload is written to the ring once, and comes out once, in URC order, whatever
//! atat does with a frame it could not publish (a full channel, a cancelled `advance`) and
//! however the input is chunked.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use atat::urc_channel::UrcSubscription;
use atat::{AtatIngress, IngressError, ResponseSlot, UrcChannel};
use proptest::prelude::*;
use quectel_qi::client::{
    feed_ingress, ChannelUrc, FeedError, PushIngress, PushRing, Queued, Router, UrcMeta,
};
use quectel_qi::digest::{DigestState, QiDigester};
use quectel_qi::sizes::{INGRESS_BUF_SIZE, RESPONSE_SLOT_SIZE};
use quectel_qi::{ConnectId, Urc};

type Slot = ResponseSlot<RESPONSE_SLOT_SIZE>;
/// A small channel, so that it fills.
const CAP: usize = 2;
type Urcs = UrcChannel<UrcMeta, CAP, 1>;
type Ingress = PushIngress<'static, RESPONSE_SLOT_SIZE, CAP, 1>;
type Sub = UrcSubscription<'static, UrcMeta, CAP, 1>;

struct Rig<R: 'static> {
    ring: &'static R,
    ingress: Ingress,
    sub: Sub,
}

fn rig<const N: usize, const E: usize>() -> Rig<PushRing<N, E>> {
    let slot: &'static Slot = Box::leak(Box::new(ResponseSlot::new()));
    let urcs: &'static Urcs = Box::leak(Box::new(UrcChannel::new()));
    let ring: &'static PushRing<N, E> = Box::leak(Box::new(PushRing::new()));
    let digest: &'static DigestState = Box::leak(Box::new(DigestState::new()));
    let buf: &'static mut [u8] = Box::leak(vec![0u8; INGRESS_BUF_SIZE].into_boxed_slice());
    let sub = urcs.subscribe().unwrap();
    let ingress = PushIngress::new(QiDigester::new(digest), ring, buf, slot, urcs);
    Rig { ring, ingress, sub }
}

/// What the client sees of one URC: its socket and payload (data URCs), or its line.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seen {
    Data(i64, Vec<u8>),
    Other(String),
}

fn seen(u: &Urc<'_>) -> Seen {
    match u {
        Urc::RecvPush(p) => Seen::Data(i64::from(p.connect_id.get()), p.data.to_vec()),
        other => Seen::Other(format!("{other:?}")),
    }
}

impl<const N: usize, const E: usize> Rig<PushRing<N, E>> {
    /// Takes the next URC from the channel as the client does: with its payload from the ring.
    fn next(&mut self) -> Option<Seen> {
        let meta = self.sub.try_next_message_pure()?;
        meta.queued(self.ring).with_urc(seen)
    }

    fn drain(&mut self) -> Vec<Seen> {
        std::iter::from_fn(|| self.next()).collect()
    }
}

fn push(id: u8, data: &[u8]) -> Vec<u8> {
    let mut f = format!("\r\n+QIURC: \"recv\",{id},{}\r\n", data.len()).into_bytes();
    f.extend_from_slice(data);
    f
}

const CLOSED: &[u8] = b"\r\n+QIURC: \"closed\",5\r\n";

fn data(id: i64, bytes: &[u8]) -> Seen {
    Seen::Data(id, bytes.to_vec())
}

fn poll_once<F: Future>(f: std::pin::Pin<&mut F>) -> Poll<F::Output> {
    f.poll(&mut Context::from_waker(Waker::noop()))
}

#[test]
fn a_channel_entry_is_metadata_only() {
    let meta = std::mem::size_of::<UrcMeta>();
    let frame = std::mem::size_of::<quectel_qi::QueuedUrc>();
    println!("channel entry: UrcMeta {meta} B, QueuedUrc {frame} B");
    assert!(meta < frame / 4, "{meta} B is no metadata-only entry");
}

#[test]
fn pushes_come_out_byte_exact_and_in_order() {
    let mut r = rig::<4096, 3>();
    // Payloads that look like frames: CR LF, OK, a URC line, NUL.
    let one = b"\r\nOK\r\n\0+QIURC: \"closed\",1\r\n";
    let two = b">\r\n\r\nERROR\r\n";
    let wire = [push(1, one), CLOSED.to_vec(), push(2, two)].concat();
    assert_eq!(
        r.ingress.try_write(&wire),
        Err(IngressError::UrcChannelFull)
    );
    let got = r.drain();
    assert_eq!(got[0], data(1, one));
    assert!(matches!(&got[1], Seen::Other(l) if l.contains("Closed")));
    // The third was left in atat's buffer (channel full) and comes on the next try.
    r.ingress.try_advance(0).unwrap();
    assert_eq!(r.drain(), vec![data(2, two)]);
    assert_eq!(r.ring.waiting(), 0);
    assert_eq!(r.ring.lost(), 0);
}

#[test]
fn a_full_channel_retried_neither_loses_nor_duplicates_a_payload() {
    let mut r = rig::<4096, 3>();
    let wire = [push(0, b"first"), push(0, b"second"), push(0, b"third")].concat();
    // Two fit the channel; the third is refused, again and again.
    assert_eq!(
        r.ingress.try_write(&wire),
        Err(IngressError::UrcChannelFull)
    );
    for _ in 0..3 {
        assert_eq!(r.ingress.try_advance(0), Err(IngressError::UrcChannelFull));
    }
    // Two payloads wait, not five: every refused try was rolled back.
    assert_eq!(r.ring.waiting(), 2);
    assert_eq!(r.next(), Some(data(0, b"first")));
    r.ingress.try_advance(0).unwrap();
    assert_eq!(r.drain(), vec![data(0, b"second"), data(0, b"third")]);
    assert_eq!(r.ring.waiting(), 0);
}

#[test]
fn a_cancelled_advance_neither_loses_nor_duplicates_a_payload() {
    let mut r = rig::<4096, 3>();
    let wire = [push(3, b"one"), push(3, b"two"), push(3, b"three")].concat();
    r.ingress.write_buf()[..wire.len()].copy_from_slice(&wire);
    {
        let advance = pin!(r.ingress.advance(wire.len()));
        // Waits to publish the third; dropped at the end of the block: cancelled.
        assert!(poll_once(advance).is_pending());
    }
    assert_eq!(r.ring.waiting(), 2, "the third's payload was rolled back");
    assert_eq!(r.next(), Some(data(3, b"one")));
    {
        let mut advance = pin!(r.ingress.advance(0));
        assert!(poll_once(advance.as_mut()).is_ready());
    }
    assert_eq!(r.drain(), vec![data(3, b"two"), data(3, b"three")]);
    assert_eq!(r.ring.waiting(), 0);
}

#[test]
fn a_ring_without_room_now_holds_the_frame_back_until_the_client_takes() {
    let mut r = rig::<8, 3>();
    let wire = [push(1, b"abcdef"), push(2, b"ghijkl")].concat();
    // The second does not fit beside the first: held back as a full channel would be.
    let mut waits = 0;
    let got = feed_ingress(&mut r.ingress, &wire, 2, || waits += 1);
    assert_eq!(got, Err(FeedError::UrcChannelFull { fed: wire.len() }));
    assert_eq!(waits, 2);
    assert_eq!(r.next(), Some(data(1, b"abcdef")));
    r.ingress.try_advance(0).unwrap();
    assert_eq!(r.drain(), vec![data(2, b"ghijkl")]);

    // The async ingress waits for room instead.
    let wire = [push(1, b"mnopqr"), push(2, b"stuvwx")].concat();
    r.ingress.write_buf()[..wire.len()].copy_from_slice(&wire);
    {
        let mut advance = pin!(r.ingress.advance(wire.len()));
        assert!(poll_once(advance.as_mut()).is_pending());
        assert!(poll_once(advance.as_mut()).is_pending(), "no room yet");
        let meta = r.sub.try_next_message_pure().unwrap();
        let first = meta.queued(r.ring).with_urc(seen);
        assert_eq!(first, Some(data(1, b"mnopqr")));
        assert!(poll_once(advance.as_mut()).is_ready());
    }
    assert_eq!(r.next(), Some(data(2, b"stuvwx")));
}

#[test]
fn a_push_larger_than_the_ring_is_an_overrun_never_a_cut_payload() {
    let mut r = rig::<8, 3>();
    let wire = [push(4, b"0123456789"), push(4, b"ok")].concat();
    r.ingress.try_write(&wire).unwrap();
    let meta = r.sub.try_next_message_pure().unwrap();
    let mut router = Router::new();
    let first = meta.queued(r.ring).with_urc(|u| {
        assert!(
            matches!(u, Urc::RecvPush(p) if p.data.is_empty()),
            "no cut payload"
        );
        router.route(u)
    });
    assert!(first.is_some());
    let id = ConnectId::new(4).unwrap();
    assert!(router.socket(id).overrun, "the reader learns of the loss");
    assert_eq!(r.ring.lost(), 1);
    assert_eq!(r.next(), Some(data(4, b"ok")));
}

/// One frame of a generated session.
#[derive(Debug, Clone)]
enum Frame {
    Push(u8, Vec<u8>),
    Closed,
}

fn frames() -> impl Strategy<Value = Vec<Frame>> {
    // Bytes that frame: CR, LF, `O`, `K`, `+`, `>`, NUL, and a few others.
    let byte = prop::sample::select(b"\r\n\r\nOK+>\0QIURC\",x".to_vec());
    let frame = prop_oneof![
        4 => (0u8..12, prop::collection::vec(byte, 1..64)).prop_map(|(id, d)| Frame::Push(id, d)),
        1 => Just(Frame::Closed),
    ];
    prop::collection::vec(frame, 1..24)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Whatever the chunking and however often the channel or the ring is full, every URC
    /// comes out once, in order, with its payload byte-exact.
    #[test]
    fn every_chunking_delivers_each_payload_once(
        frames in frames(),
        cuts in prop::collection::vec(1usize..80, 1..40),
    ) {
        let mut r = rig::<160, 3>();
        let mut wire = Vec::new();
        let mut want = Vec::new();
        for f in &frames {
            match f {
                Frame::Push(id, d) => {
                    wire.extend_from_slice(&push(*id, d));
                    want.push(data(i64::from(*id), d));
                }
                Frame::Closed => {
                    wire.extend_from_slice(CLOSED);
                    want.push(Seen::Other(String::new()));
                }
            }
        }
        let mut got = Vec::new();
        let mut chunks: VecDeque<usize> = cuts.into_iter().collect();
        let mut at = 0;
        while at < wire.len() {
            let n = chunks.pop_front().unwrap_or(7).min(wire.len() - at);
            chunks.push_back(n);
            let ring = r.ring;
            let sub = &mut r.sub;
            // While full, the client takes one URC per wait.
            let fed = feed_ingress(&mut r.ingress, &wire[at..at + n], 1_000, || {
                if let Some(meta) = sub.try_next_message_pure() {
                    got.push(meta.queued(ring).with_urc(seen));
                }
            });
            prop_assert_eq!(fed, Ok(()));
            at += n;
        }
        got.extend(r.drain().into_iter().map(Some));
        let got: Vec<Seen> = got
            .into_iter()
            .map(|s| match s {
                Some(Seen::Other(_)) => Seen::Other(String::new()),
                Some(s) => s,
                None => Seen::Other("undecoded".into()),
            })
            .collect();
        prop_assert_eq!(got, want);
        prop_assert_eq!(r.ring.waiting(), 0);
        prop_assert_eq!(r.ring.lost(), 0);
    }
}

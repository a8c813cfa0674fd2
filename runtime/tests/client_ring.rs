//! The atat-based client's ingress with a push ring: atat's URC channel carries a few bytes
//! per URC, each frame is written to the ring once, its URC routed once, in URC order, and a
//! payload copied once more, from the ring into the reader's buffer, whatever atat does with
//! a frame it could not publish (a full channel, a cancelled `advance`) and however the input
//! is chunked.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use atat::urc_channel::UrcSubscription;
use atat::{AtatIngress, IngressError, ResponseSlot, UrcChannel};
use proptest::prelude::*;
use quectel_qi::client::{
    feed_ingress, ChannelUrc, FeedError, PayloadRing, PushIngress, PushRing, Queued, UrcMeta,
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
    // No hold time: a slow test thread must not turn into a reader that gave up.
    let ring: &'static PushRing<N, E> = Box::leak(Box::new(PushRing::with_hold_ms(u32::MAX)));
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

/// Routes `meta` as the client does, then reads a data URC's payload as its reader does: the
/// bytes come from the ring, into the reader's buffer. `None`: not handed over.
fn route_and_read(ring: &dyn PayloadRing, meta: UrcMeta) -> Option<Seen> {
    let routed = meta.queued(ring).with_urc(seen)?;
    let Seen::Data(id, routed_bytes) = routed else {
        return Some(routed);
    };
    let connect_id = ConnectId::new(id).unwrap();
    assert_eq!(ring.unread(connect_id), routed_bytes.len());
    let mut read = Vec::new();
    let mut buf = [0u8; 7];
    while let Some((n, _)) = ring.read(connect_id, &mut buf) {
        if n == 0 {
            break;
        }
        read.extend_from_slice(&buf[..n]);
    }
    assert_eq!(read, routed_bytes, "the reader gets what the URC announced");
    Some(Seen::Data(id, read))
}

impl<const N: usize, const E: usize> Rig<PushRing<N, E>> {
    /// Takes the next URC from the channel as the client does, and reads its payload.
    fn next(&mut self) -> Option<Seen> {
        let meta = self.sub.try_next_message_pure()?;
        route_and_read(self.ring, meta)
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
    // A few dozen bytes at most on any target: no URC value (292 B on thumbv7em on main),
    // no text, no payload.
    assert!(meta <= 16, "{meta} B is no metadata-only entry");
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
    // Two frames wait, not five: every refused try was rolled back.
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
    assert_eq!(r.ring.waiting(), 2, "the third's frame was rolled back");
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
    // Room for one frame of 26 bytes (a 20-byte line and 6 bytes), not two.
    let mut r = rig::<40, 3>();
    let wire = [push(1, b"abcdef"), push(2, b"ghijkl")].concat();
    // The second does not fit beside the first, not routed yet: held back as a full channel
    // would be.
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
        assert_eq!(route_and_read(r.ring, meta), Some(data(1, b"mnopqr")));
        assert!(poll_once(advance.as_mut()).is_ready());
    }
    assert_eq!(r.next(), Some(data(2, b"stuvwx")));
    assert_eq!(r.ring.lost(), 0);
}

/// A reader alone, slower than the line: the pushes it has not read yet are routed (the
/// client took their URCs) and fill the ring; the next one is held back, not made room for
/// by giving up the oldest, and comes once the reader took one.
#[test]
fn a_reader_alone_slower_than_the_line_loses_nothing() {
    // Two frames of 26 bytes, not three.
    let mut r = rig::<64, 4>();
    let id = ConnectId::new(1).unwrap();
    let payloads: [&[u8; 6]; 3] = [b"first!", b"second", b"third!"];
    let mut metas = Vec::new();
    for d in &payloads[..2] {
        r.ingress.try_write(&push(1, *d)).unwrap();
        let meta = r.sub.try_next_message_pure().unwrap();
        assert!(meta.queued(r.ring).with_urc(seen).is_some());
    }
    // The third does not fit: held back, nothing lost.
    assert_eq!(
        r.ingress.try_write(&push(1, payloads[2])),
        Err(IngressError::UrcChannelFull)
    );
    assert_eq!(r.ring.lost(), 0);
    let mut buf = [0u8; 8];
    assert_eq!(r.ring.read(id, &mut buf), Some((6, None)));
    assert_eq!(&buf[..6], payloads[0]);
    // Room now: the third comes.
    r.ingress.try_advance(0).unwrap();
    metas.extend(std::iter::from_fn(|| r.sub.try_next_message_pure()));
    assert_eq!(metas.len(), 1);
    assert!(metas[0].queued(r.ring).with_urc(seen).is_some());
    for d in &payloads[1..] {
        assert_eq!(r.ring.read(id, &mut buf), Some((6, None)));
        assert_eq!(&buf[..6], *d);
    }
    assert_eq!(
        (r.ring.lost(), r.ring.take_overruns(), r.ring.waiting()),
        (0, 0, 0)
    );
}

#[test]
fn a_socket_nobody_reads_gives_its_oldest_payload_up_when_another_needs_the_room() {
    // Two frames of 26 bytes, not three.
    let mut r = rig::<64, 3>();
    for d in [b"unread", b"unrea2"] {
        r.ingress.try_write(&push(1, d)).unwrap();
        let meta = r.sub.try_next_message_pure().unwrap();
        // Routed, never read.
        assert!(meta.queued(r.ring).with_urc(seen).is_some());
    }
    let id = ConnectId::new(1).unwrap();
    assert_eq!(r.ring.unread(id), 12);
    // Socket 1 holds more than half the ring; another socket's frame needs room: socket 1's
    // oldest payload goes, its socket is marked, its newer one stays.
    r.ingress.try_write(&push(2, b"flows!")).unwrap();
    assert_eq!(r.ring.take_overruns(), 1 << 1);
    assert_eq!(r.ring.lost(), 1);
    assert_eq!(r.ring.unread(id), 6);
    assert_eq!(r.next(), Some(data(2, b"flows!")));
    let mut buf = [0u8; 8];
    assert_eq!(r.ring.read(id, &mut buf), Some((6, None)));
    assert_eq!(&buf[..6], b"unrea2");
}

#[test]
fn a_push_larger_than_the_ring_is_an_overrun_never_a_cut_payload() {
    let mut r = rig::<40, 3>();
    let wire = [push(4, &[b'x'; 30]), push(4, b"ok")].concat();
    r.ingress.try_write(&wire).unwrap();
    let meta = r.sub.try_next_message_pure().unwrap();
    assert_eq!(meta.data().map(|(_, n)| n), Some(30));
    // Not handed over without its payload, nor cut: lost, counted, its socket marked.
    assert_eq!(meta.queued(r.ring).with_urc(seen), None);
    assert_eq!(r.ring.lost(), 1);
    assert_eq!(r.ring.take_overruns(), 1 << 4);
    assert_eq!(r.next(), Some(data(4, b"ok")));
}

/// One frame of a generated session.
#[derive(Debug, Clone)]
enum Frame {
    Push(u8, Vec<u8>),
    Closed,
}

fn frames(sockets: u8) -> impl Strategy<Value = Vec<Frame>> {
    // Bytes that frame: CR, LF, `O`, `K`, `+`, `>`, NUL, and a few others.
    let byte = prop::sample::select(b"\r\n\r\nOK+>\0QIURC\",x".to_vec());
    let frame = prop_oneof![
        4 => (0u8..sockets, prop::collection::vec(byte, 1..64)).prop_map(|(id, d)| Frame::Push(id, d)),
        1 => Just(Frame::Closed),
    ];
    prop::collection::vec(frame, 1..24)
}

/// Feeds `frames` in pieces cut by `cuts` to a ring of 160 bytes, the client taking one URC
/// (and reading its payload) each time the ingress waits; what the client saw of each URC
/// (`None`: not handed over), what was sent, and the ring's count of losses.
fn session(frames: &[Frame], cuts: Vec<usize>) -> (Vec<Option<Seen>>, Vec<Seen>, u32) {
    let mut r = rig::<160, 3>();
    let mut wire = Vec::new();
    let mut want = Vec::new();
    for f in frames {
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
                got.push(route_and_read(ring, meta));
            }
        });
        assert_eq!(fed, Ok(()));
        at += n;
    }
    got.extend(r.drain().into_iter().map(Some));
    let got = got
        .into_iter()
        .map(|s| match s {
            Some(Seen::Other(_)) => Some(Seen::Other(String::new())),
            s => s,
        })
        .collect();
    assert_eq!(r.ring.waiting(), 0);
    (got, want, r.ring.lost())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// One socket, whatever the chunking and however often the channel or the ring is full:
    /// every URC comes out once, in order, with its payload byte-exact; nothing is lost, for
    /// the reader (the client here) keeps up.
    #[test]
    fn every_chunking_delivers_each_payload_of_a_socket_alone_once(
        frames in frames(1),
        cuts in prop::collection::vec(1usize..80, 1..40),
    ) {
        let (got, want, lost) = session(&frames, cuts);
        let want: Vec<Option<Seen>> = want.into_iter().map(Some).collect();
        prop_assert_eq!(got, want);
        prop_assert_eq!(lost, 0);
    }

    /// Twelve sockets sharing a small ring: every URC comes out once, in order; a payload
    /// comes byte-exact or, when its socket held more than its share, not at all, and then
    /// it is counted: none cut, none twice, none missing uncounted.
    #[test]
    fn every_chunking_delivers_each_payload_once_or_counts_it_lost(
        frames in frames(12),
        cuts in prop::collection::vec(1usize..80, 1..40),
    ) {
        let (got, want, lost) = session(&frames, cuts);
        prop_assert_eq!(got.len(), want.len());
        let mut missing = 0;
        for (g, w) in got.iter().zip(&want) {
            match (g, w) {
                (None, Seen::Data(..)) => missing += 1,
                (Some(g), w) => prop_assert_eq!(g, w),
                (None, w) => prop_assert!(false, "{:?} not handed over", w),
            }
        }
        prop_assert_eq!(missing, lost);
    }
}

#[test]
fn a_default_ring_is_empty_and_says_so() {
    let ring: PushRing<2048, 4> = PushRing::default();
    assert_eq!((ring.waiting(), ring.lost()), (0, 0));
    let shown = format!("{ring:?}");
    assert_eq!(shown, "PushRing { capacity: 2048, waiting: 0, lost: 0 }");
    // A ring that holds nothing back has no deadline for it.
    assert_eq!(PayloadRing::held_until(&ring), None);
}

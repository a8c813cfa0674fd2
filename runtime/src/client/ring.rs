//! The push ring of the atat-based client: every URC's frame waits here, in URC order, from
//! the ingress (which writes it while the frame lies in atat's buffer) to the client (which
//! decodes it from here when it routes the URC), and a data URC's payload stays until a
//! reader copies it into its own buffer: the payload's one copy after the ingress. atat's
//! URC channel carries [`UrcMeta`](super::UrcMeta), a few bytes that find the frame here.
//!
//! The application owns the ring (a `static`, handed by reference to the
//! [`PushIngress`](super::PushIngress) and to the client), so several clients, or tests on
//! threads, never share one.
//!
//! Room is freed in order, from the oldest frame: a payload that sits unread keeps the room
//! of every frame behind it, even those already routed or read. When a frame does not fit:
//! - frames at the head that were routed (and, for data, read) are forgotten;
//! - a payload at the head that was routed but not read is dropped: its socket is marked
//!   overrun ([`PayloadRing::take_overruns`], then
//!   [`SocketInfo::overrun`](super::SocketInfo::overrun)) and its next read is
//!   [`Error::Overrun`](super::Error::Overrun); so a socket left unread loses its oldest
//!   bytes, counted, while the others flow;
//! - a frame at the head the client has not routed yet holds the new frame back, as a full
//!   URC channel does: the ingress stops until the client routed it and tries again.
//!
//! A data URC larger than the whole ring is lost whole (counted in [`PushRing::lost`]) and
//! its socket marked overrun; a payload is never cut.
//!
//! atat may hand the same frame over twice (its URC channel was full, or `advance` was
//! cancelled while it waited for room): the last frame written stays *pending* until the
//! ingress knows whether atat published its URC, and is rolled back when it did not, so the
//! second hand-over writes it again at the same place instead of a second time.

use core::cell::RefCell;
use core::task::{Context, Poll};

use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::waitqueue::WakerRegistration;
use heapless::Deque;

use super::push::Sender;
use super::queued::{layout, Layout};
use crate::{sizes, ConnectId, Urc};

/// Bytes a ring holds by default: two of the largest frames (a 1,500-byte push and its
/// line) unread, and one of the longest lines besides.
pub const RING_CAPACITY: usize = 2 * sizes::URC_SIZE + sizes::DATA_LINE_LEN;
/// Frames a ring keeps apart by default: one per entry of a URC channel of
/// [`sizes::URC_CAPACITY`], one per entry the async link may hold
/// ([`HELD_URCS`](super::HELD_URCS)), the one atat may be handing over, and
/// [`PUSH_RECORDS`](super::PUSH_RECORDS) payloads waiting for their readers.
pub const RING_ENTRIES: usize = sizes::URC_CAPACITY + super::HELD_URCS + 1 + super::PUSH_RECORDS;

/// Where a frame is on its way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Handed to atat, not known to be published.
    Pending,
    /// Published, not routed yet.
    Queued,
    /// Routed; its payload waits for a reader.
    Unread,
    /// Routed (and read): its room is free once every frame before it is.
    Done,
}

/// One frame, in URC order.
#[derive(Debug, Clone, Copy)]
struct Entry {
    /// Where the frame starts in the ring.
    start: u16,
    /// Bytes of it in the ring: its line, then the payload's bytes (none when it was lost).
    len: u16,
    /// Where its payload starts in it (`len` without one).
    payload: u16,
    /// Payload bytes read so far.
    read: u16,
    /// What the channel's entry tells it by ([`Layout::tag`]).
    tag: u16,
    /// A data URC's socket.
    id: Option<ConnectId>,
    /// It did not fit the ring (or its payload did not decode): counted when it is routed.
    lost: bool,
    step: Step,
}

impl Entry {
    fn end(&self) -> usize {
        usize::from(self.start) + usize::from(self.len)
    }
    fn unread(&self) -> usize {
        if self.lost {
            return 0;
        }
        usize::from(self.len - self.payload - self.read)
    }
}

fn bit(id: ConnectId) -> u32 {
    1 << id.get()
}

// Socket bits of `PushRing::overrun`, lengths in `u16`.
const _: () = assert!(crate::client::SOCKETS <= u32::BITS as usize);

#[derive(Debug)]
struct State<const N: usize, const E: usize> {
    bytes: [u8; N],
    entries: Deque<Entry, E>,
    /// Payloads lost: larger than the ring, or dropped unread for room.
    lost: u32,
    /// Sockets whose payloads were lost since the client last asked.
    overrun: u32,
    /// A frame was refused for want of room since the ingress last asked.
    refused: bool,
    /// Frames routed so far (wrapping): a refused one may fit once this moved on.
    routed: u32,
    /// `routed` when a frame was refused last.
    routed_at_refusal: u32,
    /// The ingress waiting for room.
    waker: WakerRegistration,
}

impl<const N: usize, const E: usize> State<N, E> {
    /// Where `len` contiguous bytes fit now.
    fn room(&self, len: usize) -> Option<usize> {
        let mut stored = self.entries.iter().filter(|e| e.len > 0);
        let Some(first) = stored.next() else {
            return (len <= N).then_some(0);
        };
        let last = stored.next_back().unwrap_or(first);
        let (head, tail) = (usize::from(first.start), last.end());
        if usize::from(last.start) >= head {
            // Not wrapped: room after the tail, else before the head.
            if N - tail >= len {
                Some(tail)
            } else {
                (head >= len).then_some(0)
            }
        } else {
            (head - tail >= len).then_some(tail)
        }
    }

    /// Room for `len` bytes and one entry, freeing from the head what may go (see the
    /// module's documentation); `None`: an unrouted frame is in the way.
    fn make_room(&mut self, len: usize) -> Option<usize> {
        loop {
            if !self.entries.is_full() {
                if let Some(at) = self.room(len) {
                    return Some(at);
                }
            }
            let front = *self.entries.front()?;
            match front.step {
                Step::Done => {}
                Step::Unread => self.lose(front.id),
                Step::Pending | Step::Queued => return None,
            }
            self.entries.pop_front();
        }
    }

    fn lose(&mut self, id: Option<ConnectId>) {
        self.lost = self.lost.saturating_add(1);
        if let Some(id) = id {
            self.overrun |= bit(id);
        }
    }

    /// Forgets the routed and read frames at the head.
    fn reclaim(&mut self) {
        while self.entries.front().is_some_and(|e| e.step == Step::Done) {
            self.entries.pop_front();
        }
    }

    fn frame(&self, e: &Entry) -> &[u8] {
        &self.bytes[usize::from(e.start)..e.end()]
    }
}

/// The application's push ring: `N` bytes (at most 65,535), `E` frames apart (`E` must
/// exceed the URC channel's capacity; the client's constructor checks it at compile time).
pub struct PushRing<const N: usize = RING_CAPACITY, const E: usize = RING_ENTRIES>(
    Mutex<CriticalSectionRawMutex, RefCell<State<N, E>>>,
);

impl<const N: usize, const E: usize> PushRing<N, E> {
    /// Empty.
    pub const fn new() -> Self {
        const {
            assert!(
                N <= u16::MAX as usize,
                "a push ring holds 65,535 bytes at most"
            )
        };
        PushRing(Mutex::new(RefCell::new(State {
            bytes: [0; N],
            entries: Deque::new(),
            lost: 0,
            overrun: 0,
            refused: false,
            routed: 0,
            routed_at_refusal: 0,
            waker: WakerRegistration::new(),
        })))
    }

    /// Payloads lost so far: larger than the ring, or dropped unread to make room (their
    /// sockets were marked [`overrun`](super::SocketInfo::overrun)).
    pub fn lost(&self) -> u32 {
        self.0.lock(|s| s.borrow().lost)
    }

    /// Frames in the ring that are not forgotten yet: not routed, or payloads not read.
    pub fn waiting(&self) -> usize {
        self.0.lock(|s| {
            s.borrow()
                .entries
                .iter()
                .filter(|e| e.step != Step::Done)
                .count()
        })
    }

    fn with<R>(&self, f: impl FnOnce(&mut State<N, E>) -> R) -> R {
        self.0.lock(|s| f(&mut s.borrow_mut()))
    }
}

impl<const N: usize, const E: usize> Default for PushRing<N, E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize, const E: usize> core::fmt::Debug for PushRing<N, E> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PushRing")
            .field("capacity", &N)
            .field("waiting", &self.waiting())
            .field("lost", &self.lost())
            .finish()
    }
}

/// A push ring whatever its size: what the ingress, the link and the client hold.
pub trait PayloadRing: Sync {
    /// The URC atat was handed last was published (or was none): its frame stays.
    fn settle(&self);
    /// The URC atat was handed last was not published: its frame goes (atat hands it over
    /// again, or it is gone).
    fn roll_back(&self);
    /// Writes the frame of a URC atat is about to be handed (`u`, decoded from `frame`).
    /// `false`: no room now, nothing written (the frame must wait).
    fn stage(&self, u: &Urc<'_>, frame: &[u8]) -> bool;
    /// Whether a frame was refused since the last call.
    fn take_refused(&self) -> bool;
    /// Ready once a frame was routed since the last refusal.
    fn poll_room(&self, cx: &mut Context<'_>) -> Poll<()>;
    /// Hands `route` the oldest URC not routed yet, decoded from the ring (a data URC with its
    /// payload; one whose payload was lost is not handed over, its socket is marked overrun),
    /// if its channel entry's `tag` matches; frames
    /// before it whose URCs the client will never see are forgotten. A data URC's payload
    /// stays for [`read`](Self::read).
    fn route(&self, tag: u16, route: &mut dyn FnMut(&Urc<'_>));
    /// Copies the oldest unread payload of `id` (or its next part) into `buf`: how many
    /// bytes, and the sender of a UDP service's datagram; `None` when none waits.
    fn read(&self, id: ConnectId, buf: &mut [u8]) -> Option<(usize, Option<Sender>)>;
    /// Payload bytes of `id` routed and not read.
    fn unread(&self, id: ConnectId) -> usize;
    /// Drops the routed payloads of the sockets of `ids` (a bit per socket: closed or
    /// opened again).
    fn discard(&self, ids: u32);
    /// The sockets (a bit each) whose payloads were lost since the last call.
    fn take_overruns(&self) -> u32;
}

impl<const N: usize, const E: usize> PayloadRing for PushRing<N, E> {
    fn settle(&self) {
        self.with(|s| {
            if let Some(e) = s.entries.back_mut() {
                if e.step == Step::Pending {
                    e.step = Step::Queued;
                }
            }
        });
    }

    fn roll_back(&self) {
        self.with(|s| {
            if s.entries.back().is_some_and(|e| e.step == Step::Pending) {
                s.entries.pop_back();
            }
        });
    }

    fn stage(&self, u: &Urc<'_>, frame: &[u8]) -> bool {
        self.with(|s| {
            // A frame handed over again was rolled back; a new one means the last was published.
            if let Some(e) = s.entries.back_mut() {
                if e.step == Step::Pending {
                    e.step = Step::Queued;
                }
            }
            let Some(l) = layout(u, frame) else {
                return true;
            };
            let whole = l.line + l.payload.map_or(0, |(_, n)| n);
            // Larger than the ring: lost whole (its entry keeps its place in URC order).
            let mut lost = whole > N;
            let len = if lost { 0 } else { whole };
            let Some(at) = s.make_room(len) else {
                s.refused = true;
                s.routed_at_refusal = s.routed;
                return false;
            };
            s.bytes[at..at + len.min(l.line)].copy_from_slice(&frame[..len.min(l.line)]);
            if let (Some((_, n)), false) = (l.payload, lost) {
                let out = &mut s.bytes[at + l.line..at + len];
                // Not a payload after all: the URC is lost.
                lost = crate::wire::copy_payload(l.wire, n, 0, out) != Ok(n);
            }
            // Never fails: `make_room` left a free entry; every length is below `N`.
            let _ = s.entries.push_back(Entry {
                start: at as u16,
                len: len as u16,
                payload: l.line.min(len) as u16,
                read: 0,
                tag: l.tag(),
                id: l.payload.map(|(id, _)| id),
                lost,
                step: Step::Pending,
            });
            true
        })
    }

    fn take_refused(&self) -> bool {
        self.with(|s| core::mem::take(&mut s.refused))
    }

    fn poll_room(&self, cx: &mut Context<'_>) -> Poll<()> {
        self.with(|s| {
            if s.routed != s.routed_at_refusal {
                return Poll::Ready(());
            }
            s.waker.register(cx.waker());
            Poll::Pending
        })
    }

    fn route(&self, tag: u16, route: &mut dyn FnMut(&Urc<'_>)) {
        self.with(|s| {
            let mut i = 0;
            while let Some(e) = s.entries.iter().nth(i).copied() {
                match e.step {
                    Step::Unread | Step::Done => {
                        i += 1;
                        continue;
                    }
                    // Not published yet (or the URC atat was handed last): stays for its URC.
                    Step::Pending if e.tag != tag => return,
                    _ => {}
                }
                let step = if e.tag != tag {
                    // Its URC never reached the channel.
                    Step::Done
                } else {
                    if e.lost {
                        // Not handed over without its payload (its line alone reads as a
                        // notice of buffer access): its socket is marked overrun.
                        s.lose(e.id);
                    } else if let Some(u) = Urc::from_frame(s.frame(&e)) {
                        route(&u);
                    }
                    if e.unread() > 0 {
                        Step::Unread
                    } else {
                        Step::Done
                    }
                };
                if let Some(x) = s.entries.iter_mut().nth(i) {
                    x.step = step;
                }
                if e.tag == tag {
                    break;
                }
            }
            s.reclaim();
            // Room may have been made: the ingress may go on.
            s.routed = s.routed.wrapping_add(1);
            s.waker.wake();
        });
    }

    fn read(&self, id: ConnectId, buf: &mut [u8]) -> Option<(usize, Option<Sender>)> {
        self.with(|s| {
            let i = s
                .entries
                .iter()
                .position(|e| e.step == Step::Unread && e.id == Some(id))?;
            let e = *s.entries.iter().nth(i)?;
            let from = sender(s.frame(&e));
            let at = usize::from(e.start + e.payload + e.read);
            let n = e.unread().min(buf.len());
            buf[..n].copy_from_slice(&s.bytes[at..at + n]);
            if let Some(x) = s.entries.iter_mut().nth(i) {
                x.read += n as u16;
                if x.unread() == 0 {
                    x.step = Step::Done;
                }
            }
            s.reclaim();
            s.routed = s.routed.wrapping_add(1);
            s.waker.wake();
            Some((n, from))
        })
    }

    fn unread(&self, id: ConnectId) -> usize {
        self.with(|s| {
            s.entries
                .iter()
                .filter(|e| e.step == Step::Unread && e.id == Some(id))
                .map(Entry::unread)
                .sum()
        })
    }

    fn discard(&self, ids: u32) {
        if ids == 0 {
            return;
        }
        self.with(|s| {
            for e in s.entries.iter_mut() {
                if e.step == Step::Unread && e.id.is_some_and(|id| ids & bit(id) != 0) {
                    e.step = Step::Done;
                }
            }
            s.overrun &= !ids;
            s.reclaim();
            s.routed = s.routed.wrapping_add(1);
            s.waker.wake();
        });
    }

    fn take_overruns(&self) -> u32 {
        self.with(|s| core::mem::take(&mut s.overrun))
    }
}

/// The sender of a UDP service's datagram, from its frame.
fn sender(frame: &[u8]) -> Option<Sender> {
    match Urc::from_frame(frame)? {
        Urc::RecvPushUdpService(p) => Sender::new(&p.remote_ip, p.remote_port),
        _ => None,
    }
}

impl Layout<'_> {
    /// What tells a frame from its neighbours: its length on the wire, and the socket.
    pub(crate) fn tag(&self) -> u16 {
        let id = self.payload.map_or(0xFF, |(id, _)| u16::from(id.get()));
        (self.frame_len as u16).wrapping_mul(31).wrapping_add(id)
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;

    fn id(n: i64) -> ConnectId {
        ConnectId::new(n).unwrap()
    }

    fn push(id: u8, data: &[u8]) -> std::vec::Vec<u8> {
        let mut f = std::format!("+QIURC: \"recv\",{id},{}\r\n", data.len()).into_bytes();
        f.extend_from_slice(data);
        f
    }

    fn stage(r: &dyn PayloadRing, frame: &[u8]) -> bool {
        r.stage(&Urc::from_frame(frame).unwrap(), frame)
    }

    fn route(r: &dyn PayloadRing, frame: &[u8]) -> Option<std::string::String> {
        let u = Urc::from_frame(frame).unwrap();
        let tag = layout(&u, frame).unwrap().tag();
        let mut out = None;
        r.route(tag, &mut |u| out = Some(std::format!("{u:?}")));
        out
    }

    fn read(r: &dyn PayloadRing, i: i64) -> Option<std::vec::Vec<u8>> {
        let mut buf = [0u8; 64];
        r.read(id(i), &mut buf).map(|(n, _)| buf[..n].to_vec())
    }

    #[test]
    fn payloads_stay_until_read_and_come_out_in_order() {
        let r: PushRing<128, 4> = PushRing::new();
        let (a, b) = (push(0, b"abcde"), push(1, b"xy"));
        assert!(stage(&r, &a));
        r.settle();
        assert!(stage(&r, &b));
        r.settle();
        assert!(route(&r, &a).is_some_and(|u| u.contains("RecvPush")));
        assert!(route(&r, &b).is_some());
        assert_eq!(r.unread(id(0)), 5);
        assert_eq!(read(&r, 1).as_deref(), Some(&b"xy"[..]));
        assert_eq!(read(&r, 0).as_deref(), Some(&b"abcde"[..]));
        assert_eq!(read(&r, 0), None);
        assert_eq!(r.waiting(), 0);
    }

    #[test]
    fn a_rolled_back_frame_is_written_again_in_its_place() {
        let r: PushRing<128, 4> = PushRing::new();
        let a = push(0, b"abc");
        assert!(stage(&r, &a));
        r.roll_back();
        assert_eq!(r.waiting(), 0);
        assert!(stage(&r, &a));
        r.settle();
        r.roll_back(); // settled: stays
        assert!(route(&r, &a).is_some());
        assert_eq!(read(&r, 0).as_deref(), Some(&b"abc"[..]));
    }

    #[test]
    fn an_unrouted_frame_holds_the_next_back_and_an_unread_payload_is_dropped_counted() {
        let (a, b) = (push(0, b"0123456789"), push(1, b"abcdefghij"));
        let r: PushRing<48, 4> = PushRing::new();
        assert!(stage(&r, &a));
        r.settle();
        // No room beside an unrouted frame: held back, nothing written.
        assert!(!stage(&r, &b));
        assert!(r.take_refused());
        route(&r, &a);
        // Routed, unread: dropped for the new frame, and its socket marked.
        assert!(stage(&r, &b));
        assert_eq!(r.take_overruns(), 1 << 0);
        assert_eq!(r.lost(), 1);
        assert_eq!(read(&r, 0), None);
        route(&r, &b);
        assert_eq!(read(&r, 1).as_deref(), Some(&b"abcdefghij"[..]));
    }

    #[test]
    fn a_payload_larger_than_the_ring_is_lost_whole_and_counted() {
        let r: PushRing<32, 4> = PushRing::new();
        let a = push(2, &[b'x'; 40]);
        assert!(stage(&r, &a));
        r.settle();
        assert_eq!(route(&r, &a), None, "no URC without its payload");
        assert_eq!(r.lost(), 1);
        assert_eq!(r.take_overruns(), 1 << 2);
    }

    #[test]
    fn hex_digits_become_bytes() {
        let r: PushRing<64, 2> = PushRing::new();
        let a = b"+QIURC: \"recv\",3,3\r\n414243";
        assert!(stage(&r, a));
        r.settle();
        route(&r, a);
        assert_eq!(read(&r, 3).as_deref(), Some(&b"ABC"[..]));
    }
}

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
//! Each frame lies at an offset of its own (the lowest gap that holds it; frames are moved
//! together, once, only when the free bytes are enough but lie apart), so a payload that sits
//! unread keeps its own bytes and no more. When a frame does not fit, room is made fairly:
//! - a payload is given up only if its socket holds more than one payload and more than its
//!   share of the ring (the ring's bytes, or frames, split evenly between the sockets
//!   holding payloads and the socket of the new frame), and never for a frame of the same
//!   socket: its oldest payload goes, its socket is marked overrun ([`PayloadRing::take_overruns`], then
//!   [`SocketInfo::overrun`](super::SocketInfo::overrun)) and its next read is
//!   [`Error::Overrun`](super::Error::Overrun); so a socket left unread loses its own oldest
//!   bytes, counted, while the others flow;
//! - otherwise the frame is held back, as a full URC channel does: the ingress stops (atat's
//!   buffer and the serial line's flow control take what follows) until a reader took a
//!   payload or the client routed a URC, so a reader that keeps up loses nothing, however
//!   far a burst runs ahead of it;
//! - a frame held back longer than the ring's hold time ([`PushRing::with_hold_ms`],
//!   [`HOLD_MS`] by default) with no read meanwhile makes the socket holding the most
//!   *slow*: it gives its oldest payloads up for room, at once from then on, until its reader
//!   reads again. The ingress must not wait for ever: a command's answer may lie behind
//!   the frame held back, and the reader may be that very command's caller.
//!
//! A data URC larger than the whole ring is lost whole (counted in [`PushRing::lost`]) and
//! its socket marked overrun; a payload is never cut. Losses are state: counted, and told to
//! the socket's next read.
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
use embassy_time::{Duration, Instant};
use heapless::Vec;

use super::push::{compact, first_fit, Sender};
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
/// How long, by default, a frame is held back for want of room, with no read meanwhile,
/// before the socket holding the most gives its payloads up (as the network stack's
/// `push_wait_ms`).
pub const HOLD_MS: u32 = 200;

/// Where a frame is on its way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Handed to atat, not known to be published.
    Pending,
    /// Published, not routed yet.
    Queued,
    /// Routed; its payload waits for a reader (a frame routed and read is forgotten).
    Unread,
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
    /// The frames not forgotten yet, in URC order.
    entries: Vec<Entry, E>,
    /// Payloads lost: larger than the ring, or given up for room.
    lost: u32,
    /// Sockets whose payloads were lost since the client last asked.
    overrun: u32,
    /// Sockets whose reader did not come within the hold time (a bit each): their payloads
    /// go for room at once, until they read again.
    slow: u32,
    /// A frame was refused for want of room since the ingress last asked.
    refused: bool,
    /// Frames routed or payloads read so far (wrapping): a refused one may fit once this
    /// moved on.
    routed: u32,
    /// `routed` when a frame was refused last.
    routed_at_refusal: u32,
    /// Since when a frame has been held back, with no read since.
    held_since: Option<Instant>,
    hold: Duration,
    /// The ingress waiting for room.
    waker: WakerRegistration,
}

/// Bytes and frames a socket holds in the ring.
#[derive(Debug, Clone, Copy, Default)]
struct Holding {
    bytes: usize,
    frames: usize,
}

impl<const N: usize, const E: usize> State<N, E> {
    fn extents(&self) -> impl Iterator<Item = (usize, usize)> + Clone + '_ {
        self.entries
            .iter()
            .map(|e| (usize::from(e.start), usize::from(e.len)))
    }

    /// Where `len` bytes go now, and an entry for them; `None`: not enough room.
    fn room(&mut self, len: usize) -> Option<usize> {
        if self.entries.is_full() {
            return None;
        }
        let used: usize = self.extents().map(|(_, l)| l).sum();
        if len == 0 {
            return Some(0);
        }
        if N - used < len {
            return None;
        }
        if let Some(at) = first_fit(self.extents(), N, len) {
            return Some(at);
        }
        // Enough bytes, apart: moved together once (no frame is borrowed outside the lock).
        Some(compact(
            &mut self.bytes,
            &mut self.entries,
            |e| (usize::from(e.start), usize::from(e.len)),
            |e, at| e.start = at as u16,
        ))
    }

    /// Room for `len` bytes of a frame of `me` (a data URC's socket) and one entry, giving
    /// up payloads as the module's documentation says; `None`: held back.
    fn make_room(&mut self, len: usize, me: Option<ConnectId>) -> Option<usize> {
        loop {
            if let Some(at) = self.room(len) {
                return Some(at);
            }
            let victim = self.victim(me)?;
            if !self.give_up(victim) {
                return None;
            }
        }
    }

    /// What each socket holds: payloads not lost, routed or not.
    fn holdings(&self) -> [Holding; crate::client::SOCKETS] {
        let mut h = [Holding::default(); crate::client::SOCKETS];
        for e in self.entries.iter().filter(|e| !e.lost && e.len > 0) {
            if let Some(id) = e.id {
                let x = &mut h[usize::from(id.get())];
                x.bytes += usize::from(e.len);
                x.frames += 1;
            }
        }
        h
    }

    /// The socket whose oldest payload goes for room now, if any.
    fn victim(&mut self, me: Option<ConnectId>) -> Option<ConnectId> {
        let h = self.holdings();
        let holders = h.iter().filter(|x| x.bytes > 0).count();
        let me_new = me.is_some_and(|id| h[usize::from(id.get())].bytes == 0);
        let k = holders + usize::from(me_new);
        let largest = |pick: &dyn Fn(usize, &Holding) -> bool| {
            h.iter()
                .enumerate()
                .filter(|(i, x)| x.bytes > 0 && pick(*i, x))
                .max_by_key(|(_, x)| x.bytes)
                .and_then(|(i, _)| ConnectId::new(i as i64))
        };
        let mine = |i: usize| me.is_some_and(|id| usize::from(id.get()) == i);
        // More than its share, for another socket's frame (or a URC of no socket).
        if k > 0 {
            // One payload a socket is always left: a share smaller than a frame (three
            // sockets on the default ring) must not cost a reader that keeps up.
            let over = |i: usize, x: &Holding| {
                !mine(i) && x.frames > 1 && (x.bytes > N / k || x.frames > E / k)
            };
            if let Some(id) = largest(&over) {
                return Some(id);
            }
        }
        // A socket given up on already.
        let slow = self.slow;
        if let Some(id) = largest(&|i, _| slow & (1 << i) != 0) {
            return Some(id);
        }
        // Held back long enough, with no read: the largest holder is given up on.
        let since = self.held_since?;
        if Instant::now().saturating_duration_since(since) < self.hold {
            return None;
        }
        let id = largest(&|_, _| true)?;
        self.slow |= bit(id);
        Some(id)
    }

    /// Gives up the oldest payload of `id`: routed, it is lost now; not routed yet, it is
    /// lost when its URC is routed (counted then, and not handed over).
    /// `false`: it has none to give (nothing was freed).
    fn give_up(&mut self, id: ConnectId) -> bool {
        let Some(i) = self
            .entries
            .iter()
            .position(|e| e.id == Some(id) && !e.lost && e.len > 0 && e.step != Step::Pending)
        else {
            return false;
        };
        if self.entries[i].step == Step::Unread {
            self.lose(Some(id));
            self.entries.remove(i);
        } else {
            let e = &mut self.entries[i];
            e.lost = true;
            e.len = 0;
            e.payload = 0;
        }
        true
    }

    fn lose(&mut self, id: Option<ConnectId>) {
        self.lost = self.lost.saturating_add(1);
        if let Some(id) = id {
            self.overrun |= bit(id);
        }
    }

    /// Something was taken: the ingress may go on.
    fn moved_on(&mut self) {
        self.routed = self.routed.wrapping_add(1);
        self.waker.wake();
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
    /// Empty; a frame is held back [`HOLD_MS`] at most with no read (see the module's
    /// documentation).
    pub const fn new() -> Self {
        Self::with_hold_ms(HOLD_MS)
    }

    /// Empty; a frame is held back `ms` at most with no read before the socket holding the
    /// most gives its payloads up (`u32::MAX`: some 49 days, in effect for ever, for an
    /// application whose reader may pause that long and whose commands never wait behind
    /// a push).
    pub const fn with_hold_ms(ms: u32) -> Self {
        const {
            assert!(
                N <= u16::MAX as usize,
                "a push ring holds 65,535 bytes at most"
            )
        };
        PushRing(Mutex::new(RefCell::new(State {
            bytes: [0; N],
            entries: Vec::new(),
            lost: 0,
            overrun: 0,
            slow: 0,
            refused: false,
            routed: 0,
            routed_at_refusal: 0,
            held_since: None,
            hold: Duration::from_millis(ms as u64),
            waker: WakerRegistration::new(),
        })))
    }

    /// Payloads lost so far: larger than the ring, or given up for room (their sockets were
    /// marked [`overrun`](super::SocketInfo::overrun)).
    pub fn lost(&self) -> u32 {
        self.0.lock(|s| s.borrow().lost)
    }

    /// Frames in the ring that are not forgotten yet: not routed, or payloads not read.
    pub fn waiting(&self) -> usize {
        self.0.lock(|s| s.borrow().entries.len())
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
    /// Ready once a frame was routed (or a payload read) since the last refusal.
    fn poll_room(&self, cx: &mut Context<'_>) -> Poll<()>;
    /// When the frame held back now makes the socket holding the most give its payloads up,
    /// if one is held back: the ingress tries again then, read or not.
    fn held_until(&self) -> Option<Instant> {
        None
    }
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
            if let Some(e) = s.entries.last_mut() {
                if e.step == Step::Pending {
                    e.step = Step::Queued;
                }
            }
        });
    }

    fn roll_back(&self) {
        self.with(|s| {
            if s.entries.last().is_some_and(|e| e.step == Step::Pending) {
                s.entries.pop();
            }
        });
    }

    fn stage(&self, u: &Urc<'_>, frame: &[u8]) -> bool {
        self.with(|s| {
            // A frame handed over again was rolled back; a new one means the last was published.
            if let Some(e) = s.entries.last_mut() {
                if e.step == Step::Pending {
                    e.step = Step::Queued;
                }
            }
            let Some(l) = layout(u, frame) else {
                return true;
            };
            let whole = l.line + l.payload.map_or(0, |(_, n)| n);
            let id = l.payload.map(|(id, _)| id);
            // Larger than the ring: lost whole (its entry keeps its place in URC order).
            let mut lost = whole > N;
            let len = if lost { 0 } else { whole };
            let Some(at) = s.make_room(len, id) else {
                s.refused = true;
                s.routed_at_refusal = s.routed;
                if s.held_since.is_none() {
                    s.held_since = Some(Instant::now());
                }
                return false;
            };
            s.held_since = None;
            s.bytes[at..at + len.min(l.line)].copy_from_slice(&frame[..len.min(l.line)]);
            if let (Some((_, n)), false) = (l.payload, lost) {
                let out = &mut s.bytes[at + l.line..at + len];
                // Not a payload after all: the URC is lost.
                lost = crate::wire::copy_payload(l.wire, n, 0, out) != Ok(n);
            }
            // Never fails: `make_room` left a free entry; every length is below `N`.
            let _ = s.entries.push(Entry {
                start: at as u16,
                len: len as u16,
                payload: l.line.min(len) as u16,
                read: 0,
                tag: l.tag(),
                id,
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

    fn held_until(&self) -> Option<Instant> {
        self.with(|s| s.held_since.map(|t| t.saturating_add(s.hold)))
    }

    fn route(&self, tag: u16, route: &mut dyn FnMut(&Urc<'_>)) {
        self.with(|s| {
            let mut i = 0;
            while let Some(e) = s.entries.get(i).copied() {
                match e.step {
                    Step::Unread => {
                        i += 1;
                        continue;
                    }
                    // Not published yet (or the URC atat was handed last): stays for its URC.
                    Step::Pending if e.tag != tag => return,
                    _ => {}
                }
                if e.tag != tag {
                    // Its URC never reached the channel.
                    s.entries.remove(i);
                    continue;
                }
                if e.lost {
                    // Not handed over without its payload (its line alone reads as a notice
                    // of buffer access): its socket is marked overrun.
                    s.lose(e.id);
                } else if let Some(u) = Urc::from_frame(s.frame(&e)) {
                    route(&u);
                }
                if e.unread() > 0 {
                    s.entries[i].step = Step::Unread;
                } else {
                    s.entries.remove(i);
                }
                break;
            }
            // Room may have been made: the ingress may go on.
            s.moved_on();
        });
    }

    fn read(&self, id: ConnectId, buf: &mut [u8]) -> Option<(usize, Option<Sender>)> {
        self.with(|s| {
            // The reader came: not slow any more.
            s.slow &= !bit(id);
            let i = s
                .entries
                .iter()
                .position(|e| e.step == Step::Unread && e.id == Some(id))?;
            let e = s.entries[i];
            let from = sender(s.frame(&e));
            let at = usize::from(e.start + e.payload + e.read);
            let n = e.unread().min(buf.len());
            buf[..n].copy_from_slice(&s.bytes[at..at + n]);
            if n > 0 {
                // Room was made: a frame held back waits anew (a read of nothing is no
                // progress, or a reader polling another socket would hold the line for ever).
                s.held_since = None;
            }
            s.entries[i].read += n as u16;
            if s.entries[i].unread() == 0 {
                s.entries.remove(i);
            }
            s.moved_on();
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
            s.entries
                .retain(|e| !(e.step == Step::Unread && e.id.is_some_and(|id| ids & bit(id) != 0)));
            s.overrun &= !ids;
            s.slow &= !ids;
            s.held_since = None;
            s.moved_on();
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

    /// Room for one frame of 30 bytes (a 20-byte line and 10), not two.
    type Small = PushRing<48, 4>;

    #[test]
    fn a_frame_of_the_socket_holding_the_ring_is_held_back_until_its_reader_reads() {
        let (a, a2) = (push(0, b"0123456789"), push(0, b"9876543210"));
        let r = Small::with_hold_ms(u32::MAX);
        assert!(stage(&r, &a));
        r.settle();
        // Not routed, then routed and unread: held back either way, nothing written.
        assert!(!stage(&r, &a2));
        assert!(r.take_refused());
        route(&r, &a);
        assert!(!stage(&r, &a2));
        assert_eq!(r.lost(), 0);
        assert_eq!(read(&r, 0).as_deref(), Some(&b"0123456789"[..]));
        assert!(stage(&r, &a2));
        r.settle();
        route(&r, &a2);
        assert_eq!(read(&r, 0).as_deref(), Some(&b"9876543210"[..]));
        assert_eq!((r.lost(), r.take_overruns()), (0, 0));
    }

    /// Two frames of 31 bytes (a 21-byte line and 10), not three.
    type Two = PushRing<64, 4>;

    #[test]
    fn a_socket_over_its_share_gives_its_oldest_payload_up_for_another() {
        let (a, a2, b) = (
            push(0, b"0123456789"),
            push(0, b"9876543210"),
            push(1, b"abcdefghij"),
        );
        let r = Two::with_hold_ms(u32::MAX);
        for f in [&a, &a2] {
            assert!(stage(&r, f));
            r.settle();
            route(&r, f);
        }
        // Socket 0 holds two payloads, 62 of 64 bytes, more than half: its oldest goes,
        // counted; its newer stays.
        assert!(stage(&r, &b));
        assert_eq!(r.take_overruns(), 1 << 0);
        assert_eq!(r.lost(), 1);
        assert_eq!(read(&r, 0).as_deref(), Some(&b"9876543210"[..]));
        r.settle();
        route(&r, &b);
        assert_eq!(read(&r, 1).as_deref(), Some(&b"abcdefghij"[..]));
    }

    #[test]
    fn one_payload_of_a_socket_is_never_given_up_for_another() {
        let (a, b) = (push(0, b"0123456789"), push(1, b"abcdefghij"));
        let r = Small::with_hold_ms(u32::MAX);
        assert!(stage(&r, &a));
        r.settle();
        route(&r, &a);
        // 30 of 48 bytes is more than half, but its only payload: held back.
        assert!(!stage(&r, &b));
        assert_eq!(read(&r, 0).as_deref(), Some(&b"0123456789"[..]));
        assert!(stage(&r, &b));
        assert_eq!(r.lost(), 0);
    }

    #[test]
    fn a_payload_given_up_before_its_urc_was_routed_is_not_handed_over() {
        let (a, a2, b) = (
            push(0, b"0123456789"),
            push(0, b"9876543210"),
            push(1, b"abcdefghij"),
        );
        let r = Two::with_hold_ms(u32::MAX);
        for f in [&a, &a2, &b] {
            assert!(stage(&r, f));
            r.settle();
        }
        // Counted when its URC is routed, and its socket marked then.
        assert_eq!(route(&r, &a), None, "no URC without its payload");
        assert_eq!((r.lost(), r.take_overruns()), (1, 1 << 0));
        assert!(route(&r, &a2).is_some());
        assert!(route(&r, &b).is_some());
        assert_eq!(read(&r, 0).as_deref(), Some(&b"9876543210"[..]));
        assert_eq!(read(&r, 1).as_deref(), Some(&b"abcdefghij"[..]));
    }

    #[test]
    fn past_the_hold_time_the_socket_holding_the_most_is_slow_until_it_reads() {
        let frames: std::vec::Vec<_> = (0..4u8).map(|k| push(0, &[b'0' + k; 10])).collect();
        let r = Small::with_hold_ms(0);
        assert!(stage(&r, &frames[0]));
        r.settle();
        route(&r, &frames[0]);
        // Held back once (the hold starts), then given up on: its oldest goes.
        assert!(!stage(&r, &frames[1]));
        assert!(stage(&r, &frames[1]));
        assert_eq!((r.lost(), r.take_overruns()), (1, 1 << 0));
        r.settle();
        route(&r, &frames[1]);
        // Slow: its next frame takes the room of its oldest without waiting.
        assert!(stage(&r, &frames[2]));
        assert_eq!(r.lost(), 2);
        r.settle();
        route(&r, &frames[2]);
        // Its reader came and made room: nothing more is given up.
        assert_eq!(read(&r, 0).as_deref(), Some(&[b'2'; 10][..]));
        assert!(stage(&r, &frames[3]), "room after the read");
        assert_eq!(r.lost(), 2);
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

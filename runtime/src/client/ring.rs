//! The push ring of the atat-based client: where the payloads of data URCs wait, in URC
//! order, between the ingress (which writes them while their frame lies in its buffer) and
//! the client (which takes each one when it routes its URC). atat's URC channel then carries
//! metadata only ([`UrcMeta`](super::UrcMeta)).
//!
//! The application owns the ring (a `static`, handed by reference to the
//! [`PushIngress`](super::PushIngress) and to the client), so several clients, or tests on
//! threads, never share one.
//!
//! A payload that does not fit *now* holds the frame back, as a full URC channel does: the
//! ingress stops until the client took a payload and tries again. One larger than the whole
//! ring can never fit: it is recorded as lost (counted in [`PushRing::lost`]) and the client
//! marks its socket [`overrun`](super::SocketInfo::overrun), so that the next read of it is
//! [`Error::Overrun`](super::Error::Overrun); a payload is never cut.
//!
//! atat may hand the same frame over twice (its URC channel was full, or `advance` was
//! cancelled while it waited for room): the last payload written stays *pending* until the
//! ingress knows whether atat published its URC, and is rolled back when it did not, so the
//! second hand-over writes it again at the same place instead of a second time.

use core::cell::RefCell;
use core::task::{Context, Poll};

use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::waitqueue::WakerRegistration;
use heapless::Deque;

use crate::{sizes, ConnectId};

/// Bytes a ring holds by default: two of the largest pushes of the spec.
pub const RING_CAPACITY: usize = super::PUSH_CAPACITY;
/// Payloads a ring keeps apart by default: one per entry of a URC channel of
/// [`sizes::URC_CAPACITY`], and the one atat may be handing over.
pub const RING_ENTRIES: usize = sizes::URC_CAPACITY + 1;

/// One payload, in URC order.
#[derive(Debug, Clone, Copy)]
struct Entry {
    id: ConnectId,
    /// Payload bytes (as announced by the URC).
    len: usize,
    /// Where they start in the ring; meaningless when not `stored`.
    start: usize,
    /// `false`: it did not fit; the client marks the socket overrun.
    stored: bool,
}

#[derive(Debug)]
struct State<const N: usize, const E: usize> {
    bytes: [u8; N],
    entries: Deque<Entry, E>,
    /// The last entry belongs to the URC atat was handed last, not known to be published.
    pending: bool,
    /// Pushes that did not fit, counted when the client took their URC.
    lost: u32,
    /// A payload was refused for want of room since the ingress last asked.
    refused: bool,
    /// Payloads taken so far (wrapping): a refused one may fit once this moved on.
    taken: u32,
    /// `taken` when a payload was refused last.
    taken_at_refusal: u32,
    /// The ingress waiting for room.
    waker: WakerRegistration,
}

impl<const N: usize, const E: usize> State<N, E> {
    /// Where `len` contiguous bytes fit now.
    fn room(&self, len: usize) -> Option<usize> {
        let mut stored = self.entries.iter().filter(|e| e.stored && e.len > 0);
        let Some(first) = stored.next() else {
            return (len <= N).then_some(0);
        };
        let last = stored.next_back().unwrap_or(first);
        let (head, tail) = (first.start, last.start + last.len);
        if last.start >= head {
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
}

/// The application's push ring: `N` bytes, `E` payloads apart (`E` must exceed the URC
/// channel's capacity; the client's constructor checks it at compile time).
pub struct PushRing<const N: usize = RING_CAPACITY, const E: usize = RING_ENTRIES>(
    Mutex<CriticalSectionRawMutex, RefCell<State<N, E>>>,
);

impl<const N: usize, const E: usize> PushRing<N, E> {
    /// Empty.
    pub const fn new() -> Self {
        PushRing(Mutex::new(RefCell::new(State {
            bytes: [0; N],
            entries: Deque::new(),
            pending: false,
            lost: 0,
            refused: false,
            taken: 0,
            taken_at_refusal: 0,
            waker: WakerRegistration::new(),
        })))
    }

    /// Pushes that did not fit in the ring (their socket was marked
    /// [`overrun`](super::SocketInfo::overrun)); counted when the client routed them.
    pub fn lost(&self) -> u32 {
        self.0.lock(|s| s.borrow().lost)
    }

    /// Payloads waiting for the client to route their URC.
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

/// A push ring whatever its size: what the ingress and the link hold.
pub trait PayloadRing: Sync {
    /// The URC atat was handed last was published (or was no data URC): its payload stays.
    fn settle(&self);
    /// The URC atat was handed last was not published: its payload goes (atat hands the frame
    /// over again, or it is gone).
    fn roll_back(&self);
    /// Writes the payload of a data URC atat is about to be handed: `len` bytes, `wire` as it
    /// lies on the wire (raw or hex digits). `false`: no room now, nothing written (the frame
    /// must wait); one larger than the ring is recorded as lost and `true`.
    fn stage(&self, id: ConnectId, wire: &[u8], len: usize) -> bool;
    /// Whether a payload was refused since the last call.
    fn take_refused(&self) -> bool;
    /// Ready once a payload was taken since the last refusal.
    fn poll_room(&self, cx: &mut Context<'_>) -> Poll<()>;
    /// Hands `take` the payload of the oldest waiting data URC of `id` with `len` bytes, and
    /// forgets it: `None` when it did not fit (or none waits). Payloads before it, whose URCs
    /// the client will never see, are dropped.
    fn take(&self, id: ConnectId, len: usize, take: &mut dyn FnMut(Option<&[u8]>));
}

impl<const N: usize, const E: usize> PayloadRing for PushRing<N, E> {
    fn settle(&self) {
        self.with(|s| s.pending = false);
    }

    fn roll_back(&self) {
        self.with(|s| {
            if core::mem::take(&mut s.pending) {
                s.entries.pop_back();
            }
        });
    }

    fn stage(&self, id: ConnectId, wire: &[u8], len: usize) -> bool {
        self.with(|s| {
            s.pending = false;
            let at = if len > N { None } else { s.room(len) };
            if s.entries.is_full() || (len <= N && at.is_none()) {
                s.refused = true;
                s.taken_at_refusal = s.taken;
                return false;
            }
            let mut entry = Entry {
                id,
                len,
                start: 0,
                stored: false,
            };
            if let Some(at) = at {
                let out = &mut s.bytes[at..at + len];
                if crate::wire::copy_payload(wire, len, 0, out) == Ok(len) {
                    entry.start = at;
                    entry.stored = true;
                }
            }
            // Never fails: checked above.
            let _ = s.entries.push_back(entry);
            s.pending = true;
            true
        })
    }

    fn take_refused(&self) -> bool {
        self.with(|s| core::mem::take(&mut s.refused))
    }

    fn poll_room(&self, cx: &mut Context<'_>) -> Poll<()> {
        self.with(|s| {
            if s.taken != s.taken_at_refusal {
                return Poll::Ready(());
            }
            s.waker.register(cx.waker());
            Poll::Pending
        })
    }

    fn take(&self, id: ConnectId, len: usize, take: &mut dyn FnMut(Option<&[u8]>)) {
        self.with(|s| {
            loop {
                let Some(front) = s.entries.front().copied() else {
                    return take(None);
                };
                let matches = front.id == id && front.len == len;
                // The entry of a URC atat may not have published stays for that URC.
                if !matches && s.pending && s.entries.len() == 1 {
                    return take(None);
                }
                s.entries.pop_front();
                if s.entries.is_empty() {
                    // Taken, so atat published it.
                    s.pending = false;
                }
                if !matches {
                    continue;
                }
                if front.stored {
                    take(Some(&s.bytes[front.start..front.start + front.len]));
                } else {
                    s.lost = s.lost.saturating_add(1);
                    take(None);
                }
                // Room was made: the ingress may go on.
                s.taken = s.taken.wrapping_add(1);
                s.waker.wake();
                return;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: i64) -> ConnectId {
        ConnectId::new(n).unwrap()
    }

    fn taken(r: &dyn PayloadRing, i: i64, len: usize) -> Option<heapless::Vec<u8, 16>> {
        let mut out = None;
        r.take(id(i), len, &mut |b| {
            out = b.map(|b| heapless::Vec::from_slice(b).unwrap());
        });
        out
    }

    #[test]
    fn payloads_come_out_in_order_and_wrap() {
        let r: PushRing<8, 4> = PushRing::new();
        assert!(r.stage(id(0), b"abcde", 5));
        r.settle();
        assert!(r.stage(id(1), b"xy", 2));
        r.settle();
        // No room now: refused, nothing written.
        assert!(!r.stage(id(2), b"1234", 4));
        assert!(r.take_refused());
        assert!(!r.take_refused());
        assert_eq!(taken(&r, 0, 5).as_deref(), Some(&b"abcde"[..]));
        // 1 byte after the tail, 5 before the head: wraps to the start.
        assert!(r.stage(id(2), b"1234", 4));
        assert_eq!(taken(&r, 1, 2).as_deref(), Some(&b"xy"[..]));
        assert_eq!(taken(&r, 2, 4).as_deref(), Some(&b"1234"[..]));
        assert_eq!(r.waiting(), 0);
    }

    #[test]
    fn a_rolled_back_payload_is_written_again_in_its_place() {
        let r: PushRing<8, 4> = PushRing::new();
        assert!(r.stage(id(0), b"abc", 3));
        r.roll_back();
        assert_eq!(r.waiting(), 0);
        assert!(r.stage(id(0), b"abc", 3));
        r.settle();
        r.roll_back(); // settled: stays
        assert_eq!(taken(&r, 0, 3).as_deref(), Some(&b"abc"[..]));
    }

    #[test]
    fn a_payload_too_large_is_lost_and_counted_once() {
        let r: PushRing<4, 4> = PushRing::new();
        assert!(r.stage(id(0), b"abcdef", 6));
        r.settle();
        assert!(r.stage(id(0), b"ok", 2));
        assert_eq!(taken(&r, 0, 6), None);
        assert_eq!(taken(&r, 0, 2).as_deref(), Some(&b"ok"[..]));
        assert_eq!(r.lost(), 1);
    }

    #[test]
    fn hex_digits_become_bytes() {
        let r: PushRing<4, 2> = PushRing::new();
        assert!(r.stage(id(3), b"414243", 3));
        assert_eq!(taken(&r, 3, 3).as_deref(), Some(&b"ABC"[..]));
    }
}

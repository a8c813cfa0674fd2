//! URCs as a link queues them between the reader and the client.
//!
//! A decoded [`Urc`] borrows a push's payload from the frame it came in; once the frame is
//! gone, a URC carries metadata only ([`Urc::detach`]) and the payload must wait somewhere
//! else. The network stack's runner records it in the stack's push buffer and queues
//! detached URCs. The atat-based client does it through atat: its
//! [`PushIngress`](super::PushIngress) writes each URC's frame (a payload as bytes) to the
//! application's [`PushRing`](super::PushRing) while the frame lies in atat's buffer,
//! atat's channel carries [`UrcMeta`] (a few bytes), and the client decodes the URC from the
//! ring when it routes it ([`RingUrc`]); a payload stays in the ring until a read copies it
//! into the reader's buffer.
//!
//! [`QueuedUrc`] (the whole frame in each channel entry, [`limits::MAX_URC_LEN`] bytes) is
//! kept for an application that feeds a plain `atat::Ingress`; it costs a second copy of
//! every payload and a push buffer (see [`QueuedUrc`] for why and how much).

use super::ring::PayloadRing;
use crate::{limits, Urc};

/// Something a link's URC queue holds: a URC, or what it is decoded from.
pub trait Queued {
    /// Hands the URC (a data URC with its payload) to `f`, once: a payload taken from a ring
    /// is gone after. `None` for a frame that does not decode (not queued by this crate).
    fn with_urc<R>(self, f: impl FnOnce(&Urc<'_>) -> R) -> Option<R>;
}

impl Queued for Urc<'static> {
    fn with_urc<R>(self, f: impl FnOnce(&Urc<'_>) -> R) -> Option<R> {
        Some(f(&self))
    }
}

/// What an atat URC channel of the client holds: [`UrcMeta`] (the default) or
/// [`QueuedUrc`].
pub trait ChannelUrc: atat::AtatUrc + Send {
    /// Where payloads wait beside the channel: a push ring, or nothing.
    type Ring<'r>: Copy + Send;
    /// What the link hands the client: the entry with what it needs to find its payload.
    type Queued<'r>: Queued;
    /// Pairs an entry taken from the channel with its payload's ring.
    fn queued<'r>(self, ring: Self::Ring<'r>) -> Self::Queued<'r>;
    /// Whether the entry answers a call in progress (an open's result, a DNS answer), rather
    /// than changing the state the client keeps: the async link holds such an entry for the
    /// call instead of routing it while a command waits.
    fn answers_a_call(&self) -> bool;
    /// The ring that keeps the channel's payloads until they are read, if any (without one,
    /// a data URC carries its payload and the client's push buffer keeps it).
    fn payloads<'r>(ring: Self::Ring<'r>) -> Option<&'r dyn PayloadRing>;
    /// Where the async link keeps such an answer and the entries behind it until the call
    /// takes them ([`HeldUrcs`]).
    type Held: HeldUrcs<Self>;
}

/// Entries the async link took from the channel while a command waited and must not route
/// yet (an answer to a call and what came after it), oldest first, in a fixed number of
/// places.
pub trait HeldUrcs<U>: Default + Send {
    /// Keeps `u` behind the others; a full queue drops it (the link checks first).
    fn push(&mut self, u: U);
    /// The oldest.
    fn pop(&mut self) -> Option<U>;
    /// Whether none is kept.
    fn is_empty(&self) -> bool;
    /// Whether no more fits.
    fn is_full(&self) -> bool;
}

impl<U: Send, const N: usize> HeldUrcs<U> for heapless::Deque<U, N> {
    fn push(&mut self, u: U) {
        let _ = self.push_back(u);
    }
    fn pop(&mut self) -> Option<U> {
        self.pop_front()
    }
    fn is_empty(&self) -> bool {
        heapless::Deque::is_empty(self)
    }
    fn is_full(&self) -> bool {
        heapless::Deque::is_full(self)
    }
}

/// Entries of [`UrcMeta`] the async link keeps at most while a command waits behind an
/// answer: as many as the URC channel holds by default.
pub const HELD_URCS: usize = crate::sizes::URC_CAPACITY;

/// A URC in atat's URC channel (`atat::UrcChannel<UrcMeta, N, _>`), a few bytes: the URC's
/// frame waits in the application's [`PushRing`](super::PushRing), written there by a
/// [`PushIngress`](super::PushIngress) (atat's plain `Ingress` writes none), and the client
/// decodes it from there when it routes the URC; a data URC's payload stays there until it
/// is read. Another subscriber of the channel (the application) sees what is here only:
/// whether the URC carries data, for which socket and how much, and whether it answers a
/// call; what it changed is in the client's state ([`Client::socket`](super::Client::socket)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UrcMeta {
    /// Finds the frame in the ring ([`Layout::tag`]).
    tag: u16,
    /// A data URC's socket and payload length.
    data: Option<(crate::ConnectId, u16)>,
    answers_a_call: bool,
}

// A channel entry stays a few bytes on every target (no pointer-sized field in it): the
// no_std build for thumbv7em checks it too.
const _: () = assert!(core::mem::size_of::<UrcMeta>() <= 16);

impl UrcMeta {
    /// A data URC's socket and payload length; `None` for every other URC.
    pub fn data(&self) -> Option<(crate::ConnectId, usize)> {
        self.data.map(|(id, n)| (id, usize::from(n)))
    }
}

impl atat::AtatUrc for UrcMeta {
    /// The frame as the digester hands it over; one that does not decode is not queued. The
    /// [`PushIngress`](super::PushIngress) decoded the same frame the same way and wrote it
    /// to the ring.
    fn parse(resp: &[u8]) -> Option<Self> {
        let u = Urc::from_frame(resp)?;
        let l = layout(&u, resp)?;
        Some(UrcMeta {
            tag: l.tag(),
            data: l.payload.map(|(id, n)| (id, n as u16)),
            answers_a_call: !super::state::keeps_state(&u),
        })
    }
}

impl ChannelUrc for UrcMeta {
    type Ring<'r> = &'r dyn PayloadRing;
    type Queued<'r> = RingUrc<'r>;
    type Held = heapless::Deque<UrcMeta, HELD_URCS>;
    fn queued<'r>(self, ring: Self::Ring<'r>) -> Self::Queued<'r> {
        RingUrc { meta: self, ring }
    }
    fn answers_a_call(&self) -> bool {
        self.answers_a_call
    }
    fn payloads<'r>(ring: Self::Ring<'r>) -> Option<&'r dyn PayloadRing> {
        Some(ring)
    }
}

/// A [`UrcMeta`] with the ring its frame waits in.
pub struct RingUrc<'r> {
    meta: UrcMeta,
    ring: &'r dyn PayloadRing,
}

impl core::fmt::Debug for RingUrc<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("RingUrc").field(&self.meta).finish()
    }
}

impl Queued for RingUrc<'_> {
    /// The URC, decoded from the ring (frames are taken in URC order); a data URC comes with
    /// its payload where it lies in the ring, which stays there for a read (without it when
    /// it did not fit: the router marks its socket overrun).
    fn with_urc<R>(self, f: impl FnOnce(&Urc<'_>) -> R) -> Option<R> {
        let mut f = Some(f);
        let mut out = None;
        self.ring.route(self.meta.tag, &mut |u| {
            if let Some(f) = f.take() {
                out = Some(f(u));
            }
        });
        out
    }
}

/// Where a URC's parts lie in its frame.
pub(crate) struct Layout<'a> {
    /// Bytes of the frame before the payload (all of it without one).
    pub(crate) line: usize,
    /// The payload as it lies on the wire (raw or hex digits).
    pub(crate) wire: &'a [u8],
    /// A data URC's socket and payload length.
    pub(crate) payload: Option<(crate::ConnectId, usize)>,
    /// The frame's length as the digester handed it over.
    pub(crate) frame_len: usize,
}

/// Where `u`'s parts lie in `frame`, the frame it was decoded from.
pub(crate) fn layout<'a>(u: &Urc<'a>, frame: &'a [u8]) -> Option<Layout<'a>> {
    let (line, wire, payload) = match (announced(u), payload(u)) {
        (Some((id, n)), Some((wire, _))) => {
            let at = (wire.as_ptr() as usize).wrapping_sub(frame.as_ptr() as usize);
            // A payload left out of the frame (or elsewhere): the URC without it.
            let line = if !wire.is_empty() && at + wire.len() <= frame.len() {
                at
            } else {
                frame.len()
            };
            (line, &frame[line..], Some((id, n)))
        }
        _ => (frame.len(), &frame[frame.len()..], None),
    };
    u16::try_from(frame.len()).ok()?;
    Some(Layout {
        line,
        wire,
        payload,
        frame_len: frame.len(),
    })
}

impl ChannelUrc for QueuedUrc {
    type Ring<'r> = ();
    type Queued<'r> = QueuedUrc;
    /// One: each entry is a whole frame (stop-and-hold: while one answer is held, the drain
    /// does not run).
    type Held = heapless::Deque<QueuedUrc, 1>;
    fn queued<'r>(self, _: Self::Ring<'r>) -> Self::Queued<'r> {
        self
    }
    fn answers_a_call(&self) -> bool {
        self.urc().is_some_and(|u| !super::state::keeps_state(&u))
    }
    fn payloads<'r>(_: Self::Ring<'r>) -> Option<&'r dyn PayloadRing> {
        None
    }
}

/// A data URC's socket and payload length.
pub(crate) fn announced(u: &Urc<'_>) -> Option<(crate::ConnectId, usize)> {
    match u {
        Urc::RecvPush(p) => Some((p.connect_id, p.recv_length.get() as usize)),
        Urc::RecvPushUdpService(p) => Some((p.connect_id, p.recv_length.get() as usize)),
        _ => None,
    }
}

/// A URC in atat's URC channel (`atat::UrcChannel<QueuedUrc, N, _>`): its frame, decoded again
/// when the client routes it, so that a push's payload reaches the client's push buffer.
///
/// Each entry holds [`limits::MAX_URC_LEN`] bytes, for an application that feeds a plain
/// `atat::Ingress`; with a [`PushIngress`](super::PushIngress) the channel holds [`UrcMeta`].
///
/// # Why a second copy, and what it costs
///
/// A plain `atat::Ingress` hands a frame to `AtatUrc::parse`, a function of the frame alone:
/// it has no ring to write to, and the frame is gone from atat's buffer as soon as `parse`
/// returns. So the payload must travel inside the channel entry, and since the entry leaves
/// the channel when the client routes it (before the application reads), the client copies
/// the payload once more into its push buffer
/// ([`Client::with_link`](super::Client::with_link) and
/// [`Client::new_queued`](super::Client::new_queued) keep one of
/// [`PUSH_CAPACITY`](super::PUSH_CAPACITY) bytes). Against the one copy of the
/// [`PushIngress`](super::PushIngress) path (ingress -> ring -> the reader's buffer):
///
/// - payload copies: ingress -> entry (in `parse`), entry -> push buffer (routing),
///   push buffer -> the reader's buffer: three instead of two; and atat moves the whole
///   entry into its channel and out again (out by a clone when another subscriber has yet to
///   see it): up to three more moves of `size_of::<QueuedUrc>()` bytes per URC, whatever
///   the payload's size;
/// - RAM: the channel holds `N` entries of `size_of::<QueuedUrc>()` bytes (1,800 on
///   x86-64, measured in `runtime/tests/client_ring.rs`; 12 entries by default: 21,600
///   bytes) instead of `N` [`UrcMeta`] of 10 bytes, plus the push buffer's 3,000 bytes,
///   instead of one [`PushRing`](super::PushRing) of
///   [`RING_CAPACITY`](super::RING_CAPACITY) (3,864) bytes.
///
/// Giving it the one-copy path would need a hook in atat's `Ingress` between digesting a
/// frame and dropping it, which is what [`PushIngress`](super::PushIngress) is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedUrc {
    frame: heapless::Vec<u8, { limits::MAX_URC_LEN }>,
}

impl QueuedUrc {
    /// The frame: the URC's line, then (for data URCs) CR LF and the payload.
    pub fn frame(&self) -> &[u8] {
        &self.frame
    }

    /// The URC, its payload borrowed from the frame.
    pub fn urc(&self) -> Option<Urc<'_>> {
        Urc::from_frame(&self.frame)
    }
}

impl Queued for QueuedUrc {
    fn with_urc<R>(self, f: impl FnOnce(&Urc<'_>) -> R) -> Option<R> {
        self.urc().map(|u| f(&u))
    }
}

impl atat::AtatUrc for QueuedUrc {
    /// A frame as the digester hands it over; one that does not decode is not queued.
    ///
    /// A data URC is kept as its line, CR LF and the payload in bytes, whatever the live
    /// framing (hex digits, view mode 1): this is where atat makes its copy, so the digits
    /// become bytes here and an entry never needs room for twice the payload.
    fn parse(resp: &[u8]) -> Option<Self> {
        let u = Urc::from_frame(resp)?;
        let Some((wire, n)) = payload(&u) else {
            return Some(QueuedUrc {
                frame: heapless::Vec::from_slice(resp).ok()?,
            });
        };
        let mut frame = heapless::Vec::new();
        frame.resize(limits::MAX_URC_LEN, 0).ok()?;
        // The line without its payload, then the payload's bytes after CR LF.
        let line = {
            let mut w = crate::wire::Writer::new(&mut frame);
            u.clone().detach().encode(&mut w).ok()?;
            w.len()
        };
        let end = line.checked_add(2)?.checked_add(n)?;
        frame.get_mut(line..line + 2)?.copy_from_slice(b"\r\n");
        let out = frame.get_mut(line + 2..end)?;
        (crate::wire::copy_payload(wire, n, 0, out).ok()? == n).then_some(())?;
        frame.truncate(end);
        Some(QueuedUrc { frame })
    }
}

/// A data URC's payload as it lies on the wire and the bytes it announces.
pub(crate) fn payload<'a>(u: &Urc<'a>) -> Option<(&'a [u8], usize)> {
    match u {
        Urc::RecvPush(p) => Some((p.data, p.recv_length.get() as usize)),
        Urc::RecvPushUdpService(p) => Some((p.data, p.recv_length.get() as usize)),
        _ => None,
    }
}

//! URCs as a link queues them between the reader and the client.
//!
//! A decoded [`Urc`] borrows a push's payload from the frame it came in; once the frame is
//! gone, a URC carries metadata only ([`Urc::detach`]) and the payload must wait somewhere
//! else. The network stack's runner records it in the stack's push buffer and queues
//! detached URCs. The atat-based client does the same through atat: its
//! [`PushIngress`](super::PushIngress) writes each payload to the application's
//! [`PushRing`](super::PushRing) while the frame lies in atat's buffer, atat's channel
//! carries [`UrcMeta`] (metadata only), and the client takes the payload from the ring when
//! it routes the URC ([`RingUrc`]).
//!
//! [`QueuedUrc`] (the whole frame in each channel entry, [`limits::MAX_URC_LEN`] bytes) is
//! kept for an application that feeds a plain `atat::Ingress`.

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

/// A URC in atat's URC channel (`atat::UrcChannel<UrcMeta, N, _>`), metadata only: a data
/// URC's payload waits in the application's [`PushRing`](super::PushRing), written there by
/// a [`PushIngress`](super::PushIngress) (atat's plain `Ingress` writes none). The client
/// takes each payload from the ring when it routes the URC; another subscriber of the
/// channel (the application) sees the metadata only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrcMeta(pub Urc<'static>);

impl atat::AtatUrc for UrcMeta {
    /// The frame as the digester hands it over, detached; one that does not decode is not
    /// queued. The [`PushIngress`](super::PushIngress) decoded the same frame the same way
    /// and wrote its payload to the ring.
    fn parse(resp: &[u8]) -> Option<Self> {
        Urc::from_frame(resp).map(|u| UrcMeta(u.detach()))
    }
}

impl ChannelUrc for UrcMeta {
    type Ring<'r> = &'r dyn PayloadRing;
    type Queued<'r> = RingUrc<'r>;
    type Held = heapless::Deque<UrcMeta, HELD_URCS>;
    fn queued<'r>(self, ring: Self::Ring<'r>) -> Self::Queued<'r> {
        RingUrc { meta: self.0, ring }
    }
    fn answers_a_call(&self) -> bool {
        !super::state::keeps_state(&self.0)
    }
}

/// A [`UrcMeta`] with the ring its payload waits in.
pub struct RingUrc<'r> {
    meta: Urc<'static>,
    ring: &'r dyn PayloadRing,
}

impl core::fmt::Debug for RingUrc<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("RingUrc").field(&self.meta).finish()
    }
}

impl Queued for RingUrc<'_> {
    /// A data URC gets its payload from the ring, taken in URC order; one that did not fit is
    /// handed over without it (the router marks its socket overrun).
    fn with_urc<R>(self, f: impl FnOnce(&Urc<'_>) -> R) -> Option<R> {
        let Some((id, len)) = announced(&self.meta) else {
            return Some(f(&self.meta));
        };
        let mut call = Some((self.meta, f));
        let mut out = None;
        self.ring.take(id, len, &mut |payload| {
            if let Some((meta, f)) = call.take() {
                let mut u: Urc<'_> = meta;
                if let Some(bytes) = payload {
                    set_payload(&mut u, bytes);
                }
                out = Some(f(&u));
            }
        });
        out
    }
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
}

/// A data URC's socket and payload length.
pub(crate) fn announced(u: &Urc<'_>) -> Option<(crate::ConnectId, usize)> {
    match u {
        Urc::RecvPush(p) => Some((p.connect_id, p.recv_length.get() as usize)),
        Urc::RecvPushUdpService(p) => Some((p.connect_id, p.recv_length.get() as usize)),
        _ => None,
    }
}

/// A detached data URC with its payload's bytes again.
fn set_payload<'a>(u: &mut Urc<'a>, bytes: &'a [u8]) {
    match u {
        Urc::RecvPush(p) => p.data = bytes,
        Urc::RecvPushUdpService(p) => p.data = bytes,
        _ => {}
    }
}

/// A URC in atat's URC channel (`atat::UrcChannel<QueuedUrc, N, _>`): its frame, decoded again
/// when the client routes it, so that a push's payload reaches the client's push buffer.
///
/// Each entry holds [`limits::MAX_URC_LEN`] bytes, for an application that feeds a plain
/// `atat::Ingress`; with a [`PushIngress`](super::PushIngress) the channel holds [`UrcMeta`].
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

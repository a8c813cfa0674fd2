//! URCs as a link queues them between the reader and the client.
//!
//! A decoded [`Urc`] borrows a push's payload from the frame it came in. The stack's runner
//! records the payload in the stack's push buffer while the frame lies in its ingress, and
//! queues only detached result URCs (`Urc<'static>`, metadata only). For the atat-based
//! client, [`QueuedUrc`] keeps the whole frame until the client routes it; metadata only
//! would need the payload written to a ring the client reads, and atat 0.25 gives no safe
//! place to write it:
//!
//! - `AtatUrc::parse` is an associated function of the URC type, with no `self` and no
//!   context: the only ring it could reach is a `static`, one for every client in the
//!   program (several clients, or tests on threads, would mix their payloads).
//! - The digester (which has context, the shared `DigestState`) and `parse` both run again
//!   on the same frame when the hand-off fails: `Ingress::try_advance` returns
//!   `UrcChannelFull` after `parse` and leaves the frame in its buffer, and
//!   `Ingress::advance` awaits `publish` with the frame still there (a cancelled `advance`
//!   leaves it too). A payload written on the first try would be written again: duplicated.
//! - Telling a retry from a new frame is not possible from inside: atat moves the rest of
//!   its buffer to the front after every frame, so a retried frame and the next one both
//!   start at the buffer's start, and two pushes may carry the same bytes. Writing
//!   tentatively (at the ring's end, made final when the client takes the entry) fails the
//!   same way: a second push arriving before the client took the first would overwrite it.
//!
//! atat would need to call a hook once a URC is published (or pass `parse` a context); until
//! then the atat-based client pays one frame per channel entry, and the network stack, which
//! reads the port itself, is the way to metadata-only queueing.

use crate::{limits, Urc};

/// Something a link's URC queue holds: a URC, or what it is decoded from.
pub trait Queued {
    /// The URC; `None` for a frame that does not decode (not queued by this crate).
    fn urc(&self) -> Option<Urc<'_>>;

    /// Hands the URC to `f` (nothing when the frame does not decode). A queued URC is
    /// handed as it lies, without the copy [`urc`](Self::urc) makes.
    fn with_urc(&self, f: &mut dyn FnMut(&Urc<'_>)) {
        if let Some(u) = self.urc() {
            f(&u);
        }
    }
}

impl Queued for Urc<'static> {
    fn urc(&self) -> Option<Urc<'_>> {
        Some(self.clone())
    }

    fn with_urc(&self, f: &mut dyn FnMut(&Urc<'_>)) {
        f(self);
    }
}

/// A URC in atat's URC channel (`atat::UrcChannel<QueuedUrc, N, _>`): its frame, decoded again
/// when the client routes it, so that a push's payload reaches the client's push buffer.
///
/// Each entry holds [`limits::MAX_URC_LEN`] bytes: the network stack, which reads the port
/// itself, queues metadata only and needs no such channel.
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
    fn urc(&self) -> Option<Urc<'_>> {
        QueuedUrc::urc(self)
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
fn payload<'a>(u: &Urc<'a>) -> Option<(&'a [u8], usize)> {
    match u {
        Urc::RecvPush(p) => Some((p.data, p.recv_length.get() as usize)),
        Urc::RecvPushUdpService(p) => Some((p.data, p.recv_length.get() as usize)),
        _ => None,
    }
}

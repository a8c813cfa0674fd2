//! URCs as a link queues them between the reader and the client.
//!
//! A decoded [`Urc`] borrows a push's payload from the frame it came in. The stack's runner
//! records the payload in the stack's push buffer while the frame lies in its ingress, and
//! queues only detached result URCs (`Urc<'static>`, metadata only). atat's ingress hands its
//! channel owned values only and calls no hook of ours for them, so for the atat-based client
//! [`QueuedUrc`] keeps the whole frame until the client routes it.

use crate::{limits, Urc};

/// Something a link's URC queue holds: a URC, or what it is decoded from.
pub trait Queued {
    /// The URC; `None` for a frame that does not decode (not queued by this crate).
    fn urc(&self) -> Option<Urc<'_>>;
}

impl Queued for Urc<'static> {
    fn urc(&self) -> Option<Urc<'_>> {
        Some(self.clone())
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
    fn parse(resp: &[u8]) -> Option<Self> {
        Urc::from_frame(resp)?;
        Some(QueuedUrc {
            frame: heapless::Vec::from_slice(resp).ok()?,
        })
    }
}

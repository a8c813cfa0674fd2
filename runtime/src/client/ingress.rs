//! The ingress of the atat-based client: atat's `Ingress` with a [`QiDigester`] that writes
//! each URC's frame (a data URC's payload as bytes) to the application's [`PushRing`] while
//! it lies in atat's buffer, so that atat's URC channel carries [`UrcMeta`] (a few bytes).
//!
//! atat hands a frame over again when its URC could not be published: `try_advance` returns
//! `UrcChannelFull` and leaves the frame in its buffer, and a cancelled `advance` leaves the
//! frame it was waiting to publish. atat digests one frame at a time, so every frame before
//! that one was published; the ring keeps the frame of the last one pending
//! ([`PayloadRing`]), and this ingress settles it (kept) or rolls it back (written again on
//! the next try) once it knows.
//!
//! A frame the ring has no room for now holds its frame back: the digester reports nothing
//! complete, and this ingress reports `UrcChannelFull` (`try_advance`, so that
//! [`feed_ingress`](super::feed_ingress) waits and tries again) or waits until the client
//! routed a URC or a reader took a payload, or the ring's hold time ran out (`advance`).

use atat::digest::{DigestResult, Digester};
use atat::{AtatIngress, Ingress, ResponseSlot, UrcChannel};

use super::queued::UrcMeta;
use super::ring::{PayloadRing, PushRing};
use crate::digest::QiDigester;
use crate::Urc;

/// A [`QiDigester`] that writes the frames of URCs to a ring.
pub(crate) struct RingDigester<'a> {
    inner: QiDigester<'a>,
    ring: &'a dyn PayloadRing,
}

impl Digester for RingDigester<'_> {
    fn digest<'b>(&mut self, buf: &'b [u8]) -> (DigestResult<'b>, usize) {
        // atat digests again only after it published the URC it was handed last.
        self.ring.settle();
        let (result, used) = self.inner.digest(buf);
        if let DigestResult::Urc(frame) = &result {
            // `UrcMeta::parse` decodes the same frame the same way: a URC queued has its frame.
            if let Some(u) = Urc::from_frame(frame) {
                if !self.ring.stage(&u, frame) {
                    // No room now: the frame stays in atat's buffer until there is.
                    return (DigestResult::None, 0);
                }
            }
        }
        (result, used)
    }
}

/// atat's ingress for the atat-based client: feeds a [`QiDigester`], publishes
/// [`UrcMeta`] to atat's URC channel and their frames to a [`PushRing`] (the
/// one the client is given too).
pub struct PushIngress<'a, const RES: usize, const CAP: usize, const SUBS: usize> {
    inner: Ingress<'a, RingDigester<'a>, UrcMeta, RES, CAP, SUBS>,
    ring: &'a dyn PayloadRing,
}

impl<'a, const RES: usize, const CAP: usize, const SUBS: usize> PushIngress<'a, RES, CAP, SUBS> {
    /// An ingress over `buf` that hands responses to `responses`, URCs to `urcs` and their frames
    /// to `ring`.
    pub fn new<const N: usize, const E: usize>(
        digester: QiDigester<'a>,
        ring: &'a PushRing<N, E>,
        buf: &'a mut [u8],
        responses: &'a ResponseSlot<RES>,
        urcs: &'a UrcChannel<UrcMeta, CAP, SUBS>,
    ) -> Self {
        let digester = RingDigester {
            inner: digester,
            ring,
        };
        PushIngress {
            inner: Ingress::new(digester, buf, responses, urcs),
            ring,
        }
    }
}

/// Rolls the pending frame back unless disarmed: an `advance` cancelled while atat waited
/// to publish its URC.
struct Pending<'r> {
    ring: &'r dyn PayloadRing,
    armed: bool,
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        if self.armed {
            self.ring.roll_back();
        }
    }
}

impl<const RES: usize, const CAP: usize, const SUBS: usize> AtatIngress
    for PushIngress<'_, RES, CAP, SUBS>
{
    fn write_buf(&mut self) -> &mut [u8] {
        self.inner.write_buf()
    }

    fn try_advance(&mut self, commit: usize) -> Result<(), atat::IngressError> {
        let result = self.inner.try_advance(commit);
        if result.is_err() {
            // The frame stays in atat's buffer and comes again.
            self.ring.roll_back();
            return result;
        }
        self.ring.settle();
        if self.ring.take_refused() {
            return Err(atat::IngressError::UrcChannelFull);
        }
        Ok(())
    }

    async fn advance(&mut self, mut commit: usize) {
        let ring = self.ring;
        loop {
            let mut pending = Pending { ring, armed: true };
            self.inner.advance(commit).await;
            pending.armed = false;
            ring.settle();
            if !ring.take_refused() {
                return;
            }
            let room = core::future::poll_fn(|cx| ring.poll_room(cx));
            match ring.held_until() {
                // Past the hold time the ring gives a payload up: tried again then.
                Some(at) => {
                    let _ =
                        embassy_futures::select::select(room, embassy_time::Timer::at(at)).await;
                }
                None => room.await,
            }
            commit = 0;
        }
    }

    fn clear(&mut self) {
        self.inner.clear();
        self.ring.roll_back();
    }
}

//! The two thin shells around atat: the same three operations over the async and the blocking
//! atat client. Everything else in the client is written once, over [`Link`].

use atat::urc_channel::UrcSubscription;

use atat::{AtatCmd, InternalError};
use core::pin::pin;
use embassy_futures::select::{select, Either};
use embassy_time::Instant;

use super::queued::{ChannelUrc, HeldUrcs, Queued, UrcMeta};
use super::reply::{Payload, Reply};
use super::ring::PayloadRing;
use super::Failure;
use crate::Urc;

/// What the client needs from atat: send a command and wait for its final result, and take
/// the URCs the ingress published.
///
/// Implemented by [`AsyncLink`] and [`BlockingLink`]; the blocking one never suspends, so its
/// futures complete in one poll.
#[allow(async_fn_in_trait)]
pub trait Link {
    /// What the link's URC queue holds.
    type Queued: Queued;
    /// Writes a command and waits for its final result (atat's `send`). URCs that arrive
    /// meanwhile may be handed to `on_urc` (the async link does, so that a burst of URCs
    /// cannot fill the channel and stall the ingress before the final result); one that
    /// answers a call (an open's result) must stay for [`urc`](Self::urc).
    async fn send<C: AtatCmd>(
        &mut self,
        cmd: &C,
        on_urc: &mut (dyn FnMut(&Urc) + Send),
    ) -> Result<C::Response, atat::Error>;
    /// Writes raw bytes (a payload after the prompt, the `+++` escape) and, when `ANSWERED`,
    /// waits `TIMEOUT_MS` at most for the final result: `Ok(Err(_))` is an error result.
    ///
    /// By default through [`send`](Self::send), where atat copies the bytes into its command
    /// buffer first; a link that writes them from the caller's buffer overrides it.
    async fn send_bytes<const TIMEOUT_MS: u32, const ANSWERED: bool>(
        &mut self,
        bytes: &[u8],
        on_urc: &mut (dyn FnMut(&Urc) + Send),
    ) -> Result<Result<(), Failure>, atat::Error> {
        match self
            .send(&Payload::<TIMEOUT_MS, ANSWERED>(bytes), on_urc)
            .await?
        {
            Reply::Done(()) => Ok(Ok(())),
            Reply::Failed(f) => Ok(Err(f)),
        }
    }
    /// Runs `edge` (a change of a control line the module answers, such as DTR going high)
    /// and waits `TIMEOUT_MS` at most for the final result: `Ok(Err(_))` is an error result.
    ///
    /// The links of this crate run `edge` after they forgot earlier answers, so an answer that
    /// follows the edge at once is kept. This default runs it before an empty write and
    /// suits only a module that answers slower than that write starts waiting.
    async fn send_edge<const TIMEOUT_MS: u32>(
        &mut self,
        edge: &mut (dyn FnMut() + Send),
        on_urc: &mut (dyn FnMut(&Urc) + Send),
    ) -> Result<Result<(), Failure>, atat::Error> {
        edge();
        self.send_bytes::<TIMEOUT_MS, true>(&[], on_urc).await
    }
    /// The next URC, waiting until `deadline` at most.
    async fn urc(&mut self, deadline: Instant) -> Option<Self::Queued>;
    /// A URC already received, without waiting.
    fn try_urc(&mut self) -> Option<Self::Queued>;
    /// The ring that keeps pushed payloads after their URC was routed, until a read copies
    /// them out; `None` (the default): a data URC carries its payload, and the client's push
    /// buffer keeps it.
    fn payloads(&self) -> Option<&dyn PayloadRing> {
        None
    }
}

/// What reads a command's answer where it lies: the response bytes, or the error final
/// result as atat's framing reported it.
pub type Answer<'r> = dyn FnMut(Result<&[u8], InternalError<'_>>) + Send + 'r;

/// The async shell: an `atat::asynch` client, a subscription to the URC channel (of
/// [`UrcMeta`] by default) and the ring its payloads wait in.
pub struct AsyncLink<'a, A, const CAP: usize, const SUBS: usize, U: ChannelUrc = UrcMeta> {
    at: A,
    urcs: UrcSubscription<'a, U, CAP, SUBS>,
    ring: U::Ring<'a>,
    /// An answer to a call (an open's result) that came while a command waited, and what
    /// came after it, in order: kept for the call, which takes them before anything still in
    /// the channel.
    held: U::Held,
}

impl<'a, A, const CAP: usize, const SUBS: usize, U: ChannelUrc> AsyncLink<'a, A, CAP, SUBS, U> {
    /// Wraps an async atat client, a subscription taken before the first command, and the
    /// ring the channel's payloads wait in (`()` for a channel of
    /// [`QueuedUrc`](super::QueuedUrc)).
    pub fn new(at: A, urcs: UrcSubscription<'a, U, CAP, SUBS>, ring: U::Ring<'a>) -> Self {
        AsyncLink {
            at,
            urcs,
            ring,
            held: U::Held::default(),
        }
    }
}

impl<'a, A: atat::asynch::AtatClient, const CAP: usize, const SUBS: usize, U: ChannelUrc> Link
    for AsyncLink<'a, A, CAP, SUBS, U>
{
    type Queued = U::Queued<'a>;

    async fn send<C: AtatCmd>(
        &mut self,
        cmd: &C,
        on_urc: &mut (dyn FnMut(&Urc) + Send),
    ) -> Result<C::Response, atat::Error> {
        let sent = pin!(self.at.send(cmd));
        meanwhile(sent, &mut self.urcs, self.ring, &mut self.held, on_urc).await
    }

    async fn send_edge<const TIMEOUT_MS: u32>(
        &mut self,
        edge: &mut (dyn FnMut() + Send),
        on_urc: &mut (dyn FnMut(&Urc) + Send),
    ) -> Result<Result<(), Failure>, atat::Error> {
        // atat clears its response slot before it calls the write closure: the edge goes there.
        let sent = pin!(self
            .at
            .send_with(&Payload::<TIMEOUT_MS, true>(&[]), async |_| {
                edge();
                Ok(())
            }));
        match meanwhile(sent, &mut self.urcs, self.ring, &mut self.held, on_urc).await {
            Ok(Reply::Done(())) => Ok(Ok(())),
            Ok(Reply::Failed(f)) => Ok(Err(f)),
            Err(e) => Err(e),
        }
    }

    async fn urc(&mut self, deadline: Instant) -> Option<Self::Queued> {
        if let Some(held) = self.held.pop() {
            return Some(held.queued(self.ring));
        }
        embassy_time::with_deadline(deadline, self.urcs.next_message_pure())
            .await
            .ok()
            .map(|u| u.queued(self.ring))
    }

    fn try_urc(&mut self) -> Option<Self::Queued> {
        if let Some(held) = self.held.pop() {
            return Some(held.queued(self.ring));
        }
        Some(self.urcs.try_next_message_pure()?.queued(self.ring))
    }

    fn payloads(&self) -> Option<&dyn PayloadRing> {
        U::payloads(self.ring)
    }
}

/// Awaits `sent` (a command), routing the URCs that arrive meanwhile through `on_urc`, so that
/// a burst of them cannot fill the channel and stall the ingress before the final result.
///
/// The first URC that answers a call (an open's result right after `OK`) stops the routing:
/// it goes to `held` for the call that waits for it, and so does every URC after it, in
/// order (the call sets state when it takes its answer, such as a socket opened, and a data
/// notice behind the answer must come after that). When the ingress runs elsewhere (a
/// thread, an interrupt), the final result and such a URC can both land between the poll of
/// the command and the poll of the drain, so the drain takes the URC before the command
/// completes; routed, it would be lost to the call.
///
/// The drain goes on into `held` during later commands too, until `held` is full: only then
/// do URCs wait in the channel (and a burst larger than the channel stalls the ingress until
/// the command times out). `held` empties when the client takes URCs (every call that
/// starts a command does).
async fn meanwhile<'a, T, U: ChannelUrc, const CAP: usize, const SUBS: usize>(
    mut sent: core::pin::Pin<&mut impl core::future::Future<Output = T>>,
    urcs: &mut UrcSubscription<'a, U, CAP, SUBS>,
    ring: U::Ring<'a>,
    held: &mut U::Held,
    on_urc: &mut (dyn FnMut(&Urc) + Send),
) -> T {
    if !held.is_full() {
        let drain = async {
            loop {
                let entry = urcs.next_message_pure().await;
                if held.is_empty() && !entry.answers_a_call() {
                    entry.queued(ring).with_urc(&mut *on_urc);
                    continue;
                }
                // Checked before taking it: there is room.
                held.push(entry);
                if held.is_full() {
                    return;
                }
            }
        };
        // `select` polls the command first: a URC that follows the final result is still in
        // the channel when the command completes.
        if let Either::First(result) = select(sent.as_mut(), drain).await {
            return result;
        }
    }
    sent.await
}

/// The blocking shell: an `atat::blocking` client and a subscription to the URC channel.
/// Waiting for a URC polls the channel until the deadline, as atat's blocking client does for
/// responses; something else (an interrupt, a reader thread) must feed the ingress meanwhile
/// (see [`feed_ingress`](super::feed_ingress)).
///
/// atat's blocking client gives no hook while it waits for a final result, so URCs are routed
/// before and after each command: more URCs than the channel holds between a command and its
/// final result stall the ingress until the command times out, and so do more pushed bytes
/// than the push ring holds. Size the channel and the ring for the traffic, or use the async
/// client, which routes them as they come.
pub struct BlockingLink<'a, A, const CAP: usize, const SUBS: usize, U: ChannelUrc = UrcMeta> {
    at: A,
    urcs: UrcSubscription<'a, U, CAP, SUBS>,
    ring: U::Ring<'a>,
}

impl<'a, A, const CAP: usize, const SUBS: usize, U: ChannelUrc> BlockingLink<'a, A, CAP, SUBS, U> {
    /// Wraps a blocking atat client, a subscription taken before the first command, and the
    /// ring the channel's payloads wait in (`()` for a channel of
    /// [`QueuedUrc`](super::QueuedUrc)).
    pub fn new(at: A, urcs: UrcSubscription<'a, U, CAP, SUBS>, ring: U::Ring<'a>) -> Self {
        BlockingLink { at, urcs, ring }
    }
}

impl<'a, A: atat::blocking::AtatClient, const CAP: usize, const SUBS: usize, U: ChannelUrc> Link
    for BlockingLink<'a, A, CAP, SUBS, U>
{
    type Queued = U::Queued<'a>;

    async fn send<C: AtatCmd>(
        &mut self,
        cmd: &C,
        _on_urc: &mut (dyn FnMut(&Urc) + Send),
    ) -> Result<C::Response, atat::Error> {
        // atat's blocking client waits inside; URCs are drained before and after.
        self.at.send(cmd)
    }

    async fn send_edge<const TIMEOUT_MS: u32>(
        &mut self,
        edge: &mut (dyn FnMut() + Send),
        _on_urc: &mut (dyn FnMut(&Urc) + Send),
    ) -> Result<Result<(), Failure>, atat::Error> {
        // atat clears its response slot before it calls the write closure: the edge goes there.
        let sent = self.at.send_with(&Payload::<TIMEOUT_MS, true>(&[]), |_| {
            edge();
            Ok(())
        })?;
        Ok(match sent {
            Reply::Done(()) => Ok(()),
            Reply::Failed(f) => Err(f),
        })
    }

    async fn urc(&mut self, deadline: Instant) -> Option<Self::Queued> {
        loop {
            if let Some(u) = self.urcs.try_next_message_pure() {
                return Some(u.queued(self.ring));
            }
            if Instant::now() >= deadline {
                return None;
            }
            // Sleep rather than spin: a URC is rarely more urgent than a millisecond.
            #[cfg(feature = "std")]
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    }

    fn try_urc(&mut self) -> Option<Self::Queued> {
        Some(self.urcs.try_next_message_pure()?.queued(self.ring))
    }

    fn payloads(&self) -> Option<&dyn PayloadRing> {
        U::payloads(self.ring)
    }
}

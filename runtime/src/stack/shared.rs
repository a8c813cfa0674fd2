//! What the runner and every task share: the URC state of sockets and contexts, which connect
//! IDs are taken, the wakers of those who wait, and the results the command holder waits for.
//!
//! Readiness is state, not an event: a URC changes these fields whenever it arrives, and a
//! reader looks at them whenever it comes to wait, so no order of calls can lose a URC.

use core::cell::RefCell;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use core::task::{Context, Poll};

use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::signal::Signal;
use embassy_sync::waitqueue::WakerRegistration;

use crate::client::{Event, Router, Sender, SOCKETS};
use crate::digest::DigestState;
use crate::{urc, AccessMode, ConnectId, Urc};

use super::push::PushRing;
use super::results::Results;
use super::{Error, Stopped};
use crate::zeroed::ZeroOption;

// The ID sets below are bit masks of a `u32`.
const _: () = assert!(SOCKETS <= 32);

/// Buffer-access bookkeeping of one socket: recv URCs counted, and the count when a read last
/// found the module's buffer empty. Data waits while the two differ; a URC that arrives while
/// a read is on its way bumps the count, so that read cannot clear it.
#[derive(Debug)]
struct Slot {
    announced: u32,
    drained: u32,
    /// Closed by the peer, and read to the end since.
    drained_after_close: bool,
    /// Tasks inside a read of this socket.
    readers: u8,
    /// Direct push: the reader did not come within `push_wait` of a full push buffer.
    slow: bool,
    /// Direct push: a push larger than the whole push buffer came, and was dropped whole.
    push_too_large: bool,
    waker: WakerRegistration,
}

impl Slot {
    const fn new() -> Self {
        Slot {
            announced: 0,
            drained: 0,
            drained_after_close: false,
            readers: 0,
            slow: false,
            push_too_large: false,
            waker: WakerRegistration::new(),
        }
    }
}

/// What a reader of a socket can do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Readiness {
    /// Pushed bytes wait in the push buffer.
    Pushed,
    /// The module holds bytes: read them with `AT+QIRD` (the count to drain up to).
    Fetch { seen: u32 },
    /// Nothing more will come: the peer closed and every byte was read.
    End,
    /// Nothing yet.
    Waiting,
}

pub(crate) struct State {
    /// Socket and context state; pushes go to the stack's [`PushRing`] instead of the
    /// router's own buffer (of 0 bytes).
    pub(crate) router: Router<0>,
    slots: [Slot; SOCKETS],
    /// IDs handed to a socket handle (or on their way to one).
    taken: u32,
    /// Handles dropped without `close`: closed by the next command holder.
    dropped: u32,
    /// Not an `Option`: `Option<Stopped>`'s `None` is not zero bytes ([`ZeroOption`]).
    stopped: ZeroOption<Stopped>,
    /// The runner, waiting for room in the push buffer or the result queue.
    runner: WakerRegistration,
    /// Room was made (a read, a command holder letting go) since the runner last looked.
    room_made: bool,
    /// The command holder, waiting for its answer while the runner may stop.
    holder: WakerRegistration,
}

fn bit(id: ConnectId) -> u32 {
    1 << id.get()
}

fn index(id: ConnectId) -> usize {
    usize::from(id.get())
}

impl State {
    const fn new() -> Self {
        State {
            router: Router::with_push_capacity(),
            slots: [const { Slot::new() }; SOCKETS],
            taken: 0,
            dropped: 0,
            stopped: ZeroOption::None,
            runner: WakerRegistration::new(),
            room_made: false,
            holder: WakerRegistration::new(),
        }
    }

    /// Why the runner stopped, as the error every call gets from then on.
    pub(crate) fn check_running(&self) -> Result<(), Error> {
        match self.stopped.as_ref() {
            Some(&why) => Err(Error::ReaderStopped(why)),
            None => Ok(()),
        }
    }

    /// Takes the lowest free connect ID.
    pub(crate) fn take_id(&mut self) -> Option<ConnectId> {
        let free = !(self.taken | self.dropped);
        let i = free.trailing_zeros();
        let id = ConnectId::new(i64::from(i))?;
        self.taken |= bit(id);
        self.slots[index(id)] = Slot::new();
        Some(id)
    }

    /// Gives an ID back (its socket is closed, or never opened).
    pub(crate) fn release(&mut self, push: &dyn PushRing, id: ConnectId) {
        self.taken &= !bit(id);
        self.dropped &= !bit(id);
        self.router.closed(id);
        push.discard(id);
    }

    /// A handle was dropped while open: the next command holder closes it.
    pub(crate) fn drop_later(&mut self, push: &dyn PushRing, id: ConnectId) {
        self.dropped |= bit(id);
        self.router.closed(id);
        push.discard(id);
    }

    /// IDs dropped and not closed yet.
    pub(crate) fn take_dropped(&mut self) -> Option<ConnectId> {
        let i = self.dropped.trailing_zeros();
        ConnectId::new(i64::from(i))
    }

    /// What a reader of `id` can do now; registers `cx` to be woken on change.
    pub(crate) fn readiness(
        &mut self,
        push: &dyn PushRing,
        id: ConnectId,
        cx: Option<&mut Context<'_>>,
    ) -> Result<Readiness, Error> {
        self.check_running()?;
        let info = self.router.socket(id);
        if core::mem::take(&mut self.router.socket_mut(id).overrun) {
            return Err(Error::Client(crate::client::Error::Overrun));
        }
        // The module dropped the context's sockets, and what they held.
        if self.socket_lost(id) {
            return Err(Error::ContextLost);
        }
        if core::mem::take(&mut self.slots[index(id)].push_too_large) {
            return Err(Error::PushBufferTooSmall {
                capacity: push.capacity(),
            });
        }
        let slot = &mut self.slots[index(id)];
        let ready = if push.len_of(id) > 0 {
            Readiness::Pushed
        } else if slot.announced != slot.drained {
            // Buffer access; or a direct push socket announced without a length (a module
            // that holds the data after all, a field fault): fetched with AT+QIRD either way.
            Readiness::Fetch {
                seen: slot.announced,
            }
        } else if info.closed && info.mode != Some(AccessMode::DirectPush) {
            // Data may have come with the close and not been announced: one last read.
            if slot.drained_after_close {
                Readiness::End
            } else {
                Readiness::Fetch {
                    seen: slot.announced,
                }
            }
        } else if info.closed {
            Readiness::End
        } else if !info.open {
            return Err(Error::Client(crate::client::Error::WrongState));
        } else {
            Readiness::Waiting
        };
        if let (Readiness::Waiting, Some(cx)) = (ready, cx) {
            slot.waker.register(cx.waker());
        }
        Ok(ready)
    }

    /// The runner cleared a full ingress buffer: the frame it held is gone, and may have been
    /// a push, a recv notice or a close. Readers of direct push sockets get
    /// [`Overrun`](crate::client::Error::Overrun) (bytes may be lost); buffer-access sockets
    /// ask the module again (their data waits there).
    pub(crate) fn ingress_cleared(&mut self) {
        for i in 0..SOCKETS {
            let Some(id) = ConnectId::new(i as i64) else {
                continue;
            };
            let info = self.router.socket(id);
            if !info.open {
                continue;
            }
            if info.mode == Some(AccessMode::DirectPush) {
                self.router.socket_mut(id).overrun = true;
            } else {
                let slot = &mut self.slots[i];
                slot.announced = slot.announced.wrapping_add(1);
            }
            self.wake_socket(id);
        }
    }

    /// A read found the module's buffer empty after `seen` announcements.
    pub(crate) fn drained(&mut self, id: ConnectId, seen: u32) {
        let closed = self.router.socket(id).closed;
        let slot = &mut self.slots[index(id)];
        slot.drained = seen;
        if closed && slot.announced == seen {
            slot.drained_after_close = true;
        }
    }

    /// The module dropped the socket with what its buffer held (`AT+QIDEACT` of its
    /// context): nothing is left to fetch, a read ends the stream.
    pub(crate) fn emptied(&mut self, id: ConnectId) {
        let slot = &mut self.slots[index(id)];
        slot.drained = slot.announced;
        slot.drained_after_close = true;
    }

    /// A task starts or ends reading the socket.
    pub(crate) fn reading(&mut self, id: ConnectId, start: bool) {
        let slot = &mut self.slots[index(id)];
        if start {
            slot.readers = slot.readers.saturating_add(1);
            slot.slow = false;
        } else {
            slot.readers = slot.readers.saturating_sub(1);
        }
    }

    /// Whether the module dropped the socket with its context: lost now, or lost while this
    /// socket was open (a handle from before a restart stays lost after a new activation).
    pub(crate) fn socket_lost(&self, id: ConnectId) -> bool {
        let info = self.router.socket(id);
        info.context_lost || info.context.is_some_and(|c| self.router.context_lost(c))
    }

    /// Whether the peer or the network closed the socket.
    pub(crate) fn peer_closed(&self, id: ConnectId) -> bool {
        let info = self.router.socket(id);
        info.closed || self.socket_lost(id)
    }

    /// Wakes the runner: a reader took pushed bytes, so there is room.
    pub(crate) fn room_made(&mut self) {
        self.room_made = true;
        self.runner.wake();
    }

    /// Wakes the runner: the command lock was let go (a result waiting for its taker can go).
    pub(crate) fn wake_runner(&mut self) {}

    fn wake_socket(&mut self, id: ConnectId) {
        self.slots[index(id)].waker.wake();
    }

    pub(crate) fn wake_all_sockets(&mut self) {
        self.wake_all();
    }

    fn wake_all(&mut self) {
        for s in &mut self.slots {
            s.waker.wake();
        }
        self.holder.wake();
    }
}

/// Everything the runner and the tasks share; lives in [`StackResources`](super::StackResources).
pub(crate) struct Shared {
    pub(crate) state: Mutex<CriticalSectionRawMutex, RefCell<State>>,
    /// Result URCs (open, DNS, ping, NTP, accept outcomes) for the command holder.
    pub(crate) results: Results,
    /// A task holds the command lock (and may wait for results).
    pub(crate) busy: AtomicBool,
    pub(crate) digest: DigestState,
    /// Bytes lost to a full ingress buffer (a frame longer than the buffer).
    pub(crate) lost_bytes: AtomicU32,
    /// The command holder's answer is in the response slot.
    pub(crate) answered: Signal<CriticalSectionRawMutex, ()>,
    /// Restarts of the module seen (`RDY`), see `restart.rs`.
    pub(crate) restart: super::restart::Restarts,
}

impl Shared {
    pub(crate) const fn new() -> Self {
        Shared {
            state: Mutex::new(RefCell::new(State::new())),
            results: Results::new(),
            busy: AtomicBool::new(false),
            digest: DigestState::new(),
            lost_bytes: AtomicU32::new(0),
            answered: Signal::new(),
            restart: super::restart::Restarts::new(),
        }
    }

    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        self.state.lock(|s| f(&mut s.borrow_mut()))
    }

    /// The runner stopped: every waiter learns why.
    pub(crate) fn stop(&self, why: Stopped) {
        self.with(|s| {
            s.stopped = ZeroOption::Some(why);
            s.wake_all();
        });
    }

    /// Resolves when the runner has stopped (the command holder races its answer with it).
    pub(crate) async fn stopped(&self) -> Stopped {
        core::future::poll_fn(|cx| {
            self.with(|s| match s.stopped.as_ref() {
                Some(&why) => Poll::Ready(why),
                None => {
                    s.holder.register(cx.waker());
                    Poll::Pending
                }
            })
        })
        .await
    }

    /// Drops results nobody waits for any more.
    pub(crate) fn clear_results(&self) {
        self.results.clear();
    }

    /// The runner found an ingress buffer full of one unfinished frame and cleared it.
    pub(crate) fn note_overflow(&self, bytes: usize) {
        let n = u32::try_from(bytes).unwrap_or(u32::MAX);
        self.lost_bytes.fetch_add(n, Ordering::Relaxed);
    }

    /// Records the URC in `frame` (its line, then for data URCs CR LF and the payload) in the
    /// state and wakes whoever it concerns; a result is queued for the command holder.
    ///
    /// A push that does not fit the push buffer while a reader may make room (see
    /// [`State::make_room`]) is not recorded: [`Routed::WaitForRoom`] names the socket, and
    /// the runner keeps the frame until there is room or `push_wait` has passed.
    ///
    /// The URC is decoded again after any wait instead of being kept across it: the runner's
    /// future never holds a URC value (the size of the largest URC, a whole push).
    pub(crate) async fn route_frame(&self, push: &dyn PushRing, frame: &[u8]) -> Routed {
        // Looked at where it was decoded (a copy would double this frame, below every URC).
        let decoded = Urc::decode_frame(frame);
        let Ok(u) = &decoded else {
            warn_!("a URC frame that does not decode: dropped");
            return Routed::Done;
        };
        if super::restart::is_start_up(u) {
            self.module_restarted();
            return Routed::Done;
        }
        if let Some((id, len, sender)) = push_size(u) {
            if let Err(hog) = self.with(|s| s.make_room(push, id, len, sender)) {
                return Routed::WaitForRoom(hog);
            }
        }
        let event = self.with(|s| s.record(&self.digest, push, u));
        if event != Event::Result || !self.busy.load(Ordering::Acquire) {
            return Routed::Done;
        }
        if self.queue_result(u) {
            return Routed::Done;
        }
        self.wait_for_results_room().await;
        if self.busy.load(Ordering::Acquire) {
            // Recorded already; only the delivery is left. Decoded here, not in a helper,
            // so that it takes the first decoding's place on the stack.
            if let Ok(u) = &Urc::decode_frame(frame) {
                let _ = self.queue_result(u);
            }
        }
        Routed::Done
    }

    /// Queues a result for the command holder; `false` when one waits already. Results
    /// carry no payload: what is queued is metadata only. Apart, so that the detached copy
    /// is not in [`route_frame`](Self::route_frame)'s frame, below every URC's decoding.
    #[inline(never)]
    fn queue_result(&self, u: &Urc<'_>) -> bool {
        self.results.put(u)
    }

    /// Resolves when a reader took pushed bytes since the last time.
    pub(crate) async fn room_made(&self) {
        core::future::poll_fn(|cx| {
            self.with(|s| {
                if core::mem::take(&mut s.room_made) {
                    return Poll::Ready(());
                }
                s.runner.register(cx.waker());
                Poll::Pending
            })
        })
        .await
    }

    /// The runner gave up waiting for `id`'s reader: its backlog goes to make room, without
    /// waiting, until its reader reads again.
    /// A task inside a read of it is not slow: it may be waiting for something else (a
    /// reader of one byte at a time, a read beside a command), and is waited for again.
    pub(crate) fn mark_slow(&self, id: ConnectId) {
        self.with(|s| {
            let slot = &mut s.slots[index(id)];
            if slot.readers == 0 {
                slot.slow = true;
            }
        });
    }

    /// Waits until the result queue has room or nobody holds the command lock any more.
    async fn wait_for_results_room(&self) {
        core::future::poll_fn(|cx| {
            if !self.busy.load(Ordering::Acquire) || !self.results.is_full() {
                return Poll::Ready(());
            }
            // Woken when the holder takes one (the slot) or lets go (the state).
            self.results.wake_when_free(cx);
            self.with(|s| s.runner.register(cx.waker()));
            Poll::Pending
        })
        .await
    }
}

impl State {
    /// Makes room for a push of `len` bytes (and a sender address of `sender` bytes) for
    /// `id`, or names the socket whose reader the runner should wait for.
    ///
    /// Room is made by the socket holding the most. Its bytes are dropped (its reader is
    /// told, [`Error::Overrun`](crate::client::Error::Overrun)) only once it is "slow": the
    /// runner waited `push_wait` for its reader and none came. So a socket somebody reads
    /// never loses bytes to a burst on another, and the line stalls at most `push_wait` for a
    /// socket nobody reads, whose later pushes then go without waiting until its reader
    /// reads again.
    fn make_room(
        &mut self,
        push: &dyn PushRing,
        id: ConnectId,
        len: usize,
        sender: usize,
    ) -> Result<(), ConnectId> {
        loop {
            if self.dropped & bit(id) != 0 || push.fits(len, sender) {
                return Ok(());
            }
            let Some(hog) = push.largest() else {
                // Larger than the whole buffer: dropped whole (the reader is told).
                return Ok(());
            };
            if !self.slots[index(hog)].slow {
                return Err(hog);
            }
            warn_!(
                "push buffer full: socket {}'s unread bytes dropped",
                hog.get()
            );
            push.discard(hog);
            self.router.socket_mut(hog).overrun = true;
            self.wake_socket(hog);
        }
    }

    /// Records a URC and wakes whoever it concerns; a push's payload goes from the frame to
    /// the push buffer (its one copy before the reader's buffer).
    fn record(&mut self, digest: &DigestState, push: &dyn PushRing, u: &Urc<'_>) -> Event {
        let event = match u {
            Urc::RecvPush(p) => self.pushed(
                push,
                p.connect_id,
                p.data,
                p.recv_length.get() as usize,
                None,
            ),
            Urc::RecvPushUdpService(p) => self.pushed_from(push, p),
            _ => crate::client::route(&mut self.router, digest, u),
        };
        match event {
            Event::DataReady(id) => {
                let slot = &mut self.slots[index(id)];
                slot.announced = slot.announced.wrapping_add(1);
                self.wake_socket(id);
            }
            Event::DataPushed(id) | Event::Closed(id) => self.wake_socket(id),
            Event::ContextDeactivated(_) => self.wake_all(),
            _ => {}
        }
        event
    }
}

impl State {
    /// A UDP service's push, with its sender (apart: the sender's address is a string that
    /// the frame of [`record`](Self::record), below every URC, need not hold).
    #[inline(never)]
    fn pushed_from(&mut self, push: &dyn PushRing, p: &urc::RecvPushUdpService<'_>) -> Event {
        let from = Sender::new(&p.remote_ip, p.remote_port);
        let len = p.recv_length.get() as usize;
        self.pushed(push, p.connect_id, p.data, len, from)
    }

    /// Keeps a push: a push larger than the whole buffer is dropped whole and its reader
    /// gets [`Error::PushBufferTooSmall`]; one that does not fit now (its socket was given
    /// up on, see [`make_room`](Self::make_room)) marks the socket overrun.
    fn pushed(
        &mut self,
        push: &dyn PushRing,
        id: ConnectId,
        wire: &[u8],
        len: usize,
        from: Option<Sender>,
    ) -> Event {
        let sender = from.as_ref().map_or(0, |s| s.ip.len());
        if len + sender > push.capacity() {
            warn_!(
                "a push of {} bytes is larger than the push buffer: dropped",
                len
            );
            self.slots[index(id)].push_too_large = true;
        } else if !push.push(id, wire, len, from) {
            warn_!(
                "push buffer full: {} bytes of socket {} dropped",
                len,
                id.get()
            );
            self.router.socket_mut(id).overrun = true;
        }
        Event::DataPushed(id)
    }
}

/// What became of a URC frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Routed {
    /// Recorded (or dropped, when it does not decode).
    Done,
    /// A push that waits for this socket's reader to make room.
    WaitForRoom(ConnectId),
}

/// The one socket a URC frame concerns, when it concerns one only (data, close): such a URC
/// may be recorded before URCs of other sockets that came earlier. `None`: a URC of several
/// sockets or of none (a lost context, a result), which keeps its place.
/// Apart: its URC lies in this frame, beside the runner's other calls, not in the runner's.
#[inline(never)]
pub(crate) fn frame_socket(frame: &[u8]) -> Option<ConnectId> {
    match &Urc::decode_frame(frame) {
        Ok(
            Urc::Recv(crate::urc::Recv { connect_id })
            | Urc::RecvWithLength(crate::urc::RecvWithLength { connect_id, .. })
            | Urc::Closed(crate::urc::Closed { connect_id }),
        ) => Some(*connect_id),
        Ok(Urc::RecvPush(p)) => Some(p.connect_id),
        Ok(Urc::RecvPushUdpService(p)) => Some(p.connect_id),
        _ => None,
    }
}

/// The socket, payload length and sender length of a push URC.
fn push_size(u: &Urc<'_>) -> Option<(ConnectId, usize, usize)> {
    match u {
        Urc::RecvPush(p) => Some((p.connect_id, p.recv_length.get() as usize, 0)),
        Urc::RecvPushUdpService(p) => Some((
            p.connect_id,
            p.recv_length.get() as usize,
            p.remote_ip.len(),
        )),
        _ => None,
    }
}

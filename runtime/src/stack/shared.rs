//! What the runner and every task share: the URC state of sockets and contexts, which connect
//! IDs are taken, the wakers of those who wait, and the results the command holder waits for.
//!
//! Readiness is state, not an event: a URC changes these fields whenever it arrives, and a
//! reader looks at them whenever it comes to wait, so no order of calls can lose a URC.

use core::cell::RefCell;
use core::sync::atomic::{AtomicBool, Ordering};
use core::task::{Context, Poll};

use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::channel::Channel;
use embassy_sync::waitqueue::WakerRegistration;

use crate::client::{Event, Router, SOCKETS};
use crate::digest::DigestState;
use crate::{AccessMode, ConnectId, Urc};

use super::{Error, Stopped};

/// Result URCs (open, DNS, ping, NTP, accept outcomes) queued for the command holder.
pub(crate) const RESULTS: usize = 4;

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
    pub(crate) router: Router,
    slots: [Slot; SOCKETS],
    /// IDs handed to a socket handle (or on their way to one).
    taken: u32,
    /// Handles dropped without `close`: closed by the next command holder.
    dropped: u32,
    stopped: Option<Stopped>,
    /// The runner, waiting for room in the push buffer or the result queue.
    runner: WakerRegistration,
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
            router: Router::new(),
            slots: [const { Slot::new() }; SOCKETS],
            taken: 0,
            dropped: 0,
            stopped: None,
            runner: WakerRegistration::new(),
            holder: WakerRegistration::new(),
        }
    }

    /// Why the runner stopped, as the error every call gets from then on.
    pub(crate) fn check_running(&self) -> Result<(), Error> {
        match self.stopped {
            Some(why) => Err(Error::ReaderStopped(why)),
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
    pub(crate) fn release(&mut self, id: ConnectId) {
        self.taken &= !bit(id);
        self.dropped &= !bit(id);
        self.router.closed(id);
    }

    /// A handle was dropped while open: the next command holder closes it.
    pub(crate) fn drop_later(&mut self, id: ConnectId) {
        self.dropped |= bit(id);
        self.router.closed(id);
    }

    /// IDs dropped and not closed yet.
    pub(crate) fn take_dropped(&mut self) -> Option<ConnectId> {
        let i = self.dropped.trailing_zeros();
        ConnectId::new(i64::from(i))
    }

    /// What a reader of `id` can do now; registers `cx` to be woken on change.
    pub(crate) fn readiness(
        &mut self,
        id: ConnectId,
        cx: Option<&mut Context<'_>>,
    ) -> Result<Readiness, Error> {
        self.check_running()?;
        let info = self.router.socket(id);
        if core::mem::take(&mut self.router.socket_mut(id).overrun) {
            return Err(Error::Client(crate::client::Error::Overrun));
        }
        // The module dropped the context's sockets, and what they held.
        if info.context.is_some_and(|c| self.router.context_lost(c)) {
            return Err(Error::ContextLost);
        }
        let slot = &mut self.slots[index(id)];
        let ready = if self.router.pushed_len(id) > 0 {
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

    /// Whether the peer or the network closed the socket.
    pub(crate) fn peer_closed(&self, id: ConnectId) -> bool {
        let info = self.router.socket(id);
        info.closed || info.context.is_some_and(|c| self.router.context_lost(c))
    }

    /// Wakes the runner: room was made.
    pub(crate) fn wake_runner(&mut self) {
        self.runner.wake();
    }

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
    pub(crate) results: Channel<CriticalSectionRawMutex, Urc, RESULTS>,
    /// A task holds the command lock (and may wait for results).
    pub(crate) busy: AtomicBool,
    pub(crate) digest: DigestState,
}

impl Shared {
    pub(crate) const fn new() -> Self {
        Shared {
            state: Mutex::new(RefCell::new(State::new())),
            results: Channel::new(),
            busy: AtomicBool::new(false),
            digest: DigestState::new(),
        }
    }

    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        self.state.lock(|s| f(&mut s.borrow_mut()))
    }

    /// The runner stopped: every waiter learns why.
    pub(crate) fn stop(&self, why: Stopped) {
        self.with(|s| {
            s.stopped = Some(why);
            s.wake_all();
        });
    }

    /// Resolves when the runner has stopped (the command holder races its answer with it).
    pub(crate) async fn stopped(&self) -> Stopped {
        core::future::poll_fn(|cx| {
            self.with(|s| match s.stopped {
                Some(why) => Poll::Ready(why),
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
        while self.results.try_receive().is_ok() {}
    }

    /// Records a URC in the state and wakes whoever it concerns. A push waits (at most
    /// `push_wait`) for room in the push buffer rather than being dropped; a result waits for
    /// room in the queue while someone holds the command lock.
    pub(crate) async fn route(&self, u: Urc, push_wait: embassy_time::Duration) {
        if let Some((id, len, sender)) = push_size(&u) {
            // Room is made by the socket holding the most. Another socket's backlog is
            // dropped at once (its reader is told), so the line never stalls for a socket
            // nobody reads. For this socket's own backlog the runner waits for its reader,
            // `push_wait` at most; a socket whose reader did not come in time is "slow", and
            // its backlog is dropped without waiting until its reader reads again.
            let room = core::future::poll_fn(|cx| {
                self.with(|s| loop {
                    if s.dropped & bit(id) != 0 || s.router.can_push(len, sender) {
                        return Poll::Ready(());
                    }
                    let hog = s.router.largest_push_holder().unwrap_or(id);
                    let slot = &s.slots[index(id)];
                    if hog == id && (slot.readers > 0 || !slot.slow) {
                        s.runner.register(cx.waker());
                        return Poll::Pending;
                    }
                    warn_!(
                        "push buffer full: socket {}'s unread bytes dropped",
                        hog.get()
                    );
                    s.router.drop_pushed(hog);
                    s.wake_socket(hog);
                })
            });
            if embassy_time::with_timeout(push_wait, room).await.is_err() {
                // The router drops this push and marks the socket overrun.
                self.with(|s| s.slots[index(id)].slow = true);
            }
        }
        let event = self.with(|s| {
            let event = crate::client::route(&mut s.router, &self.digest, &u);
            match event {
                Event::DataReady(id) => {
                    s.slots[index(id)].announced = s.slots[index(id)].announced.wrapping_add(1);
                    s.wake_socket(id);
                }
                Event::DataPushed(id) | Event::Closed(id) => s.wake_socket(id),
                Event::ContextDeactivated(_) => s.wake_all(),
                _ => {}
            }
            event
        });
        if event == Event::Result {
            self.deliver(u).await;
        }
    }

    /// Hands a result URC to the command holder; dropped when nobody holds the lock.
    async fn deliver(&self, u: Urc) {
        let mut u = Some(u);
        core::future::poll_fn(|cx| {
            if !self.busy.load(Ordering::Acquire) {
                return Poll::Ready(());
            }
            let Some(message) = u.take() else {
                return Poll::Ready(());
            };
            match self.results.try_send(message) {
                Ok(()) => Poll::Ready(()),
                Err(embassy_sync::channel::TrySendError::Full(back)) => {
                    u = Some(back);
                    // Woken when the holder takes one (the channel) or lets go (the state).
                    let _ = self.results.poll_ready_to_send(cx);
                    self.with(|s| s.runner.register(cx.waker()));
                    Poll::Pending
                }
            }
        })
        .await
    }
}

/// The socket, payload length and sender length of a push URC.
fn push_size(u: &Urc) -> Option<(ConnectId, usize, usize)> {
    match u {
        Urc::RecvPush(p) => Some((p.connect_id, p.data.len(), 0)),
        Urc::RecvPushUdpService(p) => Some((p.connect_id, p.data.len(), p.remote_ip.len())),
        _ => None,
    }
}

//! The result URCs (open, DNS, ping, NTP, accept outcomes) the runner hands to the command
//! holder: one at a time, since the holder takes each as it comes (a DNS answer's addresses
//! follow its result).
//!
//! One slot the runner writes a result into, instead of a channel: a channel moves its item
//! by value through every layer of its send (the call, the lock, the queue, the error that
//! hands the item back when full), and each layer put a copy of the largest URC without a
//! payload (a few hundred bytes: an address of up to 255) in the runner's stack.

use core::cell::RefCell;
use core::future::poll_fn;
use core::task::{Context, Poll};

use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::waitqueue::WakerRegistration;

use crate::zeroed::ZeroOption;
use crate::Urc;

/// The result waiting for the command holder, and who waits on either side.
pub(crate) struct Results {
    inner: Mutex<CriticalSectionRawMutex, RefCell<Slot>>,
}

struct Slot {
    /// Not an `Option`: `Option<Urc>`'s `None` is not zero bytes ([`ZeroOption`]).
    urc: ZeroOption<Urc<'static>>,
    /// The command holder, waiting for a result.
    taker: WakerRegistration,
    /// The runner, waiting for the slot to be free.
    giver: WakerRegistration,
}

impl Results {
    pub(crate) const fn new() -> Self {
        Results {
            inner: Mutex::new(RefCell::new(Slot {
                urc: ZeroOption::None,
                taker: WakerRegistration::new(),
                giver: WakerRegistration::new(),
            })),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut Slot) -> R) -> R {
        self.inner.lock(|s| f(&mut s.borrow_mut()))
    }

    /// Queues `u` without its payload (metadata only); `false` when a result waits already.
    pub(crate) fn put(&self, u: &Urc<'_>) -> bool {
        self.with(|s| {
            if s.urc.is_some() {
                return false;
            }
            s.urc = ZeroOption::Some(u.detached());
            s.taker.wake();
            true
        })
    }

    /// Whether a result waits (the next one cannot be queued yet).
    pub(crate) fn is_full(&self) -> bool {
        self.with(|s| s.urc.is_some())
    }

    /// Wakes `cx` when the waiting result is taken or cleared.
    pub(crate) fn wake_when_free(&self, cx: &Context<'_>) {
        self.with(|s| s.giver.register(cx.waker()));
    }

    /// Resolves when a result waits (it is not taken: see [`take`](Self::take)).
    pub(crate) async fn ready(&self) {
        poll_fn(|cx| {
            self.with(|s| {
                if s.urc.is_some() {
                    return Poll::Ready(());
                }
                s.taker.register(cx.waker());
                Poll::Pending
            })
        })
        .await
    }

    /// Hands the waiting result, if any, to `f` where it lies, then drops it from the slot.
    ///
    /// Nothing moves it out: a `Urc` taken by value is copied at every level it passes
    /// (the lock, the link's future, the client's wait), a few hundred bytes each in the
    /// frame of every call that waits for a result. `f` runs under the slot's lock (a
    /// critical section), as the client's routing does under the push ring's.
    pub(crate) fn take_with<R>(&self, f: impl FnOnce(&Urc<'_>) -> R) -> Option<R> {
        self.with(|s| {
            let r = s.urc.as_ref().map(f);
            if r.is_some() {
                s.urc = ZeroOption::None;
                s.giver.wake();
            }
            r
        })
    }

    /// Drops the waiting result, if any (nobody waits for it any more).
    pub(crate) fn clear(&self) {
        self.with(|s| {
            if s.urc.is_some() {
                s.urc = ZeroOption::None;
                s.giver.wake();
            }
        })
    }
}

/// A result URC waiting in the stack's slot for the command holder, as the stack's link
/// hands it to the client ([`Queued`](crate::client::Queued)): the URC stays where the
/// runner put it until [`with_urc`](crate::client::Queued::with_urc) has looked at it.
pub struct WaitingResult<'d> {
    pub(super) results: &'d Results,
}

impl core::fmt::Debug for WaitingResult<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("WaitingResult")
    }
}

impl crate::client::Queued for WaitingResult<'_> {
    fn with_urc<R>(self, f: impl FnOnce(&Urc<'_>) -> R) -> Option<R> {
        self.results.take_with(f)
    }
}

//! A module that restarted on its own (`RDY`, after a watchdog reset or a brown-out): its
//! contexts, sockets and settings are gone, whether or not it said `+QIURC: "pdpdeact"`
//! first.
//!
//! The runner records it: every context is lost (reads and writes of every socket give
//! [`Error::ContextLost`](super::Error::ContextLost)), the digest state is back to a fresh
//! module's, and the next command prepares the module again. A command waiting for its answer
//! or its URC result is not heard by the booting module: its wait ends at once with
//! [`Error::ModuleRestarted`](super::Error::ModuleRestarted) instead of running to its time.

use core::cell::RefCell;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use core::task::Poll;

use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::blocking_mutex::Mutex;
use embassy_sync::waitqueue::WakerRegistration;

use super::shared::Shared;
use crate::{urc, ContextId, Urc};

/// The restarts the runner has seen, and the command holder waiting for its answer.
pub(crate) struct Restarts {
    count: AtomicU32,
    /// The holder's wait was ended by a restart (cleared when it sends its next command).
    cut: AtomicBool,
    holder: Mutex<CriticalSectionRawMutex, RefCell<WakerRegistration>>,
}

impl Restarts {
    pub(crate) const fn new() -> Self {
        Restarts {
            count: AtomicU32::new(0),
            cut: AtomicBool::new(false),
            holder: Mutex::new(RefCell::new(WakerRegistration::new())),
        }
    }

    /// How many restarts the runner has seen.
    pub(crate) fn count(&self) -> u32 {
        self.count.load(Ordering::Acquire)
    }

    /// A command is about to be sent: restarts seen from here on cut its waits.
    pub(crate) fn command_starts(&self) -> u32 {
        self.cut.store(false, Ordering::Release);
        self.count()
    }

    /// Resolves once a restart came after `seen`, and notes that it ended the holder's wait.
    pub(crate) async fn after(&self, seen: u32) {
        core::future::poll_fn(|cx| {
            if self.count() != seen {
                self.cut.store(true, Ordering::Release);
                return Poll::Ready(());
            }
            self.holder.lock(|h| h.borrow_mut().register(cx.waker()));
            Poll::Pending
        })
        .await
    }

    /// Whether the last command's wait was ended by a restart.
    pub(crate) fn cut_short(&self) -> bool {
        self.cut.load(Ordering::Acquire)
    }
}

/// Whether a URC says the module (re)started.
pub(crate) fn is_start_up(u: &Urc) -> bool {
    matches!(u, Urc::Ready(_))
}

impl Shared {
    /// The module restarted: every context and socket is lost, the digest state is a fresh
    /// module's, and whoever waits is woken.
    pub(crate) fn module_restarted(&self) {
        warn_!("the module restarted (RDY): every context and socket is gone");
        self.digest.reset();
        self.with(|s| {
            for n in ContextId::MIN.get()..=ContextId::MAX.get() {
                if let Some(context_id) = ContextId::new(n.into()) {
                    s.router.route(&Urc::Pdpdeact(urc::Pdpdeact { context_id }));
                }
            }
            s.wake_all_sockets();
        });
        let r = &self.restart;
        r.count.store(r.count().wrapping_add(1), Ordering::Release);
        r.holder.lock(|h| h.borrow_mut().wake());
    }
}

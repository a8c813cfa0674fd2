//! The stack each public call of the client and the stack uses, poll by poll: [`Measured`]
//! wraps a call's future (pinned where the flow awaits it) and, at each poll, paints the
//! stack below its own frame, polls the call through a function that is never inlined (so
//! none of the call's frames merge into the flow's), and reads how deep the stack went below
//! the point where the call began. That is the call's own use, interrupts it took included;
//! the other tasks' polls, which the executor runs from the same stack between the call's
//! polls, are not in it: the runner is measured the same way under its own name. [`report`]
//! prints the deepest per name, one `firmware: call <name> stack <bytes>` line each
//! (`budget.sh` reads them).

use core::cell::RefCell;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

use critical_section::Mutex;
use qi_qemu_firmware::stack_usage;
use quectel_qi::heapless::Vec;

use crate::host::Line;

/// More than the distinct calls of the flows and the runner.
const NAMES: usize = 40;

static DEEPEST: Mutex<RefCell<Vec<(&'static str, usize), NAMES>>> =
    Mutex::new(RefCell::new(Vec::new()));

/// A call's future, measured at each poll under `name`.
pub struct Measured<'f, F> {
    name: &'static str,
    future: Pin<&'f mut F>,
}

impl<'f, F: Future> Measured<'f, F> {
    pub fn new(name: &'static str, future: Pin<&'f mut F>) -> Self {
        Measured { name, future }
    }
}

impl<F: Future> Future for Measured<'_, F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.get_mut();
        let at = stack_usage::stack_pointer();
        stack_usage::paint_window(at);
        let poll = poll_apart(this.future.as_mut(), cx);
        match stack_usage::used_below(at) {
            Some(used) => record(this.name, used),
            None => Line::new()
                .str(this.name)
                .str(": one poll took more than ")
                .num(stack_usage::WINDOW as u64)
                .str(" bytes of stack")
                .fail(),
        }
        poll
    }
}

/// Polls `future` in a frame of its own, below the caller's.
#[inline(never)]
fn poll_apart<F: Future>(future: Pin<&mut F>, cx: &mut Context<'_>) -> Poll<F::Output> {
    future.poll(cx)
}

/// Records `used` under `name`, keeping the largest.
fn record(name: &'static str, used: usize) {
    critical_section::with(|cs| {
        let mut deepest = DEEPEST.borrow_ref_mut(cs);
        match deepest.iter_mut().find(|(n, _)| *n == name) {
            Some((_, largest)) => *largest = (*largest).max(used),
            None => {
                if deepest.push((name, used)).is_err() {
                    crate::host::fail("more call names than call_stack::NAMES");
                }
            }
        }
    });
}

/// Prints the deepest poll of every call, in the order the calls were first polled.
pub fn report() {
    critical_section::with(|cs| {
        for (name, used) in DEEPEST.borrow_ref(cs).iter() {
            Line::new()
                .str("firmware: call ")
                .str(name)
                .str(" stack ")
                .num(*used as u64)
                .say();
        }
    });
}

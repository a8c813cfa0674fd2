//! The size of every public future of the client and the stack that the flows await, as
//! `core::mem::size_of_val` gives it on this target: [`sized!`] takes the size of a future the
//! flow has just created, pins it where it lies (a function taking the future by value would
//! add a copy of it to the measured stack) and awaits it through
//! [`call_stack::Measured`](crate::call_stack::Measured), which measures the stack of each of
//! its polls; [`report`] prints the largest size seen per name, one
//! `firmware: future <name> <bytes>` line each (`budget.sh` reads them).

use core::cell::RefCell;

use critical_section::Mutex;
use quectel_qi::heapless::Vec;

use crate::host::Line;

/// More than the flows' distinct calls.
const NAMES: usize = 40;

static SIZES: Mutex<RefCell<Vec<(&'static str, usize), NAMES>>> =
    Mutex::new(RefCell::new(Vec::new()));

/// Records the size of the future `$future` under `$name`, then awaits it, measuring the
/// stack of its polls under the same name.
macro_rules! sized {
    ($name:expr, $future:expr $(,)?) => {{
        let future = core::pin::pin!($future);
        $crate::future_sizes::record($name, core::mem::size_of_val(&*future));
        $crate::call_stack::Measured::new($name, future).await
    }};
}
pub(crate) use sized;

/// Records `size` under `name`, keeping the largest.
pub fn record(name: &'static str, size: usize) {
    critical_section::with(|cs| {
        let mut sizes = SIZES.borrow_ref_mut(cs);
        match sizes.iter_mut().find(|(n, _)| *n == name) {
            Some((_, largest)) => *largest = (*largest).max(size),
            None => {
                if sizes.push((name, size)).is_err() {
                    crate::host::fail("more future names than future_sizes::NAMES");
                }
            }
        }
    });
}

/// Prints every recorded size, in the order the flows first created them.
pub fn report() {
    critical_section::with(|cs| {
        for (name, size) in SIZES.borrow_ref(cs).iter() {
            Line::new()
                .str("firmware: future ")
                .str(name)
                .str(" ")
                .num(*size as u64)
                .say();
        }
    });
}

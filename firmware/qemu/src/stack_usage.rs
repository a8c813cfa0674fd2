//! The call stack's high-water mark: RAM between the statics and the stack pointer is painted
//! when the main task starts, and the first word that lost its paint marks the deepest the
//! stack went (the frames above the stack pointer then count as used: they were). [`restart`]
//! paints again, so that each flow's own depth can be told.

use core::ptr::{addr_of, addr_of_mut};
use core::sync::atomic::{AtomicUsize, Ordering};

const PAINT: u32 = 0xC0FF_EE11;

/// The deepest the stack went before the last [`restart`].
static DEEPEST: AtomicUsize = AtomicUsize::new(0);

unsafe extern "C" {
    /// cortex-m-rt's symbols: where the statics end, and the top of the stack.
    static mut __sheap: u32;
    static _stack_start: u32;
}

/// The stack region's bottom and top (the statics end where it may begin).
fn bounds() -> (*mut u32, *const u32) {
    (addr_of_mut!(__sheap), addr_of!(_stack_start))
}

/// Paints from the end of the statics up to a little below the current stack pointer.
pub fn paint() {
    let (bottom, _) = bounds();
    // This frame, with room to spare.
    let limit = (cortex_m::register::msp::read() as usize - 256) as *mut u32;
    let mut p = bottom;
    while p < limit {
        // SAFETY: RAM nobody uses yet (below the stack pointer, above the statics).
        unsafe { p.write_volatile(PAINT) };
        p = p.wrapping_add(1);
    }
}

pub struct Usage {
    pub used: usize,
    pub size: usize,
}

/// How deep the stack has gone so far (since boot, across restarts).
pub fn measure() -> Usage {
    let since_paint = depth_since_paint();
    Usage {
        used: DEEPEST.load(Ordering::Relaxed).max(since_paint.used),
        size: since_paint.size,
    }
}

/// How deep the stack went since it was last painted; then paints it again (interrupts held
/// off meanwhile: their frames go below the stack pointer, where the paint goes).
pub fn restart() -> usize {
    let used = depth_since_paint().used;
    DEEPEST.fetch_max(used, Ordering::Relaxed);
    cortex_m::interrupt::free(|_| paint());
    used
}

/// How deep the stack is where this is called: the stack pointer's distance from the top.
pub fn depth_here() -> usize {
    let (_, top) = bounds();
    top as usize - cortex_m::register::msp::read() as usize
}

fn depth_since_paint() -> Usage {
    let (bottom, top) = bounds();
    let mut p = bottom as *const u32;
    // SAFETY: reads of RAM between the statics and the top of the stack.
    while p < top && unsafe { p.read_volatile() } == PAINT {
        p = p.wrapping_add(1);
    }
    Usage {
        used: top as usize - p as usize,
        size: top as usize - bottom as usize,
    }
}

//! The call stack's high-water mark: RAM between the statics and the stack pointer is painted
//! when the main task starts, and the first word that lost its paint marks the deepest the
//! stack went (the frames above the stack pointer then count as used: they were). [`restart`]
//! paints again, so that each flow's own depth can be told. A call's own depth is told the
//! same way in a window just below the stack pointer ([`paint_window`], [`used_below`]); what
//! the window held is kept first, so the flows' and the whole run's marks stay true.

use core::ptr::{addr_of, addr_of_mut};
use core::sync::atomic::{AtomicUsize, Ordering};

const PAINT: u32 = 0xC0FF_EE11;

/// The deepest the stack went before the last [`restart`].
static DEEPEST: AtomicUsize = AtomicUsize::new(0);
/// The deepest the stack went, since the last [`restart`], in windows painted again since.
static WINDOW_DEEPEST: AtomicUsize = AtomicUsize::new(0);

/// How far below a measured call's start the stack is painted: four times the goal of 2 KB
/// per call; a call that goes deeper is reported as such ([`used_below`]).
pub const WINDOW: usize = 8 * 1024;
/// Left unpainted just below [`paint_window`]'s own frame (its loop needs no stack, but the
/// words right under the stack pointer are the first an interrupt takes).
const WINDOW_MARGIN: usize = 16;

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
    let since_restart = since_paint.used.max(WINDOW_DEEPEST.load(Ordering::Relaxed));
    Usage {
        used: DEEPEST.load(Ordering::Relaxed).max(since_restart),
        size: since_paint.size,
    }
}

/// Prints a high-water mark ([`measure`]) as `firmware: stack used N of M bytes`, the line
/// `budget.sh` reads.
pub fn say(used: Usage) {
    crate::host::Line::new()
        .str("firmware: stack used ")
        .num(used.used as u64)
        .str(" of ")
        .num(used.size as u64)
        .str(" bytes")
        .say();
}

/// How deep the stack went since it was last painted; then paints it again (interrupts held
/// off meanwhile: their frames go below the stack pointer, where the paint goes).
pub fn restart() -> usize {
    let used = depth_since_paint()
        .used
        .max(WINDOW_DEEPEST.swap(0, Ordering::Relaxed));
    DEEPEST.fetch_max(used, Ordering::Relaxed);
    cortex_m::interrupt::free(|_| paint());
    used
}

/// The stack pointer, as an address.
#[inline(always)]
pub fn stack_pointer() -> usize {
    cortex_m::register::msp::read() as usize
}

/// The window's lowest word for a call that starts at stack pointer `at`.
fn window_bottom(at: usize) -> *mut u32 {
    let (bottom, _) = bounds();
    (at.saturating_sub(WINDOW) & !3).max(bottom as usize) as *mut u32
}

/// Paints the [`WINDOW`] below `at` (a stack pointer of the caller's, at or above this
/// function's own frame), after keeping how deep the stack went in it since it was last
/// painted. Then [`used_below`]`(at)` tells how deep the stack went below `at`.
#[inline(never)]
pub fn paint_window(at: usize) {
    let (_, top) = bounds();
    let low = window_bottom(at);
    cortex_m::interrupt::free(|_| {
        let mut p = low as *const u32;
        // SAFETY: reads of the stack region, below the caller's frame.
        while (p as usize) < at && unsafe { p.read_volatile() } == PAINT {
            p = p.wrapping_add(1);
        }
        if (p as usize) < at {
            WINDOW_DEEPEST.fetch_max(top as usize - p as usize, Ordering::Relaxed);
        }
        let limit = (stack_pointer() - WINDOW_MARGIN) as *mut u32;
        let mut p = low;
        while p < limit {
            // SAFETY: below this function's frame, and interrupts are held off: nobody's.
            unsafe { p.write_volatile(PAINT) };
            p = p.wrapping_add(1);
        }
    });
}

/// How deep the stack went below `at` since [`paint_window`]`(at)`; `None` when it went past
/// the window (deeper than [`WINDOW`], or into the statics).
/// (Interrupts are held off meanwhile: their frames would land in the window.)
pub fn used_below(at: usize) -> Option<usize> {
    let low = window_bottom(at);
    cortex_m::interrupt::free(|_| {
        // SAFETY: a read of the stack region, below the caller's frame.
        if unsafe { low.read_volatile() } != PAINT {
            return None;
        }
        let mut p = low as *const u32;
        // SAFETY: as above.
        while (p as usize) < at && unsafe { p.read_volatile() } == PAINT {
            p = p.wrapping_add(1);
        }
        Some(at - p as usize)
    })
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

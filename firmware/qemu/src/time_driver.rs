//! embassy-time's driver on SysTick: an interrupt every millisecond advances the clock and, when
//! the earliest timer is due, hands the timer queue the new time (which wakes what expired).
//!
//! A tick per millisecond keeps `now()` a plain read (no 24-bit counter to extend or race with);
//! the cost, a thousand short interrupts a second, is nothing on this board.

use core::cell::RefCell;
use core::task::Waker;

use cortex_m::peripheral::syst::SystClkSource;
use cortex_m::peripheral::SYST;
use cortex_m_rt::exception;
use critical_section::{CriticalSection, Mutex};
use embassy_time_driver::{Driver, TICK_HZ};
use embassy_time_queue_utils::Queue;

/// The core clock of mps2-an386 (QEMU's `SYSCLK_FRQ`), which SysTick counts.
const CORE_HZ: u32 = 25_000_000;
const _: () = assert!(TICK_HZ == 1_000, "SysTick interrupts once per tick");

struct State {
    now: u64,
    /// The earliest expiry in the queue (`u64::MAX`: none).
    next_expiry: u64,
    queue: Queue,
}

struct SysTickDriver {
    state: Mutex<RefCell<State>>,
}

impl SysTickDriver {
    /// Wakes what is due at `now`; remembers when the next one is.
    fn expire(&self, cs: CriticalSection<'_>) {
        let mut state = self.state.borrow_ref_mut(cs);
        let now = state.now;
        state.next_expiry = state.queue.next_expiration(now);
    }
}

impl Driver for SysTickDriver {
    fn now(&self) -> u64 {
        critical_section::with(|cs| self.state.borrow_ref(cs).now)
    }

    fn schedule_wake(&self, at: u64, waker: &Waker) {
        critical_section::with(|cs| {
            let changed = self.state.borrow_ref_mut(cs).queue.schedule_wake(at, waker);
            if changed {
                self.expire(cs);
            }
        })
    }
}

embassy_time_driver::time_driver_impl!(static DRIVER: SysTickDriver = SysTickDriver {
    state: Mutex::new(RefCell::new(State { now: 0, next_expiry: u64::MAX, queue: Queue::new() })),
});

/// Starts the clock: SysTick on the core clock, reloading every millisecond.
pub fn init(mut syst: SYST) {
    syst.set_clock_source(SystClkSource::Core);
    syst.set_reload(CORE_HZ / TICK_HZ as u32 - 1);
    syst.clear_current();
    syst.enable_interrupt();
    syst.enable_counter();
}

#[exception]
fn SysTick() {
    critical_section::with(|cs| {
        let due = {
            let mut state = DRIVER.state.borrow_ref_mut(cs);
            state.now += 1;
            state.now >= state.next_expiry
        };
        if due {
            DRIVER.expire(cs);
        }
    });
}

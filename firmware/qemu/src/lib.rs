//! The board: QEMU's mps2-an386 (a Cortex-M4F), with what a HAL gives a firmware on real
//! hardware: a time driver for embassy-time (SysTick), the UART wired to the module (CMSDK APB
//! UART0, embedded-io-async), a critical section (cortex-m's single-core one), the interrupt
//! dispatch, and a panic handler; plus the link to the host over semihosting ([`host`]) and a
//! stack high-water mark ([`stack_usage`]).
//!
//! Two programs use it: the firmware CI runs (`src/main.rs`) and the README's example
//! (`src/bin/readme/`).

#![no_std]

pub mod host;
pub mod stack_usage;
mod time_driver;
pub mod uart;

pub use uart::{UartRx, UartTx};

/// Byte `i` of what the TCP flows of both programs send through the echo server: every byte
/// value, CR, LF and NUL included.
pub fn pattern(i: usize) -> u8 {
    ((i as u32).wrapping_mul(2_654_435_761) >> 24) as u8
}

/// The rate the UART is set to (QEMU does not pace the line; a real module would need its own).
const BAUD: u32 = 115_200;

/// Starts the clock and the UART to the module; returns the UART's halves. Call it once, first
/// thing in `main` (it also paints the stack for [`stack_usage::measure`]).
pub fn init() -> (UartTx, UartRx) {
    stack_usage::paint();
    let core = cortex_m::Peripherals::take()
        .unwrap_or_else(|| host::fail("the core peripherals were taken already"));
    time_driver::init(core.SYST);
    uart::take(BAUD).unwrap_or_else(|| host::fail("the UART was taken already"))
}

/// Every interrupt line lands here (no device crate: cortex-m-rt's table points all of them
/// at this handler).
#[cortex_m_rt::exception]
unsafe fn DefaultHandler(irqn: i16) {
    match irqn {
        0 | 1 => uart::on_interrupt(irqn as u16),
        _ => host::Line::new()
            .str("unexpected interrupt ")
            .int(irqn.into())
            .fail(),
    }
}

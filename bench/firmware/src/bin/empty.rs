//! The floor: the board alone (vector table, reset handler, a serial echo), no AT code.
#![no_std]
#![no_main]

#[allow(dead_code)]
#[path = "../board.rs"]
mod board;

use cortex_m_rt::entry;

#[entry]
fn main() -> ! {
    loop {
        board::tx(&[board::rx()]);
    }
}

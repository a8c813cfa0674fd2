//! The README example's board: QEMU's mps2-an386, from this crate's library. On your hardware
//! this is your HAL's UART (split into embedded-io-async halves), its time driver, and a panic
//! handler.

pub use qi_qemu_firmware::{init, UartRx, UartTx};

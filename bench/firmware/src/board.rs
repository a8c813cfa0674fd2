//! What every variant shares: a dummy serial port (volatile accesses to a UART data register,
//! so that nothing the firmware reads is known at compile time), a panic handler, and atat's
//! ingress loop (append, digest until nothing is complete, shift the rest down).

use atat::{DigestResult, Digester};

/// A UART data register (USART2 on an STM32F4); the firmware only has to link, never run.
const UART_DATA: *mut u8 = 0x4000_4404 as *mut u8;

/// One byte from the serial port.
pub fn rx() -> u8 {
    // SAFETY: a memory-mapped register on the target; this firmware is never run.
    unsafe { core::ptr::read_volatile(UART_DATA) }
}

/// A byte from the serial port, as a small number.
#[allow(dead_code)]
pub fn rx_int() -> i64 {
    i64::from(rx())
}

/// Bytes to the serial port.
pub fn tx(bytes: &[u8]) {
    for &b in bytes {
        // SAFETY: as in `rx`.
        unsafe { core::ptr::write_volatile(UART_DATA, b) }
    }
}

/// Reads as many bytes as the port says are there (at most `buf.len()`).
pub fn rx_into(buf: &mut [u8]) -> usize {
    let n = usize::from(rx()).min(buf.len());
    for b in &mut buf[..n] {
        *b = rx();
    }
    n
}

/// Reads a line (up to CR) into `buf`; returns its length.
pub fn rx_line(buf: &mut [u8]) -> usize {
    let mut n = 0;
    while n < buf.len() {
        let b = rx();
        if b == b'\r' {
            break;
        }
        buf[n] = b;
        n += 1;
    }
    n
}

/// What the digester framed, handed to the application.
pub enum Frame<'a> {
    Response(Result<&'a [u8], atat::InternalError<'a>>),
    Urc(&'a [u8]),
    Prompt,
}

/// atat's ingress: reads what the port has into `buf[*pos..]` and hands every complete frame
/// to `on_frame`.
pub fn ingress<D: Digester>(
    digester: &mut D,
    buf: &mut [u8],
    pos: &mut usize,
    mut on_frame: impl FnMut(Frame<'_>),
) {
    *pos += rx_into(&mut buf[*pos..]);
    while *pos > 0 {
        let (result, swallowed) = digester.digest(&buf[..*pos]);
        match result {
            DigestResult::Response(r) => on_frame(Frame::Response(r)),
            DigestResult::Urc(u) => on_frame(Frame::Urc(u)),
            DigestResult::Prompt(_) => on_frame(Frame::Prompt),
            DigestResult::None => {}
        }
        if swallowed == 0 {
            break;
        }
        buf.copy_within(swallowed..*pos, 0);
        *pos -= swallowed;
    }
    if *pos == buf.len() {
        *pos = 0;
    }
}

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {
        core::hint::spin_loop();
    }
}

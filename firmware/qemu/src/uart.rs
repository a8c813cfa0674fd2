//! UART0 of mps2-an386 (a CMSDK APB UART: one-byte buffers each way, no FIFO) as
//! embedded-io-async `Read` and `Write`.
//!
//! Receiving: the RX interrupt moves each byte into a ring that `read` drains. When the ring is
//! full the interrupt is masked and the byte stays in the UART; QEMU hands over no more input
//! until it is read, so nothing is lost (a real line would overrun instead).
//! Sending: bytes go out while the buffer has room; when it is full, `write` waits for the
//! TX interrupt (the buffer emptied).

use core::cell::RefCell;
use core::future::poll_fn;
use core::ptr::{read_volatile, write_volatile};
use core::sync::atomic::{AtomicBool, Ordering};
use core::task::Poll;

use cortex_m::interrupt::InterruptNumber;
use cortex_m::peripheral::NVIC;
use critical_section::{CriticalSection, Mutex};
use embassy_sync::waitqueue::AtomicWaker;
use quectel_qi::heapless::Deque;

const BASE: usize = 0x4000_4000;
const DATA: *mut u32 = BASE as *mut u32;
const STATE: *mut u32 = (BASE + 0x04) as *mut u32;
const CTRL: *mut u32 = (BASE + 0x08) as *mut u32;
/// Read: pending interrupts; write 1 to clear.
const INTSTATUS: *mut u32 = (BASE + 0x0c) as *mut u32;
const BAUDDIV: *mut u32 = (BASE + 0x10) as *mut u32;

const STATE_TX_FULL: u32 = 1 << 0;
const STATE_RX_FULL: u32 = 1 << 1;
const CTRL_TX_EN: u32 = 1 << 0;
const CTRL_RX_EN: u32 = 1 << 1;
const CTRL_TX_INTEN: u32 = 1 << 2;
const CTRL_RX_INTEN: u32 = 1 << 3;
const INT_TX: u32 = 1 << 0;
const INT_RX: u32 = 1 << 1;

/// The UART's clock (PCLK = the core clock).
const PCLK_HZ: u32 = 25_000_000;

/// mps2-an385/386 wire UART0's RX interrupt to IRQ 0 and TX to IRQ 1.
#[derive(Clone, Copy)]
pub struct Irq(pub u16);
pub const RX_IRQ: Irq = Irq(0);
pub const TX_IRQ: Irq = Irq(1);

// SAFETY: the numbers are interrupt lines of this board.
unsafe impl InterruptNumber for Irq {
    fn number(self) -> u16 {
        self.0
    }
}

/// Received bytes not read yet: enough for a few lines of the module's answers while the
/// reader is busy digesting.
const RX_RING: usize = 512;

static RX_BUF: Mutex<RefCell<Deque<u8, RX_RING>>> = Mutex::new(RefCell::new(Deque::new()));
static RX_WAKER: AtomicWaker = AtomicWaker::new();
static TX_WAKER: AtomicWaker = AtomicWaker::new();
static TAKEN: AtomicBool = AtomicBool::new(false);

fn reg(r: *mut u32) -> u32 {
    // SAFETY: a register of UART0, always mapped.
    unsafe { read_volatile(r) }
}

fn set_reg(r: *mut u32, v: u32) {
    // SAFETY: as in `reg`.
    unsafe { write_volatile(r, v) }
}

/// Read-modify-write of CTRL, which both the interrupts and the tasks change.
fn update_ctrl(_: CriticalSection<'_>, set: u32, clear: u32) {
    set_reg(CTRL, (reg(CTRL) | set) & !clear);
}

/// Moves what the UART holds into the ring; masks the RX interrupt when the ring is full.
fn pump(cs: CriticalSection<'_>, ring: &mut Deque<u8, RX_RING>) {
    while reg(STATE) & STATE_RX_FULL != 0 {
        if ring.is_full() {
            update_ctrl(cs, 0, CTRL_RX_INTEN);
            return;
        }
        let _ = ring.push_back(reg(DATA) as u8);
    }
}

/// The transmitting half.
pub struct UartTx(());
/// The receiving half.
pub struct UartRx(());

/// Sets UART0 up at `baud` (QEMU ignores the rate but needs a valid divider) and unmasks its
/// interrupts. Returns the two halves once; `None` after that.
pub fn take(baud: u32) -> Option<(UartTx, UartRx)> {
    if TAKEN.swap(true, Ordering::SeqCst) {
        return None;
    }
    set_reg(BAUDDIV, PCLK_HZ / baud);
    critical_section::with(|cs| update_ctrl(cs, CTRL_TX_EN | CTRL_RX_EN | CTRL_RX_INTEN, 0));
    // SAFETY: the handlers (`on_interrupt`) are ready and share state only under critical
    // sections.
    unsafe {
        NVIC::unmask(RX_IRQ);
        NVIC::unmask(TX_IRQ);
    }
    Some((UartTx(()), UartRx(())))
}

/// UART0's interrupt handler (called from the board's dispatch).
pub fn on_interrupt(irq: u16) {
    critical_section::with(|cs| {
        let pending = reg(INTSTATUS);
        if irq == RX_IRQ.0 && pending & INT_RX != 0 {
            // Clear first: a byte that arrives after the pump sets it again.
            set_reg(INTSTATUS, INT_RX);
            pump(cs, &mut RX_BUF.borrow_ref_mut(cs));
            RX_WAKER.wake();
        }
        if irq == TX_IRQ.0 && pending & INT_TX != 0 {
            set_reg(INTSTATUS, INT_TX);
            update_ctrl(cs, 0, CTRL_TX_INTEN);
            TX_WAKER.wake();
        }
    });
}

impl quectel_qi::embedded_io_async::ErrorType for UartRx {
    type Error = core::convert::Infallible;
}

impl quectel_qi::embedded_io_async::Read for UartRx {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        if buf.is_empty() {
            return Ok(0);
        }
        poll_fn(|cx| {
            critical_section::with(|cs| {
                let mut ring = RX_BUF.borrow_ref_mut(cs);
                if ring.is_empty() {
                    RX_WAKER.register(cx.waker());
                }
                // The interrupt may have been masked by a full ring; a byte that waited in the
                // UART meanwhile raised none, so fetch it here.
                update_ctrl(cs, CTRL_RX_INTEN, 0);
                pump(cs, &mut ring);
                let mut n = 0;
                while n < buf.len() {
                    match ring.pop_front() {
                        Some(b) => buf[n] = b,
                        None => break,
                    }
                    n += 1;
                }
                pump(cs, &mut ring);
                if n == 0 {
                    Poll::Pending
                } else {
                    Poll::Ready(Ok(n))
                }
            })
        })
        .await
    }
}

impl quectel_qi::embedded_io_async::ErrorType for UartTx {
    type Error = core::convert::Infallible;
}

impl UartTx {
    /// Ready when the one-byte TX buffer has room.
    async fn room(&mut self) {
        poll_fn(|cx| {
            if reg(STATE) & STATE_TX_FULL == 0 {
                return Poll::Ready(());
            }
            TX_WAKER.register(cx.waker());
            critical_section::with(|cs| update_ctrl(cs, CTRL_TX_INTEN, 0));
            // It may have emptied before the interrupt was enabled (no interrupt then).
            if reg(STATE) & STATE_TX_FULL == 0 {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await
    }
}

impl quectel_qi::embedded_io_async::Write for UartTx {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        if buf.is_empty() {
            return Ok(0);
        }
        self.room().await;
        let mut n = 0;
        while n < buf.len() && reg(STATE) & STATE_TX_FULL == 0 {
            set_reg(DATA, u32::from(buf[n]));
            n += 1;
        }
        Ok(n)
    }

    async fn flush(&mut self) -> Result<(), Self::Error> {
        self.room().await;
        Ok(())
    }
}

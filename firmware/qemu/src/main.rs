//! The firmware in CI: quectel-qi on an emulated Cortex-M4F (QEMU's mps2-an386), its UART0 wired
//! to the virtual module. It activates a context, echoes over TCP, resolves a name and echoes
//! over UDP, then prints `firmware: all flows passed` over semihosting and exits 0 (1, with the
//! reason, on any failure). `run.sh` beside this crate builds it and runs it against `qi sim`.

#![no_std]
#![no_main]

mod flows;
mod host;
mod time_driver;
mod uart;

use atat::{Ingress, ResponseSlot, UrcChannel};
use embassy_executor::Spawner;
use embassy_time::{with_timeout, Duration};
use quectel_qi::digest::{DigestState, QiDigester};
use quectel_qi::sizes::{INGRESS_BUF_SIZE, RESPONSE_SLOT_SIZE, URC_CAPACITY};
use quectel_qi::Urc;
use static_cell::StaticCell;

/// All flows together; each also has its own bound (see `flows`).
const RUN_LIMIT: Duration = Duration::from_secs(60);

static RESPONSES: ResponseSlot<RESPONSE_SLOT_SIZE> = ResponseSlot::new();
static URCS: UrcChannel<Urc, URC_CAPACITY, 1> = UrcChannel::new();
static DIGEST: DigestState = DigestState::new();
static INGRESS_BUF: StaticCell<[u8; INGRESS_BUF_SIZE]> = StaticCell::new();

type QiIngress =
    Ingress<'static, QiDigester<'static>, Urc, RESPONSE_SLOT_SIZE, URC_CAPACITY, 1>;

/// Owns the serial input: digests what the module sends into responses and URCs.
#[embassy_executor::task]
async fn ingress_task(mut ingress: QiIngress, rx: uart::UartRx) -> ! {
    atat::AtatIngress::read_from(&mut ingress, rx).await
}

#[embassy_executor::main]
async fn main(spawner: Spawner) {
    let core = cortex_m::Peripherals::take().unwrap_or_else(|| host::fail(format_args!("peripherals taken")));
    time_driver::init(core.SYST);
    let peers = host::peers().unwrap_or_else(|e| host::fail(format_args!("{e}")));
    let (tx, rx) = uart::take(115_200).unwrap_or_else(|| host::fail(format_args!("UART taken")));

    let buf = INGRESS_BUF.init([0; INGRESS_BUF_SIZE]);
    let ingress = Ingress::new(QiDigester::new(&DIGEST), buf, &RESPONSES, &URCS);
    match ingress_task(ingress, rx) {
        Ok(token) => spawner.spawn(token),
        Err(e) => host::fail(format_args!("spawning the ingress: {e:?}")),
    }

    match with_timeout(RUN_LIMIT, flows::run(tx, &RESPONSES, &URCS, &DIGEST, &peers)).await {
        Ok(Ok(())) => host::pass("firmware: all flows passed"),
        Ok(Err(e)) => host::fail(format_args!("{e}")),
        Err(_) => host::fail(format_args!("the flows took longer than {} s", RUN_LIMIT.as_secs())),
    }
}

/// Every interrupt line lands here (no device crate: cortex-m-rt's table points all of them
/// at this handler).
#[cortex_m_rt::exception]
unsafe fn DefaultHandler(irqn: i16) {
    match irqn {
        0 | 1 => uart::on_interrupt(irqn as u16),
        _ => host::fail(format_args!("unexpected interrupt {irqn}")),
    }
}

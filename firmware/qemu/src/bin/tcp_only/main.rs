//! The smallest useful firmware on quectel-qi's stack, for its flash: what issue 13 first
//! measured (activate a context, open a TCP socket, send, read back) and nothing else: no
//! HTTP, DNS, UDP, typed client or direct push. `run.sh` runs it after the firmware and
//! `budget.sh` holds its flash to the `flash_tcp_only` budget, so that what the TCP path
//! alone costs is known and kept. 5,840 B go each way through the host's echo server in the
//! stack's largest writes (1,460 B, one `AT+QISEND`) and reads (1,500 B, one `AT+QIRD`).

#![no_std]
#![no_main]

use embassy_executor::Spawner;
use qi_qemu_firmware::{host, pattern, stack_usage, UartRx, UartTx};
use quectel_qi::embassy_time::{with_timeout, Duration};
use quectel_qi::embedded_io_async::{Read, Write};
use quectel_qi::sizes;
use quectel_qi::stack::{self, Runner, Stack, StackResources};
use static_cell::{ConstStaticCell, StaticCell};

type Net = Stack<'static, UartTx>;
/// The main firmware's resources (see its `Resources`), for the same frames.
type Resources = StackResources<{ sizes::DATA_FRAME_SIZE }, 1536, 128, 1500>;

static RESOURCES: ConstStaticCell<Resources> = ConstStaticCell::new(Resources::new());
static NET: StaticCell<Net> = StaticCell::new();

const LIMIT: Duration = Duration::from_secs(30);
const SEND: usize = 1460;
const READ: usize = 1500;
const TOTAL: usize = 4 * SEND;

#[embassy_executor::task]
async fn net_task(runner: Runner<'static, UartRx>) {
    runner.run().await;
    host::fail("tcp only: the stack's runner stopped")
}

/// Out of `main`'s poll, as in the main firmware: the values it moves into their statics
/// would otherwise be in every poll's frame.
#[inline(never)]
fn start(tx: UartTx, rx: UartRx) -> (&'static Net, Runner<'static, UartRx>) {
    let (net, runner) = stack::new(RESOURCES.take(), tx, rx, stack::Config::default());
    (NET.init(net), runner)
}

#[embassy_executor::main]
async fn main(spawner: Spawner) {
    let (tx, rx) = qi_qemu_firmware::init();
    let peers = host::peers().unwrap_or_else(|e| host::fail(e));
    let (net, runner) = start(tx, rx);
    match net_task(runner) {
        Ok(token) => spawner.spawn(token),
        Err(_) => host::fail("tcp only: spawning the runner failed"),
    }
    match with_timeout(LIMIT, echo(net, peers.echo_port)).await {
        Ok(Ok(())) => {}
        Ok(Err(why)) => host::Line::new().str("tcp only: ").str(why).fail(),
        Err(_) => host::fail("tcp only: timed out"),
    }
    stack_usage::say(stack_usage::measure());
    host::pass("firmware: all flows passed")
}

async fn echo(net: &'static Net, port: u16) -> Result<(), &'static str> {
    net.activate("internet")
        .await
        .map_err(|_| "AT+QIACT failed")?;
    let mut socket = net
        .connect("127.0.0.1", port)
        .await
        .map_err(|_| "connect failed")?;
    let mut buf = [0u8; READ];
    let mut received = 0;
    for sent in (0..TOTAL).step_by(SEND) {
        for (i, b) in buf[..SEND].iter_mut().enumerate() {
            *b = pattern(sent + i);
        }
        socket
            .write_all(&buf[..SEND])
            .await
            .map_err(|_| "write failed")?;
        while received < sent + SEND {
            let n = socket.read(&mut buf).await.map_err(|_| "read failed")?;
            if n == 0 || received + n > sent + SEND {
                return Err("the echo is not as long as what was sent");
            }
            if (0..n).any(|i| buf[i] != pattern(received + i)) {
                return Err("the echo differs from what was sent");
            }
            received += n;
        }
    }
    socket.close().await.map_err(|_| "close failed")?;
    host::Line::new().str("firmware: tcp only ok").say();
    Ok(())
}

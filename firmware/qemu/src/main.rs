//! The firmware in CI: quectel-qi's network stack on an emulated Cortex-M4F (QEMU's mps2-an386),
//! its UART0 wired to the virtual module. It activates a context, echoes over TCP (buffer access
//! and direct push), drives the typed client, GETs a page with reqwless, resolves a name and
//! echoes over UDP, then prints the size of every future it awaited, the stack each public
//! call (and the stack's runner) used in its deepest poll, its stack's high-water mark,
//! `firmware: all flows passed` over semihosting, and exits 0 (1, with the reason, on any
//! failure). `run.sh` beside this crate builds it, runs it against `qi sim` and loopback peers,
//! and checks what it measured against `budget.toml` (`budget.sh`).
//!
//! Tasks: the stack's runner (owns the serial input), the flows' task, which runs the flows
//! one after the other as a firmware runs its work, and `main`, which bounds each flow
//! (`tasks.rs`). Each task's future lives in a
//! static of exactly its size (embassy-executor 0.8 and later: no arena to size); the flows'
//! large buffer is the application's, in a static of its own (`flows::APP_BUF`). `README.md`
//! beside this crate gives the measured sizes.

#![no_std]
#![no_main]

#[cfg(feature = "measure")]
mod call_stack;
mod flows;
#[cfg(feature = "measure")]
mod future_sizes;
mod tasks;

/// The shipped build awaits each call as it is; the measured one (`future_sizes`) records its
/// future's size and its stack first.
#[cfg(not(feature = "measure"))]
mod future_sizes {
    macro_rules! sized {
        ($name:expr, $future:expr $(,)?) => {
            $future.await
        };
    }
    pub(crate) use sized;
}

use embassy_executor::Spawner;
use qi_qemu_firmware::{host, stack_usage, UartRx, UartTx};
use quectel_qi::embassy_time::{with_timeout, Duration};
use quectel_qi::sizes;
use quectel_qi::stack::{self, Runner, Stack, StackResources};
use static_cell::{ConstStaticCell, StaticCell};

/// All flows together; each also has its own bound (see `flows`).
const RUN_LIMIT: Duration = Duration::from_secs(60);

pub type QiStack = Stack<'static, UartTx>;

/// The stack's buffers, sized for what these flows ask: the input holds one frame with the
/// largest payload (a 1,500-byte push or `AT+QIRD` answer with its line, in text framing:
/// `sizes::DATA_FRAME_SIZE`; hex framing would need `sizes::HEX_DATA_FRAME_SIZE`, and a
/// direct push socket is refused with `stack::Error::IngressTooSmall` where it does not
/// fit), the largest response accepted is a 1,500-byte read, commands are at most a few dozen
/// bytes (payloads are written from the caller's buffer). A response or command beyond these
/// is a typed error, not a cut frame. The push buffer holds one largest push: the direct push
/// flow reads each chunk back before it sends the next.
type Resources = StackResources<INGRESS, RESPONSE, COMMAND, PUSH>;
const INGRESS: usize = sizes::DATA_FRAME_SIZE;
const RESPONSE: usize = 1536;
const COMMAND: usize = 128;
const PUSH: usize = 1500;

/// Built at compile time (`StackResources::new` is `const` and all zeros, so in `.bss`: no
/// flash). `StaticCell::init_with` would build the value on the stack and copy it over; with
/// `opt-level = "z"` that took the boot 9.3 KB deep, the firmware's deepest stack.
static RESOURCES: ConstStaticCell<Resources> = ConstStaticCell::new(Resources::new());
static STACK: StaticCell<QiStack> = StaticCell::new();

/// Owns the serial input: digests what the module sends and records every URC in the stack.
/// Its polls are measured like the flows' calls (`call_stack`), under `Runner::run`.
#[embassy_executor::task]
async fn runner_task(runner: Runner<'static, UartRx>) {
    #[cfg(feature = "measure")]
    {
        let run = core::pin::pin!(runner.run());
        let why = call_stack::Measured::new("Runner::run", run).await;
        host::fail_fmt(format_args!("the stack's runner stopped: {why}"))
    }
    #[cfg(not(feature = "measure"))]
    {
        runner.run().await;
        host::fail("the stack's runner stopped")
    }
}

/// The stack and its runner, on the resources. Never inlined: the values it builds and moves
/// into their statics would be part of the frame of every poll of `main` (a task's poll frame
/// is as large as its largest state's).
#[inline(never)]
fn start(tx: UartTx, rx: UartRx) -> (&'static QiStack, Runner<'static, UartRx>) {
    let resources = RESOURCES.take();
    let (stack, runner) = stack::new(resources, tx, rx, stack::Config::default());
    (STACK.init(stack), runner)
}

#[embassy_executor::main]
async fn main(spawner: Spawner) {
    let (tx, rx) = qi_qemu_firmware::init();
    let peers = host::peers().unwrap_or_else(|e| host::fail(e));

    let (stack, runner) = start(tx, rx);
    match runner_task(runner) {
        Ok(token) => spawner.spawn(token),
        Err(_) => host::fail("spawning the runner failed"),
    }

    match with_timeout(RUN_LIMIT, tasks::watch(spawner, stack, peers)).await {
        Ok(Ok(())) => {
            // Measured before the reports, whose own frames would count.
            let used = stack_usage::measure();
            #[cfg(feature = "measure")]
            {
                future_sizes::report();
                call_stack::report();
            }
            stack_usage::say(used);
            host::pass("firmware: all flows passed")
        }
        Ok(Err(e)) => fail(&e),
        Err(_) => host::Line::new()
            .str("the flows took longer than ")
            .num(RUN_LIMIT.as_secs())
            .str(" s")
            .fail(),
    }
}

/// A failed flow, with the reason the errors' `Display` gives.
#[cfg(feature = "measure")]
fn fail(e: &flows::Failure) -> ! {
    host::fail_fmt(format_args!("{e}"))
}

/// A failed flow and the call that failed (the errors' `Display` would take `core::fmt` into
/// the shipped firmware; the measured build tells the reason).
#[cfg(not(feature = "measure"))]
fn fail(e: &flows::Failure) -> ! {
    use flows::Failure;
    let mut line = host::Line::new();
    match e {
        Failure::Stack(call, _) | Failure::Client(call, _) => line.str(call).str(": failed"),
        Failure::Http(_) => line.str("http get: reqwless failed"),
        Failure::Wrong(what) => line.str(what),
        Failure::TimedOut(flow) => line
            .str(flow)
            .str(": timed out after ")
            .num(flows::FLOW_LIMIT.as_secs())
            .str(" s"),
    };
    line.fail()
}

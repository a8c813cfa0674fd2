//! One embassy task per flow, each awaited by `main` in turn. A task's future lives in a static
//! of exactly its size (its `POOL`) and the executor polls it from its own shallow frame, so a
//! flow's stack is its own: not nested inside the polls of a main task that holds every flow
//! (there, rustc's async frames stacked up to 43-53 KB before a flow began).

use embassy_executor::{SpawnError, SpawnToken, Spawner};
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::signal::Signal;
use quectel_qi::embassy_time::{with_deadline, Instant};
use quectel_qi::AccessMode;

use crate::flows::{self, Failure};
use crate::host::{say, Peers};
use crate::{stack_usage, QiStack};

/// How a flow task ended: its result, and the stack's depth where its poll began.
struct Outcome {
    result: Result<(), Failure>,
    base: usize,
}

static DONE: Signal<CriticalSectionRawMutex, Outcome> = Signal::new();

/// Every flow, in order; returns at the first failure.
pub async fn run_all(
    spawner: Spawner,
    stack: &'static QiStack,
    peers: &Peers,
) -> Result<(), Failure> {
    run(spawner, "context", context(stack)).await?;
    let echo = peers.echo_port;
    run(
        spawner,
        "tcp buffer access",
        tcp(stack, echo, AccessMode::BufferAccess),
    )
    .await?;
    run(
        spawner,
        "tcp direct push",
        tcp(stack, echo, AccessMode::DirectPush),
    )
    .await?;
    run(spawner, "typed client", typed_client(stack, echo)).await?;
    let http = http_get(stack, peers.http_port, peers.http_len, peers.http_fnv);
    run(spawner, "http get", http).await?;
    run(spawner, "dns", dns(stack)).await?;
    run(spawner, "udp echo", udp_echo(stack, peers.udp_port)).await
}

/// Spawns one flow's task and waits for it (at most the flow's limit); prints its stack depth.
async fn run<S>(
    spawner: Spawner,
    flow: &'static str,
    token: Result<SpawnToken<S>, SpawnError>,
) -> Result<(), Failure> {
    let token = token.map_err(|_| Failure::Wrong("a flow's task is running already"))?;
    DONE.reset();
    stack_usage::restart();
    spawner.spawn(token);
    let deadline = Instant::now() + flows::FLOW_LIMIT;
    let outcome = with_deadline(deadline, DONE.wait())
        .await
        .map_err(|_| Failure::TimedOut(flow))?;
    let depth = stack_usage::restart();
    outcome.result?;
    say(format_args!("firmware: {flow} ok"));
    say(format_args!(
        "firmware: flow {flow} stack {depth} from {}",
        outcome.base
    ));
    Ok(())
}

/// Reports how a flow ended to [`run`].
fn done(base: usize, result: Result<(), Failure>) {
    DONE.signal(Outcome { result, base });
}

#[embassy_executor::task]
async fn context(stack: &'static QiStack) {
    let base = stack_usage::depth_here();
    done(base, flows::context(stack).await)
}

/// Both TCP flows, one after the other (one instance at a time).
#[embassy_executor::task]
async fn tcp(stack: &'static QiStack, port: u16, mode: AccessMode) {
    let base = stack_usage::depth_here();
    done(base, flows::tcp_echo(stack, port, mode).await)
}

#[embassy_executor::task]
async fn typed_client(stack: &'static QiStack, port: u16) {
    let base = stack_usage::depth_here();
    done(base, flows::typed_client(stack, port).await)
}

#[embassy_executor::task]
async fn http_get(stack: &'static QiStack, port: u16, len: usize, fnv: u64) {
    let base = stack_usage::depth_here();
    done(base, flows::http_get(stack, port, len, fnv).await)
}

#[embassy_executor::task]
async fn dns(stack: &'static QiStack) {
    let base = stack_usage::depth_here();
    done(base, flows::dns(stack).await)
}

#[embassy_executor::task]
async fn udp_echo(stack: &'static QiStack, port: u16) {
    let base = stack_usage::depth_here();
    done(base, flows::udp_echo(stack, port).await)
}

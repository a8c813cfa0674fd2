//! The flows, one after the other in one task, as a firmware runs its work: the task's future
//! holds one flow at a time (its storage is the largest flow's, not the sum of them), and the
//! flows' large buffer is the application's static (`flows::APP_BUF`). Before each flow the
//! stack is painted again, so that each flow's own depth is told.
//!
//! Each flow is awaited where the task's future lies: no wrapper takes it by value (a
//! `with_timeout` around it, or a function it is passed to, builds the flow's future on the
//! stack and moves it, which the painted stack then counts). `main` bounds each flow instead:
//! the task tells it when a flow starts ([`watch`]).

use embassy_executor::Spawner;
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::signal::Signal;
use quectel_qi::embassy_time::with_timeout;
use quectel_qi::AccessMode;

use crate::flows::{self, Failure};
use crate::host::{Line, Peers};
use crate::{stack_usage, QiStack};

/// What the flows' task tells `main` (the latest news: a start not seen before the end does
/// not matter).
enum Progress {
    /// This flow has just started.
    Started(&'static str),
    /// How the flows ended.
    Done(Result<(), Failure>),
}

static PROGRESS: Signal<CriticalSectionRawMutex, Progress> = Signal::new();

/// Spawns the flows' task and waits until it is done, each flow at most its limit from its
/// start.
pub async fn watch(spawner: Spawner, stack: &'static QiStack, peers: Peers) -> Result<(), Failure> {
    let token = flows_task(stack, peers).map_err(|_| Failure::Wrong("the flows run already"))?;
    spawner.spawn(token);
    let mut flow = "the flows' start";
    loop {
        match with_timeout(flows::FLOW_LIMIT, PROGRESS.wait()).await {
            Ok(Progress::Started(started)) => flow = started,
            Ok(Progress::Done(result)) => return result,
            Err(_) => return Err(Failure::TimedOut(flow)),
        }
    }
}

#[embassy_executor::task]
async fn flows_task(stack: &'static QiStack, peers: Peers) {
    PROGRESS.signal(Progress::Done(run_all(stack, &peers).await))
}

/// Runs one flow where it lies and prints its stack depth: the deepest the stack went while
/// it ran (the runner's polls included), and where the flow's polls begin.
macro_rules! run {
    ($flow:expr, $work:expr) => {{
        let flow: &'static str = $flow;
        let base = stack_usage::depth_here();
        PROGRESS.signal(Progress::Started(flow));
        stack_usage::restart();
        let result = $work.await;
        let depth = stack_usage::restart();
        result?;
        Line::new().str("firmware: ").str(flow).str(" ok").say();
        Line::new()
            .str("firmware: flow ")
            .str(flow)
            .str(" stack ")
            .num(depth as u64)
            .str(" from ")
            .num(base as u64)
            .say();
    }};
}

/// Every flow, in order; returns at the first failure.
async fn run_all(stack: &'static QiStack, peers: &Peers) -> Result<(), Failure> {
    let echo = peers.echo_port;
    run!("context", flows::context(stack));
    let buffer_access = AccessMode::BufferAccess;
    run!(
        "tcp buffer access",
        flows::tcp_echo(stack, echo, buffer_access)
    );
    let direct_push = AccessMode::DirectPush;
    run!("tcp direct push", flows::tcp_echo(stack, echo, direct_push));
    run!("typed client", flows::typed_client(stack, echo));
    let (port, len, fnv) = (peers.http_port, peers.http_len, peers.http_fnv);
    run!("http get", flows::http_get(stack, port, len, fnv));
    run!("dns", flows::dns(stack));
    run!("udp echo", flows::udp_echo(stack, peers.udp_port));
    run!("udp service", flows::udp_service(stack, peers.udp_port));
    Ok(())
}

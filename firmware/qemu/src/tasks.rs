//! The flows, one after the other in the main task, as a firmware runs its work: the task's
//! future holds one flow at a time (its storage is the largest flow's, not the sum of them),
//! and the flows' large buffer is the application's static (`flows::APP_BUF`). Before each
//! flow the stack is painted again, so that each flow's own depth is told.

use core::future::Future;

use quectel_qi::embassy_time::with_timeout;
use quectel_qi::AccessMode;

use crate::flows::{self, Failure};
use crate::host::{say, Peers};
use crate::{stack_usage, QiStack};

/// Every flow, in order; returns at the first failure.
pub async fn run_all(stack: &'static QiStack, peers: &Peers) -> Result<(), Failure> {
    let echo = peers.echo_port;
    run("context", flows::context(stack)).await?;
    let buffer_access = flows::tcp_echo(stack, echo, AccessMode::BufferAccess);
    run("tcp buffer access", buffer_access).await?;
    let direct_push = flows::tcp_echo(stack, echo, AccessMode::DirectPush);
    run("tcp direct push", direct_push).await?;
    run("typed client", flows::typed_client(stack, echo)).await?;
    let http = flows::http_get(stack, peers.http_port, peers.http_len, peers.http_fnv);
    run("http get", http).await?;
    run("dns", flows::dns(stack)).await?;
    run("udp echo", flows::udp_echo(stack, peers.udp_port)).await
}

/// Runs one flow (at most the flow's limit) and prints its stack depth: the deepest the
/// stack went while it ran (the runner's polls included), and where its polls begin.
async fn run(
    flow: &'static str,
    work: impl Future<Output = Result<(), Failure>>,
) -> Result<(), Failure> {
    let base = stack_usage::depth_here();
    stack_usage::restart();
    let result = with_timeout(flows::FLOW_LIMIT, work).await;
    let depth = stack_usage::restart();
    result.map_err(|_| Failure::TimedOut(flow))??;
    say(format_args!("firmware: {flow} ok"));
    say(format_args!("firmware: flow {flow} stack {depth} from {base}"));
    Ok(())
}

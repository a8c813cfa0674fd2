//! The network stack wired to the virtual module over the in-memory duplex, for the stack's
//! end-to-end tests and the third-party client tests: the runner and the flow run side by
//! side in one thread (`select`), as on an embedded executor.

use std::pin::pin;

use embassy_futures::select::{select, Either};
use qi_sim::transport::{duplex, HostWriter};
use qi_sim::Control;
use quectel_qi::stack::{self, Stack, StackResources};

use crate::e2e::block_on;

/// The stack over the duplex's writer half.
pub type SimStack = Stack<'static, HostWriter>;

/// Capped waits: a broken flow fails in seconds, not after the spec's 150 s.
pub fn test_config() -> stack::Config {
    let mut config = stack::Config::default();
    // Final results and URC results alike.
    config.client.wait_ms = |ms| ms.min(10_000);
    config
}

/// Starts a virtual module over the duplex, a stack on it, and runs `flow` beside the
/// stack's runner; the module stops when the flow ends. The runner stopping first (the
/// module went away) fails the test.
pub fn run_stack<T>(
    sim: qi_sim::Config,
    config: stack::Config,
    flow: impl AsyncFnOnce(&SimStack, &Control) -> T,
) -> T {
    let (end, running) = duplex(sim);
    let (reader, writer) = end.split();
    let resources: &'static mut StackResources = Box::leak(Box::new(StackResources::new()));
    let (stack, runner) = stack::new(resources, writer, reader, config);
    let control = running.control().clone();
    let out = block_on(async {
        let run = pin!(runner.run());
        let flow = pin!(flow(&stack, &control));
        match select(run, flow).await {
            Either::First(stopped) => panic!("the runner stopped: {stopped}"),
            Either::Second(t) => t,
        }
    });
    drop(stack);
    running.join();
    out
}

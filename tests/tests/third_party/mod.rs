//! What the third-party client tests share: the flows, each written once against the
//! embedded-nal-async traits and run on the host's sockets (the control) and on the stack.

#![allow(dead_code)]

pub mod http;
pub mod mqtt;

use embassy_time::{with_timeout, Duration};
use qi_tests::stack::{run_stack, test_config, SimStack};
use quectel_qi::AccessMode;

/// The longest a flow on the stack may take (a socket read on the stack waits as long as it
/// takes; each flow needs well under a second).
pub const FLOW_LIMIT: Duration = Duration::from_secs(20);

/// Runs `flow` on a stack over a fresh virtual module, its context active, in `mode`; fails
/// after [`FLOW_LIMIT`].
pub fn on_stack(mode: AccessMode, flow: impl AsyncFnOnce(&SimStack)) {
    let mut config = test_config();
    config.access_mode = mode;
    run_stack(qi_sim::Config::for_tests(), config, async |stack, _| {
        stack.activate("internet").await.expect("activate");
        with_timeout(FLOW_LIMIT, flow(stack))
            .await
            .unwrap_or_else(|_| panic!("{mode:?}: the flow took over {FLOW_LIMIT:?}"))
    });
}

/// Fails with the first differing offset when `got` is not `want`.
pub fn assert_same(what: &str, want: &[u8], got: &[u8]) {
    if want == got {
        return;
    }
    let at = want.iter().zip(got).position(|(a, b)| a != b);
    panic!(
        "{what}: {} bytes expected, {} received, first difference at {at:?}",
        want.len(),
        got.len()
    );
}

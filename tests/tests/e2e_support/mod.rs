//! What the end-to-end tests share: the identifiers, the sockets' open requests, waits bounded
//! by [`WAIT`], and the macro that runs one flow with the blocking and the async client.

#![allow(dead_code)]

use std::time::{Duration, Instant};

use qi_sim::transport::HostWriter;
use qi_tests::e2e::{self, BlockingRig, Timing, Wire};
use quectel_qi::client::{Client, Config, Link};
use quectel_qi::*;

/// The longest any wait may take before the test fails.
pub const WAIT: Duration = e2e::TEST_WAIT;
/// The context every flow uses.
pub const CTX: ContextId = ContextId::new_const(1);

pub fn id(n: i64) -> ConnectId {
    ConnectId::new(n).expect("a connectID of the spec's range")
}

pub fn port(n: u16) -> Port {
    Port::new(i64::from(n)).expect("a port")
}

/// The virtual module as the tests run it: no echo, a 20 ms `+++` guard time.
pub fn sim() -> qi_sim::Config {
    qi_sim::Config::for_tests()
}

/// The silence the client keeps around `+++`: well over the module's guard time.
pub fn guard_ms() -> u32 {
    3 * sim().guard_time.as_millis() as u32
}

pub fn config() -> Config {
    Timing::Test.client_config(false)
}

/// A blocking client to a fresh virtual module.
pub fn blocking(config: Config) -> BlockingRig<HostWriter> {
    e2e::start_blocking(sim(), config, None)
}

/// The test module whose output reaches the host in random pieces of 1 to 13 bytes, so that
/// every frame (lines, payloads, the prompt) is split somewhere.
pub fn split_output(seed: u64) -> qi_sim::Config {
    qi_sim::Config {
        faults: qi_sim::Faults {
            chunks: qi_sim::Chunks::Random { seed, max: 13 },
            ..Default::default()
        },
        ..sim()
    }
}

/// A TCP client of `connect_id` to `127.0.0.1:remote` in `mode`.
pub fn tcp(connect_id: ConnectId, remote: u16, mode: AccessMode) -> qiopen::Open<'static> {
    qiopen::Open {
        context_id: CTX,
        connect_id,
        service_type: ServiceType::Tcp,
        host: "127.0.0.1",
        remote_port: port(remote),
        local_port: Some(Port::new_const(0)),
        access_mode: Some(mode),
    }
}

/// A server of `service` (TCP listener or UDP service) on a port the system picks.
pub fn server(
    connect_id: ConnectId,
    service: ServiceType,
    mode: AccessMode,
) -> qiopen::Open<'static> {
    qiopen::Open {
        context_id: CTX,
        connect_id,
        service_type: service,
        host: "127.0.0.1",
        remote_port: Port::new_const(0),
        local_port: Some(Port::new_const(0)),
        access_mode: Some(mode),
    }
}

/// Puts the module in the client's framing and activates the context.
pub async fn ready<L: Link>(c: &mut Client<'_, L>) {
    c.prepare().await.expect("viewmode and dataformat");
    c.activate(CTX).await.expect("context 1 activates");
}

/// Routes URCs until `done` holds; fails after [`WAIT`].
pub async fn until<'a, L: Link>(
    c: &mut Client<'a, L>,
    what: &str,
    mut done: impl FnMut(&mut Client<'a, L>) -> bool,
) {
    let deadline = Instant::now() + WAIT;
    while !done(c) {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "no {what} within {WAIT:?}");
        c.next_event(left.as_millis() as u32).await;
    }
}

/// Reads exactly `n` bytes of a socket (buffer access or direct push), waiting for the
/// module's notifications between reads.
pub async fn read_exactly<L: Link>(c: &mut Client<'_, L>, id: ConnectId, n: usize) -> Vec<u8> {
    let mut got = vec![0u8; n];
    let mut filled = 0;
    let deadline = Instant::now() + WAIT;
    while filled < n {
        let k = c.read(id, &mut got[filled..]).await.expect("read");
        filled += k;
        if k == 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "{filled} of {n} bytes within {WAIT:?}");
            c.next_event(left.as_millis() as u32).await;
        }
    }
    got
}

/// The port a server socket listens on, from `AT+QISTATE`.
pub async fn local_port<L: Link>(c: &mut Client<'_, L>, id: ConnectId) -> u16 {
    let st = c
        .socket_state(id)
        .await
        .expect("AT+QISTATE")
        .expect("the socket is in the table");
    st.local_port.get()
}

/// Waits (bounded) for the tap to hold `n` bytes in transparent mode and takes them.
pub async fn tapped(w: &Wire, n: usize) -> Vec<u8> {
    assert!(
        w.tap.wait_len_async(n, WAIT).await,
        "{} of {n} bytes in transparent mode within {WAIT:?}",
        w.tap.len()
    );
    w.tap.take()
}

/// One test per flavour of a flow `async fn flow<L: Link>(c: &mut Client<'_, L>, w: &Wire)`:
/// `blocking` drives the client over atat's blocking client (the code the blocking shell
/// runs), `asynch` over atat's async client with the feeder in the same task.
///
/// `both_flavours!(flow, config)` runs against [`sim`]; `both_flavours!(name: flow, config,
/// sim_config)` against another module configuration, in a module called `name`.
#[macro_export]
macro_rules! both_flavours {
    // A flow that also drives the module's fault controls.
    ($flow:ident, $config:expr, with control) => {
        mod $flow {
            use super::*;

            #[test]
            fn blocking() {
                let mut rig = qi_tests::e2e::start_blocking(e2e_support::sim(), $config, None);
                let wire = rig.wire.clone();
                let control = rig.control().unwrap().clone();
                qi_tests::e2e::block_on(super::$flow(rig.client(), &wire, &control));
            }

            #[test]
            fn asynch() {
                qi_tests::e2e::run_async(
                    e2e_support::sim(),
                    $config,
                    None,
                    async |r: &mut qi_tests::e2e::AsyncRig| {
                        let control = r.control.clone();
                        super::$flow(&mut r.client, &r.wire, &control).await
                    },
                );
            }
        }
    };
    ($flow:ident, $config:expr) => {
        both_flavours!($flow: $flow, $config, e2e_support::sim());
    };
    ($name:ident: $flow:ident, $config:expr, $sim:expr) => {
        mod $name {
            use super::*;

            #[test]
            fn blocking() {
                let mut rig = qi_tests::e2e::start_blocking($sim, $config, None);
                let wire = rig.wire.clone();
                qi_tests::e2e::block_on(super::$flow(rig.client(), &wire));
            }

            #[test]
            fn asynch() {
                qi_tests::e2e::run_async(
                    $sim,
                    $config,
                    None,
                    async |r: &mut qi_tests::e2e::AsyncRig| {
                        super::$flow(&mut r.client, &r.wire).await
                    },
                );
            }
        }
    };
}

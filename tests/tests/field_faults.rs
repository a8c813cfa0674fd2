//! Field failures of real modules, played by the virtual module against the network stack's
//! public API: each ends in a typed outcome (docs/FAULTS.md), never in lost or duplicated
//! bytes or a hang. Every wait is bounded: a hang fails the test.

use embassy_futures::join::join;
use embassy_time::{with_timeout, Duration};
use embedded_io_async::{Read as _, Write as _};
use qi_sim::{Control, FieldFaults};
use qi_tests::e2e::{fnv1a, random_bytes};
use qi_tests::peers::EchoServer;
use qi_tests::stack::{run_stack, test_config, SimStack};
use quectel_qi::sizes::INGRESS_BUF_SIZE;
use quectel_qi::stack::{self, Error, TcpSocket};
use quectel_qi::{AccessMode, ConnectId, ContextId};

/// Each step of a test gets this long; the stack's own waits are capped at 10 s.
const STEP: Duration = Duration::from_secs(15);

const MODES: [AccessMode; 2] = [AccessMode::BufferAccess, AccessMode::DirectPush];

fn sim_with(field: FieldFaults) -> qi_sim::Config {
    let mut c = qi_sim::Config::for_tests();
    c.faults.field = field;
    c
}

fn config(mode: AccessMode) -> stack::Config {
    let mut c = test_config();
    c.access_mode = mode;
    c
}

async fn bounded<T>(what: &str, f: impl core::future::Future<Output = T>) -> T {
    with_timeout(STEP, f)
        .await
        .unwrap_or_else(|_| panic!("{what}: no outcome within {STEP:?}"))
}

/// Runs `flow` on a stack whose context is active, over the module `sim`.
fn active(sim: qi_sim::Config, config: stack::Config, flow: impl AsyncFnOnce(&SimStack, &Control)) {
    run_stack(sim, config, async |stack: &SimStack, control: &Control| {
        stack.activate("internet").await.unwrap();
        flow(stack, control).await
    });
}

/// Runs `flow` once in each access mode (`config` of the mode), as [`active`] does, over a
/// module with `field`.
fn in_each_mode(
    field: FieldFaults,
    config: fn(AccessMode) -> stack::Config,
    flow: impl AsyncFn(&SimStack, &Control, AccessMode),
) {
    for mode in MODES {
        active(
            sim_with(field),
            config(mode),
            async |stack: &SimStack, control: &Control| flow(stack, control, mode).await,
        );
    }
}

/// A connection to `port` in `mode`.
async fn connected<'a>(
    stack: &'a SimStack,
    port: u16,
    mode: AccessMode,
) -> TcpSocket<'a, 'static, qi_sim::transport::HostWriter> {
    bounded("connect", stack.connect_with("127.0.0.1", port, mode))
        .await
        .unwrap()
}

/// Writes `data` and reads its echo at the same time; the echo as read.
async fn echo_round(
    socket: &mut TcpSocket<'_, 'static, qi_sim::transport::HostWriter>,
    data: &[u8],
) -> Result<Vec<u8>, Error> {
    let (mut rx, mut tx) = socket.split();
    let mut back = vec![0u8; data.len()];
    let (wrote, read) = join(tx.write_all(data), async {
        let mut got = 0;
        while got < back.len() {
            match rx.read(&mut back[got..]).await {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) => return Err(e),
            }
        }
        back.truncate(got);
        Ok(back)
    })
    .await;
    wrote?;
    read
}

/// `rounds` echoes of `len` random bytes (seeded by the round) through `s`, each after
/// `disturb(round)`; each must come back byte-exact.
async fn echo_rounds(
    s: &mut TcpSocket<'_, 'static, qi_sim::transport::HostWriter>,
    what: &str,
    (rounds, len): (u64, usize),
    mut disturb: impl FnMut(u64),
) {
    for round in 0..rounds {
        disturb(round);
        let data = random_bytes(round, len);
        let back = bounded(what, echo_round(s, &data)).await.unwrap();
        assert_eq!(back, data, "{what}: round {round}");
    }
}

/// An echo of `len` random bytes through a fresh socket must come back byte-exact.
async fn exact_echo(stack: &SimStack, port: u16, mode: AccessMode, seed: u64, len: usize) {
    let data = random_bytes(seed, len);
    let mut s = connected(stack, port, mode).await;
    let back = bounded("echo", echo_round(&mut s, &data)).await.unwrap();
    assert_eq!(back.len(), data.len(), "{mode:?}: bytes lost or duplicated");
    assert_eq!(fnv1a(&back), fnv1a(&data), "{mode:?}: bytes changed");
    bounded("close", s.close()).await.unwrap();
}

#[test]
fn send_ok_glued_to_the_next_line_loses_nothing() {
    let echo = EchoServer::start().unwrap();
    let field = FieldFaults {
        glue_send_ok: true,
        ..FieldFaults::default()
    };
    in_each_mode(field, config, async |stack: &SimStack, _, mode| {
        exact_echo(stack, echo.port(), mode, 11, 40_000).await;
    });
}

#[test]
fn garbage_bursts_between_lines_lose_nothing() {
    let echo = EchoServer::start().unwrap();
    in_each_mode(
        FieldFaults::default(),
        config,
        async |stack, control, mode| {
            let mut s = connected(stack, echo.port(), mode).await;
            echo_rounds(&mut s, &format!("{mode:?}"), (20, 1500), |round| {
                // Line noise: bytes a UART's framing errors give, 8 to 300 of them in a line.
                assert!(control.inject_garbage(round, 8 + (round as usize * 37) % 293));
            })
            .await;
            bounded("close", s.close()).await.unwrap();
        },
    );
}

/// A printable noise line (`\r\nA\r\n`) between frames, while no command is in flight: no
/// command asked for it, so the stack's digester drops it as noise rather than taking it for
/// the first line of the next response.
#[test]
fn a_printable_noise_line_between_frames_loses_nothing() {
    let echo = EchoServer::start().unwrap();
    active(
        sim_with(FieldFaults::default()),
        config(AccessMode::BufferAccess),
        async |stack: &SimStack, control| {
            let mut s = stack.connect("127.0.0.1", echo.port()).await.unwrap();
            // Whether a command is in flight when it comes depends on timing: either way it is
            // no response line of the command (a final result or a prompt could not be told
            // from the answer, see docs/FAULTS.md).
            echo_rounds(&mut s, "noise", (4, 1500), |round| {
                let noise: &[u8] = match round {
                    0 => b"\r\nA\r\n",
                    1 => b"\r\n+CPIN: READY\r\n\r\nnoise 1 2 3\r\n",
                    2 => b"\r\n+QIRDX\r\n",
                    _ => b"\r\n<html>\r\n",
                };
                assert!(control.inject(noise.to_vec()));
            })
            .await;
            bounded("close", s.close()).await.unwrap();
        },
    );
}

#[test]
fn echo_switched_on_mid_stream_loses_nothing() {
    let echo = EchoServer::start().unwrap();
    in_each_mode(
        FieldFaults::default(),
        config,
        async |stack, control, mode| {
            let mut s = connected(stack, echo.port(), mode).await;
            let data = random_bytes(3, 2000);
            assert_eq!(
                bounded("echo", echo_round(&mut s, &data)).await.unwrap(),
                data
            );
            assert!(control.set_echo(true));
            echo_rounds(&mut s, &format!("{mode:?} with ATE1"), (5, 3000), |_| {}).await;
            bounded("close", s.close()).await.unwrap();
        },
    );
}

#[test]
fn a_flood_of_recv_urcs_loses_nothing() {
    let echo = EchoServer::start().unwrap();
    in_each_mode(
        FieldFaults::default(),
        config,
        async |stack, control, mode| {
            let mut s = connected(stack, echo.port(), mode).await;
            // Far more URCs than the stack's channel holds, for an idle ID and (buffer access)
            // this socket. A direct-push socket is not flooded with buffer-access notices: each
            // sends its reader to AT+QIRD while pushes queue behind the answer, and after
            // `push_wait` they are dropped (docs/FAULTS.md).
            if mode == AccessMode::BufferAccess {
                assert!(control.flood_urcs(s.connect_id(), 300));
            }
            assert!(control.flood_urcs(ConnectId::new_const(11), 300));
            assert!(control.flood_urcs(ConnectId::new_const(10), 300));
            let data = random_bytes(9, 20_000);
            let back = bounded("echo after the flood", echo_round(&mut s, &data))
                .await
                .unwrap();
            assert_eq!(stack.lost_bytes(), 0);
            assert_eq!(fnv1a(&back), fnv1a(&data), "{mode:?}");
            bounded("close", s.close()).await.unwrap();
        },
    );
}

#[test]
fn closed_held_until_the_buffer_is_read_ends_after_every_byte() {
    use std::io::{Read, Write};
    let field = FieldFaults {
        hold_closed: true,
        ..FieldFaults::default()
    };
    let reply = random_bytes(21, 6000);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = {
        let reply = reply.clone();
        std::thread::spawn(move || {
            let (mut conn, _) = listener.accept().unwrap();
            let mut byte = [0u8; 1];
            conn.read_exact(&mut byte).unwrap();
            conn.write_all(&reply).unwrap();
        })
    };
    active(
        sim_with(field),
        config(AccessMode::BufferAccess),
        async |stack: &SimStack, _| {
            let mut s = stack.connect("127.0.0.1", port).await.unwrap();
            s.write_all(b"?").await.unwrap();
            let mut all = Vec::new();
            let mut buf = [0u8; 700];
            loop {
                let n = bounded("read to the end", s.read(&mut buf)).await.unwrap();
                if n == 0 {
                    break;
                }
                all.extend_from_slice(&buf[..n]);
            }
            assert_eq!(all, reply);
            assert!(s.peer_closed());
            bounded("close", s.close()).await.unwrap();
        },
    );
    server.join().unwrap();
}

#[test]
fn qird_answering_more_than_asked_loses_nothing() {
    let echo = EchoServer::start().unwrap();
    let field = FieldFaults {
        read_extra: 100,
        ..FieldFaults::default()
    };
    active(
        sim_with(field),
        config(AccessMode::BufferAccess),
        async |stack: &SimStack, _| {
            let mut s = stack.connect("127.0.0.1", echo.port()).await.unwrap();
            let data = random_bytes(4, 5000);
            s.write_all(&data).await.unwrap();
            let mut got = Vec::new();
            let mut buf = [0u8; 512];
            while got.len() < data.len() {
                let n = bounded("read", s.read(&mut buf)).await.unwrap();
                assert!(n > 0, "end of stream after {} bytes", got.len());
                assert!(n <= buf.len());
                got.extend_from_slice(&buf[..n]);
            }
            // What did not fit the reader's buffer was kept and read next, in order.
            assert_eq!(got, data);
            bounded("close", s.close()).await.unwrap();
        },
    );
}

#[test]
fn qird_answering_more_than_asked_in_hex_framing_loses_nothing() {
    use quectel_qi::{RecvDataFormat, SendDataFormat};
    let echo = EchoServer::start().unwrap();
    let field = FieldFaults {
        read_extra: 100,
        ..FieldFaults::default()
    };
    active(
        sim_with(field),
        config(AccessMode::BufferAccess),
        async |stack: &SimStack, _| {
            {
                let mut c = stack.client().await.unwrap();
                c.set_data_format(SendDataFormat::Text, RecvDataFormat::Hex)
                    .await
                    .unwrap();
            }
            let mut s = stack.connect("127.0.0.1", echo.port()).await.unwrap();
            let data = random_bytes(5, 3000);
            s.write_all(&data).await.unwrap();
            let mut got = Vec::new();
            let mut buf = [0u8; 512];
            while got.len() < data.len() {
                let n = bounded("read", s.read(&mut buf)).await.unwrap();
                assert!(n > 0, "end of stream after {} bytes", got.len());
                got.extend_from_slice(&buf[..n]);
            }
            // The excess came as hex digits and was decoded where it was kept: in order.
            assert_eq!(got, data);
            bounded("close", s.close()).await.unwrap();
        },
    );
}

#[test]
fn recv_urc_without_length_in_direct_push_delivers_the_data() {
    let echo = EchoServer::start().unwrap();
    let field = FieldFaults {
        push_without_length: true,
        ..FieldFaults::default()
    };
    active(
        sim_with(field),
        config(AccessMode::DirectPush),
        async |stack: &SimStack, _| {
            let mut s = stack.connect("127.0.0.1", echo.port()).await.unwrap();
            let data = random_bytes(6, 3000);
            // The stack fetches what the notice announced with AT+QIRD.
            let back = bounded("echo", echo_round(&mut s, &data)).await;
            assert_eq!(back.unwrap(), data);
            bounded("close", s.close()).await.unwrap();
        },
    );
}

#[test]
fn a_socket_the_module_kept_answers_563_and_is_closed_then_reopened() {
    let echo = EchoServer::start().unwrap();
    run_stack(
        sim_with(FieldFaults::default()),
        config(AccessMode::BufferAccess),
        async |stack: &SimStack, control| {
            // The host restarted; the module kept its context active and socket 0 open.
            assert!(control.occupy_socket(ConnectId::new_const(0), ContextId::new_const(1)));
            // AT+QIACT on an active context is refused (ERROR); AT+QIACT? lists it active
            // with an address: the stack adopts it.
            bounded("activate", stack.activate("internet"))
                .await
                .unwrap();
            assert!(!stack.context_lost());
            // The open answers 563: the stack closes the stale socket and opens again.
            let mut s = bounded("connect", stack.connect("127.0.0.1", echo.port()))
                .await
                .unwrap();
            assert_eq!(s.connect_id(), ConnectId::new_const(0));
            let data = random_bytes(1, 1000);
            assert_eq!(
                bounded("echo", echo_round(&mut s, &data)).await.unwrap(),
                data
            );
            bounded("close", s.close()).await.unwrap();
        },
    );
}

/// A command that goes into the booting module is not heard: it times out after 2 s here.
fn restart_config(mode: AccessMode) -> stack::Config {
    let mut c = config(mode);
    // Final results and URC results alike.
    c.client.wait_ms = |ms| ms.min(2_000);
    c
}

#[test]
fn a_module_restart_mid_transfer_is_context_lost() {
    let echo = EchoServer::start().unwrap();
    in_each_mode(
        FieldFaults::default(),
        restart_config,
        async |stack, control, mode| {
            let mut s = connected(stack, echo.port(), mode).await;
            let data = random_bytes(2, 2000);
            assert_eq!(
                bounded("echo", echo_round(&mut s, &data)).await.unwrap(),
                data
            );
            assert!(control.restart());
            let mut buf = [0u8; 64];
            let read = bounded("read after the restart", s.read(&mut buf)).await;
            // The pdpdeact URC comes first; a command already on its way into the silent module
            // ends when RDY comes.
            assert!(
                matches!(read, Err(Error::ContextLost | Error::ModuleRestarted)),
                "{mode:?}: {read:?}"
            );
            assert!(stack.context_lost(), "{mode:?}");
            assert_eq!(
                bounded("read", s.read(&mut buf)).await,
                Err(Error::ContextLost)
            );
            // A write names the loss too.
            let wrote = bounded("write", s.write(b"x")).await;
            assert_eq!(wrote, Err(Error::ContextLost), "{mode:?}");
            let closed = bounded("close", s.close()).await;
            println!("{mode:?} close after restart: {closed:?}");
            // The module is back (RDY): activate and talk again.
            bounded("activate again", stack.activate("internet"))
                .await
                .unwrap();
            assert!(!stack.context_lost());
            exact_echo(stack, echo.port(), mode, 8, 3000).await;
        },
    );
}

/// A handle kept across a restart: the module forgot its socket, and activating the context
/// again does not bring it back. The handle keeps saying so (it used to wait for data that
/// could never come), and a new socket works beside it.
#[test]
fn a_handle_from_before_a_restart_stays_lost_after_the_context_is_back() {
    let echo = EchoServer::start().unwrap();
    in_each_mode(
        FieldFaults::default(),
        restart_config,
        async |stack, control, mode| {
            let mut stale = connected(stack, echo.port(), mode).await;
            assert!(control.restart());
            let mut buf = [0u8; 16];
            let read = bounded("read after the restart", stale.read(&mut buf)).await;
            assert!(
                matches!(read, Err(Error::ContextLost | Error::ModuleRestarted)),
                "{mode:?}: {read:?}"
            );
            // An activation sent into the booting module ends at its RDY: the next one works.
            let mut activated = bounded("activate", stack.activate("internet")).await;
            if activated == Err(Error::ModuleRestarted) {
                activated = bounded("activate again", stack.activate("internet")).await;
            }
            assert_eq!(activated, Ok(()), "{mode:?}");
            assert!(!stack.context_lost());
            assert_eq!(
                bounded("stale read", stale.read(&mut buf)).await,
                Err(Error::ContextLost),
                "{mode:?}"
            );
            assert_eq!(
                bounded("stale write", stale.write(b"x")).await,
                Err(Error::ContextLost),
                "{mode:?}"
            );
            let mut fresh = connected(stack, echo.port(), mode).await;
            assert_ne!(fresh.connect_id(), stale.connect_id());
            let data = random_bytes(3, 500);
            assert_eq!(
                bounded("echo", echo_round(&mut fresh, &data))
                    .await
                    .unwrap(),
                data
            );
            drop(stale);
            bounded("close", fresh.close()).await.unwrap();
        },
    );
}

#[test]
fn an_ingress_overflow_is_reported_to_direct_push_readers() {
    let echo = EchoServer::start().unwrap();
    in_each_mode(
        FieldFaults::default(),
        config,
        async |stack, control, mode| {
            let mut s = connected(stack, echo.port(), mode).await;
            // A run without a line end, longer than the ingress buffer: the runner clears it.
            assert!(control.inject(qi_sim::module::noise(5, 3 * INGRESS_BUF_SIZE)));
            if mode == AccessMode::DirectPush {
                // Whatever the cleared buffer held may have been a push: the reader is told.
                let mut buf = [0u8; 16];
                let read = bounded("read after the overflow", s.read(&mut buf)).await;
                assert_eq!(read, Err(Error::Client(quectel_qi::client::Error::Overrun)));
            }
            // Buffer access asks the module again and loses nothing; both go on byte-exact.
            // The cleared bytes are counted.
            let data = random_bytes(2, 4000);
            let back = bounded("echo after the overflow", echo_round(&mut s, &data)).await;
            assert_eq!(back.unwrap(), data, "{mode:?}");
            assert!(stack.lost_bytes() > 0, "{mode:?}: the clear is not counted");
            bounded("close", s.close()).await.unwrap();
        },
    );
}

/// Waits (bounded) until the stack has seen the context go.
async fn context_gone(stack: &SimStack) {
    bounded("the context's loss", async {
        while !stack.context_lost() {
            embassy_time::Timer::after_millis(5).await;
        }
    })
    .await;
}

#[test]
fn a_command_sent_into_the_booting_module_ends_at_rdy() {
    let echo = EchoServer::start().unwrap();
    let mut sim = sim_with(FieldFaults::default());
    // Longer than any wait of the stack's would be cut short by: the module boots for 2 s;
    // the stack would wait up to 10 s for the open's answer.
    sim.modem.restart_time = std::time::Duration::from_secs(2);
    active(
        sim,
        config(AccessMode::BufferAccess),
        async |stack: &SimStack, control| {
            assert!(control.restart());
            // pdpdeact comes as the module goes down: from then on it does not listen.
            context_gone(stack).await;
            let opened = bounded("connect into the booting module", async {
                stack.connect("127.0.0.1", echo.port()).await.map(drop)
            })
            .await;
            assert_eq!(opened, Err(Error::ModuleRestarted));
            // The module is prepared again and works.
            bounded("activate again", stack.activate("internet"))
                .await
                .unwrap();
            exact_echo(stack, echo.port(), AccessMode::BufferAccess, 9, 2000).await;
        },
    );
}

#[test]
fn rdy_without_pdpdeact_loses_every_context_and_the_active_one_is_adopted() {
    let echo = EchoServer::start().unwrap();
    active(
        sim_with(FieldFaults::default()),
        config(AccessMode::BufferAccess),
        async |stack: &SimStack, control| {
            let mut s = stack.connect("127.0.0.1", echo.port()).await.unwrap();
            // Start-up lines alone, no pdpdeact before them (as when the module lost power).
            assert!(control.inject(b"\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n".to_vec()));
            context_gone(stack).await;
            let mut buf = [0u8; 16];
            assert_eq!(
                bounded("read", s.read(&mut buf)).await,
                Err(Error::ContextLost)
            );
            // The virtual module did not restart: its context is still active, and activating
            // adopts it.
            bounded("activate", stack.activate("internet"))
                .await
                .unwrap();
            drop(s);
            exact_echo(stack, echo.port(), AccessMode::BufferAccess, 10, 2000).await;
        },
    );
}

//! The network stack end to end: sockets through embedded-io-async and embedded-nal-async,
//! against the virtual module over the in-memory duplex, with real peers on loopback.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::thread::JoinHandle;

use embassy_futures::join::{join, join_array};
use embassy_time::{with_timeout, Duration};
use embedded_io_async::{Read as _, Write as _};
use qi_tests::e2e::{fnv1a, random_bytes};
use qi_tests::peers::{EchoServer, UdpPeer, WAIT};
use qi_tests::stack::{run_stack, test_config, SimStack};
use quectel_qi::embedded_nal_async::{
    AddrType, ConnectedUdp, Dns, TcpConnect, UdpStack, UnconnectedUdp,
};
use quectel_qi::stack::{self, Error};
use quectel_qi::{AccessMode, ConnectId};

/// Payload bytes that would end or start a frame if anything looked inside them.
const HOSTILE: &[u8] = b"\r\nOK\r\n+QIURC: \"closed\",0\r\n\0> SEND OK\r\n+QIRD: 9\r\n";

fn sim() -> qi_sim::Config {
    qi_sim::Config::for_tests()
}

fn config(mode: AccessMode) -> stack::Config {
    let mut c = test_config();
    c.access_mode = mode;
    c
}

const MODES: [AccessMode; 2] = [AccessMode::BufferAccess, AccessMode::DirectPush];

/// Reads until the end of stream; fails on an error.
async fn read_to_end(s: &mut impl embedded_io_async::Read<Error = Error>) -> Vec<u8> {
    let mut all = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        let n = s.read(&mut buf).await.expect("read");
        if n == 0 {
            return all;
        }
        all.extend_from_slice(&buf[..n]);
    }
}

async fn read_exactly(s: &mut impl embedded_io_async::Read<Error = Error>, n: usize) -> Vec<u8> {
    let mut v = vec![0u8; n];
    s.read_exact(&mut v).await.expect("read_exact");
    v
}

#[test]
fn tcp_echo_is_byte_exact_in_both_modes() {
    let echo = EchoServer::start().unwrap();
    for mode in MODES {
        let data = [HOSTILE, &random_bytes(7, 64 * 1024)].concat();
        run_stack(sim(), config(mode), async |stack: &SimStack, _| {
            stack.activate("internet").await.unwrap();
            let mut socket = stack.connect("127.0.0.1", echo.port()).await.unwrap();
            let (mut rx, mut tx) = socket.split();
            // Reader and writer side by side: the echo comes back while the rest goes out.
            let (wrote, back) = join(tx.write_all(&data), read_exactly(&mut rx, data.len())).await;
            wrote.unwrap();
            assert_eq!(fnv1a(&back), fnv1a(&data), "{mode:?}");
            socket.close().await.unwrap();
        });
    }
}

/// A server that answers each connection's first line with `reply` and closes at once: the
/// data and the close arrive while the client is still busy with its send.
struct ReplyAndClose {
    port: u16,
    thread: Option<JoinHandle<()>>,
}

impl ReplyAndClose {
    fn start(reply: Vec<u8>, connections: usize) -> ReplyAndClose {
        Self::serve(reply, connections, true)
    }

    /// Replies and keeps the connection until the client closes it.
    fn reply_and_stay(reply: Vec<u8>, connections: usize) -> ReplyAndClose {
        Self::serve(reply, connections, false)
    }

    fn serve(reply: Vec<u8>, connections: usize, close: bool) -> ReplyAndClose {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let thread = std::thread::spawn(move || {
            for _ in 0..connections {
                let Ok((mut conn, _)) = listener.accept() else {
                    return;
                };
                conn.set_read_timeout(Some(WAIT)).unwrap();
                let mut byte = [0u8; 1];
                while conn.read(&mut byte).is_ok_and(|n| n == 1) && byte[0] != b'\n' {}
                let _ = conn.write_all(&reply);
                if !close {
                    // Until the client closes: its reads must not depend on our close.
                    while conn.read(&mut byte).is_ok_and(|n| n > 0) {}
                }
            }
        });
        ReplyAndClose {
            port,
            thread: Some(thread),
        }
    }
}

impl Drop for ReplyAndClose {
    fn drop(&mut self) {
        // After a failure the server may wait for connections that never come.
        if std::thread::panicking() {
            return;
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The race of the old client: the recv and closed URCs are routed while the send (and the
/// acknowledgement query) is in progress. The reader must still get every byte and then the
/// end of stream, long before any timeout: the stack's timeouts are set to a minute, the test
/// allows each exchange three seconds.
#[test]
fn data_and_close_during_a_send_are_not_lost() {
    const ROUNDS: usize = 20;
    let reply = [HOSTILE, &random_bytes(3, 3000)].concat();
    let server = ReplyAndClose::start(reply.clone(), ROUNDS * MODES.len());
    for mode in MODES {
        let mut c = config(mode);
        c.client.wait_ms = |ms| ms.min(60_000);
        run_stack(sim(), c, async |stack: &SimStack, _| {
            stack.activate("internet").await.unwrap();
            for round in 0..ROUNDS {
                let exchange = async {
                    let mut s = stack.connect("127.0.0.1", server.port).await.unwrap();
                    s.write_all(b"GET / HTTP/1.0\r\n").await.unwrap();
                    // What the old documented loop did next: the acknowledgement query.
                    let id = s.connect_id();
                    let _ = stack.client().await.unwrap().ack_status(id).await;
                    let got = read_to_end(&mut s).await;
                    s.close().await.unwrap();
                    got
                };
                let got = with_timeout(Duration::from_secs(3), exchange)
                    .await
                    .unwrap_or_else(|_| panic!("{mode:?} round {round}: waited for a timeout"));
                assert_eq!(got, reply, "{mode:?} round {round}");
            }
        });
    }
}

/// The same race without the close: the reply alone, announced while the send and the
/// acknowledgement query hold the line, must reach the reader without a timeout.
#[test]
fn data_announced_during_a_send_is_not_lost() {
    const ROUNDS: usize = 20;
    let reply = [HOSTILE, &random_bytes(5, 2000)].concat();
    let server = ReplyAndClose::reply_and_stay(reply.clone(), ROUNDS * MODES.len());
    for mode in MODES {
        let mut c = config(mode);
        c.client.wait_ms = |ms| ms.min(60_000);
        run_stack(sim(), c, async |stack: &SimStack, _| {
            stack.activate("internet").await.unwrap();
            for round in 0..ROUNDS {
                let mut s = stack.connect("127.0.0.1", server.port).await.unwrap();
                let exchange = async {
                    s.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
                    let id = s.connect_id();
                    let _ = stack.client().await.unwrap().ack_status(id).await;
                    read_exactly(&mut s, reply.len()).await
                };
                let got = with_timeout(Duration::from_secs(3), exchange)
                    .await
                    .unwrap_or_else(|_| panic!("{mode:?} round {round}: waited for a timeout"));
                assert_eq!(got, reply, "{mode:?} round {round}");
                s.close().await.unwrap();
            }
        });
    }
}

#[test]
fn many_tasks_share_the_stack() {
    let echo = EchoServer::start().unwrap();
    for mode in MODES {
        run_stack(sim(), config(mode), async |stack: &SimStack, _| {
            stack.activate("internet").await.unwrap();
            let port = echo.port();
            let tasks: [_; 6] = core::array::from_fn(|i| async move {
                let data = random_bytes(i as u64 + 1, 5000 + 700 * i);
                let mut s = stack.connect("127.0.0.1", port).await.unwrap();
                let (mut rx, mut tx) = s.split();
                let (wrote, back) =
                    join(tx.write_all(&data), read_exactly(&mut rx, data.len())).await;
                wrote.unwrap();
                s.close().await.unwrap();
                fnv1a(&back) == fnv1a(&data)
            });
            let results = join_array(tasks).await;
            assert!(results.iter().all(|ok| *ok), "{mode:?}: {results:?}");
        });
    }
}

#[test]
fn connect_ids_are_allocated_and_given_back() {
    let echo = EchoServer::start().unwrap();
    run_stack(sim(), test_config(), async |stack: &SimStack, _| {
        stack.activate("internet").await.unwrap();
        let mut sockets = Vec::new();
        for i in 0..=ConnectId::MAX.get() {
            let s = stack.connect("127.0.0.1", echo.port()).await.unwrap();
            assert_eq!(s.connect_id().get(), i);
            sockets.push(s);
        }
        assert!(matches!(
            stack.connect("127.0.0.1", echo.port()).await,
            Err(Error::NoFreeSocket)
        ));
        // Dropped without close: the next command closes it and its ID is free again.
        let dropped = sockets.remove(3).connect_id();
        let again = stack.connect("127.0.0.1", echo.port()).await.unwrap();
        assert_eq!(again.connect_id(), dropped);
        let state = stack
            .client()
            .await
            .unwrap()
            .socket_state(dropped)
            .await
            .unwrap();
        assert!(state.is_some(), "the ID is open again on the module");
        drop(again);
        for s in sockets {
            s.close().await.unwrap();
        }
    });
}

#[test]
fn a_failed_open_names_the_command_and_frees_the_id() {
    run_stack(sim(), test_config(), async |stack: &SimStack, _| {
        stack.activate("internet").await.unwrap();
        // Nothing listens on port 1 of loopback.
        let err = stack.connect("127.0.0.1", 1).await.err().expect("refused");
        assert!(
            matches!(
                err,
                Error::Command {
                    command: "AT+QIOPEN",
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().starts_with("AT+QIOPEN"), "{err}");
        let echo = EchoServer::start().unwrap();
        let s = stack.connect("127.0.0.1", echo.port()).await.unwrap();
        assert_eq!(s.connect_id().get(), 0);
        s.close().await.unwrap();
    });
}

#[test]
fn a_lost_context_is_seen_by_the_next_reader() {
    let echo = EchoServer::start().unwrap();
    for mode in MODES {
        run_stack(sim(), config(mode), async |stack: &SimStack, control| {
            stack.activate("internet").await.unwrap();
            let mut s = stack.connect("127.0.0.1", echo.port()).await.unwrap();
            assert!(control.deactivate_context(stack.config().context_id));
            let mut buf = [0u8; 16];
            let got = with_timeout(Duration::from_secs(3), s.read(&mut buf)).await;
            assert!(
                matches!(got, Ok(Err(Error::ContextLost))),
                "{mode:?}: {got:?}"
            );
            assert!(stack.context_lost());
            // A write names the loss too (not only the end of the connection).
            assert!(matches!(s.write(b"x").await, Err(Error::ContextLost)));
        });
    }
}

#[test]
fn a_dead_reader_is_reported_as_such() {
    let (end, running) = qi_sim::transport::duplex(sim());
    let (reader, writer) = end.split();
    let resources: &mut stack::StackResources = Box::leak(Box::default());
    let (stack, runner) = stack::new(resources, writer, reader, test_config());
    let control = running.control().clone();
    qi_tests::e2e::block_on(async {
        let app = async {
            stack.activate("internet").await.unwrap();
            assert!(control.shutdown());
            // Pending forever unless the runner's stop reaches it.
            let err = stack
                .connect("127.0.0.1", 9)
                .await
                .err()
                .expect("no module");
            // The runner's stop, or the write to the port whose other end is gone, whichever
            // comes first: either way a typed error, not a wait.
            let write_failed = matches!(
                err,
                Error::Command {
                    error: quectel_qi::client::Error::Io,
                    ..
                }
            );
            assert!(
                matches!(err, Error::ReaderStopped(_)) || write_failed,
                "{err:?}"
            );
        };
        let (stopped, ()) = join(runner.run(), app).await;
        assert_eq!(stopped, stack::Stopped::EndOfStream);
    });
    running.join();
}

#[test]
fn dns_and_udp_through_the_nal_traits() {
    let peer = UdpPeer::bind().unwrap();
    for mode in MODES {
        run_stack(sim(), config(mode), async |stack: &SimStack, _| {
            stack.activate("internet").await.unwrap();
            let ip = stack
                .get_host_by_name("localhost", AddrType::IPv4)
                .await
                .unwrap();
            assert_eq!(ip, std::net::IpAddr::from([127, 0, 0, 1]));
            assert_eq!(
                stack
                    .get_host_by_name("192.0.2.7", AddrType::Either)
                    .await
                    .unwrap(),
                std::net::IpAddr::from([192, 0, 2, 7])
            );

            // Connected UDP: one datagram out, the peer echoes it back.
            let echo_peer = UdpPeer::bind().unwrap();
            let remote = std::net::SocketAddr::from(([127, 0, 0, 1], echo_peer.port()));
            let echoer = std::thread::spawn(move || echo_peer.echo_one().unwrap());
            let (_, mut udp) = UdpStack::connect(&stack, remote).await.unwrap();
            let datagram = [HOSTILE, b"udp"].concat();
            ConnectedUdp::send(&mut udp, &datagram).await.unwrap();
            assert_eq!(echoer.join().unwrap(), datagram);
            let mut buf = [0u8; 1500];
            let n = udp.receive_into(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], &datagram[..], "{mode:?}");
            udp.close().await.unwrap();

            // Unconnected UDP: a service on a local port, datagrams from and to any peer.
            let local = std::net::SocketAddr::from(([0, 0, 0, 0], 40_000 + mode as u16));
            let (_, mut service) = UdpStack::bind_single(&stack, local).await.unwrap();
            peer.send_to(b"to the service", local.port()).unwrap();
            let (n, _, from) = service.receive_into(&mut buf).await.unwrap();
            assert_eq!(&buf[..n], b"to the service");
            assert_eq!(from.port(), peer.port());
            service.send(local, from, b"answer").await.unwrap();
            assert_eq!(peer.recv().unwrap().0, b"answer");
            service.service.close().await.unwrap();
        });
    }
}

/// Futures of the stack are `Send` where the transport is: tokio and threads can take them.
#[test]
fn stack_futures_are_send() {
    fn send<T: Send>(_: &T) {}
    fn check(
        stack: &'static SimStack,
        socket: &mut quectel_qi::stack::TcpSocket<'static, 'static, qi_sim::transport::HostWriter>,
    ) {
        send(&stack.connect("127.0.0.1", 1));
        send(&stack.activate("apn"));
        send(&TcpConnect::connect(
            stack,
            std::net::SocketAddr::from(([127, 0, 0, 1], 1)),
        ));
        send(&stack.get_host_by_name("localhost", AddrType::IPv4));
        let mut buf = [0u8; 4];
        send(&socket.read(&mut buf));
        send(&socket.write(b"x"));
    }
    let _ = check;
    fn runner_is_send<R: Send>() {}
    runner_is_send::<quectel_qi::stack::Runner<'static, qi_sim::transport::HostReader>>();
}

/// Runs `flow` on a stack whose push buffer holds `PUSH` bytes (the other sizes default).
fn with_push_buffer<const PUSH: usize>(flow: impl AsyncFnOnce(&SimStack)) {
    with_buffers::<{ quectel_qi::sizes::INGRESS_BUF_SIZE }, PUSH>(flow)
}

/// Runs `flow` on a stack whose input buffer holds `INGRESS` bytes and whose push buffer
/// `PUSH` (the other sizes default).
fn with_buffers<const INGRESS: usize, const PUSH: usize>(flow: impl AsyncFnOnce(&SimStack)) {
    use quectel_qi::sizes::{COMMAND_BUF_SIZE, RESPONSE_SLOT_SIZE};
    let (end, running) = qi_sim::transport::duplex(sim());
    let (reader, writer) = end.split();
    let resources: &'static mut stack::StackResources<
        INGRESS,
        RESPONSE_SLOT_SIZE,
        COMMAND_BUF_SIZE,
        PUSH,
    > = Box::leak(Box::new(stack::StackResources::new()));
    let (stack, runner) = stack::new(resources, writer, reader, test_config());
    let control = running.control().clone();
    qi_tests::e2e::block_on(async {
        let app = async {
            flow(&stack).await;
            assert!(control.shutdown());
        };
        let (stopped, ()) = join(runner.run(), app).await;
        assert_eq!(stopped, stack::Stopped::EndOfStream);
    });
    running.join();
}

#[test]
fn a_push_buffer_too_small_for_a_push_is_a_typed_error_at_open() {
    let echo = EchoServer::start().unwrap();
    // Buffer access only: no push buffer at all.
    with_push_buffer::<0>(async |stack: &SimStack| {
        stack.activate("internet").await.unwrap();
        let err = stack
            .connect_with("127.0.0.1", echo.port(), AccessMode::DirectPush)
            .await
            .err()
            .expect("a push buffer of 0 bytes");
        assert_eq!(err, Error::PushBufferTooSmall { capacity: 0 });
        // Nothing was opened, and buffer access needs no push buffer.
        let mut socket = stack.connect("127.0.0.1", echo.port()).await.unwrap();
        socket.write_all(HOSTILE).await.unwrap();
        assert_eq!(read_exactly(&mut socket, HOSTILE.len()).await, HOSTILE);
        socket.close().await.unwrap();
    });
}

/// One frame with the largest payload, in text framing: what the QEMU firmware takes.
const ONE_FRAME: usize = quectel_qi::sizes::DATA_FRAME_SIZE;

#[test]
fn an_input_buffer_of_one_frame_carries_both_modes_byte_exact() {
    let echo = EchoServer::start().unwrap();
    // The QEMU firmware's sizes: one frame of input, one push of push buffer.
    with_buffers::<ONE_FRAME, 1500>(async |stack: &SimStack| {
        stack.activate("internet").await.unwrap();
        let data = [HOSTILE, &random_bytes(12, 8 * 1024)].concat();
        for mode in [AccessMode::BufferAccess, AccessMode::DirectPush] {
            let mut socket = stack
                .connect_with("127.0.0.1", echo.port(), mode)
                .await
                .unwrap();
            // Chunk by chunk, each read back before the next goes (as the firmware does).
            let mut back = Vec::new();
            for chunk in data.chunks(1460) {
                socket.write_all(chunk).await.unwrap();
                back.extend(read_exactly(&mut socket, chunk.len()).await);
            }
            assert_eq!(fnv1a(&back), fnv1a(&data), "{mode:?}");
            socket.close().await.unwrap();
        }
        assert_eq!(stack.lost_bytes(), 0);
    });
}

#[test]
fn an_input_buffer_too_small_for_a_push_is_a_typed_error_at_open() {
    let echo = EchoServer::start().unwrap();
    with_buffers::<{ ONE_FRAME - 1 }, 1500>(async |stack: &SimStack| {
        stack.activate("internet").await.unwrap();
        let err = stack
            .connect_with("127.0.0.1", echo.port(), AccessMode::DirectPush)
            .await
            .err()
            .expect("an input buffer one byte short of a push");
        assert_eq!(
            err,
            Error::IngressTooSmall {
                capacity: ONE_FRAME - 1
            }
        );
        // Buffer access asks for what fits (1,499 bytes a read): byte-exact all the same.
        let mut socket = stack.connect("127.0.0.1", echo.port()).await.unwrap();
        let data = random_bytes(13, 4 * 1024);
        let (mut rx, mut tx) = socket.split();
        let (wrote, back) = join(tx.write_all(&data), read_exactly(&mut rx, data.len())).await;
        wrote.unwrap();
        assert_eq!(fnv1a(&back), fnv1a(&data));
        socket.close().await.unwrap();
        assert_eq!(stack.lost_bytes(), 0);
    });
}

#[test]
fn an_input_buffer_of_one_text_frame_refuses_direct_push_in_hex_framing() {
    use quectel_qi::{RecvDataFormat, SendDataFormat};
    let echo = EchoServer::start().unwrap();
    with_buffers::<ONE_FRAME, 1500>(async |stack: &SimStack| {
        stack.activate("internet").await.unwrap();
        {
            let mut c = stack.client().await.unwrap();
            c.set_data_format(SendDataFormat::Text, RecvDataFormat::Hex)
                .await
                .unwrap();
        }
        let err = stack
            .connect_with("127.0.0.1", echo.port(), AccessMode::DirectPush)
            .await
            .err()
            .expect("a hex push is twice the text frame");
        assert_eq!(
            err,
            Error::IngressTooSmall {
                capacity: ONE_FRAME
            }
        );
        // Buffer access reads half as much at a time, byte-exact.
        let mut socket = stack.connect("127.0.0.1", echo.port()).await.unwrap();
        socket.write_all(HOSTILE).await.unwrap();
        assert_eq!(read_exactly(&mut socket, HOSTILE.len()).await, HOSTILE);
        socket.close().await.unwrap();
        assert_eq!(stack.lost_bytes(), 0);
    });
}

#[test]
fn a_push_buffer_of_two_pushes_carries_a_direct_push_echo() {
    let echo = EchoServer::start().unwrap();
    with_push_buffer::<3000>(async |stack: &SimStack| {
        stack.activate("internet").await.unwrap();
        let mut socket = stack
            .connect_with("127.0.0.1", echo.port(), AccessMode::DirectPush)
            .await
            .unwrap();
        let data = [HOSTILE, &random_bytes(11, 16 * 1024)].concat();
        let (mut rx, mut tx) = socket.split();
        let (wrote, back) = join(tx.write_all(&data), read_exactly(&mut rx, data.len())).await;
        wrote.unwrap();
        assert_eq!(fnv1a(&back), fnv1a(&data));
        socket.close().await.unwrap();
    });
}

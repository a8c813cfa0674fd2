//! Every flow of the document's chapter 3, end to end: the typed client, through atat and the
//! length-aware digester, against the virtual module over the in-memory duplex, with real
//! peers on loopback. Each flow runs with the blocking and with the async client.

mod e2e_support;

use std::io::{Read, Write};
use std::net::TcpStream;

use e2e_support::*;
use qi_tests::e2e::Wire;
use qi_tests::peers::{EchoServer, NtpServer, UdpPeer};
use quectel_qi::client::{Client, Code, Error, ErrorResult, Event, Link, ModuleError};
use quectel_qi::*;

/// Payload bytes that would end or start a frame if anything looked inside them.
const HOSTILE: &[u8] = b"\r\nOK\r\n+QIURC: \"closed\",0\r\n\0> SEND OK\r\n+QIRD: 9\r\n";

fn connect(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).expect("the module's server accepts");
    s.set_read_timeout(Some(WAIT)).unwrap();
    s
}

fn read_n(s: &mut TcpStream, n: usize) -> Vec<u8> {
    let mut v = vec![0u8; n];
    s.read_exact(&mut v).expect("the peer receives");
    v
}

/// 3.1: configure, activate and deactivate a context; its address follows.
async fn context<L: Link>(c: &mut Client<'_, L>, _w: &Wire) {
    let cfg = qicsgp::Configure {
        context_id: CTX,
        context_type: ContextType::Ipv4,
        apn: "internet.e2e",
        username: Some("user"),
        password: Some("secret"),
        authentication: Some(Authentication::PapOrChap),
    };
    c.configure_context(&cfg).await.unwrap();
    let line = c.context_config(CTX).await.unwrap();
    assert_eq!(line.context_type, ContextType::Ipv4);
    assert_eq!(
        (
            line.apn.as_str(),
            line.username.as_str(),
            line.password.as_str()
        ),
        ("internet.e2e", "user", "secret")
    );
    assert_eq!(line.authentication, Authentication::PapOrChap);
    assert_eq!(c.context_address(CTX).await.unwrap(), None);
    c.activate(CTX).await.unwrap();
    assert_eq!(
        c.context_address(CTX).await.unwrap().as_deref(),
        Some("127.0.0.1")
    );
    let mut active = heapless::Vec::<_, 15>::new();
    c.contexts(&mut active).await.unwrap();
    assert_eq!(active.len(), 1);
    assert_eq!(active[0].context_state, ContextState::Activated);
    c.deactivate(CTX).await.unwrap();
    assert_eq!(c.context_address(CTX).await.unwrap(), None);
    c.contexts(&mut active).await.unwrap();
    assert!(active.is_empty());
}
both_flavours!(context, config());

/// 3.2.1: a TCP client in buffer access mode against an echo server: every send form, reads
/// drained until empty, the counters, the state, close.
async fn tcp_buffer_access<L: Link>(c: &mut Client<'_, L>, _w: &Wire) {
    let echo = EchoServer::start().unwrap();
    ready(c).await;
    let s = c
        .open(&tcp(id(0), echo.port(), AccessMode::BufferAccess))
        .await
        .unwrap();
    assert_eq!(s, id(0));
    c.send(s, HOSTILE).await.unwrap();
    assert_eq!(read_exactly(c, s, HOSTILE.len()).await, HOSTILE);
    c.send_terminated(s, b"ends with ctrl-z").await.unwrap();
    assert_eq!(read_exactly(c, s, 16).await, b"ends with ctrl-z");
    c.send_hex(s, b"\x00\x01\xfe\xff").await.unwrap();
    assert_eq!(read_exactly(c, s, 4).await, b"\x00\x01\xfe\xff");
    let n = (HOSTILE.len() + 16 + 4) as u32;
    let counters = c.read_counters(s).await.unwrap();
    assert_eq!(
        (
            counters.total_receive_length,
            counters.have_read_length,
            counters.unread_length
        ),
        (n, n, 0)
    );
    let acked = c.wait_acknowledged(s).await.unwrap();
    assert_eq!((acked.total_send_length, acked.unacked_bytes), (n, 0));
    let state = c.socket_state(s).await.unwrap().unwrap();
    assert_eq!(state.socket_service_type, SocketServiceType::Tcp);
    assert_eq!(state.socket_state, SocketState::Connected);
    assert_eq!(state.remote_port.get(), echo.port());
    assert_eq!(state.access_mode, AccessMode::BufferAccess);
    c.close(s).await.unwrap();
    assert_eq!(c.socket_state(s).await.unwrap(), None);
    assert_eq!(echo.connections(), 1);
}
both_flavours!(tcp_buffer_access, config());

/// 3.2.2: a TCP client in direct push mode: the data arrives in the URC; then switched to
/// buffer access with `AT+QISWTMD` and read with `AT+QIRD`.
async fn tcp_direct_push<L: Link>(c: &mut Client<'_, L>, _w: &Wire) {
    let echo = EchoServer::start().unwrap();
    ready(c).await;
    let s = c
        .open(&tcp(id(1), echo.port(), AccessMode::DirectPush))
        .await
        .unwrap();
    c.send(s, HOSTILE).await.unwrap();
    until(c, "pushed data", |c| c.pushed_len(s) >= HOSTILE.len()).await;
    let mut buf = [0u8; 256];
    let n = c.read(s, &mut buf).await.unwrap();
    assert_eq!(&buf[..n], HOSTILE);
    c.switch_mode(s, AccessMode::BufferAccess).await.unwrap();
    c.send(s, b"now buffered").await.unwrap();
    assert_eq!(read_exactly(c, s, 12).await, b"now buffered");
    assert_eq!(c.pushed_len(s), 0);
    let state = c.socket_state(s).await.unwrap().unwrap();
    assert_eq!(state.access_mode, AccessMode::BufferAccess);
    c.close(s).await.unwrap();
}
both_flavours!(tcp_direct_push, config());

/// 3.2.3: a TCP client in transparent mode: `CONNECT`, raw data both ways, `+++` back to
/// command mode, `AT+QISWTMD` into transparent mode again.
async fn tcp_transparent<L: Link>(c: &mut Client<'_, L>, w: &Wire) {
    let echo = EchoServer::start().unwrap();
    ready(c).await;
    let s = c
        .open(&tcp(id(2), echo.port(), AccessMode::Transparent))
        .await
        .unwrap();
    assert!(w.digest.is_transparent());
    c.write_transparent(HOSTILE).await.unwrap();
    assert_eq!(tapped(w, HOSTILE.len()).await, HOSTILE);
    c.leave_transparent(guard_ms()).await.unwrap();
    assert!(!w.digest.is_transparent());
    // Command mode again: the socket is still there, in buffer access mode (section 2.2),
    // and the client recorded that mode for it.
    assert_eq!(c.socket(s).mode, Some(AccessMode::BufferAccess));
    assert_eq!(w.digest.access_mode(s), Some(AccessMode::BufferAccess));
    let state = c.socket_state(s).await.unwrap().unwrap();
    assert_eq!(state.access_mode, AccessMode::BufferAccess);
    assert_eq!(state.socket_state, SocketState::Connected);
    c.send(s, b"in between").await.unwrap();
    assert_eq!(read_exactly(c, s, 10).await, b"in between");
    c.switch_mode(s, AccessMode::Transparent).await.unwrap();
    assert!(w.digest.is_transparent());
    c.write_transparent(b"second time").await.unwrap();
    assert_eq!(tapped(w, 11).await, b"second time");
    c.leave_transparent(guard_ms()).await.unwrap();
    c.close(s).await.unwrap();
    assert_eq!(c.socket_state(s).await.unwrap(), None);
}
both_flavours!(tcp_transparent, config());

/// Settings that change the framing, end to end: `recvind` (the buffer-access URC carries
/// a length but no data) beside a direct-push socket (whose URC carries both), and the
/// payload echo of `AT+QISDE=1`.
async fn framing_settings<L: Link>(c: &mut Client<'_, L>, _w: &Wire) {
    let echo = EchoServer::start().unwrap();
    ready(c).await;
    c.set_recv_indication(Recvind::Enable).await.unwrap();
    let buffered = c
        .open(&tcp(id(0), echo.port(), AccessMode::BufferAccess))
        .await
        .unwrap();
    let pushed = c
        .open(&tcp(id(1), echo.port(), AccessMode::DirectPush))
        .await
        .unwrap();
    c.send(buffered, HOSTILE).await.unwrap();
    c.send(pushed, b"pushed beside").await.unwrap();
    assert_eq!(read_exactly(c, buffered, HOSTILE.len()).await, HOSTILE);
    assert_eq!(read_exactly(c, pushed, 13).await, b"pushed beside");
    c.set_recv_indication(Recvind::Disable).await.unwrap();
    c.set_send_echo(Echo::On).await.unwrap();
    c.send(buffered, HOSTILE).await.unwrap();
    c.send(pushed, HOSTILE).await.unwrap();
    assert_eq!(read_exactly(c, buffered, HOSTILE.len()).await, HOSTILE);
    assert_eq!(read_exactly(c, pushed, HOSTILE.len()).await, HOSTILE);
    c.set_send_echo(Echo::Off).await.unwrap();
    c.close(buffered).await.unwrap();
    c.close(pushed).await.unwrap();
}
both_flavours!(framing_settings, config());

/// 3.3 (automatic accept): a TCP listener gives a client the highest free socket on its
/// own; data both ways; the client's close is reported.
async fn tcp_server_automatic<L: Link>(c: &mut Client<'_, L>, _w: &Wire) {
    ready(c).await;
    let listener = id(1);
    c.open(&server(
        listener,
        ServiceType::TcpListener,
        AccessMode::BufferAccess,
    ))
    .await
    .unwrap();
    let state = c.socket_state(listener).await.unwrap().unwrap();
    assert_eq!(state.socket_state, SocketState::Listening);
    let mut peer = connect(state.local_port.get());
    let s = c
        .next_incoming(listener, WAIT.as_millis() as u32)
        .await
        .unwrap();
    assert_eq!(s, id(11), "the highest free connectID");
    let incoming = c.socket_state(s).await.unwrap().unwrap();
    assert_eq!(incoming.socket_service_type, SocketServiceType::TcpIncoming);
    assert_eq!(
        incoming.remote_port.get(),
        peer.local_addr().unwrap().port()
    );
    c.send(s, HOSTILE).await.unwrap();
    assert_eq!(read_n(&mut peer, HOSTILE.len()), HOSTILE);
    peer.write_all(b"from the client").unwrap();
    assert_eq!(read_exactly(c, s, 15).await, b"from the client");
    drop(peer);
    until(c, "the closed URC", |c| c.socket(s).closed).await;
    c.close(s).await.unwrap();
    c.close(listener).await.unwrap();
}
both_flavours!(tcp_server_automatic, config());

/// 3.3 (manual accept): with `AT+QICFG="tcp/accept",0` each client waits for
/// `AT+QIACCEPT`: one refused, one accepted on the socket the host picks.
async fn tcp_server_manual<L: Link>(c: &mut Client<'_, L>, _w: &Wire) {
    ready(c).await;
    c.exec(&qicfg::tcp_accept::Set {
        accept_mode: AcceptMode::Manual,
    })
    .await
    .unwrap();
    let listener = id(2);
    c.open(&server(
        listener,
        ServiceType::TcpListener,
        AccessMode::DirectPush,
    ))
    .await
    .unwrap();
    let port = local_port(c, listener).await;
    let mut refused = connect(port);
    until(c, "an accept request", |c| {
        c.socket(listener).accept_requests > 0
    })
    .await;
    c.refuse(listener).await.unwrap();
    let mut b = [0u8; 1];
    match refused.read(&mut b) {
        Ok(0) => {}
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        other => panic!("a refused client should see its connection end, got {other:?}"),
    }
    let mut peer = connect(port);
    until(c, "an accept request", |c| {
        c.socket(listener).accept_requests > 0
    })
    .await;
    let result = c.accept(listener, id(5)).await.unwrap();
    assert_eq!(result.incoming_id, id(5));
    assert_eq!(result.remote_addr.as_str(), "127.0.0.1");
    assert_eq!(result.remote_port.get(), peer.local_addr().unwrap().port());
    // The accepted socket takes the listener's mode: its data is pushed.
    peer.write_all(HOSTILE).unwrap();
    until(c, "pushed data", |c| c.pushed_len(id(5)) >= HOSTILE.len()).await;
    assert_eq!(read_exactly(c, id(5), HOSTILE.len()).await, HOSTILE);
    c.send(id(5), b"accepted").await.unwrap();
    assert_eq!(read_n(&mut peer, 8), b"accepted");
    c.close(id(5)).await.unwrap();
    c.close(listener).await.unwrap();
}
both_flavours!(tcp_server_manual, config());

/// 3.4: a UDP service (datagrams from anyone, answered with the peer's address) in buffer
/// access and direct push, and a UDP client.
async fn udp<L: Link>(c: &mut Client<'_, L>, _w: &Wire) {
    ready(c).await;
    let peer = UdpPeer::bind().unwrap();
    let service = id(3);
    c.open(&server(
        service,
        ServiceType::UdpService,
        AccessMode::BufferAccess,
    ))
    .await
    .unwrap();
    let service_port = local_port(c, service).await;
    peer.send_to(HOSTILE, service_port).unwrap();
    until(c, "a datagram", |c| c.socket(service).data_pending).await;
    let mut buf = [0u8; 1500];
    let (n, from) = c.read_from(service, &mut buf).await.unwrap().unwrap();
    assert_eq!(&buf[..n], HOSTILE);
    assert_eq!(
        (from.ip.as_str(), from.port().get()),
        ("127.0.0.1", peer.port())
    );
    assert_eq!(c.read_from(service, &mut buf).await.unwrap(), None);
    c.send_to(service, b"answer", &from.ip, from.port())
        .await
        .unwrap();
    let (data, sender) = peer.recv().unwrap();
    assert_eq!(
        (data.as_slice(), sender.port()),
        (&b"answer"[..], service_port)
    );
    c.close(service).await.unwrap();

    let pushed = id(4);
    c.open(&server(
        pushed,
        ServiceType::UdpService,
        AccessMode::DirectPush,
    ))
    .await
    .unwrap();
    let pushed_port = local_port(c, pushed).await;
    peer.send_to(b"pushed datagram", pushed_port).unwrap();
    until(c, "a pushed datagram", |c| c.pushed_len(pushed) > 0).await;
    let (n, from) = c.read_from(pushed, &mut buf).await.unwrap().unwrap();
    assert_eq!(&buf[..n], b"pushed datagram");
    assert_eq!(from.port().get(), peer.port());
    c.close(pushed).await.unwrap();

    let client = id(6);
    let open = qiopen::Open {
        service_type: ServiceType::Udp,
        ..tcp(client, peer.port(), AccessMode::BufferAccess)
    };
    c.open(&open).await.unwrap();
    c.send(client, b"to the peer").await.unwrap();
    assert_eq!(peer.echo_one().unwrap(), b"to the peer");
    assert_eq!(read_exactly(c, client, 11).await, b"to the peer");
    c.close(client).await.unwrap();
}
both_flavours!(udp, config());

// The socket flows again with the module's output cut into random small pieces.
both_flavours!(split_buffer_access: tcp_buffer_access, config(), split_output(1));
both_flavours!(split_direct_push: tcp_direct_push, config(), split_output(2));
both_flavours!(split_transparent: tcp_transparent, config(), split_output(3));
both_flavours!(split_server: tcp_server_manual, config(), split_output(4));
both_flavours!(split_udp: udp, config(), split_output(5));
both_flavours!(split_framing: framing_settings, config(), split_output(6));

/// 3.6: ping a loopback host: every reply and the summary.
async fn ping<L: Link>(c: &mut Client<'_, L>, _w: &Wire) {
    ready(c).await;
    let p = c
        .ping(&qping::Ping {
            context_id: CTX,
            host: "127.0.0.1",
            timeout: Some(PingTimeout::new_const(1)),
            pingnum: Some(Pingnum::new_const(3)),
        })
        .await
        .unwrap();
    assert_eq!(p.replies.len(), 3);
    for r in &p.replies {
        assert_eq!(r.result.get(), 0);
        assert_eq!(r.ip_address.as_deref(), Some("127.0.0.1"));
    }
    let s = &p.summary;
    assert_eq!((s.sent, s.rcvd, s.lost), (Some(3), Some(3), Some(0)));
    assert!(s.min <= s.avg && s.avg <= s.max);
}
both_flavours!(ping, config());

/// 3.7: synchronise with an NTP server on loopback; the module reports the server's time.
async fn ntp<L: Link>(c: &mut Client<'_, L>, _w: &Wire) {
    // 2019-07-21 06:10:59 UTC: the time of the document's example.
    let server = NtpServer::start(1_563_689_459).unwrap();
    ready(c).await;
    let time = c
        .sync_time(&qntp::SyncValue {
            context_id: CTX,
            server: "127.0.0.1",
            ntp_port: Some(NtpPort::new(i64::from(server.port())).unwrap()),
            autosettime: None,
        })
        .await
        .unwrap();
    assert_eq!(time.as_str(), "2019/07/21,06:10:59+00");
    assert_eq!(server.answered(), 1);
}
both_flavours!(ntp, config());

/// 3.8: resolve names through the host's resolver.
async fn dns<L: Link>(c: &mut Client<'_, L>, _w: &Wire) {
    ready(c).await;
    let a = c.resolve::<8>(CTX, "localhost").await.unwrap();
    assert!(a.count >= 1);
    assert!(
        a.addresses.iter().any(|x| x.as_str() == "127.0.0.1"),
        "{a:?}"
    );
    let a = c.resolve::<1>(CTX, "127.0.0.1").await.unwrap();
    assert_eq!(a.count, 1);
    assert_eq!(a.addresses[0].as_str(), "127.0.0.1");
}
both_flavours!(dns, config());

fn error_with(code: ErrorCode) -> Error {
    Error::Module(ModuleError {
        result: ErrorResult::Error,
        last_error: Some(Code::Known(code)),
    })
}

/// 3.9: after `ERROR` the client asks `AT+QIGETERROR` and attaches its code; failures
/// reported in URCs carry theirs.
async fn last_error<L: Link>(c: &mut Client<'_, L>, _w: &Wire) {
    let echo = EchoServer::start().unwrap();
    ready(c).await;
    assert_eq!(
        c.activate(CTX).await,
        Err(error_with(ErrorCode::ActivatePdpContextFailed))
    );
    assert_eq!(
        c.send(id(4), b"nobody").await,
        Err(error_with(ErrorCode::SocketClosed))
    );
    let open = tcp(id(0), echo.port(), AccessMode::BufferAccess);
    c.open(&open).await.unwrap();
    assert_eq!(
        c.open(&open).await,
        Err(Error::Rejected(Code::Known(ErrorCode::SocketIdentityUsed)))
    );
    let line = c.exec(&qigeterror::Query).await.unwrap();
    assert_eq!(line.err.get(), ErrorCode::SocketIdentityUsed.code());
    // A port nobody listens on (bound, then freed).
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    assert_eq!(
        c.open(&tcp(id(1), closed, AccessMode::BufferAccess)).await,
        Err(Error::Rejected(Code::Known(ErrorCode::SocketConnectFailed)))
    );
    c.close(id(0)).await.unwrap();
}
both_flavours!(last_error, Timing::Test.client_config(true));

use qi_tests::e2e::Timing;

/// The network side: a context the network drops and a peer that goes away reach the
/// client as events.
async fn network_events<L: Link>(c: &mut Client<'_, L>, _w: &Wire, control: &qi_sim::Control) {
    let echo = EchoServer::start().unwrap();
    ready(c).await;
    let s = c
        .open(&tcp(id(7), echo.port(), AccessMode::BufferAccess))
        .await
        .unwrap();
    assert!(control.drop_peer(s));
    until(c, "the closed URC", |c| c.socket(s).closed).await;
    c.close(s).await.unwrap();
    assert!(control.deactivate_context(CTX));
    until(c, "the pdpdeact URC", |c| c.context_lost(CTX)).await;
    assert_eq!(c.context_address(CTX).await.unwrap(), None);
}

both_flavours!(network_events, config(), with control);

/// The peer goes away in transparent mode: the data before `NO CARRIER` reaches the tap
/// whole, the line ends transparent mode, the client marks the socket closed, and commands
/// work again at once.
async fn transparent_no_carrier<L: Link>(
    c: &mut Client<'_, L>,
    w: &Wire,
    control: &qi_sim::Control,
) {
    let echo = EchoServer::start().unwrap();
    ready(c).await;
    let s = c
        .open(&tcp(id(3), echo.port(), AccessMode::Transparent))
        .await
        .unwrap();
    c.write_transparent(HOSTILE).await.unwrap();
    assert_eq!(tapped(w, HOSTILE.len()).await, HOSTILE);
    assert!(control.drop_peer(s));
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        assert!(
            std::time::Instant::now() < deadline,
            "no NO CARRIER within {WAIT:?}"
        );
        if c.next_event(5).await == Some(Event::Closed(s)) {
            break;
        }
    }
    assert!(c.socket(s).closed);
    assert!(!w.digest.is_transparent());
    assert!(w.tap.is_empty(), "the NO CARRIER line is not data");
    c.close(s).await.unwrap();
    assert_eq!(c.socket_state(s).await.unwrap(), None);
}

both_flavours!(transparent_no_carrier, config(), with control);

/// The blocking shell itself, and requests that break the spec's rules: a typed error and
/// not a byte on the wire.
#[test]
fn invalid_requests_write_nothing_through_the_blocking_shell() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let written = Arc::new(AtomicUsize::new(0));
    let log: qi_tests::e2e::WireLog = {
        let written = written.clone();
        Arc::new(move |dir, bytes: &[u8]| {
            if dir == qi_tests::e2e::Dir::ToModule {
                written.fetch_add(bytes.len(), Ordering::SeqCst);
            }
        })
    };
    let mut c = qi_tests::e2e::start_blocking(sim(), config(), Some(log));
    c.prepare().unwrap();
    c.activate(CTX).unwrap();
    let before = written.load(Ordering::SeqCst);
    let bad_host = qiopen::Open {
        host: "127.0.0.\"1",
        ..tcp(id(0), 7, AccessMode::BufferAccess)
    };
    assert!(matches!(c.open(&bad_host), Err(Error::Invalid(_))));
    let listener_with_remote = qiopen::Open {
        remote_port: Port::new_const(80),
        ..server(id(0), ServiceType::TcpListener, AccessMode::BufferAccess)
    };
    assert!(matches!(
        c.open(&listener_with_remote),
        Err(Error::Invalid(_))
    ));
    assert!(matches!(c.send(id(0), b""), Err(Error::Invalid(_))));
    let long = "x".repeat(1000);
    assert!(matches!(c.resolve::<1>(CTX, &long), Err(Error::Invalid(_))));
    // One byte more than `<send_length>` allows.
    let too_long = vec![0u8; usize::from(SendLength::MAX.get()) + 1];
    assert!(matches!(
        c.send_to(id(0), &too_long, "127.0.0.1", Port::new_const(9)),
        Err(Error::TooLong { .. })
    ));
    assert_eq!(
        written.load(Ordering::SeqCst),
        before,
        "nothing was written"
    );
    // The module is still in step: a valid call works.
    assert_eq!(
        c.context_address(CTX).unwrap().as_deref(),
        Some("127.0.0.1")
    );
}

/// The core flows through the blocking shell's own methods (`BlockingClient`), as an
/// application on a host would write them.
#[test]
fn core_flows_through_the_blocking_shell() {
    let echo = EchoServer::start().unwrap();
    let ntp = NtpServer::start(1_563_689_459).unwrap();
    let mut c = blocking(config());
    c.prepare().unwrap();
    c.activate(CTX).unwrap();
    assert_eq!(
        c.context_address(CTX).unwrap().as_deref(),
        Some("127.0.0.1")
    );
    for (n, mode) in [AccessMode::BufferAccess, AccessMode::DirectPush]
        .into_iter()
        .enumerate()
    {
        let s = c.open(&tcp(id(n as i64), echo.port(), mode)).unwrap();
        c.send(s, HOSTILE).unwrap();
        let mut got = vec![0u8; HOSTILE.len()];
        let mut filled = 0;
        let deadline = std::time::Instant::now() + WAIT;
        while filled < got.len() {
            filled += c.read(s, &mut got[filled..]).unwrap();
            if filled < got.len() {
                assert!(std::time::Instant::now() < deadline, "{mode:?}: no echo");
                c.next_event(WAIT.as_millis() as u32);
            }
        }
        assert_eq!(got, HOSTILE, "{mode:?}");
        c.close(s).unwrap();
    }
    let p = c
        .ping(&qping::Ping {
            context_id: CTX,
            host: "127.0.0.1",
            timeout: Some(PingTimeout::new_const(1)),
            pingnum: Some(Pingnum::new_const(1)),
        })
        .unwrap();
    assert_eq!(p.summary.rcvd, Some(1));
    let sync = qntp::SyncValue {
        context_id: CTX,
        server: "127.0.0.1",
        ntp_port: Some(NtpPort::new(i64::from(ntp.port())).unwrap()),
        autosettime: None,
    };
    assert_eq!(
        c.sync_time(&sync).unwrap().as_str(),
        "2019/07/21,06:10:59+00"
    );
    let a = c.resolve::<2>(CTX, "127.0.0.1").unwrap();
    assert_eq!(a.addresses[0].as_str(), "127.0.0.1");
    c.deactivate(CTX).unwrap();
    assert_eq!(c.context_address(CTX).unwrap(), None);
}

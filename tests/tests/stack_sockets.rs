//! The stack's sockets through every method of theirs and of the traits they implement:
//! readiness, flush and the split halves of TCP, sockets dropped without a close, and what a
//! UDP socket or service refuses (a datagram longer than one `AT+QISEND`) or sends nothing of
//! (an empty one). Real peers on loopback, every wait bounded.

use embassy_time::{with_timeout, Duration, Timer};
use embedded_io_async::{Read as _, ReadReady, Write as _, WriteReady};
use qi_tests::peers::{EchoServer, UdpPeer};
use qi_tests::stack::{run_stack, test_config, SimStack};
use quectel_qi::client::SEND_CHUNK;
use quectel_qi::stack::{self, Error};
use quectel_qi::AccessMode;

const MODES: [AccessMode; 2] = [AccessMode::BufferAccess, AccessMode::DirectPush];

fn config(mode: AccessMode) -> stack::Config {
    let mut c = test_config();
    c.access_mode = mode;
    c
}

/// Runs `flow` in each access mode on a stack whose context is active.
fn in_each_mode(flow: impl AsyncFn(&SimStack, AccessMode)) {
    for mode in MODES {
        run_stack(
            qi_sim::Config::for_tests(),
            config(mode),
            async |stack: &SimStack, _| {
                stack.activate("internet").await.unwrap();
                flow(stack, mode).await
            },
        );
    }
}

/// Waits (bounded) until `ready` says a read would not wait.
async fn until_readable(mut ready: impl FnMut() -> Result<bool, Error>) {
    with_timeout(Duration::from_secs(10), async {
        while !ready().unwrap() {
            Timer::after_millis(2).await;
        }
    })
    .await
    .expect("data within 10 s");
}

#[test]
fn tcp_readiness_flush_and_the_split_halves() {
    let echo = EchoServer::start().unwrap();
    in_each_mode(async |stack, mode| {
        let mut s = stack.connect("127.0.0.1", echo.port()).await.unwrap();
        assert!(!s.read_ready().unwrap(), "{mode:?}: nothing came yet");
        assert!(!s.peer_closed());
        assert!(s.write_ready().unwrap());
        assert_eq!(
            s.write(b"").await.unwrap(),
            0,
            "an empty write sends nothing"
        );
        s.write_all(b"whole").await.unwrap();
        s.flush().await.unwrap();
        until_readable(|| s.read_ready()).await;
        let mut back = [0u8; 5];
        s.read_exact(&mut back).await.unwrap();
        assert_eq!(&back, b"whole", "{mode:?}");
        {
            let (mut rx, mut tx) = s.split();
            assert!(tx.write_ready().unwrap());
            tx.write_all(b"halves").await.unwrap();
            tx.flush().await.unwrap();
            until_readable(|| rx.read_ready()).await;
            let mut back = [0u8; 6];
            rx.read_exact(&mut back).await.unwrap();
            assert_eq!(&back, b"halves", "{mode:?}");
        }
        s.close().await.unwrap();
    });
}

#[test]
fn sockets_dropped_without_a_close_give_their_ids_back() {
    let echo = EchoServer::start().unwrap();
    let peer = UdpPeer::bind().unwrap();
    in_each_mode(async |stack, mode| {
        let tcp = stack.connect("127.0.0.1", echo.port()).await.unwrap();
        let first = tcp.connect_id();
        drop(tcp);
        let udp = stack
            .connect_udp("127.0.0.1", peer.port(), 0)
            .await
            .unwrap();
        assert_eq!(
            udp.connect_id(),
            first,
            "{mode:?}: the dropped TCP socket's ID"
        );
        drop(udp);
        let service = stack.bind_udp(free_udp_port()).await.unwrap();
        assert_eq!(
            service.connect_id(),
            first,
            "{mode:?}: the dropped UDP socket's ID"
        );
        drop(service);
        let again = stack.connect("127.0.0.1", echo.port()).await.unwrap();
        assert_eq!(
            again.connect_id(),
            first,
            "{mode:?}: the dropped service's ID"
        );
        again.close().await.unwrap();
    });
}

/// A UDP port free a moment ago.
fn free_udp_port() -> u16 {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn too_long() -> Error {
    Error::Client(quectel_qi::client::Error::TooLong { max: SEND_CHUNK })
}

#[test]
fn udp_refuses_a_datagram_longer_than_one_send_and_sends_nothing_of_an_empty_one() {
    let peer = UdpPeer::bind().unwrap();
    let long = vec![b'u'; SEND_CHUNK + 1];
    in_each_mode(async |stack, mode| {
        let mut udp = stack
            .connect_udp("127.0.0.1", peer.port(), 0)
            .await
            .unwrap();
        assert_eq!(udp.send(&long).await, Err(too_long()));
        udp.send(b"").await.unwrap();
        udp.send(b"after").await.unwrap();
        // Neither the refused nor the empty datagram went out: the next one is the first.
        assert_eq!(peer.recv().unwrap().0, b"after", "{mode:?}");
        udp.close().await.unwrap();

        let port = free_udp_port();
        let mut service = stack.bind_udp(port).await.unwrap();
        assert_eq!(
            service.send_to(&long, "127.0.0.1", peer.port()).await,
            Err(too_long())
        );
        service
            .send_to(b"", "127.0.0.1", peer.port())
            .await
            .unwrap();
        service
            .send_to(b"from the service", "127.0.0.1", peer.port())
            .await
            .unwrap();
        assert_eq!(peer.recv().unwrap().0, b"from the service", "{mode:?}");
        peer.send_to(b"to the service", port).unwrap();
        let mut buf = [0u8; 64];
        let (n, from) = service.receive_from(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"to the service", "{mode:?}");
        assert_eq!(from.port().get(), peer.port());
        service.close().await.unwrap();
    });
}

#[test]
fn deactivating_the_context_ends_its_sockets_and_it_can_be_activated_again() {
    let echo = EchoServer::start().unwrap();
    in_each_mode(async |stack, mode| {
        let mut s = stack.connect("127.0.0.1", echo.port()).await.unwrap();
        stack.deactivate().await.unwrap();
        let mut buf = [0u8; 8];
        assert_eq!(s.read(&mut buf).await, Ok(0), "{mode:?}: end of stream");
        assert!(s.peer_closed());
        drop(s);
        stack.activate("internet").await.unwrap();
        let mut again = stack.connect("127.0.0.1", echo.port()).await.unwrap();
        again.write_all(b"again").await.unwrap();
        let mut back = [0u8; 5];
        again.read_exact(&mut back).await.unwrap();
        assert_eq!(&back, b"again", "{mode:?}");
        again.close().await.unwrap();
    });
}

#[test]
fn what_the_module_cannot_do_through_the_nal_traits_is_unsupported_or_not_found() {
    use quectel_qi::embedded_nal_async::{AddrType, Dns, UdpStack};
    in_each_mode(async |stack, _| {
        assert_eq!(
            stack.get_host_by_name("127.0.0.1", AddrType::IPv6).await,
            Err(Error::NotFound),
            "an IPv4 address is no IPv6 answer"
        );
        let mut name = [0u8; 64];
        assert_eq!(
            stack
                .get_host_by_address(std::net::IpAddr::from([127, 0, 0, 1]), &mut name)
                .await,
            Err(Error::Unsupported)
        );
        let local = std::net::SocketAddr::from(([0, 0, 0, 0], free_udp_port()));
        assert!(matches!(
            UdpStack::bind_multiple(&stack, local).await,
            Err(Error::Unsupported)
        ));
    });
}

#[test]
fn the_stack_client_sets_the_accept_mode_and_names_its_last_command() {
    in_each_mode(async |stack, mode| {
        let mut c = stack.client().await.unwrap();
        c.set_accept_mode(quectel_qi::AcceptMode::Manual)
            .await
            .unwrap();
        assert_eq!(c.last_command(), Some("AT+QICFG"));
        // The stack's client works with the stack's settings (capped waits here).
        assert_eq!((c.config().wait_ms)(150_000), 10_000);
        assert!(
            !c.router().socket(quectel_qi::ConnectId::new_const(0)).open,
            "{mode:?}"
        );
    });
}

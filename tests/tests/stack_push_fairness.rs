//! Direct push: a socket whose reader is busy elsewhere must not stall or cost data to the
//! other sockets. Every socket's pushed bytes share one buffer; when it is full, the socket
//! holding the most (the one nobody reads) gives its bytes up, and its reader is told
//! (`Overrun`), instead of the runner stopping the line for everyone.

use std::io::Write as _;
use std::net::TcpListener;
use std::time::Instant;

use embassy_time::{with_timeout, Duration, Timer};
use embedded_io_async::{Read as _, Write as _};
use qi_tests::e2e::random_bytes;
use qi_tests::peers::EchoServer;
use qi_tests::stack::{run_stack, test_config, SimStack};
use quectel_qi::stack::PUSH_CAPACITY;
use quectel_qi::AccessMode;

/// Bytes the idle socket gets: more than the push buffer holds.
const IDLE_BYTES: usize = 2 * PUSH_CAPACITY;

/// A loopback server that sends `data` to its first client and then closes: the module's
/// `closed` notice comes after the last pushed byte, so the peer's close tells the test that
/// every byte was pushed (and, unread, what did not fit was given up).
fn send_and_close(data: Vec<u8>) -> (u16, std::thread::JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let thread = std::thread::spawn(move || {
        let (mut conn, _) = listener.accept().unwrap();
        conn.write_all(&data).unwrap();
    });
    (port, thread)
}

#[test]
fn an_unread_socket_does_not_stall_another_in_direct_push() {
    let echo = EchoServer::start().unwrap();
    let (idle_port, sender) = send_and_close(random_bytes(1, IDLE_BYTES));
    let mut config = test_config();
    config.access_mode = AccessMode::DirectPush;
    run_stack(
        qi_sim::Config::for_tests(),
        config,
        async |stack: &SimStack, _| {
            stack.activate("internet").await.unwrap();
            // The idle socket's bytes come while nobody reads it.
            let mut idle = stack.connect("127.0.0.1", idle_port).await.unwrap();
            let mut busy = stack.connect("127.0.0.1", echo.port()).await.unwrap();
            let started = Instant::now();
            let exchange = async {
                for round in 0..10u64 {
                    let data = random_bytes(round + 2, 100);
                    busy.write_all(&data).await.unwrap();
                    let mut back = vec![0u8; data.len()];
                    if let Err(e) = busy.read_exact(&mut back).await {
                        panic!("round {round} after {:?}: {e:?}", started.elapsed())
                    }
                    assert_eq!(back, data, "round {round}");
                }
            };
            with_timeout(Duration::from_secs(2), exchange)
                .await
                .unwrap_or_else(|_| panic!("stalled {:?}", started.elapsed()));
            // Every byte of the idle socket was pushed (its close comes behind them); the
            // idle socket gave what did not fit up, and its reader is told.
            with_timeout(Duration::from_secs(10), async {
                while !idle.peer_closed() {
                    Timer::after_millis(2).await;
                }
            })
            .await
            .expect("the idle peer's close arrives");
            let mut buf = [0u8; 64];
            let lost = idle.read(&mut buf).await;
            assert!(
                matches!(
                    lost,
                    Err(quectel_qi::stack::Error::Client(
                        quectel_qi::client::Error::Overrun
                    ))
                ),
                "{lost:?}"
            );
            drop((idle, busy));
        },
    );
    sender.join().unwrap();
}

//! The `host` feature: a stack on std threads over a std stream (here the in-memory duplex to
//! the virtual module, as `std::io`), its blocking flavour, and what a port's read timeouts
//! and a dead port do to it.

use std::io::{Read, Write};
use std::time::Duration;

use qi_tests::peers::EchoServer;
use quectel_qi::host;
use quectel_qi::stack::{Error, Stopped};

#[test]
fn read_timeouts_of_the_port_do_not_stop_the_stack() {
    let echo = EchoServer::start().unwrap();
    let (mut end, running) = qi_sim::transport::duplex(qi_sim::Config::for_tests());
    // Every read of an idle port times out after 2 ms.
    end.set_read_timeout(Some(Duration::from_millis(2)));
    let (reader, writer) = end.split();
    let modem = host::spawn(reader, writer, qi_tests::stack::test_config()).unwrap();
    let net = modem.blocking();
    net.activate("internet").unwrap();
    // Idle long enough for many timeouts of the port.
    std::thread::sleep(Duration::from_millis(50));
    assert!(modem.is_running());
    let mut s = net.connect("127.0.0.1", echo.port()).unwrap();
    s.write_all(b"through the blocking flavour\n").unwrap();
    let mut back = [0u8; 29];
    s.read_exact(&mut back).unwrap();
    assert_eq!(&back, b"through the blocking flavour\n");
    s.close().unwrap();

    // The module goes away: the stack says the reader stopped, not that the module is slow.
    assert!(running.control().shutdown());
    running.join();
    // The runner sees the end of the port's stream (bounded wait for that state).
    for _ in 0..500 {
        if !modem.is_running() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(!modem.is_running(), "the runner stops when the port ends");
    let err = net
        .connect("127.0.0.1", echo.port())
        .err()
        .expect("no module");
    assert!(matches!(err, Error::ReaderStopped(_)), "{err:?}");
    assert_eq!(modem.join(), Some(Stopped::EndOfStream));
}

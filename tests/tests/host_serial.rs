//! The `host` feature's own ways to reach a module: a serial port (`host::open_serial`, here
//! the slave side of a pseudo-terminal the virtual module serves) and a TCP connection
//! (`host::connect_tcp` to `qi sim --tcp`), each through the blocking flavour's TCP, UDP and
//! name calls; and a port that fails rather than ends.

use std::io::{self, Read, Write};
use std::time::Duration;

use qi_tests::peers::{EchoServer, UdpPeer};
use qi_tests::stack::test_config;
use quectel_qi::embedded_io::ErrorKind;
use quectel_qi::embedded_nal_async::AddrType;
use quectel_qi::host::{self, HostStack};
use quectel_qi::stack::{Error, Stopped};

/// Waits (bounded) until the runner of `modem` stops.
fn wait_stopped<W: Write + Send + 'static>(modem: &HostStack<W>) {
    for _ in 0..500 {
        if !modem.is_running() {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("the runner did not stop");
}

/// TCP through both trait families of the blocking socket, a name, and UDP, on `modem`.
fn exercise<W: Write + Send + 'static>(modem: &HostStack<W>, echo: &EchoServer) {
    let net = modem.blocking();
    assert!(core::ptr::eq(net.stack(), modem.stack()));
    net.activate("internet").unwrap();
    assert_eq!(
        net.resolve("localhost", AddrType::IPv4).unwrap(),
        core::net::IpAddr::from([127, 0, 0, 1])
    );

    let mut s = net.connect("127.0.0.1", echo.port()).unwrap();
    // `std::io`'s traits.
    io::Write::write_all(&mut s, b"std io\n").unwrap();
    io::Write::flush(&mut s).unwrap();
    let mut back = [0u8; 7];
    io::Read::read_exact(&mut s, &mut back).unwrap();
    assert_eq!(&back, b"std io\n");
    // `embedded_io`'s traits.
    quectel_qi::embedded_io::Write::write_all(&mut s, b"embedded io\n").unwrap();
    quectel_qi::embedded_io::Write::flush(&mut s).unwrap();
    let mut back = [0u8; 12];
    quectel_qi::embedded_io::Read::read_exact(&mut s, &mut back).unwrap();
    assert_eq!(&back, b"embedded io\n");
    s.close().unwrap();

    let peer = UdpPeer::bind().unwrap();
    let mut u = net.connect_udp("127.0.0.1", peer.port(), 0).unwrap();
    u.send(b"one datagram").unwrap();
    assert_eq!(peer.echo_one().unwrap(), b"one datagram");
    let mut buf = [0u8; 64];
    let n = u.receive(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"one datagram");
    u.close().unwrap();
}

#[test]
fn a_serial_port_on_a_pty_carries_the_stack() {
    let echo = EchoServer::start().unwrap();
    let (path, running) = qi_sim::transport::serve_pty(qi_sim::Config::for_tests()).unwrap();
    let modem = host::open_serial(path.to_str().unwrap(), 115_200, test_config()).unwrap();
    exercise(&modem, &echo);
    assert!(modem.is_running());
    // The module goes away and closes the master side: the port hangs up, which is an
    // error of the port (not a timeout), and the runner stops with it.
    assert!(running.control().shutdown());
    running.join();
    wait_stopped(&modem);
    assert_eq!(modem.join(), Some(Stopped::Io(ErrorKind::BrokenPipe)));
}

#[test]
fn a_serial_port_that_does_not_exist_is_an_error() {
    let err = host::open_serial("/dev/qi-no-such-port", 115_200, test_config())
        .err()
        .expect("no such port");
    assert_eq!(err.kind(), io::ErrorKind::NotFound, "{err}");
}

#[test]
fn a_module_over_tcp_carries_the_stack() {
    let echo = EchoServer::start().unwrap();
    let server = qi_sim::transport::serve_tcp("127.0.0.1:0", qi_sim::Config::for_tests()).unwrap();
    let modem = host::connect_tcp(server.local_addr(), test_config()).unwrap();
    exercise(&modem, &echo);
    server.shutdown();
    server.join();
    wait_stopped(&modem);
    assert!(matches!(
        modem.blocking().activate("internet"),
        Err(Error::ReaderStopped(_))
    ));
    assert_eq!(modem.join(), Some(Stopped::EndOfStream));
}

/// A port whose reads fail (after a few timeouts and an interrupted read).
struct FailingPort {
    reads: usize,
}

impl Read for FailingPort {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        self.reads += 1;
        Err(match self.reads {
            1 => io::ErrorKind::TimedOut.into(),
            2 => io::ErrorKind::WouldBlock.into(),
            3 => io::ErrorKind::Interrupted.into(),
            _ => io::Error::from(io::ErrorKind::BrokenPipe),
        })
    }
}

#[test]
fn a_failing_port_stops_the_runner_with_its_error_kind() {
    let modem = host::spawn(FailingPort { reads: 0 }, io::sink(), test_config()).unwrap();
    wait_stopped(&modem);
    let err = modem
        .blocking()
        .connect("127.0.0.1", 9)
        .err()
        .expect("no module");
    assert!(matches!(err, Error::ReaderStopped(_)), "{err:?}");
    assert_eq!(modem.join(), Some(Stopped::Io(ErrorKind::BrokenPipe)));
}

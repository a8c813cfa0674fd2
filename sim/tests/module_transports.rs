//! The TCP and pseudo-terminal transports, and serial-line pacing.

mod module_support;

use module_support::{read_n, Host, Peer, WAIT};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use qi_sim::transport::{serve_pty, serve_tcp};
use qi_sim::Config;
use std::io::{Read, Write};
use std::os::fd::AsFd;
use std::time::Instant;

/// Reads from `r` until the output ends with `end`; `ready` waits (bounded) for input.
fn read_until(r: &mut impl Read, end: &[u8], mut ready: impl FnMut() -> bool) -> Vec<u8> {
    let mut got = Vec::new();
    let start = Instant::now();
    while !got.ends_with(end) {
        assert!(
            start.elapsed() < WAIT,
            "{:?}",
            String::from_utf8_lossy(&got)
        );
        if !ready() {
            continue;
        }
        let mut b = [0u8; 512];
        let n = r.read(&mut b).unwrap();
        assert!(n > 0, "end of stream");
        got.extend_from_slice(&b[..n]);
    }
    got
}

#[test]
fn tcp_transport_runs_a_module_per_connection() {
    let server = serve_tcp("127.0.0.1:0", Config::for_tests()).unwrap();
    let mut c = std::net::TcpStream::connect(server.local_addr()).unwrap();
    c.set_read_timeout(Some(WAIT)).unwrap();
    c.write_all(b"AT+QIACT=1\r").unwrap();
    assert_eq!(read_until(&mut c, b"OK\r\n", || true), b"\r\nOK\r\n");
    c.write_all(b"AT+QIACT?\r").unwrap();
    assert_eq!(
        read_until(&mut c, b"OK\r\n", || true),
        b"\r\n+QIACT: 1,1,1,\"127.0.0.1\"\r\n\r\nOK\r\n"
    );
    server.shutdown();
    server.join();
}

#[test]
fn tcp_echo_through_the_pseudo_terminal() {
    let (path, running) = serve_pty(Config::for_tests()).unwrap();
    let mut tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&path)
        .unwrap();
    let fd = tty.try_clone().unwrap();
    let ready = || {
        let mut fds = [PollFd::new(fd.as_fd(), PollFlags::POLLIN)];
        poll(&mut fds, PollTimeout::from(100u16)).unwrap() > 0
    };
    let peer = Peer::new();
    let say = |tty: &mut std::fs::File, line: &str, end: &[u8]| {
        tty.write_all(line.as_bytes()).unwrap();
        read_until(tty, end, ready)
    };
    assert_eq!(say(&mut tty, "AT+QIACT=1\r", b"OK\r\n"), b"\r\nOK\r\n");
    let open = format!("AT+QIOPEN=1,0,\"TCP\",\"127.0.0.1\",{},0,1\r", peer.port);
    assert_eq!(
        say(&mut tty, &open, b"+QIOPEN: 0,0\r\n"),
        b"\r\nOK\r\n\r\n+QIOPEN: 0,0\r\n"
    );
    let mut conn = peer.accept();
    assert_eq!(say(&mut tty, "AT+QISEND=0,4\r", b"> "), b"\r\n> ");
    assert_eq!(say(&mut tty, "ping", b"SEND OK\r\n"), b"\r\nSEND OK\r\n");
    let got = read_n(&mut conn, 4);
    conn.write_all(&got).unwrap();
    assert_eq!(
        read_until(&mut tty, b"ping\r\n", ready),
        b"\r\n+QIURC: \"recv\",0,4\r\nping\r\n"
    );
    running.control().shutdown();
    running.join();
}

#[test]
fn pacing_holds_the_line_rate() {
    // 9600 baud carries 960 bytes a second: 192 payload bytes need at least 200 ms.
    let mut h = Host::start(Config {
        baud: Some(9600),
        ..Config::for_tests()
    });
    assert_eq!(h.cmd("AT+QIACT=1"), ["OK"]);
    let peer = Peer::new();
    let cmd = format!("AT+QIOPEN=1,0,\"TCP\",\"127.0.0.1\",{},0,0", peer.port);
    assert_eq!(h.cmd(&cmd), ["OK"]);
    assert_eq!(h.line(), "+QIOPEN: 0,0");
    let mut conn = peer.accept();
    let t = Instant::now();
    h.send("AT+QISEND=0,192");
    h.prompt();
    h.write(&[b'x'; 192]);
    assert_eq!(h.line(), "SEND OK");
    assert!(t.elapsed().as_millis() >= 200, "{:?}", t.elapsed());
    assert_eq!(read_n(&mut conn, 192), vec![b'x'; 192]);
    h.finish();
}

//! A TCP echo exchange through `qi sim --pty`, from a plain serial client: the test opens the
//! printed pty path with the `serialport` crate and speaks AT commands as raw bytes to a
//! loopback echo server it runs itself. Every wait is bounded.

mod pty_support;

use pty_support::{Serial, Sim};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

#[test]
fn tcp_echo_through_the_pty() {
    // A loopback echo server: one connection, echoes until the peer closes.
    let echo = TcpListener::bind("127.0.0.1:0").unwrap();
    let echo_port = echo.local_addr().unwrap().port();
    std::thread::spawn(move || {
        if let Ok((mut s, _)) = echo.accept() {
            s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
            let mut buf = [0u8; 256];
            while let Ok(n) = s.read(&mut buf) {
                if n == 0 || s.write_all(&buf[..n]).is_err() {
                    break;
                }
            }
        }
    });

    let (_sim, path) = Sim::start(&[]);
    let mut s = Serial::open(&path);
    let wait = Duration::from_secs(10);

    s.command("AT+QIACT=1", b"OK\r\n");
    let open = format!("AT+QIOPEN=1,0,\"TCP\",\"127.0.0.1\",{echo_port},0,0");
    s.command(&open, b"+QIOPEN: 0,0\r\n");
    s.command("AT+QISEND=0,5", b"\r\n> ");
    s.write(b"hello");
    s.read_until(b"SEND OK\r\n", wait);
    // Buffer access: the module announces the echo, then the host reads it.
    s.read_until(b"+QIURC: \"recv\",0\r\n", wait);
    let got = s.command("AT+QIRD=0,1500", b"\r\nOK\r\n");
    let text = String::from_utf8_lossy(&got);
    assert!(text.contains("+QIRD: 5\r\nhello\r\n"), "{text:?}");
    s.command("AT+QICLOSE=0", b"OK\r\n");
}

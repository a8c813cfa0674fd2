//! A TCP echo exchange through `qi sim --pty`, from a plain serial client: the test opens the
//! printed pty path with the `serialport` crate and speaks AT commands as raw bytes to a
//! loopback echo server it runs itself. Every wait is bounded.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Kills the `qi sim` child when the test ends, however it ends.
struct Sim(Child);

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A serial port and what was read from it but not yet looked at.
struct Serial {
    port: Box<dyn serialport::SerialPort>,
    pending: Vec<u8>,
}

impl Serial {
    /// Reads until `want` has arrived; returns everything up to and including it, keeps the
    /// rest. Fails after `wait`.
    fn read_until(&mut self, want: &[u8], wait: Duration) -> Vec<u8> {
        let end = Instant::now() + wait;
        let mut buf = [0u8; 512];
        loop {
            if let Some(i) = self.pending.windows(want.len()).position(|w| w == want) {
                let rest = self.pending.split_off(i + want.len());
                return std::mem::replace(&mut self.pending, rest);
            }
            assert!(
                Instant::now() < end,
                "waited for {:?}; got {:?}",
                String::from_utf8_lossy(want),
                String::from_utf8_lossy(&self.pending)
            );
            match self.port.read(&mut buf) {
                Ok(n) => self.pending.extend_from_slice(&buf[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                Err(e) => panic!("read: {e}"),
            }
        }
    }

    fn write(&mut self, bytes: &[u8]) {
        self.port.write_all(bytes).unwrap();
    }

    fn command(&mut self, line: &str, want: &[u8]) -> Vec<u8> {
        self.write(format!("{line}\r").as_bytes());
        self.read_until(want, Duration::from_secs(10))
    }
}

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

    let mut child = Command::new(env!("CARGO_BIN_EXE_qi"))
        .args(["sim", "--pty"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let _sim = Sim(child);
    let mut first = String::new();
    BufReader::new(stdout).read_line(&mut first).unwrap();
    let path = first
        .trim()
        .strip_prefix("pty: ")
        .unwrap_or_else(|| panic!("qi sim printed {first:?}"))
        .to_string();

    let port = serialport::new(&path, 115_200)
        .timeout(Duration::from_millis(100))
        .open()
        .unwrap();
    let mut s = Serial {
        port,
        pending: Vec::new(),
    };
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

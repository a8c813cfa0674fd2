//! Test support: a host that talks raw bytes to a virtual module over the in-memory duplex,
//! with every wait bounded.

#![allow(dead_code)]

use qi_sim::transport::{duplex, HostEnd, Running};
use qi_sim::Config;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::time::{Duration, Instant};

/// The longest any single wait may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(10);

/// The host side of a running module.
pub struct Host {
    end: HostEnd,
    buf: Vec<u8>,
    pub running: Option<Running>,
}

impl Host {
    pub fn start(config: Config) -> Host {
        let (mut end, running) = duplex(config);
        end.set_read_timeout(Some(WAIT));
        Host {
            end,
            buf: Vec::new(),
            running: Some(running),
        }
    }

    /// A module with the test configuration and context 1 active.
    pub fn active() -> Host {
        let mut h = Host::start(Config::for_tests());
        assert_eq!(h.cmd("AT+QIACT=1"), ["OK"]);
        h
    }

    pub fn control(&self) -> &qi_sim::Control {
        self.running.as_ref().unwrap().control()
    }

    /// Sends a command line (CR added).
    pub fn send(&mut self, line: &str) {
        self.write(format!("{line}\r").as_bytes());
    }

    pub fn write(&mut self, bytes: &[u8]) {
        self.end.write_all(bytes).expect("the module takes input");
    }

    fn fill(&mut self) {
        let mut b = [0u8; 4096];
        match self.end.read(&mut b) {
            Ok(0) => panic!(
                "the module stopped; unread: {:?}",
                String::from_utf8_lossy(&self.buf)
            ),
            Ok(n) => self.buf.extend_from_slice(&b[..n]),
            Err(e) => panic!(
                "no output from the module ({e}); unread: {:?}",
                String::from_utf8_lossy(&self.buf)
            ),
        }
    }

    fn skip_crlf(&mut self) {
        loop {
            let n = self
                .buf
                .iter()
                .take_while(|b| **b == b'\r' || **b == b'\n')
                .count();
            self.buf.drain(..n);
            if !self.buf.is_empty() {
                return;
            }
            self.fill();
        }
    }

    /// The next line (blank lines skipped), without CR LF.
    pub fn line(&mut self) -> String {
        self.skip_crlf();
        loop {
            if let Some(i) = self.buf.windows(2).position(|w| w == b"\r\n") {
                let l = String::from_utf8_lossy(&self.buf[..i]).into_owned();
                self.buf.drain(..i + 2);
                return l;
            }
            self.fill();
        }
    }

    /// Exactly `n` raw bytes.
    pub fn data(&mut self, n: usize) -> Vec<u8> {
        while self.buf.len() < n {
            self.fill();
        }
        self.buf.drain(..n).collect()
    }

    /// The data prompt as real modules print it: `>` and a space (erratum prompt-spacing).
    pub fn prompt(&mut self) {
        self.skip_crlf();
        while self.buf.len() < 2 {
            self.fill();
        }
        assert_eq!(
            &self.buf[..2],
            b"> ",
            "{:?}",
            String::from_utf8_lossy(&self.buf)
        );
        self.buf.drain(..2);
    }

    /// Sends a command and returns its lines up to and including the final result.
    pub fn cmd(&mut self, line: &str) -> Vec<String> {
        self.send(line);
        self.until_final()
    }

    /// Lines up to and including a final result.
    pub fn until_final(&mut self) -> Vec<String> {
        let mut lines = Vec::new();
        loop {
            let l = self.line();
            let last = matches!(
                l.as_str(),
                "OK" | "ERROR" | "SEND OK" | "SEND FAIL" | "CONNECT" | "NO CARRIER"
            ) || l.starts_with("+CME ERROR:");
            lines.push(l);
            if last {
                return lines;
            }
        }
    }

    /// One read of the host end, as it comes (what was buffered first).
    pub fn read_raw(&mut self) -> Vec<u8> {
        if !self.buf.is_empty() {
            return std::mem::take(&mut self.buf);
        }
        let mut b = [0u8; 4096];
        let n = self.end.read(&mut b).expect("output from the module");
        b[..n].to_vec()
    }

    /// Everything read so far and not consumed.
    pub fn pending(&self) -> &[u8] {
        &self.buf
    }

    /// Opens TCP client 0 to a fresh peer in access mode `mode` (2: transparent) and returns
    /// the peer's side.
    pub fn open_client(&mut self, mode: u8) -> TcpStream {
        let peer = Peer::new();
        let cmd = format!("AT+QIOPEN=1,0,\"TCP\",\"127.0.0.1\",{},0,{mode}", peer.port);
        if mode == 2 {
            assert_eq!(self.cmd(&cmd), ["CONNECT"]);
        } else {
            assert_eq!(self.cmd(&cmd), ["OK"]);
            assert_eq!(self.line(), "+QIOPEN: 0,0");
        }
        peer.accept()
    }

    /// A send command, its prompt, then `payload`; the caller reads what follows.
    pub fn send_payload(&mut self, command: &str, payload: &[u8]) {
        self.send(command);
        self.prompt();
        self.write(payload);
    }

    /// Sets `AT+QICFG="<setting>",<value>` and checks that reading it back gives `value`.
    pub fn configure(&mut self, setting: &str, value: &str) {
        assert_eq!(self.cmd(&format!("AT+QICFG=\"{setting}\",{value}")), ["OK"]);
        assert_eq!(
            self.cmd(&format!("AT+QICFG=\"{setting}\"")),
            [format!("+QICFG: \"{setting}\",{value}"), "OK".to_string()]
        );
    }

    /// Stops the module by dropping the host end, and waits for it.
    pub fn finish(mut self) {
        let running = self.running.take();
        drop(self);
        if let Some(r) = running {
            r.join();
        }
    }
}

/// A loopback TCP server for the module's clients.
pub struct Peer {
    pub listener: TcpListener,
    pub port: u16,
}

impl Peer {
    pub fn new() -> Peer {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        Peer { listener, port }
    }

    /// The next connection, with bounded reads.
    pub fn accept(&self) -> TcpStream {
        let (s, _) = self.listener.accept().unwrap();
        s.set_read_timeout(Some(WAIT)).unwrap();
        s
    }
}

/// Reads exactly `n` bytes from a stream (bounded by its read timeout).
pub fn read_n(s: &mut TcpStream, n: usize) -> Vec<u8> {
    let mut v = vec![0u8; n];
    s.read_exact(&mut v).expect("the peer receives");
    v
}

/// A loopback UDP socket with bounded reads.
pub fn udp_peer() -> UdpSocket {
    let u = UdpSocket::bind("127.0.0.1:0").unwrap();
    u.set_read_timeout(Some(WAIT)).unwrap();
    u
}

/// Waits until `f` holds, checking every few milliseconds, for at most [`WAIT`].
pub fn wait_until(mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < WAIT, "condition not met in time");
        std::thread::sleep(Duration::from_millis(5));
    }
}

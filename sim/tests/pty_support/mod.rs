//! Test support: `qi sim` as a child process on a pseudo-terminal, opened with the
//! `serialport` crate like any serial program would, with every wait bounded.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};

/// Kills the `qi sim` child when the test ends, however it ends.
pub struct Sim {
    child: Child,
    stdout: BufReader<ChildStdout>,
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Sim {
    /// Starts `qi sim --pty` with `args`; returns it and the pty's path.
    pub fn start(args: &[&str]) -> (Sim, String) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_qi"))
            .args(["sim", "--pty"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let mut sim = Sim { child, stdout };
        let path = sim.announced("pty: ");
        (sim, path)
    }

    /// The next line `qi sim` printed, which must start with `prefix`; without it.
    pub fn announced(&mut self, prefix: &str) -> String {
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        line.trim()
            .strip_prefix(prefix)
            .unwrap_or_else(|| panic!("qi sim printed {line:?}, not {prefix:?}"))
            .to_string()
    }
}

/// A serial port and what was read from it but not yet looked at.
pub struct Serial {
    port: Box<dyn serialport::SerialPort>,
    pending: Vec<u8>,
}

impl Serial {
    pub fn open(path: &str) -> Serial {
        let port = serialport::new(path, 115_200)
            .timeout(Duration::from_millis(100))
            .open()
            .unwrap();
        Serial {
            port,
            pending: Vec::new(),
        }
    }

    /// Reads until `want` has arrived; returns everything up to and including it, keeps the
    /// rest. Fails after `wait`.
    pub fn read_until(&mut self, want: &[u8], wait: Duration) -> Vec<u8> {
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

    pub fn write(&mut self, bytes: &[u8]) {
        self.port.write_all(bytes).unwrap();
    }

    /// Sends `line` ended by CR and waits for `want`.
    pub fn command(&mut self, line: &str, want: &[u8]) -> Vec<u8> {
        self.write(format!("{line}\r").as_bytes());
        self.read_until(want, Duration::from_secs(10))
    }
}

/// Sends one line to the fault port of `qi sim --control` and returns its answer.
pub fn fault(control: &mut BufReader<TcpStream>, line: &str) -> String {
    writeln!(control.get_mut(), "{line}").unwrap();
    let mut answer = String::new();
    control.read_line(&mut answer).unwrap();
    answer.trim().to_string()
}

//! Talking to a module (real or virtual) one command at a time, and `qi send`.
//!
//! [`exchange`] writes a command line, answers a `>` prompt with the payload, and reads until a
//! final result; completeness is judged by the log decoder, so a payload that holds `OK` does
//! not end a reply early. `qi send` validates every line first: when one fails, nothing is
//! written (the port is not even opened).

use crate::decode::{self, Kind, Record};
use quectel_qi::describe::Prompt;
use quectel_qi::Request;
use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

/// A byte link to a module.
pub trait Link {
    /// Writes all of `bytes`.
    fn send(&mut self, bytes: &[u8]) -> io::Result<()>;
    /// Reads what is there within `wait`; 0 bytes when nothing came.
    fn recv(&mut self, buf: &mut [u8], wait: Duration) -> io::Result<usize>;
}

fn timed_out(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
    )
}

impl Link for Box<dyn serialport::SerialPort> {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.write_all(bytes)?;
        self.flush()
    }

    fn recv(&mut self, buf: &mut [u8], wait: Duration) -> io::Result<usize> {
        self.set_timeout(wait.max(Duration::from_millis(1)))?;
        match self.read(buf) {
            Err(e) if timed_out(&e) => Ok(0),
            r => r,
        }
    }
}

impl Link for std::net::TcpStream {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.write_all(bytes)
    }

    fn recv(&mut self, buf: &mut [u8], wait: Duration) -> io::Result<usize> {
        self.set_read_timeout(Some(wait.max(Duration::from_millis(1))))?;
        match self.read(buf) {
            Ok(0) => Err(io::ErrorKind::UnexpectedEof.into()),
            Err(e) if timed_out(&e) => Ok(0),
            r => r,
        }
    }
}

impl Link for crate::transport::HostEnd {
    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.write_all(bytes)
    }

    fn recv(&mut self, buf: &mut [u8], wait: Duration) -> io::Result<usize> {
        self.set_read_timeout(Some(wait.max(Duration::from_millis(1))));
        match self.read(buf) {
            Ok(0) => Err(io::ErrorKind::UnexpectedEof.into()),
            Err(e) if timed_out(&e) => Ok(0),
            r => r,
        }
    }
}

/// What came back for one command.
#[derive(Debug, Clone)]
pub struct Reply {
    /// The exchange as a log (command, module output, payload), decoded.
    pub records: Vec<Record>,
    /// The final result (`OK`, `ERROR`, `CME ERROR`, `SEND OK`, ...), or `None` on a timeout.
    pub result: Option<String>,
    /// The exchange as a log, for printing.
    pub log: Vec<u8>,
}

/// How long to wait for the final result of a command line: the form's `TIMEOUT_MS`; for a
/// line that fails validation, the form it came closest to; for a command outside the spec,
/// the shortest of the spec.
pub fn timeout_of(line: &str) -> Duration {
    let ms = match Request::decode(line.as_bytes()) {
        Ok(r) => r.timeout_ms(),
        Err(_) => match Request::diagnose(line.as_bytes()) {
            Some((shape, _)) => shape.timeout_ms,
            None => quectel_qi::describe::REQUESTS
                .iter()
                .map(|s| s.timeout_ms)
                .min()
                .unwrap_or(0),
        },
    };
    Duration::from_millis(u64::from(ms))
}

/// Sends `line` (a `\r` is added), answers a prompt with `payload`, and reads until a final
/// result or `timeout`. URCs that arrive meanwhile are part of the reply.
pub fn exchange(
    link: &mut dyn Link,
    line: &str,
    payload: Option<&[u8]>,
    timeout: Duration,
) -> io::Result<Reply> {
    let mut sent = line.as_bytes().to_vec();
    sent.push(b'\r');
    link.send(&sent)?;
    let mut log = line.as_bytes().to_vec();
    log.extend_from_slice(b"\r\n");
    let deadline = Instant::now() + timeout;
    let mut buf = [0u8; 2048];
    let mut prompted = false;
    loop {
        let records = decode::decode_log(&log);
        // Records after the command line itself (and its echo).
        let answer = records.iter().skip(1);
        if let Some(r) = answer.clone().find(|r| r.kind == Kind::Result) {
            let result = r.name.clone();
            return Ok(Reply {
                records,
                result,
                log,
            });
        }
        if !prompted && answer.clone().any(|r| r.kind == Kind::Prompt) {
            prompted = true;
            let data = prompt_payload(line, payload);
            link.send(&data)?;
            log.extend_from_slice(&data);
            log.extend_from_slice(b"\r\n");
        }
        let now = Instant::now();
        if now >= deadline {
            return Ok(Reply {
                records,
                result: None,
                log,
            });
        }
        let n = link.recv(&mut buf, (deadline - now).min(Duration::from_millis(200)))?;
        log.extend_from_slice(&buf[..n]);
    }
}

/// The bytes to send after a prompt: the payload, ended by Ctrl+Z where the form reads up to
/// it; Esc (cancel) when no payload was given.
fn prompt_payload(line: &str, payload: Option<&[u8]>) -> Vec<u8> {
    let prompt = Request::decode(line.as_bytes())
        .ok()
        .and_then(|r| r.prompt());
    match (payload, prompt) {
        (Some(p), Some(Prompt::CtrlZ { .. })) => [p, b"\x1a"].concat(),
        (Some(p), _) => p.to_vec(),
        (None, _) => b"\x1b".to_vec(),
    }
}

/// `qi send --port DEV [--baud N] LINE...`. A line after a command that prompts is its payload.
pub fn main(port: &str, baud: u32, lines: &[String]) -> u8 {
    let steps = match plan(lines) {
        Ok(s) => s,
        Err(errors) => {
            for e in errors {
                eprintln!("qi send: {e}");
            }
            eprintln!("qi send: nothing was sent");
            return 1;
        }
    };
    let mut link = match serialport::new(port, baud)
        .timeout(Duration::from_millis(100))
        .open()
    {
        Ok(p) => p,
        Err(e) => {
            eprintln!("qi send: {port}: {e}");
            return 2;
        }
    };
    let mut ok = true;
    for (line, payload) in steps {
        match exchange(&mut link, &line, payload.as_deref(), timeout_of(&line)) {
            Ok(reply) => {
                print!("{}", decode::listing::render(&reply.records));
                if reply.result.is_none() {
                    println!("(no final result within {:?})", timeout_of(&line));
                }
                ok &= reply.result.as_deref() == Some("OK")
                    || reply.result.as_deref() == Some("SEND OK");
            }
            Err(e) => {
                eprintln!("qi send: {port}: {e}");
                return 2;
            }
        }
    }
    u8::from(!ok)
}

/// A command line and the payload for its prompt, if it prompts.
pub type Step = (String, Option<Vec<u8>>);

/// Pairs each command with its payload (the next line, for a command that prompts) and checks
/// every command against the spec. Errors name the line and what is wrong.
pub fn plan(lines: &[String]) -> Result<Vec<Step>, Vec<String>> {
    let mut steps = Vec::new();
    let mut errors = Vec::new();
    let mut it = lines.iter();
    while let Some(line) = it.next() {
        match Request::decode(line.as_bytes()) {
            Ok(req) => {
                let payload = req
                    .prompt()
                    .and_then(|_| it.next().map(|p| p.as_bytes().to_vec()));
                if let (Some(Prompt::Length(n)), Some(p)) = (req.prompt(), &payload) {
                    if p.len() != n {
                        errors.push(format!(
                            "{line}: the payload has {} bytes, not {n}",
                            p.len()
                        ));
                    }
                }
                steps.push((line.clone(), payload));
            }
            Err(_) => {
                let why = match Request::diagnose(line.as_bytes()) {
                    Some((shape, e)) => decode::describe_error(shape, e, line.as_bytes()),
                    None => "not a command of the spec".into(),
                };
                errors.push(format!("{line}: {why}"));
            }
        }
    }
    if errors.is_empty() {
        Ok(steps)
    } else {
        Err(errors)
    }
}

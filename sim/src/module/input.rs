//! Bytes from the host: command lines (with echo), the payload after the `>` prompt, and raw
//! data in transparent mode with the `+++` escape.

use super::settings::Settings;
use super::{Mode, Sim, MAX_LINE};
use crate::config::Config;
use quectel_qi::{ConnectId, DtrBehaviour, Echo, ErrorCode, SendDataFormat, SocketState};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

const CTRL_Z: u8 = 0x1a;
const ESC: u8 = 0x1b;
const BACKSPACE: u8 = 0x08;

/// How the payload after the prompt ends.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Until {
    /// At Ctrl+Z (Esc cancels); at most this many bytes.
    CtrlZ(usize),
    /// After this many bytes.
    Length(usize),
}

/// An AT+QISEND waiting for its payload.
pub(crate) struct Prompt {
    pub id: ConnectId,
    pub until: Until,
    pub to: Option<SocketAddr>,
    pub hex: bool,
    pub buf: Vec<u8>,
    pub overflow: bool,
    /// When AT+QICFG="qisend/timeout" sends what has come (None: it waits for ever).
    pub deadline: Option<Instant>,
}

/// Transparent mode on a socket.
pub(crate) struct Transparent {
    pub id: ConnectId,
    /// `+` characters held back as a possible escape.
    pub plus: usize,
    pub first_plus: Instant,
    pub last_plus: Instant,
    /// When the last byte that was not part of an escape came.
    pub last_data: Instant,
    /// Data waiting to be sent as one packet (AT+QICFG="transpktsize"/"transwaittm").
    pub pending: Vec<u8>,
    pub pending_since: Option<Instant>,
}

impl Transparent {
    pub(crate) fn new(id: ConnectId) -> Self {
        let now = Instant::now();
        Transparent {
            id,
            plus: 0,
            first_plus: now,
            last_plus: now,
            last_data: now,
            pending: Vec::new(),
            pending_since: None,
        }
    }

    fn wait_time(settings: &Settings) -> Duration {
        Duration::from_millis(100 * u64::from(settings.transwaittm.get()))
    }

    pub(crate) fn deadline(&self, cfg: &Config, settings: &Settings) -> Option<Instant> {
        let escape = match self.plus {
            0 => None,
            3 => Some(self.last_plus + cfg.guard_time),
            _ => Some(self.first_plus + cfg.guard_time),
        };
        let packet = self.pending_since.map(|t| t + Self::wait_time(settings));
        match (escape, packet) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// When AT+QICFG="qisend/timeout" sends a payload whose last byte came now (None: never).
fn send_deadline(settings: &Settings) -> Option<Instant> {
    let ms = u64::from(settings.qisend_timeout.get());
    (ms > 0).then(|| Instant::now() + Duration::from_millis(ms))
}

impl Sim {
    /// Takes bytes from the host in whatever mode the port is.
    pub(crate) fn feed(&mut self, mut bytes: &[u8]) {
        // A restart (AT+CFUN=1,1) drops the rest of what came with it.
        while !bytes.is_empty() && !self.stop && self.modem.restarting_until.is_none() {
            if std::mem::take(&mut self.after_cr) {
                bytes = self.line_ending_lf(bytes);
                continue;
            }
            let n = match &self.mode {
                Mode::Command => self.command_input(bytes),
                Mode::Prompt(_) => self.prompt_input(bytes),
                Mode::Transparent(_) => self.transparent_input(bytes),
                Mode::Waiting(_) => {
                    self.held.extend_from_slice(bytes);
                    bytes.len()
                }
            };
            bytes = &bytes[n..];
        }
    }

    /// The first byte after the CR of a command line, which came later than the CR: an LF is
    /// the host's CR LF line ending, not data (erratum host-line-ending). After a line that
    /// opened a prompt or transparent mode, a host known to end lines with CR alone keeps its
    /// LF as data. The LF is not echoed: the echo of its line is over.
    fn line_ending_lf<'b>(&mut self, bytes: &'b [u8]) -> &'b [u8] {
        match bytes {
            [b'\n', rest @ ..] if self.host_crlf || matches!(self.mode, Mode::Command) => {
                self.host_crlf = true;
                rest
            }
            _ => {
                self.host_crlf = false;
                bytes
            }
        }
    }

    /// Feeds what came while an open was under way.
    pub(crate) fn release_held(&mut self) {
        let held = std::mem::take(&mut self.held);
        self.feed(&held);
    }

    /// Command state (V.250 5.2.1): characters until `AT` are ignored, the line ends at CR,
    /// Backspace (S5) takes back a character; everything is echoed as it comes (ATE1).
    fn command_input(&mut self, bytes: &[u8]) -> usize {
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                b'\r' => {
                    // A CR LF that arrives together ends the line together, echo included.
                    let crlf = bytes.get(i + 1) == Some(&b'\n');
                    let end = i + 1 + usize::from(crlf);
                    if self.echo {
                        self.out.send(&bytes[..end]);
                    }
                    match bytes.get(i + 1) {
                        Some(b'\n') => self.host_crlf = true,
                        Some(_) => self.host_crlf = false,
                        None => self.after_cr = true,
                    }
                    self.prefix_a = false;
                    let line = std::mem::take(&mut self.line);
                    let overflow = std::mem::take(&mut self.line_overflow);
                    if overflow {
                        self.fail(ErrorCode::InvalidParameters);
                    } else if !line.is_empty() {
                        self.execute(&line);
                    }
                    return end;
                }
                BACKSPACE => {
                    self.line.pop();
                    if self.line.len() < 2 {
                        // The prefix itself was taken back.
                        self.prefix_a = self
                            .line
                            .first()
                            .is_some_and(|a| a.eq_ignore_ascii_case(&b'A'));
                        self.line.clear();
                    }
                }
                _ if self.line.is_empty() => {
                    // Waiting for the prefix `AT`.
                    if self.prefix_a && b.eq_ignore_ascii_case(&b'T') {
                        self.line.extend_from_slice(&[b'A', b]);
                        self.prefix_a = false;
                    } else {
                        self.prefix_a = b.eq_ignore_ascii_case(&b'A');
                    }
                }
                _ if self.line.len() >= MAX_LINE => self.line_overflow = true,
                _ => self.line.push(b),
            }
        }
        if self.echo {
            self.out.send(bytes);
        }
        bytes.len()
    }

    fn prompt_input(&mut self, bytes: &[u8]) -> usize {
        let Mode::Prompt(p) = &mut self.mode else {
            return 0;
        };
        let mut used = 0;
        let mut end = None;
        for &b in bytes {
            used += 1;
            match p.until {
                Until::CtrlZ(max) => match b {
                    CTRL_Z => {
                        end = Some(true);
                        break;
                    }
                    ESC => {
                        end = Some(false);
                        break;
                    }
                    _ if p.buf.len() >= if p.hex { 2 * max } else { max } => p.overflow = true,
                    _ => p.buf.push(b),
                },
                Until::Length(n) => {
                    p.buf.push(b);
                    if p.buf.len() == if p.hex { 2 * n } else { n } {
                        end = Some(true);
                        break;
                    }
                }
            }
        }
        if self.data_echo == Echo::On {
            // The input is echoed, not what ends it (erratum qisde-echo-shape).
            let shown = match end {
                Some(_) if matches!(p.until, Until::CtrlZ(_)) => &bytes[..used - 1],
                _ => &bytes[..used],
            };
            self.out.send(shown);
        }
        let deadline = send_deadline(&self.settings);
        if let Mode::Prompt(p) = &mut self.mode {
            p.deadline = deadline;
        }
        match end {
            Some(true) => self.finish_send(),
            Some(false) => {
                self.back_to_commands();
                self.last_error = ErrorCode::CancelSending;
                self.fail(ErrorCode::CancelSending);
            }
            None => {}
        }
        used
    }

    /// Sends the collected payload and answers SEND OK, SEND FAIL or ERROR.
    pub(crate) fn finish_send(&mut self) {
        let Mode::Prompt(p) = std::mem::replace(&mut self.mode, Mode::Command) else {
            return;
        };
        self.back_to_commands();
        let data = if p.hex {
            let mut out = vec![0u8; p.buf.len() / 2];
            match quectel_qi::wire::hex_decode(&p.buf, &mut out) {
                Ok(n) => {
                    out.truncate(n);
                    Some(out)
                }
                Err(_) => None,
            }
        } else {
            Some(p.buf)
        };
        let Some(data) = data.filter(|_| !p.overflow) else {
            self.last_error = ErrorCode::InvalidParameters;
            self.fail(ErrorCode::InvalidParameters);
            return;
        };
        self.send_payload(p.id, &data, p.to);
    }

    /// Writes a payload to a socket and gives the final result of a send.
    pub(crate) fn send_payload(&mut self, id: ConnectId, data: &[u8], to: Option<SocketAddr>) {
        let Some(s) = self.sockets[usize::from(id.get())].as_mut() else {
            self.last_error = ErrorCode::SocketClosed;
            self.fail(ErrorCode::SocketClosed);
            return;
        };
        if s.state != SocketState::Connected {
            self.last_error = ErrorCode::SocketClosed;
            self.fail(ErrorCode::SocketClosed);
            return;
        }
        match s.send(data, to, &self.cfg.network) {
            Ok(()) => {
                self.last_error = ErrorCode::OperateSuccess;
                self.result("SEND OK");
                self.out.glue_next = self.field.glue_send_ok;
            }
            Err(_) => {
                self.last_error = ErrorCode::SocketWriteFailed;
                self.result("SEND FAIL");
            }
        }
    }

    /// Starts reading a payload after the prompt.
    pub(crate) fn start_prompt(&mut self, id: ConnectId, until: Until, to: Option<SocketAddr>) {
        let hex = self.settings.send_format == SendDataFormat::Hex;
        self.prompt();
        self.mode = Mode::Prompt(Prompt {
            id,
            until,
            to,
            hex,
            buf: Vec::new(),
            overflow: false,
            deadline: send_deadline(&self.settings),
        });
    }

    fn transparent_input(&mut self, bytes: &[u8]) -> usize {
        let guard = self.cfg.guard_time;
        let Mode::Transparent(t) = &mut self.mode else {
            return 0;
        };
        let now = Instant::now();
        for &b in bytes {
            let escape_can_start = t.plus > 0 || now.duration_since(t.last_data) >= guard;
            if b == b'+' && t.plus < 3 && escape_can_start {
                if t.plus == 0 {
                    t.first_plus = now;
                }
                t.plus += 1;
                t.last_plus = now;
                continue;
            }
            for _ in 0..std::mem::take(&mut t.plus) {
                t.pending.push(b'+');
            }
            t.pending.push(b);
            t.last_data = now;
            t.pending_since.get_or_insert(now);
        }
        self.flush_transparent(false);
        bytes.len()
    }

    /// Sends pending transparent data when a packet is full, its wait time is over, or
    /// `all` is set.
    fn flush_transparent(&mut self, all: bool) {
        let size = usize::from(self.settings.transpktsize.get());
        let wait = Transparent::wait_time(&self.settings);
        let Mode::Transparent(t) = &mut self.mode else {
            return;
        };
        let id = t.id;
        let due = t.pending_since.is_some_and(|s| s.elapsed() >= wait);
        let mut packets = Vec::new();
        while t.pending.len() >= size {
            packets.push(t.pending.drain(..size).collect::<Vec<u8>>());
        }
        if (all || due) && !t.pending.is_empty() {
            packets.push(std::mem::take(&mut t.pending));
        }
        if t.pending.is_empty() {
            t.pending_since = None;
        }
        let network = self.cfg.network.clone();
        if let Some(s) = self.socket(id) {
            for p in packets {
                let _ = s.send(&p, None, &network);
            }
        }
    }

    /// DTR went from low to high (section 1.2): what `AT&D` chose, in transparent mode.
    pub(crate) fn dtr_raised(&mut self) {
        let Mode::Transparent(t) = &self.mode else {
            return;
        };
        let id = t.id;
        match self.modem.dtr {
            DtrBehaviour::CommandMode => {
                // What came before the edge is sent, then the socket goes on in buffer access.
                self.flush_transparent(true);
                self.leave_transparent(id);
                self.result("OK");
            }
            DtrBehaviour::HangUp => {
                self.flush_transparent(true);
                if let Some(s) = self.socket(id) {
                    s.shut();
                    s.state = SocketState::Closing;
                }
                self.back_to_commands();
                self.result("NO CARRIER");
            }
            // Ignored, and any value a newer spec adds.
            _ => {}
        }
    }

    /// Timers of the input side: the `+++` guard time, transparent packets, qisend/timeout.
    pub(crate) fn input_tick(&mut self, now: Instant) {
        let guard = self.cfg.guard_time;
        match &mut self.mode {
            Mode::Transparent(t) => {
                if t.plus == 3 && now.duration_since(t.last_plus) >= guard {
                    t.plus = 0;
                    let id = t.id;
                    self.flush_transparent(true);
                    self.leave_transparent(id);
                    self.result("OK");
                    return;
                }
                if t.plus > 0 && t.plus < 3 && now.duration_since(t.first_plus) >= guard {
                    // Too slow for an escape: the `+` were data.
                    for _ in 0..std::mem::take(&mut t.plus) {
                        t.pending.push(b'+');
                    }
                    t.last_data = now;
                    t.pending_since.get_or_insert(now);
                }
                self.flush_transparent(false);
            }
            Mode::Prompt(p) if p.deadline.is_some_and(|d| d <= now) => {
                if p.buf.is_empty() {
                    self.back_to_commands();
                    self.last_error = ErrorCode::OperationTimeout;
                    self.fail(ErrorCode::OperationTimeout);
                } else {
                    self.finish_send();
                }
            }
            _ => {}
        }
    }
}

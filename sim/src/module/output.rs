//! What the module writes: framing of lines (`<CR><LF>line<CR><LF>`, as section 2.1.2 says),
//! payloads after a line, and the output faults (pieces, bursts).

use crate::config::ChunkPlan;
use quectel_qi::wire::{Overflow, Writer};
use quectel_qi::{RecvDataFormat, ViewMode};
use std::io::Write;
use std::time::{Duration, Instant};

/// Room for the longest line plus a payload in hexadecimal.
const LINE_BUF: usize = 8192;

/// Encodes a line with a generated encoder and frames it.
pub(crate) fn frame(f: impl FnOnce(&mut Writer<'_>) -> Result<(), Overflow>) -> Vec<u8> {
    let mut buf = vec![0u8; LINE_BUF];
    let mut w = Writer::new(&mut buf);
    match f(&mut w) {
        Ok(()) => framed(w.written()),
        // Every line fits LINE_BUF; should one not, nothing half-written goes out.
        Err(Overflow) => Vec::new(),
    }
}

/// `<CR><LF>line<CR><LF>`.
pub(crate) fn framed(line: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(line.len() + 4);
    v.extend_from_slice(b"\r\n");
    v.extend_from_slice(line);
    v.extend_from_slice(b"\r\n");
    v
}

/// A line announcing data (the `+QIRD` reply, a recv URC) followed by the data, set apart and
/// encoded as AT+QICFG="viewmode" and "dataformat" say. `head` writes the line without data.
pub(crate) fn frame_data(
    head: impl FnOnce(&mut Writer<'_>) -> Result<(), Overflow>,
    data: &[u8],
    view: ViewMode,
    format: RecvDataFormat,
) -> Vec<u8> {
    let mut buf = vec![0u8; LINE_BUF];
    let mut w = Writer::new(&mut buf);
    let ok = (|| {
        head(&mut w)?;
        if data.is_empty() {
            return Ok(());
        }
        match view {
            ViewMode::HeaderCommaData => w.comma()?,
            // CR LF, and any mode a newer spec adds before the module models it.
            _ => w.bytes(b"\r\n")?,
        }
        match format {
            RecvDataFormat::Hex => w.hex(data),
            // Text, and any format a newer spec adds.
            _ => w.bytes(data),
        }
    })();
    match ok {
        Ok(()) => framed(w.written()),
        Err(Overflow) => Vec::new(),
    }
}

/// The module's output stream.
pub(crate) struct Output {
    w: Box<dyn Write + Send>,
    plan: Option<ChunkPlan>,
    merge: Duration,
    held: Vec<u8>,
    held_since: Option<Instant>,
    broken: bool,
    /// The next frame loses its leading CR LF (the `glue_send_ok` field fault).
    pub(crate) glue_next: bool,
}

impl Output {
    pub(crate) fn new(w: Box<dyn Write + Send>, plan: Option<ChunkPlan>, merge: Duration) -> Self {
        Output {
            w,
            plan,
            merge,
            held: Vec::new(),
            held_since: None,
            broken: false,
            glue_next: false,
        }
    }

    /// Whether the host side is gone.
    pub(crate) fn broken(&self) -> bool {
        self.broken
    }

    /// Sends bytes (or holds them for the next burst).
    pub(crate) fn send(&mut self, mut bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        if std::mem::take(&mut self.glue_next) {
            bytes = bytes.strip_prefix(b"\r\n").unwrap_or(bytes);
        }
        if self.merge.is_zero() {
            self.write_now(bytes);
        } else {
            self.held.extend_from_slice(bytes);
            self.held_since.get_or_insert_with(Instant::now);
        }
    }

    /// When the held burst is due.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        self.held_since.map(|t| t + self.merge)
    }

    pub(crate) fn tick(&mut self, now: Instant) {
        if self.deadline().is_some_and(|d| d <= now) {
            self.flush_all();
        }
    }

    pub(crate) fn flush_all(&mut self) {
        self.held_since = None;
        let held = std::mem::take(&mut self.held);
        self.write_now(&held);
    }

    fn write_now(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() && !self.broken {
            let n = match &mut self.plan {
                Some(p) => p.next(bytes.len()),
                None => bytes.len(),
            };
            if self.w.write_all(&bytes[..n]).is_err() || self.w.flush().is_err() {
                self.broken = true;
            }
            bytes = &bytes[n..];
        }
    }
}

//! The line discipline both decoders share: lines cut at LF (CR trimmed), blank lines skipped,
//! echoes told from commands, transparent mode after `CONNECT`, and payload consumed by length
//! (after a prompt or a data line) whatever bytes it holds.

use super::framed::{self, Cut};
use super::{trim_cr, truncated, Dir, Kind, Record};
use quectel_qi::describe::Prompt;
use quectel_qi::framing::Framing;
use quectel_qi::wire::DecodeError;
use serde_json::{json, Map, Value};

/// A line for the decoder to read.
pub enum Next<'a> {
    /// A command line: its number and text.
    Host(usize, &'a [u8]),
    /// A module line: its number, its text and where the line after it starts.
    Module(usize, &'a [u8], usize),
}

/// Where a decoder is in its log, and what it has decoded.
pub struct Reader<'a> {
    pub input: &'a [u8],
    /// Where the next line starts.
    pub pos: usize,
    /// The number of the line at `pos`.
    pub line: usize,
    /// The last host command line, while nothing followed it (for echo detection).
    last_command: Option<&'a [u8]>,
    /// After CONNECT: the port carries raw data.
    pub transparent: bool,
    /// Lines left before the reader gives up (every line consumes input; a bound all the same).
    steps_left: usize,
    pub out: Vec<Record>,
}

impl<'a> Reader<'a> {
    pub fn new(input: &'a [u8]) -> Self {
        Reader {
            input,
            pos: 0,
            line: 1,
            last_command: None,
            transparent: false,
            steps_left: input.len() + 1,
            out: Vec::new(),
        }
    }

    /// The next line to decode; blank lines, echoes and transparent data are recorded here.
    pub fn next(&mut self) -> Option<Next<'a>> {
        while self.pos < self.input.len() && self.steps_left > 0 {
            self.steps_left -= 1;
            let start = self.pos;
            let end = self.input[start..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(self.input.len(), |i| start + i);
            let next = (end + 1).min(self.input.len());
            let text = trim_cr(&self.input[start..end]);
            let line = self.line;
            self.pos = next;
            if end < self.input.len() {
                self.line += 1;
            }
            if text.is_empty() {
                continue;
            }
            if self.transparent {
                self.transparent_line(line, text);
            } else if text.len() >= 2 && text[..2].eq_ignore_ascii_case(b"AT") {
                if !self.echo(line, text) {
                    self.last_command = Some(text);
                    return Some(Next::Host(line, text));
                }
            } else {
                self.last_command = None;
                return Some(Next::Module(line, text, next));
            }
        }
        None
    }

    /// A line that repeats the command just before it is the module's echo of it.
    fn echo(&mut self, line: usize, text: &[u8]) -> bool {
        if self.last_command != Some(text) {
            return false;
        }
        let Some(mut r) = self.out.last().cloned() else {
            return false;
        };
        r.line = line;
        r.dir = Dir::Module;
        r.kind = Kind::Echo;
        self.out.push(r);
        self.last_command = None;
        true
    }

    fn transparent_line(&mut self, line: usize, text: &[u8]) {
        let mut r = Record::new(line, Dir::Module, Kind::Data, text);
        if text == b"+++" {
            r.dir = Dir::Host;
            self.transparent = false;
        } else if text == b"NO CARRIER" {
            r.kind = Kind::Result;
            r.name = Some("NO CARRIER".into());
            self.transparent = false;
        }
        if r.kind == Kind::Data {
            r.fields.insert("bytes".into(), json!(text.len()));
        }
        self.out.push(r);
    }

    /// The `>` prompt of the pending command (`prompt`: what it reads), then the host's
    /// payload, which may start on the prompt's own line (`> data`).
    pub fn prompt(
        &mut self,
        line: usize,
        text: &'a [u8],
        prompt: Option<Prompt>,
        framing: Framing,
    ) {
        let mut r = Record::new(line, Dir::Module, Kind::Prompt, b">");
        let after = text.strip_prefix(b"> ").unwrap_or(&text[1..]);
        let data_at = if after.is_empty() {
            self.pos
        } else {
            // The prompt's line continues with data: re-read it as data.
            self.pos = after.as_ptr() as usize - self.input.as_ptr() as usize;
            self.line = line;
            self.pos
        };
        let avail = &self.input[data_at..];
        let n = match prompt {
            None => {
                r.errors
                    .push("a prompt, but no pending command prompts for data".into());
                0
            }
            Some(Prompt::Length(n)) => {
                // In hex sending the host types two digits per byte.
                let n = framed::sent_len(framing, n);
                if avail.len() < n {
                    // Nothing comes after the short payload: the log stops inside it.
                    r.warnings.push(format!(
                        "{n} bytes of data announced; {}",
                        truncated(avail.len())
                    ));
                }
                n.min(avail.len())
            }
            Some(Prompt::CtrlZ { max_len }) => {
                match avail.iter().position(|&b| b == 0x1a || b == 0x1b) {
                    Some(i) => {
                        if i > max_len {
                            r.errors
                                .push(format!("{i} bytes of data; at most {max_len} allowed"));
                        }
                        i + 1
                    }
                    None if !avail.contains(&b'\n') => {
                        r.warnings
                            .push(format!("no Ctrl+Z or Esc yet; {}", truncated(avail.len())));
                        avail.len()
                    }
                    None => {
                        // Take the rest of the line, so that the lines after it still decode.
                        r.errors
                            .push("the data does not end with Ctrl+Z or Esc".into());
                        avail
                            .iter()
                            .position(|&b| b == b'\n')
                            .unwrap_or(avail.len())
                    }
                }
            }
        };
        self.out.push(r);
        self.data(data_at, n, Dir::Host);
    }

    /// A framed data line (hex data, view mode 1): its record `r` gets the fields `decode`
    /// reads with the payload's bytes (or why there are none), then the payload follows as
    /// data, maybe from the header's own line (`line`; `next` is where the line after it
    /// starts).
    pub fn framed(
        &mut self,
        mut r: Record,
        line: usize,
        next: usize,
        cut: &Cut,
        decode: impl FnOnce(&[u8]) -> Result<Map<String, Value>, DecodeError>,
    ) {
        match framed::payload(self.input, cut) {
            Ok(bytes) => match decode(&bytes) {
                Ok(fields) => r.fields = fields,
                Err(e) => r.errors.push(format!("does not decode: {e:?}")),
            },
            Err(DecodeError::Truncated) => {
                let have = self.input.len().saturating_sub(cut.wire_start);
                r.warnings.push(format!(
                    "{} bytes of data announced; {}",
                    cut.n,
                    truncated(have)
                ));
            }
            Err(e) => r.errors.push(format!(
                "the payload is not {} bytes in the data format set: {e:?}",
                cut.n
            )),
        }
        self.out.push(r);
        self.pos = cut.wire_start;
        if cut.wire_start < next {
            self.line = line;
        }
        self.data(cut.wire_start, cut.wire_len, Dir::Module);
    }

    /// Consumes `n` payload bytes at `at` (the current position): one data record per line
    /// they touch, each counting its bytes (line ends included).
    pub fn data(&mut self, at: usize, n: usize, dir: Dir) {
        if n == 0 {
            return;
        }
        let end = (at + n).min(self.input.len());
        let payload = &self.input[at..end];
        for seg in payload.split_inclusive(|&b| b == b'\n') {
            let mut r = Record::new(self.line, dir, Kind::Data, seg);
            r.fields.insert("bytes".into(), json!(seg.len()));
            self.out.push(r);
            if seg.ends_with(b"\n") {
                self.line += 1;
            }
        }
        self.pos = end;
    }
}

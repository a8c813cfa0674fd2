//! `qi decode`: reads a modem log, classifies each line, decodes it with the generated codec and
//! validates it against the spec.
//!
//! A plain log does not say who wrote a line, so the direction is inferred:
//! - a line starting with `AT` (any case) is a host command, unless it repeats the command just
//!   before it, which makes it the module's echo;
//! - every other line is the module's: a final result, the `>` prompt, an information line
//!   (decoded in the context of the command it answers), a URC, or unknown;
//! - payload is consumed as data by length, whatever bytes it holds: after `+QIRD: <n>` and after a
//!   direct-push `+QIURC: "recv"` (module data), and after the `>` prompt (host data: the length
//!   the command gave, or up to Ctrl+Z/Esc). Data may start on the prompt's own line (`> data`);
//! - after `CONNECT` the port is transparent: every line is data (listed as the module's; a plain
//!   log does not say) until a `+++` line or `NO CARRIER`.
//!
//! Blank lines carry nothing and get no record.

pub mod by_spec;
mod errors;
mod fields;
mod framed;
pub mod listing;
mod problems;
pub mod ranges;
mod reader;

pub use errors::describe as describe_error;

use quectel_qi::wire::DecodeError;
use quectel_qi::{AccessMode, ErrorCode, Recvind, Request, Urc};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// Who wrote a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    Host,
    Module,
}

/// What a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Command,
    Echo,
    Response,
    Result,
    Prompt,
    Data,
    Urc,
    Unknown,
}

impl Dir {
    pub fn as_str(self) -> &'static str {
        match self {
            Dir::Host => "host",
            Dir::Module => "module",
        }
    }
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Command => "command",
            Kind::Echo => "echo",
            Kind::Response => "response",
            Kind::Result => "result",
            Kind::Prompt => "prompt",
            Kind::Data => "data",
            Kind::Urc => "urc",
            Kind::Unknown => "unknown",
        }
    }
}

/// One decoded input line.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// 1-based line number in the input.
    pub line: usize,
    pub dir: Dir,
    pub kind: Kind,
    /// The AT name without `AT+` or `+` (`QIOPEN`), or the final result; `None` when unknown.
    pub name: Option<String>,
    /// `test`, `read`, `write` or `execute`, for commands and echoes.
    pub form: Option<&'static str>,
    /// For URCs, the spec's name of the variant (`closed` for `+QIURC: "closed",0`).
    pub variant: Option<&'static str>,
    /// What is wrong with the line, in words; empty when it is valid.
    pub errors: Vec<String>,
    /// What is worth knowing but not wrong (a log that ends inside a payload is truncated,
    /// not invalid; a test response that lists other values than the spec).
    pub warnings: Vec<String>,
    /// For a test response: each field whose list differs from the spec's.
    pub differences: Vec<Difference>,
    /// The decoded fields, by the spec's names.
    pub fields: Map<String, Value>,
    /// The line as read (payload bytes escaped), for the listing.
    pub text: String,
}

impl Record {
    fn new(line: usize, dir: Dir, kind: Kind, raw: &[u8]) -> Self {
        Record {
            line,
            dir,
            kind,
            name: None,
            form: None,
            variant: None,
            errors: Vec::new(),
            warnings: Vec::new(),
            differences: Vec::new(),
            fields: Map::new(),
            text: raw.escape_ascii().to_string(),
        }
    }

    pub fn valid(&self) -> bool {
        self.errors.is_empty()
    }

    /// The record as one JSON object (the `--json` output).
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("line".into(), json!(self.line));
        m.insert("dir".into(), json!(self.dir.as_str()));
        m.insert("kind".into(), json!(self.kind.as_str()));
        if let Some(n) = &self.name {
            m.insert("name".into(), json!(n));
        }
        if let Some(f) = self.form {
            m.insert("form".into(), json!(f));
        }
        if let Some(v) = self.variant {
            m.insert("variant".into(), json!(v));
        }
        m.insert("valid".into(), json!(self.valid()));
        m.insert("errors".into(), json!(self.errors));
        if !self.warnings.is_empty() {
            m.insert("warnings".into(), json!(self.warnings));
        }
        if !self.differences.is_empty() {
            let d: Vec<Value> = self
                .differences
                .iter()
                .map(
                    |d| json!({ "field": d.field, "doc": d.doc, "module": d.module, "why": d.why }),
                )
                .collect();
            m.insert("differences".into(), Value::Array(d));
        }
        m.insert("fields".into(), Value::Object(self.fields.clone()));
        Value::Object(m)
    }
}

/// A field of a test response whose supported values are not the spec's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The field's name in the generated types (`connect_id`).
    pub field: &'static str,
    /// The document's name (`connectID`).
    pub doc: &'static str,
    /// As the module printed it.
    pub module: String,
    /// What differs, in words.
    pub why: String,
}

/// Compares each field of a test response `line` (fields by wire index, after `prefix`) with
/// the spec's values.
fn compare_test_line<F: problems::FieldInfo>(
    r: &mut Record,
    prefix: &str,
    fields: &[F],
    line: &[u8],
) {
    // The generated decoder splits at every comma; a list `(0,1)` is one field here.
    let body = quectel_qi::wire::line_body(line, prefix.as_bytes()).unwrap_or_default();
    let raw = ranges::split_fields(&String::from_utf8_lossy(body));
    for (f, text) in fields.iter().zip(raw.iter()) {
        if f.name() == "selector" {
            continue;
        }
        let why = match ranges::parse(text) {
            Ok(shown) => ranges::differs_from(&shown, f.ints(), f.keywords(), f.allowed()),
            Err(bad) => Some(format!("does not read as a list of values: {}", bad.0)),
        };
        if let Some(why) = why {
            r.warnings.push(format!("<{}> {why}", f.doc()));
            r.differences.push(Difference {
                field: f.name(),
                doc: f.doc(),
                module: text.to_owned(),
                why,
            });
        }
    }
}

/// Decodes a whole log.
pub fn decode_log(input: &[u8]) -> Vec<Record> {
    let mut s = Session {
        rd: reader::Reader::new(input),
        pending: None,
        recvind: false,
        push: HashMap::new(),
        framing: quectel_qi::framing::Framing::new(),
    };
    s.run();
    s.rd.out
}

/// Whether every record is valid: the exit status of `qi decode`.
pub fn all_valid(records: &[Record]) -> bool {
    records.iter().all(Record::valid)
}

struct Session<'a> {
    rd: reader::Reader<'a>,
    /// The command the module is answering.
    pending: Option<Request<'a>>,
    /// `AT+QICFG="recvind"` as last set: buffer-access recv URCs then carry a length.
    recvind: bool,
    /// Access mode per socket, as opened or switched: whether data is pushed.
    push: HashMap<u8, bool>,
    /// The data framing as the log set it (hex data, view mode 1).
    framing: quectel_qi::framing::Framing,
}

impl<'a> Session<'a> {
    fn run(&mut self) {
        while let Some(next) = self.rd.next() {
            match next {
                reader::Next::Host(line, text) => self.host_line(line, text),
                reader::Next::Module(line, text, next) => self.module_line(line, text, next),
            }
        }
    }

    fn host_line(&mut self, line: usize, text: &'a [u8]) {
        let mut r = Record::new(line, Dir::Host, Kind::Command, text);
        match Request::decode(text) {
            Ok(req) => {
                let shape = req.shape();
                r.name = Some(shape.name.into());
                r.form = Some(shape.kind);
                r.fields = fields::of(|v| req.visit(v));
                self.remember_settings(&req);
                self.pending = Some(req);
            }
            Err(_) => {
                self.pending = None;
                match Request::diagnose(text) {
                    Some((shape, e)) => {
                        r.name = Some(shape.name.into());
                        r.form = Some(shape.kind);
                        r.errors = errors::describe_all(shape, e, text);
                    }
                    None => {
                        r.name = command_name(text);
                        r.errors.push("not a command of the spec".into());
                    }
                }
            }
        }
        self.rd.out.push(r);
    }

    /// Settings that decide how later lines read.
    fn remember_settings(&mut self, req: &Request<'_>) {
        match req {
            Request::QiopenOpen(o) => {
                let push = o.access_mode == Some(AccessMode::DirectPush);
                self.push.insert(o.connect_id.get(), push);
            }
            Request::QiswtmdSwitch(s) => {
                self.push
                    .insert(s.connect_id.get(), s.access_mode == AccessMode::DirectPush);
            }
            Request::QicfgRecvindSet(s) => self.recvind = s.recvind == Recvind::Enable,
            Request::QicfgDataformatSet(s) => {
                self.framing = self
                    .framing
                    .with_data_format(s.send_data_format, s.recv_data_format);
            }
            Request::QicfgViewmodeSet(s) => self.framing = self.framing.with_view_mode(s.view_mode),
            _ => {}
        }
    }

    fn module_line(&mut self, line: usize, text: &'a [u8], next: usize) {
        let rest = &self.rd.input[next..];
        if text[0] == b'>' {
            return self.prompt(line, text);
        }
        if let Some(r) = final_result(line, text) {
            if r.name.as_deref() == Some("CONNECT") {
                self.rd.transparent = true;
            }
            self.pending = None;
            self.rd.out.push(r);
            return;
        }
        // A data line in hex data or view mode 1 answering the pending command.
        if !self.framing.receive_is_plain() {
            if let Some(req) = self.pending.clone() {
                let announced = |h: &[u8], p: &'static [u8]| {
                    let l = req.decode_response(h, p).ok()?;
                    let n = payload_len(&fields::of(|v| l.visit(v)));
                    (n > 0).then_some(n)
                };
                let decode = |h: &[u8], p: &[u8]| {
                    req.decode_response(h, p).map(|l| {
                        (
                            l.shape().name,
                            module_fields(fields::of(|v| l.visit(v))),
                            None,
                        )
                    })
                };
                if self.framed_line(line, text, next, Kind::Response, announced, decode) {
                    return;
                }
            }
        }
        // An information line answering the pending command.
        if let Some(req) = &self.pending {
            if let Ok(l) = req.decode_response(text, rest) {
                let mut r = Record::new(line, Dir::Module, Kind::Response, text);
                r.name = Some(l.shape().name.into());
                r.fields = module_fields(fields::of(|v| l.visit(v)));
                if req.shape().kind == "test" {
                    let shape = l.shape();
                    compare_test_line(&mut r, shape.written, shape.fields, text);
                }
                let n = payload_len(&r.fields);
                self.rd.out.push(r);
                self.rd.data(next, n, Dir::Module);
                return;
            }
        }
        // In view mode 1 a pushed payload follows its URC on the same line.
        if self.framing.view_comma && self.framed_urc(line, text, next) {
            return;
        }
        if let Ok(u) = Urc::decode(text, b"") {
            return self.urc(line, text, u, rest, next);
        }
        // Nothing decodes: say what it came closest to.
        let mut r = Record::new(line, Dir::Module, Kind::Unknown, text);
        let near = self
            .pending
            .as_ref()
            .and_then(|req| req.diagnose_response(text, rest))
            .map(|d| (Kind::Response, d))
            .or_else(|| Urc::diagnose(text, b"").map(|d| (Kind::Urc, d)));
        match near {
            Some((kind, (shape, DecodeError::Truncated))) => {
                // The payload runs to the end of the input: the log stops inside it.
                r.kind = kind;
                r.name = Some(shape.name.into());
                r.warnings.push(truncated(rest.len()));
                self.rd.out.push(r);
                self.rd.data(next, rest.len(), Dir::Module);
                return;
            }
            Some((kind, (shape, e))) => {
                r.kind = kind;
                r.name = Some(shape.name.into());
                r.errors = errors::describe_all(shape, e, text);
            }
            None => {
                r.name = line_name(text);
                r.errors.push(match &self.pending {
                    Some(req) => format!(
                        "neither a response of AT+{} nor a URC of the spec",
                        req.shape().name
                    ),
                    None => "not a line of the spec".into(),
                });
            }
        }
        self.rd.out.push(r);
    }

    /// A pushed data URC in the live framing (hex data, view mode 1).
    fn framed_urc(&mut self, line: usize, text: &'a [u8], next: usize) -> bool {
        let (push, recvind) = (self.push.clone(), self.recvind);
        let announced = |h: &[u8], p: &'static [u8]| {
            let Urc::RecvWithLength(x) = Urc::decode(h, b"").ok()? else {
                return None;
            };
            let pushed = push.get(&x.connect_id.get()).copied().unwrap_or(!recvind);
            let n = Urc::decode(h, p).ok()?.payload_len();
            (pushed && n > 0).then_some(n)
        };
        let decode = |h: &[u8], p: &[u8]| {
            Urc::decode(h, p).map(|u| {
                let fields = module_fields(fields::of(|v| u.visit(v)));
                (u.shape().name, fields, Some(u.shape().form))
            })
        };
        self.framed_line(line, text, next, Kind::Urc, announced, decode)
    }

    fn urc(&mut self, line: usize, text: &'a [u8], u: Urc, rest: &'a [u8], next: usize) {
        // A recv URC with a length carries the data when the socket pushes it; in buffer
        // access mode (with recvind on) it only announces it.
        let pushed = match &u {
            Urc::RecvWithLength(x) => self
                .push
                .get(&x.connect_id.get())
                .copied()
                .unwrap_or(!self.recvind),
            _ => false,
        };
        if pushed && !self.framing.receive_is_plain() && self.framed_urc(line, text, next) {
            return;
        }
        let mut r = Record::new(line, Dir::Module, Kind::Urc, text);
        let mut n = 0;
        if pushed {
            match Urc::decode(text, rest) {
                Ok(p) => {
                    r.name = Some(p.shape().name.into());
                    r.variant = Some(p.shape().form);
                    r.fields = module_fields(fields::of(|v| p.visit(v)));
                    n = p.payload_len();
                }
                Err(e) => {
                    r.name = Some(u.shape().name.into());
                    r.variant = Some(u.shape().form);
                    r.fields = module_fields(fields::of(|v| u.visit(v)));
                    // The payload runs to the end of the input: a shorter one means the log stops in it.
                    if e == DecodeError::Truncated {
                        r.warnings.push(truncated(rest.len()));
                    } else {
                        r.errors.push(errors::describe(u.shape(), e, text));
                    }
                    n = rest.len();
                }
            }
        } else {
            r.name = Some(u.shape().name.into());
            r.variant = Some(u.shape().form);
            r.fields = module_fields(fields::of(|v| u.visit(v)));
        }
        self.rd.out.push(r);
        self.rd.data(next, n, Dir::Module);
    }

    /// A data line in the live framing (hex data, view mode 1): its header decoded with the
    /// payload's bytes, then the payload as data records. False when no header of `text`
    /// announces data.
    #[allow(clippy::type_complexity)]
    fn framed_line(
        &mut self,
        line: usize,
        text: &'a [u8],
        next: usize,
        kind: Kind,
        announced: impl Fn(&[u8], &'static [u8]) -> Option<usize>,
        decode: impl Fn(
            &[u8],
            &[u8],
        )
            -> Result<(&'static str, Map<String, Value>, Option<&'static str>), DecodeError>,
    ) -> bool {
        let start = text.as_ptr() as usize - self.rd.input.as_ptr() as usize;
        let Some(cut) = framed::cut(
            self.rd.input,
            start,
            text.len(),
            next,
            self.framing,
            announced,
        ) else {
            return false;
        };
        let header = &self.rd.input[start..start + cut.header_len];
        let mut r = Record::new(line, Dir::Module, kind, header);
        // Named by the header alone, whether or not its payload is whole.
        if let Ok((name, _, variant)) = decode(header, &vec![0u8; cut.n]) {
            r.name = Some(name.into());
            r.variant = variant;
        }
        self.rd.framed(r, line, next, &cut, |bytes| {
            decode(header, bytes).map(|(_, fields, _)| fields)
        });
        true
    }

    fn prompt(&mut self, line: usize, text: &'a [u8]) {
        let prompt = self.pending.as_ref().and_then(Request::prompt);
        self.rd.prompt(line, text, prompt, self.framing);
    }
}

/// The warning for a log that ends inside a payload.
fn truncated(have: usize) -> String {
    format!("the log ends after {have} bytes of the payload (truncated log)")
}

fn trim_cr(mut b: &[u8]) -> &[u8] {
    while let [rest @ .., b'\r'] = b {
        b = rest;
    }
    while let [b'\r', rest @ ..] = b {
        b = rest;
    }
    b
}

/// The fields of a module line; an `<err>` result code gets its text beside it (`err_text`).
fn module_fields(mut fields: Map<String, Value>) -> Map<String, Value> {
    let text = fields
        .get("err")
        .and_then(Value::as_u64)
        .and_then(|c| u16::try_from(c).ok())
        .and_then(|c| ErrorCode::try_from(c).ok())
        .map(ErrorCode::text);
    if let Some(t) = text {
        fields.insert("err_text".into(), json!(t));
    }
    fields
}

/// The payload length of a decoded line: its `data` field.
fn payload_len(fields: &Map<String, Value>) -> usize {
    match fields.get("data") {
        Some(Value::String(s)) => s.len(),
        Some(Value::Array(a)) => a.len(),
        _ => 0,
    }
}

/// A final result of the spec, or `+CME ERROR: <err>` with the error's text.
fn final_result(line: usize, text: &[u8]) -> Option<Record> {
    let mut r = Record::new(line, Dir::Module, Kind::Result, text);
    if let Some(f) = quectel_qi::describe::FINAL_RESULTS
        .iter()
        .find(|f| f.as_bytes() == text)
    {
        r.name = Some((*f).into());
        return Some(r);
    }
    let code = text.strip_prefix(b"+CME ERROR:")?;
    r.name = Some("CME ERROR".into());
    let code = core::str::from_utf8(code).unwrap_or_default().trim();
    match code.parse::<u16>().ok().map(ErrorCode::try_from) {
        Some(Ok(e)) => {
            r.fields.insert("err".into(), json!(e.code()));
            r.fields.insert("text".into(), json!(e.text()));
        }
        _ => r
            .errors
            .push(format!("<err> = {code} is not an error code of the spec")),
    }
    Some(r)
}

/// `QIOPEN` from `AT+QIOPEN=...`, for lines that match no form.
fn command_name(text: &[u8]) -> Option<String> {
    let body = text.get(2..)?;
    let body = body.strip_prefix(b"+").unwrap_or(body);
    let n = body
        .iter()
        .position(|b| matches!(b, b'=' | b'?'))
        .unwrap_or(body.len());
    (n > 0).then(|| String::from_utf8_lossy(&body[..n]).to_ascii_uppercase())
}

/// `QIURC` from `+QIURC: ...`, for lines that match nothing.
fn line_name(text: &[u8]) -> Option<String> {
    let body = text.strip_prefix(b"+")?;
    let n = body.iter().position(|&b| b == b':')?;
    Some(String::from_utf8_lossy(&body[..n]).into_owned())
}

/// `count` logs made of `pieces` in a fixed pseudo-random order, for no-panic tests.
#[cfg(test)]
fn arbitrary_logs(pieces: &'static [&'static [u8]], count: usize) -> impl Iterator<Item = Vec<u8>> {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    (0..count).map(move |_| {
        let mut log = Vec::new();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let n = (seed % 24) as usize;
        for k in 0..n {
            let pick = (seed >> (k % 48)) as usize ^ k.wrapping_mul(7);
            log.extend_from_slice(pieces[pick % pieces.len()]);
        }
        log
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Logs made of pieces that steer the decoder (prompts, payload announcements, transparent
    /// mode) plus stray bytes: decoding never panics, and line numbers stay within the input.
    #[test]
    fn arbitrary_logs_decode_without_panicking() {
        const PIECES: &[&[u8]] = &[
            b"AT+QIRD=0,1500\r\n",
            b"+QIRD: 5\r\n",
            b"+QIRD: 1500\r\n",
            b"AT+QISEND=0,3\r\n",
            b"AT+QISEND=0\r\n",
            b"> ",
            b">\r\n",
            b"\x1a",
            b"AT+QIOPEN=1,0,\"TCP\",\"127.0.0.1\",7,0,1\r\n",
            b"+QIURC: \"recv\",0,3\r\n",
            b"+QIURC: \"recv\",0,99999\r\n",
            b"CONNECT\r\n",
            b"+++\r\n",
            b"OK\r\n",
            b"+CME ERROR: 5\r\n",
            b"\r\n",
            b"\n",
            b"\xff\x00\"",
            b"AT",
            b"+",
        ];
        for log in arbitrary_logs(PIECES, 2000) {
            let lines = log.iter().filter(|&&b| b == b'\n').count() + 1;
            for r in decode_log(&log) {
                assert!(r.line >= 1 && r.line <= lines, "{r:?} in {log:?}");
            }
        }
    }
}

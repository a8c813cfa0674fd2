//! `qi decode --spec DIR`: the log decoder driven by a spec loaded at run time, for any spec
//! of the schema (spec/README.md), with no generated code. Lines read as the built-in decoder
//! reads them (see [`super`]), from the spec's model alone:
//! - host lines to their form, with named, typed, range-checked parameters and the form's rules;
//! - module lines to a response line of the command in flight (its own lines and its sibling
//!   forms' exactly, then its own tolerantly), else to a URC (exactly, then tolerantly), the
//!   variant chosen by the settings the log set (`when:`, `per:`, see [`settings`]);
//! - final results, `+CME ERROR: <n>` with the spec's name and text of the code (a warning when
//!   the command's `errors:` leave it out), and the text of any field whose type takes only the
//!   spec's error codes (`<field>_text`);
//! - payload after a line with a length field (`data:`), framed by the settings that its
//!   `separator_by` and `encoding_by` name, each value as its `framing:` says (CR LF or a
//!   comma before the data, raw bytes or hex digits); fields read by an earlier field's length,
//!   line ends and all;
//! - payload after a prompt, of the length the command gives or up to Ctrl+Z, in hex digits
//!   (two per byte) while the setting that the prompt's `encoding_by` names frames `hex`.

mod lines;
mod report;
mod rules;
mod settings;
pub mod table;

use super::problems;
use super::reader::{Next, Reader};
use super::{command_name, framed, line_name, truncated};
use super::{Dir, Kind, Record};
use lines::Decoded;
use qi_codegen::spec::{FinalResult, FormKind, PayloadFraming};
use quectel_qi::describe::Prompt;
use quectel_qi::framing::Framing;
use quectel_qi::wire::DecodeError;
use serde_json::{json, Map, Value};
use settings::Settings;
use table::{Line, Request, Table};

/// Loads and checks the spec `DIR[@REVISION][+PROFILE]` (as `qi-codegen` takes it: `spec`,
/// `spec@1.0`, `spec+eg800q`): its tables, or every problem as `file:line:col: message`.
pub fn load(spec: &str) -> Result<Table, Vec<String>> {
    qi_codegen::load_arg(spec)
        .map(Table::new)
        .map_err(|d| d.iter().map(ToString::to_string).collect())
}

/// Decodes a whole log by the tables.
pub fn decode_log(table: &Table, input: &[u8]) -> Vec<Record> {
    let mut s = Session {
        table,
        rd: Reader::new(input),
        pending: None,
        settings: Settings::new(table),
    };
    s.run();
    s.rd.out
}

struct Session<'a> {
    table: &'a Table,
    rd: Reader<'a>,
    /// The form the module is answering, and its decoded fields.
    pending: Option<(&'a Request, Map<String, Value>)>,
    settings: Settings,
}

/// A line shape chosen for a module line: the line and how it decoded (header only).
type Chosen<'a> = (&'a Line, Decoded);

impl<'a> Session<'a> {
    fn run(&mut self) {
        while let Some(next) = self.rd.next() {
            match next {
                Next::Host(line, text) => self.host_line(line, text),
                Next::Module(line, text, next) => self.module_line(line, text, next),
            }
        }
    }

    fn host_line(&mut self, line: usize, text: &'a [u8]) {
        let mut r = Record::new(line, Dir::Host, Kind::Command, text);
        let table = self.table;
        let mut best: Option<(&Request, DecodeError)> = None;
        for req in &table.requests {
            match decode_request(req, text) {
                Ok(fields) => {
                    r.name = Some(req.command.name.clone());
                    r.form = Some(req.kind());
                    r.fields = fields.clone();
                    self.settings.record(req, &fields);
                    self.pending = Some((req, fields));
                    self.rd.out.push(r);
                    return;
                }
                Err(e) => report::closer(&mut best, req, e),
            }
        }
        self.pending = None;
        match best {
            Some((req, e)) => {
                let rule = fields_of(req, text).and_then(|f| rules::broken(req, &f));
                r.name = Some(req.command.name.clone());
                r.form = Some(req.kind());
                r.errors =
                    problems::describe_all(&report::request_shape(req), e, text, rule.as_deref());
            }
            None => {
                r.name = command_name(text);
                r.errors.push("not a command of the spec".into());
            }
        }
        self.rd.out.push(r);
    }

    fn module_line(&mut self, line: usize, text: &'a [u8], next: usize) {
        if text[0] == b'>' {
            return self.prompt(line, text);
        }
        if let Some(r) = self.final_result(line, text) {
            if r.name.as_deref() == Some(FinalResult::Connect.as_str()) {
                self.rd.transparent = true;
            }
            self.pending = None;
            self.rd.out.push(r);
            return;
        }
        let (text, next) = self.whole_line(text, next);
        if self.response(line, text, next) || self.urc(line, text, next) {
            return;
        }
        self.unknown(line, text, next);
    }

    /// The line with the line ends a field read by its length holds (`+QXNOTE: 0,4,"a\r\nb"`):
    /// while a line the module may send is cut inside such a field, the next input line is
    /// part of it. The line as read when none is.
    fn whole_line(&mut self, text: &'a [u8], next: usize) -> (&'a [u8], usize) {
        let input = self.rd.input;
        let start = text.as_ptr() as usize - input.as_ptr() as usize;
        let own = self.pending.iter().flat_map(|(req, _)| &req.lines);
        let shapes: Vec<&Line> = own
            .chain(&self.table.urcs)
            .filter(|l| l.params().iter().any(|f| f.usage().length.is_some()))
            .collect();
        let cut = |t: &[u8]| {
            shapes
                .iter()
                .any(|l| lines::line(l, t, None, false) == Err(DecodeError::Truncated))
        };
        let (mut longer, mut after, mut ends) = (text, next, 0);
        while cut(longer) && after < input.len() {
            let end = input[after..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(input.len(), |i| after + i);
            longer = input[start..end]
                .strip_suffix(b"\r")
                .unwrap_or(&input[start..end]);
            after = (end + 1).min(input.len());
            ends += usize::from(end < input.len());
            if !cut(longer) {
                self.rd.pos = after;
                self.rd.line += ends;
                return (longer, after);
            }
        }
        (text, next)
    }

    /// A line of the command in flight: its own lines and its siblings' exactly, then its own
    /// tolerantly. False when none takes it.
    fn response(&mut self, line: usize, text: &'a [u8], next: usize) -> bool {
        let Some((req, _)) = self.pending else {
            return false;
        };
        let own: Vec<&Line> = prefixed_first(req.lines.iter().collect());
        let siblings = self.table.siblings(req);
        let exact: Vec<&Line> = prefixed_first(
            own.iter()
                .copied()
                .chain(siblings.flat_map(|g| &g.lines))
                .collect(),
        );
        for (pass, strict) in [(exact, true), (own, false)] {
            for shape in pass {
                if self.framed(line, text, next, Kind::Response, shape, strict) {
                    return true;
                }
                if let Ok(d) = lines::line(shape, text, None, strict) {
                    self.decoded(line, text, next, Kind::Response, (shape, d));
                    return true;
                }
            }
        }
        false
    }

    /// A URC: exactly, then tolerantly (URCs marked `exact` only exactly), among the variants
    /// the known settings allow (the first that decodes when they allow none).
    fn urc(&mut self, line: usize, text: &'a [u8], next: usize) -> bool {
        let urcs = &self.table.urcs;
        for shape in urcs.iter().filter(|u| u.data.is_some()) {
            if self.comma_framed(shape) && self.framed(line, text, next, Kind::Urc, shape, true) {
                return true;
            }
        }
        for strict in [true, false] {
            let fits: Vec<Chosen> = urcs
                .iter()
                .filter(|u| strict || !u.urc.is_some_and(|x| x.exact))
                .filter_map(|u| lines::line(u, text, None, strict).ok().map(|d| (u, d)))
                .collect();
            let chosen = fits
                .iter()
                .position(|(u, d)| self.settings.allow(self.table, u, &d.fields))
                .unwrap_or(0);
            if let Some((shape, d)) = fits.into_iter().nth(chosen) {
                if shape.data.is_some()
                    && d.data_len > 0
                    && self.framed(line, text, next, Kind::Urc, shape, strict)
                {
                    return true;
                }
                self.decoded(line, text, next, Kind::Urc, (shape, d));
                return true;
            }
        }
        false
    }

    /// A decoded header; its payload (raw, after CR LF) follows as data.
    fn decoded(
        &mut self,
        line: usize,
        text: &'a [u8],
        next: usize,
        kind: Kind,
        (shape, d): Chosen,
    ) {
        let rest = &self.rd.input[next..];
        let mut r = Record::new(line, Dir::Module, kind, text);
        r.name = Some(shape.name.into());
        r.variant = shape.urc.map(|u| u.name.as_str());
        let mut n = 0;
        if shape.data.is_some() {
            match lines::line(shape, text, Some(rest), false) {
                Ok(full) => {
                    r.fields = self.module_fields(shape, full.fields);
                    n = full.data_len;
                }
                Err(DecodeError::Truncated) => {
                    r.fields = self.module_fields(shape, d.fields);
                    r.warnings.push(truncated(rest.len()));
                    n = rest.len();
                }
                Err(e) => {
                    r.fields = self.module_fields(shape, d.fields);
                    r.errors.push(problems::describe(
                        &report::line_shape(shape),
                        e,
                        text,
                        None,
                    ));
                    n = rest.len().min(d.data_len);
                }
            }
        } else {
            r.fields = self.module_fields(shape, d.fields);
        }
        if kind == Kind::Response {
            if let Some((req, _)) = self.pending {
                if req.form.kind == FormKind::Test {
                    super::compare_test_line(&mut r, shape.prefix, &shape.fields, text);
                }
            }
        }
        self.rd.out.push(r);
        self.rd.data(next, n, Dir::Module);
    }

    /// Whether a data line's payload follows its header after a comma.
    fn comma_framed(&self, shape: &Line) -> bool {
        let by = shape.data.and_then(|d| d.separator_by.as_deref());
        by.is_some_and(|k| {
            self.settings.framing(self.table, k, shape, &Map::new()) == Some(PayloadFraming::Comma)
        })
    }

    /// The live framing of a data line (as its header's instance has it).
    fn framing(&self, shape: &Line, fields: &Map<String, Value>) -> Framing {
        let is = |by: Option<&String>, f: PayloadFraming| {
            by.is_some_and(|k| self.settings.framing(self.table, k, shape, fields) == Some(f))
        };
        let d = shape.data;
        Framing {
            view_comma: is(
                d.and_then(|d| d.separator_by.as_ref()),
                PayloadFraming::Comma,
            ),
            recv_hex: is(d.and_then(|d| d.encoding_by.as_ref()), PayloadFraming::Hex),
            ..Framing::new()
        }
    }

    /// A data line in a framing other than raw bytes after CR LF: its header decoded with the
    /// payload's bytes, then the payload as data records. False when the framing is plain or
    /// no header of `text` announces data.
    fn framed(
        &mut self,
        line: usize,
        text: &'a [u8],
        next: usize,
        kind: Kind,
        shape: &Line,
        strict: bool,
    ) -> bool {
        if shape.data.is_none() {
            return false;
        }
        let fields = lines::line(shape, text, None, strict)
            .map(|d| d.fields)
            .unwrap_or_default();
        let framing = self.framing(shape, &fields);
        if framing.receive_is_plain() {
            return false;
        }
        let settings = &self.settings;
        let table = self.table;
        let announced = |h: &[u8], _: &'static [u8]| {
            let d = lines::line(shape, h, None, strict).ok()?;
            let allowed = kind == Kind::Response || settings.allow(table, shape, &d.fields);
            (allowed && d.data_len > 0).then_some(d.data_len)
        };
        let start = text.as_ptr() as usize - self.rd.input.as_ptr() as usize;
        let Some(cut) = framed::cut(self.rd.input, start, text.len(), next, framing, announced)
        else {
            return false;
        };
        let header = &self.rd.input[start..start + cut.header_len];
        let mut r = Record::new(line, Dir::Module, kind, header);
        r.name = Some(shape.name.into());
        r.variant = shape.urc.map(|u| u.name.as_str());
        let table = self.table;
        self.rd.framed(r, line, next, &cut, |bytes| {
            lines::line(shape, header, Some(bytes), false)
                .map(|d| report::module_fields(table, shape, d.fields))
        });
        true
    }

    /// Nothing decodes: what the line came closest to, and why.
    fn unknown(&mut self, line: usize, text: &'a [u8], next: usize) {
        let rest = &self.rd.input[next..];
        let mut r = Record::new(line, Dir::Module, Kind::Unknown, text);
        let mut near: Option<(Kind, &Line, DecodeError)> = None;
        if let Some((req, _)) = self.pending {
            let mut best = None;
            let siblings = self.table.siblings(req);
            for shape in req.lines.iter().chain(siblings.flat_map(|g| &g.lines)) {
                if let Err(e) = lines::line(shape, text, Some(rest), false) {
                    report::closer_line(&mut best, shape, e);
                }
            }
            near = best.map(|(s, e)| (Kind::Response, s, e));
        }
        if near.is_none() {
            let mut best = None;
            for shape in &self.table.urcs {
                if let Err(e) = lines::line(shape, text, Some(b""), false) {
                    report::closer_line(&mut best, shape, e);
                }
            }
            near = best.map(|(s, e)| (Kind::Urc, s, e));
        }
        match near {
            Some((kind, shape, DecodeError::Truncated)) => {
                r.kind = kind;
                r.name = Some(shape.name.into());
                r.warnings.push(truncated(rest.len()));
                self.rd.out.push(r);
                self.rd.data(next, rest.len(), Dir::Module);
                return;
            }
            Some((kind, shape, e)) => {
                r.kind = kind;
                r.name = Some(shape.name.into());
                r.errors = problems::describe_all(&report::line_shape(shape), e, text, None);
            }
            None => {
                r.name = line_name(text);
                r.errors.push(match &self.pending {
                    Some((req, _)) => format!(
                        "neither a response of {} nor a URC of the spec",
                        req.command.at_name()
                    ),
                    None => "not a line of the spec".into(),
                });
            }
        }
        self.rd.out.push(r);
    }

    fn prompt(&mut self, line: usize, text: &'a [u8]) {
        let send_hex = self.pending.as_ref().is_some_and(|(req, fields)| {
            let by = req
                .form
                .response
                .prompt
                .as_ref()
                .and_then(|p| p.encoding_by.as_ref());
            by.is_some_and(|k| {
                self.settings.prompt_framing(self.table, k, req, fields)
                    == Some(PayloadFraming::Hex)
            })
        });
        let prompt = self.pending.as_ref().and_then(|(req, fields)| {
            let p = req.form.response.prompt.as_ref()?;
            Some(match &p.length {
                Some(len) => Prompt::Length(
                    fields
                        .get(len)
                        .and_then(Value::as_u64)
                        .map_or(0, |n| usize::try_from(n).unwrap_or(0)),
                ),
                None => Prompt::CtrlZ {
                    max_len: p.max_len as usize,
                },
            })
        });
        let framing = Framing {
            send_hex,
            ..Framing::new()
        };
        self.rd.prompt(line, text, prompt, framing);
    }

    /// A final result of the schema, or `+CME ERROR: <n>` with the code's name and text.
    fn final_result(&self, line: usize, text: &[u8]) -> Option<Record> {
        let mut r = Record::new(line, Dir::Module, Kind::Result, text);
        if let Some(f) = FinalResult::ALL
            .iter()
            .find(|f| f.as_str().as_bytes() == text)
        {
            r.name = Some(f.as_str().into());
            return Some(r);
        }
        let code = text.strip_prefix(b"+CME ERROR:")?;
        r.name = Some("CME ERROR".into());
        let code = core::str::from_utf8(code).unwrap_or_default().trim();
        match code.parse::<i64>().ok().and_then(|c| self.table.error(c)) {
            Some(e) => {
                r.fields.insert("err".into(), json!(e.code));
                r.fields.insert("text".into(), json!(e.text));
                r.fields.insert("name".into(), json!(e.name));
                // A command whose codes the spec lists reports only those.
                let listed = self.pending.as_ref().and_then(|(req, _)| {
                    let codes = req.command.errors.as_ref()?;
                    Some((req.command.at_name(), codes))
                });
                if let Some((at, codes)) = listed.filter(|(_, c)| !c.contains(&e.code)) {
                    let codes: Vec<String> = codes.iter().map(u16::to_string).collect();
                    r.warnings.push(format!(
                        "{at} reports only {}; {} is not one of them",
                        codes.join(", "),
                        e.code
                    ));
                }
            }
            None => r
                .errors
                .push(format!("<err> = {code} is not an error code of the spec")),
        }
        Some(r)
    }

    fn module_fields(&self, shape: &Line, fields: Map<String, Value>) -> Map<String, Value> {
        report::module_fields(self.table, shape, fields)
    }
}

/// A command line as form `r`: its fields, or why not (`Invalid` when a rule is broken).
fn decode_request(r: &Request, text: &[u8]) -> Result<Map<String, Value>, DecodeError> {
    let fields = lines::request_fields(r, text)?;
    match rules::broken(r, &fields) {
        Some(_) => Err(DecodeError::Invalid),
        None => Ok(fields),
    }
}

/// The fields of a command line as form `r`, its rules aside (to name the rule it breaks).
fn fields_of(r: &Request, text: &[u8]) -> Option<Map<String, Value>> {
    lines::request_fields(r, text).ok()
}

/// Lines of text alone (no prefix) would take any line: they go last.
fn prefixed_first(mut v: Vec<&Line>) -> Vec<&Line> {
    v.sort_by_key(|l| l.prefix.is_empty());
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(dir: &str) -> Table {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        load(&root.join(dir).to_string_lossy()).unwrap()
    }

    /// Logs made of pieces that steer the decoder (prompts, payload announcements, strings read
    /// by their length, transparent mode) plus stray bytes: decoding by either spec never
    /// panics, and line numbers stay within the input.
    #[test]
    fn arbitrary_logs_decode_without_panicking() {
        const PIECES: &[&[u8]] = &[
            b"AT+QIRD=0,1500\r\n",
            b"+QIRD: 5\r\n",
            b"AT+QISEND=0,3\r\n",
            b"AT+QISEND=0\r\n",
            b"> ",
            b"\x1a",
            b"AT+QICFG=\"viewmode\",1\r\n",
            b"AT+QICFG=\"dataformat\",0,1\r\n",
            b"+QIURC: \"recv\",0,3\r\n",
            b"+QIURC: \"recv\",0,3,",
            b"AT+QXNOTE=0\r\n",
            b"+QXNOTE: 0,9,\"",
            b"+QXPEEK: 0,4,",
            b"+QXRD: 9\r\n",
            b"AT+QXRD=0,5\r\n",
            b"+QXSUB: 0,7,0,1,2,0,1,2\r\n",
            b"AT+QXSUB=0,7,\"a\",1,\"b\"\r\n",
            b"CONNECT\r\n",
            b"+++\r\n",
            b"OK\r\n",
            b"+CME ERROR: 5\r\n",
            b"\r\n",
            b"\xff\x00\"",
            b"AT",
            b"+",
            b",",
        ];
        let tables = [spec("spec"), spec("tests/own-spec/spec")];
        for log in crate::decode::arbitrary_logs(PIECES, 1000) {
            let lines = log.iter().filter(|&&b| b == b'\n').count() + 1;
            for t in &tables {
                for r in decode_log(t, &log) {
                    assert!(r.line >= 1 && r.line <= lines, "{r:?} in {log:?}");
                }
            }
        }
    }
}

//! What the length-aware digester needs to know of a spec, as qi-codegen generates it for every
//! spec (`DigestTables` at the generated crate's root): a crate generated from its own spec gets
//! a working [`SpecDigester`](crate::digest::SpecDigester) through its re-export of
//! [`wire`](crate::wire), with no hand-written glue.
//!
//! The tables are constant slices: the shapes of every command form, response line and URC,
//! read by one interpreter ([`line_fit`], [`form_of`]), so a spec costs data here, not a
//! decoder per form linked because the form in flight is a run-time value.

mod shape;

pub use shape::{
    best_fit, data_len, form_fits, form_of, header, line_fit, Candidate, DataRule, FieldKind,
    FieldRule, FormShape, Header, LineShape, Presence, ValueLists, MAX_LENGTH_POSITION,
};

use crate::digest::DigestState;
use crate::framing::Framing;
use crate::wire::{Fit, Incomplete};

/// A field read by the length an earlier field of the same line gives (`{ param: msg, length:
/// msg_len }`): the digester skips that many bytes before it looks for the line's end, so
/// that CR LF inside the field does not end the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FramedField {
    /// The line's prefix (`+QXMSG`), without `: `.
    pub prefix: &'static str,
    /// The field index (after the prefix, from 0) that gives the length in bytes.
    pub length_field: u8,
    /// The field index of the framed bytes: right after the comma that ends the field before.
    pub field: u8,
    /// Whether the bytes are quoted (`"<n bytes>"`) or raw.
    pub quoted: bool,
    /// The largest length the length field's range allows: a larger one is no such line.
    pub max: u32,
}

/// A spec, as the digester reads the module's output by it. qi-codegen implements it on the
/// generated `DigestTables`; the provided methods are the decisions that hold for any spec,
/// which a hand-written runtime that tracks more settings may refine (quectel-qi's
/// [`QiTables`](crate::digest::QiTables) does, for the QI settings that decide framing).
pub trait SpecTables {
    /// The prefixes URCs start with (`+QIURC`; a word such as `RDY` is a whole line).
    const URC_PREFIXES: &'static [&'static str];
    /// The final result words the spec's forms end with (`OK`, `SEND OK`, ...); the digester
    /// adds V.250's `OK`, `ERROR`, `CONNECT`, `NO CARRIER` and the numbered errors, which any
    /// command (also one outside the spec) may answer.
    const FINAL_RESULTS: &'static [&'static str];
    /// Whether some form of the spec reads payload after a `>` prompt: only then is a line
    /// starting with `>` the prompt.
    const PROMPT: bool;
    /// The fields that a length field frames inside their line.
    const FRAMED_FIELDS: &'static [FramedField];

    /// How well a URC line (and its payload) fits some URC of the spec (`Urc::fit`).
    fn urc_fit(line: &[u8], payload: &[u8]) -> Fit;
    /// How well a line fits a response line of the form `form` (`Request::response_fit`).
    fn response_fit(form: u16, line: &[u8], rest: &[u8]) -> Fit;
    /// The form a command line (an echo) is, if it is one of the spec's.
    fn form_of(command: &[u8]) -> Option<u16>;
    /// The payload length (bytes) that a response line's header announces, judged by the
    /// header alone.
    fn response_data_len(header: &[u8]) -> Option<usize>;
    /// The payload length (bytes) that a URC line's header announces, judged by the header
    /// alone.
    fn urc_data_len(header: &[u8]) -> Option<usize>;

    /// The form an echoed command line is; a runtime that follows more of the module's
    /// state records what the command says here.
    fn echoed(state: &DigestState, command: &[u8]) -> Option<u16> {
        let _ = state;
        Self::form_of(command)
    }

    /// The payload a URC header announces in the live state, `Incomplete` while `rest` (the
    /// bytes after the header) does not hold it all.
    fn urc_announced(
        state: &DigestState,
        header: &[u8],
        rest: &[u8],
        framing: Framing,
    ) -> Result<Option<usize>, Incomplete> {
        let _ = state;
        announced(Self::urc_data_len(header), rest, framing)
    }

    /// The payload a response line's header announces in the live state.
    fn response_announced(
        state: &DigestState,
        header: &[u8],
        rest: &[u8],
        framing: Framing,
    ) -> Result<Option<usize>, Incomplete> {
        let _ = state;
        announced(Self::response_data_len(header), rest, framing)
    }
}

/// `n` announced bytes, `Incomplete` until `rest` holds them in the live framing.
pub fn announced(
    n: Option<usize>,
    rest: &[u8],
    framing: Framing,
) -> Result<Option<usize>, Incomplete> {
    match n {
        Some(n) if rest.len() < framing.recv_wire_len(n) => Err(Incomplete),
        n => Ok(n),
    }
}

/// Where the line at the start of `buf` ends (the index of its CR LF), skipping the bytes a
/// framed field of `fields` holds; `Ok(None)` when it is no such line (the caller looks for
/// CR LF itself), `Incomplete` while the framed bytes or the line end are not all there.
pub fn framed_line_end(buf: &[u8], fields: &[FramedField]) -> Result<Option<usize>, Incomplete> {
    let Some(f) = fields.iter().find(|f| {
        let p = f.prefix.as_bytes();
        buf.starts_with(p) && buf.get(p.len()) == Some(&b':')
    }) else {
        return Ok(None);
    };
    let mut i = f.prefix.len() + 1;
    while buf.get(i) == Some(&b' ') {
        i += 1;
    }
    // The fields before the framed one hold no CR LF: split them on commas outside quotes.
    let (mut index, mut start, mut quoted, mut length) = (0u8, i, false, None);
    while index < f.field {
        let Some(&b) = buf.get(i) else {
            return Err(Incomplete);
        };
        match b {
            b'"' => quoted = !quoted,
            // The fields before the framed one never hold a line end.
            b'\r' | b'\n' => return Ok(None),
            b',' if !quoted => {
                if index == f.length_field {
                    length = parse_len(&buf[start..i]);
                }
                index += 1;
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    // A length that does not read leaves the line to the decoder, which rejects it.
    let Some(n) = length.filter(|&n| n <= f.max as usize) else {
        return Ok(None);
    };
    let quotes = if f.quoted { 2 } else { 0 };
    let after = i + quotes + n;
    if buf.len() < after {
        return Err(Incomplete);
    }
    let from = after;
    match buf[from..].windows(2).position(|w| w == b"\r\n") {
        Some(p) => Ok(Some(from + p)),
        None => Err(Incomplete),
    }
}

fn parse_len(field: &[u8]) -> Option<usize> {
    let field = field.trim_ascii();
    if field.is_empty() || field.len() > 9 || !field.iter().all(u8::is_ascii_digit) {
        return None;
    }
    field
        .iter()
        .try_fold(0usize, |n, d| Some(n * 10 + usize::from(d - b'0')))
}

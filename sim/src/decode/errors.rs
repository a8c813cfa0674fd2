//! Decode errors in words: the field's name in the document, what it was and what is allowed,
//! from the generated descriptions of each line.

use quectel_qi::describe::Shape;
use quectel_qi::wire::{self, DecodeError};

/// Describes why `line` failed to decode as `shape`.
pub fn describe(shape: &Shape, e: DecodeError, line: &[u8]) -> String {
    let field = |index: u8| {
        let raw = raw_field(shape, line, index).unwrap_or_default();
        match shape.field(index) {
            Some(f) => (format!("<{}>", f.doc), raw, f.allowed),
            None => (format!("field {index}"), raw, "nothing"),
        }
    };
    match e {
        DecodeError::OutOfRange { index } | DecodeError::UnknownValue { index } => {
            let (name, raw, allowed) = field(index);
            format!("{name} = {raw} is not allowed; allowed: {allowed}")
        }
        DecodeError::MissingField { index } => {
            let (name, _, allowed) = field(index);
            format!("{name} is missing; allowed: {allowed}")
        }
        DecodeError::NotInteger { index }
        | DecodeError::NotQuoted { index }
        | DecodeError::NotHex { index }
        | DecodeError::NotUtf8 { index }
        | DecodeError::TooLong { index } => {
            let (name, raw, allowed) = field(index);
            let what = e.to_string();
            let what = what.split_once(" is ").map_or(what.as_str(), |(_, w)| w);
            format!("{name} = {raw} is {what}; allowed: {allowed}")
        }
        DecodeError::TrailingData => format!(
            "more fields than the {} of {} ({})",
            shape.fields.len(),
            label(shape),
            shape.form
        ),
        DecodeError::Truncated => "the payload is shorter than the line announced".into(),
        DecodeError::Invalid => match quectel_qi::Request::rule_broken(line) {
            Some(v) => v.to_string(),
            None => format!(
                "the values break a rule of {} ({})",
                label(shape),
                shape.form
            ),
        },
        DecodeError::Prefix | DecodeError::Keyword => format!("not a {} line", label(shape)),
    }
}

/// Every problem of `line` as `shape`: the decode error `e` first, then each other field whose
/// integer lies outside its type's values (the decoder stops at the first problem; a reader of
/// a log wants them all).
pub fn describe_all(shape: &Shape, e: DecodeError, line: &[u8]) -> Vec<String> {
    let first = match e {
        DecodeError::OutOfRange { index }
        | DecodeError::UnknownValue { index }
        | DecodeError::NotInteger { index } => Some(index),
        _ => None,
    };
    let mut out = vec![describe(shape, e, line)];
    for (index, f) in shape.fields.iter().enumerate() {
        let Ok(index) = u8::try_from(index) else {
            break;
        };
        if Some(index) == first || f.ints.is_empty() {
            continue;
        }
        let Some(raw) = raw_field(shape, line, index) else {
            continue;
        };
        let Ok(v) = raw.trim().parse::<i64>() else {
            continue;
        };
        if !f.ints.iter().any(|&(lo, hi)| lo <= v && v <= hi) {
            out.push(describe(shape, DecodeError::OutOfRange { index }, line));
        }
    }
    out
}

fn label(shape: &Shape) -> String {
    // A form's head up to `=` (`AT+QICFG`, not `AT+QICFG="recvind"`); a line's prefix.
    let w = shape.written;
    w.split('=').next().unwrap_or(w).to_string()
}

/// The text of field `index` as the line has it.
fn raw_field(shape: &Shape, line: &[u8], index: u8) -> Option<String> {
    let body = match shape.kind {
        "response" | "urc" => wire::line_body(line, shape.written.as_bytes()).ok()?,
        _ => line.get(shape.written.len()..)?,
    };
    let f = wire::Fields::new(body).nth(usize::from(index))?;
    Some(String::from_utf8_lossy(f).into_owned())
}

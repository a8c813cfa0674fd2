//! Decode errors in words: the field's name in the document, what it was and what is allowed.
//! Both decoders word them so: the built-in one from the generated `describe` tables, the
//! spec-driven one from its own (`by_spec::table`).

use quectel_qi::wire::{self, DecodeError};

/// What a report needs of a field.
pub trait FieldInfo {
    /// The field's name (`connect_id`; `selector` for a selector or keyword).
    fn name(&self) -> &'static str;
    /// The document's name (`connectID`).
    fn doc(&self) -> &'static str;
    /// What is allowed, in words.
    fn allowed(&self) -> &str;
    /// The integers its type takes; empty for text and keywords.
    fn ints(&self) -> &[(i64, i64)];
    /// The keywords an enumeration of keywords takes.
    fn keywords(&self) -> &[&'static str];
}

impl FieldInfo for quectel_qi::describe::Field {
    fn name(&self) -> &'static str {
        self.name
    }
    fn doc(&self) -> &'static str {
        self.doc
    }
    fn allowed(&self) -> &str {
        self.allowed
    }
    fn ints(&self) -> &[(i64, i64)] {
        self.ints
    }
    fn keywords(&self) -> &[&'static str] {
        self.keywords
    }
}

/// What a problem is reported against: a request form, a response line or a URC.
#[derive(Debug, Clone, Copy)]
pub struct Shape<'a, F> {
    /// Every field by wire index (a selector or keyword first).
    pub fields: &'a [F],
    /// What the line starts with: the form's head or the line's prefix.
    pub written: &'a str,
    /// A module line (fields after `prefix: `), not a command line.
    pub module_line: bool,
    /// The form's or URC's name in the spec.
    pub form: &'a str,
}

/// Describes why `line` failed to decode as `shape`; `rule` is the rule a command line breaks
/// (for `Invalid`).
pub fn describe<F: FieldInfo>(
    shape: &Shape<F>,
    e: DecodeError,
    line: &[u8],
    rule: Option<&str>,
) -> String {
    let field = |index: u8| {
        let raw = raw_field(shape, line, index).unwrap_or_default();
        match shape.fields.get(usize::from(index)) {
            Some(f) => (format!("<{}>", f.doc()), raw, f.allowed()),
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
        DecodeError::Invalid => match rule {
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

/// Every problem of `line`: the decode error `e` first, then each other field whose integer
/// lies outside its type's values.
pub fn describe_all<F: FieldInfo>(
    shape: &Shape<F>,
    e: DecodeError,
    line: &[u8],
    rule: Option<&str>,
) -> Vec<String> {
    let first = match e {
        DecodeError::OutOfRange { index }
        | DecodeError::UnknownValue { index }
        | DecodeError::NotInteger { index } => Some(index),
        _ => None,
    };
    let mut out = vec![describe(shape, e, line, rule)];
    for (index, f) in shape.fields.iter().enumerate() {
        let Ok(index) = u8::try_from(index) else {
            break;
        };
        if Some(index) == first || f.ints().is_empty() {
            continue;
        }
        let Some(raw) = raw_field(shape, line, index) else {
            continue;
        };
        let Ok(v) = raw.trim().parse::<i64>() else {
            continue;
        };
        if !wire::ranges_contain(f.ints(), v) {
            let e = DecodeError::OutOfRange { index };
            out.push(describe(shape, e, line, rule));
        }
    }
    out
}

fn label<F>(shape: &Shape<F>) -> String {
    // A form's head up to `=` (`AT+QICFG`, not `AT+QICFG="recvind"`); a line's prefix.
    let w = shape.written;
    w.split('=').next().unwrap_or(w).to_string()
}

/// The text of field `index` as the line has it.
fn raw_field<F>(shape: &Shape<F>, line: &[u8], index: u8) -> Option<String> {
    let body = if shape.module_line {
        wire::line_body(line, shape.written.as_bytes()).ok()?
    } else {
        line.get(shape.written.len()..)?
    };
    let f = wire::Fields::new(body).nth(usize::from(index))?;
    Some(String::from_utf8_lossy(f).into_owned())
}

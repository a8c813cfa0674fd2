//! One interpreter over generated per-line field tables: how well a module line fits a
//! response line or URC, and whether a command line has a form's shape, without the typed
//! decoders. The digester weighs every line against a form chosen at run time; through typed
//! decoders, that would link the decoders of every form and line of the spec (see
//! `docs/PERFORMANCE.md`, "Flash of the QEMU firmware"). The tables are constant data, and the
//! interpreter follows the generated decoders call for call (`wire::Fields` and the same field
//! readers), so both accept the same lines; a test checks it on every seed line and on mutated
//! ones.

use crate::wire::{self, DecodeError, Fields, Fit};

/// What a field's text must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// A decimal number inside one of the inclusive ranges (a ranged number, a plain `u32`,
    /// or the codes of a numbered enumeration).
    Int(&'static [(i64, i64)]),
    /// One of the keywords, quoted or bare.
    Keyword {
        /// Whether the keyword is in double quotes.
        quoted: bool,
        /// The keywords accepted.
        values: &'static [&'static str],
    },
    /// Text of a module line of at most `max` bytes: quoted, or bare and not empty.
    Text {
        /// Whether the text is in double quotes.
        quoted: bool,
        /// The longest text accepted, in bytes.
        max: u32,
    },
    /// A command's text argument of at most `max` bytes: quoted (with no quote inside) or bare.
    Arg {
        /// Whether the text is in double quotes.
        quoted: bool,
        /// The longest text accepted, in bytes.
        max: u32,
        /// Whether it must be hexadecimal digits, two per byte.
        hex: bool,
    },
    /// What a test response shows (a range, a list or a placeholder), at most 64 bytes.
    Shown,
    /// Bytes read by the length that an earlier field (its position in the line's field list)
    /// gives: quoted or raw, at most `max`.
    Framed {
        /// The position of the length field in the line's field list.
        length: u8,
        /// Whether the bytes are in double quotes.
        quoted: bool,
        /// The most bytes accepted.
        max: u32,
    },
    /// A command's fixed value, exactly as written (`1`, `"TCP"`).
    Fixed(&'static str),
}

/// Whether a field must be there, and how often.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// The line must have it.
    Required,
    /// It may end the line early (only trailing fields are left out).
    Optional,
    /// It may be empty and keeps its place (`1,,3`).
    KeepsPlace,
    /// The last field, `min..=max` times.
    Repeat {
        /// The fewest values.
        min: u16,
        /// The most values.
        max: u16,
    },
}

/// One field of a line: its kind and presence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldRule {
    /// What its text must be.
    pub kind: FieldKind,
    /// Whether it must be there.
    pub presence: Presence,
}

/// A payload after the line, announced by a length field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataRule {
    /// The position of the length field in the line's field list.
    pub length: u8,
    /// The largest payload the line can announce.
    pub max: u32,
}

/// A response line or URC shape: prefix, keyword, fields, payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineShape {
    /// The prefix (`+QIURC`); empty for a line of text alone.
    pub prefix: &'static str,
    /// The quoted keyword that is the first field (and its other accepted spellings); empty
    /// when there is none.
    pub keyword: &'static [&'static str],
    /// The fields after the keyword, in wire order.
    pub fields: &'static [FieldRule],
    /// The payload after the line, if it announces one.
    pub data: Option<DataRule>,
}

/// A command form's shape: what `Request::decode` takes, but for the form's cross-field rules
/// (`validate`'s rules between parameters), which do not change the form a line is.
#[derive(Debug, Clone, Copy)]
pub enum FormShape {
    /// The head (`AT+QIOPEN=`, a selector included) and what follows it.
    Fields {
        /// The command's head, matched without regard to ASCII case.
        head: &'static str,
        /// Whether a selector is part of the head (a comma may follow it).
        selector: bool,
        /// Whether parameters follow the head (else nothing may).
        params: bool,
        /// The parameters, in wire order.
        fields: &'static [FieldRule],
    },
    /// A form the tables do not describe (a repeated group of parameters): its typed
    /// decoder says.
    Typed(fn(&[u8]) -> bool),
}

/// The largest position a length field may have (the interpreter keeps the numbers read up to
/// it); the generator lists no length field beyond it.
pub const MAX_LENGTH_POSITION: usize = 16;

/// How well `line` (without CR LF) and the bytes after it fit `shape`, as the typed line's
/// `fit` says: `Exact` where its strict decode takes it, `Tolerant` where only the tolerant
/// one does, else `No`.
pub fn line_fit(shape: &LineShape, line: &[u8], payload: &[u8]) -> Fit {
    Fit::of(line_fields(shape, line, payload))
}

#[inline(never)]
fn line_fields(shape: &LineShape, line: &[u8], payload: &[u8]) -> Result<bool, DecodeError> {
    let body = if shape.prefix.is_empty() {
        line.strip_suffix(b"\r\n").unwrap_or(line)
    } else {
        wire::line_body(line, shape.prefix.as_bytes())?
    };
    let mut fields = Fields::new(body);
    if !shape.keyword.is_empty() {
        match fields.next().map(|f| wire::quoted(f, 0)) {
            Some(Ok(kw)) if shape.keyword.contains(&kw) => {}
            _ => return Err(DecodeError::Keyword),
        }
    }
    let mut ints = [0i64; MAX_LENGTH_POSITION];
    read_fields(&mut fields, shape.fields, &mut ints)?;
    let extra = fields.finish(false)?;
    if let Some(d) = shape.data {
        let n = announced(&ints, d.length)?;
        if payload.len() < n {
            return Err(DecodeError::Truncated);
        }
        if n > d.max as usize {
            return Err(DecodeError::TooLong { index: 0 });
        }
    }
    Ok(extra)
}

/// Whether `command` (a command line, the trailing `\r` optional) has the form's shape.
#[inline(never)]
pub fn form_fits(shape: &FormShape, command: &[u8]) -> bool {
    match shape {
        FormShape::Fields {
            head,
            selector,
            params,
            fields,
        } => form_fields(head, *selector, *params, fields, command).is_ok(),
        FormShape::Typed(decodes) => decodes(command),
    }
}

/// The first form (in spec order) whose shape `command` has.
pub fn form_of(forms: &[FormShape], command: &[u8]) -> Option<u16> {
    let i = forms.iter().position(|f| form_fits(f, command))?;
    u16::try_from(i).ok()
}

fn form_fields(
    head: &str,
    selector: bool,
    params: bool,
    rules: &[FieldRule],
    command: &[u8],
) -> Result<(), DecodeError> {
    let rest = wire::after_head(command, head)?;
    if !params {
        return if rest.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::TrailingData)
        };
    }
    let rest = match (selector, rest) {
        (true, [b',', tail @ ..]) => tail,
        (true, []) | (false, _) => rest,
        (true, _) => return Err(DecodeError::Keyword),
    };
    let mut fields = Fields::new(rest);
    let mut ints = [0i64; MAX_LENGTH_POSITION];
    read_fields(&mut fields, rules, &mut ints)?;
    fields.end()
}

/// The number a length field at `position` read, as a byte count.
fn announced(ints: &[i64; MAX_LENGTH_POSITION], position: u8) -> Result<usize, DecodeError> {
    let v = ints
        .get(usize::from(position))
        .ok_or(DecodeError::Invalid)?;
    Ok(usize::try_from(*v).unwrap_or(usize::MAX))
}

fn read_fields(
    fields: &mut Fields<'_>,
    rules: &[FieldRule],
    ints: &mut [i64; MAX_LENGTH_POSITION],
) -> Result<(), DecodeError> {
    for (i, rule) in rules.iter().enumerate() {
        let index = u8::try_from(i).unwrap_or(u8::MAX);
        let v = match (rule.presence, rule.kind) {
            (_, FieldKind::Shown) => {
                let shown = fields
                    .next_list()
                    .ok_or(DecodeError::MissingField { index })?;
                let text = wire::text(shown, index)?;
                fits_len(text, 64, index)?;
                None
            }
            (
                _,
                FieldKind::Framed {
                    length,
                    quoted,
                    max,
                },
            ) => {
                let n = announced(ints, length)?;
                if quoted {
                    fields.take_quoted(n, index)?;
                } else {
                    fields.take_raw(n, index)?;
                }
                if n > max as usize {
                    return Err(DecodeError::TooLong { index });
                }
                None
            }
            (_, FieldKind::Fixed(text)) => {
                if fields.required(index)? != text.as_bytes() {
                    return Err(DecodeError::UnknownValue { index });
                }
                None
            }
            (Presence::Required, kind) => field(fields.required(index)?, kind, index)?,
            (Presence::Optional, kind) => match fields.next() {
                Some(x) => field(x, kind, index)?,
                None => None,
            },
            (Presence::KeepsPlace, kind) => match fields.next() {
                Some([]) | None => None,
                Some(x) => field(x, kind, index)?,
            },
            (Presence::Repeat { min, max }, kind) => {
                let mut count = 0usize;
                for x in fields.by_ref() {
                    if !wire::is_whole(x) || count == usize::from(max) {
                        return Err(DecodeError::TrailingData);
                    }
                    field(x, kind, index)?;
                    count += 1;
                }
                if count < usize::from(min) {
                    return Err(DecodeError::MissingField { index });
                }
                None
            }
        };
        if let (Some(v), Some(slot)) = (v, ints.get_mut(i)) {
            *slot = v;
        }
    }
    Ok(())
}

/// Checks one field's text; a number is returned (a later field may need it as a length).
fn field(x: &[u8], kind: FieldKind, index: u8) -> Result<Option<i64>, DecodeError> {
    match kind {
        FieldKind::Int(ranges) => {
            let v = wire::int(x, index)?;
            if !wire::ranges_contain(ranges, v) {
                return Err(DecodeError::OutOfRange { index });
            }
            return Ok(Some(v));
        }
        FieldKind::Keyword { quoted, values } => {
            let text = if quoted {
                wire::quoted(x, index)?
            } else {
                wire::bare(x, index)?
            };
            if !values.contains(&text) {
                return Err(DecodeError::UnknownValue { index });
            }
        }
        FieldKind::Text { quoted, max } => {
            let text = if quoted {
                wire::quoted(x, index)?
            } else {
                wire::text(x, index)?
            };
            fits_len(text, max as usize, index)?;
        }
        FieldKind::Arg { quoted, max, hex } => {
            let text = if quoted {
                wire::quoted(x, index)?
            } else {
                wire::bare(x, index)?
            };
            let bad_hex = hex
                && (!text.len().is_multiple_of(2) || !text.bytes().all(|b| b.is_ascii_hexdigit()));
            if text.len() > max as usize || (quoted && text.contains('"')) || bad_hex {
                return Err(DecodeError::Invalid);
            }
        }
        // Read by `read_fields` itself, never one field at a time.
        FieldKind::Shown | FieldKind::Framed { .. } | FieldKind::Fixed(_) => {
            return Err(DecodeError::Invalid)
        }
    }
    Ok(None)
}

fn fits_len(text: &str, max: usize, index: u8) -> Result<(), DecodeError> {
    if text.len() > max {
        return Err(DecodeError::TooLong { index });
    }
    Ok(())
}

/// A line shape that may answer a form, or that a URC may have: its position in the shape
/// table, and whether it counts only when it fits exactly (a sibling form's line, a URC marked
/// `exact`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    /// The position of the shape in the table.
    pub shape: u16,
    /// Whether only an exact fit counts.
    pub exact_only: bool,
}

/// The best fit of `line` among the candidates (`Fit::No` when there are none).
pub fn best_fit(
    shapes: &[LineShape],
    candidates: &[Candidate],
    line: &[u8],
    payload: &[u8],
) -> Fit {
    candidates.iter().fold(Fit::No, |best, c| {
        let Some(shape) = shapes.get(usize::from(c.shape)) else {
            return best;
        };
        let fit = line_fit(shape, line, payload);
        best.max(if c.exact_only { fit.exact_only() } else { fit })
    })
}

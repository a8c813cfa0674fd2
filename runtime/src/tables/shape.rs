//! One interpreter over generated per-line field tables: how well a module line fits a
//! response line or URC, and whether a command line has a form's shape, without the typed
//! decoders. The digester weighs every line against a form chosen at run time; through typed
//! decoders, that would link the decoders of every form and line of the spec (see
//! `docs/PERFORMANCE.md`, "Flash of the QEMU firmware"). The tables are constant data, and the
//! interpreter follows the generated decoders call for call (`wire::Fields` and the same field
//! readers), so both accept the same lines; a test checks it on every seed line and on mutated
//! ones.

use crate::wire::{self, DecodeError, Fields, Fit};

/// What a field's text must be; what else the kind needs is in its [`FieldRule`] (`index`,
/// `max`, `quoted`, `hex`). One byte in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum FieldKind {
    /// A decimal number inside one of the inclusive ranges of [`ValueLists::ranges`]`[index]`
    /// (a ranged number, a plain `u32`, or the codes of a numbered enumeration).
    Int,
    /// One of the keywords of [`ValueLists::keywords`]`[index]`, quoted or bare.
    Keyword,
    /// Text of a module line of at most `max` bytes: quoted, or bare and not empty.
    Text,
    /// A command's text argument of at most `max` bytes: quoted (with no quote inside) or
    /// bare; with `hex`, hexadecimal digits, two per byte.
    Arg,
    /// What a test response shows (a range, a list or a placeholder), at most 64 bytes.
    Shown,
    /// Bytes read by the length that an earlier field gives (its position in the line's
    /// field list is `index`): quoted or raw, at most `max`.
    Framed,
    /// A command's fixed value, exactly as [`ValueLists::texts`]`[index]` writes it (`1`,
    /// `"TCP"`).
    Fixed,
}

/// Whether a field must be there, and how often. One byte in the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Presence {
    /// The line must have it.
    Required,
    /// It may end the line early (only trailing fields are left out).
    Optional,
    /// It may be empty and keeps its place (`1,,3`).
    KeepsPlace,
    /// The last field, as often as [`ValueLists::repeats`]`[`[`FieldRule::repeat`]`]`
    /// allows (the fewest and the most values).
    Repeat,
}

/// One field of a line, packed: its kind and presence in a byte each, and numbers and
/// indices into the spec's [`ValueLists`] instead of slices of its own (12 bytes a field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldRule {
    /// What its text must be.
    pub kind: FieldKind,
    /// Whether it must be there.
    pub presence: Presence,
    /// Whether the text (keyword, text, argument, framed bytes) is in double quotes.
    pub quoted: bool,
    /// An argument of hexadecimal digits.
    pub hex: bool,
    /// By kind: the range list (`Int`), the keyword list (`Keyword`), the text (`Fixed`) in
    /// [`ValueLists`], or the length field's position (`Framed`).
    pub index: u16,
    /// `Repeat`: the counts' position in [`ValueLists::repeats`].
    pub repeat: u16,
    /// The most bytes (`Text`, `Arg`, `Framed`).
    pub max: u32,
}

/// The lists the field rules of a spec index, each entry once: what would otherwise be a
/// slice in every rule that names it.
#[derive(Debug, Clone, Copy)]
pub struct ValueLists {
    /// Inclusive number ranges, one list per distinct set.
    pub ranges: &'static [&'static [(i64, i64)]],
    /// Keywords, one list per distinct set.
    pub keywords: &'static [&'static [&'static str]],
    /// Fixed values as written.
    pub texts: &'static [&'static str],
    /// How often a repeated field may come: the fewest and the most values.
    pub repeats: &'static [(u16, u16)],
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
pub fn line_fit(lists: &ValueLists, shape: &LineShape, line: &[u8], payload: &[u8]) -> Fit {
    Fit::of(line_fields(lists, shape, line, payload))
}

#[inline(never)]
fn line_fields(
    lists: &ValueLists,
    shape: &LineShape,
    line: &[u8],
    payload: &[u8],
) -> Result<bool, DecodeError> {
    let (header, extra) = line_header(lists, shape, line)?;
    if let Some(n) = header.data {
        if payload.len() < n {
            return Err(DecodeError::Truncated);
        }
    }
    Ok(extra)
}

/// What a line's header shows, read by its shape alone: its payload need not be there yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// The numbers of its fields by position in the shape's field list (the first
    /// [`MAX_LENGTH_POSITION`]); 0 where a field is no number or is not there.
    pub ints: [i64; MAX_LENGTH_POSITION],
    /// How many of its fields are there: trailing optional ones may be left out.
    pub present: usize,
    /// The payload the line announces (at most the shape's largest), `None` for a line
    /// without one.
    pub data: Option<usize>,
}

impl Header {
    /// The number at field position `at`.
    pub fn int(&self, at: u8) -> i64 {
        self.ints.get(usize::from(at)).copied().unwrap_or(0)
    }
}

/// The header of `line` (without CR LF) when it fits `shape` exactly (no extra fields: what a
/// strict decode takes), its payload not looked at: how a digester tells a data line's payload
/// length before the payload is there.
pub fn header(lists: &ValueLists, shape: &LineShape, line: &[u8]) -> Option<Header> {
    match line_header(lists, shape, line) {
        Ok((header, false)) => Some(header),
        _ => None,
    }
}

/// The payload announced by the first of the shapes `among` (positions in `shapes`) whose
/// header `line` is ([`header`]); `None` when it is none of them or announces none.
pub fn data_len(
    lists: &ValueLists,
    shapes: &[LineShape],
    among: &[u16],
    line: &[u8],
) -> Option<usize> {
    among.iter().find_map(|&i| {
        let shape = shapes.get(usize::from(i))?;
        header(lists, shape, line)?.data
    })
}

/// The header and whether whole extra fields followed the shape's.
fn line_header(
    lists: &ValueLists,
    shape: &LineShape,
    line: &[u8],
) -> Result<(Header, bool), DecodeError> {
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
    let present = read_fields(lists, &mut fields, shape.fields, &mut ints)?;
    let extra = fields.finish(false)?;
    let data = match shape.data {
        Some(d) => {
            let n = announced(&ints, d.length)?;
            if n > d.max as usize {
                return Err(DecodeError::TooLong { index: 0 });
            }
            Some(n)
        }
        None => None,
    };
    let header = Header {
        ints,
        present,
        data,
    };
    Ok((header, extra))
}

/// Whether `command` (a command line, the trailing `\r` optional) has the form's shape.
#[inline(never)]
pub fn form_fits(lists: &ValueLists, shape: &FormShape, command: &[u8]) -> bool {
    match shape {
        FormShape::Fields {
            head,
            selector,
            params,
            fields,
        } => form_fields(lists, head, *selector, *params, fields, command).is_ok(),
        FormShape::Typed(decodes) => decodes(command),
    }
}

/// The first form (in spec order) whose shape `command` has.
pub fn form_of(lists: &ValueLists, forms: &[FormShape], command: &[u8]) -> Option<u16> {
    let i = forms.iter().position(|f| form_fits(lists, f, command))?;
    u16::try_from(i).ok()
}

fn form_fields(
    lists: &ValueLists,
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
    read_fields(lists, &mut fields, rules, &mut ints)?;
    fields.end()
}

/// The number a length field at `position` read, as a byte count.
fn announced(ints: &[i64; MAX_LENGTH_POSITION], position: u8) -> Result<usize, DecodeError> {
    let v = ints
        .get(usize::from(position))
        .ok_or(DecodeError::Invalid)?;
    Ok(usize::try_from(*v).unwrap_or(usize::MAX))
}

/// Reads the fields by their rules; returns how many are there (up to the last one there: an
/// optional field left out ends the line).
fn read_fields(
    lists: &ValueLists,
    fields: &mut Fields<'_>,
    rules: &[FieldRule],
    ints: &mut [i64; MAX_LENGTH_POSITION],
) -> Result<usize, DecodeError> {
    let mut present = 0;
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
            (_, FieldKind::Framed) => {
                let n = announced(ints, u8::try_from(rule.index).unwrap_or(u8::MAX))?;
                if rule.quoted {
                    fields.take_quoted(n, index)?;
                } else {
                    fields.take_raw(n, index)?;
                }
                if n > rule.max as usize {
                    return Err(DecodeError::TooLong { index });
                }
                None
            }
            (_, FieldKind::Fixed) => {
                let text = listed(lists.texts, rule.index)?;
                if fields.required(index)? != text.as_bytes() {
                    return Err(DecodeError::UnknownValue { index });
                }
                None
            }
            (Presence::Required, _) => field(lists, fields.required(index)?, rule, index)?,
            (Presence::Optional, _) => match fields.next() {
                Some(x) => field(lists, x, rule, index)?,
                None => continue,
            },
            (Presence::KeepsPlace, _) => match fields.next() {
                Some([]) | None => None,
                Some(x) => field(lists, x, rule, index)?,
            },
            (Presence::Repeat, _) => {
                let (min, max) = *listed(lists.repeats, rule.repeat)?;
                let mut count = 0usize;
                for x in fields.by_ref() {
                    if !wire::is_whole(x) || count == usize::from(max) {
                        return Err(DecodeError::TrailingData);
                    }
                    field(lists, x, rule, index)?;
                    count += 1;
                }
                if count < usize::from(min) {
                    return Err(DecodeError::MissingField { index });
                }
                None
            }
        };
        present = i + 1;
        if let (Some(v), Some(slot)) = (v, ints.get_mut(i)) {
            *slot = v;
        }
    }
    Ok(present)
}

/// The entry a rule names in one of the spec's lists; a table that names none is broken
/// (the generator never emits one) and fits nothing.
fn listed<T>(list: &[T], index: u16) -> Result<&T, DecodeError> {
    list.get(usize::from(index)).ok_or(DecodeError::Invalid)
}

/// Checks one field's text; a number is returned (a later field may need it as a length).
fn field(
    lists: &ValueLists,
    x: &[u8],
    rule: &FieldRule,
    index: u8,
) -> Result<Option<i64>, DecodeError> {
    let quoted = rule.quoted;
    let max = rule.max as usize;
    match rule.kind {
        FieldKind::Int => {
            let v = wire::int(x, index)?;
            if !wire::ranges_contain(listed(lists.ranges, rule.index)?, v) {
                return Err(DecodeError::OutOfRange { index });
            }
            return Ok(Some(v));
        }
        FieldKind::Keyword => {
            let text = if quoted {
                wire::quoted(x, index)?
            } else {
                wire::bare(x, index)?
            };
            if !listed(lists.keywords, rule.index)?.contains(&text) {
                return Err(DecodeError::UnknownValue { index });
            }
        }
        FieldKind::Text => {
            let text = if quoted {
                wire::quoted(x, index)?
            } else {
                wire::text(x, index)?
            };
            fits_len(text, max, index)?;
        }
        FieldKind::Arg => {
            let text = if quoted {
                wire::quoted(x, index)?
            } else {
                wire::bare(x, index)?
            };
            let bad_hex = rule.hex
                && (!text.len().is_multiple_of(2) || !text.bytes().all(|b| b.is_ascii_hexdigit()));
            if text.len() > max || (quoted && text.contains('"')) || bad_hex {
                return Err(DecodeError::Invalid);
            }
        }
        // Read by `read_fields` itself, never one field at a time.
        FieldKind::Shown | FieldKind::Framed | FieldKind::Fixed => {
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
    lists: &ValueLists,
    shapes: &[LineShape],
    candidates: &[Candidate],
    line: &[u8],
    payload: &[u8],
) -> Fit {
    candidates.iter().fold(Fit::No, |best, c| {
        let Some(shape) = shapes.get(usize::from(c.shape)) else {
            return best;
        };
        let fit = line_fit(lists, shape, line, payload);
        best.max(if c.exact_only { fit.exact_only() } else { fit })
    })
}

//! Decoding lines by the tables: a field's text to its JSON value (range-checked), a response
//! line or URC with its payload, a command line of a form. The wire rules are the runtime's
//! (`quectel_qi::wire`), so a line reads here as the generated decoders read it.

use super::table::{params_follow, Field, Line, Request, ValueKind};
use qi_codegen::spec::{ParamType, Scalar};
use quectel_qi::wire::{self, DecodeError, Fields};
use serde_json::{json, Map, Value};

/// A decoded line: its fields by name, whether whole extra fields were skipped, and the
/// payload length it announces (0 without data).
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    pub fields: Map<String, Value>,
    pub extra: bool,
    pub data_len: usize,
}

/// Bytes as JSON: text stays readable, anything else is the bytes themselves.
pub fn bytes_json(b: &[u8]) -> Value {
    match core::str::from_utf8(b) {
        Ok(s) => json!(s),
        Err(_) => json!(b),
    }
}

/// One field's value from its text at wire index `index`.
pub fn value(f: &Field, raw: &[u8], index: u8) -> Result<Value, DecodeError> {
    let def = f.def();
    match f.kind {
        ValueKind::Ranged => {
            let v = wire::int(raw, index)?;
            if wire::ranges_contain(&f.ints, v) {
                Ok(json!(v))
            } else {
                Err(DecodeError::OutOfRange { index })
            }
        }
        ValueKind::Int => {
            let v = wire::int(raw, index)?;
            u32::try_from(v)
                .map(|v| json!(v))
                .map_err(|_| DecodeError::OutOfRange { index })
        }
        ValueKind::Numbers => {
            let v = wire::int(raw, index)?;
            def.values
                .iter()
                .flatten()
                .find(|e| e.value == Scalar::Int(v))
                .map(|e| json!({ "value": v, "name": e.name }))
                .ok_or(DecodeError::UnknownValue { index })
        }
        ValueKind::Keywords => {
            let text = if f.quoted() {
                wire::quoted(raw, index)?
            } else {
                wire::bare(raw, index)?
            };
            def.values
                .iter()
                .flatten()
                .find(|e| e.value == Scalar::Str(text.to_owned()))
                .map(|e| json!({ "value": text, "name": e.name }))
                .ok_or(DecodeError::UnknownValue { index })
        }
        ValueKind::Text => {
            let text = if f.quoted() {
                wire::quoted(raw, index)?
            } else {
                wire::text(raw, index)?
            };
            if text.len() > f.max_len {
                return Err(DecodeError::TooLong { index });
            }
            Ok(json!(text))
        }
    }
}

/// A required field: `MissingField` when the line ended.
fn required(fields: &mut Fields<'_>, f: &Field, index: u8) -> Result<Value, DecodeError> {
    value(f, fields.required(index)?, index)
}

/// A response line or URC (without CR LF) and the bytes after it: extra whole fields are
/// skipped unless `strict`; a data line needs its whole payload in `payload` (`Truncated`).
/// `payload: None` decodes the header alone (the payload's framing is not known yet).
pub fn line(
    shape: &Line,
    text: &[u8],
    payload: Option<&[u8]>,
    strict: bool,
) -> Result<Decoded, DecodeError> {
    let body = if shape.prefix.is_empty() {
        text.strip_suffix(b"\r\n").unwrap_or(text)
    } else {
        wire::line_body(text, shape.prefix.as_bytes())?
    };
    let mut fields = Fields::new(body);
    if let Some(k) = shape.keyword {
        if shape.keyword_also.is_empty() {
            wire::keyword(&mut fields, k)?;
        } else {
            match fields.next().map(|f| wire::quoted(f, 0)) {
                Some(Ok(kw)) if kw == k || shape.keyword_also.iter().any(|a| a == kw) => {}
                _ => return Err(DecodeError::Keyword),
            }
        }
    }
    let first = u8::from(shape.keyword.is_some());
    let mut out = Map::new();
    for (i, f) in shape.params().iter().enumerate() {
        let index = wire_index(first, i);
        let u = f.usage();
        let v = if u.shown.is_some() {
            let shown = fields
                .next_list()
                .ok_or(DecodeError::MissingField { index })?;
            let text = wire::text(shown, index)?;
            if text.len() > 64 {
                return Err(DecodeError::TooLong { index });
            }
            json!(text)
        } else if let Some(len) = &u.length {
            let n = out.get(len).and_then(Value::as_u64).unwrap_or(0);
            let n = usize::try_from(n).unwrap_or(usize::MAX);
            let raw = if f.def().ty == ParamType::Bytes {
                fields.take_raw(n, index)?
            } else {
                fields.take_quoted(n, index)?
            };
            bytes_json(raw)
        } else if let Some(r) = u.repeat {
            let mut list = Vec::new();
            for x in fields.by_ref() {
                let at = index.saturating_add(u8::try_from(list.len()).unwrap_or(u8::MAX));
                if !wire::is_whole(x) || list.len() >= r.max as usize {
                    return Err(DecodeError::TrailingData);
                }
                list.push(value(f, x, at)?);
            }
            if list.len() < r.min as usize {
                let at = index.saturating_add(u8::try_from(list.len()).unwrap_or(u8::MAX));
                return Err(DecodeError::MissingField { index: at });
            }
            Value::Array(list)
        } else if u.keeps_place() {
            match fields.next() {
                Some([]) | None => Value::Null,
                Some(x) => value(f, x, index)?,
            }
        } else if u.optional {
            match fields.next() {
                Some(x) => value(f, x, index)?,
                None => Value::Null,
            }
        } else {
            required(&mut fields, f, index)?
        };
        out.insert(f.name.into(), v);
    }
    let extra = fields.finish(strict)?;
    let mut data_len = 0;
    if let Some(d) = shape.data {
        let n = out.get(&d.length).and_then(Value::as_u64).unwrap_or(0);
        let n = usize::try_from(n).unwrap_or(usize::MAX);
        let cap = shape
            .field(&d.length)
            .and_then(|f| f.ints.last())
            .map_or(0, |&(_, hi)| usize::try_from(hi).unwrap_or(0));
        if let Some(payload) = payload {
            let data = payload.get(..n).ok_or(DecodeError::Truncated)?;
            if n > cap {
                return Err(DecodeError::TooLong { index: 0 });
            }
            out.insert("data".into(), bytes_json(data));
        }
        data_len = n;
    }
    Ok(Decoded {
        fields: out,
        extra,
        data_len,
    })
}

/// A command line of form `r`, its fields decoded (rules not checked: see
/// [`super::rules::broken`]).
pub fn request_fields(r: &Request, text: &[u8]) -> Result<Map<String, Value>, DecodeError> {
    let form = r.form;
    let rest = wire::after_head(text, r.head)?;
    let mut out = Map::new();
    if !params_follow(form) {
        if !rest.is_empty() {
            return Err(DecodeError::TrailingData);
        }
        return Ok(out);
    }
    let rest = match (form.selector.is_some(), rest) {
        (false, _) | (true, []) => rest,
        (true, [b',', tail @ ..]) => tail,
        (true, _) => return Err(DecodeError::Keyword),
    };
    let first = u8::from(form.selector.is_some());
    let mut fields = Fields::new(rest);
    for (i, f) in r.params().iter().enumerate() {
        let index = wire_index(first, i);
        let u = f.usage();
        if let Some(v) = &u.value {
            let text = match v {
                Scalar::Int(i) => i.to_string(),
                Scalar::Str(s) => format!("\"{s}\""),
            };
            if fields.required(index)? != text.as_bytes() {
                return Err(DecodeError::UnknownValue { index });
            }
            continue;
        }
        let v = if u.keeps_place() {
            match fields.next() {
                Some([]) | None => Value::Null,
                Some(x) => request_value(f, x, index)?,
            }
        } else if u.optional {
            match fields.next() {
                Some(x) => request_value(f, x, index)?,
                None => Value::Null,
            }
        } else {
            request_value(f, fields.required(index)?, index)?
        };
        out.insert(f.name.into(), v);
    }
    if let Some(g) = &form.repeat {
        let group = r.group();
        let start = wire_index(first, r.params().len());
        let mut entries = Vec::new();
        'entries: loop {
            let mut entry = Map::new();
            for (i, f) in group.iter().enumerate() {
                let offset = entries.len() * group.len() + i;
                let at = start.saturating_add(u8::try_from(offset).unwrap_or(u8::MAX));
                let x = if i == 0 {
                    let Some(x) = fields.next() else {
                        break 'entries;
                    };
                    x
                } else {
                    fields.required(at)?
                };
                entry.insert(f.name.into(), request_value(f, x, at)?);
            }
            if entries.len() >= g.max as usize {
                return Err(DecodeError::TrailingData);
            }
            entries.push(Value::Object(entry));
        }
        out.insert(g.name.clone(), Value::Array(entries));
    }
    fields.end()?;
    Ok(out)
}

/// A request's field: text is borrowed as written (its length is a rule, see `rules`).
fn request_value(f: &Field, raw: &[u8], index: u8) -> Result<Value, DecodeError> {
    match f.kind {
        ValueKind::Text => {
            let text = if f.quoted() {
                wire::quoted(raw, index)?
            } else {
                wire::bare(raw, index)?
            };
            Ok(json!(text))
        }
        _ => value(f, raw, index),
    }
}

/// The wire index of the `i`th parameter after `first` (saturating: `DecodeError` counts in
/// `u8`).
fn wire_index(first: u8, i: usize) -> u8 {
    first.saturating_add(u8::try_from(i).unwrap_or(u8::MAX))
}

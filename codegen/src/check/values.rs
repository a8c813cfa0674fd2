//! What a value of a parameter may be, as a YAML scalar and as text on the wire.

use crate::spec::{ParamDef, ParamType, Scalar};

/// `0 or 20..=86400`, for messages.
pub fn describe_ranges(ranges: &[[i64; 2]]) -> String {
    let parts: Vec<String> = ranges
        .iter()
        .map(|[lo, hi]| {
            if lo == hi {
                lo.to_string()
            } else {
                format!("{lo}..={hi}")
            }
        })
        .collect();
    parts.join(" or ")
}

/// `1 byte`, `2 bytes`: messages and docs count bytes with the right plural.
pub fn bytes(n: u64) -> String {
    if n == 1 {
        "1 byte".to_owned()
    } else {
        format!("{n} bytes")
    }
}

pub fn in_ranges(ranges: &[[i64; 2]], v: i64) -> bool {
    ranges.iter().any(|[lo, hi]| (*lo..=*hi).contains(&v))
}

/// Whether strings and keywords of this parameter are quoted on the wire.
pub fn is_quoted(def: &ParamDef) -> bool {
    match def.ty {
        ParamType::String | ParamType::Hex => def.quoted.unwrap_or(true),
        ParamType::Enum => {
            let keyword = def
                .values
                .iter()
                .flatten()
                .any(|v| matches!(v.value, Scalar::Str(_)));
            keyword && def.quoted.unwrap_or(true)
        }
        ParamType::Int | ParamType::Bytes => false,
    }
}

/// Checks a YAML value (a default or a constant) against the definition.
pub fn check_scalar(def: &ParamDef, v: &Scalar) -> Result<(), String> {
    match (def.ty, v) {
        (ParamType::Int, Scalar::Int(i)) => match &def.range {
            Some(r) if !in_ranges(r, *i) => Err(format!("{i} is outside {}", describe_ranges(r))),
            _ => Ok(()),
        },
        (ParamType::Enum, v) => {
            let values = def.values.as_deref().unwrap_or_default();
            if values.iter().any(|e| &e.value == v) {
                Ok(())
            } else {
                let list: Vec<String> = values.iter().map(|e| e.value.to_string()).collect();
                Err(format!("{v} is not one of {}", list.join(", ")))
            }
        }
        (ParamType::String | ParamType::Hex, Scalar::Str(s)) => check_text(def, s),
        (ty, v) => Err(format!("{v} is not a value of a {ty:?} parameter").to_lowercase()),
    }
}

fn check_text(def: &ParamDef, s: &str) -> Result<(), String> {
    if let Some(max) = def.max_len {
        if s.len() > max as usize {
            return Err(format!(
                "{} is longer than the maximum {max}",
                bytes(s.len() as u64)
            ));
        }
    }
    if def.ty == ParamType::Hex {
        if let Some(c) = s.chars().find(|c| !c.is_ascii_hexdigit()) {
            return Err(format!("`{c}` is not a hexadecimal digit"));
        }
        if !s.len().is_multiple_of(2) {
            return Err("a hex string needs two digits per byte".into());
        }
    }
    Ok(())
}

/// Parses a field as it appears on the wire into a scalar, checking it on the way.
pub fn check_wire(def: &ParamDef, raw: &str) -> Result<Scalar, String> {
    let raw = raw.trim_matches(' ');
    let quoted = is_quoted(def);
    let value = if quoted {
        match raw.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
            Some(inner) => Scalar::Str(inner.to_owned()),
            None => return Err(format!("`{raw}` should be in double quotes")),
        }
    } else {
        match def.ty {
            ParamType::Int | ParamType::Enum => match raw.parse::<i64>() {
                Ok(i) => Scalar::Int(i),
                Err(_) => return Err(format!("`{raw}` is not an integer")),
            },
            _ => Scalar::Str(raw.to_owned()),
        }
    };
    check_scalar(def, &value).map(|()| value)
}

/// Splits the text after `=` or `: ` at commas outside double quotes.
pub fn split_fields(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut quoted = false;
    for (i, b) in s.bytes().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b',' if !quoted => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if !s.is_empty() {
        out.push(&s[start..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_outside_quotes_only() {
        assert_eq!(split_fields(r#"1,"a,b",3"#), vec!["1", r#""a,b""#, "3"]);
        assert_eq!(split_fields(""), Vec::<&str>::new());
        assert_eq!(split_fields("1,"), vec!["1", ""]);
    }

    #[test]
    fn ranges_read_like_the_document() {
        assert_eq!(describe_ranges(&[[0, 0], [20, 86400]]), "0 or 20..=86400");
    }
}

//! The value lists of test responses (`AT+<cmd>=?`) as typed values: `(0-11)`, `(0,1)`,
//! `(0,20-86400)`, `("TCP","UDP")` or `"TCP","UDP"`, and placeholders (`<host>`), compared
//! with what the spec gives the field. The runtime's `supported` module reads them.

use quectel_qi::describe::Field;

/// What a test response shows for one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Supported {
    /// Integers, as inclusive intervals (`(0,20-86400)` is `[(0,0),(20,86400)]`).
    Ints(Vec<(i64, i64)>),
    /// Keywords (`"TCP","UDP"`), without their quotes.
    Keywords(Vec<String>),
    /// A name or literal shown as is (`<host>`, `"<hostname>"`).
    Placeholder(String),
}

/// Why a list does not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadList(pub String);

/// Parses one field of a test response (through [`quectel_qi::supported::parse`]).
pub fn parse(text: &str) -> Result<Supported, BadList> {
    use quectel_qi::supported::{self as typed, Item};
    let list = typed::parse(text).map_err(|e| BadList(format!("`{}`: {e}", text.trim())))?;
    if let typed::Supported::Placeholder(p) = list {
        return Ok(Supported::Placeholder(p.to_owned()));
    }
    let (mut ints, mut words) = (Vec::new(), Vec::new());
    for item in list.items() {
        match item {
            Item::Ints(lo, hi) => ints.push((lo, hi)),
            Item::Keyword(k) => words.push(k.to_owned()),
        }
    }
    Ok(if words.is_empty() {
        Supported::Ints(ints)
    } else {
        Supported::Keywords(words)
    })
}

/// The fields of a test response's body, split at commas outside quotes and parentheses.
pub fn split_fields(body: &str) -> Vec<String> {
    let (mut out, mut cur, mut quoted, mut depth) = (Vec::new(), String::new(), false, 0usize);
    for c in body.chars() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth = depth.saturating_sub(1),
            ',' if !quoted && depth == 0 => {
                out.push(cur.trim().to_owned());
                cur.clear();
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur.trim().to_owned());
    out
}

/// Merges touching intervals, so `(0,1)` equals `(0-1)`.
fn normal(mut v: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
    v.sort_unstable();
    let mut out: Vec<(i64, i64)> = Vec::new();
    for (lo, hi) in v {
        match out.last_mut() {
            Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
            _ => out.push((lo, hi)),
        }
    }
    out
}

/// Where a shown list differs from the spec's field; `None` when they agree (or the spec
/// shows the field as a placeholder).
pub fn differs(shown: &Supported, spec: &Field) -> Option<String> {
    differs_from(shown, spec.ints, spec.keywords, spec.allowed)
}

/// [`differs`] for a field given by the integers and keywords its type takes and what it
/// allows in words.
pub fn differs_from(
    shown: &Supported,
    ints: &[(i64, i64)],
    keywords: &[&str],
    allowed: &str,
) -> Option<String> {
    match shown {
        Supported::Placeholder(_) => None,
        Supported::Ints(got) if !ints.is_empty() => {
            let (got, want) = (normal(got.clone()), normal(ints.to_vec()));
            (got != want)
                .then(|| format!("the module shows {}, the spec {}", show(&got), show(&want)))
        }
        Supported::Keywords(got) if !keywords.is_empty() => {
            // The document prints its service types as one field, "TCP/UDP/TCP LISTENER/UDP
            // SERVICE".
            let mut g: Vec<&str> = match got.as_slice() {
                [one] if !keywords.contains(&one.as_str()) => one.split('/').collect(),
                _ => got.iter().map(String::as_str).collect(),
            };
            let mut w: Vec<&str> = keywords.to_vec();
            g.sort_unstable();
            w.sort_unstable();
            (g != w).then(|| format!("the module shows {g:?}, the spec {w:?}"))
        }
        _ => Some(format!("the module shows {shown:?}, the spec {allowed}")),
    }
}

/// `(0-11)`, `(0,20-86400)`.
pub fn show(v: &[(i64, i64)]) -> String {
    let parts: Vec<String> = v
        .iter()
        .map(|&(lo, hi)| {
            if lo == hi {
                lo.to_string()
            } else {
                format!("{lo}-{hi}")
            }
        })
        .collect();
    format!("({})", parts.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documents_lists_read() {
        assert_eq!(parse("(0-11)"), Ok(Supported::Ints(vec![(0, 11)])));
        assert_eq!(parse("(0,1)"), Ok(Supported::Ints(vec![(0, 0), (1, 1)])));
        assert_eq!(parse("(20-86400)"), Ok(Supported::Ints(vec![(20, 86400)])));
        assert_eq!(
            parse("(0,20-86400)"),
            Ok(Supported::Ints(vec![(0, 0), (20, 86400)]))
        );
        assert_eq!(
            parse(r#""TCP","UDP""#),
            Ok(Supported::Keywords(vec!["TCP".into(), "UDP".into()]))
        );
        assert_eq!(
            parse(r#"("TCP","UDP")"#),
            Ok(Supported::Keywords(vec!["TCP".into(), "UDP".into()]))
        );
        assert_eq!(parse("<host>"), Ok(Supported::Placeholder("<host>".into())));
        assert!(parse("(0-").is_err());
        assert!(parse("(9-1)").is_err());
        assert!(parse("(a)").is_err());
    }

    #[test]
    fn lists_compare_with_the_spec_as_sets() {
        let field = Field {
            name: "x",
            doc: "x",
            allowed: "0..=1",
            ints: &[(0, 0), (1, 1)],
            keywords: &[],
        };
        assert_eq!(differs(&parse("(0-1)").unwrap(), &field), None);
        assert_eq!(differs(&parse("(0,1)").unwrap(), &field), None);
        assert_eq!(
            differs(&parse("(0-2)").unwrap(), &field).as_deref(),
            Some("the module shows (0-2), the spec (0-1)")
        );
        assert!(differs(&parse(r#""A""#).unwrap(), &field).is_some());
        let kinds = Field {
            keywords: &["TCP", "UDP"],
            ints: &[],
            ..field
        };
        assert_eq!(differs(&parse(r#""TCP/UDP""#).unwrap(), &kinds), None);
        assert_eq!(differs(&parse(r#"("UDP","TCP")"#).unwrap(), &kinds), None);
    }
}

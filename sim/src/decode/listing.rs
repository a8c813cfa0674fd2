//! The readable listing of `qi decode`: one aligned row per record, errors beneath.
//!
//! ```text
//!   12 host   command  QIOPEN write  context_id=1 connect_id=12 ...
//!                      ! <connectID> = 12 is not allowed; allowed: 0..=11
//! ```

use super::Record;
use serde_json::Value;
use std::fmt::Write;

/// Renders the records, then a summary line.
pub fn render(records: &[Record]) -> String {
    let mut out = String::new();
    for r in records {
        let name = match (&r.name, r.form.or(r.variant)) {
            (Some(n), Some(f)) => format!("{n} {f}"),
            (Some(n), None) => n.clone(),
            (None, _) => String::new(),
        };
        let fields: Vec<String> = r
            .fields
            .iter()
            .map(|(k, v)| format!("{k}={}", short(v)))
            .collect();
        let detail = if fields.is_empty() {
            r.text.clone()
        } else {
            fields.join(" ")
        };
        let mark = if r.valid() { ' ' } else { '!' };
        let _ = writeln!(
            out,
            "{mark}{:>5} {:<6} {:<8} {:<20} {detail}",
            r.line,
            r.dir.as_str(),
            r.kind.as_str(),
            name
        );
        for e in &r.errors {
            let _ = writeln!(out, "{:>43}! {e}", "");
        }
        for w in &r.warnings {
            let _ = writeln!(out, "{:>43}warning: {w}", "");
        }
    }
    let bad = records.iter().filter(|r| !r.valid()).count();
    let _ = writeln!(out, "{} lines decoded, {} invalid", records.len(), bad);
    out
}

fn short(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{:?}", s),
        Value::Null => "-".into(),
        // An enumeration: its spec name, then its wire value.
        Value::Object(m) => match (m.get("name"), m.get("value")) {
            (Some(Value::String(n)), Some(v)) => format!("{n}({v})"),
            _ => v.to_string(),
        },
        other => other.to_string(),
    }
}

//! What a record says beyond a line's decoded fields: the text of an error code, and which
//! form or line a bad line came closest to.

use super::table::{self, Line, Request, Table};
use crate::decode::problems::Shape;
use quectel_qi::wire::DecodeError;
use serde_json::{json, Map, Value};

/// The fields of a module line; a field that carries an error code gets its text beside it
/// (`err_text` for `err`).
pub fn module_fields(
    table: &Table,
    shape: &Line,
    mut fields: Map<String, Value>,
) -> Map<String, Value> {
    for f in shape.params() {
        if !table.carries_error(f) {
            continue;
        }
        let text = fields
            .get(f.name)
            .and_then(Value::as_i64)
            .and_then(|c| table.error(c))
            .map(|e| e.text.clone());
        if let Some(t) = text {
            fields.insert(format!("{}_text", f.name), json!(t));
        }
    }
    fields
}

pub fn request_shape(r: &Request) -> Shape<'_, table::Field> {
    Shape {
        fields: &r.fields,
        written: r.head,
        module_line: false,
        form: &r.form.name,
    }
}

pub fn line_shape(l: &Line) -> Shape<'_, table::Field> {
    Shape {
        fields: &l.fields,
        written: l.prefix,
        module_line: true,
        form: l.urc.map_or("", |u| u.name.as_str()),
    }
}

/// Keeps the form whose head matched most of the line, then the one that got furthest.
pub fn closer<'t>(best: &mut Option<(&'t Request, DecodeError)>, r: &'t Request, e: DecodeError) {
    let n = r.fields.len();
    let Some(p) = e.progress(n) else { return };
    let better = match best {
        Some((s, b)) => b
            .progress(s.fields.len())
            .is_none_or(|q| (r.head.len(), p) > (s.head.len(), q)),
        None => true,
    };
    if better {
        *best = Some((r, e));
    }
}

/// As [`closer`], for module lines.
pub fn closer_line<'t>(best: &mut Option<(&'t Line, DecodeError)>, l: &'t Line, e: DecodeError) {
    let Some(p) = e.progress(l.fields.len()) else {
        return;
    };
    let better = match best {
        Some((s, b)) => b
            .progress(s.fields.len())
            .is_none_or(|q| (l.prefix.len(), p) > (s.prefix.len(), q)),
        None => true,
    };
    if better {
        *best = Some((l, e));
    }
}

//! What a command line's values break, in the words the generated `validate` uses: text too
//! long or not hexadecimal, too few repeated entries, an optional parameter given after one left
//! out, and the form's `rules:` (conditions read a parameter's default when it is left out).

use super::table::{Field, Request, ValueKind};
use qi_codegen::check::values::{bytes, in_ranges};
use qi_codegen::spec::{Constraint, ParamType, Scalar};
use quectel_qi::wire::Value as Shown;
use serde_json::{Map, Value};

/// The first rule the decoded `fields` of `r` break, as `validate` reports it.
pub fn broken(r: &Request, fields: &Map<String, Value>) -> Option<String> {
    let say = |f: &Field, value: Shown, allowed: &str| {
        format!(
            "{} ({}): <{}> is {value}; allowed: {allowed}",
            r.command.at_name(),
            r.form.name,
            f.doc
        )
    };
    let text = |f: &Field, v: &Value| -> Option<String> {
        let s = v.as_str()?;
        if f.kind != ValueKind::Text {
            return None;
        }
        if s.len() > f.max_len {
            let allowed = format!("at most {}", bytes(f.max_len as u64));
            return Some(say(f, Shown::Len(s.len()), &allowed));
        }
        if f.quoted() && s.contains('"') {
            return Some(say(f, Shown::Present, "text without double quotes"));
        }
        let hex = s.len().is_multiple_of(2) && s.bytes().all(|b| b.is_ascii_hexdigit());
        if f.def().ty == ParamType::Hex && !hex {
            return Some(say(
                f,
                Shown::Len(s.len()),
                "hexadecimal digits, two per byte",
            ));
        }
        None
    };
    for f in r.params() {
        if let Some(e) = fields.get(f.name).and_then(|v| text(f, v)) {
            return Some(e);
        }
    }
    if let Some(g) = &r.form.repeat {
        let entries = fields.get(&g.name).and_then(Value::as_array);
        let n = entries.map_or(0, Vec::len);
        if n < g.min as usize {
            return Some(format!(
                "{} ({}): <{}> is {}; allowed: at least {} entries",
                r.command.at_name(),
                r.form.name,
                g.name,
                Shown::Len(n),
                g.min
            ));
        }
        for e in entries.into_iter().flatten().filter_map(Value::as_object) {
            for f in r.group() {
                if let Some(e) = e.get(f.name).and_then(|v| text(f, v)) {
                    return Some(e);
                }
            }
        }
    }
    // Only trailing parameters may be left out.
    let given = |f: &Field| fields.get(f.name).is_some_and(|v| !v.is_null());
    let opts: Vec<&Field> = r
        .params()
        .iter()
        .filter(|f| f.usage().value.is_none() && f.usage().optional && !f.usage().keeps_place())
        .collect();
    for (i, f) in opts.iter().enumerate() {
        for later in &opts[i + 1..] {
            if !given(f) && given(later) {
                let allowed = format!("left out, because <{}> is left out", f.doc);
                return Some(say(later, Shown::Present, &allowed));
            }
        }
    }
    for rule in &r.form.rules {
        if let Some(group) = &rule.together {
            let members: Vec<&Field> = group.iter().filter_map(|n| r.param(n)).collect();
            if members.iter().any(|f| given(f)) {
                let docs: Vec<String> = members.iter().map(|f| format!("<{}>", f.doc)).collect();
                let allowed = format!("given together with {}: {}", docs.join(", "), rule.why);
                if let Some(f) = members.iter().find(|f| !given(f)) {
                    return Some(say(f, Shown::Missing, &allowed));
                }
            }
        }
        let Some(then) = &rule.then else { continue };
        let applies = rule.when.iter().flatten().all(|(n, c)| {
            r.param(n)
                .is_some_and(|f| holds(f, fields.get(f.name), c, false))
        });
        if !applies {
            continue;
        }
        for (n, c) in then {
            let Some(f) = r.param(n) else { continue };
            if !holds(f, fields.get(f.name), c, true) {
                let allowed = format!("{}: {}", qi_codegen::wording::constraint(c), rule.why);
                return Some(say(f, shown(f, fields.get(f.name)), &allowed));
            }
        }
    }
    None
}

/// Whether the constraint holds for a field's value; a missing one reads its default, else
/// `missing_holds` (true for requirements, false for conditions).
fn holds(f: &Field, v: Option<&Value>, c: &Constraint, missing_holds: bool) -> bool {
    let u = f.usage();
    let v = v.filter(|v| !v.is_null());
    if let Some(p) = c.present {
        return if u.optional { v.is_some() == p } else { p };
    }
    let Some(v) = v else {
        let default = u.default.as_ref().or(f.def().default.as_ref());
        return match (default, c) {
            (
                Some(d),
                Constraint {
                    one_of: Some(names),
                    ..
                },
            ) => f
                .def()
                .values
                .iter()
                .flatten()
                .any(|e| &e.value == d && names.contains(&e.name)),
            (Some(Scalar::Int(i)), Constraint { range: Some(r), .. }) => in_ranges(r, *i),
            (Some(_), _) => false,
            (None, _) => missing_holds,
        };
    };
    value_holds(v, c)
}

/// Whether a decoded value meets a constraint on its value (`one_of`, `range`, `min_len`).
pub fn value_holds(v: &Value, c: &Constraint) -> bool {
    if let Some(names) = &c.one_of {
        return v
            .get("name")
            .and_then(Value::as_str)
            .is_some_and(|n| names.iter().any(|x| x == n));
    }
    if let Some(r) = &c.range {
        return int_of(v).is_some_and(|x| in_ranges(r, x));
    }
    if let Some(m) = c.min_len {
        return v.as_str().is_some_and(|s| s.len() >= m as usize);
    }
    true
}

/// A decoded value's integer: a number, or a numbered enumeration's code.
pub fn int_of(v: &Value) -> Option<i64> {
    v.as_i64()
        .or_else(|| v.get("value").and_then(Value::as_i64))
}

/// The value as a rule's message shows it.
fn shown(f: &Field, v: Option<&Value>) -> Shown {
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return Shown::Missing;
    };
    match f.kind {
        ValueKind::Keywords => Shown::Present,
        ValueKind::Text => Shown::Len(v.as_str().map_or(0, str::len)),
        _ => int_of(v).map_or(Shown::Present, Shown::Int),
    }
}

//! Values for test requests and lines: valid samples, the rules of a form applied to them, and
//! their text on the wire (written independently of the emitters, so that tests compare two
//! readings of the spec).

use crate::check::values::{check_wire, in_ranges, is_quoted, split_fields};
use crate::ir::Model;
use crate::spec::{
    Command, Constraint, Form, FormKind, ParamDef, ParamType, ParamUse, Rule, Scalar, Transcript,
};
use std::collections::BTreeMap;

/// The value of one parameter in a test request or line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// An integer (range-checked newtype or plain integer).
    Int(i64),
    /// The enumeration value at this index of the definition's list.
    Enum(usize),
    Str(String),
    /// Text written to the wire as is: a value no Rust type can hold (an unlisted keyword).
    Raw(String),
    /// The values of a repeated field, in wire order (none: the field is left out).
    List(Vec<Value>),
    /// An optional parameter left out.
    Absent,
}

/// How a parameter is typed in the generated code (mirrors the emitters' choice).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repr {
    Newtype,
    Int,
    Enum { keyword: bool },
    Str,
    Hex,
}

pub fn repr(def: &ParamDef) -> Repr {
    match def.ty {
        ParamType::Int if def.range.is_some() => Repr::Newtype,
        ParamType::Int | ParamType::Bytes => Repr::Int,
        ParamType::Enum => Repr::Enum {
            keyword: def
                .values
                .iter()
                .flatten()
                .any(|v| matches!(v.value, Scalar::Str(_))),
        },
        ParamType::String => Repr::Str,
        ParamType::Hex => Repr::Hex,
    }
}

/// Intersection of two sets of inclusive intervals.
pub fn intersect(a: &[[i64; 2]], b: &[[i64; 2]]) -> Vec<[i64; 2]> {
    let mut out = Vec::new();
    for x in a {
        for y in b {
            let (lo, hi) = (x[0].max(y[0]), x[1].min(y[1]));
            if lo <= hi {
                out.push([lo, hi]);
            }
        }
    }
    out.sort();
    out
}

/// The integers a parameter may take in a form: its type's range narrowed by the form's
/// unconditional rules. `None` for an integer without any range.
pub fn effective_ranges(def: &ParamDef, form: &Form, field: &str) -> Option<Vec<[i64; 2]>> {
    let mut ranges = def.range.clone();
    for r in form.rules.iter().filter(|r| r.when.is_none()) {
        if let Some(c) = r.then.as_ref().and_then(|t| t.get(field)) {
            if let Some(rr) = &c.range {
                ranges = Some(match ranges {
                    Some(x) => intersect(&x, rr),
                    None => rr.clone(),
                });
            }
        }
    }
    ranges
}

/// Boundary values of interval sets: `(accepted, rejected)`, each sorted and without repeats;
/// rejected values lie just outside an interval and inside none.
pub fn boundaries(ranges: &[[i64; 2]]) -> (Vec<i64>, Vec<i64>) {
    let mut ok = Vec::new();
    let mut bad = Vec::new();
    for [lo, hi] in ranges {
        ok.extend([*lo, *hi]);
        for v in [lo - 1, hi + 1] {
            if !in_ranges(ranges, v) {
                bad.push(v);
            }
        }
    }
    ok.sort();
    ok.dedup();
    bad.sort();
    bad.dedup();
    (ok, bad)
}

/// Every example session of the spec: the sessions files', then each command's examples.
pub fn transcripts(model: &Model) -> impl Iterator<Item = &Transcript> {
    let spec = &model.spec;
    spec.transcripts
        .iter()
        .flat_map(|f| f.value.transcripts.iter())
        .chain(spec.commands.iter().flat_map(|c| c.value.examples.iter()))
}

/// String samples found in the spec's example sessions, by parameter key: the first value each
/// string parameter takes in a host line.
pub fn example_strings(model: &Model) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let steps = transcripts(model).flat_map(|t| t.steps.iter());
    for step in steps {
        let Some(line) = step.host.as_deref() else {
            continue;
        };
        if step.invalid || step.foreign {
            continue;
        }
        for c in &model.spec.commands {
            let cmd = &c.value;
            for form in cmd.forms.iter().filter(|f| f.kind == FormKind::Write) {
                if let Some(values) = match_write(model, cmd, form, line) {
                    for (u, v) in form.params.iter().zip(values) {
                        if let Scalar::Str(s) = v {
                            if matches!(repr(model.param(&u.param)), Repr::Str | Repr::Hex)
                                && !s.is_empty()
                            {
                                out.entry(u.param.clone()).or_insert(s);
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

/// The values of a write form's command line, if the line has this form's shape.
fn match_write(model: &Model, cmd: &Command, form: &Form, line: &str) -> Option<Vec<Scalar>> {
    let rest = line.strip_prefix(&cmd.head(form))?;
    let rest = match &form.selector {
        Some(_) => rest.strip_prefix(',').unwrap_or(rest),
        None => rest,
    };
    let fields = split_fields(rest);
    let required = form.params.iter().filter(|u| !u.optional).count();
    if fields.len() < required || fields.len() > form.params.len() {
        return None;
    }
    form.params
        .iter()
        .zip(&fields)
        .map(|(u, raw)| check_wire(model.param(&u.param), raw).ok())
        .collect()
}

/// A valid sample of a parameter, ignoring rules.
pub fn sample(
    model: &Model,
    u: &ParamUse,
    ranges: Option<&[[i64; 2]]>,
    strings: &BTreeMap<String, String>,
) -> Value {
    let def = model.param(&u.param);
    let default = u.default.as_ref().or(def.default.as_ref());
    match repr(def) {
        Repr::Newtype | Repr::Int => {
            let ranges = ranges.unwrap_or_default();
            match default {
                Some(Scalar::Int(d)) if ranges.is_empty() || in_ranges(ranges, *d) => {
                    Value::Int(*d)
                }
                _ => Value::Int(ranges.first().map_or(1, |r| r[0])),
            }
        }
        Repr::Enum { .. } => {
            let values = def.values.as_deref().unwrap_or_default();
            let i = default
                .and_then(|d| values.iter().position(|v| &v.value == d))
                .unwrap_or(0);
            Value::Enum(i)
        }
        Repr::Str | Repr::Hex => {
            let max = def.max_len.map_or(usize::MAX, |m| m as usize);
            let fallback = if def.ty == ParamType::Hex {
                "30"
            } else if def.about.contains("address") {
                "127.0.0.1"
            } else {
                "a"
            };
            let s = strings
                .get(&u.param)
                .filter(|s| s.len() <= max)
                .map_or(fallback, String::as_str);
            Value::Str(s.to_owned())
        }
    }
}

/// The value a left-out parameter takes: its default (the use's, else the type's), if any.
pub fn default_value(def: &ParamDef, u: &ParamUse) -> Option<Value> {
    let d = u.default.as_ref().or(def.default.as_ref())?;
    let values = def.values.as_deref().unwrap_or_default();
    Some(match values.iter().position(|e| &e.value == d) {
        Some(k) => Value::Enum(k),
        None => match d {
            Scalar::Int(i) => Value::Int(*i),
            Scalar::Str(s) => Value::Str(s.clone()),
        },
    })
}

/// Whether a constraint holds for a value; a left-out value takes its default, and without one
/// counts as `missing_holds`.
fn holds(def: &ParamDef, u: &ParamUse, c: &Constraint, v: &Value, missing_holds: bool) -> bool {
    if let Some(p) = c.present {
        return (*v != Value::Absent) == p;
    }
    let values = def.values.as_deref().unwrap_or_default();
    let v = match v {
        Value::Absent => match default_value(def, u) {
            Some(d) => d,
            None => return missing_holds,
        },
        v => v.clone(),
    };
    if let Some(names) = &c.one_of {
        return matches!(v, Value::Enum(i) if names.contains(&values[i].name));
    }
    if let Some(r) = &c.range {
        return matches!(v, Value::Int(i) if in_ranges(r, i));
    }
    if let Some(m) = c.min_len {
        return matches!(&v, Value::Str(s) if s.len() >= m as usize);
    }
    true
}

/// The index of a field in a form's parameters (the checker guarantees it exists).
pub fn position(form: &Form, field: &str) -> usize {
    form.params
        .iter()
        .position(|u| u.field_name() == field)
        .expect("checked")
}

/// The values of a form's parameters (constants included, as `Absent`), by position.
pub type Values = Vec<Value>;

fn rule_holds(model: &Model, form: &Form, r: &Rule, values: &Values) -> Result<(), String> {
    let find = |name: &str| position(form, name);
    if let Some(group) = &r.together {
        let given: Vec<bool> = group
            .iter()
            .map(|n| values[find(n)] != Value::Absent)
            .collect();
        if given.iter().any(|g| *g) && !given.iter().all(|g| *g) {
            return Err(group[0].clone());
        }
    }
    let applies = r.when.iter().flatten().all(|(n, c)| {
        let i = find(n);
        let u = &form.params[i];
        holds(model.param(&u.param), u, c, &values[i], false)
    });
    if applies {
        for (n, c) in r.then.iter().flatten() {
            let i = find(n);
            let u = &form.params[i];
            if !holds(model.param(&u.param), u, c, &values[i], true) {
                return Err(n.clone());
            }
        }
    }
    Ok(())
}

/// Whether the values satisfy every rule of the form and leave out only trailing parameters.
pub fn valid(model: &Model, form: &Form, values: &Values) -> bool {
    let mut gone = false;
    for (u, v) in form.params.iter().zip(values) {
        if u.value.is_some() {
            continue;
        }
        if *v == Value::Absent {
            gone |= !u.keeps_place();
        } else if gone {
            return false;
        }
    }
    form.rules
        .iter()
        .all(|r| rule_holds(model, form, r, values).is_ok())
}

/// Adjusts parameters other than `pinned` until every rule holds; `None` if that fails.
pub fn fix(
    model: &Model,
    form: &Form,
    mut values: Values,
    pinned: &[usize],
    strings: &BTreeMap<String, String>,
) -> Option<Values> {
    for _ in 0..4 {
        if valid(model, form, &values) {
            return Some(values);
        }
        for r in &form.rules {
            let applies = r.when.iter().flatten().all(|(n, c)| {
                let i = position(form, n);
                let u = &form.params[i];
                holds(model.param(&u.param), u, c, &values[i], false)
            });
            if !applies {
                continue;
            }
            for (n, c) in r.then.iter().flatten() {
                let i = position(form, n);
                let u = &form.params[i];
                let def = model.param(&u.param);
                if holds(def, u, c, &values[i], true) {
                    continue;
                }
                if pinned.contains(&i) {
                    return None;
                }
                values[i] = if c.present == Some(true) {
                    sample(model, u, def.range.as_deref(), strings)
                } else if let Some(names) = &c.one_of {
                    let vs = def.values.as_deref().unwrap_or_default();
                    Value::Enum(vs.iter().position(|e| e.name == names[0])?)
                } else if let Some(r) = &c.range {
                    Value::Int(r[0][0])
                } else if let Some(m) = c.min_len {
                    Value::Str("a".repeat(m as usize))
                } else {
                    return None;
                };
            }
        }
    }
    valid(model, form, &values).then_some(values)
}

/// The head of a form's command line: `AT+QIOPEN=`, `AT+QICFG="viewmode"`, `AT+QIACT?`.
pub fn head(cmd: &Command, form: &Form) -> String {
    cmd.head(form)
}

/// A value as text on the wire.
pub fn wire(def: &ParamDef, v: &Value) -> String {
    let values = def.values.as_deref().unwrap_or_default();
    match v {
        Value::Int(i) => i.to_string(),
        Value::Enum(i) => match &values[*i].value {
            Scalar::Int(n) => n.to_string(),
            Scalar::Str(s) if is_quoted(def) => format!("\"{s}\""),
            Scalar::Str(s) => s.clone(),
        },
        Value::Str(s) if is_quoted(def) => format!("\"{s}\""),
        Value::Str(s) => s.clone(),
        Value::Raw(s) => s.clone(),
        Value::List(vs) => vs
            .iter()
            .map(|v| wire(def, v))
            .collect::<Vec<_>>()
            .join(","),
        Value::Absent => String::new(),
    }
}

/// The command line of a write form with these values (without `\r`); a repeated group gets
/// [`group_sample`]'s entries.
pub fn command_line(model: &Model, cmd: &Command, form: &Form, values: &Values) -> String {
    command_line_with(model, cmd, form, values, None)
}

/// As few valid entries of a form's repeated group as it needs (one at least), so that a case
/// is about the value it varies, not about missing entries; none without a group.
pub fn group_sample(model: &Model, form: &Form, strings: &BTreeMap<String, String>) -> Vec<Values> {
    let Some(g) = &form.repeat else {
        return Vec::new();
    };
    let entry: Values = g
        .params
        .iter()
        .map(|u| sample(model, u, model.param(&u.param).range.as_deref(), strings))
        .collect();
    vec![entry; g.min.max(1) as usize]
}

/// [`command_line`] with these entries of the repeated group (`None`: [`group_sample`]'s).
pub fn command_line_with(
    model: &Model,
    cmd: &Command,
    form: &Form,
    values: &Values,
    group: Option<&[Values]>,
) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut whole = true;
    for (u, v) in form.params.iter().zip(values) {
        match (&u.value, v) {
            (Some(Scalar::Int(i)), _) => parts.push(i.to_string()),
            (Some(Scalar::Str(s)), _) => parts.push(format!("\"{s}\"")),
            (None, Value::Absent) if u.keeps_place() => parts.push(String::new()),
            (None, Value::Absent) => {
                whole = false;
                break;
            }
            (None, v) => parts.push(wire(model.param(&u.param), v)),
        }
    }
    if let (Some(g), true) = (&form.repeat, whole) {
        let sampled;
        let entries = match group {
            Some(e) => e,
            None => {
                sampled = group_sample(model, form, &example_strings(model));
                &sampled
            }
        };
        for entry in entries {
            for (u, v) in g.params.iter().zip(entry) {
                parts.push(wire(model.param(&u.param), v));
            }
        }
    }
    let head = head(cmd, form);
    match (form.selector.is_some(), parts.is_empty()) {
        (_, true) => head,
        (true, false) => format!("{head},{}", parts.join(",")),
        (false, false) => format!("{head}{}", parts.join(",")),
    }
}

/// The largest string length of a parameter: its own, or the document-wide bound.
pub fn max_len(model: &Model, def: &ParamDef) -> usize {
    def.max_len
        .unwrap_or(model.spec.document.value.unspecified_string_len) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundaries_cover_both_sides_of_a_gap() {
        let (ok, bad) = boundaries(&[[0, 0], [20, 86400]]);
        assert_eq!(ok, vec![0, 20, 86400]);
        assert_eq!(bad, vec![-1, 1, 19, 86401]);
        let (_, bad) = boundaries(&[[0, 5], [6, 9]]);
        assert_eq!(bad, vec![-1, 10], "adjacent intervals have no gap");
    }

    #[test]
    fn intersection_narrows_ranges() {
        assert_eq!(intersect(&[[0, 1460]], &[[1, 1460]]), vec![[1, 1460]]);
        assert_eq!(intersect(&[[0, 0], [20, 50]], &[[10, 30]]), vec![[20, 30]]);
    }
}

//! Cases of what a revision removed (`until:`): the spec as written still has the items, the
//! latest revision's API does not. A removed form's command line is no request, a removed URC's
//! line no URC, and a removed enumeration value no longer decodes in the forms that remain.

use super::values::{self, Value};
use super::{form_prefix, Case, Check, Kind, Request, ShapeRef, Slot};
use crate::ir::Model;
use crate::spec::{Command, Form};
use std::collections::BTreeMap;

/// The removal cases of `model` (the latest revision) against `written` (the spec as written,
/// `until:` items included).
pub(super) fn cases<'m>(model: &'m Model, written: &Model, out: &mut Vec<Case<'m>>) {
    let strings = values::example_strings(written);
    forms(model, written, &strings, out);
    urcs(model, written, &strings, out);
    enum_values(model, written, &strings, out);
}

fn current_command<'m>(model: &'m Model, name: &str) -> Option<&'m Command> {
    model
        .spec
        .commands
        .iter()
        .map(|c| &c.value)
        .find(|c| c.name == name)
}

/// Removed forms whose kind and selector no remaining form of their command has: their line
/// must not decode at all.
fn forms(
    model: &Model,
    written: &Model,
    strings: &BTreeMap<String, String>,
    out: &mut Vec<Case<'_>>,
) {
    for c in &written.spec.commands {
        let cmd = &c.value;
        let current = current_command(model, &cmd.name);
        for form in &cmd.forms {
            let kept = current.is_some_and(|k| {
                k.forms
                    .iter()
                    .any(|f| f.kind == form.kind && f.selector == form.selector)
            });
            if kept {
                continue;
            }
            let Some(line) = sample_line(written, cmd, form, strings) else {
                continue;
            };
            out.push(Case {
                name: format!("{}_was_removed", form_prefix(cmd, form)),
                kind: Kind::Removed,
                check: Check::Removed { line, urc: false },
                documented: true,
            });
        }
    }
}

/// A valid command line of a form, by the spec it belongs to.
fn sample_line(
    spec: &Model,
    cmd: &Command,
    form: &Form,
    strings: &BTreeMap<String, String>,
) -> Option<String> {
    let base: Vec<Value> = form
        .params
        .iter()
        .map(|u| match u.value {
            Some(_) => Value::Absent,
            None => values::sample(spec, u, spec.param(&u.param).range.as_deref(), strings),
        })
        .collect();
    let base = values::fix(spec, form, base, &[], strings)?;
    Some(values::command_line(spec, cmd, form, &base))
}

/// Removed URCs whose prefix and keyword no remaining URC has.
fn urcs(
    model: &Model,
    written: &Model,
    strings: &BTreeMap<String, String>,
    out: &mut Vec<Case<'_>>,
) {
    let current = &model.spec.urcs.value.urcs;
    for u in &written.spec.urcs.value.urcs {
        if current
            .iter()
            .any(|k| k.prefix == u.prefix && k.keyword == u.keyword)
        {
            continue;
        }
        let shape = ShapeRef::of_urc(u, String::new(), String::new());
        let base = super::shape_base(written, &shape, strings);
        out.push(Case {
            name: format!("urc_{}_was_removed", u.name),
            kind: Kind::Removed,
            check: Check::Removed {
                line: super::shape_line(written, &shape, &base),
                urc: true,
            },
            documented: true,
        });
    }
}

/// Every remaining form with a parameter that lost an enumeration value: the line with that
/// value is rejected.
fn enum_values<'m>(
    model: &'m Model,
    written: &Model,
    strings: &BTreeMap<String, String>,
    out: &mut Vec<Case<'m>>,
) {
    for c in &model.spec.commands {
        let cmd = &c.value;
        for form in &cmd.forms {
            // The form's parameters, then those of its group's first entry.
            let params = form
                .params
                .iter()
                .enumerate()
                .map(|(i, u)| (Slot::Param(i), u));
            let entry = form.repeat.iter().flat_map(|g| g.params.iter().enumerate());
            let slots = params.chain(entry.map(|(j, u)| (Slot::Entry(j), u)));
            for (slot, u) in slots {
                if u.value.is_some() {
                    continue;
                }
                let Some((_, old)) = written.params().find(|(k, _)| *k == u.param) else {
                    continue;
                };
                let now = model.param(&u.param);
                let listed = old.values.as_deref().unwrap_or_default();
                for (k, gone) in listed.iter().enumerate() {
                    if now.values.iter().flatten().any(|n| n.value == gone.value) {
                        continue;
                    }
                    let Some(values) = base(model, form, strings) else {
                        continue;
                    };
                    let mut request = Request {
                        cmd,
                        form,
                        values,
                        group: values::group_sample(model, form, strings),
                    };
                    let raw = Value::Raw(values::wire(old, &Value::Enum(k)));
                    match slot {
                        Slot::Param(i) => request.values[i] = raw,
                        Slot::Entry(j) => request.group[0][j] = raw,
                    }
                    out.push(Case {
                        name: format!(
                            "{}_{}_rejects_removed_{}",
                            form_prefix(cmd, form),
                            u.field_name(),
                            gone.name
                        ),
                        kind: Kind::Removed,
                        check: Check::LineRejected(request),
                        documented: true,
                    });
                }
            }
        }
    }
}

fn base(model: &Model, form: &Form, strings: &BTreeMap<String, String>) -> Option<Vec<Value>> {
    let vs = form
        .params
        .iter()
        .map(|u| match u.value {
            Some(_) => Value::Absent,
            None => values::sample(model, u, model.param(&u.param).range.as_deref(), strings),
        })
        .collect();
    values::fix(model, form, vs, &[], strings)
}

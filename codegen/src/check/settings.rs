//! Checks of what the schema states about settings, so that tools read it instead of guessing:
//! what each value of a setting that frames a payload means (`framing:` on its values), and
//! which settings are kept per instance (`per:` on the parameter type).

use super::Cx;
use crate::spec::*;

/// A place that names a setting as framing a payload.
struct Use<'a> {
    key: &'a str,
    /// `separator_by` (else `encoding_by`).
    separator: bool,
    /// Where it is named (the message is filled in).
    at: Diagnostic,
    /// The parameter types of the line or form, one of which names a per-instance setting's
    /// instance.
    carried: Vec<&'a str>,
}

pub(super) fn check(cx: &mut Cx) {
    let uses = uses(cx);
    for u in &uses {
        framing_use(cx, u);
    }
    let spec = cx.spec;
    for file in &spec.params {
        for (key, def) in &file.value {
            if let Some(per) = &def.per {
                per_instance(cx, file, key, per);
            }
        }
    }
    urcs(cx);
}

fn uses<'a>(cx: &Cx<'a>) -> Vec<Use<'a>> {
    let mut out = Vec::new();
    let mut data =
        |src: &dyn Fn(&str) -> Diagnostic, path: &str, d: &'a DataBlock, carried: Vec<&'a str>| {
            for (separator, name, by) in [
                (true, "separator_by", &d.separator_by),
                (false, "encoding_by", &d.encoding_by),
            ] {
                if let Some(key) = by {
                    out.push(Use {
                        key,
                        separator,
                        at: src(&format!("{path}.{name}")),
                        carried: carried.clone(),
                    });
                }
            }
        };
    let params = |us: &'a [ParamUse]| us.iter().map(|u| u.param.as_str()).collect::<Vec<_>>();
    for c in &cx.spec.commands {
        let at = |p: &str| c.at(p, "");
        for (i, f) in c.value.forms.iter().enumerate() {
            for (j, l) in f.response.lines.iter().enumerate() {
                if let Some(d) = &l.data {
                    let path = format!("forms[{i}].response.lines[{j}].data");
                    data(&at, &path, d, params(&l.fields));
                }
            }
        }
    }
    let urcs = &cx.spec.urcs;
    for (i, u) in urcs.value.urcs.iter().enumerate() {
        if let Some(d) = &u.data {
            let at = |p: &str| urcs.at(p, "");
            data(&at, &format!("urcs[{i}].data"), d, params(&u.fields));
        }
    }
    for c in &cx.spec.commands {
        for (i, f) in c.value.forms.iter().enumerate() {
            let Some(key) = f
                .response
                .prompt
                .as_ref()
                .and_then(|p| p.encoding_by.as_ref())
            else {
                continue;
            };
            let group = f.repeat.iter().flat_map(|g| &g.params);
            out.push(Use {
                key,
                separator: false,
                at: c.at(&format!("forms[{i}].response.prompt.encoding_by"), ""),
                carried: f
                    .params
                    .iter()
                    .chain(group)
                    .map(|u| u.param.as_str())
                    .collect(),
            });
        }
    }
    out
}

fn framing_use(cx: &mut Cx, u: &Use) {
    let say = |message: String| Diagnostic {
        message,
        ..u.at.clone()
    };
    // An unknown setting is reported where it is named.
    let Some(def) = cx.params.get(u.key).copied() else {
        return;
    };
    let (role, choices) = if u.separator {
        ("separator_by", "`framing: crlf` or `framing: comma`")
    } else {
        ("encoding_by", "`framing: raw` or `framing: hex`")
    };
    let key = u.key;
    if def.ty != ParamType::Enum {
        cx.push(say(format!(
            "`{key}` frames a payload ({role}), so it must be an enum whose values each say {choices}"
        )));
        return;
    }
    let spec = cx.spec;
    let Some(file) = spec.params.iter().find(|f| f.value.contains_key(key)) else {
        return;
    };
    for (k, v) in def.values.iter().flatten().enumerate() {
        let name = &v.name;
        match v.framing {
            Some(f) if f.is_separator() == u.separator => {}
            Some(f) => cx.push(file.at(
                &format!("{key}.values[{k}].framing"),
                format!(
                    "value `{name}` of `{key}` says `framing: {}`, but a payload's `{role}` names `{key}`: it needs {choices}",
                    f.as_str()
                ),
            )),
            None => cx.push(file.at(
                &format!("{key}.values[{k}]"),
                format!("value `{name}` of `{key}`, which a payload's `{role}` names, needs {choices}"),
            )),
        }
    }
    if let Some(per) = &def.per {
        if !u.carried.contains(&per.as_str()) {
            cx.push(say(format!(
                "`{key}` is kept per `{per}` (its `per:`), but this line or form has no `{per}` to name the instance"
            )));
        }
    }
}

/// A per-instance setting: its index is an integer parameter type, and every form that sets
/// it names the instance.
fn per_instance(
    cx: &mut Cx,
    file: &Sourced<std::collections::BTreeMap<String, ParamDef>>,
    key: &str,
    per: &str,
) {
    let at = format!("{key}.per");
    let index = cx.params.get(per).copied();
    match index {
        _ if per == key => cx.push(file.at(&at, format!("`{key}` cannot be kept per itself"))),
        Some(d) if d.ty == ParamType::Int => {}
        Some(_) => cx.push(file.at(
            &at,
            format!("`{per}` must be an integer parameter type: the index of the instance"),
        )),
        None if cx.spec.gaps.params => {}
        None => cx.push(file.at(
            &at,
            format!("unknown parameter type `{per}`: it is not defined in params/*.yaml"),
        )),
    }
    let spec = cx.spec;
    for c in &spec.commands {
        for (i, f) in c.value.forms.iter().enumerate() {
            if f.kind != FormKind::Write {
                continue;
            }
            let all: Vec<&ParamUse> = f
                .params
                .iter()
                .chain(f.repeat.iter().flat_map(|g| &g.params))
                .collect();
            let sets = all.iter().any(|u| u.param == key && u.value.is_none());
            if sets && !all.iter().any(|u| u.param == per) {
                cx.push(c.at(
                    &format!("forms[{i}]"),
                    format!("form `{}` sets `{key}`, which is kept per `{per}` (params `per:`), but has no `{per}` parameter to name the instance", f.name),
                ));
            }
        }
    }
}

/// A URC whose variant a per-instance setting chooses carries the instance; a URC's `per:`
/// names the field of that instance, and only per-instance settings.
fn urcs(cx: &mut Cx) {
    let src = &cx.spec.urcs;
    let mut errs = Vec::new();
    for (i, u) in src.value.urcs.iter().enumerate() {
        let field_param = |name: &str| {
            u.fields
                .iter()
                .find(|f| f.field_name() == name)
                .map(|f| f.param.as_str())
        };
        let per_field = u.per.as_deref().and_then(field_param);
        for key in u.when.iter().flat_map(|w| w.keys()) {
            if field_param(key).is_some() {
                continue;
            }
            let Some(def) = cx.params.get(key.as_str()) else {
                continue;
            };
            match (&def.per, per_field) {
                (Some(p), _) if !u.fields.iter().any(|f| f.param == *p) => errs.push(src.at(
                    &format!("urcs[{i}].when"),
                    format!("`when` reads `{key}`, which is kept per `{p}` (params `per:`), but the URC has no `{p}` field to name the instance"),
                )),
                (Some(p), Some(f)) if f != p => errs.push(src.at(
                    &format!("urcs[{i}].per"),
                    format!("`per` names a `{f}` field, but `{key}` is kept per `{p}` (params `per:`)"),
                )),
                (None, Some(_)) => errs.push(src.at(
                    &format!("urcs[{i}].per"),
                    format!("`per` says `when` reads per-instance settings, but `{key}` is module-wide: give it `per:` in params/*.yaml"),
                )),
                _ => {}
            }
        }
    }
    cx.errs.extend(errs);
}

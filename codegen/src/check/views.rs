//! Checks of the markers that views of the spec read (see [`crate::revision`]): every `since`
//! names a revision, every `modules:` entry and `by_module:` key names a module profile, and
//! each module difference is of a kind its parameter type can have.

use super::{is_snake, Cx};
use crate::spec::*;
use std::collections::BTreeSet;

pub(super) fn check(cx: &mut Cx) {
    let spec = cx.spec;
    let revisions: BTreeSet<&str> = spec
        .document
        .value
        .revisions
        .iter()
        .map(|r| r.version.as_str())
        .collect();
    let mut errs = Vec::new();
    let mut profiles = BTreeSet::new();
    for (i, m) in spec.document.value.modules.iter().enumerate() {
        if let Some(id) = &m.profile {
            let at = |msg: String| spec.document.at(&format!("modules[{i}].profile"), msg);
            if !is_snake(id) {
                errs.push(at(format!("profile `{id}` must be snake_case")));
            }
            if !profiles.insert(id.as_str()) {
                errs.push(at(format!("profile `{id}` is given to two modules")));
            }
        }
    }
    let since = |s: &Option<String>, at: &dyn Fn(String) -> Diagnostic, errs: &mut Vec<_>| {
        if let Some(v) = s {
            if !revisions.contains(v.as_str()) {
                errs.push(at(format!(
                    "`since: {v}` names no revision of document.yaml"
                )));
            }
        }
    };
    let modules =
        |m: &Option<Vec<String>>, at: &dyn Fn(usize, String) -> Diagnostic, errs: &mut Vec<_>| {
            for (i, id) in m.iter().flatten().enumerate() {
                if !profiles.contains(id.as_str()) {
                    errs.push(at(
                        i,
                        format!("`{id}` is no module profile of document.yaml"),
                    ));
                }
            }
        };
    for c in &spec.commands {
        let cmd = &c.value;
        since(&cmd.since, &|m| c.at("since", m), &mut errs);
        modules(
            &cmd.modules,
            &|i, m| c.at(&format!("modules[{i}]"), m),
            &mut errs,
        );
        for (f, form) in cmd.forms.iter().enumerate() {
            let p = format!("forms[{f}]");
            modules(
                &form.modules,
                &|i, m| c.at(&format!("{p}.modules[{i}]"), m),
                &mut errs,
            );
            for (l, line) in form.response.lines.iter().enumerate() {
                let lp = format!("{p}.response.lines[{l}].since");
                since(&line.since, &|m| c.at(&lp, m), &mut errs);
            }
        }
        for (t, tr) in cmd.examples.iter().enumerate() {
            let tp = format!("examples[{t}].since");
            since(&tr.since, &|m| c.at(&tp, m), &mut errs);
        }
    }
    for (i, u) in spec.urcs.value.urcs.iter().enumerate() {
        let p = format!("urcs[{i}].since");
        since(&u.since, &|m| spec.urcs.at(&p, m), &mut errs);
    }
    for (i, e) in spec.errors.value.errors.iter().enumerate() {
        let p = format!("errors[{i}].since");
        since(&e.since, &|m| spec.errors.at(&p, m), &mut errs);
    }
    for file in &spec.transcripts {
        for (i, t) in file.value.transcripts.iter().enumerate() {
            let p = format!("transcripts[{i}].since");
            since(&t.since, &|m| file.at(&p, m), &mut errs);
        }
    }
    for file in &spec.params {
        for (key, def) in &file.value {
            for (i, v) in def.values.iter().flatten().enumerate() {
                let p = format!("{key}.values[{i}].since");
                since(&v.since, &|m| file.at(&p, m), &mut errs);
            }
            for (id, o) in &def.by_module {
                let p = format!("{key}.by_module.{id}");
                if !profiles.contains(id.as_str()) {
                    errs.push(
                        file.at_key(&p, format!("`{id}` is no module profile of document.yaml")),
                    );
                }
                if o.range.is_some() && def.ty != ParamType::Int {
                    errs.push(
                        file.at(&format!("{p}.range"), "`range` applies to `type: int` only"),
                    );
                }
                if o.max_len.is_some() && !matches!(def.ty, ParamType::String | ParamType::Hex) {
                    errs.push(file.at(
                        &format!("{p}.max_len"),
                        "`max_len` applies to strings and hex strings only",
                    ));
                }
                for (j, name) in o.without_values.iter().enumerate() {
                    if !def.values.iter().flatten().any(|v| &v.name == name) {
                        errs.push(file.at(
                            &format!("{p}.without_values[{j}]"),
                            format!("`{name}` is no value of `{key}`"),
                        ));
                    }
                }
            }
        }
    }
    cx.errs.extend(errs);
}

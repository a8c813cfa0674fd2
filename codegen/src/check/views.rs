//! Checks of the markers that views of the spec read (see [`crate::revision`]): every `since`
//! names a revision, every `modules:` entry and `by_module:` key names a module profile, each
//! module difference is of a kind its parameter type can have, and every `group:` names one
//! of document.yaml's `groups:`.

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
    let mut groups = BTreeSet::new();
    for (i, g) in spec.document.value.groups.iter().enumerate() {
        let at = |msg: String| spec.document.at(&format!("groups[{i}].name"), msg);
        if !is_snake(&g.name) {
            errs.push(at(format!("group `{}` must be snake_case", g.name)));
        }
        if !groups.insert(g.name.as_str()) {
            errs.push(at(format!("group `{}` is declared twice", g.name)));
        }
    }
    let group = |g: &Option<String>, at: &dyn Fn(String) -> Diagnostic, errs: &mut Vec<_>| {
        if let Some(g) = g {
            if !groups.contains(g.as_str()) {
                errs.push(at(format!(
                    "`group: {g}` names no entry of document.yaml's `groups:`"
                )));
            }
        }
    };
    for c in &spec.commands {
        group(&c.value.group, &|m| c.at("group", m), &mut errs);
        for (t, tr) in c.value.examples.iter().enumerate() {
            let at = |m| c.at(&format!("examples[{t}].group"), m);
            group(&tr.group, &at, &mut errs);
        }
    }
    for f in &spec.transcripts {
        for (t, tr) in f.value.transcripts.iter().enumerate() {
            let at = |m| f.at(&format!("transcripts[{t}].group"), m);
            group(&tr.group, &at, &mut errs);
        }
    }
    for (i, u) in spec.urcs.value.urcs.iter().enumerate() {
        let at = |m| spec.urcs.at(&format!("urcs[{i}].group"), m);
        group(&u.group, &at, &mut errs);
    }
    let order: Vec<&str> = spec
        .document
        .value
        .revisions
        .iter()
        .map(|r| r.version.as_str())
        .collect();
    // `since` and `until` of one item: `at(key, message)` points at either.
    let marks = |s: &Option<String>,
                 u: &Option<String>,
                 at: &dyn Fn(&str, String) -> Diagnostic,
                 errs: &mut Vec<_>| {
        for (key, v) in [("since", s), ("until", u)] {
            if let Some(v) = v {
                if !revisions.contains(v.as_str()) {
                    errs.push(at(
                        key,
                        format!("`{key}: {v}` names no revision of document.yaml"),
                    ));
                }
            }
        }
        let pos = |v: &Option<String>| v.as_ref().and_then(|v| order.iter().position(|r| r == v));
        if let (Some(a), Some(b)) = (pos(s), pos(u)) {
            if b <= a {
                errs.push(at(
                    "until",
                    format!(
                        "`until: {}` must be a later revision than `since: {}`",
                        order[b], order[a]
                    ),
                ));
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
        marks(&cmd.since, &cmd.until, &|k, m| c.at(k, m), &mut errs);
        modules(
            &cmd.modules,
            &|i, m| c.at(&format!("modules[{i}]"), m),
            &mut errs,
        );
        for (f, form) in cmd.forms.iter().enumerate() {
            let p = format!("forms[{f}]");
            // A form's `since` alone is checked with the form.
            let fs = form
                .since
                .as_ref()
                .filter(|v| revisions.contains(v.as_str()));
            marks(
                &fs.cloned(),
                &form.until,
                &|k, m| c.at(&format!("{p}.{k}"), m),
                &mut errs,
            );
            modules(
                &form.modules,
                &|i, m| c.at(&format!("{p}.modules[{i}]"), m),
                &mut errs,
            );
            for (l, line) in form.response.lines.iter().enumerate() {
                let lp = format!("{p}.response.lines[{l}]");
                marks(
                    &line.since,
                    &line.until,
                    &|k, m| c.at(&format!("{lp}.{k}"), m),
                    &mut errs,
                );
            }
        }
        for (t, tr) in cmd.examples.iter().enumerate() {
            let tp = format!("examples[{t}]");
            marks(
                &tr.since,
                &tr.until,
                &|k, m| c.at(&format!("{tp}.{k}"), m),
                &mut errs,
            );
        }
    }
    for (i, u) in spec.urcs.value.urcs.iter().enumerate() {
        let p = format!("urcs[{i}]");
        marks(
            &u.since,
            &u.until,
            &|k, m| spec.urcs.at(&format!("{p}.{k}"), m),
            &mut errs,
        );
    }
    for (i, e) in spec.errors.value.errors.iter().enumerate() {
        let p = format!("errors[{i}]");
        marks(
            &e.since,
            &e.until,
            &|k, m| spec.errors.at(&format!("{p}.{k}"), m),
            &mut errs,
        );
    }
    for file in &spec.transcripts {
        for (i, t) in file.value.transcripts.iter().enumerate() {
            let p = format!("transcripts[{i}]");
            marks(
                &t.since,
                &t.until,
                &|k, m| file.at(&format!("{p}.{k}"), m),
                &mut errs,
            );
        }
    }
    for file in &spec.params {
        for (key, def) in &file.value {
            for (i, v) in def.values.iter().flatten().enumerate() {
                let p = format!("{key}.values[{i}]");
                marks(
                    &v.since,
                    &v.until,
                    &|k, m| file.at(&format!("{p}.{k}"), m),
                    &mut errs,
                );
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

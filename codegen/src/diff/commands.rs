//! Commands, forms (request fields, rules, timeouts, response shapes), URC variants and error
//! codes.

use super::params::field_type;
use super::{Class, Kind, Out};
use crate::ir::Model;
use crate::naming::{self, form_path};
use crate::spec::{Command, Form, Line, ParamUse};

fn form_label(cmd: &Command, form: &Form) -> String {
    match &form.selector {
        Some(s) => format!("{}=\"{s}\" {}", cmd.at_name(), form.name),
        None => format!("{} {}", cmd.at_name(), form.name),
    }
}

fn same_form(a: &Form, b: &Form) -> bool {
    a.selector == b.selector && a.name == b.name
}

pub(super) fn compare(old: &Model, new: &Model, out: &mut Out) {
    let find = |m: &'_ Model, name: &str| {
        m.spec
            .commands
            .iter()
            .map(|c| &c.value)
            .find(|c| c.at_name() == name)
            .cloned()
    };
    for c in new.spec.commands.iter().map(|c| &c.value) {
        let Some(oc) = find(old, &c.at_name()) else {
            out.push(
                Class::Compatible,
                Kind::Added,
                c.at_name(),
                naming::command_module(c).to_string(),
                format!("new command with {} form(s)", c.forms.len()),
                "a new module and new Request variants (an open set)",
            );
            continue;
        };
        for f in &c.forms {
            match oc.forms.iter().find(|o| same_form(o, f)) {
                None => out.push(
                    Class::Compatible,
                    Kind::Added,
                    form_label(c, f),
                    form_path(c, f),
                    "new form",
                    "a new request type and Request variant (an open set)",
                ),
                Some(o) => form(old, new, c, o, f, out),
            }
        }
        for o in &oc.forms {
            if !c.forms.iter().any(|f| same_form(o, f)) {
                out.push(
                    Class::Breaking,
                    Kind::Removed,
                    form_label(&oc, o),
                    form_path(&oc, o),
                    "form removed",
                    "its request type is gone",
                );
            }
        }
    }
    for c in old.spec.commands.iter().map(|c| &c.value) {
        if find(new, &c.at_name()).is_none() {
            out.push(
                Class::Breaking,
                Kind::Removed,
                c.at_name(),
                naming::command_module(c).to_string(),
                "command removed",
                "its module and request types are gone",
            );
        }
    }
}

fn form(old: &Model, new: &Model, cmd: &Command, o: &Form, n: &Form, out: &mut Out) {
    let item = form_label(cmd, n);
    let rust = form_path(cmd, n);
    if o.kind != n.kind {
        out.push(
            Class::Breaking,
            Kind::Changed,
            &item,
            &rust,
            format!("kind {} → {}", o.kind.as_str(), n.kind.as_str()),
            "the request's syntax and fields change",
        );
    }
    fields(
        old,
        new,
        o.params.as_slice(),
        n.params.as_slice(),
        false,
        &item,
        &rust,
        out,
    );
    group(o.repeat.as_ref(), n.repeat.as_ref(), &item, &rust, out);
    let consts = |f: &Form| -> Vec<String> {
        f.params
            .iter()
            .filter_map(|u| u.value.as_ref().map(|v| format!("{}={v}", u.param)))
            .collect()
    };
    if consts(o) != consts(n) {
        out.push(
            Class::Compatible,
            Kind::Changed,
            &item,
            &rust,
            format!(
                "constants sent [{}] → [{}]",
                consts(o).join(", "),
                consts(n).join(", ")
            ),
            "wire only: no field changes",
        );
    }
    let rule = |r: &crate::spec::Rule| format!("{:?} {:?} {:?}", r.when, r.then, r.together);
    let orules: Vec<String> = o.rules.iter().map(rule).collect();
    let nrules: Vec<String> = n.rules.iter().map(rule).collect();
    for (r, text) in n.rules.iter().zip(&nrules) {
        if !orules.contains(text) {
            out.push(
                Class::Breaking,
                Kind::Added,
                format!("{item} rule"),
                format!("{rust}::validate"),
                format!("rule added: {}", r.why),
                "requests valid before may now be rejected",
            );
        }
    }
    for (r, text) in o.rules.iter().zip(&orules) {
        if !nrules.contains(text) {
            out.push(
                Class::Compatible,
                Kind::Removed,
                format!("{item} rule"),
                format!("{rust}::validate"),
                format!("rule removed: {}", r.why),
                "every request valid before is still valid",
            );
        }
    }
    if o.max_response_time != n.max_response_time
        || o.max_response_time_param != n.max_response_time_param
        || o.max_response_time_by != n.max_response_time_by
    {
        let show = |f: &Form| match (&f.max_response_time, &f.max_response_time_param) {
            _ if f.max_response_time_by.is_some() => {
                format!(
                    "from {}",
                    f.max_response_time_by
                        .iter()
                        .flatten()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(" × ")
                )
            }
            (_, Some(p)) => format!("from <{p}>"),
            (Some(d), None) => format!("{} ms", d.millis),
            (None, None) => "not given".to_owned(),
        };
        out.push(
            Class::Compatible,
            Kind::Changed,
            &item,
            format!("{rust}::TIMEOUT_MS"),
            format!("maximum response time {} → {}", show(o), show(n)),
            "a constant's value; its type is unchanged",
        );
    }
    response(old, new, cmd, o, n, &item, &rust, out);
}

/// Compares a form's repeated groups: a lower `min` accepts more requests; anything else
/// changes the entry type, the list's capacity or which requests validate.
fn group(
    o: Option<&crate::spec::ParamGroup>,
    n: Option<&crate::spec::ParamGroup>,
    item: &str,
    rust: &str,
    out: &mut Out,
) {
    let show = |g: Option<&crate::spec::ParamGroup>| match g {
        Some(g) => {
            let ps: Vec<&str> = g.params.iter().map(|u| u.field_name()).collect();
            format!("`{}` [{}] {} to {}", g.name, ps.join(", "), g.min, g.max)
        }
        None => "none".to_owned(),
    };
    let same_shape = match (o, n) {
        (Some(a), Some(b)) => {
            a.name == b.name
                && a.max == b.max
                && format!("{:?}", a.params) == format!("{:?}", b.params)
        }
        (None, None) => true,
        _ => false,
    };
    let (class, why) = match (o, n) {
        (Some(a), Some(b)) if same_shape && b.min < a.min => (
            Class::Compatible,
            "fewer entries are enough; no type changes",
        ),
        (Some(a), Some(b)) if same_shape && a.min == b.min => return,
        (None, None) => return,
        _ => (
            Class::Breaking,
            "the entry type, the list's capacity or the requests that validate change",
        ),
    };
    out.push(
        class,
        Kind::Changed,
        item,
        rust,
        format!("repeated group {} → {}", show(o), show(n)),
        why,
    );
}

/// Compares the fields of a request (`owned: false`) or of a line (`owned: true`).
#[allow(clippy::too_many_arguments)]
fn fields(
    old: &Model,
    new: &Model,
    o: &[ParamUse],
    n: &[ParamUse],
    owned: bool,
    item: &str,
    rust: &str,
    out: &mut Out,
) {
    let ty = |m: &Model, u: &ParamUse| {
        if u.shown.is_some() {
            "heapless::String<64>".to_owned()
        } else {
            field_type(m, &u.param, owned)
        }
    };
    let live = |us: &[ParamUse]| -> Vec<ParamUse> {
        us.iter().filter(|u| u.value.is_none()).cloned().collect()
    };
    let (o, n) = (live(o), live(n));
    let what = if owned { "field" } else { "parameter" };
    for u in &n {
        if !o.iter().any(|x| x.field_name() == u.field_name()) {
            let why = if u.optional {
                "the struct gains a field: struct literals written before stop compiling"
            } else {
                "the struct gains a required field"
            };
            out.push(
                Class::Breaking,
                Kind::Added,
                item,
                format!("{rust}.{}", u.field_name()),
                format!(
                    "{}{what} `{}` <{}> added",
                    if u.optional { "optional " } else { "" },
                    u.field_name(),
                    u.param
                ),
                why,
            );
        }
    }
    for x in &o {
        let path = format!("{rust}.{}", x.field_name());
        let Some(u) = n.iter().find(|u| u.field_name() == x.field_name()) else {
            out.push(
                Class::Breaking,
                Kind::Removed,
                item,
                path,
                format!("{what} `{}` removed", x.field_name()),
                "code naming the field stops compiling",
            );
            continue;
        };
        let (ot, nt) = (ty(old, x), ty(new, u));
        if ot != nt {
            out.push(
                Class::Breaking,
                Kind::Changed,
                item,
                &path,
                format!("{what} `{}` type {ot} → {nt}", u.field_name()),
                "the field's Rust type changes",
            );
        } else if x.param != u.param {
            out.push(
                Class::Compatible,
                Kind::Changed,
                item,
                &path,
                format!(
                    "{what} `{}` now <{}> (was <{}>)",
                    u.field_name(),
                    u.param,
                    x.param
                ),
                "same Rust type",
            );
        }
        if x.optional != u.optional {
            out.push(
                Class::Breaking,
                Kind::Changed,
                item,
                &path,
                format!(
                    "{what} `{}` {} → {}",
                    u.field_name(),
                    if x.optional { "optional" } else { "required" },
                    if u.optional { "optional" } else { "required" }
                ),
                "the field changes between T and Option<T>",
            );
        }
        if x.repeat != u.repeat {
            let show = |r: Option<crate::spec::Repeat>| match r {
                Some(r) => format!("repeated {} to {}", r.min, r.max),
                None => "single".to_owned(),
            };
            out.push(
                Class::Breaking,
                Kind::Changed,
                item,
                &path,
                format!(
                    "{what} `{}` {} → {}",
                    u.field_name(),
                    show(x.repeat),
                    show(u.repeat)
                ),
                "the list's type or the lines it accepts change",
            );
        }
        if x.default != u.default {
            out.push(
                Class::Compatible,
                Kind::Changed,
                item,
                &path,
                format!(
                    "{what} `{}` default {:?} → {:?}",
                    u.field_name(),
                    x.default,
                    u.default
                ),
                "what the module assumes when it is left out; no type changes",
            );
        }
    }
    let order = |us: &[ParamUse]| {
        us.iter()
            .map(|u| u.field_name().to_owned())
            .collect::<Vec<_>>()
    };
    let common = |a: &[ParamUse], b: &[ParamUse]| {
        order(a)
            .into_iter()
            .filter(|f| b.iter().any(|u| u.field_name() == f))
            .collect::<Vec<_>>()
    };
    if common(&o, &n) != common(&n, &o) {
        out.push(
            Class::Compatible,
            Kind::Changed,
            item,
            rust,
            format!(
                "{what} order {} → {}",
                order(&o).join(","),
                order(&n).join(",")
            ),
            "fields are named; only the wire order changes",
        );
    }
}

/// The shape of a form's `AtatCmd::Response`: nothing, one line, a list, or text.
fn shape(lines: &[Line]) -> &'static str {
    match lines {
        [] => "no information line",
        [l] if l.repeat.is_some() || l.optional => "a list of lines",
        [_] => "one line",
        _ => "text of several lines",
    }
}

fn line_key(cmd: &Command, l: &Line) -> (String, Option<String>) {
    (
        l.prefix.clone().unwrap_or_else(|| format!("+{}", cmd.name)),
        l.selector.clone(),
    )
}

/// The line at `i` of `lines`, told apart from others with its key (several lines of text
/// alone share the empty prefix) by how many come before it: the key and that count.
fn nth_key(cmd: &Command, lines: &[Line], i: usize) -> ((String, Option<String>), usize) {
    let key = line_key(cmd, &lines[i]);
    let before = lines[..i]
        .iter()
        .filter(|l| line_key(cmd, l) == key)
        .count();
    (key, before)
}

/// Where the line `i` of `from` is in `to`, matched by [`nth_key`].
fn find_line(cmd: &Command, from: &[Line], i: usize, to: &[Line]) -> Option<usize> {
    let want = nth_key(cmd, from, i);
    (0..to.len()).find(|&j| nth_key(cmd, to, j) == want)
}

fn line_label(cmd: &Command, l: &Line) -> String {
    let (p, s) = line_key(cmd, l);
    match s {
        Some(s) => format!("{p}: \"{s}\""),
        None => format!("{p}:"),
    }
}

#[allow(clippy::too_many_arguments)]
fn response(
    old: &Model,
    new: &Model,
    cmd: &Command,
    o: &Form,
    n: &Form,
    item: &str,
    rust: &str,
    out: &mut Out,
) {
    let (ol, nl) = (&o.response.lines, &n.response.lines);
    let m = naming::command_module(cmd);
    let resp = format!("<{rust} as AtatCmd>::Response");
    if shape(ol) != shape(nl) {
        out.push(
            Class::Breaking,
            Kind::Changed,
            item,
            &resp,
            format!("response {} → {}", shape(ol), shape(nl)),
            "the form's response type changes",
        );
    }
    let mut shifted = Vec::new();
    for (i, l) in nl.iter().enumerate() {
        let path = format!("response::{m}::{}", naming::line_type(n, i));
        let label = format!("{item} response line {}", line_label(cmd, l));
        let Some(j) = find_line(cmd, nl, i, ol) else {
            out.push(
                Class::Compatible,
                Kind::Added,
                label,
                path,
                "response line added",
                "a new line type and ResponseLine variant (an open set)",
            );
            continue;
        };
        let (was, is) = (naming::line_type(o, j), naming::line_type(n, i));
        if nl.len() > 1 && ol.len() > 1 && was != is {
            shifted.push(format!("{was} is now {is}"));
        }
        let x = &ol[j];
        fields(old, new, &x.fields, &l.fields, true, &label, &path, out);
        if x.repeat != l.repeat || x.optional != l.optional {
            let typed = nl.len() == 1 && ol.len() == 1;
            out.push(
                if typed {
                    Class::Breaking
                } else {
                    Class::Compatible
                },
                Kind::Changed,
                &label,
                &path,
                format!(
                    "repeat {:?} → {:?}, optional {} → {}",
                    x.repeat, l.repeat, x.optional, l.optional
                ),
                if typed {
                    "the list's capacity or the response's shape is part of its type"
                } else {
                    "the form's response is text; the line type is unchanged"
                },
            );
        }
        if x.data.is_some() != l.data.is_some() {
            out.push(
                Class::Breaking,
                Kind::Changed,
                &label,
                &path,
                format!(
                    "payload {}",
                    if l.data.is_some() { "added" } else { "removed" }
                ),
                "the line's payload field comes or goes",
            );
        }
    }
    for (j, x) in ol.iter().enumerate() {
        if find_line(cmd, ol, j, nl).is_none() {
            out.push(
                Class::Breaking,
                Kind::Removed,
                format!("{item} response line {}", line_label(cmd, x)),
                format!("response::{m}::{}", naming::line_type(o, j)),
                "response line removed",
                "its line type is gone",
            );
        }
    }
    if !shifted.is_empty() {
        out.push(
            Class::Breaking,
            Kind::Changed,
            format!("{item} response lines"),
            format!("response::{m}"),
            format!("numbered line types shift: {}", shifted.join(", ")),
            "lines without a distinct selector are numbered by position among themselves; one inserted before others renames them",
        );
    }
    match (&o.response.prompt, &n.response.prompt) {
        (None, None) => {}
        (Some(a), Some(b)) => {
            if a.max_len != b.max_len {
                let narrower = b.max_len < a.max_len;
                out.push(
                    if narrower {
                        Class::Breaking
                    } else {
                        Class::Compatible
                    },
                    Kind::Changed,
                    item,
                    rust,
                    format!("prompt payload at most {} → {} bytes", a.max_len, b.max_len),
                    if narrower {
                        "longer payloads accepted before are now rejected"
                    } else {
                        "every payload accepted before is still accepted"
                    },
                );
            }
            if a.length != b.length || a.ctrl_z != b.ctrl_z {
                out.push(
                    Class::Breaking,
                    Kind::Changed,
                    item,
                    rust,
                    format!(
                        "prompt payload end: length {:?}, Ctrl+Z {} → length {:?}, Ctrl+Z {}",
                        a.length, a.ctrl_z, b.length, b.ctrl_z
                    ),
                    "the payload exchange changes",
                );
            }
        }
        (_, b) => out.push(
            Class::Breaking,
            Kind::Changed,
            item,
            rust,
            format!("prompt {}", if b.is_some() { "added" } else { "removed" }),
            "the exchange gains or loses a payload step",
        ),
    }
    let outcomes = |f: &Form| format!("{:?}", f.response.outcomes);
    if outcomes(o) != outcomes(n) {
        let finals = |f: &Form| {
            f.response
                .outcomes
                .iter()
                .map(|x| {
                    let fin: Vec<&str> = x.finals.iter().map(|r| r.as_str()).collect();
                    let later = if x.later.is_empty() {
                        String::new()
                    } else {
                        format!(" then {}", x.later.join("/"))
                    };
                    format!("{}{later}", fin.join("/"))
                })
                .collect::<Vec<_>>()
                .join("; ")
        };
        out.push(
            Class::Compatible,
            Kind::Changed,
            item,
            rust,
            format!("outcomes [{}] → [{}]", finals(o), finals(n)),
            "final results and later URCs are matched at run time; no type changes",
        );
    }
}

pub(super) fn compare_urcs(old: &Model, new: &Model, out: &mut Out) {
    let (ou, nu) = (&old.spec.urcs.value.urcs, &new.spec.urcs.value.urcs);
    let label = |u: &crate::spec::Urc| match &u.keyword {
        Some(k) => format!("URC {} {}: \"{k}\"", u.name, u.prefix),
        None => format!("URC {} {}:", u.name, u.prefix),
    };
    for u in nu {
        let path = format!("Urc::{}", naming::type_name(&u.name));
        let Some(x) = ou.iter().find(|x| x.name == u.name) else {
            out.push(
                Class::Compatible,
                Kind::Added,
                label(u),
                path,
                "new URC variant",
                "Urc is an open set (match with a `_` arm)",
            );
            continue;
        };
        fields(old, new, &x.fields, &u.fields, true, &label(u), &path, out);
        if x.prefix != u.prefix || x.keyword != u.keyword {
            out.push(
                Class::Compatible,
                Kind::Changed,
                label(u),
                &path,
                format!("sent as {} → {}", label(x), label(u)),
                "wire only",
            );
        }
        if x.data.is_some() != u.data.is_some() {
            out.push(
                Class::Breaking,
                Kind::Changed,
                label(u),
                &path,
                format!(
                    "payload {}",
                    if u.data.is_some() { "added" } else { "removed" }
                ),
                "the variant's payload field comes or goes",
            );
        }
        if format!("{:?}", x.when) != format!("{:?}", u.when) {
            out.push(
                Class::Compatible,
                Kind::Changed,
                label(u),
                &path,
                "the settings that select this variant changed",
                "selection happens at run time",
            );
        }
    }
    for x in ou {
        if !nu.iter().any(|u| u.name == x.name) {
            out.push(
                Class::Breaking,
                Kind::Removed,
                label(x),
                format!("Urc::{}", naming::type_name(&x.name)),
                "URC variant removed",
                "code naming the variant stops compiling",
            );
        }
    }
}

pub(super) fn compare_errors(old: &Model, new: &Model, out: &mut Out) {
    let (oe, ne) = (&old.spec.errors.value.errors, &new.spec.errors.value.errors);
    for e in ne {
        let item = format!("error {} ({})", e.code, e.name);
        let path = format!("ErrorCode::{}", naming::variant(&e.name));
        match oe.iter().find(|x| x.name == e.name) {
            None => out.push(
                Class::Compatible,
                Kind::Added,
                item,
                path,
                format!("new error code: {}", e.text),
                "ErrorCode is an open set (match with a `_` arm)",
            ),
            Some(x) if x.code != e.code || x.text != e.text => out.push(
                Class::Compatible,
                Kind::Changed,
                item,
                path,
                format!("{} \"{}\" → {} \"{}\"", x.code, x.text, e.code, e.text),
                "the variant stays; its number or text follows the document",
            ),
            Some(_) => {}
        }
    }
    for x in oe {
        if !ne.iter().any(|e| e.name == x.name) {
            out.push(
                Class::Breaking,
                Kind::Removed,
                format!("error {} ({})", x.code, x.name),
                format!("ErrorCode::{}", naming::variant(&x.name)),
                "error code removed",
                "code naming the variant stops compiling",
            );
        }
    }
}

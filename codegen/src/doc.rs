//! `qi-codegen doc`: a Markdown command reference rendered from the spec, one section per
//! command (syntax, parameters, responses, URCs, timeouts, examples), then the URCs, the
//! example sessions and the error codes. The output is deterministic, so that a committed copy
//! can be kept fresh by a test.

use crate::check::values::describe_ranges;
use crate::ir::Model;
use crate::spec::*;
use std::fmt::Write;

/// The whole reference.
pub fn render(model: &Model) -> String {
    let spec = &model.spec;
    let d = &spec.document.value;
    let mut s = String::new();
    let _ = writeln!(s, "# AT command reference: {}", d.title);
    s.push_str(
        "\n<!-- Generated from the spec by `cargo run -p qi-codegen -- doc spec -o docs/reference.md`; \
         do not edit by hand. -->\n\n",
    );
    let _ = writeln!(
        s,
        "Document version {} ({}). Modules: {}.\n",
        d.version,
        d.date,
        d.modules
            .iter()
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        s,
        "Where the document gives no maximum response time, the binding waits {} ms; where it \
         bounds no string, the binding allows {} bytes (see `spec/document.yaml`).\n",
        d.unspecified_response_time.millis, d.unspecified_string_len
    );
    s.push_str("## Commands\n\n");
    for c in &spec.commands {
        let c = &c.value;
        let _ = writeln!(
            s,
            "- [{}](#{}): {}",
            c.at_name(),
            anchor(&c.at_name()),
            c.title
        );
    }
    s.push_str(
        "- [URCs](#urcs)\n- [Example sessions](#example-sessions)\n- [Error codes](#error-codes)\n\
         - [Revision history](#revision-history)\n",
    );
    for c in &spec.commands {
        command(model, &c.value, &mut s);
    }
    urcs(model, &mut s);
    sessions(model, &mut s);
    errors(model, &mut s);
    history(model, &mut s);
    s
}

/// Each revision, what the document says it changed, and what the spec marks `since` it.
fn history(model: &Model, s: &mut String) {
    let spec = &model.spec;
    s.push_str("\n## Revision history\n\n| version | date | changes | items marked `since` |\n|---|---|---|---|\n");
    for r in &spec.document.value.revisions {
        let v = Some(r.version.clone());
        let mut items = Vec::new();
        for c in spec.commands.iter().map(|c| &c.value) {
            if c.since == v {
                items.push(c.at_name());
            }
            for f in c.forms.iter().filter(|f| f.since == v) {
                items.push(format!("`{}`", syntax(model, c, f)));
            }
        }
        items.extend(
            spec.urcs
                .value
                .urcs
                .iter()
                .filter(|u| u.since == v)
                .map(|u| format!("URC `{}`", u.name)),
        );
        items.extend(
            spec.errors
                .value
                .errors
                .iter()
                .filter(|e| e.since == v)
                .map(|e| format!("error {}", e.code)),
        );
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            r.version,
            r.date,
            cell(&r.changes.join("; ")),
            cell(&items.join(", "))
        );
    }
}

/// The anchor a Markdown renderer gives a heading: lower case, punctuation dropped.
fn anchor(heading: &str) -> String {
    heading
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn doc_name(model: &Model, u: &ParamUse) -> String {
    u.doc
        .clone()
        .unwrap_or_else(|| model.param(&u.param).doc.clone())
}

/// A form's repeated group as the documents write it: `<topic>,<qos>[,<topic>,<qos>...]`,
/// in brackets as a whole when it may be empty.
pub(crate) fn group_syntax(model: &Model, form: &Form) -> Option<String> {
    let g = form.repeat.as_ref()?;
    let entry = g
        .params
        .iter()
        .map(|u| format!("<{}>", doc_name(model, u)))
        .collect::<Vec<_>>()
        .join(",");
    let more = format!("{entry}[,{entry}...]");
    Some(if g.min == 0 {
        format!("[{more}]")
    } else {
        more
    })
}

fn syntax(model: &Model, cmd: &Command, form: &Form) -> String {
    let base = cmd.at_name();
    match form.kind {
        FormKind::Test | FormKind::Read | FormKind::Execute => cmd.head(form),
        FormKind::Write if cmd.syntax == Syntax::Basic => {
            let values = form.params.iter().map(|u| match (&u.value, u.optional) {
                (Some(v), _) => v.to_string(),
                (None, true) => format!("[<{}>]", doc_name(model, u)),
                (None, false) => format!("<{}>", doc_name(model, u)),
            });
            format!("{base}{}", values.collect::<String>())
        }
        FormKind::Write => {
            let mut parts: Vec<String> = form.selector.iter().map(|s| format!("\"{s}\"")).collect();
            let mut open = 0;
            for u in &form.params {
                let text = match &u.value {
                    Some(v) => v.to_string().trim_matches('"').to_owned(),
                    None => format!("<{}>", doc_name(model, u)),
                };
                if u.optional {
                    open += 1;
                    parts.push(format!("[{text}"));
                } else {
                    parts.push(text);
                }
            }
            parts.extend(group_syntax(model, form));
            format!(
                "{base}={}{}",
                parts.join(",").replace(",[", "[,"),
                "]".repeat(open)
            )
        }
    }
}

fn line_syntax(model: &Model, prefix: &str, keyword: Option<&str>, fields: &[ParamUse]) -> String {
    let mut parts: Vec<String> = keyword.iter().map(|k| format!("\"{k}\"")).collect();
    let mut open = 0;
    for u in fields {
        let text = match u.shown {
            Some(Shown::Range) => format!("(range of <{}>)", doc_name(model, u)),
            _ => format!("<{}>", doc_name(model, u)),
        };
        if let Some(r) = u.repeat {
            // `<v>[,<v>...]`: the bounds are in the field's table row.
            let more = format!("{text}[,{text}...]");
            if r.min == 0 {
                open += 1;
                parts.push(format!("[{more}"));
            } else {
                parts.push(more);
            }
        } else if u.optional {
            open += 1;
            parts.push(format!("[{text}"));
        } else {
            parts.push(text);
        }
    }
    let body = parts.join(",").replace(",[", "[,");
    if body.is_empty() {
        prefix.to_owned()
    } else {
        format!("{prefix}: {body}{}", "]".repeat(open))
    }
}

/// Range or values, default and unit of a parameter type, for a table row.
fn values(def: &ParamDef) -> String {
    match def.ty {
        ParamType::Int => def
            .range
            .as_ref()
            .map_or("any".to_owned(), |r| describe_ranges(r)),
        ParamType::Enum => def
            .values
            .iter()
            .flatten()
            .map(|v| {
                let since = v
                    .since
                    .as_ref()
                    .map(|s| format!(" (since {s})"))
                    .unwrap_or_default();
                format!("`{}` {}: {}{since}", v.value, v.name, v.about)
            })
            .collect::<Vec<_>>()
            .join("<br>"),
        ParamType::String | ParamType::Hex => match def.max_len {
            Some(n) => format!("at most {}", crate::check::values::bytes(n.into())),
            None => "no bound given (see above)".to_owned(),
        },
        ParamType::Bytes => "raw bytes".to_owned(),
    }
}

fn param_table(model: &Model, uses: &[ParamUse], s: &mut String) {
    let live: Vec<&ParamUse> = uses.iter().filter(|u| u.value.is_none()).collect();
    if live.is_empty() {
        return;
    }
    s.push_str("\n| parameter | field | type | range / values | default | unit | meaning |\n");
    s.push_str("|---|---|---|---|---|---|---|\n");
    for u in live {
        let def = model.param(&u.param);
        let default = u
            .default
            .as_ref()
            .or(def.default.as_ref())
            .map(|d| format!("`{d}`"))
            .unwrap_or_default();
        let ty = format!("{:?}", def.ty).to_lowercase();
        let opt = if u.optional { ", optional" } else { "" };
        let _ = writeln!(
            s,
            "| `<{}>` | `{}` | {ty}{opt} | {} | {default} | {} | {} |",
            cell(&doc_name(model, u)),
            u.field_name(),
            cell(&values(def)),
            def.unit.map(|u| u.as_str()).unwrap_or(""),
            cell(&capitalise(&def.about)),
        );
    }
}

fn timeout(model: &Model, form: &Form) -> String {
    if let Some(by) = &form.max_response_time_by {
        let names: Vec<String> = by
            .iter()
            .map(|k| format!("<{}>", model.param(k).doc))
            .collect();
        return format!("{}, from the settings", names.join(" × "));
    }
    match (&form.max_response_time, &form.max_response_time_param) {
        (_, Some(p)) => format!("set by `<{p}>` (seconds)"),
        (Some(d), None) if d.millis % 1000 == 0 => format!("{} s", d.millis / 1000),
        (Some(d), None) => format!("{} ms", d.millis),
        (None, None) => format!(
            "not given by the document (the binding waits {} ms)",
            model.spec.document.value.unspecified_response_time.millis
        ),
    }
}

fn command(model: &Model, cmd: &Command, s: &mut String) {
    let _ = writeln!(
        s,
        "\n## {}\n\n**{}** ({}).",
        cmd.at_name(),
        cmd.title,
        cmd.source()
    );
    let _ = writeln!(s, "\n{}", cmd.about.trim());
    if let Some(codes) = &cmd.errors {
        let listed: Vec<String> = model
            .spec
            .errors
            .value
            .errors
            .iter()
            .filter(|e| codes.contains(&e.code))
            .map(|e| format!("{} ({})", e.code, e.text))
            .collect();
        let _ = writeln!(s, "\nError codes it reports: {}.", listed.join(", "));
    }
    if !cmd.behaviour.is_empty() {
        let _ = writeln!(s, "\nBehaviour:\n");
        for b in &cmd.behaviour {
            let _ = writeln!(s, "- {} ({})", b.fact.trim(), b.section);
        }
    }
    let mut facts = Vec::new();
    if let Some(e) = cmd.effect {
        facts.push(e.describe().to_owned());
    }
    match cmd.saved {
        Some(true) => facts.push("Saved across restarts.".to_owned()),
        Some(false) => facts.push("Not saved across restarts.".to_owned()),
        None => {}
    }
    if let Some(m) = &cmd.modules {
        facts.push(format!("Only on: {}.", m.join(", ")));
    }
    if let Some(g) = &cmd.group {
        facts.push(format!(
            "In the `{g}` group: generated only where the build selects it (a cargo feature of \
             that name)."
        ));
    }
    if !facts.is_empty() {
        let _ = writeln!(s, "\n{}", facts.join(" "));
    }
    for form in &cmd.forms {
        let since = form
            .since
            .as_ref()
            .map(|v| format!(" (since {v})"))
            .unwrap_or_default();
        let _ = writeln!(s, "\n### `{}`{since}", syntax(model, cmd, form));
        let _ = writeln!(
            s,
            "\nForm `{}` ({}), Rust `{}`: {}.",
            form.name,
            form.kind.as_str(),
            crate::naming::form_path(cmd, form),
            form.about
        );
        if let Some(m) = &form.modules {
            let _ = writeln!(s, "Only on: {}.", m.join(", "));
        }
        param_table(model, &form.params, s);
        if let Some(g) = &form.repeat {
            let _ = writeln!(
                s,
                "\nThe group `{}` repeats {} to {} times: {}.",
                g.name, g.min, g.max, g.about
            );
            param_table(model, &g.params, s);
        }
        if !form.rules.is_empty() {
            s.push('\n');
        }
        for r in &form.rules {
            let _ = writeln!(s, "- Rule: {} ({}).", rule(r), r.why.trim_end_matches('.'));
        }
        response(model, cmd, form, s);
        let _ = writeln!(s, "\nMaximum response time: {}.", timeout(model, form));
    }
    if !cmd.examples.is_empty() {
        s.push_str("\n### Examples\n");
        for t in &cmd.examples {
            transcript(t, s);
        }
    }
    if !cmd.errata.is_empty() {
        s.push_str("\n### Errata\n\n");
        for e in &cmd.errata {
            let _ = writeln!(
                s,
                "- `{}`: the document: {}. The spec: {}.",
                e.id,
                cell(&e.document),
                cell(&e.decision)
            );
        }
    }
}

fn response(model: &Model, cmd: &Command, form: &Form, s: &mut String) {
    let r = &form.response;
    if !r.lines.is_empty() {
        s.push_str("\nResponse lines:\n\n");
        for l in &r.lines {
            let prefix = l.prefix.clone().unwrap_or_else(|| format!("+{}", cmd.name));
            let mut notes = Vec::new();
            if let Some(n) = l.repeat {
                notes.push(format!("up to {n} times"));
            }
            if l.optional {
                notes.push("may be absent".to_owned());
            }
            if let Some(d) = &l.data {
                notes.push(format!("followed by <{}> bytes of data", d.length));
            }
            if let Some(v) = &l.since {
                notes.push(format!("since {v}"));
            }
            let notes = if notes.is_empty() {
                String::new()
            } else {
                format!(" ({})", notes.join("; "))
            };
            let _ = writeln!(
                s,
                "- `{}`{notes}",
                line_syntax(model, &prefix, l.selector.as_deref(), &l.fields)
            );
        }
        let fields: Vec<ParamUse> = r
            .lines
            .iter()
            .flat_map(|l| l.fields.iter().filter(|u| u.shown.is_none()).cloned())
            .collect();
        let mut seen = std::collections::BTreeSet::new();
        let unique: Vec<ParamUse> = fields
            .into_iter()
            .filter(|u| seen.insert(u.field_name().to_owned()))
            .collect();
        param_table(model, &unique, s);
    }
    if let Some(p) = &r.prompt {
        let end = match (&p.length, p.ctrl_z) {
            (Some(l), _) => format!("exactly <{l}> bytes"),
            (None, true) => "data ended by Ctrl+Z (Esc cancels)".to_owned(),
            (None, false) => "data".to_owned(),
        };
        let _ = writeln!(
            s,
            "\nThe module prompts with `>` and reads {end}, at most {}.",
            crate::check::values::bytes(p.max_len.into())
        );
    }
    s.push_str("\nOutcomes:\n\n");
    for o in &r.outcomes {
        let when = o
            .when
            .as_ref()
            .map(|w| format!("if {}: ", conditions(w)))
            .unwrap_or_default();
        let finals: Vec<&str> = o.finals.iter().map(|f| f.as_str()).collect();
        let later = if o.later.is_empty() {
            String::new()
        } else {
            let urcs: Vec<String> = o
                .later
                .iter()
                .map(|n| {
                    model
                        .spec
                        .urcs
                        .value
                        .urcs
                        .iter()
                        .find(|u| &u.name == n)
                        .map_or(n.clone(), |u| format!("`{}` ({n})", urc_syntax(model, u)))
                })
                .collect();
            format!(", then the URC {}", urcs.join(" or "))
        };
        let _ = writeln!(s, "- {when}{}{later}", finals.join(" or "));
    }
}

fn rule(r: &Rule) -> String {
    if let Some(t) = &r.together {
        let names: Vec<String> = t.iter().map(|n| format!("`{n}`")).collect();
        return format!("{} are given together or not at all", names.join(", "));
    }
    let then = r.then.as_ref().map(conditions).unwrap_or_default();
    match &r.when {
        Some(w) => format!("if {}, then {then}", conditions(w)),
        None => then,
    }
}

fn conditions(c: &Conditions) -> String {
    c.iter()
        .map(|(k, v)| {
            let what = if let Some(p) = v.present {
                if p {
                    "given".to_owned()
                } else {
                    "left out".to_owned()
                }
            } else if let Some(l) = &v.one_of {
                format!("is {}", l.join(" or "))
            } else if let Some(r) = &v.range {
                match r.as_slice() {
                    [[lo, hi]] if lo == hi => format!("is {lo}"),
                    _ => format!("in {}", describe_ranges(r)),
                }
            } else if let Some(n) = v.min_len {
                format!("at least {}", crate::check::values::bytes(n.into()))
            } else {
                String::new()
            };
            format!("`{k}` {what}")
        })
        .collect::<Vec<_>>()
        .join(" and ")
}

fn urc_syntax(model: &Model, u: &Urc) -> String {
    line_syntax(model, &u.prefix, u.keyword.as_deref(), &u.fields)
}

fn urcs(model: &Model, s: &mut String) {
    s.push_str("\n## URCs\n\nUnsolicited result codes; variants with the same prefix and keyword are told apart by their fields and the settings in force.\n\n");
    s.push_str("| variant | line | section | meaning | sent when |\n|---|---|---|---|---|\n");
    for u in &model.spec.urcs.value.urcs {
        let data = u
            .data
            .as_ref()
            .map(|d| format!(" + <{}> bytes", d.length))
            .unwrap_or_default();
        let when = u.when.as_ref().map(conditions).unwrap_or_default();
        let _ = writeln!(
            s,
            "| `{}` | `{}`{data} | {} | {} | {} |",
            u.name,
            cell(&urc_syntax(model, u)),
            u.section,
            cell(&capitalise(&u.about)),
            cell(&when)
        );
    }
}

fn transcript(t: &Transcript, s: &mut String) {
    let _ = writeln!(
        s,
        "\n{} ({}, section {}):\n\n```text",
        capitalise(&t.about),
        t.name,
        t.section
    );
    for st in &t.steps {
        let line = if let Some(h) = &st.host {
            format!("→ {h}")
        } else if let Some(m) = &st.module {
            format!("← {m}")
        } else if let Some(d) = &st.host_data {
            format!("→ (data) {}", d.escape_debug())
        } else if let Some(d) = &st.module_data {
            format!("← (data) {}", d.escape_debug())
        } else {
            continue;
        };
        let _ = writeln!(s, "{line}");
    }
    s.push_str("```\n");
}

fn sessions(model: &Model, s: &mut String) {
    s.push_str("\n## Example sessions\n\n`→` is sent by the host, `←` by the module.\n");
    for f in &model.spec.transcripts {
        for t in &f.value.transcripts {
            transcript(t, s);
        }
    }
}

fn errors(model: &Model, s: &mut String) {
    s.push_str("\n## Error codes\n\n");
    let f = &model.spec.errors.value;
    if let Some(a) = &f.about {
        let mut a = a.clone();
        if let Some(c) = a.get(..1) {
            a.replace_range(..1, &c.to_uppercase());
        }
        let section = f
            .section
            .as_ref()
            .map(|s| format!(" (section {s})"))
            .unwrap_or_default();
        let _ = writeln!(s, "{a}{section}.\n");
    }
    s.push_str("| code | name | text |\n|---|---|---|\n");
    for e in &model.spec.errors.value.errors {
        let _ = writeln!(s, "| {} | `{}` | {} |", e.code, e.name, cell(&e.text));
    }
}

/// `qi-codegen doc [SPEC_DIR] [-o FILE]`.
pub fn cli(spec: &str, output: Option<&std::path::Path>) -> std::process::ExitCode {
    crate::cli::render_to_output(spec, output, render)
}

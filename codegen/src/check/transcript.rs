//! Replays every transcript against the spec: each host line must be a form of a command, each
//! module line a response line of the command in progress, a URC, a final result or the prompt,
//! and every value must be valid. A transcript the spec cannot account for is an error.

use super::values::{check_wire, split_fields};
use super::Cx;
use crate::spec::*;
use std::collections::BTreeMap;

pub(super) fn check_all(cx: &mut Cx) {
    let spec = cx.spec;
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    let mut errs = Vec::new();
    let mut visit = |file: &str,
                     path: &str,
                     t: &Transcript,
                     at: &dyn Fn(&str, String) -> Diagnostic,
                     cx: &Cx| {
        if let Some(prev) = names.insert(t.name.clone(), file.to_owned()) {
            errs.push(at(
                &format!("{path}.name"),
                format!("transcript `{}` is already defined in {prev}", t.name),
            ));
        }
        Replay {
            cx,
            state: State::Idle,
            alts: Vec::new(),
            settings: BTreeMap::new(),
        }
        .run(path, t, at, &mut errs);
    };
    for c in &spec.commands {
        for (i, t) in c.value.examples.iter().enumerate() {
            visit(
                &c.file,
                &format!("examples[{i}]"),
                t,
                &|p, m| c.at(p, m),
                cx,
            );
        }
    }
    for f in &spec.transcripts {
        for (i, t) in f.value.transcripts.iter().enumerate() {
            visit(
                &f.file,
                &format!("transcripts[{i}]"),
                t,
                &|p, m| f.at(p, m),
                cx,
            );
        }
    }
    cx.errs.extend(errs);
}

/// What the replay expects next.
enum State<'a> {
    Idle,
    /// A command is in progress; `args` are its fields by name.
    Command {
        cmd: &'a Command,
        form: &'a Form,
        args: BTreeMap<String, Scalar>,
    },
    /// The module prompted; payload comes next.
    Prompt {
        cmd: &'a Command,
        form: &'a Form,
        args: BTreeMap<String, Scalar>,
    },
    /// This many payload bytes from the module come next; then back to the command, if any.
    Data {
        len: usize,
        then: Box<State<'a>>,
    },
    /// The port carries raw data until `+++` or NO CARRIER.
    Transparent,
    /// The host sent `+++`; the module answers OK and the port is back in command mode.
    Escaped,
    /// A foreign or deliberately invalid command: its answers are not checked.
    Unchecked,
}

struct Replay<'c, 'a> {
    cx: &'c Cx<'a>,
    state: State<'a>,
    /// Other forms the last command line also matched (same syntax, different replies).
    alts: Vec<&'a Form>,
    /// The last value sent for each parameter type: what selects among URC variants.
    settings: BTreeMap<String, Scalar>,
}

fn final_result(line: &str) -> Option<FinalResult> {
    FinalResult::of_line(line)
}

impl<'a> Replay<'_, 'a> {
    fn run(
        mut self,
        path: &str,
        t: &Transcript,
        at: &dyn Fn(&str, String) -> Diagnostic,
        out: &mut Vec<Diagnostic>,
    ) {
        for (i, step) in t.steps.iter().enumerate() {
            let sp = format!("{path}.steps[{i}]");
            let given = [&step.host, &step.module, &step.host_data, &step.module_data];
            if given.iter().filter(|g| g.is_some()).count() != 1 {
                out.push(at(
                    &sp,
                    "a step needs exactly one of `host`, `module`, `host_data`, `module_data`"
                        .into(),
                ));
                continue;
            }
            if step.foreign {
                self.state = if step.host.is_some() {
                    State::Unchecked
                } else {
                    std::mem::replace(&mut self.state, State::Idle)
                };
                continue;
            }
            let (key, result) = if let Some(h) = &step.host {
                ("host", self.host(h, step.invalid))
            } else if let Some(m) = &step.module {
                ("module", self.module(m))
            } else if let Some(d) = &step.host_data {
                ("host_data", self.host_data(d))
            } else {
                (
                    "module_data",
                    self.module_data(step.module_data.as_deref().unwrap_or_default()),
                )
            };
            if let Err(e) = result {
                out.push(at(&format!("{sp}.{key}"), e));
                if key == "host" {
                    // The answers to a line that matched nothing would only repeat the problem.
                    self.state = State::Unchecked;
                }
            }
        }
        if let State::Data { len, .. } = self.state {
            out.push(at(
                path,
                format!(
                    "the transcript ends before the module data it still expects ({})",
                    super::values::bytes(len as u64)
                ),
            ));
        }
    }

    fn host(&mut self, line: &str, invalid: bool) -> Result<(), String> {
        if matches!(self.state, State::Transparent) {
            return Err("a command line while the port is in transparent mode: send `+++` (host_data) first".into());
        }
        // The longest command name that starts the line (`AT+QIACT` before `AT`, `AT&D` before
        // `AT`), then what follows it.
        let cmd = self
            .cx
            .spec
            .commands
            .iter()
            .map(|c| &c.value)
            .filter(|c| {
                // Bytes: the name's length may fall inside a character of the line.
                let n = c.at_name();
                line.as_bytes()
                    .get(..n.len())
                    .is_some_and(|head| head.eq_ignore_ascii_case(n.as_bytes()))
            })
            .max_by_key(|c| c.at_name().len());
        let tail = cmd.map_or("", |c| &line[c.at_name().len()..]);
        // A basic command's value is digits; an extended one's name ends where `=` or `?` (or
        // the line) does.
        let fits = cmd.is_some_and(|c| match c.syntax {
            Syntax::Basic => tail.bytes().all(|b| b.is_ascii_digit()),
            Syntax::Extended => !tail.starts_with(|c: char| c.is_ascii_alphanumeric()),
        });
        let Some(cmd) = cmd.filter(|_| fits) else {
            let end = line.find(['=', '?']).unwrap_or(line.len());
            return Err(format!("`{}` is not a command of the spec (mark the step `foreign: true` if it belongs to another command set)", &line[..end]));
        };
        let (kinds, args): (&[FormKind], &str) = match (cmd.syntax, tail) {
            (Syntax::Basic, "") => (&[FormKind::Execute, FormKind::Write], ""),
            (Syntax::Basic, value) => (&[FormKind::Write], value),
            (Syntax::Extended, "=?") => (&[FormKind::Test], ""),
            (Syntax::Extended, "?") => (&[FormKind::Read], ""),
            (Syntax::Extended, "") => (&[FormKind::Execute], ""),
            (Syntax::Extended, t) => match t.strip_prefix('=') {
                Some(a) => (&[FormKind::Write], a),
                None => return Err(format!("`{line}`: cannot tell the form from `{t}`")),
            },
        };
        let kind = kinds[0];
        let fields = split_fields(args);
        let mut why = Vec::new();
        let mut matched = None;
        self.alts.clear();
        for form in cmd.forms.iter().filter(|f| kinds.contains(&f.kind)) {
            match self.match_form(form, &fields) {
                Ok(a) if matched.is_none() => matched = Some((form, a)),
                Ok(_) => self.alts.push(form),
                Err(e) => why.push(format!("{}: {e}", form.name)),
            }
        }
        if let (Some((form, args)), false) = (&matched, invalid) {
            for u in &form.params {
                if let Some(v) = args.get(u.field_name()).or(u.value.as_ref()) {
                    self.settings.insert(u.param.clone(), v.clone());
                }
            }
        }
        match (matched, invalid) {
            (Some((form, _)), true) => Err(format!(
                "marked `invalid` but it is a valid `{}` form of {}",
                form.name, cmd.name
            )),
            (None, true) => {
                self.state = State::Unchecked;
                Ok(())
            }
            (Some((form, args)), false) => {
                self.state = State::Command { cmd, form, args };
                Ok(())
            }
            (None, false) if why.is_empty() => {
                Err(format!("{} has no {} form", cmd.name, kind.as_str()))
            }
            (None, false) => Err(format!(
                "no form of {} matches `{line}`: {}",
                cmd.name,
                why.join("; ")
            )),
        }
    }

    fn match_form(&self, form: &Form, fields: &[&str]) -> Result<BTreeMap<String, Scalar>, String> {
        let mut fields = fields;
        if let Some(sel) = &form.selector {
            match fields.first() {
                Some(f) if f.trim() == format!("\"{sel}\"") => fields = &fields[1..],
                _ => return Err(format!("selector is not \"{sel}\"")),
            }
        }
        let args = match &form.repeat {
            None => self.match_fields(&form.params, fields)?,
            Some(g) => self.match_group(form, g, fields)?,
        };
        for r in &form.rules {
            if let Some(group) = &r.together {
                let given = group.iter().filter(|n| args.contains_key(*n)).count();
                if given != 0 && given != group.len() {
                    return Err(format!("{} go together: {}", group.join(", "), r.why));
                }
            }
            let applies = r
                .when
                .as_ref()
                .is_none_or(|w| self.conds_hold(form, w, &args, false));
            if applies
                && !r
                    .then
                    .as_ref()
                    .is_none_or(|t| self.conds_hold(form, t, &args, true))
            {
                return Err(format!("breaks a rule: {}", r.why));
            }
        }
        Ok(args)
    }

    fn conds_hold(
        &self,
        form: &Form,
        conds: &Conditions,
        args: &BTreeMap<String, Scalar>,
        missing_holds: bool,
    ) -> bool {
        conds.iter().all(|(name, c)| {
            let u = form.params.iter().find(|u| u.field_name() == name);
            let def = u.and_then(|u| self.cx.params.get(u.param.as_str()).copied());
            let v = args
                .get(name)
                .cloned()
                .or_else(|| u.and_then(|u| u.default.clone()))
                .or_else(|| def.and_then(|d| d.default.clone()));
            holds(c, v.as_ref(), def, missing_holds)
        })
    }

    /// Matches the form's parameters, then whole entries of its repeated group, as many as its
    /// bounds allow.
    fn match_group(
        &self,
        form: &Form,
        g: &crate::spec::ParamGroup,
        fields: &[&str],
    ) -> Result<BTreeMap<String, Scalar>, String> {
        let n = form.params.len().min(fields.len());
        let mut args = self.match_fields(&form.params, &fields[..n])?;
        let rest = &fields[n..];
        let width = g.params.len().max(1);
        if !rest.len().is_multiple_of(width) {
            return Err(format!(
                "{} fields after the parameters, not whole entries of {width}",
                rest.len()
            ));
        }
        let entries = rest.len() / width;
        if entries < g.min as usize || entries > g.max as usize {
            return Err(format!(
                "{entries} entries of `{}` where {} to {} are expected",
                g.name, g.min, g.max
            ));
        }
        for entry in rest.chunks(width) {
            args.extend(self.match_fields(&g.params, entry)?);
        }
        Ok(args)
    }

    /// Matches wire fields against parameter uses: count, constants and values.
    fn match_fields(
        &self,
        uses: &[ParamUse],
        fields: &[&str],
    ) -> Result<BTreeMap<String, Scalar>, String> {
        // A place kept by an empty field counts: what follows it is required.
        let mut required = uses
            .iter()
            .rposition(|u| !u.optional || u.keeps_place())
            .map_or(0, |i| i + 1);
        let mut most = uses.len();
        // A repeated last field takes min to max fields.
        let repeat = uses.last().and_then(|u| u.repeat);
        if let Some(r) = repeat {
            required = uses.len() - 1 + r.min as usize;
            most = uses.len() - 1 + r.max as usize;
        }
        if fields.len() < required || fields.len() > most {
            let n = if required == most {
                required.to_string()
            } else {
                format!("{required} to {most}")
            };
            return Err(format!("{} fields where {n} are expected", fields.len()));
        }
        let mut args = BTreeMap::new();
        let last = uses.last();
        let each = uses
            .iter()
            .chain(std::iter::repeat_n(last, fields.len().saturating_sub(uses.len())).flatten());
        for (u, raw) in each.zip(fields) {
            let Some(def) = self.cx.params.get(u.param.as_str()) else {
                continue;
            };
            if u.shown.is_some() || (u.keeps_place() && raw.is_empty()) {
                continue;
            }
            let v = check_wire(def, raw)
                .map_err(|e| format!("<{}> {e}", u.doc.as_deref().unwrap_or(&def.doc)))?;
            if let Some(c) = &u.value {
                if *c != v {
                    return Err(format!("<{}> is {v}, not {c}", def.doc));
                }
            }
            args.insert(u.field_name().to_owned(), v);
        }
        Ok(args)
    }

    fn module(&mut self, line: &str) -> Result<(), String> {
        let state = std::mem::replace(&mut self.state, State::Idle);
        match state {
            State::Unchecked => {
                self.state = if final_result(line).is_some() {
                    State::Idle
                } else {
                    State::Unchecked
                };
                Ok(())
            }
            State::Data { len, .. } => Err(format!(
                "`{line}` comes where module data ({}) is due",
                super::values::bytes(len as u64)
            )),
            State::Escaped if line == "OK" => Ok(()),
            State::Escaped => Err(format!("after `+++` the module answers OK, not `{line}`")),
            State::Transparent => {
                if line == "NO CARRIER" {
                    Ok(())
                } else {
                    self.state = State::Transparent;
                    Err(format!(
                        "`{line}` in transparent mode: write the bytes as `module_data`"
                    ))
                }
            }
            State::Prompt { .. } => Err(format!(
                "`{line}` while the module waits for payload after `>`"
            )),
            State::Command { cmd, form, args } => {
                if line == ">" {
                    return match form.response.prompt {
                        Some(_) => {
                            self.state = State::Prompt { cmd, form, args };
                            Ok(())
                        }
                        None => Err(format!(
                            "the `{}` form of {} does not prompt with `>`",
                            form.name, cmd.name
                        )),
                    };
                }
                if let Some(f) = final_result(line) {
                    let finals = form
                        .response
                        .outcomes
                        .iter()
                        .find(|o| {
                            o.when
                                .as_ref()
                                .is_none_or(|w| self.conds_hold(form, w, &args, false))
                        })
                        .map(|o| o.finals.as_slice())
                        .unwrap_or_default();
                    if !finals.contains(&f) {
                        let list: Vec<&str> = finals.iter().map(|f| f.as_str()).collect();
                        return Err(format!(
                            "{} can end the `{}` form of {} only with {}",
                            f.as_str(),
                            form.name,
                            cmd.name,
                            list.join(", ")
                        ));
                    }
                    if let (FinalResult::CmeError, Some(codes)) = (f, &cmd.errors) {
                        let n = line.trim_start_matches("+CME ERROR:").trim();
                        if !n.parse::<u16>().is_ok_and(|n| codes.contains(&n)) {
                            return Err(format!(
                                "{} reports only the error codes {codes:?}, not {n}",
                                cmd.name
                            ));
                        }
                    }
                    if f == FinalResult::Connect {
                        self.state = State::Transparent;
                    }
                    return Ok(());
                }
                let mut found = self.response_line(cmd, form, line).map(|n| (n, form));
                if found.is_err() {
                    for alt in std::mem::take(&mut self.alts) {
                        if let Ok(n) = self.response_line(cmd, alt, line) {
                            found = Ok((n, alt));
                            break;
                        }
                    }
                }
                match found {
                    Ok((len, form)) => {
                        self.state = then_data(len, State::Command { cmd, form, args });
                        Ok(())
                    }
                    Err(e) => {
                        let back = State::Command { cmd, form, args };
                        self.urc_or(line, back, e)
                    }
                }
            }
            State::Idle => self.urc_or(line, State::Idle, "no command is in progress".into()),
        }
    }

    /// Matches a URC; on success the state becomes `back` (or data, then `back`).
    fn urc_or(&mut self, line: &str, back: State<'a>, err: String) -> Result<(), String> {
        match self.urc(line) {
            Ok(len) => {
                self.state = then_data(len, back);
                Ok(())
            }
            Err(u) => {
                self.state = back;
                Err(format!(
                    "`{line}` is neither a response ({err}) nor a URC ({u})"
                ))
            }
        }
    }

    /// Returns the payload length that follows, if any.
    fn response_line(&self, cmd: &Command, form: &Form, line: &str) -> Result<usize, String> {
        let mut why = Vec::new();
        for l in &form.response.lines {
            let default_prefix = format!("+{}", cmd.name);
            let prefix = l.prefix.as_deref().unwrap_or(&default_prefix);
            match self.match_line(
                prefix,
                l.selector.as_deref(),
                &l.fields,
                l.data.as_ref(),
                line,
            ) {
                Ok(n) => return Ok(n),
                Err(e) => why.push(e),
            }
        }
        if why.is_empty() {
            Err(format!(
                "the `{}` form of {} has no information lines",
                form.name, cmd.name
            ))
        } else {
            Err(why.join("; "))
        }
    }

    fn urc(&self, line: &str) -> Result<usize, String> {
        let mut why = Vec::new();
        for u in &self.cx.spec.urcs.value.urcs {
            let contradicted = u.when.iter().flatten().any(|(key, c)| {
                let def = self.cx.params.get(key.as_str()).copied();
                self.settings
                    .get(key)
                    .is_some_and(|v| !holds(c, Some(v), def, true))
            });
            if contradicted {
                continue;
            }
            match self.match_line(
                &u.prefix,
                u.keyword.as_deref(),
                &u.fields,
                u.data.as_ref(),
                line,
            ) {
                Ok(n) => return Ok(n),
                Err(e) if line.starts_with(&format!("{}:", u.prefix)) => {
                    why.push(format!("{}: {e}", u.name))
                }
                Err(_) => {}
            }
        }
        if why.is_empty() {
            Err("no URC has this prefix".into())
        } else {
            Err(why.join("; "))
        }
    }

    fn match_line(
        &self,
        prefix: &str,
        keyword: Option<&str>,
        uses: &[ParamUse],
        data: Option<&DataBlock>,
        line: &str,
    ) -> Result<usize, String> {
        let rest = line
            .strip_prefix(prefix)
            .and_then(|r| r.strip_prefix(':'))
            .ok_or_else(|| format!("prefix is not {prefix}"))?;
        let rest = rest.strip_prefix(' ').unwrap_or(rest);
        let mut fields = split_fields(rest);
        if let Some(k) = keyword {
            match fields.first() {
                Some(f) if f.trim() == format!("\"{k}\"") => {
                    fields.remove(0);
                }
                _ => return Err(format!("keyword is not \"{k}\"")),
            }
        }
        let args = self.match_fields(uses, &fields)?;
        match data {
            Some(d) => match args.get(&d.length) {
                Some(Scalar::Int(n)) => Ok(usize::try_from(*n).unwrap_or(0)),
                _ => Ok(0),
            },
            None => Ok(0),
        }
    }

    fn host_data(&mut self, data: &str) -> Result<(), String> {
        match std::mem::replace(&mut self.state, State::Idle) {
            State::Transparent => {
                self.state = if data == "+++" {
                    State::Escaped
                } else {
                    State::Transparent
                };
                Ok(())
            }
            State::Prompt { cmd, form, args } => {
                let pr = form
                    .response
                    .prompt
                    .as_ref()
                    .expect("prompt state is entered only for forms with a prompt");
                let body = if pr.ctrl_z {
                    data.strip_suffix(['\x1a', '\x1b']).ok_or(
                        "variable-length payload must end with Ctrl+Z (\\x1a) or Esc (\\x1b)",
                    )?
                } else {
                    data
                };
                if let Some(l) = &pr.length {
                    if let Some(Scalar::Int(n)) = args.get(l) {
                        if body.len() != *n as usize {
                            self.state = State::Command {
                                cmd,
                                form,
                                args: args.clone(),
                            };
                            return Err(format!("{} payload bytes where <{l}> is {n}", body.len()));
                        }
                    }
                }
                if body.len() > pr.max_len as usize {
                    return Err(format!(
                        "{} payload bytes exceed the maximum {}",
                        body.len(),
                        pr.max_len
                    ));
                }
                self.state = State::Command { cmd, form, args };
                Ok(())
            }
            other => {
                self.state = other;
                Err("host data outside a `>` prompt or transparent mode".into())
            }
        }
    }

    fn module_data(&mut self, data: &str) -> Result<(), String> {
        match std::mem::replace(&mut self.state, State::Idle) {
            State::Transparent => {
                self.state = State::Transparent;
                Ok(())
            }
            State::Data { len, then } => {
                self.state = *then;
                if data.len() == len {
                    Ok(())
                } else {
                    Err(format!(
                        "{} of data where the line announced {len}",
                        super::values::bytes(data.len() as u64)
                    ))
                }
            }
            other => {
                self.state = other;
                Err("module data that no line with a payload, data URC or transparent mode announced".into())
            }
        }
    }
}

/// `len` payload bytes first (if any), then `back`.
fn then_data(len: usize, back: State<'_>) -> State<'_> {
    if len > 0 {
        State::Data {
            len,
            then: Box::new(back),
        }
    } else {
        back
    }
}

/// Whether a constraint holds; a value that is absent (and has no default) satisfies a
/// requirement (`missing_holds`) but not a condition.
fn holds(c: &Constraint, v: Option<&Scalar>, def: Option<&ParamDef>, missing_holds: bool) -> bool {
    if let Some(p) = c.present {
        return p == v.is_some();
    }
    let Some(v) = v else { return missing_holds };
    if let Some(r) = &c.range {
        return matches!(v, Scalar::Int(i) if super::values::in_ranges(r, *i));
    }
    if let Some(min) = c.min_len {
        return matches!(v, Scalar::Str(s) if s.len() >= min as usize);
    }
    if let Some(names) = &c.one_of {
        let values = def.and_then(|d| d.values.as_deref()).unwrap_or_default();
        return values
            .iter()
            .any(|e| &e.value == v && names.contains(&e.name));
    }
    true
}

//! Test cases derived from the spec, named for what they check: the boundaries of every range
//! (in every form and line that uses it), every enumeration value and an unlisted one, every
//! string and hex length limit, optional parameters and fields left out, the counts of repeated
//! groups and fields, fields framed by a length, URC variants chosen by settings ([`choice`]),
//! what a revision removed, a round trip of every form, response line and URC, and a replay of
//! every example session.
//!
//! [`cases`] lists them; [`rust`] renders them as Rust tests for `qi-tests` (through
//! [`Builder`]), [`crate::conformance`] as an AT script for a virtual or a real module.

pub mod choice;
mod removed;
pub mod rust;
pub mod values;

use crate::ir::Model;
use crate::naming;
use crate::spec::{Command, DataBlock, Form, FormKind, ParamUse, Shown, Transcript};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use values::{Repr, Value, Values};

/// What a case is about; the summary counts cases per kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A boundary of an integer range (inside: accepted; just outside: rejected).
    Range,
    /// A value of an enumeration (each listed one accepted, an unlisted one rejected).
    Enum,
    /// A string or hex length limit (the limit accepted, beyond it rejected).
    Length,
    /// A rule between parameters (a value or presence required when another holds).
    Rule,
    /// A command form: typed value → line → typed value.
    Form,
    /// The count of a repeated group or field: its bounds accepted, one beyond rejected.
    Repeat,
    /// A field read by an earlier length field: a length that does not match is an error.
    Framing,
    /// A URC variant chosen by a setting (per instance where the spec says `per:`).
    Choice,
    /// A form, line, URC or value a revision removed (`until:`): no longer decoded.
    Removed,
    /// A response line: line → typed value → line.
    Line,
    /// A URC: line → typed value → line.
    Urc,
    /// An example session of the document, replayed.
    Transcript,
}

impl Kind {
    pub const ALL: [Kind; 12] = [
        Kind::Range,
        Kind::Enum,
        Kind::Length,
        Kind::Rule,
        Kind::Form,
        Kind::Repeat,
        Kind::Framing,
        Kind::Choice,
        Kind::Removed,
        Kind::Line,
        Kind::Urc,
        Kind::Transcript,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Range => "range boundary",
            Kind::Enum => "enumeration value",
            Kind::Length => "length limit",
            Kind::Rule => "rule between parameters",
            Kind::Form => "command form round trip",
            Kind::Repeat => "repeat count",
            Kind::Framing => "length framing",
            Kind::Choice => "setting-chosen variant",
            Kind::Removed => "removed by a revision",
            Kind::Line => "response line round trip",
            Kind::Urc => "URC round trip",
            Kind::Transcript => "example session replay",
        }
    }
}

/// A command line of one form, by its values.
#[derive(Debug, Clone)]
pub struct Request<'m> {
    pub cmd: &'m Command,
    pub form: &'m Form,
    pub values: Values,
    /// The entries of the form's repeated group (`repeat:`), each its parameters' values;
    /// empty for a form without one.
    pub group: Vec<Values>,
}

impl Request<'_> {
    /// The command line, without `\r`.
    pub fn line(&self, model: &Model) -> String {
        values::command_line_with(model, self.cmd, self.form, &self.values, Some(&self.group))
    }
}

/// What a case checks.
#[derive(Debug, Clone)]
pub enum Check<'m> {
    /// The typed request validates and encodes to its line; the line decodes back to it.
    Accepts(Request<'m>),
    /// The parameter's type cannot hold the value (`TryFrom<i64>` fails) and the line with it
    /// does not decode as this form.
    OutOfType {
        request: Request<'m>,
        /// The parameter key (its Rust type).
        param: &'m str,
        /// Its position in the form's parameters.
        index: usize,
        value: i64,
    },
    /// The type holds the value but the validator rejects the typed request, naming `param`
    /// (the document's name), and the line does not decode as this form.
    Invalid { request: Request<'m>, param: String },
    /// No Rust value can express it: the line does not decode as this form.
    LineRejected(Request<'m>),
    /// A response line or URC (`path` is its Rust type) decodes with `payload` bytes after it
    /// and encodes back byte-exact (`accepted`), or does not decode.
    Shape {
        path: String,
        urc: bool,
        line: String,
        payload: usize,
        accepted: bool,
        /// A rejection with this error exactly (a Rust expression of `wire::DecodeError`).
        error: Option<String>,
    },
    /// With `settings` selecting the URC `variant` for `instance` (the line's `per:` field, if
    /// any), `Urc::decode_with` reads `line` as that variant and encodes it back byte-exact;
    /// `other_line` (another instance, which another variant reads too) is not that variant.
    Chosen {
        variant: String,
        line: String,
        payload: usize,
        instance: Option<i64>,
        other_line: Option<String>,
        settings: Vec<choice::Setting>,
    },
    /// A command line (`urc`: a URC line) of a form or URC a revision removed: no request
    /// (no URC) decodes it.
    Removed { line: String, urc: bool },
    /// An example session replays through the codec.
    Transcript(&'m Transcript),
    /// `ErrorCode` knows the code, with its text (`Some`), or does not (`None`).
    ErrorCode { code: i64, text: Option<&'m str> },
}

/// One generated test.
#[derive(Debug, Clone)]
pub struct Case<'m> {
    /// Unique, a valid Rust identifier, says what is checked.
    pub name: String,
    pub kind: Kind,
    pub check: Check<'m>,
    /// Whether the limit tested is the document's (false for the spec's own bound on strings
    /// whose length the document leaves open).
    pub documented: bool,
}

impl Case<'_> {
    /// The command line and whether a module accepts it, for request cases.
    pub fn command(&self, model: &Model) -> Option<(String, bool)> {
        match &self.check {
            Check::Accepts(r) => Some((r.line(model), true)),
            Check::OutOfType { request, .. }
            | Check::Invalid { request, .. }
            | Check::LineRejected(request) => Some((request.line(model), false)),
            _ => None,
        }
    }

    /// Which side of the codec the case exercises: command lines, module lines (responses and
    /// URCs), or neither (sessions, error codes).
    pub fn side(&self) -> &'static str {
        match self.check {
            Check::Shape { .. } | Check::Chosen { .. } => "module lines",
            Check::Removed { urc: true, .. } => "module lines",
            Check::Transcript(_) | Check::ErrorCode { .. } => "other",
            _ => "command lines",
        }
    }
}

/// `qiopen_open`, `qicfg_tcp_retranscfg_set`: the prefix of a form's case names.
pub fn form_prefix(cmd: &Command, form: &Form) -> String {
    let sel = form
        .selector
        .as_ref()
        .map(|s| format!("_{}", naming::module(s)))
        .unwrap_or_default();
    format!("{}{sel}_{}", naming::command_module(cmd), form.name)
}

fn value_name(v: i64) -> String {
    if v < 0 {
        format!("minus_{}", v.unsigned_abs())
    } else {
        v.to_string()
    }
}

/// Every case of the spec, in a stable order: forms by command file, then response lines,
/// URCs and transcripts.
/// [`cases`], and the cases of what a revision removed: `written` is the spec as written
/// (`until:` items included), `model` its latest revision.
pub fn cases_with_removed<'m>(model: &'m Model, written: &Model) -> Vec<Case<'m>> {
    let mut out = cases(model);
    removed::cases(model, written, &mut out);
    let mut seen = BTreeSet::new();
    out.retain(|c| seen.insert(c.name.clone()));
    out
}

pub fn cases(model: &Model) -> Vec<Case<'_>> {
    let strings = values::example_strings(model);
    let mut out = Vec::new();
    for c in &model.spec.commands {
        let cmd = &c.value;
        for form in &cmd.forms {
            form_cases(model, cmd, form, &strings, &mut out);
        }
    }
    for c in &model.spec.commands {
        let cmd = &c.value;
        for form in &cmd.forms {
            for (i, l) in form.response.lines.iter().enumerate() {
                let ty = naming::line_type(form, i).to_string();
                let shape = ShapeRef {
                    path: format!(
                        "quectel_qi::response::{}::{ty}",
                        naming::command_module(cmd)
                    ),
                    urc: false,
                    name: format!("response_{}_{}", naming::command_module(cmd), snake(&ty)),
                    keyword: l.selector.as_deref(),
                    prefix: l.prefix.clone().unwrap_or_else(|| format!("+{}", cmd.name)),
                    fields: &l.fields,
                    data: l.data.as_ref(),
                };
                shape_cases(model, &shape, &strings, &mut out);
            }
        }
    }
    for u in &model.spec.urcs.value.urcs {
        let shape = ShapeRef::of_urc(
            u,
            format!("quectel_qi::urc::{}", naming::type_name(&u.name)),
            format!("urc_{}", u.name),
        );
        shape_cases(model, &shape, &strings, &mut out);
    }
    choice::cases(model, &strings, &mut out);
    for t in values::transcripts(model) {
        out.push(Case {
            name: format!("transcript_{}_replays", t.name),
            kind: Kind::Transcript,
            check: Check::Transcript(t),
            documented: true,
        });
    }
    error_cases(model, &mut out);
    // Names must be unique: a repeat (the same boundary reached twice) is dropped.
    let mut seen = BTreeSet::new();
    out.retain(|c| seen.insert(c.name.clone()));
    out
}

/// Every error code of chapter 4 is known with its text; the codes next to them are not.
fn error_cases<'m>(model: &'m Model, out: &mut Vec<Case<'m>>) {
    let errors = &model.spec.errors.value.errors;
    let mut ranges: Vec<[i64; 2]> = Vec::new();
    let mut codes: Vec<i64> = errors.iter().map(|e| i64::from(e.code)).collect();
    codes.sort();
    for c in codes {
        match ranges.last_mut() {
            Some(r) if r[1] + 1 == c => r[1] = c,
            _ => ranges.push([c, c]),
        }
    }
    for e in errors {
        out.push(Case {
            name: format!("error_code_{}_is_known", e.name),
            kind: Kind::Enum,
            check: Check::ErrorCode {
                code: i64::from(e.code),
                text: Some(&e.text),
            },
            documented: true,
        });
    }
    let (_, unlisted) = values::boundaries(&ranges);
    for code in unlisted.into_iter().filter(|c| *c >= 0) {
        out.push(Case {
            name: format!("error_code_{code}_is_unknown"),
            kind: Kind::Enum,
            check: Check::ErrorCode { code, text: None },
            documented: true,
        });
    }
}

/// Cases per kind and side (see [`Case::side`]).
pub fn counts_by_side(cases: &[Case<'_>]) -> BTreeMap<(Kind, &'static str), usize> {
    let mut m = BTreeMap::new();
    for c in cases {
        *m.entry((c.kind, c.side())).or_default() += 1;
    }
    m
}

/// Cases per kind.
pub fn counts(cases: &[Case<'_>]) -> BTreeMap<Kind, usize> {
    let mut m: BTreeMap<Kind, usize> = Kind::ALL.iter().map(|k| (*k, 0)).collect();
    for c in cases {
        *m.entry(c.kind).or_default() += 1;
    }
    m
}

fn form_cases<'m>(
    model: &'m Model,
    cmd: &'m Command,
    form: &'m Form,
    strings: &BTreeMap<String, String>,
    out: &mut Vec<Case<'m>>,
) {
    let prefix = form_prefix(cmd, form);
    let ranges: Vec<Option<Vec<[i64; 2]>>> = form
        .params
        .iter()
        .map(|u| values::effective_ranges(model.param(&u.param), form, u.field_name()))
        .collect();
    let base: Values = form
        .params
        .iter()
        .zip(&ranges)
        .map(|(u, r)| match u.value {
            Some(_) => Value::Absent,
            None => values::sample(model, u, r.as_deref(), strings),
        })
        .collect();
    let Some(base) = values::fix(model, form, base, &[], strings) else {
        return;
    };
    let group = values::group_sample(model, form, strings);
    let request = |values: Values| Request {
        cmd,
        form,
        values,
        group: group.clone(),
    };
    let mut push = |name: String, kind: Kind, check: Check<'m>, documented: bool| {
        out.push(Case {
            name,
            kind,
            check,
            documented,
        })
    };
    push(
        format!("{prefix}_round_trips"),
        Kind::Form,
        Check::Accepts(request(base.clone())),
        true,
    );
    // Each parameter, then each parameter of the group's first entry.
    let entry_params = form.repeat.iter().flat_map(|g| g.params.iter());
    let slots = form
        .params
        .iter()
        .enumerate()
        .map(|(i, u)| (Slot::Param(i), u));
    let slots = slots.chain(entry_params.enumerate().map(|(j, u)| (Slot::Entry(j), u)));
    for (slot, u) in slots {
        if u.value.is_some() {
            continue;
        }
        let def = model.param(&u.param);
        let field = u.field_name();
        let doc = u.doc.clone().unwrap_or_else(|| def.doc.clone());
        let with = |v: Value| {
            let mut r = request(base.clone());
            match slot {
                Slot::Param(i) => r.values[i] = v,
                Slot::Entry(j) => r.group[0][j] = v,
            }
            r
        };
        // Rules name the form's own parameters: a group's entry only has to be itself valid.
        let accepted = |v: Value| match slot {
            Slot::Param(i) => {
                let r = with(v);
                values::fix(model, form, r.values, &[i], strings).map(request)
            }
            Slot::Entry(_) => Some(with(v)),
        };
        let (index, range) = match slot {
            Slot::Param(i) => (i, ranges[i].clone()),
            Slot::Entry(j) => (form.params.len() + j, def.range.clone()),
        };
        match values::repr(def) {
            Repr::Newtype | Repr::Int => {
                let Some(r) = &range else { continue };
                let (ok, bad) = values::boundaries(r);
                for v in ok {
                    if let Some(req) = accepted(Value::Int(v)) {
                        let name = format!("{prefix}_{field}_accepts_{}", value_name(v));
                        push(name, Kind::Range, Check::Accepts(req), true);
                    }
                }
                for v in bad {
                    let name = format!("{prefix}_{field}_rejects_{}", value_name(v));
                    let req = with(Value::Int(v));
                    let type_range = def.range.as_deref().unwrap_or_default();
                    let check = match values::repr(def) {
                        Repr::Newtype if !crate::check::values::in_ranges(type_range, v) => {
                            Check::OutOfType {
                                request: req,
                                param: &u.param,
                                index,
                                value: v,
                            }
                        }
                        Repr::Int if v < 0 || v > i64::from(u32::MAX) => Check::LineRejected(req),
                        _ => Check::Invalid {
                            request: req,
                            param: doc.clone(),
                        },
                    };
                    push(name, Kind::Range, check, true);
                }
            }
            Repr::Enum { keyword } => {
                let listed = def.values.as_deref().unwrap_or_default();
                for (k, ev) in listed.iter().enumerate() {
                    if let Some(req) = accepted(Value::Enum(k)) {
                        let name = format!("{prefix}_{field}_accepts_{}", ev.name);
                        push(name, Kind::Enum, Check::Accepts(req), true);
                    }
                }
                if keyword {
                    let raw = Value::Raw("\"UNLISTED\"".into());
                    let name = format!("{prefix}_{field}_rejects_unlisted_keyword");
                    push(name, Kind::Enum, Check::LineRejected(with(raw)), true);
                } else {
                    let codes = listed.iter().filter_map(|e| match e.value {
                        crate::spec::Scalar::Int(n) => Some(n),
                        _ => None,
                    });
                    let v = codes.max().unwrap_or(0) + 1;
                    let name = format!("{prefix}_{field}_rejects_unlisted_{v}");
                    let check = Check::OutOfType {
                        request: with(Value::Raw(v.to_string())),
                        param: &u.param,
                        index,
                        value: v,
                    };
                    push(name, Kind::Enum, check, true);
                }
            }
            Repr::Str | Repr::Hex => {
                let hex = values::repr(def) == Repr::Hex;
                let max = values::max_len(model, def);
                // A hex string has two digits per byte: the next longer one is two digits more.
                let (limit, over) = match (hex, max % 2) {
                    (true, 0) => (max, max + 2),
                    (true, _) => (max - 1, max + 1),
                    (false, _) => (max, max + 1),
                };
                let fill = if hex { "0" } else { "a" };
                let documented = def.max_len.is_some();
                if let Some(req) = accepted(Value::Str(fill.repeat(limit))) {
                    let name = format!("{prefix}_{field}_accepts_len_{limit}");
                    push(name, Kind::Length, Check::Accepts(req), documented);
                }
                let name = format!("{prefix}_{field}_rejects_len_{over}");
                let check = Check::Invalid {
                    request: with(Value::Str(fill.repeat(over))),
                    param: doc.clone(),
                };
                push(name, Kind::Length, check, documented);
            }
        }
        // An optional parameter left out (a middle one keeps its place as an empty field).
        if let Slot::Param(i) = slot {
            if u.optional {
                let mut vs = base.clone();
                set(form, &mut vs, i, Value::Absent);
                if let Some(vs) = values::fix(model, form, vs, &[i], strings) {
                    let name = format!("{prefix}_{field}_accepts_absent");
                    push(name, Kind::Form, Check::Accepts(request(vs)), true);
                }
            }
        }
    }
    if let Some(g) = &form.repeat {
        group_cases(cmd, form, g, &base, &group, &mut push);
    }
    rule_cases(model, cmd, form, &base, &group, strings, out);
}

/// Where a varied value sits: a parameter of the form, or one of its group's first entry.
#[derive(Debug, Clone, Copy)]
enum Slot {
    Param(usize),
    Entry(usize),
}

/// The count of a repeated group's entries: its bounds accepted; one past the most (no typed
/// value can hold it) and one short of the fewest rejected.
fn group_cases<'m>(
    cmd: &'m Command,
    form: &'m Form,
    g: &'m crate::spec::ParamGroup,
    base: &Values,
    group: &[Values],
    push: &mut impl FnMut(String, Kind, Check<'m>, bool),
) {
    let prefix = form_prefix(cmd, form);
    let Some(entry) = group.first() else { return };
    let request = |n: u32| Request {
        cmd,
        form,
        values: base.clone(),
        group: vec![entry.clone(); n as usize],
    };
    let gname = &g.name;
    for n in [g.min, g.max] {
        push(
            format!("{prefix}_{gname}_accepts_{n}_entries"),
            Kind::Repeat,
            Check::Accepts(request(n)),
            true,
        );
    }
    push(
        format!("{prefix}_{gname}_rejects_{}_entries", g.max + 1),
        Kind::Repeat,
        Check::LineRejected(request(g.max + 1)),
        true,
    );
    if g.min > 0 {
        push(
            format!("{prefix}_{gname}_rejects_{}_entries", g.min - 1),
            Kind::Repeat,
            Check::Invalid {
                request: request(g.min - 1),
                param: gname.clone(),
            },
            true,
        );
    }
}

/// Sets a parameter and, when it is left out, every optional one after it (only trailing
/// parameters may be left out).
fn set(form: &Form, values: &mut Values, i: usize, v: Value) {
    if v == Value::Absent {
        for (j, u) in form.params.iter().enumerate().skip(i + 1) {
            if u.optional {
                values[j] = Value::Absent;
            }
        }
    }
    values[i] = v;
}

/// Cases of the rules between parameters: each requirement of a rule, with its condition made
/// to hold, met (accepted) and broken (rejected by the validator); each group given in part.
fn rule_cases<'m>(
    model: &'m Model,
    cmd: &'m Command,
    form: &'m Form,
    base: &Values,
    group: &[Values],
    strings: &BTreeMap<String, String>,
    out: &mut Vec<Case<'m>>,
) {
    let prefix = form_prefix(cmd, form);
    let param_doc = |u: &ParamUse| {
        u.doc
            .clone()
            .unwrap_or_else(|| model.param(&u.param).doc.clone())
    };
    for r in &form.rules {
        // The condition, made to hold with the first value it allows.
        let mut start = base.clone();
        let mut pinned = Vec::new();
        let mut suffix = String::new();
        for (n, c) in r.when.iter().flatten() {
            let i = values::position(form, n);
            let def = model.param(&form.params[i].param);
            let listed = def.values.as_deref().unwrap_or_default();
            let (v, text) = if let Some(names) = &c.one_of {
                let k = listed
                    .iter()
                    .position(|e| e.name == names[0])
                    .expect("checked");
                (Value::Enum(k), names[0].clone())
            } else if let Some(rr) = &c.range {
                (Value::Int(rr[0][0]), value_name(rr[0][0]))
            } else if c.present == Some(false) {
                (Value::Absent, "absent".into())
            } else {
                let u = &form.params[i];
                (
                    values::sample(model, u, def.range.as_deref(), strings),
                    "given".into(),
                )
            };
            set(form, &mut start, i, v);
            pinned.push(i);
            suffix.push_str(&format!("_when_{n}_{text}"));
        }
        let Some(start) = values::fix(model, form, start, &pinned, strings) else {
            continue;
        };
        let mut push = |name: String, kind: Kind, check: Check<'m>| {
            out.push(Case {
                name,
                kind,
                check,
                documented: true,
            })
        };
        for (n, c) in r.then.iter().flatten() {
            let i = values::position(form, n);
            let u = &form.params[i];
            let def = model.param(&u.param);
            let mut pins = pinned.clone();
            pins.push(i);
            let with = |v: Value| {
                let mut vs = start.clone();
                set(form, &mut vs, i, v);
                vs
            };
            let accepted = |v: Value| values::fix(model, form, with(v), &pins, strings);
            let invalid = |v: Value| Check::Invalid {
                request: Request {
                    cmd,
                    form,
                    values: with(v),
                    group: group.to_vec(),
                },
                param: param_doc(u),
            };
            let accepts = |vs: Values| {
                Check::Accepts(Request {
                    cmd,
                    form,
                    values: vs,
                    group: group.to_vec(),
                })
            };
            if let (Some(rr), Some(_)) = (&c.range, &r.when) {
                // Unconditional ranges narrow the parameter's own cases already.
                let type_range = def
                    .range
                    .clone()
                    .unwrap_or_else(|| vec![[0, i64::from(u32::MAX)]]);
                let (ok, bad) = values::boundaries(&values::intersect(&type_range, rr));
                for v in ok {
                    if let Some(vs) = accepted(Value::Int(v)) {
                        let name = format!("{prefix}_{n}_accepts_{}{suffix}", value_name(v));
                        push(name, Kind::Rule, accepts(vs));
                    }
                }
                for v in bad
                    .into_iter()
                    .filter(|v| crate::check::values::in_ranges(&type_range, *v))
                {
                    let name = format!("{prefix}_{n}_rejects_{}{suffix}", value_name(v));
                    push(name, Kind::Rule, invalid(Value::Int(v)));
                }
            }
            if let Some(m) = c.min_len {
                let m = m as usize;
                if let Some(vs) = accepted(Value::Str("a".repeat(m))) {
                    push(
                        format!("{prefix}_{n}_accepts_len_{m}{suffix}"),
                        Kind::Rule,
                        accepts(vs),
                    );
                }
                let name = format!("{prefix}_{n}_rejects_len_{}{suffix}", m - 1);
                push(name, Kind::Rule, invalid(Value::Str("a".repeat(m - 1))));
            }
            if c.present == Some(true) && u.optional {
                let name = format!("{prefix}_{n}_rejects_absent{suffix}");
                push(name, Kind::Rule, invalid(Value::Absent));
            }
        }
        if let Some(together) = &r.together {
            // The first given, the others left out: the validator names the first left out,
            // by the document's name.
            let mut vs = start.clone();
            for n in &together[1..] {
                set(form, &mut vs, values::position(form, n), Value::Absent);
            }
            let name = format!("{prefix}_{}_rejects_without_{}", together[0], together[1]);
            push(
                name,
                Kind::Rule,
                Check::Invalid {
                    request: Request {
                        cmd,
                        form,
                        values: vs,
                        group: group.to_vec(),
                    },
                    param: form
                        .params
                        .iter()
                        .find(|u| u.field_name() == together[1])
                        .map(|u| {
                            u.doc
                                .clone()
                                .unwrap_or_else(|| model.param(&u.param).doc.clone())
                        })
                        .unwrap_or_else(|| together[1].clone()),
                },
            );
        }
    }
}

/// A response line or URC shape, as the cases need it.
struct ShapeRef<'a> {
    path: String,
    urc: bool,
    name: String,
    prefix: String,
    keyword: Option<&'a str>,
    fields: &'a [ParamUse],
    data: Option<&'a DataBlock>,
}

impl<'a> ShapeRef<'a> {
    /// A URC's line shape; `path` and `name` are the generated type and the case's name
    /// (empty where only the line is drawn).
    fn of_urc(u: &'a crate::spec::Urc, path: String, name: String) -> Self {
        ShapeRef {
            path,
            urc: true,
            name,
            keyword: u.keyword.as_deref(),
            prefix: u.prefix.clone(),
            fields: &u.fields,
            data: u.data.as_ref(),
        }
    }
}

fn snake(camel: &str) -> String {
    use heck::ToSnakeCase;
    camel.to_snake_case()
}

/// A shown field (test responses) as the module prints it: a range, a list or a placeholder.
fn shown_text(model: &Model, u: &ParamUse, how: Shown) -> String {
    let def = model.param(&u.param);
    match how {
        Shown::Placeholder => format!("<{}>", u.doc.clone().unwrap_or_else(|| def.doc.clone())),
        Shown::Range => match (&def.range, def.values.as_deref()) {
            (Some(r), _) => format!(
                "({}-{})",
                r.first().map_or(0, |x| x[0]),
                r.last().map_or(0, |x| x[1])
            ),
            (None, Some(vs)) => {
                let texts: Vec<String> = vs.iter().map(|v| v.value.to_string()).collect();
                match vs.first().map(|v| &v.value) {
                    Some(crate::spec::Scalar::Int(_)) => format!(
                        "({}-{})",
                        texts.first().cloned().unwrap_or_default(),
                        texts.last().cloned().unwrap_or_default()
                    ),
                    _ => {
                        let inner: Vec<&str> = texts.iter().map(|t| t.trim_matches('"')).collect();
                        format!("\"{}\"", inner.join("/"))
                    }
                }
            }
            (None, None) => format!("<{}>", def.doc),
        },
    }
}

/// Text for a field read by its length: a quote, a comma and a line end, which would end the
/// field or the line if the decoder did not count.
const FRAMED: &str = "a\",\r\nOK,b";

/// `n` bytes of [`FRAMED`], repeated as needed.
fn framed_text(n: usize) -> String {
    FRAMED.chars().cycle().take(n).collect()
}

/// The lowest and highest value of a parameter's range (`0..=u32::MAX` without one).
fn range_ends(def: &crate::spec::ParamDef) -> (i64, i64) {
    let r = def.range.as_deref().unwrap_or_default();
    (
        r.first().map_or(0, |x| x[0]),
        r.last().map_or(i64::from(u32::MAX), |x| x[1]),
    )
}

/// Valid values of a line's fields: samples; a payload of a few bytes; framed fields holding
/// [`FRAMED`], their length fields its length; repeated fields as few values as they need.
fn shape_base(model: &Model, s: &ShapeRef<'_>, strings: &BTreeMap<String, String>) -> Vec<Value> {
    let length_field = s.data.map(|d| d.length.as_str());
    let position = |name: &str| s.fields.iter().position(|u| u.field_name() == name);
    let base: Vec<Value> = s
        .fields
        .iter()
        .map(|u| {
            let def = model.param(&u.param);
            if let Some(how) = u.shown {
                return Value::Raw(shown_text(model, u, how));
            }
            if Some(u.field_name()) == length_field {
                // A few payload bytes, within the length's range.
                let (lo, hi) = range_ends(def);
                return Value::Int(5.clamp(lo, hi));
            }
            if let Some(len) = &u.length {
                let def = model.param(&s.fields[position(len).expect("checked")].param);
                let (lo, hi) = range_ends(def);
                let n = (FRAMED.len() as i64).clamp(lo.max(0), hi);
                return Value::Str(framed_text(n as usize));
            }
            let one = values::sample(model, u, def.range.as_deref(), strings);
            match u.repeat {
                Some(r) => Value::List(vec![one; r.min.max(1).min(r.max) as usize]),
                None => one,
            }
        })
        .collect();
    // A length field says how long its framed field is.
    let reframe = |vs: &mut [Value]| {
        for (i, u) in s.fields.iter().enumerate() {
            if let Some(j) = u.length.as_deref().and_then(position) {
                if let Value::Str(text) = &vs[i] {
                    vs[j] = Value::Int(text.len() as i64);
                }
            }
        }
    };
    let mut base = base;
    reframe(&mut base);
    base
}

fn shape_cases<'m>(
    model: &'m Model,
    s: &ShapeRef<'_>,
    strings: &BTreeMap<String, String>,
    out: &mut Vec<Case<'m>>,
) {
    let kind = if s.urc { Kind::Urc } else { Kind::Line };
    let length_field = s.data.map(|d| d.length.as_str());
    let keyword = usize::from(s.keyword.is_some());
    let position = |name: &str| s.fields.iter().position(|u| u.field_name() == name);
    let base = shape_base(model, s, strings);
    let payload_of = |vs: &[Value]| {
        s.fields
            .iter()
            .zip(vs)
            .find(|(u, _)| Some(u.field_name()) == length_field)
            .map_or(0, |(_, v)| match v {
                Value::Int(n) => usize::try_from(*n).unwrap_or(0),
                _ => 0,
            })
    };
    let line = |vs: &[Value]| shape_line(model, s, vs);
    // A line with a payload borrows it: the tests name its `'static` form.
    let path = match s.data {
        Some(_) => format!("{}<'static>", s.path),
        None => s.path.clone(),
    };
    let shape = |vs: &[Value], accepted: bool| Check::Shape {
        path: path.clone(),
        urc: s.urc,
        line: line(vs),
        payload: payload_of(vs),
        accepted,
        error: None,
    };
    let rejected_as = |vs: &[Value], error: String| Check::Shape {
        path: path.clone(),
        urc: s.urc,
        line: line(vs),
        payload: payload_of(vs),
        accepted: false,
        error: Some(error),
    };
    let mut push = |name: String, kind: Kind, check: Check<'m>| {
        out.push(Case {
            name,
            kind,
            check,
            documented: true,
        })
    };
    push(format!("{}_round_trips", s.name), kind, shape(&base, true));
    for (i, u) in s.fields.iter().enumerate() {
        if u.shown.is_some() {
            continue;
        }
        let def = model.param(&u.param);
        let field = u.field_name();
        let index = i + keyword;
        // The value at this field (the first value of a repeated one); a length field's framed
        // field follows its length.
        let with = |v: Value| {
            let mut vs = base.clone();
            match (&mut vs[i], u.repeat) {
                (Value::List(list), Some(_)) if !list.is_empty() => list[0] = v,
                (slot, _) => *slot = v,
            }
            for (k, w) in s.fields.iter().enumerate() {
                if w.length.as_deref() == Some(field) {
                    if let Value::Int(n) = vs[i] {
                        let n = usize::try_from(n).unwrap_or(0);
                        vs[k] = Value::Str(framed_text(n));
                    }
                }
            }
            vs
        };
        let n = |text: &str| format!("{}_{field}_{text}", s.name);
        if let Some(len) = &u.length {
            // The length field must match: one more is a truncated field, one less leaves a
            // byte where the closing quote or the next comma belongs.
            let Value::Str(text) = &base[i] else { continue };
            let j = position(len).expect("checked");
            let quoted = crate::check::values::is_quoted(def);
            let last = i + 1 == s.fields.len();
            let n_bytes = text.len() as i64;
            let with_len = |v: i64| {
                let mut vs = base.clone();
                vs[j] = Value::Int(v);
                vs
            };
            let index = format!("{{ index: {index} }}");
            let err = |e: &str| format!("quectel_qi::wire::DecodeError::{e}");
            if last || quoted {
                let e = match last {
                    true => err("Truncated"),
                    false => err(&format!("NotQuoted {index}")),
                };
                push(
                    n(&format!(
                        "rejects_length_{}_for_{n_bytes}_bytes",
                        n_bytes + 1
                    )),
                    Kind::Framing,
                    rejected_as(&with_len(n_bytes + 1), e),
                );
            }
            if n_bytes > 0 {
                let e = match quoted {
                    true => err(&format!("NotQuoted {index}")),
                    false => err(&format!("TooLong {index}")),
                };
                push(
                    n(&format!(
                        "rejects_length_{}_for_{n_bytes}_bytes",
                        n_bytes - 1
                    )),
                    Kind::Framing,
                    rejected_as(&with_len(n_bytes - 1), e),
                );
            }
            continue;
        }
        if let Some(r) = u.repeat {
            let Value::List(list) = &base[i] else {
                continue;
            };
            let one = list.first().cloned().unwrap_or(Value::Absent);
            let times = |k: u32| {
                let mut vs = base.clone();
                vs[i] = Value::List(vec![one.clone(); k as usize]);
                vs
            };
            for k in [r.min, r.max] {
                push(
                    n(&format!("accepts_{k}_values")),
                    Kind::Repeat,
                    shape(&times(k), true),
                );
            }
            push(
                n(&format!("rejects_{}_values", r.max + 1)),
                Kind::Repeat,
                rejected_as(
                    &times(r.max + 1),
                    "quectel_qi::wire::DecodeError::TrailingData".into(),
                ),
            );
            if r.min > 0 {
                let at = index + r.min as usize - 1;
                push(
                    n(&format!("rejects_{}_values", r.min - 1)),
                    Kind::Repeat,
                    rejected_as(
                        &times(r.min - 1),
                        format!("quectel_qi::wire::DecodeError::MissingField {{ index: {at} }}"),
                    ),
                );
            }
        }
        if u.optional {
            // Left out: a middle field keeps its place, a trailing one takes the rest with it.
            let mut vs = base.clone();
            vs[i] = Value::Absent;
            if !u.keeps_place() {
                for v in &mut vs[i + 1..] {
                    *v = Value::Absent;
                }
            }
            push(n("accepts_absent"), kind, shape(&vs, true));
        }
        match values::repr(def) {
            Repr::Newtype => {
                let (ok, bad) = values::boundaries(def.range.as_deref().unwrap_or_default());
                for v in ok {
                    let name = n(&format!("accepts_{}", value_name(v)));
                    push(name, Kind::Range, shape(&with(Value::Int(v)), true));
                }
                for v in bad {
                    let name = n(&format!("rejects_{}", value_name(v)));
                    push(name, Kind::Range, shape(&with(Value::Int(v)), false));
                }
            }
            Repr::Enum { keyword } => {
                let listed = def.values.as_deref().unwrap_or_default();
                for (k, ev) in listed.iter().enumerate() {
                    let name = n(&format!("accepts_{}", ev.name));
                    push(name, Kind::Enum, shape(&with(Value::Enum(k)), true));
                }
                let (name, raw) = if keyword {
                    ("keyword".to_string(), "\"UNLISTED\"".to_string())
                } else {
                    let max = listed
                        .iter()
                        .filter_map(|e| match e.value {
                            crate::spec::Scalar::Int(n) => Some(n),
                            _ => None,
                        })
                        .max()
                        .unwrap_or(0);
                    ((max + 1).to_string(), (max + 1).to_string())
                };
                let name = n(&format!("rejects_unlisted_{name}"));
                push(name, Kind::Enum, shape(&with(Value::Raw(raw)), false));
            }
            Repr::Str | Repr::Hex if def.max_len.is_some() => {
                let max = values::max_len(model, def);
                for (len, accepted) in [(max, true), (max + 1, false)] {
                    let verb = if accepted { "accepts" } else { "rejects" };
                    // Quoted or bare as the type says (`shape_line` writes either).
                    let v = Value::Str("a".repeat(len));
                    let name = n(&format!("{verb}_len_{len}"));
                    push(name, Kind::Length, shape(&with(v), accepted));
                }
            }
            _ => {}
        }
    }
}

/// A response line or URC with these values (without CR LF).
fn shape_line(model: &Model, s: &ShapeRef<'_>, vs: &[Value]) -> String {
    let mut parts: Vec<String> = s.keyword.iter().map(|k| format!("\"{k}\"")).collect();
    for (u, v) in s.fields.iter().zip(vs) {
        let def = model.param(&u.param);
        // The encoder writes bare text after a comma as ", text" (see emit::lines); each value
        // of a repeated field counts as after a comma.
        let bare = |v: &Value, after_comma: bool| {
            let text = values::wire(def, v);
            let bare_text = matches!(v, Value::Str(_))
                && !crate::check::values::is_quoted(def)
                && u.length.is_none();
            if bare_text && after_comma {
                format!(" {text}")
            } else {
                text
            }
        };
        match v {
            Value::Absent if u.keeps_place() => parts.push(String::new()),
            Value::Absent => break,
            Value::List(list) => parts.extend(list.iter().map(|x| bare(x, true))),
            v => {
                let after = !parts.is_empty();
                parts.push(bare(v, after));
            }
        }
    }
    match (parts.is_empty(), s.prefix.is_empty()) {
        (true, _) => s.prefix.clone(),
        // A line of text alone.
        (false, true) => parts.join(","),
        (false, false) => format!("{}: {}", s.prefix, parts.join(",")),
    }
}

/// Generates the spec's test cases from a build script, in the style of `prost-build`:
///
/// ```no_run
/// // build.rs of a test crate
/// qi_codegen::testgen::Builder::new("../spec").generate().unwrap();
/// // src/lib.rs:      include!(concat!(env!("OUT_DIR"), "/qi_tests_support.rs"));
/// // tests/cases.rs:  include!(concat!(env!("OUT_DIR"), "/qi_tests_cases.rs"));
/// // tests/props.rs:  include!(concat!(env!("OUT_DIR"), "/qi_tests_props.rs"));
/// ```
///
/// Also writes `conformance.at`, the AT script of [`crate::conformance`], and
/// `qi_tests_helpers.rs`, the helpers the cases call. For a crate generated from its own spec,
/// [`crate_path`](Builder::crate_path) names it, and `qi_tests_suite.rs` holds helpers, impls,
/// cases and property tests in one file for a test target to include:
///
/// ```no_run
/// // build.rs of the crate generated from `spec/`
/// qi_codegen::testgen::Builder::new("spec").crate_path("my_binding").generate().unwrap();
/// // tests/generated.rs: include!(concat!(env!("OUT_DIR"), "/qi_tests_suite.rs"));
/// ```
#[derive(Debug, Clone)]
pub struct Builder {
    spec_dir: PathBuf,
    out_dir: Option<PathBuf>,
    rerun: bool,
    crate_path: String,
    view: crate::revision::View,
}

/// The helpers of the generated tests, written against `quectel_qi`.
const HELPERS: &str = include_str!("helpers.rs.in");

/// What [`Builder::generate`] wrote.
#[derive(Debug, Clone)]
pub struct Summary {
    pub out_dir: PathBuf,
    /// Generated cases per kind.
    pub counts: BTreeMap<Kind, usize>,
}

impl Builder {
    /// A builder for the spec in `spec_dir` (relative to the build script's package).
    pub fn new(spec_dir: impl Into<PathBuf>) -> Self {
        Builder {
            spec_dir: spec_dir.into(),
            out_dir: None,
            rerun: true,
            crate_path: "quectel_qi".to_owned(),
            view: crate::revision::View::default(),
        }
    }

    /// Tests one module's API: a `profile:` id of document.yaml's `modules:`, as
    /// [`crate::Builder::profile`] generated it (the cases follow that module's ranges).
    pub fn profile(mut self, id: impl Into<String>) -> Self {
        self.view.profile = Some(id.into());
        self
    }

    /// Selects the profile from the package's cargo features, as
    /// [`crate::Builder::profile_from_features`] does: use both in one build script.
    pub fn profile_from_features(mut self) -> Self {
        if let Some(id) = crate::profile_from_features(&self.spec_dir) {
            self.view.profile = Some(id);
        }
        self
    }

    /// The generated crate the tests exercise, as a path (default `quectel_qi`).
    pub fn crate_path(mut self, path: impl Into<String>) -> Self {
        self.crate_path = path.into();
        self
    }

    /// Where to write the files; defaults to `$OUT_DIR`.
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// Whether to print `cargo:rerun-if-changed` for every spec file (default: yes).
    pub fn rerun_if_changed(mut self, yes: bool) -> Self {
        self.rerun = yes;
        self
    }

    /// Loads and checks the spec, then writes the generated files (only those that changed).
    pub fn generate(self) -> Result<Summary, crate::GenerateError> {
        let model = crate::load_for_build(&self.spec_dir, &self.view, self.rerun)?;
        let dir = match self.out_dir {
            Some(d) => d,
            None => crate::out_dir()?,
        };
        // What a revision removed is tested against the spec as written.
        let written = crate::checked(&self.spec_dir).map_err(crate::GenerateError::Spec)?;
        let all = if crate::revision::has_removals(&written) {
            cases_with_removed(&model, &Model::new(written))
        } else {
            cases(&model)
        };
        let to_crate = |text: &str| text.replace("quectel_qi::", &format!("{}::", self.crate_path));
        let (support, cases_rs, props) = (
            to_crate(&rust::support(&model)),
            to_crate(&rust::cases(&model, &all)),
            to_crate(&rust::props(&model)),
        );
        // One file for one test target: the helpers live at its root, not in `qi_tests`.
        let suite = [
            to_crate(HELPERS),
            support.clone(),
            cases_rs.clone(),
            props.clone(),
        ]
        .join("\n")
        .replace("qi_tests::", "crate::");
        let files = [
            ("qi_tests_support.rs", support),
            ("qi_tests_cases.rs", cases_rs),
            ("qi_tests_props.rs", props),
            ("qi_tests_helpers.rs", to_crate(HELPERS)),
            ("qi_tests_suite.rs", suite),
            ("conformance.at", crate::conformance::render(&model)),
        ];
        for (name, text) in files {
            crate::write_if_changed(&dir.join(name), &text)?;
        }
        Ok(Summary {
            out_dir: dir,
            counts: counts(&all),
        })
    }
}

/// Whether a line of a form (with `fields` fields) could also be read as another form of its
/// command (same kind and selector, a parameter count that fits): then a line this form rejects
/// may still be a valid command. `out_of_type`: the position and key of a parameter whose value
/// no Rust value of its type can hold; a sibling with the same parameter there rejects it too.
pub fn sibling_may_accept(
    cmd: &Command,
    form: &Form,
    fields: usize,
    out_of_type: Option<(usize, &str)>,
) -> bool {
    cmd.forms.iter().any(|g| {
        let fits = g.name != form.name
            && g.kind == form.kind
            && g.selector == form.selector
            && g.kind == FormKind::Write
            && (g.params.iter().filter(|u| !u.optional).count()..=g.params.len()).contains(&fields);
        let same_type = out_of_type.is_some_and(|(i, key)| {
            g.params
                .get(i)
                .is_some_and(|u| u.value.is_none() && u.param == key)
        });
        fits && !same_type
    })
}

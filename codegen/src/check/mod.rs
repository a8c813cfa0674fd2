//! Semantic checks over the loaded spec. Every problem is collected, none stops the others, and
//! each points at the line and column of the offending value.

mod names;
mod settings;
mod transcript;
pub mod values;
mod views;

use crate::spec::*;
use std::collections::{BTreeMap, BTreeSet};
use values::{check_scalar, describe_ranges};

/// Checks the whole spec; returns every problem found, sorted by file and position.
pub fn check(spec: &Spec) -> Result<(), Vec<Diagnostic>> {
    let mut cx = Cx {
        spec,
        params: BTreeMap::new(),
        errs: Vec::new(),
    };
    let gaps = spec.gaps;
    if !gaps.document {
        cx.document();
    }
    cx.params();
    let urc_names = cx.urcs();
    if spec.commands.is_empty() && !gaps.commands {
        // `Request` and the dispatch over forms need one form at least.
        cx.push(spec.document.at(
            "title",
            "the spec has no command: add one as commands/<name>.yaml",
        ));
    }
    let mut names = BTreeSet::new();
    for cmd in &spec.commands {
        cx.command(cmd, &urc_names, &mut names);
    }
    cx.errors();
    cx.errata();
    names::check(&mut cx);
    settings::check(&mut cx);
    // What refers to a file that did not read would only report its absence.
    if !gaps.document {
        views::check(&mut cx);
    }
    if !gaps.for_transcripts() {
        transcript::check_all(&mut cx);
    }
    let mut errs = cx.errs;
    if errs.is_empty() {
        Ok(())
    } else {
        errs.sort();
        errs.dedup();
        Err(errs)
    }
}

pub(crate) struct Cx<'a> {
    pub spec: &'a Spec,
    /// Every parameter definition by key.
    pub params: BTreeMap<&'a str, &'a ParamDef>,
    pub errs: Vec<Diagnostic>,
}

/// The most values a repeated field may carry (its wire index must fit a `u8`).
const MAX_REPEAT: u32 = 128;
/// How many leading fields of a line may give a length (the runtime's
/// `tables::MAX_LENGTH_POSITION`).
const MAX_LENGTH_POSITION: usize = 16;
/// The most fields a line or form may have: the tables give a field's position as a `u8`.
const MAX_FIELDS: usize = 256;

/// `+QIRD`, or a word of letters for the few lines that have no `+` (`RDY`, `Revision`).
fn prefix_ok(p: &str) -> bool {
    match p.strip_prefix('+') {
        Some(name) => !name.is_empty(),
        None => !p.is_empty() && p.chars().all(|c| c.is_ascii_alphabetic()),
    }
}

fn is_snake(s: &str) -> bool {
    !s.is_empty()
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && !s.contains("__")
        && !s.ends_with('_')
}

impl<'a> Cx<'a> {
    fn push(&mut self, d: Diagnostic) {
        self.errs.push(d);
    }

    fn document(&mut self) {
        let doc = &self.spec.document;
        let mut seen = BTreeSet::new();
        for (i, r) in doc.value.revisions.iter().enumerate() {
            if !seen.insert(r.version.as_str()) {
                self.push(doc.at(
                    &format!("revisions[{i}].version"),
                    format!("revision `{}` is listed twice", r.version),
                ));
            }
        }
        if !seen.contains(doc.value.version.as_str()) {
            self.push(doc.at(
                "version",
                format!(
                    "version `{}` has no entry under `revisions`",
                    doc.value.version
                ),
            ));
        }
    }

    fn revision_known(&self, v: &str) -> bool {
        self.spec.gaps.document
            || self
                .spec
                .document
                .value
                .revisions
                .iter()
                .any(|r| r.version == v)
    }

    fn params(&mut self) {
        let mut first: BTreeMap<&str, &str> = BTreeMap::new();
        for file in &self.spec.params {
            for (key, def) in &file.value {
                if let Some(other) = first.insert(key, &file.file) {
                    self.push(file.at_key(
                        key,
                        format!("parameter `{key}` is already defined in {other}"),
                    ));
                    continue;
                }
                self.params.insert(key, def);
                self.param_def(file, key, def);
            }
        }
    }

    fn param_def(&mut self, file: &Sourced<BTreeMap<String, ParamDef>>, key: &str, def: &ParamDef) {
        let mut errs = Vec::new();
        if !is_snake(key) {
            errs.push(file.at_key(key, format!("parameter key `{key}` must be snake_case")));
        }
        let p = |f: &str| format!("{key}.{f}");
        if def.range.is_some() && def.ty != ParamType::Int {
            errs.push(file.at(&p("range"), "`range` applies to `type: int` only"));
        }
        if let Some(r) = &def.range {
            if r.is_empty() {
                errs.push(file.at(&p("range"), "`range` needs at least one interval"));
            }
            for (i, [lo, hi]) in r.iter().enumerate() {
                if lo > hi {
                    errs.push(file.at(
                        &format!("{key}.range[{i}]"),
                        format!("interval [{lo}, {hi}] is empty: its start is above its end"),
                    ));
                }
                if i > 0 && *lo <= r[i - 1][1] {
                    errs.push(file.at(
                        &format!("{key}.range[{i}]"),
                        "intervals must be in increasing order without overlap",
                    ));
                }
            }
        }
        match (&def.values, def.ty) {
            (Some(_), t) if t != ParamType::Enum => {
                errs.push(file.at(&p("values"), "`values` applies to `type: enum` only"))
            }
            (None, ParamType::Enum) => {
                errs.push(file.at(key, format!("enum `{key}` has no `values`")))
            }
            (Some(vals), _) => {
                if vals.is_empty() {
                    errs.push(file.at(&p("values"), format!("enum `{key}` has no values")));
                }
                let ints = vals
                    .iter()
                    .filter(|v| matches!(v.value, Scalar::Int(_)))
                    .count();
                if ints != 0 && ints != vals.len() {
                    errs.push(file.at(
                        &p("values"),
                        "enum values must be all integers or all keywords",
                    ));
                }
                let (mut vs, mut ns) = (BTreeSet::new(), BTreeSet::new());
                for (i, v) in vals.iter().enumerate() {
                    if !vs.insert(&v.value) {
                        errs.push(file.at(
                            &format!("{key}.values[{i}].value"),
                            format!("value {} appears twice in enum `{key}`", v.value),
                        ));
                    }
                    if !ns.insert(&v.name) {
                        errs.push(file.at(
                            &format!("{key}.values[{i}].name"),
                            format!("name `{}` appears twice in enum `{key}`", v.name),
                        ));
                    }
                    if !is_snake(&v.name) {
                        errs.push(file.at(
                            &format!("{key}.values[{i}].name"),
                            format!("value name `{}` must be snake_case", v.name),
                        ));
                    }
                }
            }
            _ => {}
        }
        if def.max_len.is_some() && !matches!(def.ty, ParamType::String | ParamType::Hex) {
            errs.push(file.at(
                &p("max_len"),
                "`max_len` applies to strings and hex strings only",
            ));
        }
        if def.quoted.is_some()
            && !matches!(def.ty, ParamType::String | ParamType::Hex | ParamType::Enum)
        {
            errs.push(file.at(
                &p("quoted"),
                "`quoted` applies to strings and keyword enums only",
            ));
        }
        if let Some(d) = &def.default {
            if let Err(e) = check_scalar(def, d) {
                errs.push(file.at(&p("default"), format!("default of `{key}`: {e}")));
            }
        }
        self.errs.extend(errs);
    }

    /// Checks a parameter use and returns its definition when the reference resolves.
    fn param_use<T>(
        &mut self,
        src: &Sourced<T>,
        path: &str,
        u: &ParamUse,
        in_test: bool,
    ) -> Option<&'a ParamDef> {
        let Some(def) = self.params.get(u.param.as_str()).copied() else {
            if self.spec.gaps.params {
                return None;
            }
            self.push(src.at(
                path,
                format!(
                    "unknown parameter `{}`: it is not defined in params/*.yaml",
                    u.param
                ),
            ));
            return None;
        };
        if let Some(n) = &u.name {
            if !is_snake(n) {
                self.push(src.at(
                    &format!("{path}.name"),
                    format!("field name `{n}` must be snake_case"),
                ));
            }
        }
        for (what, v) in [("value", &u.value), ("default", &u.default)] {
            if let Some(v) = v {
                if let Err(e) = check_scalar(def, v) {
                    self.push(src.at(
                        &format!("{path}.{what}"),
                        format!("{what} of `{}`: {e}", u.field_name()),
                    ));
                }
            }
        }
        if u.shown.is_some() && !in_test {
            self.push(src.at(
                &format!("{path}.shown"),
                "`shown` belongs to test responses only",
            ));
        }
        Some(def)
    }

    fn fields<T>(
        &mut self,
        src: &Sourced<T>,
        path: &str,
        uses: &[ParamUse],
        in_test: bool,
    ) -> BTreeMap<String, &'a ParamDef> {
        let mut out = BTreeMap::new();
        let mut optional_seen = false;
        if uses.len() > MAX_FIELDS {
            self.push(src.at(path, format!(
                "{} fields: a line or form has at most {MAX_FIELDS} (their positions are bytes in the tables)",
                uses.len()
            )));
        }
        for (i, u) in uses.iter().enumerate() {
            let p = format!("{path}[{i}]");
            let def = self.param_use(src, &p, u, in_test);
            if u.omitted.is_some() && !u.optional {
                self.push(src.at(
                    &p,
                    "`omitted` says how an optional parameter is left out: add `optional: true`",
                ));
            }
            if u.keeps_place() {
                // An empty field is sent in its place: what follows keeps its position.
                if i + 1 == uses.len() {
                    self.push(src.at(&p, "`omitted: empty` keeps a place for what follows: the last parameter is simply left out"));
                }
            } else if u.optional {
                optional_seen = true;
            } else if optional_seen && u.value.is_none() {
                self.push(src.at(&p, format!("`{}` is required but follows an optional parameter: only trailing parameters can be left out", u.field_name())));
            }
            if let (Some(len), Some(def)) = (&u.length, def) {
                let earlier = uses[..i].iter().find(|e| e.field_name() == len);
                let ranged = earlier
                    .and_then(|e| self.params.get(e.param.as_str()))
                    .is_some_and(|d| d.ty == ParamType::Int && d.range.is_some());
                if !ranged {
                    self.push(src.at(&format!("{p}.length"), format!("`{len}` must be an earlier integer field with a `range` (it sizes the string's buffer)")));
                }
                self.length_position(src, &format!("{p}.length"), uses, len);
                let framable = def.ty == ParamType::Bytes
                    || def.ty == ParamType::String && values::is_quoted(def);
                if !framable || u.optional {
                    self.push(src.at(
                        &format!("{p}.length"),
                        "`length` frames a required quoted string (`type: string`) or raw bytes (`type: bytes`)",
                    ));
                }
            }
            if let Some(r) = u.repeat {
                self.repeat(src, &format!("{p}.repeat"), u, r, i + 1 == uses.len());
            }
            if let Some(def) = def {
                if out.insert(u.field_name().to_owned(), def).is_some() {
                    self.push(src.at(
                        &p,
                        format!(
                            "field `{}` appears twice; give one a different `name`",
                            u.field_name()
                        ),
                    ));
                }
            }
        }
        out
    }

    /// A time computed from settings: each an integer of params.yaml with a default, exactly
    /// one of them in a unit of time, the others counts.
    fn time_product<T>(&mut self, src: &Sourced<T>, path: &str, by: &[String]) {
        use crate::spec::Unit;
        let mut timed = 0;
        for (i, key) in by.iter().enumerate() {
            let at = format!("{path}[{i}]");
            let Some(def) = self.params.get(key.as_str()).copied() else {
                if !self.spec.gaps.params {
                    self.push(src.at(
                        &at,
                        format!("unknown setting `{key}`: it is not defined in params/*.yaml"),
                    ));
                }
                continue;
            };
            if def.ty != ParamType::Int || !matches!(def.default, Some(crate::spec::Scalar::Int(_)))
            {
                self.push(src.at(&at, format!("`{key}` must be an integer with a `default` (the time when the setting is not known)")));
            }
            match def.unit {
                Some(
                    Unit::Millisecond | Unit::HundredMilliseconds | Unit::Second | Unit::Minute,
                ) => timed += 1,
                None | Some(Unit::Times) => {}
                Some(_) => self.push(src.at(
                    &at,
                    format!("`{key}` is in bytes: a time is a duration times counts"),
                )),
            }
        }
        if timed != 1 {
            self.push(src.at(path, format!("exactly one setting must be a duration (`unit: ms`, `100ms`, `s` or `minute`), the others counts; {timed} are durations")));
        }
    }

    /// A write form's repeated group: after required parameters only, each of its parameters
    /// required and named apart from the form's, with bounds its list and wire indices hold.
    fn group<T>(
        &mut self,
        src: &Sourced<T>,
        path: &str,
        form: &Form,
        g: &crate::spec::ParamGroup,
        form_fields: &BTreeMap<String, &'a ParamDef>,
    ) {
        if form.kind != FormKind::Write {
            self.push(src.at(
                path,
                format!(
                    "a {} form takes no parameters, so no repeated group",
                    form.kind.as_str()
                ),
            ));
        }
        if let Some(u) = form.params.iter().find(|u| u.optional) {
            self.push(src.at(path, format!("the group repeats after the parameters, so none may be left out: `{}` is optional", u.field_name())));
        }
        if !is_snake(&g.name) {
            self.push(src.at(
                &format!("{path}.name"),
                format!("group name `{}` must be snake_case", g.name),
            ));
        }
        if form_fields.contains_key(&g.name) {
            self.push(src.at(
                &format!("{path}.name"),
                format!(
                    "`{}` is a parameter of this form already; name the group apart",
                    g.name
                ),
            ));
        }
        if g.params.is_empty() {
            self.push(src.at(
                &format!("{path}.params"),
                "a repeated group needs at least one parameter",
            ));
        }
        let own = self.fields(src, &format!("{path}.params"), &g.params, false);
        for (i, u) in g.params.iter().enumerate() {
            let at = format!("{path}.params[{i}]");
            if form_fields.contains_key(u.field_name()) {
                self.push(src.at(
                    &at,
                    format!(
                        "field `{}` is a parameter of the form too; give one a different `name`",
                        u.field_name()
                    ),
                ));
            }
            if u.optional
                || u.value.is_some()
                || u.repeat.is_some()
                || u.length.is_some()
                || u.shown.is_some()
            {
                self.push(src.at(&at, "a group's parameters are plain values: no `optional`, `value`, `repeat`, `length` or `shown`"));
            }
        }
        let before = form.params.len() + usize::from(form.selector.is_some());
        let wire = before + own.len().max(1) * g.max as usize;
        if g.max == 0 || g.min > g.max || wire > 255 {
            self.push(src.at(path, format!("the group needs 0 <= min <= max, max >= 1 and at most 255 fields on the line in all; it has min {}, max {} ({wire} fields)", g.min, g.max)));
        }
    }

    /// A repeated field: the last of its line, required, with bounds its list can hold.
    fn repeat<T>(
        &mut self,
        src: &Sourced<T>,
        path: &str,
        u: &ParamUse,
        r: crate::spec::Repeat,
        last: bool,
    ) {
        if !last {
            self.push(src.at(path, format!("`{}` repeats, so it must be the last field: its values take every field that follows", u.field_name())));
        }
        if u.optional || u.length.is_some() || u.value.is_some() || u.shown.is_some() {
            self.push(src.at(path, "a repeated field takes no `optional` (write `min: 0`), `length`, `value` or `shown`"));
        }
        if r.max == 0 || r.max > MAX_REPEAT || r.min > r.max {
            self.push(src.at(path, format!("`repeat` needs 0 <= min <= max and 1 <= max <= {MAX_REPEAT}; it has min {} and max {}", r.min, r.max)));
        }
    }

    fn conditions<T>(
        &mut self,
        src: &Sourced<T>,
        path: &str,
        conds: &Conditions,
        fields: &BTreeMap<String, &'a ParamDef>,
        settings_too: bool,
    ) {
        for (name, c) in conds {
            let p = format!("{path}.{name}");
            let def = fields.get(name).copied().or_else(|| {
                if settings_too {
                    self.params.get(name.as_str()).copied()
                } else {
                    None
                }
            });
            let Some(def) = def else {
                if self.spec.gaps.params {
                    continue; // a parameter of the broken file, perhaps
                }
                let where_ = if settings_too {
                    "a field here or a parameter of params/*.yaml"
                } else {
                    "a parameter of this form"
                };
                self.push(src.at_key(&p, format!("`{name}` is not {where_}")));
                continue;
            };
            self.constraint(src, &p, name, c, def);
        }
    }

    fn constraint<T>(
        &mut self,
        src: &Sourced<T>,
        path: &str,
        name: &str,
        c: &Constraint,
        def: &ParamDef,
    ) {
        let given = [
            c.present.is_some(),
            c.one_of.is_some(),
            c.range.is_some(),
            c.min_len.is_some(),
        ];
        if given.iter().filter(|g| **g).count() != 1 {
            self.push(src.at(path, format!("the constraint on `{name}` needs exactly one of `present`, `one_of`, `range`, `min_len`")));
        }
        if let Some(names) = &c.one_of {
            if def.ty != ParamType::Enum {
                self.push(src.at(
                    &format!("{path}.one_of"),
                    format!("`one_of` needs an enum, and `{name}` is {:?}", def.ty).to_lowercase(),
                ));
            } else {
                let known: Vec<&str> = def
                    .values
                    .iter()
                    .flatten()
                    .map(|v| v.name.as_str())
                    .collect();
                for (i, n) in names.iter().enumerate() {
                    if !known.contains(&n.as_str()) {
                        self.push(src.at(
                            &format!("{path}.one_of[{i}]"),
                            format!(
                                "`{n}` is not a value of `{name}` (values: {})",
                                known.join(", ")
                            ),
                        ));
                    }
                }
            }
        }
        if let Some(r) = &c.range {
            if def.ty != ParamType::Int {
                self.push(src.at(
                    &format!("{path}.range"),
                    format!("`range` needs an integer, and `{name}` is not one"),
                ));
            } else if let Some(full) = &def.range {
                for [lo, hi] in r {
                    if !values::in_ranges(full, *lo) || !values::in_ranges(full, *hi) {
                        self.push(src.at(
                            &format!("{path}.range"),
                            format!(
                                "[{lo}, {hi}] reaches outside the range of `{name}` ({})",
                                describe_ranges(full)
                            ),
                        ));
                    }
                }
            }
        }
        if c.min_len.is_some() && !matches!(def.ty, ParamType::String | ParamType::Hex) {
            self.push(src.at(
                &format!("{path}.min_len"),
                format!("`min_len` needs a string, and `{name}` is not one"),
            ));
        }
    }

    fn urcs(&mut self) -> BTreeSet<String> {
        let src = &self.spec.urcs;
        let mut names = BTreeSet::new();
        for (i, u) in src.value.urcs.iter().enumerate() {
            let p = format!("urcs[{i}]");
            if !is_snake(&u.name) {
                self.push(src.at(
                    &format!("{p}.name"),
                    format!("URC name `{}` must be snake_case", u.name),
                ));
            }
            if !names.insert(u.name.clone()) {
                self.push(src.at(
                    &format!("{p}.name"),
                    format!("URC `{}` is defined twice", u.name),
                ));
            }
            if !prefix_ok(&u.prefix) {
                self.push(src.at(
                    &format!("{p}.prefix"),
                    format!(
                        "prefix `{}` must be `+` and a name, or a word of letters (`RDY`)",
                        u.prefix
                    ),
                ));
            }
            // A keyword is a first field: beside keyword variants, a variant without one could
            // be taken for them (and they for it).
            if u.keyword.is_none() {
                if let Some(k) = src
                    .value
                    .urcs
                    .iter()
                    .find(|k| k.prefix == u.prefix && k.keyword.is_some())
                {
                    self.push(src.at(&p, format!(
                        "URC `{}` has no `keyword` but `{}` of the same prefix {} has one: give every variant of a prefix a keyword, or none",
                        u.name, k.name, u.prefix
                    )));
                }
            }
            let fields = self.fields(src, &format!("{p}.fields"), &u.fields, false);
            if let Some(d) = &u.data {
                self.data_block(src, &format!("{p}.data"), d, &u.fields, &fields);
            }
            if let Some(w) = &u.when {
                self.conditions(src, &format!("{p}.when"), w, &fields, true);
            }
            if let Some(per) = &u.per {
                let at = format!("{p}.per");
                if !fields.get(per).is_some_and(|d| d.ty == ParamType::Int) {
                    self.push(src.at(&at, format!("`{per}` must be an integer field of this URC: the index of the instance whose settings `when` reads")));
                }
                let read = u
                    .when
                    .iter()
                    .flatten()
                    .any(|(k, _)| !fields.contains_key(k));
                if !read {
                    self.push(src.at(&at, "`per` says whose settings `when` reads: give `when` a setting of params/*.yaml"));
                }
            }
        }
        names
    }

    /// A length field is read by the runtime's table interpreter, which keeps the numbers of
    /// a line's first `MAX_LENGTH_POSITION` fields (`tables::MAX_LENGTH_POSITION`).
    fn length_position<T>(&mut self, src: &Sourced<T>, path: &str, uses: &[ParamUse], len: &str) {
        if let Some(at) = uses.iter().position(|u| u.field_name() == len) {
            if at >= MAX_LENGTH_POSITION {
                self.push(src.at(path, format!(
                    "`{len}` is field {} of its line: a length must be one of the first {MAX_LENGTH_POSITION} fields",
                    at + 1
                )));
            }
        }
    }

    fn data_block<T>(
        &mut self,
        src: &Sourced<T>,
        path: &str,
        d: &DataBlock,
        uses: &[ParamUse],
        fields: &BTreeMap<String, &'a ParamDef>,
    ) {
        self.length_position(src, &format!("{path}.length"), uses, &d.length);
        match fields.get(&d.length) {
            Some(def) if def.ty == ParamType::Int && def.range.is_some() => {}
            Some(def) if def.ty == ParamType::Int => self.push(src.at(
                &format!("{path}.length"),
                format!(
                    "`{}` gives a payload length, so it needs a `range`: buffers are sized from its maximum",
                    d.length
                ),
            )),
            Some(_) => self.push(src.at(
                &format!("{path}.length"),
                format!(
                    "`{}` gives the data length, so it must be an integer",
                    d.length
                ),
            )),
            None if self.spec.gaps.params => {}
            None => self.push(src.at(
                &format!("{path}.length"),
                format!("the data length `{}` is not a field of this line", d.length),
            )),
        }
        for (k, v) in [
            ("separator_by", &d.separator_by),
            ("encoding_by", &d.encoding_by),
        ] {
            if let Some(v) = v {
                if !self.params.contains_key(v.as_str()) && !self.spec.gaps.params {
                    self.push(src.at(
                        &format!("{path}.{k}"),
                        format!("unknown setting `{v}`: it is not defined in params/*.yaml"),
                    ));
                }
            }
        }
    }

    /// The name as the syntax wants it, and the Rust name basic commands need.
    fn command_name(&mut self, src: &'a Sourced<Command>) {
        let cmd = &src.value;
        match cmd.syntax {
            Syntax::Extended => {
                if cmd.name.is_empty()
                    || !cmd
                        .name
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                {
                    self.push(src.at(
                        "name",
                        format!(
                            "command name `{}` must be upper case letters and digits, without `AT+`",
                            cmd.name
                        ),
                    ));
                }
                if cmd.ident.is_some() {
                    self.push(src.at(
                        "ident",
                        "an extended-syntax command is named after `name`: leave `ident` out",
                    ));
                }
            }
            Syntax::Basic => {
                let letter = cmd.name.strip_prefix('&').unwrap_or(&cmd.name);
                if !(letter.is_empty() && cmd.name.is_empty()
                    || letter.len() == 1 && letter.chars().all(|c| c.is_ascii_uppercase()))
                {
                    self.push(src.at(
                        "name",
                        format!(
                            "basic command name `{}` must be one upper case letter, `&` and one, or empty (`AT` itself)",
                            cmd.name
                        ),
                    ));
                }
                match &cmd.ident {
                    Some(i) if is_snake(i) => {}
                    Some(i) => self.push(src.at("ident", format!("ident `{i}` must be snake_case"))),
                    None => self.push(src.at(
                        "name",
                        "a basic-syntax command needs `ident:`, the snake_case name of its Rust module",
                    )),
                }
                for (i, f) in cmd.forms.iter().enumerate() {
                    let fields = f.params.iter().filter(|u| u.value.is_none()).count();
                    let shape_ok = match f.kind {
                        FormKind::Execute => true,
                        FormKind::Write => {
                            f.params.len() == 1 && fields == 1 && f.selector.is_none()
                        }
                        FormKind::Test | FormKind::Read => false,
                    };
                    if !shape_ok {
                        self.push(src.at(
                            &format!("forms[{i}].kind"),
                            "a basic-syntax command has `execute` forms and `write` forms of one parameter, without selector (V.250 5.3)",
                        ));
                    }
                }
            }
        }
    }

    fn command(
        &mut self,
        src: &'a Sourced<Command>,
        urcs: &BTreeSet<String>,
        names: &mut BTreeSet<String>,
    ) {
        let cmd = &src.value;
        self.command_name(src);
        if !names.insert(cmd.at_name()) {
            self.push(src.at(
                "name",
                format!(
                    "command `{}` is defined in more than one file",
                    cmd.at_name()
                ),
            ));
        }
        let expected = format!("{}.yaml", cmd.key().to_ascii_lowercase());
        if !src.file.ends_with(&expected) {
            self.push(src.at(
                "name",
                format!(
                    "command `{}` belongs in a file named {expected}",
                    cmd.at_name()
                ),
            ));
        }
        if cmd.forms.is_empty() {
            self.push(src.at("forms", format!("command `{}` has no forms", cmd.name)));
        }
        for (i, code) in cmd.errors.iter().flatten().enumerate() {
            let listed = self
                .spec
                .errors
                .value
                .errors
                .iter()
                .any(|e| e.code == *code);
            if !listed && !self.spec.gaps.errors {
                self.push(src.at(
                    &format!("errors[{i}]"),
                    format!("error code {code} is not in errors.yaml"),
                ));
            }
        }
        let mut counts = BTreeSet::new();
        for (i, b) in cmd.behaviour.iter().enumerate() {
            let Some(c) = &b.count else { continue };
            let p = format!("behaviour[{i}].count.name");
            if !is_snake(&c.name) {
                self.push(src.at(&p, format!("count name `{}` must be snake_case", c.name)));
            } else if !counts.insert(c.name.as_str()) {
                self.push(src.at(&p, format!("count `{}` is given twice", c.name)));
            }
        }
        let mut form_names = BTreeSet::new();
        for (i, form) in cmd.forms.iter().enumerate() {
            let p = format!("forms[{i}]");
            if !is_snake(&form.name) {
                self.push(src.at(
                    &format!("{p}.name"),
                    format!("form name `{}` must be snake_case", form.name),
                ));
            }
            if !form_names.insert((form.selector.clone(), form.name.clone())) {
                let sel = form
                    .selector
                    .as_ref()
                    .map(|s| format!(" for selector \"{s}\""))
                    .unwrap_or_default();
                self.push(src.at(
                    &format!("{p}.name"),
                    format!("form `{}`{sel} is defined twice in {}", form.name, cmd.name),
                ));
            }
            self.form(src, &p, form, urcs);
        }
    }

    fn form(
        &mut self,
        src: &'a Sourced<Command>,
        p: &str,
        form: &'a Form,
        urcs: &BTreeSet<String>,
    ) {
        if let Some(v) = &form.since {
            if !self.revision_known(v) {
                self.push(src.at(
                    &format!("{p}.since"),
                    format!("`since: {v}` names no revision of document.yaml"),
                ));
            }
        }
        if form.kind != FormKind::Write && (!form.params.is_empty() || form.selector.is_some()) {
            self.push(src.at(
                &format!("{p}.params"),
                format!(
                    "a {} form takes no parameters or selector",
                    form.kind.as_str()
                ),
            ));
        }
        let in_test = form.kind == FormKind::Test;
        let fields = self.fields(src, &format!("{p}.params"), &form.params, false);
        if let Some(g) = &form.repeat {
            self.group(src, &format!("{p}.repeat"), form, g, &fields);
        }
        for (i, u) in form.params.iter().enumerate() {
            if u.repeat.is_some() {
                self.push(src.at(
                    &format!("{p}.params[{i}].repeat"),
                    "`repeat` is for the last field of a response line or URC; a request takes one value per parameter",
                ));
            }
            if u.length.is_some() {
                self.push(src.at(
                    &format!("{p}.params[{i}].length"),
                    "`length` frames a string of a response line or URC; a request's strings are checked by `max_len`",
                ));
            }
        }
        for (i, r) in form.rules.iter().enumerate() {
            let rp = format!("{p}.rules[{i}]");
            match (&r.then, &r.together) {
                (Some(_), None) | (None, Some(_)) => {}
                _ => self.push(src.at(&rp, "a rule needs exactly one of `then` or `together`")),
            }
            if r.together.is_some() && r.when.is_some() {
                self.push(src.at(&format!("{rp}.if"), "a `together` rule takes no `if`"));
            }
            if let Some(w) = &r.when {
                self.conditions(src, &format!("{rp}.if"), w, &fields, false);
            }
            if let Some(t) = &r.then {
                self.conditions(src, &format!("{rp}.then"), t, &fields, false);
            }
            for (j, n) in r.together.iter().flatten().enumerate() {
                let opt = form
                    .params
                    .iter()
                    .find(|u| u.field_name() == n)
                    .map(|u| u.optional);
                match opt {
                    None => self.push(src.at(
                        &format!("{rp}.together[{j}]"),
                        format!("`{n}` is not a parameter of this form"),
                    )),
                    Some(false) => self.push(src.at(
                        &format!("{rp}.together[{j}]"),
                        format!("`{n}` is required anyway; `together` groups optional parameters"),
                    )),
                    Some(true) => {}
                }
            }
        }
        let resp = &form.response;
        for (i, line) in resp.lines.iter().enumerate() {
            let lp = format!("{p}.response.lines[{i}]");
            if let Some(pre) = line.prefix.as_deref().filter(|p| p.is_empty()) {
                // A line of text alone: one bare text field and nothing else.
                let text_alone = line.selector.is_none()
                    && line.data.is_none()
                    && matches!(line.fields.as_slice(), [u] if self.params.get(u.param.as_str()).is_some_and(|d| d.ty == ParamType::String && !values::is_quoted(d)));
                if !text_alone {
                    self.push(src.at(
                        &format!("{lp}.prefix"),
                        format!("a line without prefix (`{pre}`) holds one unquoted string field and nothing else"),
                    ));
                }
            } else if let Some(pre) = &line.prefix {
                if !prefix_ok(pre) {
                    self.push(src.at(
                        &format!("{lp}.prefix"),
                        format!("prefix `{pre}` must be `+` and a name, a word of letters (`Revision`), or empty"),
                    ));
                }
            }
            let lf = self.fields(src, &format!("{lp}.fields"), &line.fields, in_test);
            if let Some(d) = &line.data {
                self.data_block(src, &format!("{lp}.data"), d, &line.fields, &lf);
            }
            if line.repeat == Some(0) {
                self.push(src.at(
                    &format!("{lp}.repeat"),
                    "`repeat` is the most lines there can be: at least 1",
                ));
            }
        }
        if let Some(pr) = &resp.prompt {
            let pp = format!("{p}.response.prompt");
            match (&pr.length, pr.ctrl_z) {
                (Some(l), false) => match fields.get(l) {
                    Some(def) if def.ty == ParamType::Int => {}
                    None if self.spec.gaps.params => {}
                    _ => self.push(src.at(
                        &format!("{pp}.length"),
                        format!(
                            "the payload length `{l}` is not an integer parameter of this form"
                        ),
                    )),
                },
                (None, true) => {}
                _ => self.push(src.at(
                    &pp,
                    "a prompt needs exactly one of `length` or `ctrl_z: true`",
                )),
            }
            if let Some(v) = &pr.encoding_by {
                if !self.params.contains_key(v.as_str()) && !self.spec.gaps.params {
                    self.push(src.at(
                        &format!("{pp}.encoding_by"),
                        format!("unknown setting `{v}`: it is not defined in params/*.yaml"),
                    ));
                }
            }
        }
        if resp.outcomes.is_empty() {
            self.push(src.at(
                &format!("{p}.response.outcomes"),
                "a response needs at least one outcome",
            ));
        }
        for (i, o) in resp.outcomes.iter().enumerate() {
            let op = format!("{p}.response.outcomes[{i}]");
            if o.finals.is_empty() {
                self.push(src.at(
                    &format!("{op}.final"),
                    "an outcome needs at least one final result",
                ));
            }
            if let Some(w) = &o.when {
                self.conditions(src, &format!("{op}.if"), w, &fields, false);
            } else if i + 1 != resp.outcomes.len() {
                self.push(src.at(
                    &op,
                    "only the last outcome may go without `if`: later ones could never apply",
                ));
            }
            if i + 1 == resp.outcomes.len() && o.when.is_some() {
                self.push(src.at(
                    &op,
                    "the last outcome needs no `if`: it is what happens otherwise",
                ));
            }
            if o.later_within.is_some() && o.later.is_empty() {
                self.push(src.at(
                    &format!("{op}.later_within"),
                    "`later_within` is the time of a later result: give `later` too",
                ));
            }
            if let Some(by) = &o.later_within_by {
                let at = format!("{op}.later_within_by");
                if o.later.is_empty() {
                    self.push(src.at(
                        &at,
                        "`later_within_by` is the time of a later result: give `later` too",
                    ));
                }
                if o.later_within.is_some() {
                    self.push(src.at(&at, "give `later_within` or `later_within_by`, not both"));
                }
                self.time_product(src, &at, by);
            }
            for (j, l) in o.later.iter().enumerate() {
                if !urcs.contains(l) && !self.spec.gaps.urcs {
                    self.push(src.at(
                        &format!("{op}.later[{j}]"),
                        format!("`{l}` is not a URC of urcs.yaml"),
                    ));
                }
            }
        }
        if let Some(by) = &form.max_response_time_by {
            let at = format!("{p}.max_response_time_by");
            if form.max_response_time.is_some() || form.max_response_time_param.is_some() {
                self.push(src.at(&at, "give one of `max_response_time`, `max_response_time_param`, `max_response_time_by`"));
            }
            self.time_product(src, &at, by);
        }
        if let Some(t) = &form.max_response_time_param {
            match fields.get(t) {
                Some(def) if def.ty == ParamType::Int => {}
                None if self.spec.gaps.params => {}
                _ => self.push(src.at(
                    &format!("{p}.max_response_time_param"),
                    format!("`{t}` is not an integer parameter of this form"),
                )),
            }
            if form.max_response_time.is_some() {
                self.push(src.at(
                    &format!("{p}.max_response_time"),
                    "give `max_response_time` or `max_response_time_param`, not both",
                ));
            }
        }
    }

    fn errors(&mut self) {
        let src = &self.spec.errors;
        let (mut codes, mut names) = (BTreeSet::new(), BTreeSet::new());
        for (i, e) in src.value.errors.iter().enumerate() {
            if !codes.insert(e.code) {
                self.push(src.at(
                    &format!("errors[{i}].code"),
                    format!("error code {} is listed twice", e.code),
                ));
            }
            if !names.insert(&e.name) {
                self.push(src.at(
                    &format!("errors[{i}].name"),
                    format!("error name `{}` is used twice", e.name),
                ));
            }
            if !is_snake(&e.name) {
                self.push(src.at(
                    &format!("errors[{i}].name"),
                    format!("error name `{}` must be snake_case", e.name),
                ));
            }
        }
    }

    fn errata(&mut self) {
        let mut seen: BTreeMap<String, String> = BTreeMap::new();
        let mut all: Vec<Diagnostic> = Vec::new();
        let mut visit = |file: &str, list: &[Erratum], at: &dyn Fn(&str) -> Diagnostic| {
            for (i, e) in list.iter().enumerate() {
                if let Some(prev) = seen.insert(e.id.clone(), file.to_owned()) {
                    let mut d = at(&format!("errata[{i}].id"));
                    d.message = format!("erratum `{}` is already recorded in {prev}", e.id);
                    all.push(d);
                }
            }
        };
        let s = self.spec;
        visit(&s.errata.file, &s.errata.value.errata, &|p| {
            s.errata.at(p, "")
        });
        visit(&s.urcs.file, &s.urcs.value.errata, &|p| s.urcs.at(p, ""));
        for c in &s.commands {
            visit(&c.file, &c.value.errata, &|p| c.at(p, ""));
        }
        for t in &s.transcripts {
            visit(&t.file, &t.value.errata, &|p| t.at(p, ""));
        }
        self.errs.extend(all);
        self.erratum_references(&seen);
    }

    /// A text that says "erratum <id>" names an erratum that exists: the reference is how a
    /// reader finds the decision, so a stale one is an error.
    fn erratum_references(&mut self, ids: &BTreeMap<String, String>) {
        for path in &self.spec.files {
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            for (line_no, line) in text.lines().enumerate() {
                let mut rest = line;
                let mut col = 0;
                while let Some(at) = rest.find("erratum ") {
                    let start = at + "erratum ".len();
                    let id: String = rest[start..]
                        .chars()
                        .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')
                        .collect();
                    // Only ids (words joined by hyphens) are references; "the erratum says" is prose.
                    if id.contains('-') && !ids.contains_key(id.trim_end_matches('-')) {
                        self.errs.push(Diagnostic {
                            file: path.display().to_string(),
                            pos: Pos {
                                line: line_no + 1,
                                col: col + start + 1,
                            },
                            message: format!("no erratum `{id}` is recorded (errata ids are unique across the spec)"),
                        });
                    }
                    col += start;
                    rest = &rest[start..];
                }
            }
        }
    }
}

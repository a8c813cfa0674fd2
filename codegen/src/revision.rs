//! Views of the spec: the spec as an earlier revision of the document had it (`since:` markers),
//! the spec for one module (a profile: `modules:` and `by_module:`), and the spec without the
//! `group:`s a build leaves out. All are computed from the same files, so nothing is copied
//! when Quectel publishes a new revision.
//!
//! A view is taken of a checked spec, and the checker then validates the view as a spec of its
//! own (a transcript that uses a form the view lacks is reported, for example).

use crate::spec::*;
use std::collections::BTreeSet;

/// Which view of the spec to take: a revision, a module profile, or both.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct View {
    /// A version listed under `revisions:` in document.yaml; `None` is the spec as written.
    pub revision: Option<String>,
    /// A `profile:` id of a module in document.yaml; `None` is the document's general case.
    pub profile: Option<String>,
    /// The `groups:` of document.yaml to keep; commands and URCs of any other group are left
    /// out. `None` keeps every group.
    pub groups: Option<BTreeSet<String>>,
}

impl View {
    /// Splits a command-line operand `DIR[@REVISION][+PROFILE]` (`spec@1.0`, `spec+eg800q`).
    pub fn parse(arg: &str) -> (std::path::PathBuf, View) {
        let (rest, profile) = match arg.rsplit_once('+') {
            Some((d, p)) if !p.is_empty() && !p.contains(['/', '\\']) => (d, Some(p.to_owned())),
            _ => (arg, None),
        };
        let (dir, revision) = match rest.rsplit_once('@') {
            Some((d, r)) if !r.is_empty() && !r.contains(['/', '\\']) => (d, Some(r.to_owned())),
            _ => (rest, None),
        };
        (
            dir.into(),
            View {
                revision,
                profile,
                groups: None,
            },
        )
    }

    /// Applies the view to a loaded spec.
    pub fn apply(&self, spec: Spec) -> Result<Spec, Diagnostic> {
        let spec = match &self.revision {
            Some(r) => at_revision(spec, r)?,
            None => spec,
        };
        let spec = match &self.profile {
            Some(p) => for_profile(spec, p)?,
            None => spec,
        };
        match &self.groups {
            Some(g) => with_groups(spec, g),
            None => Ok(spec),
        }
    }
}

/// The names a view could have asked for, for its error: `a, b`, or `none`.
fn known_list(known: &[&str]) -> String {
    if known.is_empty() {
        "none".to_owned()
    } else {
        known.join(", ")
    }
}

/// The spec with only the groups in `keep`: commands, URCs and example sessions of any other
/// group are left out, and the parameter types only they used go with them.
pub fn with_groups(mut spec: Spec, keep: &BTreeSet<String>) -> Result<Spec, Diagnostic> {
    let declared: BTreeSet<&str> = spec
        .document
        .value
        .groups
        .iter()
        .map(|g| g.name.as_str())
        .collect();
    if let Some(unknown) = keep.iter().find(|g| !declared.contains(g.as_str())) {
        let known: Vec<&str> = declared.iter().copied().collect();
        return Err(spec.document.at(
            "groups",
            format!(
                "no group `{unknown}` in document.yaml (known: {})",
                known_list(&known)
            ),
        ));
    }
    let kept = |g: &Option<String>| g.as_ref().is_none_or(|g| keep.contains(g));
    let before = spec.clone();
    spec.commands.retain(|c| kept(&c.value.group));
    for c in &mut spec.commands {
        c.value.examples.retain(|t| kept(&t.group));
    }
    for f in &mut spec.transcripts {
        f.value.transcripts.retain(|t| kept(&t.group));
    }
    spec.urcs.value.urcs.retain(|u| kept(&u.group));
    prune_params(&before, &mut spec);
    Ok(spec)
}

/// Whether an item marked `since` (added) and `until` (removed) belongs to the revision at
/// position `upto` of the list.
fn present(
    revisions: &[Revision],
    since: &Option<String>,
    until: &Option<String>,
    upto: usize,
) -> bool {
    // An unknown revision is the checker's to report; keep the item so that it can.
    let pos = |v: &String| revisions.iter().position(|r| &r.version == v);
    since.as_ref().and_then(pos).is_none_or(|i| i <= upto)
        && until.as_ref().and_then(pos).is_none_or(|i| upto < i)
}

/// Whether any item is marked `until`: the spec as written then differs from its latest
/// revision's view, which leaves those items out.
pub fn has_removals(spec: &Spec) -> bool {
    spec.commands.iter().any(|c| {
        let c = &c.value;
        c.until.is_some()
            || c.examples.iter().any(|t| t.until.is_some())
            || c.forms
                .iter()
                .any(|f| f.until.is_some() || f.response.lines.iter().any(|l| l.until.is_some()))
    }) || spec.urcs.value.urcs.iter().any(|u| u.until.is_some())
        || spec.errors.value.errors.iter().any(|e| e.until.is_some())
        || spec
            .transcripts
            .iter()
            .any(|f| f.value.transcripts.iter().any(|t| t.until.is_some()))
        || spec.params.iter().any(|f| {
            f.value
                .values()
                .any(|d| d.values.iter().flatten().any(|v| v.until.is_some()))
        })
}

/// The spec as revision `version` of the document had it: everything marked `since` a later
/// revision is left out, and parameter types only those items used go with them.
pub fn at_revision(mut spec: Spec, version: &str) -> Result<Spec, Diagnostic> {
    let revs = spec.document.value.revisions.clone();
    let Some(upto) = revs.iter().position(|r| r.version == version) else {
        let known: Vec<&str> = revs.iter().map(|r| r.version.as_str()).collect();
        return Err(spec.document.at(
            "revisions",
            format!(
                "no revision `{version}` in document.yaml (known: {})",
                known.join(", ")
            ),
        ));
    };
    let keep = |s: &Option<String>, u: &Option<String>| present(&revs, s, u, upto);
    let before = spec.clone();
    for cmd in &mut spec.commands {
        let c = &mut cmd.value;
        c.forms.retain(|f| keep(&f.since, &f.until));
        for f in &mut c.forms {
            f.response.lines.retain(|l| keep(&l.since, &l.until));
        }
        c.examples.retain(|t| keep(&t.since, &t.until));
    }
    spec.commands
        .retain(|c| keep(&c.value.since, &c.value.until) && !c.value.forms.is_empty());
    spec.urcs.value.urcs.retain(|u| keep(&u.since, &u.until));
    spec.errors
        .value
        .errors
        .retain(|e| keep(&e.since, &e.until));
    for file in &mut spec.transcripts {
        file.value.transcripts.retain(|t| keep(&t.since, &t.until));
    }
    for file in &mut spec.params {
        for def in file.value.values_mut() {
            if let Some(values) = &mut def.values {
                values.retain(|v| keep(&v.since, &v.until));
                let names: BTreeSet<String> = values.iter().map(|v| v.name.clone()).collect();
                for o in def.by_module.values_mut() {
                    o.without_values.retain(|n| names.contains(n));
                }
            }
        }
    }
    clear_until(&mut spec);
    let doc = &mut spec.document.value;
    doc.version = version.to_owned();
    doc.date = revs[upto].date.clone();
    doc.revisions.truncate(upto + 1);
    prune_params(&before, &mut spec);
    Ok(spec)
}

/// The spec for one module: commands and forms whose `modules:` leave it out are dropped, and
/// its `by_module:` differences replace the general values.
pub fn for_profile(mut spec: Spec, profile: &str) -> Result<Spec, Diagnostic> {
    if profile.contains('+') {
        return Err(spec.document.at(
            "modules",
            format!(
                "several profiles selected ({}): enable one module's cargo feature at most",
                profile.replace('+', ", ")
            ),
        ));
    }
    let modules = &spec.document.value.modules;
    if !modules
        .iter()
        .any(|m| m.profile.as_deref() == Some(profile))
    {
        let known: Vec<&str> = modules
            .iter()
            .filter_map(|m| m.profile.as_deref())
            .collect();
        return Err(spec.document.at(
            "modules",
            format!(
                "no module with `profile: {profile}` in document.yaml (known: {})",
                known_list(&known)
            ),
        ));
    }
    let has = |m: &Option<Vec<String>>| m.as_ref().is_none_or(|l| l.iter().any(|x| x == profile));
    let before = spec.clone();
    for cmd in &mut spec.commands {
        cmd.value.forms.retain(|f| has(&f.modules));
        // Resolved: the view is one module's spec.
        cmd.value.modules = None;
        for f in &mut cmd.value.forms {
            f.modules = None;
        }
    }
    spec.commands
        .retain(|c| has(&before_modules(&before, &c.value.name)) && !c.value.forms.is_empty());
    for file in &mut spec.params {
        for def in file.value.values_mut() {
            let Some(o) = std::mem::take(&mut def.by_module).remove(profile) else {
                continue;
            };
            if o.range.is_some() {
                def.range = o.range;
            }
            if o.default.is_some() {
                def.default = o.default;
            }
            if o.max_len.is_some() {
                def.max_len = o.max_len;
            }
            if let Some(values) = &mut def.values {
                values.retain(|v| !o.without_values.contains(&v.name));
            }
        }
    }
    spec.document
        .value
        .modules
        .retain(|m| m.profile.as_deref() == Some(profile));
    prune_params(&before, &mut spec);
    Ok(spec)
}

/// The `modules:` of a command as written.
fn before_modules(spec: &Spec, name: &str) -> Option<Vec<String>> {
    spec.commands
        .iter()
        .find(|c| c.value.name == name)
        .and_then(|c| c.value.modules.clone())
}

/// Removes the parameter types that items of `before` referred to and nothing in `after` does.
fn prune_params(before: &Spec, after: &mut Spec) {
    let old = references(before);
    let now = references(after);
    for file in &mut after.params {
        file.value
            .retain(|k, _| !old.contains(k.as_str()) || now.contains(k.as_str()));
    }
}

/// Every name that may refer to a parameter type: parameters, fields, settings in conditions,
/// data blocks and prompts, and the indexes of per-instance settings. Over-approximates (a field name counts too), which only keeps more.
pub(crate) fn references(spec: &Spec) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let uses = |us: &[ParamUse], out: &mut BTreeSet<String>| {
        for u in us {
            out.insert(u.param.clone());
        }
    };
    let conds = |c: &Option<Conditions>, out: &mut BTreeSet<String>| {
        out.extend(c.iter().flat_map(|c| c.keys().cloned()));
    };
    let data = |d: &Option<DataBlock>, out: &mut BTreeSet<String>| {
        if let Some(d) = d {
            out.extend(d.separator_by.iter().chain(&d.encoding_by).cloned());
        }
    };
    for cmd in &spec.commands {
        for f in &cmd.value.forms {
            uses(&f.params, &mut out);
            if let Some(g) = &f.repeat {
                uses(&g.params, &mut out);
            }
            for r in &f.rules {
                conds(&r.when, &mut out);
            }
            for l in &f.response.lines {
                uses(&l.fields, &mut out);
                data(&l.data, &mut out);
            }
            for o in &f.response.outcomes {
                conds(&o.when, &mut out);
            }
            out.extend(f.response.prompt.iter().flat_map(|p| p.encoding_by.clone()));
        }
    }
    for u in &spec.urcs.value.urcs {
        uses(&u.fields, &mut out);
        data(&u.data, &mut out);
        conds(&u.when, &mut out);
    }
    // The index a per-instance setting is kept by.
    for file in &spec.params {
        out.extend(file.value.values().filter_map(|d| d.per.clone()));
    }
    out
}

/// Drops the `until` markers of what a revision's view kept: they name later revisions, which
/// the view no longer lists.
fn clear_until(spec: &mut Spec) {
    for cmd in &mut spec.commands {
        let c = &mut cmd.value;
        c.until = None;
        for f in &mut c.forms {
            f.until = None;
            for l in &mut f.response.lines {
                l.until = None;
            }
        }
        for t in &mut c.examples {
            t.until = None;
        }
    }
    for u in &mut spec.urcs.value.urcs {
        u.until = None;
    }
    for e in &mut spec.errors.value.errors {
        e.until = None;
    }
    for file in &mut spec.transcripts {
        for t in &mut file.value.transcripts {
            t.until = None;
        }
    }
    for file in &mut spec.params {
        for def in file.value.values_mut() {
            for v in def.values.iter_mut().flatten() {
                v.until = None;
            }
        }
    }
}

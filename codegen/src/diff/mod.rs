//! `qi-codegen diff`: what changed between two specs (or two views of one: `spec@1.0`,
//! `spec+eg800q`), compared on the loaded model, each change classified for the generated Rust
//! API under semver.
//!
//! The policy (also in docs/reference.md):
//! - *Breaking*: anything that makes code written against the old API stop compiling or
//!   silently mean something else: an item removed or renamed; a struct field added, removed
//!   or retyped (request and line structs are built with struct literals, so even a new
//!   optional trailing parameter breaks them); a range narrowed or a string bound lowered
//!   (accepted values become errors); a unit changed; a parameter type that needs a wider
//!   integer; a new rule; a response type that changes shape; numbered line types that shift.
//! - *Compatible*: new commands, forms, parameter types, URC variants, error codes and enum
//!   values (the generated enums are open sets that grow with the document: match them with a
//!   `_` arm); ranges widened; defaults, timeouts, constants sent on the wire, final results
//!   and URC conditions changed; a rule dropped.
//!
//! When the rules find nothing breaking, the public items of the code generated from both
//! specs are compared too ([`api`]); anything lost there is reported as breaking.

pub mod api;
mod commands;
mod params;
mod render;

use crate::ir::Model;
use serde::Serialize;
use std::io::Write;

pub use params::storage as int_storage;

/// Whether a change breaks code written against the old generated API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    Breaking,
    Compatible,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Added,
    Removed,
    Changed,
}

/// One change, as a maintainer reads it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Change {
    pub class: Class,
    pub kind: Kind,
    /// What changed, in the document's terms: `AT+QICFG="send/auto" set`, `<period>`.
    pub item: String,
    /// The generated Rust item it concerns (`qicfg::send_auto::Set`), where there is one.
    pub rust: String,
    /// The change itself: `range 0..=11 → 0..=5`.
    pub detail: String,
    /// Why it is classified so.
    pub why: String,
}

/// Every change between two specs.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The document versions compared.
    pub old_version: String,
    pub new_version: String,
    pub changes: Vec<Change>,
}

impl Report {
    pub fn breaking(&self) -> usize {
        self.count(Class::Breaking)
    }

    pub fn compatible(&self) -> usize {
        self.count(Class::Compatible)
    }

    fn count(&self, c: Class) -> usize {
        self.changes.iter().filter(|x| x.class == c).count()
    }

    /// The semver step the generated crate needs: `major`, `minor`, `patch` or `none`.
    pub fn semver(&self) -> &'static str {
        if self.breaking() > 0 {
            "major"
        } else if self.changes.iter().any(|c| c.kind == Kind::Added) {
            "minor"
        } else if self.changes.is_empty() {
            "none"
        } else {
            "patch"
        }
    }

    /// `12 changes: 0 breaking, 12 compatible (semver: minor)`.
    pub fn summary(&self) -> String {
        format!(
            "{} change{}: {} breaking, {} compatible (semver: {})",
            self.changes.len(),
            if self.changes.len() == 1 { "" } else { "s" },
            self.breaking(),
            self.compatible(),
            self.semver()
        )
    }

    /// One line per change, breaking ones first, then the summary.
    pub fn to_text(&self) -> String {
        render::text(self)
    }

    /// The report as JSON, with the summary counts.
    pub fn to_json(&self) -> String {
        render::json(self)
    }
}

/// Compares two checked models: the rules, then (when they find nothing breaking) the
/// generated APIs.
pub fn diff(old: &Model, new: &Model) -> Report {
    compare(old, new, true)
}

/// Like [`diff`], by the rules alone (faster: no code is generated).
pub fn diff_rules(old: &Model, new: &Model) -> Report {
    compare(old, new, false)
}

fn compare(old: &Model, new: &Model, net: bool) -> Report {
    let mut out = Out::default();
    params::compare(old, new, &mut out);
    commands::compare(old, new, &mut out);
    commands::compare_urcs(old, new, &mut out);
    commands::compare_errors(old, new, &mut out);
    document(old, new, &mut out);
    // The rules found nothing breaking: make sure the generated code agrees.
    if net && !out.0.iter().any(|c| c.class == Class::Breaking) {
        for (path, was, now) in api::lost(&api::facts(old), &api::facts(new)) {
            let (kind, detail) = match now {
                None => (Kind::Removed, format!("`{was}` removed")),
                Some(now) => (Kind::Changed, format!("`{was}` → `{now}`")),
            };
            out.push(
                Class::Breaking,
                kind,
                "generated API",
                path,
                detail,
                "found by comparing the generated code: no rule of the diff explains it",
            );
        }
    }
    let mut changes = out.0;
    changes.sort_by(|a, b| (a.class, &a.item, a.kind).cmp(&(b.class, &b.item, b.kind)));
    Report {
        old_version: old.spec.document.value.version.clone(),
        new_version: new.spec.document.value.version.clone(),
        changes,
    }
}

/// Collects changes.
#[derive(Default)]
pub(crate) struct Out(Vec<Change>);

impl Out {
    pub(crate) fn push(
        &mut self,
        class: Class,
        kind: Kind,
        item: impl Into<String>,
        rust: impl Into<String>,
        detail: impl Into<String>,
        why: impl Into<String>,
    ) {
        self.0.push(Change {
            class,
            kind,
            item: item.into(),
            rust: rust.into(),
            detail: detail.into(),
            why: why.into(),
        });
    }
}

fn document(old: &Model, new: &Model, out: &mut Out) {
    let (o, n) = (&old.spec.document.value, &new.spec.document.value);
    if o.unspecified_response_time != n.unspecified_response_time {
        out.push(
            Class::Compatible,
            Kind::Changed,
            "unspecified_response_time",
            "TIMEOUT_MS",
            format!(
                "{} ms → {} ms",
                o.unspecified_response_time.millis, n.unspecified_response_time.millis
            ),
            "timeouts are constants; their types do not change",
        );
    }
    if o.unspecified_string_len != n.unspecified_string_len {
        out.push(
            Class::Breaking,
            Kind::Changed,
            "unspecified_string_len",
            "heapless::String<N>",
            format!(
                "{} → {}",
                o.unspecified_string_len, n.unspecified_string_len
            ),
            "the capacity of unbounded strings in response lines and URCs is part of their type",
        );
    }
}

/// `qi-codegen diff OLD NEW [--json]`: exit 0 when nothing breaks, 1 when something does, 2
/// on bad usage or an invalid spec.
pub fn cli(old_arg: &str, new_arg: &str, json: bool) -> std::process::ExitCode {
    use std::process::ExitCode;
    let (Some(old), Some(new)) = (
        crate::cli::load_or_report(old_arg),
        crate::cli::load_or_report(new_arg),
    ) else {
        return ExitCode::from(2);
    };
    let report = diff(&old, &new);
    let text = if json {
        format!("{}\n", report.to_json())
    } else {
        format!("{old_arg} → {new_arg}\n{}", report.to_text())
    };
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = std::io::stdout().write_all(text.as_bytes());
    if report.breaking() > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

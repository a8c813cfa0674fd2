//! `qi-codegen`: turns the YAML description of Quectel's TCP/IP ("QI") AT commands into Rust.
//!
//! The pipeline is [`spec::load`] (serde types as authors write them) → [`check`] (every
//! semantic error at once, located) → [`ir`] (resolved model) → `emit` (one function per item
//! kind).

pub mod check;
mod cli;
pub mod conformance;
pub mod coverage;
pub mod diff;
pub mod doc;
pub mod emit;
pub mod fuzzing;
pub mod ir;
pub mod naming;
pub mod revision;
pub mod spec;
pub mod testgen;
pub mod wording;

use std::path::Path;

/// Loads the spec directory and checks it; all problems come back together: those of files
/// that do not read beside those of the meaning of the files that do.
pub fn load_and_check(dir: &Path) -> Result<ir::Model, Vec<spec::Diagnostic>> {
    let spec = latest(checked(dir)?)?;
    Ok(ir::Model::new(spec))
}

/// Like [`load_and_check`], for a spec in memory (see [`spec::load_in_memory`]).
pub fn load_and_check_in_memory(
    files: &std::collections::BTreeMap<String, String>,
) -> Result<ir::Model, Vec<spec::Diagnostic>> {
    let spec = latest(checked_spec(spec::load_partial_in_memory(files))?)?;
    Ok(ir::Model::new(spec))
}

/// Like [`load_and_check_in_memory`], taking files parsed before from `parsed` (see
/// [`spec::ParsedFiles`]).
pub fn load_and_check_in_memory_cached(
    files: &std::collections::BTreeMap<String, String>,
    parsed: &spec::ParsedFiles,
) -> Result<ir::Model, Vec<spec::Diagnostic>> {
    let spec = latest(checked_spec(spec::load_partial_in_memory_cached(
        files, parsed,
    ))?)?;
    Ok(ir::Model::new(spec))
}

fn checked(dir: &Path) -> Result<spec::Spec, Vec<spec::Diagnostic>> {
    checked_spec(spec::load_partial(dir))
}

fn checked_spec(
    (spec, mut errs): (spec::Spec, Vec<spec::Diagnostic>),
) -> Result<spec::Spec, Vec<spec::Diagnostic>> {
    if let Err(more) = check::check(&spec) {
        errs.extend(more);
    }
    if errs.is_empty() {
        errs.extend(check_without_groups(&spec));
    }
    if errs.is_empty() {
        Ok(spec)
    } else {
        errs.sort();
        errs.dedup();
        Err(errs)
    }
}

/// Every group is optional, so the spec without any must check too (a session of
/// `examples/` that sends a command of a group, say): its problems, each naming that view.
fn check_without_groups(spec: &spec::Spec) -> Vec<spec::Diagnostic> {
    let groups = &spec.document.value.groups;
    if groups.is_empty() {
        return Vec::new();
    }
    let names: Vec<&str> = groups.iter().map(|g| g.name.as_str()).collect();
    let view = revision::with_groups(spec.clone(), &Default::default());
    let errs = match view {
        Ok(view) => check::check(&view).err().unwrap_or_default(),
        Err(d) => vec![d],
    };
    errs.into_iter()
        .map(|mut d| {
            d.message = format!(
                "{} (in the view without the groups {})",
                d.message,
                names.join(", ")
            );
            d
        })
        .collect()
}

/// The spec as its own version has it: items an `until:` removed by then are left out (and the
/// result is checked again, as any view is).
fn latest(spec: spec::Spec) -> Result<spec::Spec, Vec<spec::Diagnostic>> {
    if !revision::has_removals(&spec) {
        return Ok(spec);
    }
    let version = spec.document.value.version.clone();
    let view = revision::at_revision(spec, &version).map_err(|d| vec![d])?;
    check::check(&view)?;
    Ok(view)
}

/// Loads the spec directory, takes a view of it (a revision, a module profile) and checks the
/// view.
pub fn load_view(dir: &Path, view: &revision::View) -> Result<ir::Model, Vec<spec::Diagnostic>> {
    // The spec as written must be valid before any view of it is.
    let spec = checked(dir)?;
    if *view == revision::View::default() {
        return Ok(ir::Model::new(latest(spec)?));
    }
    // A revision view reads `since` and `until` itself; a profile alone is of the latest.
    let spec = if view.revision.is_none() {
        latest(spec)?
    } else {
        spec
    };
    let spec = view.apply(spec).map_err(|d| vec![d])?;
    // Items left out of a view shift the positions of later ones: say which view it was.
    check::check(&spec).map_err(|errs| {
        let name = [
            view.revision.as_ref().map(|r| format!("revision {r}")),
            view.profile.as_ref().map(|p| format!("profile {p}")),
            view.groups.as_ref().map(|g| {
                let g: Vec<&str> = g.iter().map(String::as_str).collect();
                format!("groups [{}]", g.join(", "))
            }),
        ];
        let name: Vec<String> = name.into_iter().flatten().collect();
        errs.into_iter()
            .map(|mut d| {
                d.message = format!("{} (in the view of {})", d.message, name.join(", "));
                d
            })
            .collect::<Vec<_>>()
    })?;
    Ok(ir::Model::new(spec))
}

/// Loads a command-line operand `DIR[@REVISION][+PROFILE]` (see [`revision::View::parse`]).
pub fn load_arg(arg: &str) -> Result<ir::Model, Vec<spec::Diagnostic>> {
    let (dir, view) = revision::View::parse(arg);
    load_view(&dir, &view)
}

/// The generated Rust code, formatted.
pub fn expand(model: &ir::Model) -> String {
    emit::format(emit::generate(model))
}

/// Generates the binding from a build script, in the style of `prost-build`:
///
/// ```no_run
/// // build.rs
/// qi_codegen::Builder::new("spec").generate().unwrap();
/// // src/lib.rs: include!(concat!(env!("OUT_DIR"), "/qi.rs"));
/// ```
#[derive(Debug, Clone)]
pub struct Builder {
    spec_dir: std::path::PathBuf,
    out_file: Option<std::path::PathBuf>,
    rerun: bool,
    format: bool,
    view: revision::View,
}

impl Builder {
    /// A builder for the spec in `spec_dir` (relative to the build script's package).
    pub fn new(spec_dir: impl Into<std::path::PathBuf>) -> Self {
        Builder {
            spec_dir: spec_dir.into(),
            out_file: None,
            rerun: true,
            format: true,
            view: revision::View::default(),
        }
    }

    /// Generates the API of an earlier revision of the document (a version of document.yaml's
    /// `revisions:`): items marked `since` a later one are left out.
    pub fn revision(mut self, version: impl Into<String>) -> Self {
        self.view.revision = Some(version.into());
        self
    }

    /// Generates the API of one module: a `profile:` id of document.yaml's `modules:`.
    pub fn profile(mut self, id: impl Into<String>) -> Self {
        self.view.profile = Some(id.into());
        self
    }

    /// Selects the profile from the package's cargo features: feature `eg916q-gl` selects
    /// profile `eg916q_gl`. Call it after [`Builder::new`]; at most one such feature may be on
    /// (several are reported by [`Builder::generate`]).
    pub fn profile_from_features(mut self) -> Self {
        if let Some(id) = profile_from_features(&self.spec_dir) {
            self.view.profile = Some(id);
        }
        self
    }

    /// Generates only these of document.yaml's `groups:` (and what no group names): the
    /// commands and URCs of any other group are left out of the binding.
    pub fn groups<I, S>(mut self, groups: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.view.groups = Some(groups.into_iter().map(Into::into).collect());
        self
    }

    /// Selects the groups from the package's cargo features: group `modem` is generated when
    /// feature `modem` is on (`_` in a group's name is `-` in its feature's), every other
    /// group is left out. The package declares a feature for each group it offers (usually
    /// on by default, so that a firmware opts out with `default-features = false`).
    pub fn groups_from_features(mut self) -> Self {
        self.view.groups = Some(groups_from_features(&self.spec_dir));
        self
    }

    /// Where to write the code; defaults to `$OUT_DIR/qi.rs`.
    pub fn out_file(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.out_file = Some(path.into());
        self
    }

    /// Whether to print `cargo:rerun-if-changed` for every spec file (default: yes).
    pub fn rerun_if_changed(mut self, yes: bool) -> Self {
        self.rerun = yes;
        self
    }

    /// Whether to format the code with prettyplease (default: yes, as `prost-build` does).
    /// Formatting takes most of the generation time (see docs/PERFORMANCE.md); rustc does not
    /// need it, but compiler messages and "go to definition" land in this file.
    pub fn format(mut self, yes: bool) -> Self {
        self.format = yes;
        self
    }

    /// Loads, checks and generates. On a bad spec the error lists every problem, one per line,
    /// as `file:line:col: message`.
    pub fn generate(self) -> Result<std::path::PathBuf, GenerateError> {
        let model = load_for_build(&self.spec_dir, &self.view, self.rerun)?;
        let out = match self.out_file {
            Some(p) => p,
            None => out_dir()?.join("qi.rs"),
        };
        let tokens = emit::generate(&model);
        let code = if self.format {
            emit::format(tokens)
        } else {
            tokens.to_string()
        };
        write_if_changed(&out, &code)?;
        Ok(out)
    }
}

/// The profile the package's cargo features select (feature `eg916q-gl`: profile
/// `eg916q_gl`; several joined by `+`, which loading reports), for the build-script builders.
pub(crate) fn profile_from_features(spec_dir: &Path) -> Option<String> {
    let model = spec::load(spec_dir).ok()?; // `generate` reports the problems.
    let on: Vec<String> = model
        .document
        .value
        .modules
        .iter()
        .filter_map(|m| m.profile.clone())
        .filter(|id| {
            let var = format!(
                "CARGO_FEATURE_{}",
                id.to_ascii_uppercase().replace('-', "_")
            );
            std::env::var_os(var).is_some()
        })
        .collect();
    (!on.is_empty()).then(|| on.join("+"))
}

/// The groups of document.yaml whose cargo feature is on (group `a_b`: feature `a-b`), for
/// the build-script builders.
pub(crate) fn groups_from_features(spec_dir: &Path) -> std::collections::BTreeSet<String> {
    let Ok(model) = spec::load(spec_dir) else {
        return Default::default(); // `generate` reports the problems.
    };
    model
        .document
        .value
        .groups
        .iter()
        .map(|g| g.name.clone())
        .filter(|name| {
            std::env::var_os(format!("CARGO_FEATURE_{}", name.to_ascii_uppercase())).is_some()
        })
        .collect()
}

/// Loads and checks a view of the spec for a build script; with `rerun`, cargo reruns the
/// script when the directory or any file of the spec changes.
pub(crate) fn load_for_build(
    dir: &Path,
    view: &revision::View,
    rerun: bool,
) -> Result<ir::Model, GenerateError> {
    if rerun {
        println!("cargo:rerun-if-changed={}", dir.display());
    }
    let model = load_view(dir, view).map_err(GenerateError::Spec)?;
    if rerun {
        for f in &model.spec.files {
            println!("cargo:rerun-if-changed={}", f.display());
        }
    }
    Ok(model)
}

/// `$OUT_DIR`, where a build script writes.
pub(crate) fn out_dir() -> Result<std::path::PathBuf, GenerateError> {
    std::env::var_os("OUT_DIR")
        .map(std::path::PathBuf::from)
        .ok_or(GenerateError::NoOutDir)
}

/// Writes `text` unless the file already holds it, so that dependants are not rebuilt for
/// nothing.
pub(crate) fn write_if_changed(path: &Path, text: &str) -> Result<(), GenerateError> {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        std::fs::write(path, text).map_err(|e| GenerateError::Io(path.to_owned(), e))?;
    }
    Ok(())
}

/// Why [`Builder::generate`] failed.
#[derive(Debug)]
pub enum GenerateError {
    /// The spec has problems; each is located.
    Spec(Vec<spec::Diagnostic>),
    /// `OUT_DIR` is not set and no output file was given.
    NoOutDir,
    Io(std::path::PathBuf, std::io::Error),
}

impl std::fmt::Display for GenerateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            GenerateError::Spec(d) => {
                for x in d {
                    writeln!(f, "{x}")?;
                }
                write!(f, "{} problem(s) in the spec", d.len())
            }
            GenerateError::NoOutDir => write!(
                f,
                "OUT_DIR is not set: call from a build script or set an output file"
            ),
            GenerateError::Io(p, e) => write!(f, "{}: {e}", p.display()),
        }
    }
}

impl std::error::Error for GenerateError {}

//! `qi-codegen`: turns the YAML description of Quectel's TCP/IP ("QI") AT commands into Rust.
//!
//! The pipeline is [`spec::load`] (serde types as authors write them) → [`check`] (every
//! semantic error at once, located) → [`ir`] (resolved model) → `emit` (one function per item
//! kind).

pub mod check;
pub mod coverage;
pub mod emit;
pub mod ir;
pub mod naming;
pub mod spec;

use std::path::Path;

/// Loads the spec directory and checks it; all problems come back together.
pub fn load_and_check(dir: &Path) -> Result<ir::Model, Vec<spec::Diagnostic>> {
    let spec = spec::load(dir)?;
    check::check(&spec)?;
    Ok(ir::Model::new(spec))
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
}

impl Builder {
    /// A builder for the spec in `spec_dir` (relative to the build script's package).
    pub fn new(spec_dir: impl Into<std::path::PathBuf>) -> Self {
        Builder {
            spec_dir: spec_dir.into(),
            out_file: None,
            rerun: true,
        }
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

    /// Loads, checks and generates. On a bad spec the error lists every problem, one per line,
    /// as `file:line:col: message`.
    pub fn generate(self) -> Result<std::path::PathBuf, GenerateError> {
        if self.rerun {
            println!("cargo:rerun-if-changed={}", self.spec_dir.display());
        }
        let model = load_and_check(&self.spec_dir).map_err(GenerateError::Spec)?;
        if self.rerun {
            for f in &model.spec.files {
                println!("cargo:rerun-if-changed={}", f.display());
            }
        }
        let out = match self.out_file {
            Some(p) => p,
            None => std::path::PathBuf::from(
                std::env::var_os("OUT_DIR").ok_or(GenerateError::NoOutDir)?,
            )
            .join("qi.rs"),
        };
        let code = expand(&model);
        // Rewrite only on change, so that dependants are not rebuilt for nothing.
        if std::fs::read_to_string(&out).ok().as_deref() != Some(code.as_str()) {
            std::fs::write(&out, code).map_err(|e| GenerateError::Io(out.clone(), e))?;
        }
        Ok(out)
    }
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

//! Loading the spec directory: YAML in, typed [`model`] values out, each with its file and a
//! [`Locator`] so that later stages can point at the exact line and column.

pub mod locate;
pub mod model;

pub use locate::{Locator, Pos};
pub use model::*;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// A message tied to a place in a spec file: `spec/commands/qiopen.yaml:12:7: message`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    pub file: String,
    pub pos: Pos,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.pos.line, self.pos.col, self.message
        )
    }
}

/// A value loaded from one file.
#[derive(Debug, Clone)]
pub struct Sourced<T> {
    /// The file as shown in messages: the spec directory as given, joined with the file's path.
    pub file: String,
    pub value: T,
    pub locator: Locator,
}

impl<T> Sourced<T> {
    /// A diagnostic at the value found at `path` (see [`Locator`]).
    pub fn at(&self, path: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            file: self.file.clone(),
            pos: self.locator.value(path),
            message: message.into(),
        }
    }

    /// A diagnostic at the key of the map entry at `path`.
    pub fn at_key(&self, path: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            file: self.file.clone(),
            pos: self.locator.key(path),
            message: message.into(),
        }
    }
}

/// The whole spec, as written.
#[derive(Debug, Clone)]
pub struct Spec {
    pub document: Sourced<Document>,
    /// `params/*.yaml`, sorted by file name; keys are unique across files.
    pub params: Vec<Sourced<BTreeMap<String, ParamDef>>>,
    /// `commands/*.yaml` (the application note's), then `basic/*.yaml` (the basic commands
    /// drivers send around them, from public standards), each sorted by file name.
    pub commands: Vec<Sourced<Command>>,
    pub urcs: Sourced<UrcFile>,
    pub errors: Sourced<ErrorFile>,
    /// Sorted by file name.
    pub transcripts: Vec<Sourced<TranscriptFile>>,
    pub errata: Sourced<ErrataFile>,
    /// Every file read, for `cargo:rerun-if-changed`.
    pub files: Vec<PathBuf>,
}

/// The directory of the basic command family (V.250 and 3GPP TS 27.007 commands).
pub const BASIC_DIR: &str = "basic";

/// Reads and parses every file of the spec directory. Syntax and shape errors of all files are
/// collected and returned together; meaning is checked by [`crate::check`].
pub fn load(dir: &Path) -> Result<Spec, Vec<Diagnostic>> {
    let mut errs = Vec::new();
    let mut files = Vec::new();
    let document = read(dir, "document.yaml", &mut files, &mut errs);
    let urcs = read(dir, "urcs.yaml", &mut files, &mut errs);
    let errors = read(dir, "errors.yaml", &mut files, &mut errs);
    let errata = read(dir, "errata.yaml", &mut files, &mut errs);
    let params = read_all(dir, "params", &mut files, &mut errs);
    let mut commands = read_all(dir, "commands", &mut files, &mut errs);
    // The basic family is optional: a spec of the TCP/IP commands alone needs none.
    if dir.join(BASIC_DIR).is_dir() {
        commands.extend(read_all(dir, BASIC_DIR, &mut files, &mut errs));
    }
    let transcripts = read_all(dir, "examples", &mut files, &mut errs);
    match (document, urcs, errors, errata) {
        (Some(document), Some(urcs), Some(errors), Some(errata)) if errs.is_empty() => Ok(Spec {
            document,
            params,
            commands,
            urcs,
            errors,
            transcripts,
            errata,
            files,
        }),
        _ => {
            errs.sort();
            Err(errs)
        }
    }
}

fn display(dir: &Path, rel: &str) -> String {
    dir.join(rel).display().to_string()
}

fn read<T: serde::de::DeserializeOwned>(
    dir: &Path,
    rel: &str,
    files: &mut Vec<PathBuf>,
    errs: &mut Vec<Diagnostic>,
) -> Option<Sourced<T>> {
    let path = dir.join(rel);
    let file = display(dir, rel);
    files.push(path.clone());
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            errs.push(Diagnostic {
                file,
                pos: Pos { line: 1, col: 1 },
                message: format!("cannot read: {e}"),
            });
            return None;
        }
    };
    match serde_yaml::from_str::<T>(&text) {
        Ok(value) => Some(Sourced {
            file,
            value,
            locator: Locator::new(&text),
        }),
        Err(e) => {
            let pos = e.location().map_or(Pos { line: 1, col: 1 }, |l| Pos {
                line: l.line(),
                col: l.column(),
            });
            // serde_yaml appends " at line L column C"; the prefix already says where.
            let msg = e.to_string();
            let msg = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
            errs.push(Diagnostic {
                file,
                pos,
                message: msg,
            });
            None
        }
    }
}

fn read_all<T: serde::de::DeserializeOwned>(
    dir: &Path,
    sub: &str,
    files: &mut Vec<PathBuf>,
    errs: &mut Vec<Diagnostic>,
) -> Vec<Sourced<T>> {
    let mut names: Vec<String> = match std::fs::read_dir(dir.join(sub)) {
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".yaml"))
            .collect(),
        Err(e) => {
            errs.push(Diagnostic {
                file: display(dir, sub),
                pos: Pos { line: 1, col: 1 },
                message: format!("cannot read directory: {e}"),
            });
            return Vec::new();
        }
    };
    names.sort();
    names
        .iter()
        .filter_map(|n| read(dir, &format!("{sub}/{n}"), files, errs))
        .collect()
}

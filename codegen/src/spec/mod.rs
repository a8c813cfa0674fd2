//! Loading the spec directory: YAML in, typed [`model`] values out, each with its file and a
//! [`Locator`] so that later stages can point at the exact line and column.

pub mod locate;
pub mod model;

pub use locate::{Locator, Pos};
pub use model::*;

use std::any::Any;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
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
    /// Files that could not be read (only in what [`load_partial`] returns).
    pub gaps: Gaps,
}

/// Which kinds of file [`load_partial`] left out because they did not read: the checks skip
/// what would only report their absence (an unknown parameter when a params file is broken).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Gaps {
    pub document: bool,
    pub params: bool,
    pub commands: bool,
    pub urcs: bool,
    pub errors: bool,
    pub examples: bool,
    pub errata: bool,
}

impl Gaps {
    /// Whether a file that the transcripts need (a command, URC, parameter or error) is missing.
    pub fn for_transcripts(&self) -> bool {
        self.params || self.commands || self.urcs || self.errors
    }
}

/// The directory of the basic command family (V.250 and 3GPP TS 27.007 commands).
pub const BASIC_DIR: &str = "basic";

/// Reads and parses every file of the spec directory. Syntax and shape errors of all files are
/// collected and returned together; meaning is checked by [`crate::check`].
pub fn load(dir: &Path) -> Result<Spec, Vec<Diagnostic>> {
    match load_partial(dir) {
        (spec, errs) if errs.is_empty() => Ok(spec),
        (_, errs) => Err(errs),
    }
}

/// Like [`load`], but also returns the spec of the files that did read (with [`Spec::gaps`]
/// saying what is missing), so that their meaning can be checked in the same run.
pub fn load_partial(dir: &Path) -> (Spec, Vec<Diagnostic>) {
    load_from(&Dir(dir))
}

/// Like [`load`], from files in memory: paths relative to the spec directory
/// (`document.yaml`, `commands/qiopen.yaml`) and their text. Messages name the files as
/// `<memory>/<path>`. For fuzzing and tests that mutate a spec without touching the disk.
pub fn load_in_memory(files: &BTreeMap<String, String>) -> Result<Spec, Vec<Diagnostic>> {
    match load_partial_in_memory(files) {
        (spec, errs) if errs.is_empty() => Ok(spec),
        (_, errs) => Err(errs),
    }
}

/// Like [`load_partial`], from files in memory (see [`load_in_memory`]).
pub fn load_partial_in_memory(files: &BTreeMap<String, String>) -> (Spec, Vec<Diagnostic>) {
    load_from(&Memory(files, None))
}

/// Like [`load_partial_in_memory`], taking the files whose text `parsed` has seen from it
/// instead of parsing them again.
pub fn load_partial_in_memory_cached(
    files: &BTreeMap<String, String>,
    parsed: &ParsedFiles,
) -> (Spec, Vec<Diagnostic>) {
    load_from(&Memory(files, Some(parsed)))
}

/// Files parsed by [`load_partial_in_memory_cached`], by text and type, up to a number of
/// texts: a fuzzer that changes one file of a small spec parses that file alone (parsing, by
/// two YAML parsers, was most of the cost of loading).
pub struct ParsedFiles {
    parsed: RefCell<HashMap<String, Vec<Box<dyn Any>>>>,
    limit: usize,
}

impl ParsedFiles {
    /// Keeps the parses of up to `limit` texts: the first ones seen.
    pub fn new(limit: usize) -> Self {
        ParsedFiles {
            parsed: RefCell::new(HashMap::new()),
            limit,
        }
    }

    fn get<T: Clone + 'static>(&self, text: &str) -> Option<Sourced<T>> {
        let parsed = self.parsed.borrow();
        parsed
            .get(text)?
            .iter()
            .find_map(|p| p.downcast_ref::<Sourced<T>>())
            .cloned()
    }

    fn keep<T: Clone + 'static>(&self, text: &str, value: &Sourced<T>) {
        let mut parsed = self.parsed.borrow_mut();
        if parsed.len() < self.limit || parsed.contains_key(text) {
            let kept = parsed.entry(text.to_owned()).or_default();
            kept.push(Box::new(value.clone()));
        }
    }
}

/// Where the spec's files are read from.
trait Source {
    /// The file as shown in messages.
    fn display(&self, rel: &str) -> String;
    /// The path reported for `cargo:rerun-if-changed`.
    fn path(&self, rel: &str) -> PathBuf;
    fn text(&self, rel: &str) -> Result<String, String>;
    /// The names of the files directly in `sub`.
    fn names(&self, sub: &str) -> Result<Vec<String>, String>;
    fn has_dir(&self, sub: &str) -> bool;
    /// Files parsed before, to take instead of parsing them again.
    fn parsed(&self) -> Option<&ParsedFiles> {
        None
    }
}

struct Dir<'a>(&'a Path);

impl Source for Dir<'_> {
    fn display(&self, rel: &str) -> String {
        display(self.0, rel)
    }
    fn path(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }
    fn text(&self, rel: &str) -> Result<String, String> {
        std::fs::read_to_string(self.0.join(rel)).map_err(|e| e.to_string())
    }
    fn names(&self, sub: &str) -> Result<Vec<String>, String> {
        let rd = std::fs::read_dir(self.0.join(sub)).map_err(|e| e.to_string())?;
        Ok(rd
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect())
    }
    fn has_dir(&self, sub: &str) -> bool {
        self.0.join(sub).is_dir()
    }
}

struct Memory<'a>(&'a BTreeMap<String, String>, Option<&'a ParsedFiles>);

impl Source for Memory<'_> {
    fn display(&self, rel: &str) -> String {
        format!("<memory>/{rel}")
    }
    fn path(&self, rel: &str) -> PathBuf {
        PathBuf::from(self.display(rel))
    }
    fn text(&self, rel: &str) -> Result<String, String> {
        self.0
            .get(rel)
            .cloned()
            .ok_or_else(|| "no such file".to_owned())
    }
    fn names(&self, sub: &str) -> Result<Vec<String>, String> {
        let names: Vec<String> = self
            .0
            .keys()
            .filter_map(|k| k.strip_prefix(sub)?.strip_prefix('/'))
            .filter(|n| !n.contains('/'))
            .map(str::to_owned)
            .collect();
        if names.is_empty() {
            return Err("no such directory".to_owned());
        }
        Ok(names)
    }
    fn has_dir(&self, sub: &str) -> bool {
        self.names(sub).is_ok()
    }
    fn parsed(&self) -> Option<&ParsedFiles> {
        self.1
    }
}

fn load_from(src: &dyn Source) -> (Spec, Vec<Diagnostic>) {
    let mut errs = Vec::new();
    let mut files = Vec::new();
    let mut gaps = Gaps::default();
    let mut n = errs.len();
    let mut gap = |errs: &Vec<Diagnostic>| {
        let g = errs.len() > n;
        n = errs.len();
        g
    };
    let document = read(src, "document.yaml", &mut files, &mut errs);
    gaps.document = gap(&errs);
    let urcs = read(src, "urcs.yaml", &mut files, &mut errs);
    gaps.urcs = gap(&errs);
    let errors = read(src, "errors.yaml", &mut files, &mut errs);
    gaps.errors = gap(&errs);
    let errata = read(src, "errata.yaml", &mut files, &mut errs);
    gaps.errata = gap(&errs);
    let params = read_all(src, "params", &mut files, &mut errs);
    gaps.params = gap(&errs);
    let mut commands = read_all(src, "commands", &mut files, &mut errs);
    // The basic family is optional: a spec of the TCP/IP commands alone needs none.
    if src.has_dir(BASIC_DIR) {
        commands.extend(read_all(src, BASIC_DIR, &mut files, &mut errs));
    }
    gaps.commands = gap(&errs);
    let transcripts = read_all(src, "examples", &mut files, &mut errs);
    gaps.examples = gap(&errs);
    errs.sort();
    let empty = |f: &str| src.display(f);
    let spec = Spec {
        document: document.unwrap_or_else(|| placeholder(empty("document.yaml"), empty_document())),
        params,
        commands,
        urcs: urcs.unwrap_or_else(|| {
            placeholder(
                empty("urcs.yaml"),
                UrcFile {
                    urcs: Vec::new(),
                    errata: Vec::new(),
                },
            )
        }),
        errors: errors.unwrap_or_else(|| {
            placeholder(
                empty("errors.yaml"),
                ErrorFile {
                    section: None,
                    about: None,
                    errors: Vec::new(),
                },
            )
        }),
        transcripts,
        errata: errata.unwrap_or_else(|| {
            placeholder(empty("errata.yaml"), ErrataFile { errata: Vec::new() })
        }),
        files,
        gaps,
    };
    (spec, errs)
}

/// What stands in for a file that did not read.
fn placeholder<T>(file: String, value: T) -> Sourced<T> {
    Sourced {
        file,
        value,
        locator: Locator::default(),
    }
}

fn empty_document() -> Document {
    Document {
        title: String::new(),
        version: String::new(),
        date: String::new(),
        modules: Vec::new(),
        groups: Vec::new(),
        revisions: Vec::new(),
        unspecified_response_time: Duration { millis: 0 },
        unspecified_response_time_why: String::new(),
        unspecified_string_len: 0,
        unspecified_string_len_why: String::new(),
    }
}

fn display(dir: &Path, rel: &str) -> String {
    dir.join(rel).display().to_string()
}

fn read<T: serde::de::DeserializeOwned + Clone + 'static>(
    src: &dyn Source,
    rel: &str,
    files: &mut Vec<PathBuf>,
    errs: &mut Vec<Diagnostic>,
) -> Option<Sourced<T>> {
    let file = src.display(rel);
    files.push(src.path(rel));
    let text = match src.text(rel) {
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
    if let Some(mut hit) = src.parsed().and_then(|p| p.get::<T>(&text)) {
        hit.file = file;
        return Some(hit);
    }
    match serde_yaml::from_str::<T>(&text) {
        Ok(value) => {
            let sourced = Sourced {
                file,
                value,
                locator: Locator::new(&text),
            };
            if let Some(p) = src.parsed() {
                p.keep(&text, &sourced);
            }
            Some(sourced)
        }
        Err(e) => {
            let pos = e.location().map_or(Pos { line: 1, col: 1 }, |l| Pos {
                line: l.line(),
                col: l.column(),
            });
            // serde_yaml appends " at line L column C"; the prefix already says where.
            let msg = e.to_string();
            let mut msg = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
            let mut pos = pos;
            // The parser notices a comment that swallowed `}` or `]` only on a later line.
            if msg.starts_with("did not find expected ',' or") {
                if let Some(at) = locate::comment_in_flow(&text, pos) {
                    msg = format!(
                        "`#` starts a comment even inside `{{ }}` or `[ ]`, so the rest of the \
                         line (its closing bracket too) is ignored: quote the text or move the \
                         comment after the bracket (the parser noticed at {}:{})",
                        pos.line, pos.col
                    );
                    pos = at;
                }
            }
            errs.push(Diagnostic {
                file,
                pos,
                message: msg,
            });
            None
        }
    }
}

fn read_all<T: serde::de::DeserializeOwned + Clone + 'static>(
    src: &dyn Source,
    sub: &str,
    files: &mut Vec<PathBuf>,
    errs: &mut Vec<Diagnostic>,
) -> Vec<Sourced<T>> {
    let mut names: Vec<String> = match src.names(sub) {
        Ok(names) => names.into_iter().filter(|n| n.ends_with(".yaml")).collect(),
        Err(e) => {
            errs.push(Diagnostic {
                file: src.display(sub),
                pos: Pos { line: 1, col: 1 },
                message: format!("cannot read directory: {e}"),
            });
            return Vec::new();
        }
    };
    names.sort();
    names
        .iter()
        .filter_map(|n| read(src, &format!("{sub}/{n}"), files, errs))
        .collect()
}

//! Positions of YAML nodes by path, for messages about values serde has already accepted.
//!
//! serde_yaml reports positions only for its own errors; the checker needs them for meaning, so
//! the file is scanned once more with yaml-rust2's event parser, which carries line and column.
//! Paths look like `forms[2].params[0].param`.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

/// Path → position of the value (and of the key, for map entries).
///
/// The positions are found the first time one is asked for: most loads report nothing, and
/// the second parse was a sixth of the cost of loading a file. Clones share what was found.
#[derive(Debug, Default, Clone)]
pub struct Locator {
    text: Option<Arc<str>>,
    maps: Arc<OnceLock<Maps>>,
}

#[derive(Debug, Default)]
struct Maps {
    values: HashMap<String, Pos>,
    keys: HashMap<String, Pos>,
}

impl Locator {
    pub fn new(text: &str) -> Self {
        Locator {
            text: Some(Arc::from(text)),
            maps: Arc::default(),
        }
    }

    fn maps(&self) -> &Maps {
        self.maps.get_or_init(|| {
            let mut b = Builder::default();
            if let Some(text) = &self.text {
                // A syntax error was already reported by serde_yaml; what was read so far is
                // still useful.
                let _ = Parser::new_from_str(text).load(&mut b, false);
            }
            b.loc
        })
    }

    /// The position of the value at `path`, or of its nearest located ancestor.
    pub fn value(&self, path: &str) -> Pos {
        let m = self.maps();
        m.find(path, &m.values)
    }

    /// The position of the key of the map entry at `path` (for "unknown name" messages).
    pub fn key(&self, path: &str) -> Pos {
        let m = self.maps();
        m.find(path, &m.keys)
    }
}

impl Maps {
    fn find(&self, path: &str, map: &HashMap<String, Pos>) -> Pos {
        let mut p = path;
        loop {
            if let Some(pos) = map.get(p).or_else(|| self.values.get(p)) {
                return *pos;
            }
            match p.rfind(['.', '[']) {
                Some(i) => p = &p[..i],
                None => {
                    return self
                        .values
                        .get("")
                        .copied()
                        .unwrap_or(Pos { line: 1, col: 1 })
                }
            }
        }
    }
}

/// Where a `#` comment opened inside a flow collection (`{ }`, `[ ]`) that is still open at
/// `until`: YAML ends the line there, so the collection's closing bracket is never read and the
/// parser only notices on a later line. Used to point at the cause rather than the symptom.
pub fn comment_in_flow(text: &str, until: Pos) -> Option<Pos> {
    let mut depth = 0usize;
    let mut comment = None;
    for (l, line) in text.lines().enumerate().take(until.line) {
        let lnum = l + 1;
        // At depth 0 only a bracket that starts a value (line start, after `: ` or `- `) opens
        // a flow collection; `a [b` is a plain scalar.
        let mut value_start = true;
        let mut quote: Option<char> = None;
        let mut prev = ' ';
        for (c, ch) in line.chars().enumerate() {
            if lnum == until.line && c + 1 >= until.col {
                break;
            }
            if let Some(q) = quote {
                if ch == q {
                    quote = None;
                }
            } else if ch == '#' && prev == ' ' {
                if depth > 0 {
                    comment = Some(Pos {
                        line: lnum,
                        col: c + 1,
                    });
                }
                break;
            } else if depth > 0 || value_start {
                match ch {
                    '"' | '\'' => quote = Some(ch),
                    '[' | '{' => {
                        depth += 1;
                        comment = None;
                    }
                    ']' | '}' if depth > 0 => {
                        depth -= 1;
                        comment = None;
                    }
                    _ => {}
                }
                if depth == 0 && ch != ' ' {
                    value_start = false;
                }
            } else if ch == ' ' && matches!(prev, ':' | '-') {
                value_start = true;
            }
            prev = ch;
        }
    }
    comment.filter(|_| depth > 0)
}

enum Frame {
    Seq { path: String, next: usize },
    Map { path: String, key: Option<String> },
}

#[derive(Default)]
struct Builder {
    loc: Maps,
    stack: Vec<Frame>,
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

impl Builder {
    /// Claims the path of the node that starts now, advancing the parent.
    /// Returns `None` when the node is a map key (recorded as the pending key instead).
    fn enter(&mut self, scalar_key: Option<&str>, mark: Marker) -> Option<String> {
        let pos = Pos {
            line: mark.line(),
            col: mark.col() + 1,
        };
        let path = match self.stack.last_mut() {
            None => String::new(),
            Some(Frame::Seq { path, next }) => {
                let p = format!("{path}[{next}]");
                *next += 1;
                p
            }
            Some(Frame::Map { path, key }) => match key.take() {
                Some(k) => join(path, &k),
                None => {
                    let k = scalar_key.unwrap_or("?").to_owned();
                    self.loc.keys.insert(join(path, &k), pos);
                    *key = Some(k);
                    return None;
                }
            },
        };
        self.loc.values.entry(path.clone()).or_insert(pos);
        Some(path)
    }
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::Scalar(v, ..) => {
                self.enter(Some(&v), mark);
            }
            // An alias (`*name`) is one node here, whatever it expands to.
            Event::Alias(..) => {
                self.enter(None, mark);
            }
            Event::SequenceStart(..) => {
                let path = self.enter(None, mark).unwrap_or_default();
                self.stack.push(Frame::Seq { path, next: 0 });
            }
            Event::MappingStart(..) => {
                let path = self.enter(None, mark).unwrap_or_default();
                self.stack.push(Frame::Map { path, key: None });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_nested_values_and_keys() {
        let text = "name: X\nforms:\n  - name: a\n    params: [p, { param: q }]\n";
        let l = Locator::new(text);
        assert_eq!(l.value("name"), Pos { line: 1, col: 7 });
        assert_eq!(l.value("forms[0].name"), Pos { line: 3, col: 11 });
        assert_eq!(
            l.value("forms[0].params[1].param"),
            Pos { line: 4, col: 26 }
        );
        assert_eq!(l.key("forms[0].params"), Pos { line: 4, col: 5 });
        // Unknown paths fall back to the nearest ancestor.
        assert_eq!(l.value("forms[0].params[7]"), l.value("forms[0].params"));
    }

    #[test]
    fn a_comment_that_swallows_a_closing_bracket_is_found() {
        let text = "a: { b: 1 # c }\nd: 2\n";
        assert_eq!(
            comment_in_flow(text, Pos { line: 2, col: 1 }),
            Some(Pos { line: 1, col: 11 })
        );
        // Closed collections, quoted `#` and plain scalars with brackets are not it.
        let fine = "a: { b: 1 } # c\ne: \"x # [\"\nf: g [h # i\nd: {\n";
        assert_eq!(comment_in_flow(fine, Pos { line: 4, col: 5 }), None);
    }

    #[test]
    fn aliases_take_one_place() {
        let text = "a: &x [1]\nb: *x\nc: 3\n";
        let l = Locator::new(text);
        assert_eq!(l.value("b"), Pos { line: 2, col: 4 });
        assert_eq!(l.value("c"), Pos { line: 3, col: 4 });
    }
}

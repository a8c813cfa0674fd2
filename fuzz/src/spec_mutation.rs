//! A structural mutator of the spec: the input is a list of 4-byte instructions, each picking a
//! file, a node of its YAML tree and an edit (a value, a key renamed, a node removed or
//! copied), applied to the parsed YAML, so that every mutant is YAML and most reach `check`.

use serde_yaml::{Mapping, Value};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

/// Names and values that have broken generators: Rust keywords, empty and odd identifiers,
/// boundaries of integers, YAML's special scalars.
const WORDS: &[&str] = &[
    "self", "Self", "crate", "super", "struct", "while", "async", "dyn", "try", "type", "fn",
    "match", "r#x", "_", "", " ", "0", "1x", "a-b", "a b", "ä", "QIOPEN", "ok", "OK", "+QIURC",
    "\"", ",", "\\", "{}", "[]", "null", "~", "true", "1e400", "-0", "0x10", "recv", "closed",
];

const INTS: &[i64] = &[
    0,
    -1,
    1,
    2,
    11,
    12,
    255,
    256,
    65_535,
    65_536,
    86_400,
    u32::MAX as i64,
    i64::MAX,
    i64::MIN,
];

/// A spec's files (paths relative to its directory), text and parsed tree.
pub type Files = Vec<(String, String, Value)>;

/// The bases mutated: the codegen's two test fixtures (a command with every kind of field,
/// and profiles with their URCs), a few kilobytes each, read once. The real spec is not a
/// base: each of its mutants takes about a second to check, emit and parse, so a run of it
/// reaches hundreds of executions where a fixture reaches millions; every schema feature the
/// fuzzer should reach belongs in a fixture.
pub fn bases() -> &'static [Files; 2] {
    static BASES: OnceLock<[Files; 2]> = OnceLock::new();
    BASES.get_or_init(|| {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../codegen/tests/fixtures");
        [
            read_dir(&fixtures.join("minimal")),
            read_dir(&fixtures.join("profiles")),
        ]
    })
}

fn read_dir(root: &Path) -> Files {
    let mut out = Vec::new();
    collect(root, root, &mut out);
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, String, Value)>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(root, &p, out);
        } else if p.extension().is_some_and(|x| x == "yaml") {
            let rel = p.strip_prefix(root).expect("below root");
            let text = std::fs::read_to_string(&p).expect("a spec file reads");
            let tree = serde_yaml::from_str(&text).expect("a spec file parses");
            out.push((rel.display().to_string(), text, tree));
        }
    }
}

/// The number of nodes of a tree (itself included).
fn count(v: &Value) -> usize {
    1 + match v {
        Value::Sequence(s) => s.iter().map(count).sum(),
        Value::Mapping(m) => m.values().map(count).sum(),
        Value::Tagged(t) => count(&t.value),
        _ => 0,
    }
}

/// A step from a node to one of its children.
enum Step {
    Index(usize),
    Key(Value),
}

/// The path to the node at pre-order position `i % count(v)`.
fn path_to(v: &Value, i: usize) -> Vec<Step> {
    let mut i = i % count(v);
    let mut path = Vec::new();
    let mut node = v;
    while i > 0 {
        i -= 1;
        let children: Vec<(Step, &Value)> = match node {
            Value::Sequence(s) => s
                .iter()
                .enumerate()
                .map(|(k, c)| (Step::Index(k), c))
                .collect(),
            Value::Mapping(m) => m.iter().map(|(k, c)| (Step::Key(k.clone()), c)).collect(),
            Value::Tagged(t) => vec![(Step::Index(0), &t.value)],
            _ => break,
        };
        let mut next = None;
        for (step, c) in children {
            let n = count(c);
            if i < n {
                next = Some((step, c));
                break;
            }
            i -= n;
        }
        let Some((step, c)) = next else { break };
        path.push(step);
        node = c;
    }
    path
}

fn child<'a>(v: &'a mut Value, step: &Step) -> Option<&'a mut Value> {
    match (v, step) {
        (Value::Sequence(s), Step::Index(k)) => s.get_mut(*k),
        (Value::Mapping(m), Step::Key(k)) => m.get_mut(k),
        (Value::Tagged(t), Step::Index(0)) => Some(&mut t.value),
        _ => None,
    }
}

fn word(b: u8) -> Value {
    Value::String(WORDS[usize::from(b) % WORDS.len()].to_owned())
}

/// Applies one instruction to a tree.
fn edit(tree: &mut Value, node: usize, op: u8) {
    let arg = op >> 3;
    let mut path = path_to(tree, node);
    let last = path.pop();
    let mut parent = tree;
    for step in &path {
        match child(parent, step) {
            Some(c) => parent = c,
            None => return,
        }
    }
    // Edits of the node's place in its parent.
    match (op & 7, &last, &mut *parent) {
        (2, Some(Step::Key(k)), Value::Mapping(m)) => {
            // Renames the key (a parameter's or a field's name, a schema keyword).
            if let Some(v) = m.remove(k) {
                m.insert(word(arg), v);
            }
            return;
        }
        (3, Some(Step::Key(k)), Value::Mapping(m)) => {
            m.remove(k);
            return;
        }
        (3, Some(Step::Index(k)), Value::Sequence(s)) => {
            s.remove(*k);
            return;
        }
        (4, Some(Step::Key(k)), Value::Mapping(m)) => {
            let v = m[k].clone();
            m.insert(word(arg), v);
            return;
        }
        (4, Some(Step::Index(k)), Value::Sequence(s)) => {
            let v = s[*k].clone();
            s.push(v);
            return;
        }
        (2..=4, _, _) => return,
        _ => {}
    }
    let v = match &last {
        Some(step) => match child(parent, step) {
            Some(c) => c,
            None => return,
        },
        None => parent,
    };
    match op & 7 {
        0 => *v = word(arg),
        1 => *v = Value::from(INTS[usize::from(arg) % INTS.len()]),
        5 => match v {
            // A string grows or shrinks; a number moves by one.
            Value::String(s) if arg % 2 == 0 => s.push_str(WORDS[usize::from(arg) % WORDS.len()]),
            Value::String(s) => {
                let keep = s
                    .char_indices()
                    .nth(usize::from(arg) % 4)
                    .map_or(0, |(i, _)| i);
                s.truncate(keep);
            }
            Value::Number(n) => {
                if let Some(x) = n.as_i64() {
                    *v = Value::from(if arg % 2 == 0 {
                        x.wrapping_add(1)
                    } else {
                        x.wrapping_sub(1)
                    });
                }
            }
            _ => {}
        },
        6 => *v = Value::Sequence(Vec::new()),
        _ => *v = Value::Mapping(Mapping::new()),
    }
}

/// A base's files with the instructions of `data` applied: its first byte picks the base
/// (odd: the profiles fixture, else the minimal one); mutated files are written back as YAML,
/// the others kept as they are.
pub fn mutate(data: &[u8]) -> BTreeMap<String, String> {
    let (base, data) = match data.split_first() {
        Some((b, rest)) => (usize::from(b & 1), rest),
        None => (0, data),
    };
    let files = &bases()[base];
    let mut trees: BTreeMap<usize, Value> = BTreeMap::new();
    for ins in data.chunks_exact(4).take(16) {
        let f = usize::from(ins[0]) % files.len();
        let node = usize::from(u16::from_le_bytes([ins[1], ins[2]]));
        let tree = trees.entry(f).or_insert_with(|| files[f].2.clone());
        edit(tree, node, ins[3]);
    }
    files
        .iter()
        .enumerate()
        .map(|(i, (rel, text, _))| {
            // A tree the edits left as it was keeps its text (and its parse, cached).
            let text = match trees.get(&i) {
                Some(t) if *t != files[i].2 => serde_yaml::to_string(t).expect("a tree serialises"),
                _ => text.clone(),
            };
            (rel.clone(), text)
        })
        .collect()
}

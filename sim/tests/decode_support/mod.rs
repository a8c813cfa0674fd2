//! The logs the decode tests share: the spec's example sessions written out as logs, and the
//! hand-made logs of `decode_log.rs` (its byte-string literals).

#![allow(dead_code)] // each test file uses its part

use std::path::{Path, PathBuf};

pub fn spec_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec")
}

/// One transcript as a log: host lines end in CR LF, module lines too, data as is (after a
/// prompt, right after it; after `+QIRD`/a recv URC, on the next line). Lines the spec marks
/// foreign (not QI commands) or invalid on purpose are returned apart.
pub struct Log {
    pub name: String,
    pub bytes: Vec<u8>,
    pub lines: usize,
    pub invalid: Vec<Vec<u8>>,
}

pub fn transcripts() -> Vec<Log> {
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in ["examples", "commands"] {
        for e in std::fs::read_dir(spec_dir().join(dir)).unwrap() {
            files.push(e.unwrap().path());
        }
    }
    files.sort();
    let mut logs = Vec::new();
    for f in files {
        let doc: serde_yaml::Value =
            serde_yaml::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap();
        let list = doc
            .get("transcripts")
            .or_else(|| doc.get("examples"))
            .and_then(|v| v.as_sequence())
            .cloned()
            .unwrap_or_default();
        for t in list {
            let mut log = Log {
                name: t["name"].as_str().unwrap().to_string(),
                bytes: Vec::new(),
                lines: 0,
                invalid: Vec::new(),
            };
            for step in t["steps"].as_sequence().unwrap() {
                if step.get("foreign").and_then(|v| v.as_bool()) == Some(true) {
                    continue;
                }
                if step.get("invalid").and_then(|v| v.as_bool()) == Some(true) {
                    let line = step["host"].as_str().unwrap().as_bytes().to_vec();
                    log.invalid.push(line);
                    continue;
                }
                let (text, data) = if let Some(h) = step.get("host") {
                    (h.as_str().unwrap(), false)
                } else if let Some(m) = step.get("module") {
                    (m.as_str().unwrap(), false)
                } else if let Some(d) = step.get("host_data").or_else(|| step.get("module_data")) {
                    (d.as_str().unwrap(), true)
                } else {
                    panic!("{}: unknown step {step:?}", f.display());
                };
                log.bytes.extend_from_slice(text.as_bytes());
                log.bytes.extend_from_slice(b"\r\n");
                log.lines += usize::from(!data) + text.matches('\n').count() + usize::from(data);
            }
            logs.push(log);
        }
    }
    logs
}

/// Every byte-string literal (`b"..."`) of `decode_log.rs`: the logs its tests decode.
pub fn hand_made_logs() -> Vec<Vec<u8>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/decode_log.rs");
    let src = std::fs::read_to_string(path).unwrap();
    let mut out = Vec::new();
    let mut rest = src.as_str();
    while let Some(i) = rest.find("b\"") {
        let (log, after) = byte_literal(&rest[i + 2..]);
        out.push(log);
        rest = after;
    }
    out
}

/// The bytes of a byte-string literal's body (after its opening quote) and the source after it.
fn byte_literal(src: &str) -> (Vec<u8>, &str) {
    let b = src.as_bytes();
    let (mut out, mut i) = (Vec::new(), 0);
    while i < b.len() {
        match b[i] {
            b'"' => return (out, &src[i + 1..]),
            b'\\' => {
                i += 1;
                match b[i] {
                    b'r' => out.push(b'\r'),
                    b'n' => out.push(b'\n'),
                    b't' => out.push(b'\t'),
                    b'0' => out.push(0),
                    b'x' => {
                        out.push(u8::from_str_radix(&src[i + 1..i + 3], 16).unwrap());
                        i += 2;
                    }
                    // A line continuation: the line end and the next line's indent are dropped.
                    b'\n' => {
                        while b[i + 1] == b' ' {
                            i += 1;
                        }
                    }
                    c => out.push(c),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    panic!("an unterminated byte string in decode_log.rs")
}

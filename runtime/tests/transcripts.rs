//! Every example session of the document, through the generated code: each host line decodes
//! to a typed request whose encoding is byte-exact, each module line decodes (in the context of
//! the request it answers, or as a URC) to a typed value whose encoding is byte-exact.

use quectel_qi::wire::Writer;
use quectel_qi::{Request, Urc};
use std::path::Path;

const FINALS: &[&str] = &[
    "OK",
    "ERROR",
    "SEND OK",
    "SEND FAIL",
    "CONNECT",
    "NO CARRIER",
    ">",
];

fn transcripts() -> Vec<qi_codegen::spec::Transcript> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let model = qi_codegen::load_and_check(&dir).expect("the spec is valid");
    let mut all: Vec<_> = model
        .spec
        .transcripts
        .iter()
        .flat_map(|f| f.value.transcripts.clone())
        .collect();
    all.extend(
        model
            .spec
            .commands
            .iter()
            .flat_map(|c| c.value.examples.clone()),
    );
    all
}

fn reencode(f: impl FnOnce(&mut Writer<'_>) -> Result<(), quectel_qi::wire::Overflow>) -> Vec<u8> {
    let mut buf = [0u8; 4096];
    let mut w = Writer::new(&mut buf);
    f(&mut w).expect("fits");
    w.written().to_vec()
}

#[test]
fn every_example_session_round_trips() {
    let mut host_lines = 0;
    let mut module_lines = 0;
    for t in transcripts() {
        let mut current: Option<Vec<u8>> = None;
        let mut transparent = false;
        for (i, step) in t.steps.iter().enumerate() {
            let at = format!("{} step {i}", t.name);
            if step.foreign {
                continue;
            }
            if let Some(h) = &step.host {
                let decoded = Request::decode(h.as_bytes());
                if step.invalid {
                    assert!(
                        decoded.is_err(),
                        "{at}: `{h}` is marked invalid but decodes"
                    );
                    current = None;
                    continue;
                }
                let req = decoded.unwrap_or_else(|e| panic!("{at}: `{h}` does not decode: {e}"));
                let mut buf = [0u8; 600];
                let n = req
                    .encode(&mut buf)
                    .unwrap_or_else(|e| panic!("{at}: `{h}` does not encode: {e}"));
                assert_eq!(
                    std::str::from_utf8(&buf[..n]).unwrap(),
                    format!("{h}\r"),
                    "{at}"
                );
                current = Some(h.as_bytes().to_vec());
                host_lines += 1;
            }
            if let Some(m) = &step.module {
                if m == "CONNECT" {
                    transparent = true;
                }
                if FINALS.contains(&m.as_str()) {
                    if m != "CONNECT" && m != ">" {
                        transparent = false;
                    }
                    continue;
                }
                let payload = match t.steps.get(i + 1) {
                    Some(next) if next.module_data.is_some() && !transparent => {
                        next.module_data.clone().unwrap()
                    }
                    _ => String::new(),
                };
                let line = m.as_bytes();
                let req = current.as_deref().map(|h| Request::decode(h).unwrap());
                let from_response = req
                    .as_ref()
                    .and_then(|r| r.decode_response(line, payload.as_bytes()).ok());
                let bytes = match from_response {
                    Some(r) => reencode(|w| r.encode(w)),
                    None => {
                        let u = Urc::decode(line, payload.as_bytes()).unwrap_or_else(|e| {
                            panic!("{at}: `{m}` is neither a response nor a URC: {e}")
                        });
                        reencode(|w| u.encode(w))
                    }
                };
                let expected = if payload.is_empty() {
                    m.clone()
                } else {
                    format!("{m}\r\n{payload}")
                };
                assert_eq!(String::from_utf8_lossy(&bytes), expected, "{at}");
                module_lines += 1;
            }
        }
    }
    // The document's sessions hold dozens of lines; a broken loader would silently test none.
    assert!(host_lines >= 40, "only {host_lines} host lines");
    assert!(module_lines >= 25, "only {module_lines} module lines");
}

//! `qi decode --spec DIR`, the decoder driven by a spec loaded at run time: on the QI spec it
//! reads every log of the built-in decoder's tests as the built-in decoder does.

mod decode_support;

use decode_support::{hand_made_logs, spec_dir, transcripts};
use qi_sim::decode::{self, by_spec};
use serde_json::Value;

fn json(records: &[decode::Record]) -> Vec<Value> {
    records.iter().map(decode::Record::to_json).collect()
}

/// What the spec-driven decoder adds: the name of a `+CME ERROR` code.
fn without_additions(mut v: Vec<Value>) -> Vec<Value> {
    for r in &mut v {
        if r["name"] == "CME ERROR" {
            if let Some(f) = r["fields"].as_object_mut() {
                f.remove("name");
            }
        }
    }
    v
}

#[test]
fn the_qi_spec_decodes_every_test_log_as_the_built_in_decoder() {
    let table = by_spec::load(&spec_dir()).unwrap();
    let mut logs: Vec<(String, Vec<u8>)> = hand_made_logs()
        .into_iter()
        .enumerate()
        .map(|(i, l)| (format!("decode_log.rs literal {i}"), l))
        .collect();
    logs.extend(transcripts().into_iter().map(|t| (t.name, t.bytes)));
    assert!(logs.len() > 40, "{} logs", logs.len());
    let mut differ = Vec::new();
    for (name, log) in &logs {
        let built_in = json(&decode::decode_log(log));
        let by_spec = without_additions(json(&by_spec::decode_log(&table, log)));
        if built_in != by_spec {
            let first = built_in
                .iter()
                .zip(&by_spec)
                .find(|(a, b)| a != b)
                .map(|(a, b)| format!("built-in {a}\n   by spec  {b}"))
                .unwrap_or_else(|| format!("{} records against {}", built_in.len(), by_spec.len()));
            differ.push(format!("{name}: {}\n   {first}", log.escape_ascii()));
        }
    }
    assert!(differ.is_empty(), "{} differ:\n{}", differ.len(), differ.join("\n"));
}

//! `qi decode` over the document's example sessions (spec/examples/*.yaml and the commands'
//! `examples:`), written out as logs: every line decodes and is valid.

mod decode_support;

use decode_support::transcripts;
use serde_json::Value;
use std::process::{Command, Stdio};

fn qi_decode(input: &[u8], json: bool) -> (i32, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_qi"));
    cmd.arg("decode");
    if json {
        cmd.arg("--json");
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
    )
}

#[test]
fn every_example_session_decodes_valid() {
    let logs = transcripts();
    assert!(logs.len() >= 8, "the spec has its example sessions");
    let dir = std::env::temp_dir().join(format!("qi-decode-examples-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for log in &logs {
        let file = dir.join(format!("{}.log", log.name));
        std::fs::write(&file, &log.bytes).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_qi"))
            .args(["decode", "--json"])
            .arg(&file)
            .output()
            .unwrap();
        let (code, out) = (
            out.status.code().unwrap(),
            String::from_utf8(out.stdout).unwrap(),
        );
        let records: Vec<Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        for r in &records {
            assert_eq!(r["valid"], true, "{}: {r}", log.name);
        }
        assert_eq!(code, 0, "{}", log.name);
        // Every non-blank input line has its record, in order.
        let numbers: Vec<u64> = records
            .iter()
            .map(|r| r["line"].as_u64().unwrap())
            .collect();
        assert!(numbers.windows(2).all(|w| w[0] <= w[1]), "{}", log.name);
        assert!(
            records.len() >= log.lines.saturating_sub(2),
            "{}: {} records for {} lines",
            log.name,
            records.len(),
            log.lines
        );
        // No line of an example session is unknown.
        assert!(
            records.iter().all(|r| r["kind"] != "unknown"),
            "{}",
            log.name
        );
        // The readable listing agrees.
        let (code, listing) = qi_decode(&log.bytes, false);
        assert_eq!(code, 0);
        assert!(listing.ends_with(&format!("{} lines decoded, 0 invalid\n", records.len())));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn invalid_example_lines_are_flagged() {
    let mut seen = 0;
    for log in transcripts() {
        for line in &log.invalid {
            let mut input = line.clone();
            input.extend_from_slice(b"\r\n");
            let (code, out) = qi_decode(&input, true);
            let r: Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
            assert_eq!(r["valid"], false, "{}", log.name);
            assert_eq!(r["kind"], "command");
            assert_eq!(code, 1);
            seen += 1;
        }
    }
    assert!(seen >= 1, "the spec has a line that is wrong on purpose");
}

//! `qi decode --spec DIR`, the decoder driven by a spec loaded at run time: on the QI spec it
//! reads every log of the built-in decoder's tests as the built-in decoder does.

mod decode_support;

use decode_support::{hand_made_logs, spec_dir, transcripts};
use qi_sim::decode::{self, by_spec};
use serde_json::Value;

fn json(records: &[decode::Record]) -> Vec<Value> {
    records.iter().map(decode::Record::to_json).collect()
}

/// What the spec-driven decoder adds to a record of the built-in one, taken out of `by_spec`
/// where `built_in` lacks it: the name of a `+CME ERROR` code (`fields.name`); the text of a
/// field that carries an error code under another name than `err` (`result_text` of
/// `+QPING`); the header's fields of a data line the log ends inside.
fn without_additions(built_in: &[Value], mut by_spec: Vec<Value>) -> Vec<Value> {
    for (b, s) in built_in.iter().zip(by_spec.iter_mut()) {
        let truncated = b["warnings"].to_string().contains("truncated log");
        let (Some(bf), Some(sf)) = (b["fields"].as_object(), s["fields"].as_object_mut()) else {
            continue;
        };
        if truncated && bf.is_empty() {
            sf.clear();
        }
        let added: Vec<String> = sf
            .keys()
            .filter(|k| !bf.contains_key(*k))
            .filter(|k| k.ends_with("_text") || (b["name"] == "CME ERROR" && *k == "name"))
            .cloned()
            .collect();
        for k in added {
            sf.remove(&k);
        }
    }
    by_spec
}

/// Framing and variant choices the other logs leave out.
const MORE: &[&[u8]] = &[
    // Hex sending after the prompt, of a given length and up to Ctrl+Z, then raw again.
    b"AT+QICFG=\"dataformat\",1,0\r\nOK\r\nAT+QISEND=1,2\r\n> 4F4B\r\nSEND OK\r\n\
      AT+QISEND=1\r\n> 4F4B\x1a\r\nSEND OK\r\nAT+QICFG=\"dataformat\",0,0\r\nOK\r\n\
      AT+QISEND=1,2\r\n> OK\r\nSEND OK\r\n",
    // A pushed payload in hex digits.
    b"AT+QICFG=\"dataformat\",0,1\r\nOK\r\nAT+QIOPEN=1,2,\"TCP\",\"127.0.0.1\",7,0,1\r\nOK\r\n\
      +QIOPEN: 2,0\r\n+QIURC: \"recv\",2,4\r\n0D0A4F4B\r\n",
    // A socket the log never opened: pushed unless recvind is on.
    b"+QIURC: \"recv\",4,2\r\nhi\r\nAT+QICFG=\"recvind\",1\r\nOK\r\n+QIURC: \"recv\",4,2\r\nOK\r\n",
    // A socket switched to direct push, and back.
    b"AT+QISWTMD=1,1\r\nOK\r\n+QIURC: \"recv\",1,2\r\nOK\r\nAT+QISWTMD=1,0\r\nOK\r\n\
      +QIURC: \"recv\",1\r\n",
    // Buffer access without recvind: neither recv variant with a length fits the settings.
    b"AT+QIOPEN=1,0,\"TCP\",\"127.0.0.1\",7,0,0\r\nOK\r\n+QIURC: \"recv\",0,5\r\nOK\r\n",
    // Hex digits after a comma in a pushed URC, and a header cut by the log's end.
    b"AT+QICFG=\"viewmode\",1\r\nOK\r\nAT+QICFG=\"dataformat\",0,1\r\nOK\r\n\
      AT+QIOPEN=1,3,\"TCP\",\"127.0.0.1\",7,0,1\r\nOK\r\n+QIURC: \"recv\",3,2,4F4B\r\n\
      +QIURC: \"recv\",3,9,4F",
    // Problems: a bad keyword, a missing field, a test response that lists other values.
    b"+QIURC: \"nonsense\",1\r\n+QIOPEN: 1\r\nAT+QIOPEN=?\r\n\
      +QIOPEN: (1-16),(0-11),\"TCP/UDP\",\"<IP_address>/<domain_name>\",<remote_port>,<local_port>,(0-2)\r\nOK\r\n",
];

#[test]
fn the_qi_spec_decodes_every_test_log_as_the_built_in_decoder() {
    let table = by_spec::load(&spec_dir().to_string_lossy()).unwrap();
    let mut logs: Vec<(String, Vec<u8>)> = hand_made_logs()
        .into_iter()
        .enumerate()
        .map(|(i, l)| (format!("decode_log.rs literal {i}"), l))
        .collect();
    logs.extend(transcripts().into_iter().map(|t| (t.name, t.bytes)));
    logs.extend(
        MORE.iter()
            .map(|l| (l.escape_ascii().to_string(), l.to_vec())),
    );
    assert!(logs.len() > 40, "{} logs", logs.len());
    let mut differ = Vec::new();
    for (name, log) in &logs {
        let built_in = json(&decode::decode_log(log));
        let by_spec = without_additions(&built_in, json(&by_spec::decode_log(&table, log)));
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
    assert!(
        differ.is_empty(),
        "{} differ:\n{}",
        differ.len(),
        differ.join("\n")
    );
}

fn qi(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_qi"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn own_spec(path: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/own-spec");
    root.join(path).to_string_lossy().into_owned()
}

#[test]
fn a_users_own_spec_gets_a_decoder_with_its_names() {
    let (spec, log) = (own_spec("spec"), own_spec("logs/sample.log"));
    let (code, out, err) = qi(&["decode", "--spec", &spec, "--json", &log]);
    assert_eq!(code, 1, "the sample has invalid lines on purpose: {err}");
    let r: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let at = |line: u64| {
        r.iter()
            .find(|x| x["line"] == line && x["kind"] != "data")
            .unwrap()
    };
    let urc = |line: u64| (at(line)["name"].clone(), at(line)["variant"].clone());
    // Commands: the form, named and typed parameters.
    assert_eq!(
        (&at(1)["name"], &at(1)["form"]),
        (&"QPING".into(), &"write".into())
    );
    assert_eq!(at(1)["fields"]["pingnum"], 2);
    assert_eq!(at(1)["fields"]["host"], "example.com");
    // An empty field that keeps its place picks the form that allows it.
    assert_eq!(at(7)["fields"]["hb_interval"], Value::Null);
    assert_eq!(at(7)["fields"]["hb_retries"], 3);
    // A repeated group of parameters.
    assert_eq!(
        at(15)["fields"]["topics"],
        serde_json::json!([
            {"topic": "a/b", "qos": {"value": 1, "name": "at_least_once"}},
            {"topic": "c", "qos": {"value": 2, "name": "exactly_once"}}
        ])
    );
    // URCs by their variant; an empty field that keeps its place; a repeated field.
    assert_eq!(urc(3), ("QPING".into(), "ping_reply".into()));
    assert_eq!(at(4)["fields"]["ping_result"], 569);
    assert_eq!(urc(9), ("QXHB".into(), "heartbeat_missed".into()));
    assert_eq!(at(10)["fields"]["stop_reason"], Value::Null);
    assert_eq!(at(17)["fields"]["granted_qos"], serde_json::json!([1, 128]));
    // The socket's receive mode (set per socket) chooses the variant; an unset one the first.
    assert_eq!(urc(13), ("QXRECV".into(), "waiting_messages".into()));
    assert_eq!(urc(14), ("QXRECV".into(), "waiting_bytes".into()));
    // Responses: a repeated field, a quoted string read by its length, a payload after the line.
    assert_eq!(at(21)["kind"], "response");
    assert_eq!(
        at(21)["fields"]["address"],
        serde_json::json!(["10.0.0.1", "fe80::1"])
    );
    assert_eq!(at(24)["fields"]["msg"], "a,\"b\"c");
    assert_eq!(at(27)["fields"]["data"], "he\r\nl");
    let data: Vec<&Value> = r.iter().filter(|x| x["kind"] == "data").collect();
    assert_eq!(data.len(), 2, "the payload's line end is data, not a line");
    assert_eq!(at(30)["name"], "OK");
    // Raw bytes in the line by their length, and a quoted message holding a quote.
    assert_eq!(at(31)["fields"]["peeked_bytes"], "a,b");
    assert_eq!(at(32)["fields"]["msg"], "x,\"y");
    // A string read by its length holds line ends: the line goes on after them.
    assert_eq!(at(40)["fields"]["msg"], "a\r\nb");
    assert_eq!(at(42)["name"], "OK");
    assert_eq!(at(43)["fields"]["msg"], "\r\n,");
    assert!(
        r.iter().all(|x| x["kind"] != "unknown" || x["line"] == 36),
        "{r:?}"
    );
    // Error codes by the spec's names.
    assert_eq!(at(6)["fields"]["name"], "socket_not_open");
    assert_eq!(at(6)["fields"]["text"], "socket not open");
    // Problems, each of its line.
    let errors = |line: u64| at(line)["errors"].to_string();
    assert!(errors(33).contains("<connectID> = 12 is not allowed; allowed: 0..=11"));
    assert!(errors(34).contains("<host> is 0 bytes long; allowed: at least 1 byte"));
    assert!(errors(35).contains("<missed> = 0 is not allowed; allowed: 1..=255"));
    assert_eq!(at(36)["kind"], "unknown");
    assert!(errors(36).contains("not a line of the spec"));
    assert!(errors(37).contains("not a command of the spec"));
    assert!(errors(38).contains("<err> = 99 is not an error code of the spec"));
    let invalid: Vec<u64> = r
        .iter()
        .filter(|x| x["valid"] == false)
        .map(|x| x["line"].as_u64().unwrap())
        .collect();
    assert_eq!(invalid, [33, 34, 35, 36, 37, 38]);
    // The listing names them too.
    let (_, listing, _) = qi(&["decode", "--spec", &spec, &log]);
    assert!(listing.contains("QXRECV waiting_messages"), "{listing}");
    assert!(listing.ends_with("lines decoded, 6 invalid\n"), "{listing}");
}

#[test]
fn every_problem_of_an_own_spec_line_is_reported() {
    let dir = std::env::temp_dir().join(format!("qi-decode-own-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("problems.log");
    std::fs::write(
        &log,
        "AT+QXHB=12,1,5\r\n+QXHB: 99,0\r\nAT+QXHB=0,1\r\n+CME ERROR: 5\r\n",
    )
    .unwrap();
    let (code, out, _) = qi(&[
        "decode",
        "--spec",
        &own_spec("spec"),
        "--json",
        log.to_str().unwrap(),
    ]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(code, 1);
    let r: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let errors: Vec<Vec<&str>> = r
        .iter()
        .map(|x| {
            x["errors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e.as_str().unwrap())
                .collect()
        })
        .collect();
    assert_eq!(errors[0].len(), 2, "{errors:?}");
    assert!(errors[0][0].contains("<connectID> = 12"), "{errors:?}");
    assert!(errors[0][1].contains("<interval> = 5"), "{errors:?}");
    assert_eq!(errors[1].len(), 2, "{errors:?}");
    assert!(errors[1][0].contains("<connectID> = 99"), "{errors:?}");
    assert!(errors[1][1].contains("<missed> = 0"), "{errors:?}");
    // A code of the spec that the command does not report: worth knowing, not wrong.
    assert_eq!(r[3]["valid"], true);
    assert_eq!(
        r[3]["warnings"][0],
        "AT+QXHB reports only 4; 5 is not one of them"
    );
}

#[test]
fn a_malformed_spec_is_reported_where_it_is_wrong() {
    let dir = std::env::temp_dir().join(format!("qi-decode-bad-spec-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(std::path::Path::new(&own_spec("spec")), &dir);
    // An unknown parameter type, on line 3 of the URC file, and a range upside down.
    let urcs = dir.join("urcs.yaml");
    let text = std::fs::read_to_string(&urcs).unwrap();
    std::fs::write(
        &urcs,
        text.replacen("fields: [ping_result", "fields: [no_such_param", 1),
    )
    .unwrap();
    let params = dir.join("params/common.yaml");
    let text = std::fs::read_to_string(&params).unwrap();
    std::fs::write(
        &params,
        text.replacen(
            "range: [[1, 255]], about: how many",
            "range: [[255, 1]], about: how many",
            1,
        ),
    )
    .unwrap();
    let (code, out, err) = qi(&["decode", "--spec", dir.to_str().unwrap(), "-"]);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty(), "nothing is decoded: {out}");
    let located: Vec<&str> = err
        .lines()
        .filter(|l| {
            let mut parts = l.splitn(4, ':');
            let file = parts.next().unwrap_or_default();
            let line = parts.next().unwrap_or_default();
            let col = parts.next().unwrap_or_default();
            file.ends_with(".yaml") && line.parse::<u32>().is_ok() && col.parse::<u32>().is_ok()
        })
        .collect();
    assert!(
        located
            .iter()
            .any(|l| l.contains("urcs.yaml") && l.contains("no_such_param")),
        "{err}"
    );
    assert!(located.iter().any(|l| l.contains("common.yaml")), "{err}");
    // A directory without a spec.
    let (code, _, err) = qi(&["decode", "--spec", "/nonexistent/spec", "-"]);
    assert_eq!(code, 2, "{err}");
    assert!(!err.is_empty());
}

#[test]
fn a_view_of_the_spec_decodes_as_that_revision_or_module() {
    let dir = std::env::temp_dir().join(format!("qi-decode-view-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("view.log");
    std::fs::write(&log, "AT+QXHB=0,1,20\r\nOK\r\n").unwrap();
    let log = log.to_str().unwrap();
    let decode = |view: &str| {
        let (code, out, err) = qi(&["decode", "--spec", &own_spec(view), "--json", log]);
        let first: Value = serde_json::from_str(out.lines().next().unwrap_or("null")).unwrap();
        (code, first["errors"].to_string(), err)
    };
    let (code, _, err) = decode("spec");
    assert_eq!(code, 0, "{err}");
    // The EG800Q build's heartbeat is at least 30 s.
    let (code, errors, _) = decode("spec+eg800q");
    assert_eq!(code, 1);
    assert!(
        errors.contains("<interval> = 20 is not allowed; allowed: 30..=3600"),
        "{errors}"
    );
    // Revision 1.0 had no AT+QXHB.
    let (code, errors, _) = decode("spec@1.0");
    assert_eq!(code, 1);
    assert!(errors.contains("not a command of the spec"), "{errors}");
    let (code, _, err) = decode("spec@0.9");
    assert_eq!(code, 2, "an unknown revision: {err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// A copy of the own-spec example with a command that prompts for data (the example itself has
/// none, so that its digester shows a `>` line is no prompt there): `AT+QXSEND`'s prompt is
/// encoded by `send_format`, a per-socket setting that `AT+QXCONF="sendformat"` sets; and
/// `AT+QXRD`'s data framed by two module-wide settings (`AT+QXCONF="dataformat"`).
fn own_spec_with_framing(test: &str) -> std::path::PathBuf {
    fn copy(from: &std::path::Path, to: &std::path::Path) {
        std::fs::create_dir_all(to).unwrap();
        for e in std::fs::read_dir(from).unwrap() {
            let e = e.unwrap();
            if e.file_type().unwrap().is_dir() {
                copy(&e.path(), &to.join(e.file_name()));
            } else {
                std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
            }
        }
    }
    let dir = std::env::temp_dir().join(format!("qi-decode-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy(std::path::Path::new(&own_spec("spec")), &dir);
    let append = |file: &str, text: &str| {
        let path = dir.join(file);
        let old = std::fs::read_to_string(&path).unwrap_or_default();
        std::fs::write(&path, old + text).unwrap();
    };
    append(
        "commands/qxsend.yaml",
        "name: QXSEND\ntitle: Send data\nsection: \"A.7\"\nabout: sends data after a prompt\n\
         forms:\n  - name: send\n    kind: write\n    about: sends send_len bytes\n\
         \x20   params: [connect_id, send_len]\n    response:\n\
         \x20     prompt: { length: send_len, max_len: 512, encoding_by: send_format }\n\
         \x20     outcomes:\n        - final: [SEND OK, SEND FAIL, ERROR]\n",
    );
    append(
        "params/common.yaml",
        "send_format:\n  doc: send_format\n  type: enum\n  about: how a socket's payload is written\n\
         \x20 per: connect_id\n  default: 0\n  values:\n\
         \x20   - { value: 0, name: raw, about: the bytes, framing: raw }\n\
         \x20   - { value: 1, name: hex, about: two hex digits per byte, framing: hex }\n\
         send_len:\n  { doc: length, type: int, range: [[1, 512]], about: bytes to send }\n\
         recv_format:\n  doc: recv_format\n  type: enum\n  about: how read data is written\n\
         \x20 default: 0\n  values:\n\
         \x20   - { value: 0, name: raw, about: the bytes, framing: raw }\n\
         \x20   - { value: 1, name: hex, about: two hex digits per byte, framing: hex }\n\
         recv_separator:\n  doc: recv_separator\n  type: enum\n  about: what comes before read data\n\
         \x20 default: 0\n  values:\n\
         \x20   - { value: 0, name: line_end, about: CR LF, framing: crlf }\n\
         \x20   - { value: 1, name: comma, about: a comma, framing: comma }\n",
    );
    let qxrd = dir.join("commands/qxrd.yaml");
    let text = std::fs::read_to_string(&qxrd).unwrap().replacen(
        "data: { length: read_len }",
        "data: { length: read_len, separator_by: recv_separator, encoding_by: recv_format }",
        1,
    );
    std::fs::write(&qxrd, text).unwrap();
    let qxconf = dir.join("commands/qxconf.yaml");
    let text = std::fs::read_to_string(&qxconf).unwrap().replacen(
        "forms:\n",
        "forms:\n  - name: send_format\n    kind: write\n    selector: sendformat\n\
         \x20   about: sets how a socket's payload is written\n    params: [connect_id, send_format]\n\
         \x20   response:\n      outcomes:\n        - final: [OK, ERROR]\n\
         \x20 - name: data_format\n    kind: write\n    selector: dataformat\n\
         \x20   about: sets how read data is written\n    params: [recv_format, recv_separator]\n\
         \x20   response:\n      outcomes:\n        - final: [OK, ERROR]\n",
        1,
    );
    std::fs::write(&qxconf, text).unwrap();
    dir
}

/// Hex data after a prompt by another spec's names alone: the prompt's `encoding_by` names a
/// per-socket setting (`per: connect_id`) whose values say `framing: raw` or `framing: hex`.
/// Socket 1 set to hex takes two digits per byte; socket 0 (never set: the default) and
/// socket 2 (set back to raw) take the bytes themselves.
#[test]
fn another_spec_frames_the_payload_after_a_prompt_by_its_own_setting() {
    let dir = own_spec_with_framing("prompt");
    let table = by_spec::load(&dir.to_string_lossy());
    std::fs::remove_dir_all(&dir).unwrap();
    let table = table.unwrap();
    let log = b"AT+QXCONF=\"sendformat\",1,1\r\nOK\r\n\
        AT+QXSEND=1,2\r\n> 4F4B\r\nSEND OK\r\n\
        AT+QXSEND=0,2\r\n> OK\r\nSEND OK\r\n\
        AT+QXCONF=\"sendformat\",2,0\r\nOK\r\nAT+QXSEND=2,3\r\n> a\r\n\r\nSEND OK\r\n";
    let r = json(&by_spec::decode_log(&table, log));
    let shown: Vec<String> = r
        .iter()
        .map(|x| match x["kind"].as_str().unwrap() {
            "data" => format!("data {}", x["fields"]["bytes"]),
            k => k.to_owned(),
        })
        .collect();
    assert_eq!(
        shown,
        [
            "command", "result", "command", "prompt", "data 4", "result", "command", "prompt",
            "data 2", "result", "command", "result", "command", "prompt", "data 3", "result"
        ],
        "{r:?}"
    );
    assert!(
        r.iter().all(|x| x["errors"] == Value::Array(vec![])),
        "{r:?}"
    );
    assert_eq!(r[0]["fields"]["send_format"]["name"], "hex");
}

/// Read data framed by another spec's own settings: hex digits, then after a comma, then raw
/// again, each value meaning what its `framing:` says.
#[test]
fn another_spec_frames_read_data_by_its_own_settings() {
    let dir = own_spec_with_framing("read");
    let table = by_spec::load(&dir.to_string_lossy());
    std::fs::remove_dir_all(&dir).unwrap();
    let table = table.unwrap();
    let log = b"AT+QXCONF=\"dataformat\",1,0\r\nOK\r\nAT+QXRD=0,5\r\n+QXRD: 2\r\n4F4B\r\nOK\r\n\
        AT+QXCONF=\"dataformat\",1,1\r\nOK\r\nAT+QXRD=0,5\r\n+QXRD: 2,4F4B\r\nOK\r\n\
        AT+QXCONF=\"dataformat\",0,0\r\nOK\r\nAT+QXRD=0,5\r\n+QXRD: 2\r\nab\r\nOK\r\n";
    let r = json(&by_spec::decode_log(&table, log));
    let read: Vec<&Value> = r.iter().filter(|x| x["kind"] == "response").collect();
    let data: Vec<&Value> = read.iter().map(|x| &x["fields"]["data"]).collect();
    assert_eq!(data, ["OK", "OK", "ab"], "{r:?}");
    let bytes: Vec<&Value> = r
        .iter()
        .filter(|x| x["kind"] == "data")
        .map(|x| &x["fields"]["bytes"])
        .collect();
    assert_eq!(bytes, [4, 4, 2], "{r:?}");
    assert!(
        r.iter().all(|x| x["errors"] == Value::Array(vec![])),
        "{r:?}"
    );
    assert!(r.iter().all(|x| x["kind"] != "unknown"), "{r:?}");
}

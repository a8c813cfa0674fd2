//! `qi decode` on hand-made logs: out-of-range values flagged in both directions, payload
//! consumed as data, the JSON shape, exit statuses and the readable listing.

use serde_json::Value;
use std::io::Write;
use std::process::{Command, Stdio};

fn qi(args: &[&str], input: &[u8]) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_qi"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn records(input: &[u8]) -> (i32, Vec<Value>) {
    let (code, out) = qi(&["decode", "--json"], input);
    let v = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (code, v)
}

#[test]
fn out_of_range_host_value_is_flagged() {
    let (code, r) = records(b"AT+QIOPEN=1,12,\"TCP\",\"192.0.2.2\",8009,0,0\r\nERROR\r\n");
    assert_eq!(code, 1);
    assert_eq!(r[0]["dir"], "host");
    assert_eq!(r[0]["kind"], "command");
    assert_eq!(r[0]["name"], "QIOPEN");
    assert_eq!(r[0]["form"], "write");
    assert_eq!(r[0]["valid"], false);
    let e = r[0]["errors"][0].as_str().unwrap();
    assert!(
        e.contains("<connectID> = 12") && e.contains("0..=11"),
        "{e}"
    );
    assert_eq!(r[1]["kind"], "result");
    assert_eq!(r[1]["valid"], true);
}

#[test]
fn out_of_range_module_value_is_flagged() {
    let (code, r) =
        records(b"AT+QIOPEN=1,0,\"TCP\",\"192.0.2.2\",8009,0,0\r\nOK\r\n\r\n+QIOPEN: 0,999\r\n");
    assert_eq!(code, 1);
    assert_eq!(r.len(), 3, "the blank line has no record");
    assert_eq!(r[2]["line"], 4);
    assert_eq!(r[2]["dir"], "module");
    assert_eq!(r[2]["kind"], "urc");
    assert_eq!(r[2]["name"], "QIOPEN");
    assert_eq!(r[2]["valid"], false);
    let e = r[2]["errors"][0].as_str().unwrap();
    assert!(e.contains("<err> = 999") && e.contains("550..=574"), "{e}");
    // The same line in range is fine.
    let (code, r) = records(b"+QIOPEN: 0,566\r\n");
    assert_eq!(
        (code, &r[0]["fields"]),
        (
            0,
            &serde_json::json!({"connect_id": 0, "err": 566, "err_text": "Socket connect failed"})
        )
    );
}

#[test]
fn payload_after_qird_is_data_even_when_it_looks_like_lines() {
    // The 12 bytes hold CR LF, OK and a URC prefix: all data.
    let log = b"AT+QIRD=0,1500\r\n+QIRD: 12\r\nOK\r\n+QIURC: \r\nOK\r\n";
    let (code, r) = records(log);
    assert_eq!(code, 0, "{r:?}");
    let kinds: Vec<&str> = r.iter().map(|x| x["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["command", "response", "data", "data", "result"]);
    assert_eq!(r[1]["name"], "QIRD");
    assert_eq!(r[1]["fields"]["read_actual_length"], 12);
    assert_eq!(r[2]["dir"], "module");
    assert_eq!(r[4]["line"], 5);
}

#[test]
fn payload_after_prompt_and_push_urc_is_data() {
    let log = b"AT+QIOPEN=1,0,\"TCP\",\"127.0.0.1\",7,0,1\r\nOK\r\n+QIOPEN: 0,0\r\n\
AT+QISEND=0,4\r\n> OK\r\n\r\nSEND OK\r\nAT+QISEND=0\r\n> AT+X\x1a\r\nSEND OK\r\n\
+QIURC: \"recv\",0,3\r\nOK\r\n";
    let (code, r) = records(log);
    assert_eq!(code, 0, "{r:#?}");
    let kinds: Vec<(&str, &str)> = r
        .iter()
        .map(|x| (x["dir"].as_str().unwrap(), x["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("host", "command"),
            ("module", "result"),
            ("module", "urc"),
            ("host", "command"),
            ("module", "prompt"),
            ("host", "data"),
            ("module", "result"),
            ("host", "command"),
            ("module", "prompt"),
            ("host", "data"),
            ("module", "result"),
            ("module", "urc"),
            ("module", "data"),
        ]
    );
    assert_eq!(r[5]["fields"]["bytes"], 4, "CR LF inside the 4 bytes");
    assert_eq!(r[11]["fields"]["data"], "OK\r");
}

#[test]
fn recv_urc_with_length_carries_no_data_in_buffer_access_with_recvind() {
    let log = b"AT+QIOPEN=1,0,\"TCP\",\"127.0.0.1\",7,0,0\r\nOK\r\n+QIOPEN: 0,0\r\n\
AT+QICFG=\"recvind\",1\r\nOK\r\n+QIURC: \"recv\",0,5\r\nAT+QIRD=0,1500\r\n+QIRD: 5\r\nhello\r\nOK\r\n";
    let (code, r) = records(log);
    assert_eq!(code, 0, "{r:#?}");
    assert_eq!(r[5]["kind"], "urc");
    assert_eq!(
        r[6]["kind"], "command",
        "the line after the URC is not data"
    );
}

#[test]
fn echo_unknown_and_cme_error() {
    let log = b"AT+QIACT?\r\nAT+QIACT?\r\n+QIACT: 1,1,1,\"10.7.157.1\"\r\nOK\r\nAT+QIDEACT=1\r\n+CME ERROR: 566\r\nhello\r\n";
    let (code, r) = records(log);
    assert_eq!(code, 1);
    assert_eq!(
        (r[1]["kind"].as_str(), r[1]["dir"].as_str()),
        (Some("echo"), Some("module"))
    );
    assert_eq!(r[1]["form"], "read");
    assert_eq!(r[2]["kind"], "response");
    assert_eq!(r[2]["fields"]["context_id"], 1);
    assert_eq!(r[2]["fields"]["ip_address"], "10.7.157.1");
    assert_eq!(r[5]["name"], "CME ERROR");
    assert_eq!(r[5]["fields"]["text"], "Socket connect failed");
    assert_eq!(r[6]["kind"], "unknown");
    assert!(r[6].get("name").is_none());
    assert_eq!(r[6]["valid"], false);
}

#[test]
fn json_shape() {
    let (_, r) = records(b"AT+QIOPEN=?\r\n");
    let obj = r[0].as_object().unwrap();
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        ["dir", "errors", "fields", "form", "kind", "line", "name", "valid"]
    );
    assert_eq!(r[0]["form"], "test");
    assert!(r[0]["errors"].as_array().unwrap().is_empty());
    assert!(r[0]["fields"].is_object());
}

#[test]
fn readable_listing_names_errors_and_exit_statuses() {
    let (code, out) = qi(
        &["decode", "-"],
        b"AT+QIOPEN=1,12,\"TCP\",\"a\",1,0,0\r\n+CME ERROR: 566\r\n",
    );
    assert_eq!(code, 1);
    assert!(
        out.contains("<connectID> = 12 is not allowed; allowed: 0..=11"),
        "{out}"
    );
    assert!(out.contains("Socket connect failed"), "{out}");
    let (code, _) = qi(&["decode", "/nonexistent/log"], b"");
    assert_eq!(code, 2);
    let (code, _) = qi(&["decode", "--bogus"], b"");
    assert_eq!(code, 2);
    let (code, _) = qi(&["decode"], b"OK\r\n");
    assert_eq!(code, 0);
}

#[test]
fn broken_rules_are_named_with_what_is_allowed() {
    // A listener has no remote end: the document asks for remote port 0.
    let (code, r) = records(b"AT+QIOPEN=1,0,\"TCP LISTENER\",\"127.0.0.1\",8009,2020,0\r\n");
    assert_eq!(code, 1);
    let e = r[0]["errors"][0].as_str().unwrap();
    assert!(e.contains("<remote_port> is 8009"), "{e}");
    assert!(e.contains("allowed: 0"), "{e}");
}

#[test]
fn urcs_name_their_variant() {
    let (code, r) = records(b"+QIURC: \"closed\",0\r\n+QIURC: \"pdpdeact\",1\r\n");
    assert_eq!(code, 0);
    assert_eq!(
        (&r[0]["name"], &r[0]["variant"]),
        (&"QIURC".into(), &"closed".into())
    );
    assert_eq!(r[1]["variant"], "pdpdeact");
    let (_, listing) = qi(&["decode"], b"+QIURC: \"closed\",0\r\n");
    assert!(listing.contains("QIURC closed"), "{listing}");
}

#[test]
fn a_log_ending_inside_a_payload_is_truncated_not_invalid() {
    for log in [
        &b"AT+QISEND=1,12\r\n> "[..],
        b"AT+QISEND=1,12\r\n> hello",
        b"AT+QISEND=1\r\n> hel",
        b"AT+QIRD=0,1500\r\n+QIRD: 5\r\nab",
    ] {
        let (code, r) = records(log);
        assert_eq!(code, 0, "{}", log.escape_ascii());
        let warned: Vec<&Value> = r.iter().filter(|x| x.get("warnings").is_some()).collect();
        assert_eq!(warned.len(), 1, "{r:?}");
        assert!(warned[0]["warnings"][0]
            .as_str()
            .unwrap()
            .contains("truncated log"));
    }
    // Short data with lines after it is still an error: the log goes on, the data is wrong.
    let (code, _) = records(b"AT+QISEND=1\r\n> hel\r\nAT\r\nOK\r\n");
    assert_eq!(code, 1);
}

#[test]
fn enumerations_print_their_wire_value_and_spec_name() {
    let (code, r) = records(
        b"AT+QICSGP=1,1,\"\",\"\",\"\",0\r\nOK\r\nAT+QIOPEN=1,0,\"TCP LISTENER\",\"127.0.0.1\",0,2020,0\r\n",
    );
    assert_eq!(code, 0);
    let f = &r[0]["fields"];
    // `none` is an enumeration value, never JSON null.
    assert_eq!(
        f["authentication"],
        serde_json::json!({"value": 0, "name": "none"})
    );
    assert_eq!(
        r[2]["fields"]["service_type"],
        serde_json::json!({"value": "TCP LISTENER", "name": "tcp_listener"})
    );
    // An optional parameter left out is null.
    let (_, r) = records(b"AT+QIOPEN=1,0,\"TCP\",\"192.0.2.2\",80\r\n");
    assert_eq!(r[0]["fields"]["access_mode"], Value::Null);
}

#[test]
fn every_problem_of_a_line_is_reported() {
    let (code, r) = records(b"AT+QIOPEN=1,12,\"TCP\",\"x\",70000\r\n");
    assert_eq!(code, 1);
    let errors: Vec<&str> = r[0]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(errors[0].contains("<connectID> = 12"), "{errors:?}");
    assert!(errors[1].contains("<remote_port> = 70000"), "{errors:?}");
}

/// The records' kinds and the data bytes they count.
fn kinds(r: &[Value]) -> Vec<String> {
    r.iter()
        .map(|x| match x["kind"].as_str().unwrap() {
            "data" => format!("data {}", x["fields"]["bytes"]),
            k => k.to_owned(),
        })
        .collect()
}

#[test]
fn hex_data_format_payloads_are_digits_both_ways() {
    let log = b"AT+QICFG=\"dataformat\",1,1\r\nOK\r\n\
        AT+QIRD=0,1500\r\n+QIRD: 5\r\n68656C6C6F\r\n\r\nOK\r\n\
        AT+QISEND=0,5\r\n> 68656C6C6F\r\nSEND OK\r\n\
        AT+QIOPEN=1,2,\"TCP\",\"127.0.0.1\",7,0,1\r\nOK\r\n+QIOPEN: 2,0\r\n\
        +QIURC: \"recv\",2,4\r\n0D0A4F4B\r\n";
    let (code, r) = records(log);
    assert_eq!(code, 0, "{r:?}");
    assert_eq!(r[3]["fields"]["data"], "hello", "{r:?}");
    assert_eq!(r[3]["fields"]["read_actual_length"], 5);
    let urc = r.iter().find(|x| x["variant"] == "recv_push").unwrap();
    assert_eq!(urc["fields"]["data"], "\r\nOK");
    let k = kinds(&r);
    assert_eq!(k.iter().filter(|k| *k == "data 10").count(), 2, "{k:?}");
    assert!(k.contains(&"data 8".to_owned()), "{k:?}");
    assert!(r.iter().all(|x| x["kind"] != "unknown"), "{r:?}");
    // Digits that are not hex: an error of that line, and the log goes on.
    let (code, r) = records(
        b"AT+QICFG=\"dataformat\",0,1\r\nOK\r\nAT+QIRD=0,9\r\n+QIRD: 2\r\nZZZZ\r\n\r\nOK\r\n",
    );
    assert_eq!(code, 1);
    assert!(
        r[3]["errors"][0].as_str().unwrap().contains("NotHex"),
        "{r:?}"
    );
    assert_eq!(r.last().unwrap()["name"], "OK");
}

#[test]
fn view_mode_1_payloads_follow_their_header_after_a_comma() {
    let log = b"AT+QICFG=\"viewmode\",1\r\nOK\r\n\
        AT+QIRD=0,1500\r\n+QIRD: 8,hi\r\nOK\r\n\r\nOK\r\n\
        AT+QIOPEN=1,3,\"TCP\",\"127.0.0.1\",7,0,1\r\nOK\r\n+QIOPEN: 3,0\r\n\
        +QIURC: \"recv\",3,3,abc\r\n";
    let (code, r) = records(log);
    assert_eq!(code, 0, "{r:?}");
    assert_eq!(r[3]["fields"]["data"], "hi\r\nOK\r\n", "{r:?}");
    assert_eq!(
        r[3]["line"], r[4]["line"],
        "the payload starts on the header's line"
    );
    let urc = r.iter().find(|x| x["variant"] == "recv_push").unwrap();
    assert_eq!(urc["fields"]["data"], "abc");
    assert_eq!(r.last().unwrap()["fields"]["bytes"], 3);
    // Both at once: hex digits after the comma.
    let (code, r) = records(
        b"AT+QICFG=\"viewmode\",1\r\nOK\r\nAT+QICFG=\"dataformat\",0,1\r\nOK\r\n\
          AT+QIRD=0,9\r\n+QIRD: 2,4F4B\r\n\r\nOK\r\n",
    );
    assert_eq!(code, 0, "{r:?}");
    assert_eq!(r[5]["fields"]["data"], "OK", "{r:?}");
}

#[test]
fn a_framed_log_ending_inside_a_payload_is_truncated() {
    for log in [
        &b"AT+QICFG=\"viewmode\",1\r\nOK\r\nAT+QIRD=0,9\r\n+QIRD: 9,hel"[..],
        b"AT+QICFG=\"dataformat\",0,1\r\nOK\r\nAT+QIRD=0,9\r\n+QIRD: 3\r\n4F4",
        b"AT+QICFG=\"dataformat\",1,0\r\nOK\r\nAT+QISEND=0,3\r\n> 4F4",
    ] {
        let (code, r) = records(log);
        assert_eq!(code, 0, "{}: {r:?}", log.escape_ascii());
        let warned: Vec<&Value> = r.iter().filter(|x| x.get("warnings").is_some()).collect();
        assert_eq!(warned.len(), 1, "{r:?}");
        assert!(warned[0]["warnings"][0]
            .as_str()
            .unwrap()
            .contains("truncated log"));
    }
}

#[test]
fn test_responses_keep_their_lists_whole() {
    let (code, r) = records(
        b"AT+QICFG=?\r\n+QICFG: \"dataformat\",(0,1),(0,1)\r\n+QICFG: \"send/auto\",(0-11),(0,20-86400),<msg_auto>,(0,1),(1-10)\r\nOK\r\n",
    );
    assert_eq!(code, 0, "{r:?}");
    assert_eq!(r[1]["fields"]["send_data_format"], "(0,1)");
    assert_eq!(r[1]["fields"]["recv_data_format"], "(0,1)");
    assert!(r[1].get("differences").is_none(), "{r:?}");
    assert_eq!(r[2]["fields"]["period"], "(0,20-86400)");
    assert_eq!(r[2]["fields"]["auto_data_format"], "(0,1)");
}

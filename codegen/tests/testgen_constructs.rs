//! The generated cases of the own-spec example, which has every construct of the schema:
//! repeated groups and fields, framed fields, left-out middle fields, URC variants chosen per
//! instance, and the items its revision 3.0 removed. Its conformance script comes
//! from its spec alone.

use qi_codegen::testgen::{self, Kind};
use std::path::{Path, PathBuf};

fn own_spec() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/own-spec/spec")
}

fn model() -> qi_codegen::ir::Model {
    qi_codegen::load_and_check(&own_spec()).expect("the own-spec example is valid")
}

/// The generated call of a case, from the rendered test file.
fn rendered(cases_rs: &str, name: &str) -> String {
    let start = cases_rs
        .find(&format!("fn {name}()"))
        .unwrap_or_else(|| panic!("no case {name}"));
    let body = &cases_rs[start..];
    body[..body.find("\n}\n").unwrap()].to_owned()
}

#[test]
fn every_construct_has_its_cases() {
    let m = model();
    let cases = testgen::cases(&m);
    let counts = testgen::counts(&cases);
    for k in Kind::ALL.into_iter().filter(|k| *k != Kind::Removed) {
        assert!(counts[&k] > 0, "no {} case", k.as_str());
    }
    let cases_rs = testgen::rust::cases(&m, &cases);
    for (name, call) in [
        // A repeated group: its bounds, one past the most, one short of the fewest.
        (
            "qxsub_subscribe_topics_accepts_4_entries",
            "qi_tests::accepts(",
        ),
        (
            "qxsub_subscribe_topics_rejects_5_entries",
            "qi_tests::rejects_line::<quectel_qi::qxsub::Subscribe>(\"AT+QXSUB=0,1,\\\"a\\\",0,\\\"a\\\",0,\\\"a\\\",0,\\\"a\\\",0,\\\"a\\\",0\")",
        ),
        (
            "qxsub_subscribe_topics_rejects_0_entries",
            "\"topics\", \"AT+QXSUB=0,1\")",
        ),
        // An entry's own values are bounded too.
        ("qxsub_subscribe_topic_rejects_len_65", "qi_tests::rejects_invalid("),
        ("qxsub_subscribe_qos_rejects_unlisted_3", "rejects_out_of_type::<quectel_qi::Qos,"),
        // Repeated fields of a response line and of a URC.
        (
            "response_qxaddr_list_line_address_rejects_0_values",
            "DecodeError::MissingField { index: 1 }",
        ),
        (
            "urc_subscribed_granted_qos_rejects_5_values",
            "DecodeError::TrailingData",
        ),
        ("urc_subscribed_granted_qos_accepts_0_values", "(\"+QXSUB: 0,1,0\", 0)"),
        ("urc_subscribed_granted_qos_rejects_3", "qi_tests::shape_rejects::<"),
        // Framed fields, quoted and raw: a length that does not match is an error.
        (
            "urc_message_msg_rejects_length_10_for_9_bytes",
            "DecodeError::Truncated",
        ),
        (
            "urc_message_msg_rejects_length_8_for_9_bytes",
            "DecodeError::NotQuoted { index: 2 }",
        ),
        (
            "urc_peeked_peeked_bytes_rejects_length_8_for_9_bytes",
            "DecodeError::TooLong { index: 2 }",
        ),
        ("urc_message_round_trips", "\"+QXMSG: 0,9,\\\"a\\\",\\r\\nOK,b\\\"\""),
        // Optional fields left out: in the middle an empty field keeps the place.
        ("qxhb_configure_hb_interval_accepts_absent", "\"AT+QXHB=0,0,,1\""),
        ("urc_heartbeat_stopped_stop_reason_accepts_absent", "\"+QXHBSTOP: 0,,1\""),
        ("urc_ping_reply_ip_address_accepts_absent", "\"+QPING: 0\""),
        // A URC variant chosen per instance, and not for another instance.
        (
            "urc_waiting_messages_is_chosen_by_recv_mode",
            "if instance == Some(0) { quectel_qi::RecvMode::Messages } else { quectel_qi::RecvMode::Bytes }",
        ),
        (
            "urc_waiting_bytes_is_chosen_by_recv_mode",
            "!matches!(other, Ok(quectel_qi::Urc::WaitingBytes(_)))",
        ),
    ] {
        let text = rendered(&cases_rs, name);
        assert!(text.contains(call), "{name}: {text}");
    }
    // Property tests draw every form and line now, groups and framed fields included.
    let props = testgen::rust::props(&m);
    for name in [
        "fn qxsub_subscribe(",
        "fn urc_subscribed(",
        "fn urc_message(",
        "fn urc_peeked(",
        "fn response_qxaddr_list_line(",
        "fn response_qxnote_read_line(",
    ] {
        assert!(props.contains(name), "no property {name}");
    }
}

/// Revision 3.0 of the example removed an execute form of AT+QPING, a URC and an enumeration
/// value: the generated suite checks that none of them decodes any more (own-spec-example
/// builds and runs these cases in its `tests/generated.rs`).
#[test]
fn what_a_revision_removed_is_no_longer_decoded() {
    let dir = std::env::temp_dir().join(format!("qi-testgen-removed-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let spec = own_spec();
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let summary = testgen::Builder::new(&spec)
        .out_dir(&out)
        .rerun_if_changed(false)
        .generate()
        .expect("the own-spec example is valid");
    assert_eq!(summary.counts[&Kind::Removed], 3, "{:?}", summary.counts);
    let cases_rs = std::fs::read_to_string(out.join("qi_tests_cases.rs")).unwrap();
    for (name, call) in [
        (
            "qping_ping_gateway_was_removed",
            "qi_tests::removed_command_is_rejected(\"AT+QPING\")",
        ),
        (
            "urc_gateway_lost_was_removed",
            "qi_tests::removed_urc_is_rejected(\"+QXGW: 1\")",
        ),
        (
            "qxsub_subscribe_qos_rejects_removed_at_once",
            "qi_tests::rejects_line::<quectel_qi::qxsub::Subscribe>(\"AT+QXSUB=0,1,\\\"a\\\",3\")",
        ),
    ] {
        let text = rendered(&cases_rs, name);
        assert!(text.contains(call), "{name}: {text}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_conformance_script_of_another_spec_comes_from_that_spec_alone() {
    let m = model();
    let script = qi_codegen::conformance::render(&m);
    // Nothing of the QI command set, its chapters or its URCs.
    for qi in [
        "QIOPEN",
        "QIURC",
        "QICFG",
        "QIACT",
        "QISEND",
        "QIGETERROR",
        "QIRD",
        "recvind",
        "Quectel",
        "TCP/IP",
        "chapter",
    ] {
        assert!(!script.contains(qi), "`{qi}` in:\n{script}");
    }
    assert!(script.contains("Acme firmware additions to the QI command set, version 3.0"));
    assert!(script.contains("settings (AT+QXCONF)"), "{script}");
    // Every command it plays is one of the spec's.
    let commands: Vec<String> = m
        .spec
        .commands
        .iter()
        .map(|c| format!("AT+{}", c.value.name))
        .collect();
    let body: Vec<&str> = script
        .lines()
        .skip_while(|l| l.starts_with('#'))
        .filter(|l| !l.is_empty())
        .collect();
    assert!(body.len() > 60, "only {} lines", body.len());
    for case in body.chunks(3) {
        assert!(case[0].starts_with("# "), "{case:?}");
        assert!(
            commands.iter().any(|c| case[1].starts_with(c.as_str())),
            "{case:?}"
        );
        assert!(case[2] == "OK" || case[2] == "ERROR", "{case:?}");
    }
    // The group's counts are played: too many and too few entries are errors.
    assert!(script.contains("# qxsub_subscribe_topics_rejects_5_entries\n"));
    assert!(script.contains("# qxsub_subscribe_topics_rejects_0_entries\nAT+QXSUB=0,1\nERROR\n"));
    // The settings command's accepted values are played (from `settings: true`).
    assert!(
        script.contains("\nAT+QXCONF=\"recvmode\",0,1\nOK\n"),
        "{script}"
    );
    // The same script through the CLI.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_qi-codegen"))
        .arg("conformance")
        .arg(own_spec())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), script);
}

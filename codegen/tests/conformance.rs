//! The conformance script and the generated test cases, from the real spec.

use qi_codegen::testgen::{self, Kind};
use std::path::Path;

fn model() -> qi_codegen::ir::Model {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    qi_codegen::load_and_check(&dir).expect("the spec is valid")
}

#[test]
fn the_script_is_deterministic() {
    let m = model();
    assert_eq!(
        qi_codegen::conformance::render(&m),
        qi_codegen::conformance::render(&model())
    );
}

#[test]
fn the_script_rejects_connect_id_12_and_accepts_settings() {
    let script = qi_codegen::conformance::render(&model());
    assert!(
        script.contains(
            "# qiopen_open_connect_id_rejects_12\nAT+QIOPEN=1,12,\"TCP\",\"www.example.com\",0,0,0\nERROR\n"
        ),
        "{script}"
    );
    assert!(script.contains("# qicfg_transpktsize_set_transpktsize_accepts_1460\n"));
    // A line another form accepts (the acknowledgement query) is no rejection on a module.
    assert!(!script.contains("\nAT+QISEND=0,0\nERROR"));
    // A socket must be open for "send/auto": only its rejections are played.
    let lines: Vec<&str> = script.lines().collect();
    for w in lines.windows(2) {
        if w[0].contains("\"send/auto\"") {
            assert_eq!(w[1], "ERROR", "{}", w[0]);
        }
    }
}

#[test]
fn every_case_is_a_name_a_command_and_an_expectation() {
    let script = qi_codegen::conformance::render(&model());
    let body: Vec<&str> = script
        .lines()
        .skip_while(|l| l.starts_with('#'))
        .filter(|l| !l.is_empty())
        .collect();
    assert!(body.len() > 300, "only {} lines", body.len());
    for case in body.chunks(3) {
        assert!(case[0].starts_with("# "), "{case:?}");
        assert!(case[1].starts_with("AT"), "{case:?}");
        assert!(case[2] == "OK" || case[2] == "ERROR", "{case:?}");
    }
    // State-changing settings come after every rejection.
    let first_ok = body.iter().position(|l| *l == "OK").unwrap();
    let last_error = body.iter().rposition(|l| *l == "ERROR").unwrap();
    assert!(last_error < first_ok);
}

#[test]
fn cases_have_unique_names_and_every_kind() {
    let m = model();
    let cases = testgen::cases(&m);
    let mut names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), cases.len());
    let counts = testgen::counts(&cases);
    // The QI spec has no repeated, framed, setting-chosen or removed items: the own-spec
    // example covers those kinds (`testgen_constructs.rs`).
    let absent = [Kind::Repeat, Kind::Framing, Kind::Choice, Kind::Removed];
    for k in Kind::ALL {
        assert_eq!(
            counts[&k] > 0,
            !absent.contains(&k),
            "{} cases: {}",
            k.as_str(),
            counts[&k]
        );
    }
    for name in [
        "qiopen_open_connect_id_accepts_11",
        "qiopen_open_connect_id_rejects_12",
        "qicfg_send_auto_set_period_rejects_1",
        "qicfg_send_auto_set_period_rejects_19",
        "qisend_send_fixed_send_length_rejects_0",
        "qicsgp_configure_username_rejects_len_128",
        "urc_recv_push_recv_length_accepts_1500",
        "transcript_udp_service_replays",
    ] {
        assert!(names.binary_search(&name).is_ok(), "no case {name}");
    }
}

#[test]
fn the_builder_writes_every_file() {
    let dir = std::env::temp_dir().join(format!("qi-testgen-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let summary = testgen::Builder::new(spec)
        .out_dir(&dir)
        .rerun_if_changed(false)
        .generate()
        .unwrap();
    for f in [
        "qi_tests_support.rs",
        "qi_tests_cases.rs",
        "qi_tests_props.rs",
        "conformance.at",
    ] {
        assert!(dir.join(f).is_file(), "{f} missing");
    }
    let cases = std::fs::read_to_string(dir.join("qi_tests_cases.rs")).unwrap();
    assert_eq!(
        cases.matches("#[test]").count(),
        summary.counts.values().sum::<usize>()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_cli_writes_the_script_to_a_file_or_stdout() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let file = std::env::temp_dir().join(format!("qi-conformance-{}.at", std::process::id()));
    let exe = env!("CARGO_BIN_EXE_qi-codegen");
    let status = std::process::Command::new(exe)
        .arg("conformance")
        .arg(&spec)
        .arg("-o")
        .arg(&file)
        .status()
        .unwrap();
    assert!(status.success());
    let written = std::fs::read_to_string(&file).unwrap();
    std::fs::remove_file(&file).unwrap();
    let out = std::process::Command::new(exe)
        .arg("conformance")
        .arg(&spec)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), written);
    assert_eq!(written, qi_codegen::conformance::render(&model()));
}

mod support;

/// The minimal fixture with `settings: true` on its command and `requires:` on one form.
fn fixture_script(settings: bool, requires: bool) -> String {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/minimal");
    let dir = std::env::temp_dir().join(format!(
        "qi-codegen-conformance-{}-{settings}-{requires}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    support::copy_dir(&src, &dir);
    let cmd = dir.join("commands/qtest.yaml");
    let mut text = std::fs::read_to_string(&cmd).unwrap();
    if settings {
        text = text.replacen("forms:\n", "settings: true\nsaved: true\nforms:\n", 1);
    }
    if requires {
        text = text.replacen(
            "  - name: mode_query\n    kind: write\n",
            "  - name: mode_query\n    kind: write\n    requires: a state a fresh module is not in\n",
            1,
        );
    }
    std::fs::write(&cmd, text).unwrap();
    let m = qi_codegen::load_and_check(&dir).expect("the fixture is valid");
    std::fs::remove_dir_all(&dir).unwrap();
    qi_codegen::conformance::render(&m)
}

#[test]
fn settings_and_requirements_come_from_the_spec() {
    let plain = fixture_script(false, false);
    let settings = fixture_script(true, false);
    let required = fixture_script(true, true);
    // Nothing of the QI command set is printed for another spec.
    assert!(
        !plain.contains("QI") && !plain.contains("Quectel"),
        "{plain}"
    );
    assert!(
        plain.contains("A tiny command set for fixture tests"),
        "{plain}"
    );
    assert!(!plain.contains("saved by the module"), "{plain}");
    assert!(settings.contains("settings (AT+QTEST)"), "{settings}");
    assert!(
        settings.contains("AT+QTEST settings are saved by the module"),
        "{settings}"
    );
    let accepted = |s: &str| {
        s.lines()
            .collect::<Vec<_>>()
            .windows(2)
            .filter(|w| w[0].starts_with("AT+QTEST=\"mode\"") && w[1] == "OK")
            .count()
    };
    assert_eq!(accepted(&plain), 0, "not a settings command: {plain}");
    assert!(accepted(&settings) > 0, "{settings}");
    assert_eq!(
        accepted(&required),
        0,
        "the form requires a state: {required}"
    );
}

#[test]
fn every_subcommand_answers_help() {
    for sub in ["check", "expand", "coverage", "diff", "doc", "conformance"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_qi-codegen"))
            .args([sub, "--help"])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "qi-codegen {sub} --help: {text}"
        );
        assert!(text.contains(&format!("Usage: qi-codegen {sub}")), "{text}");
    }
}

//! `qi-codegen diff`: the 1.0 → 1.2 revision history of the real spec, a narrowed range in a
//! copy of it (breaking, exit status 1), and one case per classification rule on the minimal
//! fixture.

mod support;

use qi_codegen::diff::{diff, Change, Class, Kind, Report};
use qi_codegen::ir::Model;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use support::copy_dir;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn spec_dir() -> String {
    root().join("../spec").display().to_string()
}

fn load(arg: &str) -> Model {
    qi_codegen::load_arg(arg).unwrap_or_else(|d| {
        let all: Vec<String> = d.iter().map(|d| d.to_string()).collect();
        panic!("{arg}:\n{}", all.join("\n"))
    })
}

/// A copy of `from` in a fresh temporary directory, with `find` replaced once in `file`.
fn edited_copy(from: &Path, case: &str, file: &str, find: &str, replace: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("qi-diff-{}-{case}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(from, &dir);
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_default(); // a new file: find ""
    assert!(text.contains(find), "{case}: `{find}` not in {file}");
    std::fs::write(&path, text.replacen(find, replace, 1)).unwrap();
    dir
}

fn qi_codegen(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_qi-codegen"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().expect("exited"),
        String::from_utf8(out.stdout).unwrap() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// The 1.0 view must differ from 1.2 by exactly what the `since: "1.1"` markers say, which in
/// turn must be the six sub-configurations that document.yaml's revision history names.
#[test]
fn revision_1_0_to_1_2_reports_exactly_the_six_sub_configurations() {
    let new = load(&spec_dir());
    let old = load(&format!("{}@1.0", spec_dir()));
    let report = diff(&old, &new);
    assert_eq!(
        (report.old_version.as_str(), report.new_version.as_str()),
        ("1.0", "1.2")
    );

    // The sub-configurations the history names: 'AT+QICFG sub-configurations added: "a", ...'.
    let history = &new.spec.document.value.revisions;
    let r11 = history.iter().find(|r| r.version == "1.1").unwrap();
    let named: BTreeSet<String> = r11
        .changes
        .iter()
        .filter(|c| c.contains("sub-configurations added"))
        .flat_map(|c| c.split('"').skip(1).step_by(2).map(str::to_owned))
        .collect();
    assert_eq!(named.len(), 6, "{named:?}");

    let qicfg = &new
        .spec
        .commands
        .iter()
        .find(|c| c.value.name == "QICFG")
        .unwrap()
        .value;
    let marked_forms: BTreeSet<String> = qicfg
        .forms
        .iter()
        .filter(|f| f.since.as_deref() == Some("1.1"))
        .map(|f| format!("AT+QICFG=\"{}\" {}", f.selector.as_deref().unwrap(), f.name))
        .collect();
    let marked_selectors: BTreeSet<String> = qicfg
        .forms
        .iter()
        .filter(|f| f.since.is_some())
        .filter_map(|f| f.selector.clone())
        .collect();
    assert_eq!(
        marked_selectors, named,
        "the since markers and the history disagree"
    );

    let added = |pred: &dyn Fn(&Change) -> bool| -> BTreeSet<String> {
        report
            .changes
            .iter()
            .filter(|c| c.kind == Kind::Added && pred(c))
            .map(|c| c.item.clone())
            .collect()
    };
    assert_eq!(added(&|c| c.detail == "new form"), marked_forms);
    let lines: BTreeSet<String> = named
        .iter()
        .map(|s| format!("AT+QICFG test response line +QICFG: \"{s}\""))
        .collect();
    assert_eq!(added(&|c| c.detail == "response line added"), lines);

    // New parameter types: exactly those that only the new forms use.
    let new_types = added(&|c| c.detail == "new parameter type");
    let old_keys: BTreeSet<&str> = old.params().map(|(k, _)| k).collect();
    let expected: BTreeSet<String> = new
        .params()
        .filter(|(k, _)| !old_keys.contains(k))
        .map(|(k, d)| format!("<{}> ({k})", d.doc))
        .collect();
    assert_eq!(new_types, expected);
    for key in new
        .params()
        .map(|(k, _)| k)
        .filter(|k| !old_keys.contains(k))
    {
        let users: Vec<&str> = qicfg
            .forms
            .iter()
            .filter(|f| f.params.iter().any(|u| u.param == key))
            .map(|f| f.since.as_deref().unwrap_or("1.0"))
            .collect();
        assert!(
            users.iter().all(|v| *v == "1.1"),
            "{key} is used by a 1.0 form"
        );
    }

    // Everything is an addition, and every addition is compatible.
    for c in &report.changes {
        if c.class == Class::Compatible {
            assert_eq!(c.kind, Kind::Added, "{c:?}");
        }
    }
    assert_eq!(
        report.compatible(),
        marked_forms.len() + lines.len() + expected.len()
    );
    // Nothing breaks: the new test lines sit between old ones, but the lines of the test
    // response are named by their selector (`TestTcpRetranscfgLine`), not by position.
    assert_eq!(report.breaking(), 0, "{}", report.to_text());
    let (code, out) = qi_codegen(&["diff", &format!("{}@1.0", spec_dir()), &spec_dir()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(": 0 breaking, "), "{out}");
}

#[test]
fn a_spec_compared_with_itself_has_no_changes() {
    let (code, out) = qi_codegen(&["diff", &spec_dir(), &spec_dir()]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("summary: 0 changes: 0 breaking, 0 compatible (semver: none)"),
        "{out}"
    );
}

#[test]
fn a_narrowed_range_is_breaking_and_the_cli_exits_1() {
    let copy = edited_copy(
        &root().join("../spec"),
        "narrowed",
        "params/common.yaml",
        "range: [[1, 15]]",
        "range: [[1, 3]]",
    );
    let report = diff(&load(&spec_dir()), &load(&copy.display().to_string()));
    assert_eq!(report.changes.len(), 1, "{}", report.to_text());
    let c = &report.changes[0];
    assert_eq!((c.class, c.kind), (Class::Breaking, Kind::Changed));
    assert_eq!(c.rust, "ContextId");
    assert_eq!(c.detail, "range 1..=15 → 1..=3 (narrowed)");

    let (code, out) = qi_codegen(&["diff", &spec_dir(), &copy.display().to_string()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("breaking   changed <contextID> (context_id) [ContextId]: range 1..=15 → 1..=3 (narrowed)"), "{out}");
    assert!(
        out.contains("summary: 1 change: 1 breaking, 0 compatible (semver: major)"),
        "{out}"
    );

    let (code, out) = qi_codegen(&["diff", &spec_dir(), &copy.display().to_string(), "--json"]);
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON on stdout");
    assert_eq!(v["summary"]["breaking"], 1);
    assert_eq!(v["changes"][0]["class"], "breaking");
    assert_eq!(v["changes"][0]["rust"], "ContextId");

    // The same range widened instead is compatible: exit 0.
    let wide = edited_copy(
        &root().join("../spec"),
        "widened",
        "params/common.yaml",
        "range: [[1, 15]]",
        "range: [[0, 16]]",
    );
    let (code, out) = qi_codegen(&["diff", &spec_dir(), &wide.display().to_string()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("compatible changed <contextID> (context_id) [ContextId]: range 1..=15 → 0..=16 (widened)"), "{out}");
    std::fs::remove_dir_all(copy).unwrap();
    std::fs::remove_dir_all(wide).unwrap();
}

#[test]
fn bad_operands_exit_2() {
    assert_eq!(qi_codegen(&["diff", &spec_dir()]).0, 2);
    let (code, out) = qi_codegen(&["diff", &format!("{}@9.9", spec_dir()), &spec_dir()]);
    assert_eq!(code, 2);
    assert!(
        out.contains("no revision `9.9` in document.yaml (known: 1.0, 1.1, 1.2)"),
        "{out}"
    );
}

/// One case per rule, on the minimal fixture: in `file`, `find` becomes `old` in the old spec
/// and `new` in the new one (`=` keeps `find`); then the expected class and part of the detail.
const CASES: &[(&str, &str, &str, &str, &str, Class, &str)] = &[
    ("range_shifted", "params/common.yaml", "range: [[0, 0], [550, 574]]", "=", "range: [[0, 0], [551, 580]]", Class::Breaking, "(shifted)"),
    ("wider_integer", "params/common.yaml", "range: [[0, 11]]", "=", "range: [[0, 300]]", Class::Breaking, "wraps u16 instead of u8"),
    ("default_changed", "params/common.yaml", "default: 60", "=", "default: 30", Class::Compatible, "default 60 → 30"),
    ("default_dropped", "params/common.yaml", "  default: 60\n", "=", "", Class::Breaking, "default 60 → none"),
    ("unit_changed", "params/common.yaml", "unit: s", "=", "unit: ms", Class::Breaking, "unit s → ms"),
    ("string_shorter", "params/common.yaml", "max_len: 8\n  about: a short name", "=", "max_len: 4\n  about: a short name", Class::Breaking, "max_len 8 → 4"),
    ("string_longer_in_a_line", "params/common.yaml", "max_len: 8\n  about: a short name", "=", "max_len: 16\n  about: a short name", Class::Breaking, "heapless::String"),
    ("enum_value_added", "params/common.yaml", "    - { value: 1, name: push, about: pushed at once }\n", "=", "    - { value: 1, name: push, about: pushed at once }\n    - { value: 2, name: pull, about: fetched }\n", Class::Compatible, "enum value 2 (pull) added"),
    ("enum_value_removed", "params/common.yaml", "    - { value: 1, name: push, about: pushed at once }\n", "    - { value: 1, name: push, about: pushed at once }\n    - { value: 2, name: pull, about: fetched }\n", "=", Class::Breaking, "enum value 2 (pull) removed"),
    ("optional_parameter_added", "commands/qtest.yaml", "      - { param: mode, optional: true, default: 0 }\n", "=", "      - { param: mode, optional: true, default: 0 }\n      - { param: length, optional: true }\n", Class::Breaking, "optional parameter `length` <length> added"),
    ("parameter_made_optional", "commands/qtest.yaml", "      - label\n", "=", "      - { param: label, optional: true }\n", Class::Breaking, "required → optional"),
    ("timeout_changed", "commands/qtest.yaml", "max_response_time: 150s", "=", "max_response_time: 300s", Class::Compatible, "150000 ms → 300000 ms"),
    ("rule_added", "commands/qtest.yaml", "    params: [connect_id, payload_hex]\n", "=", "    params: [connect_id, payload_hex]\n    rules:\n      - then: { connect_id: { range: [[0, 5]] } }\n        why: made up\n", Class::Breaking, "rule added"),
    ("rule_removed", "commands/qtest.yaml", "    params: [connect_id, payload_hex]\n", "    params: [connect_id, payload_hex]\n    rules:\n      - then: { connect_id: { range: [[0, 5]] } }\n        why: made up\n", "=", Class::Compatible, "rule removed"),
    ("outcome_changed", "commands/qtest.yaml", "        - final: [SEND OK, SEND FAIL, ERROR]\n  - name: read_data", "=", "        - final: [SEND OK, ERROR]\n  - name: read_data", Class::Compatible, "outcomes"),
    ("response_field_added", "commands/qtest.yaml", "        - fields: [connect_id, kind, label]", "=", "        - fields: [connect_id, kind, label, mode]", Class::Breaking, "field `mode` <mode> added"),
    ("response_line_added_to_a_form_without", "commands/qtest.yaml", "    params: [connect_id, payload_hex]\n    response:\n", "=", "    params: [connect_id, payload_hex]\n    response:\n      lines:\n        - fields: [length]\n", Class::Breaking, "response no information line → one line"),
    ("line_appended", "commands/qtest.yaml", TEST_LINE, TWO_LINES, APPENDED, Class::Compatible, "response line added"),
    ("line_inserted", "commands/qtest.yaml", TEST_LINE, TWO_LINES, INSERTED, Class::Compatible, "response line added"),
    ("unselected_line_inserted", "commands/qtest.yaml", TEST_LINE, TWO_PLAIN, PLAIN_INSERTED, Class::Breaking, "numbered line types shift: TestLine2 is now TestLine3"),
    ("form_added", "commands/qtest.yaml", "examples:\n", "=", EXTRA_FORM, Class::Compatible, "new form"),
    ("form_removed", "commands/qtest.yaml", "examples:\n", EXTRA_FORM, "=", Class::Breaking, "form removed"),
    ("urc_added", "urcs.yaml", "errata: []", "=", EXTRA_URC, Class::Compatible, "new URC variant"),
    ("urc_removed", "urcs.yaml", "errata: []", EXTRA_URC, "=", Class::Breaking, "URC variant removed"),
    ("urc_field_removed", "urcs.yaml", "errata: []", EXTRA_URC, "  - { name: gone, prefix: \"+QIURC\", keyword: gone, section: \"9.4\", about: gone, fields: [connect_id] }\nerrata: []", Class::Breaking, "field `err` removed"),
    ("error_added", "errors.yaml", "  - { code: 550, name: unknown_error, text: Unknown error }\n", "=", "  - { code: 550, name: unknown_error, text: Unknown error }\n  - { code: 551, name: busy, text: Busy }\n", Class::Compatible, "new error code"),
    ("error_removed", "errors.yaml", "  - { code: 550, name: unknown_error, text: Unknown error }\n", "=", "", Class::Breaking, "error code removed"),
];

const TEST_LINE: &str = "        - fields: [{ param: connect_id, shown: range }, { param: label, shown: placeholder }]\n";
const TWO_LINES: &str = "        - fields: [{ param: connect_id, shown: range }, { param: label, shown: placeholder }]\n        - { selector: a, fields: [{ param: mode, shown: range }] }\n";
const APPENDED: &str = "        - fields: [{ param: connect_id, shown: range }, { param: label, shown: placeholder }]\n        - { selector: a, fields: [{ param: mode, shown: range }] }\n        - { selector: b, fields: [{ param: kind, shown: range }] }\n";
const INSERTED: &str = "        - fields: [{ param: connect_id, shown: range }, { param: label, shown: placeholder }]\n        - { selector: b, fields: [{ param: kind, shown: range }] }\n        - { selector: a, fields: [{ param: mode, shown: range }] }\n";
const TWO_PLAIN: &str = "        - fields: [{ param: connect_id, shown: range }, { param: label, shown: placeholder }]\n        - { prefix: \"+QTESTA\", fields: [{ param: mode, shown: range }] }\n";
const PLAIN_INSERTED: &str = "        - fields: [{ param: connect_id, shown: range }, { param: label, shown: placeholder }]\n        - { prefix: \"+QTESTB\", fields: [{ param: kind, shown: range }] }\n        - { prefix: \"+QTESTA\", fields: [{ param: mode, shown: range }] }\n";
const EXTRA_FORM: &str = "  - name: close\n    kind: write\n    selector: close\n    about: closes\n    params: [connect_id]\n    response:\n      outcomes:\n        - final: [OK]\nexamples:\n";
const EXTRA_URC: &str = "  - { name: gone, prefix: \"+QIURC\", keyword: gone, section: \"9.4\", about: gone, fields: [connect_id, err] }\nerrata: []";

#[test]
fn each_rule_classifies_its_change() {
    let minimal = root().join("tests/fixtures/minimal");
    let mut failures = Vec::new();
    for (case, file, find, old, new, class, detail) in CASES {
        let side = |which: &str, replace: &str| {
            let replace = if replace == "=" { find } else { replace };
            let dir = edited_copy(&minimal, &format!("{case}-{which}"), file, find, replace);
            let model = load(&dir.display().to_string());
            std::fs::remove_dir_all(&dir).unwrap();
            model
        };
        let report: Report = diff(&side("old", old), &side("new", new));
        let hit = report
            .changes
            .iter()
            .any(|c| c.class == *class && (c.detail.contains(detail) || c.why.contains(detail)));
        let worst = if report.breaking() > 0 {
            Class::Breaking
        } else {
            Class::Compatible
        };
        if !hit || worst != *class {
            failures.push(format!(
                "{case}: expected {class:?} `{detail}`, got:\n{}",
                report.to_text()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The diff mirrors the emitters' integer widths and names line types with
/// `naming::line_type`; the generated code must agree, or the classification is wrong.
#[test]
fn the_mirrored_emitter_rules_match_the_generated_code() {
    let model = load(&spec_dir());
    let code = qi_codegen::expand(&model);
    for (key, def) in model.params() {
        if let (qi_codegen::spec::ParamType::Int, Some(r)) = (def.ty, &def.range) {
            let name = qi_codegen::naming::type_name(key);
            let want = format!("pub struct {name}({});", qi_codegen::diff::int_storage(r));
            assert!(code.contains(&want), "generated code lacks `{want}`");
        }
    }
    for cmd in &model.spec.commands {
        for form in &cmd.value.forms {
            for (i, line) in form.response.lines.iter().enumerate() {
                // A line with a payload borrows it.
                let lifetime = if line.data.is_some() { "<'a>" } else { "" };
                let name = qi_codegen::naming::line_type(form, i);
                let want = format!("pub struct {name}{lifetime} {{");
                assert!(code.contains(&want), "generated code lacks `{want}`");
            }
        }
    }
}

/// Every revision and every module profile of the real spec is a valid spec; the document
/// states no difference between modules, so each profile generates the same code.
#[test]
fn every_view_of_the_spec_checks_and_profiles_change_nothing() {
    let base = load(&spec_dir());
    for r in &base.spec.document.value.revisions {
        load(&format!("{}@{}", spec_dir(), r.version));
    }
    let code = qi_codegen::emit::generate(&base).to_string();
    for m in &base.spec.document.value.modules {
        let id = m.profile.as_deref().expect("every module has a profile id");
        let view = load(&format!("{}+{id}", spec_dir()));
        assert!(
            qi_codegen::diff::diff_rules(&base, &view)
                .changes
                .is_empty(),
            "{id}"
        );
        assert!(
            qi_codegen::emit::generate(&view).to_string() == code,
            "{id} generates different code"
        );
    }
}

/// The generated code of 1.0 and 1.2 agrees with the report: 1.2 keeps every public item of
/// 1.0 as it was (the test-response lines of AT+QICFG are named by selector, not renumbered).
#[test]
fn the_generated_code_confirms_the_1_0_to_1_2_report() {
    use qi_codegen::diff::api;
    let old = api::facts(&load(&format!("{}@1.0", spec_dir())));
    let new = api::facts(&load(&spec_dir()));
    assert!(!old.is_empty());
    let lost = api::lost(&old, &new);
    assert!(lost.is_empty(), "1.2 loses items of 1.0: {lost:?}");
}

/// Another spec's purely additive revision is compatible: the own-spec example's 1.0 → 2.0,
/// with a command whose two selectors each have a `set` form (nested `Set` types, one of them
/// added in 2.0; only the first borrows a string), whose impl blocks must not be taken for one
/// another or for `qxhb::Set`'s.
#[test]
fn an_additive_revision_of_another_spec_is_compatible() {
    let own = root().join("../tests/own-spec/spec");
    let copy = edited_copy(
        &own,
        "nested-set",
        "commands/qxcfg.yaml",
        "",
        r#"name: QXCFG
title: Settings
section: "A.3"
about: two settings, each with its own set form
forms:
  - name: set
    kind: write
    selector: alpha
    about: sets alpha
    params: [connect_id, host]
    response:
      outcomes:
        - final: [OK, ERROR]
  - name: set
    kind: write
    selector: beta
    since: "2.0"
    about: sets beta
    params: [connect_id, hb_state]
    response:
      outcomes:
        - final: [OK, ERROR]
"#,
    );
    let dir = copy.display().to_string();
    let report = diff(&load(&format!("{dir}@1.0")), &load(&format!("{dir}@2.0")));
    let breaking: Vec<&Change> = report
        .changes
        .iter()
        .filter(|c| c.class == Class::Breaking)
        .collect();
    assert!(breaking.is_empty(), "{}", report.to_text());
    assert!(
        report
            .changes
            .iter()
            .any(|c| c.rust.contains("qxcfg::beta::Set")),
        "{}",
        report.to_text()
    );
    let (code, out) = qi_codegen(&["diff", &format!("{dir}@1.0"), &format!("{dir}@2.0")]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("(semver: minor)"), "{out}");
    std::fs::remove_dir_all(copy).unwrap();
}

/// The example's revision 3.0 removed a form, a URC and an enumeration value: 2.0 → 3.0 (the
/// spec as written) is breaking, and names each removal.
#[test]
fn a_revision_that_removes_is_breaking() {
    let own = root().join("../tests/own-spec/spec").display().to_string();
    let report = diff(&load(&format!("{own}@2.0")), &load(&own));
    let breaking: Vec<&Change> = report
        .changes
        .iter()
        .filter(|c| c.class == Class::Breaking)
        .collect();
    for gone in ["PingGateway", "GatewayLost", "AtOnce"] {
        assert!(
            breaking.iter().any(|c| c.rust.contains(gone)),
            "{gone} not reported as breaking:\n{}",
            report.to_text()
        );
    }
    let (code, out) = qi_codegen(&["diff", &format!("{own}@2.0"), &own]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("(semver: major)"), "{out}");
}

/// `until:` removes an item from the revision it names on: the spec as written (its latest
/// revision) lacks it, an earlier revision's view has it, and the diff calls the removal
/// breaking.
#[test]
fn a_form_removed_by_a_revision_is_gone_from_it_and_breaking() {
    let minimal = root().join("tests/fixtures/minimal");
    let copy = edited_copy(
        &minimal,
        "until",
        "commands/qtest.yaml",
        "  - name: send_hex\n",
        "  - name: send_hex\n    until: \"1.1\"\n",
    );
    // The example session that uses the form goes with it; the command's own example uses a
    // form of 1.1, so it is 1.1's.
    let cmd = copy.join("commands/qtest.yaml");
    let text = std::fs::read_to_string(&cmd).unwrap();
    std::fs::write(
        &cmd,
        text.replacen(
            "  - name: qtest_open_and_send\n",
            "  - name: qtest_open_and_send\n    since: \"1.1\"\n",
            1,
        ),
    )
    .unwrap();
    let flow = copy.join("examples/flow.yaml");
    let text = std::fs::read_to_string(&flow).unwrap();
    std::fs::write(
        &flow,
        text.replacen(
            "    section: \"9.3\"\n",
            "    section: \"9.3\"\n    until: \"1.1\"\n",
            1,
        ),
    )
    .unwrap();
    let dir = copy.display().to_string();
    let latest = load(&dir);
    let old = load(&format!("{dir}@1.0"));
    let has = |m: &Model| {
        m.spec
            .commands
            .iter()
            .flat_map(|c| &c.value.forms)
            .any(|f| f.name == "send_hex")
    };
    assert!(!has(&latest) && has(&old));
    assert!(!qi_codegen::expand(&latest).contains("pub struct SendHex"));
    assert!(qi_codegen::expand(&old).contains("pub struct SendHex"));
    let report = diff(&old, &latest);
    assert!(
        report
            .changes
            .iter()
            .any(|c| c.class == Class::Breaking && c.rust.contains("SendHex")),
        "{}",
        report.to_text()
    );
    std::fs::remove_dir_all(copy).unwrap();
}

/// Repeated fields and groups: a list's bounds are part of its type or of what validates.
#[test]
fn repeated_fields_and_groups_are_compared() {
    let own = root().join("../tests/own-spec/spec");
    let wider = edited_copy(
        &own,
        "group-max",
        "commands/qxsub.yaml",
        "      max: 4",
        "      max: 8",
    );
    let report = diff(
        &load(&own.display().to_string()),
        &load(&wider.display().to_string()),
    );
    assert!(
        report.changes.iter().any(|c| c.class == Class::Breaking
            && c.rust == "qxsub::Subscribe"
            && c.detail.contains("repeated group")),
        "{}",
        report.to_text()
    );
    std::fs::remove_dir_all(wider).unwrap();
    let fewer = edited_copy(
        &own,
        "group-min",
        "commands/qxsub.yaml",
        "      min: 1",
        "      min: 0",
    );
    let report = diff(
        &load(&own.display().to_string()),
        &load(&fewer.display().to_string()),
    );
    let group: Vec<&Change> = report
        .changes
        .iter()
        .filter(|c| c.detail.contains("repeated group"))
        .collect();
    assert!(
        matches!(group.as_slice(), [c] if c.class == Class::Compatible),
        "{}",
        report.to_text()
    );
    std::fs::remove_dir_all(fewer).unwrap();
    let stricter = edited_copy(
        &own,
        "field-min",
        "commands/qxaddr.yaml",
        "repeat: { min: 1, max: 4 }",
        "repeat: { min: 2, max: 4 }",
    );
    let report = diff(
        &load(&own.display().to_string()),
        &load(&stricter.display().to_string()),
    );
    assert!(
        report.changes.iter().any(|c| c.class == Class::Breaking
            && c.detail.contains("repeated 1 to 4 → repeated 2 to 4")),
        "{}",
        report.to_text()
    );
    std::fs::remove_dir_all(stricter).unwrap();
}

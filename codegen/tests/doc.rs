//! `qi-codegen doc`: the committed reference in docs/ is what the spec renders to, and it
//! holds what a reader looks for.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn render(arg: &str) -> (qi_codegen::ir::Model, String) {
    let model = qi_codegen::load_arg(arg).unwrap_or_else(|d| panic!("{d:?}"));
    let text = qi_codegen::doc::render(&model);
    (model, text)
}

#[test]
fn the_committed_reference_is_current() {
    let (_, fresh) = render(&root().join("spec").display().to_string());
    let committed = std::fs::read_to_string(root().join("docs/reference.md")).unwrap_or_default();
    assert!(
        committed == fresh,
        "docs/reference.md is stale: run `cargo run -p qi-codegen -- doc spec -o docs/reference.md`"
    );
}

#[test]
fn every_command_form_urc_and_error_code_is_in_it() {
    let (model, text) = render(&root().join("spec").display().to_string());
    for c in &model.spec.commands {
        let c = &c.value;
        assert!(
            text.contains(&format!("\n## {}\n", c.at_name())),
            "{}",
            c.name
        );
        // The Rust path names the command too: a form name alone (`test`) recurs in every command.
        for f in &c.forms {
            let rust = qi_codegen::naming::form_path(c, f);
            assert!(
                text.contains(&format!(
                    "Form `{}` ({}), Rust `{rust}`",
                    f.name,
                    f.kind.as_str()
                )),
                "{} {}",
                c.name,
                f.name
            );
        }
    }
    for u in &model.spec.urcs.value.urcs {
        assert!(text.contains(&format!("| `{}` |", u.name)), "{}", u.name);
    }
    for e in &model.spec.errors.value.errors {
        assert!(
            text.contains(&format!("| {} | `{}` |", e.code, e.name)),
            "{}",
            e.code
        );
    }
    // Syntax with optional brackets, a range with its unit and default, a timeout, an example.
    assert!(text.contains("### `AT+QIOPEN=<contextID>,<connectID>,<service_type>,"));
    assert!(text.contains("| `<period>` |"));
    assert!(text.contains("Maximum response time: 150 s."));
    assert!(text.contains("→ AT+QIACT=1\n← OK"));
    assert!(text.contains("(since 1.1)"));
    assert!(text.contains("| 1.1 | 2024-07-30 |"));
    assert!(text.contains("Form `open` (write), Rust `qiopen::Open`"));
    assert!(text.contains("- Rule: `send_length` in 1..=1460"));
}

#[test]
fn the_cli_writes_the_same_text() {
    let out = std::env::temp_dir().join(format!("qi-doc-{}.md", std::process::id()));
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_qi-codegen"))
        .args([
            "doc",
            &root().join("spec").display().to_string(),
            "-o",
            &out.display().to_string(),
        ])
        .status()
        .unwrap();
    assert!(status.success());
    let written = std::fs::read_to_string(&out).unwrap();
    std::fs::remove_file(&out).unwrap();
    assert_eq!(
        written,
        render(&root().join("spec").display().to_string()).1
    );
}

/// A revision view documents that revision: the 1.0 reference lacks the 1.1 sub-configurations.
#[test]
fn a_revision_view_documents_that_revision() {
    let (_, text) = render(&format!("{}@1.0", root().join("spec").display()));
    assert!(text.contains("Document version 1.0 (2023-02-13)"));
    assert!(
        !text.contains("### `AT+QICFG=\"send/auto\""),
        "1.0 has no send/auto"
    );
    assert!(text.contains("### `AT+QICFG=\"recvind\""));
    assert!(!text.contains("(since 1.1)"));
}

#[test]
fn another_spec_gets_its_own_facts_and_no_qi_text() {
    let (_, text) = render(&root().join("tests/own-spec/spec").display().to_string());
    // `effect: next_connection` on AT+QXHB, `+CME ERROR` among its set form's results.
    assert!(
        text.contains("Takes effect at the next connection it applies to."),
        "{text}"
    );
    assert!(text.contains("+CME ERROR"), "{text}");
    // Its errors.yaml says nothing of where its codes are reported: nothing is made up.
    assert!(!text.contains("QIGETERROR"), "{text}");
}

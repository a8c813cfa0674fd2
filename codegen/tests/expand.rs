//! Snapshots of the generated code, so that every change of the generated API shows up as a
//! reviewable diff, and a check that the output is deterministic.

use std::path::Path;

fn expand(dir: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let model = qi_codegen::load_and_check(&dir).unwrap_or_else(|d| panic!("{d:?}"));
    qi_codegen::expand(&model)
}

#[test]
fn minimal_fixture() {
    insta::assert_snapshot!("minimal", expand("tests/fixtures/minimal"));
}

#[test]
fn real_spec() {
    insta::assert_snapshot!("spec", expand("../spec"));
}

#[test]
fn output_is_deterministic() {
    assert_eq!(expand("../spec"), expand("../spec"));
}

/// `diff` counts new enum values, URC variants, error codes and forms as compatible: every
/// generated enum that grows with the spec is `#[non_exhaustive]`, so that callers outside the
/// crate must have a `_` arm and a new variant breaks none of them.
#[test]
fn enums_that_grow_with_the_spec_are_non_exhaustive() {
    let code = expand("../spec");
    let lines: Vec<&str> = code.lines().collect();
    let mut open = 0;
    for (i, l) in lines.iter().enumerate() {
        let Some(name) = l.trim_start().strip_prefix("pub enum ") else {
            continue;
        };
        // `describe::Prompt` and `describe::Wire` are fixed shapes of the runtime, not lists
        // from the spec.
        if name.starts_with("Prompt") || name.starts_with("Wire") {
            continue;
        }
        let attrs = lines[..i]
            .iter()
            .rev()
            .take_while(|a| a.trim_start().starts_with("#[") || a.trim_start().starts_with("///"));
        assert!(
            attrs.into_iter().any(|a| a.trim() == "#[non_exhaustive]"),
            "`pub enum {name}` is not #[non_exhaustive]"
        );
        open += 1;
    }
    assert!(open > 40, "only {open} enums found");
}

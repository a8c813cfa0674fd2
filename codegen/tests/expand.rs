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

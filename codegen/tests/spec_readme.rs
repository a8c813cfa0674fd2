//! The real spec is valid and its README's coverage table is current.

use std::path::Path;

fn spec_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec")
}

#[test]
fn the_spec_passes_the_checker() {
    if let Err(diags) = qi_codegen::load_and_check(&spec_dir()) {
        let all: Vec<String> = diags.iter().map(|d| d.to_string()).collect();
        panic!("the spec has {} problems:\n{}", all.len(), all.join("\n"));
    }
}

#[test]
fn the_coverage_table_is_current() {
    let model = qi_codegen::load_and_check(&spec_dir()).expect("checked by the other test");
    let readme = std::fs::read_to_string(spec_dir().join("README.md")).unwrap();
    let fresh = qi_codegen::coverage::splice(&readme, &qi_codegen::coverage::render(&model.spec))
        .expect("spec/README.md lacks the coverage markers");
    assert!(fresh == readme, "spec/README.md's coverage table is stale: run `cargo run -p qi-codegen -- coverage spec --write`");
}

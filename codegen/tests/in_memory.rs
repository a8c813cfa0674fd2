//! Loading a spec from memory (what the `spec` fuzz target does): the same model as from the
//! disk, and with a cache of parsed files the same answers as without one, whatever changed.

use qi_codegen::spec::ParsedFiles;
use std::collections::BTreeMap;
use std::path::Path;

fn fixture(name: &str) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for e in std::fs::read_dir(dir).expect("the fixture reads") {
            let p = e.expect("an entry").path();
            if p.is_dir() {
                walk(root, &p, out);
            } else if p.extension().is_some_and(|x| x == "yaml") {
                let rel = p.strip_prefix(root).expect("below the root");
                let text = std::fs::read_to_string(&p).expect("a file reads");
                out.insert(rel.display().to_string(), text);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let mut out = BTreeMap::new();
    walk(&root, &root, &mut out);
    out
}

/// What a load gives, comparable: the emitted code or the messages.
fn outcome(r: Result<qi_codegen::ir::Model, Vec<qi_codegen::spec::Diagnostic>>) -> String {
    match r {
        Ok(model) => qi_codegen::emit::generate(&model).to_string(),
        Err(errs) => errs.iter().map(|e| format!("{e}\n")).collect(),
    }
}

#[test]
fn in_memory_gives_the_model_of_the_disk() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/minimal");
    let from_disk = outcome(qi_codegen::load_and_check(&dir));
    let in_memory = outcome(qi_codegen::load_and_check_in_memory(&fixture("minimal")));
    assert!(!from_disk.is_empty());
    assert_eq!(in_memory, from_disk);
}

#[test]
fn cached_parses_change_no_answer() {
    let parsed = ParsedFiles::new(64);
    let files = fixture("minimal");
    let plain = outcome(qi_codegen::load_and_check_in_memory(&files));
    let mut broken = files.clone();
    broken.insert("commands/qtest.yaml".into(), "name: [".into());
    let mut renamed = files.clone();
    let errors = renamed
        .get_mut("errors.yaml")
        .expect("the fixture has errors.yaml");
    *errors = errors.replacen("name:", "nom:", 1);
    // Twice each, in turns: what the cache holds of one spec never leaks into another.
    for _ in 0..2 {
        for spec in [&files, &broken, &renamed, &fixture("profiles")] {
            assert_eq!(
                outcome(qi_codegen::load_and_check_in_memory_cached(spec, &parsed)),
                outcome(qi_codegen::load_and_check_in_memory(spec)),
            );
        }
    }
    let broken_answer = outcome(qi_codegen::load_and_check_in_memory(&broken));
    assert!(
        broken_answer.contains("<memory>/commands/qtest.yaml:1"),
        "{broken_answer}"
    );
    assert_ne!(plain, broken_answer);
}

/// A host line whose character straddles the end of a command name (`AT+QTES` and `ä`, where
/// `AT+QTEST` ends inside the `ä`) is reported as no command of the spec; it panicked in the
/// transcript check (found by the `spec` fuzz target: `fuzz/regressions/spec-host-line-char-across-command-name`).
#[test]
fn a_host_line_with_a_character_across_a_command_name_is_reported() {
    let mut files = fixture("minimal");
    let flow = files
        .get_mut("examples/flow.yaml")
        .expect("the fixture has flow.yaml");
    *flow = flow.replacen("host: AT+QTEST=2,\"31AF\"", "host: AT+QTESää", 1);
    assert!(flow.contains("AT+QTESää"));
    let errs = match qi_codegen::load_and_check_in_memory(&files) {
        Ok(_) => panic!("a host line of no command checks"),
        Err(errs) => errs,
    };
    assert!(
        errs.iter().any(|e| e
            .message
            .contains("`AT+QTESää` is not a command of the spec")),
        "{errs:?}"
    );
}

//! The spec's conformance script (`qi-codegen conformance`) played against a fresh virtual
//! module: every command gets the final result the script expects.

mod module_support;

use module_support::Host;
use qi_sim::Config;
use std::path::Path;

#[test]
fn conformance_script_passes() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let model = qi_codegen::load_and_check(&dir).expect("the spec is valid");
    let script = qi_codegen::conformance::render(&model);
    let mut h = Host::start(Config::for_tests());
    let mut lines = script
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'));
    let mut failures = Vec::new();
    let mut cases = 0;
    while let Some(cmd) = lines.next() {
        let expected = lines.next().expect("a result after each command");
        let got = h.cmd(cmd);
        cases += 1;
        if got.last().map(String::as_str) != Some(expected) {
            failures.push(format!("{cmd}: expected {expected}, got {got:?}"));
        }
    }
    assert!(cases > 100, "only {cases} cases");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    h.finish();
}

//! Generates the per-form and per-line dispatch of the targets from the spec the runtime is
//! generated from, so that a new form, line or URC is fuzzed without editing a target.

use std::path::Path;

fn main() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    println!("cargo:rerun-if-changed={}", spec.display());
    let model = qi_codegen::load_and_check(&spec).unwrap_or_else(|errs| {
        let errs: Vec<String> = errs.iter().map(ToString::to_string).collect();
        panic!("the spec does not check:\n{}", errs.join("\n"))
    });
    let out = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("dispatch.rs");
    std::fs::write(&out, qi_codegen::fuzzing::dispatch(&model)).expect("OUT_DIR is writable");
}

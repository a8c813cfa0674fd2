//! The build-script entry point: formatted or not, it writes the same code.

use std::path::Path;

fn spec_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec")
}

fn generate(format: bool, name: &str) -> String {
    let out = std::env::temp_dir().join(format!("qi-builder-{}-{name}.rs", std::process::id()));
    qi_codegen::Builder::new(spec_dir())
        .rerun_if_changed(false)
        .format(format)
        .out_file(&out)
        .generate()
        .expect("the spec is valid");
    let code = std::fs::read_to_string(&out).unwrap();
    std::fs::remove_file(&out).unwrap();
    code
}

#[test]
fn unformatted_output_is_the_same_code_as_formatted() {
    let formatted = generate(true, "formatted");
    let plain = generate(false, "plain");
    assert_ne!(formatted, plain, "format(false) should skip prettyplease");
    // Formatting the plain output gives the formatted output: same items, same docs.
    let reformatted = prettyplease::unparse(&syn::parse_file(&plain).expect("valid Rust"));
    assert!(
        reformatted == formatted,
        "format(false) changed the code, not only its layout"
    );
}

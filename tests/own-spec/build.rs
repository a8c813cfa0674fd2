//! Generates this crate's API and its test suite from its own spec, `spec/`, with the same
//! builders as quectel-qi and qi-tests.
fn main() {
    let built = qi_codegen::Builder::new("spec")
        // Cargo feature `eg800q` selects that module's profile.
        .profile_from_features()
        .generate();
    if let Err(e) = built {
        eprintln!("{e}");
        std::process::exit(1);
    }
    // The spec's test suite, against this crate (`tests/generated.rs` includes it), for the
    // same module profile.
    let tests = qi_codegen::testgen::Builder::new("spec")
        .profile_from_features()
        .crate_path("own_spec_example")
        .generate();
    if let Err(e) = tests {
        eprintln!("{e}");
        std::process::exit(1);
    }
}

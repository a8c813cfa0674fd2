//! Generates the spec's test cases, property tests and conformance script into `$OUT_DIR`.
fn main() {
    match qi_codegen::testgen::Builder::new("../spec").generate() {
        Ok(_) => {}
        Err(e) => {
            // Every problem, located, then fail the build.
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}

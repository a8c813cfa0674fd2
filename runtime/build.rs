//! Generates the typed API from the spec (`../spec`) into `$OUT_DIR/qi.rs`.
fn main() {
    if let Err(e) = qi_codegen::Builder::new("../spec").generate() {
        // Every problem, located, then fail the build.
        eprintln!("{e}");
        std::process::exit(1);
    }
}

//! Generates the typed API from the spec (`../spec`) into `$OUT_DIR/qi.rs`, for the module a
//! cargo feature names (`eg800q`, `eg915q`, `eg916q-gl`), if any, and with the spec's groups
//! whose cargo feature is on (`modem`).
fn main() {
    if let Err(e) = qi_codegen::Builder::new("../spec")
        .profile_from_features()
        .groups_from_features()
        .generate()
    {
        // Every problem, located, then fail the build.
        eprintln!("{e}");
        std::process::exit(1);
    }
}

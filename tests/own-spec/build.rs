//! Generates this crate's API from its own spec, `spec/`, with the same builder as quectel-qi.
fn main() {
    let built = qi_codegen::Builder::new("spec")
        // Cargo feature `eg800q` selects that module's profile.
        .profile_from_features()
        .generate();
    if let Err(e) = built {
        eprintln!("{e}");
        std::process::exit(1);
    }
}

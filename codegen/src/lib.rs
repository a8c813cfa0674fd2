//! `qi-codegen`: turns the YAML description of Quectel's TCP/IP ("QI") AT commands into Rust.
//!
//! The pipeline is [`spec::load`] (serde types as authors write them) → [`check`] (every
//! semantic error at once, located) → [`ir`] (resolved model) → `emit` (one function per item
//! kind).

pub mod check;
pub mod coverage;
pub mod emit;
pub mod ir;
pub mod naming;
pub mod spec;

use std::path::Path;

/// Loads the spec directory and checks it; all problems come back together.
pub fn load_and_check(dir: &Path) -> Result<ir::Model, Vec<spec::Diagnostic>> {
    let spec = spec::load(dir)?;
    check::check(&spec)?;
    Ok(ir::Model::new(spec))
}

/// The generated Rust code, formatted.
pub fn expand(model: &ir::Model) -> String {
    emit::format(emit::generate(model))
}

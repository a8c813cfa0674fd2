//! Pieces shared by the subcommands of `qi-codegen` that read one spec operand.

use crate::ir::Model;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// Loads a spec operand `DIR[@REVISION][+PROFILE]`; problems go to stderr.
pub(crate) fn load_or_report(arg: &str) -> Option<Model> {
    match crate::load_arg(arg) {
        Ok(m) => Some(m),
        Err(diags) => {
            for d in &diags {
                eprintln!("{d}");
            }
            eprintln!("{arg}: {} problem(s) found", diags.len());
            None
        }
    }
}

/// `qi-codegen <cmd> [SPEC_DIR] [-o FILE]`: renders the spec to stdout or FILE. Exit 1 on an
/// invalid spec, 2 on a file that cannot be written.
pub(crate) fn render_to_output(
    spec: &str,
    out: Option<&Path>,
    render: impl FnOnce(&Model) -> String,
) -> ExitCode {
    let Some(model) = load_or_report(spec) else {
        return ExitCode::FAILURE;
    };
    let text = render(&model);
    match out {
        None => {
            // A closed pipe (`| head`) is not an error worth a panic.
            let _ = std::io::stdout().write_all(text.as_bytes());
            ExitCode::SUCCESS
        }
        Some(f) => match std::fs::write(f, text) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("{}: {e}", f.display());
                ExitCode::from(2)
            }
        },
    }
}

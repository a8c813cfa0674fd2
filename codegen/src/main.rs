//! `qi-codegen`: the maintainer's command line over the spec.

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// The maintainer's tools over the YAML spec of the QI command set.
///
/// Any SPEC_DIR may be written DIR@REVISION (the spec as that revision of the document had it:
/// spec@1.0) and/or DIR+PROFILE (one module: spec+eg800q).
#[derive(Parser)]
#[command(name = "qi-codegen", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Load and check the spec; print every problem as file:line:col: message (exit 1).
    Check {
        /// The spec directory.
        #[arg(default_value = "spec")]
        spec: String,
    },
    /// Print the generated Rust code.
    Expand {
        /// The spec directory.
        #[arg(default_value = "spec")]
        spec: String,
    },
    /// Print the coverage table of SPEC_DIR/README.md, or rewrite it there.
    Coverage {
        /// The spec directory.
        #[arg(default_value = "spec")]
        spec: String,
        /// Rewrite the table between the coverage markers of SPEC_DIR/README.md.
        #[arg(long)]
        write: bool,
    },
    /// What changed between two specs, each change breaking or compatible for the generated
    /// API; exits 1 when anything is breaking.
    Diff {
        /// The spec before the change.
        old: String,
        /// The spec after it.
        new: String,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Write the Markdown command reference.
    Doc {
        /// The spec directory.
        #[arg(default_value = "spec")]
        spec: String,
        /// The file to write (stdout when absent).
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Write the conformance AT script for `qi run`.
    Conformance {
        /// The spec directory.
        #[arg(default_value = "spec")]
        spec: String,
        /// The file to write (stdout when absent).
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Write the fuzz targets' seed corpus (fuzz/): one valid line per form, response line and
    /// URC, one directory per target.
    Corpus {
        /// The spec directory.
        #[arg(default_value = "spec")]
        spec: String,
        /// The directory to write.
        #[arg(short, long, value_name = "DIR")]
        output: PathBuf,
    },
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Check { spec } => with_spec(&spec, |_| {
            println!("spec is valid");
            ExitCode::SUCCESS
        }),
        Command::Expand { spec } => with_spec(&spec, |model| {
            print!("{}", qi_codegen::expand(model));
            ExitCode::SUCCESS
        }),
        Command::Coverage { spec, write } => coverage(&spec, write),
        Command::Diff { old, new, json } => qi_codegen::diff::cli(&old, &new, json),
        Command::Doc { spec, output } => qi_codegen::doc::cli(&spec, output.as_deref()),
        Command::Conformance { spec, output } => {
            qi_codegen::conformance::cli(&spec, output.as_deref())
        }
        Command::Corpus { spec, output } => qi_codegen::fuzzing::cli(
            &[spec, "-o".into(), output.display().to_string()],
            "usage: qi-codegen corpus [SPEC_DIR] -o DIR",
        ),
    }
}

fn with_spec(spec: &str, f: impl FnOnce(&qi_codegen::ir::Model) -> ExitCode) -> ExitCode {
    match qi_codegen::load_arg(spec) {
        Ok(model) => f(&model),
        Err(diags) => {
            for d in &diags {
                eprintln!("{d}");
            }
            eprintln!(
                "{} problem{} found",
                diags.len(),
                if diags.len() == 1 { "" } else { "s" }
            );
            ExitCode::FAILURE
        }
    }
}

fn coverage(spec: &str, write: bool) -> ExitCode {
    let dir = PathBuf::from(spec);
    with_spec(spec, |model| {
        let table = qi_codegen::coverage::render(&model.spec);
        if !write {
            println!("{table}");
            return ExitCode::SUCCESS;
        }
        let path = dir.join("README.md");
        let readme = match std::fs::read_to_string(&path) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("{}: {e}", path.display());
                return ExitCode::from(2);
            }
        };
        match qi_codegen::coverage::splice(&readme, &table) {
            Some(new) => match std::fs::write(&path, new) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("{}: {e}", path.display());
                    ExitCode::from(2)
                }
            },
            None => {
                eprintln!("{}: the coverage markers are missing", path.display());
                ExitCode::from(2)
            }
        }
    })
}

//! `qi-codegen`: the maintainer's command line over the spec.

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: qi-codegen <command> [SPEC_DIR]

commands:
  check [SPEC_DIR]    load and check the spec; print every problem as file:line:col: message
  expand [SPEC_DIR]   print the generated Rust code

SPEC_DIR defaults to ./spec";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(cmd) = args.first() else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let rest = &args[1..];
    match cmd.as_str() {
        "check" => with_spec(rest, |_| {
            println!("spec is valid");
            ExitCode::SUCCESS
        }),
        "expand" => with_spec(rest, |model| {
            print!("{}", qi_codegen::expand(model));
            ExitCode::SUCCESS
        }),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            ExitCode::SUCCESS
        }
        other => {
            eprintln!("unknown command `{other}`\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn with_spec(rest: &[String], f: impl FnOnce(&qi_codegen::ir::Model) -> ExitCode) -> ExitCode {
    if rest.len() > 1 {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    let dir = rest.first().map_or_else(|| PathBuf::from("spec"), PathBuf::from);
    match qi_codegen::load_and_check(&dir) {
        Ok(model) => f(&model),
        Err(diags) => {
            for d in &diags {
                eprintln!("{d}");
            }
            eprintln!("{} problem{} found", diags.len(), if diags.len() == 1 { "" } else { "s" });
            ExitCode::FAILURE
        }
    }
}

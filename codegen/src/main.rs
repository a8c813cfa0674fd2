//! `qi-codegen`: the maintainer's command line over the spec.

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: qi-codegen <command> [SPEC_DIR]

commands:
  check [SPEC_DIR]    load and check the spec; print every problem as file:line:col: message
  expand [SPEC_DIR]   print the generated Rust code
  coverage [SPEC_DIR] [--write]
                      print the coverage table of SPEC_DIR/README.md, or rewrite it there
  diff OLD_SPEC NEW_SPEC [--json]
                      what changed, each change breaking or compatible for the generated
                      API; exits 1 when anything is breaking
  doc [SPEC_DIR] [-o FILE]
                      write the Markdown command reference (to stdout, or FILE)
  conformance [SPEC_DIR] [-o FILE]
                      write the conformance AT script (to stdout, or FILE) for `qi run`
  corpus [SPEC_DIR] -o DIR
                      write the fuzz targets' seed corpus (fuzz/): one valid line per form,
                      response line and URC, as DIR/<target>/<name>

SPEC_DIR defaults to ./spec. Any SPEC_DIR may be written DIR@REVISION (the spec as that
revision of the document had it: spec@1.0) and/or DIR+PROFILE (one module: spec+eg800q).";

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
        "coverage" => coverage(rest),
        "diff" => qi_codegen::diff::cli(rest, USAGE),
        "doc" => qi_codegen::doc::cli(rest, USAGE),
        "conformance" => qi_codegen::conformance::cli(rest, USAGE),
        "corpus" => qi_codegen::fuzzing::cli(rest, USAGE),
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
    let dir = rest
        .first()
        .map_or_else(|| PathBuf::from("spec"), PathBuf::from);
    match qi_codegen::load_arg(&dir.display().to_string()) {
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

fn coverage(rest: &[String]) -> ExitCode {
    let write = rest.iter().any(|a| a == "--write");
    let dirs: Vec<&String> = rest.iter().filter(|a| *a != "--write").collect();
    if dirs.len() > 1 {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    let dir = dirs
        .first()
        .map_or_else(|| PathBuf::from("spec"), PathBuf::from);
    with_spec(&[dir.display().to_string()], |model| {
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

//! `qi probe`: sends the test form (`AT+<cmd>=?`) of every command of the spec to a module and
//! reports where its answers differ from the spec, as a draft of a module profile (the
//! `by_module:` entries of spec/README.md) for a maintainer to check against the module's own
//! documentation.

use crate::decode::{Kind, Record};
use crate::script::{with_target, Target};
use crate::send::{exchange, timeout_of, Link};
use std::fmt::Write as _;

/// What one test command got.
#[derive(Debug, Clone, PartialEq)]
pub struct Probed {
    /// The line sent (`AT+QIOPEN=?`).
    pub command: &'static str,
    /// The final result (`OK`, `ERROR`), or `None` when none came in time.
    pub result: Option<String>,
    /// The answer's records after the command line.
    pub records: Vec<Record>,
}

/// Every command line `probe` sends: the test forms of the spec, in its order.
pub fn test_commands() -> Vec<&'static str> {
    quectel_qi::describe::REQUESTS
        .iter()
        .filter(|s| s.kind == "test")
        .map(|s| s.written)
        .collect()
}

/// Sends every test command over `link`.
pub fn probe(link: &mut dyn Link) -> std::io::Result<Vec<Probed>> {
    let mut out = Vec::new();
    for command in test_commands() {
        let reply = exchange(link, command, None, timeout_of(command))?;
        out.push(Probed {
            command,
            result: reply.result,
            records: reply.records.into_iter().skip(1).collect(),
        });
    }
    Ok(out)
}

/// The profile draft: YAML a maintainer edits into `by_module:` entries; empty of
/// differences when the module answers as the spec says.
pub fn draft(profile: &str, probed: &[Probed]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Module profile draft for `{profile}`, from the test commands (AT+<cmd>=?) of the spec.\n\
         # Each difference is what the firmware printed against what the spec gives; move the\n\
         # ones the module's documentation confirms into `by_module: {{ {profile}: ... }}` of the\n\
         # parameter (spec/README.md, \"Revisions and module profiles\")."
    );
    let _ = writeln!(out, "profile: {profile}");
    let _ = writeln!(out, "differences:");
    let mut any = false;
    for p in probed {
        match p.result.as_deref() {
            Some("OK") => {}
            other => {
                any = true;
                let got = other.unwrap_or("no final result in time");
                let _ = writeln!(
                    out,
                    "  - {{ command: '{}', result: '{got}', note: the module may lack the command (modules: [...]) }}",
                    p.command
                );
                continue;
            }
        }
        for r in &p.records {
            for d in &r.differences {
                any = true;
                let _ = writeln!(
                    out,
                    "  - {{ command: '{}', field: {}, doc: {}, module: '{}', why: '{}' }}",
                    p.command,
                    d.field,
                    d.doc,
                    d.module.replace('\'', "''"),
                    d.why.replace('\'', "''")
                );
            }
            if r.kind == Kind::Unknown {
                any = true;
                let _ = writeln!(
                    out,
                    "  - {{ command: '{}', line: '{}', why: not a line of the spec }}",
                    p.command,
                    r.text.replace('\'', "''")
                );
            }
        }
    }
    if !any {
        out = out.replace("differences:\n", "differences: []\n");
    }
    out
}

/// `qi probe (--sim | --port DEV [--baud N] | --tcp ADDR) [--profile NAME]`: prints the draft;
/// exit 0 when nothing differs, 1 when something does, 2 on I/O errors.
pub fn main(target: &Target, baud: u32, profile: &str) -> u8 {
    match with_target(target, baud, probe) {
        Ok(probed) => {
            let text = draft(profile, &probed);
            print!("{text}");
            u8::from(!text.contains("differences: []"))
        }
        Err(e) => {
            eprintln!("qi probe: {e}");
            2
        }
    }
}

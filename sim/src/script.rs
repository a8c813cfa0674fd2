//! Conformance scripts and `qi run`.
//!
//! ```text
//! # open a TCP client            <- the comment right before a command names the case
//! AT+QIOPEN=1,0,"TCP","127.0.0.1",7,0,1
//! OK                             <- what to expect: OK, or ERROR (ERROR or +CME ERROR: <n>)
//! ```
//!
//! Blank lines are ignored, `#` lines are comments. Every command is sent as written, invalid
//! ones included: a script may check that the module rejects them.

use crate::send::{exchange, timeout_of, Link};
use std::fmt;
use std::time::Duration;

/// What a case expects as the final result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// `OK`, with any information lines before it.
    Ok,
    /// `ERROR` or `+CME ERROR: <n>`.
    Error,
}

/// One command and its expectation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// The comment right before the command, or the command itself.
    pub name: String,
    /// The line of the command in the script (1-based).
    pub line: usize,
    pub command: String,
    pub expect: Expect,
}

/// A script that does not follow the format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ScriptError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// Reads a script.
pub fn parse(text: &str) -> Result<Vec<Case>, ScriptError> {
    let mut cases = Vec::new();
    let mut comment: Option<String> = None;
    let mut command: Option<(usize, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(c) = line.strip_prefix('#') {
            if command.is_none() {
                comment = Some(c.trim().to_string());
            }
            continue;
        }
        match command.take() {
            None => {
                if !line.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("AT")) {
                    return Err(ScriptError {
                        line: n,
                        message: format!("expected a command (AT...), found {line:?}"),
                    });
                }
                command = Some((n, line.to_string()));
            }
            Some((at, cmd)) => {
                let expect = match line {
                    "OK" => Expect::Ok,
                    "ERROR" => Expect::Error,
                    other => {
                        return Err(ScriptError {
                            line: n,
                            message: format!("expected OK or ERROR, found {other:?}"),
                        })
                    }
                };
                cases.push(Case {
                    name: comment.take().unwrap_or_else(|| cmd.clone()),
                    line: at,
                    command: cmd,
                    expect,
                });
            }
        }
    }
    if let Some((at, cmd)) = command {
        return Err(ScriptError {
            line: at,
            message: format!("{cmd} has no expectation"),
        });
    }
    Ok(cases)
}

/// The outcome of one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub case: Case,
    /// The final result received, or `None` after the command's timeout.
    pub got: Option<String>,
    pub passed: bool,
}

/// Runs every case over `link`, each within its command's timeout (`timeout_of`), capped by
/// `cap` when given (for tests and impatient users).
pub fn run(
    link: &mut dyn Link,
    cases: &[Case],
    cap: Option<Duration>,
) -> std::io::Result<Vec<Outcome>> {
    let mut out = Vec::new();
    for case in cases {
        let mut wait = timeout_of(&case.command);
        if let Some(c) = cap {
            wait = wait.min(c);
        }
        let reply = exchange(link, &case.command, None, wait)?;
        let passed = matches!(
            (case.expect, reply.result.as_deref()),
            (Expect::Ok, Some("OK")) | (Expect::Error, Some("ERROR" | "CME ERROR"))
        );
        out.push(Outcome {
            case: case.clone(),
            got: reply.result,
            passed,
        });
    }
    Ok(out)
}

/// Prints one line per case and a summary; the exit status.
pub fn report(outcomes: &[Outcome]) -> u8 {
    for o in outcomes {
        let mark = if o.passed { "pass" } else { "FAIL" };
        let got = o.got.as_deref().unwrap_or("no final result (timeout)");
        if o.passed {
            println!("{mark}  {}", o.case.name);
        } else {
            println!(
                "{mark}  {} (line {}: {}): expected {:?}, got {got}",
                o.case.name, o.case.line, o.case.command, o.case.expect
            );
        }
    }
    let failed = outcomes.iter().filter(|o| !o.passed).count();
    println!("{} passed, {failed} failed", outcomes.len() - failed);
    u8::from(failed > 0)
}

/// `qi run SCRIPT (--sim | --port DEV [--baud N] | --tcp ADDR)`.
pub fn main(script: &str, target: Target, baud: u32) -> u8 {
    let text = match std::fs::read_to_string(script) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("qi run: {script}: {e}");
            return 2;
        }
    };
    let cases = match parse(&text) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("qi run: {script}: {e}");
            return 2;
        }
    };
    let result = with_target(&target, baud, |link| run(link, &cases, None));
    match result {
        Ok(outcomes) => report(&outcomes),
        Err(e) => {
            eprintln!("qi run: {e}");
            2
        }
    }
}

/// Runs `f` over the link `target` names (a serial port at `baud`, a TCP address or an
/// in-process virtual module).
pub fn with_target<T>(
    target: &Target,
    baud: u32,
    f: impl FnOnce(&mut dyn Link) -> std::io::Result<T>,
) -> std::io::Result<T> {
    match target {
        Target::Sim => with_sim(f),
        Target::Port(dev) => serialport::new(dev.as_str(), baud)
            .timeout(Duration::from_millis(100))
            .open()
            .map_err(std::io::Error::from)
            .and_then(|mut p| f(&mut p)),
        Target::Tcp(addr) => std::net::TcpStream::connect(addr).and_then(|mut s| f(&mut s)),
    }
}

/// Runs `f` against a virtual module started in-process (over the in-memory duplex).
fn with_sim<T>(f: impl FnOnce(&mut dyn Link) -> std::io::Result<T>) -> std::io::Result<T> {
    let (mut host, running) = crate::transport::duplex(crate::Config::default());
    let result = f(&mut host);
    drop(host);
    running.join();
    result
}

/// Where `qi run` plays its script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A virtual module started in-process.
    Sim,
    /// A serial device.
    Port(String),
    /// A TCP address (a `qi sim --tcp` or a module's TCP bridge).
    Tcp(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_take_the_comment_before_them() {
        let s = "# header\n\n# open\nAT+QIACT=1\nOK\nAT+QIOPEN=1,12\n# not a name\nERROR\n";
        let c = parse(s).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(
            (c[0].name.as_str(), c[0].line, c[0].expect),
            ("open", 4, Expect::Ok)
        );
        assert_eq!(c[1].name, "AT+QIOPEN=1,12");
        assert_eq!(c[1].expect, Expect::Error);
    }

    #[test]
    fn malformed_scripts_name_the_line() {
        assert_eq!(parse("OK\n").unwrap_err().line, 1);
        assert_eq!(parse("AT\nMAYBE\n").unwrap_err().line, 2);
        assert_eq!(parse("\nATE0\n").unwrap_err().line, 2);
    }
}

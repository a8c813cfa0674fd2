//! `qi`: the virtual module and tools around the spec.
//!
//! ```text
//! qi decode [FILE|-] [--json]                           decode and validate a modem log
//! qi send --port DEV [--baud N] LINE...                 send commands to a real module
//! qi run SCRIPT (--sim | --port DEV [--baud N] | --tcp ADDR)   run a conformance script
//! qi sim [--tcp ADDR | --pty] [--echo] [--baud N]       run the virtual module
//! ```
//!
//! Exit status: 0 when all is well, 1 when a line is invalid or a case fails, 2 on usage or I/O
//! errors.

use qi_sim::decode;
use std::io::{Read, Write};
use std::process::ExitCode;

const USAGE: &str = "usage:
  qi decode [FILE|-] [--json]
  qi send --port DEV [--baud N] LINE...
  qi run SCRIPT (--sim | --port DEV [--baud N] | --tcp ADDR)
  qi sim [--tcp ADDR | --pty] [--echo] [--baud N]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rest = args.get(1..).unwrap_or_default();
    let status = match args.first().map(String::as_str) {
        Some("decode") => decode_cmd(rest),
        Some("send") => qi_sim::send::main(rest),
        Some("run") => qi_sim::script::main(rest),
        Some("sim") => sim_cmd(rest),
        Some("-h" | "--help") => {
            println!("{USAGE}");
            0
        }
        _ => usage("a subcommand is needed"),
    };
    ExitCode::from(status)
}

fn usage(why: &str) -> u8 {
    eprintln!("qi: {why}\n{USAGE}");
    2
}

fn decode_cmd(args: &[String]) -> u8 {
    let mut json = false;
    let mut file = None;
    for a in args {
        match a.as_str() {
            "--json" => json = true,
            s if s.starts_with("--") => return usage(&format!("unknown option {s}")),
            s if file.is_none() => file = Some(s.to_string()),
            _ => return usage("one input at most"),
        }
    }
    let mut input = Vec::new();
    let read = match file.as_deref() {
        None | Some("-") => std::io::stdin().read_to_end(&mut input).map(|_| ()),
        Some(path) => std::fs::read(path).map(|b| input = b),
    };
    if let Err(e) = read {
        eprintln!("qi decode: {}: {e}", file.as_deref().unwrap_or("-"));
        return 2;
    }
    let records = decode::decode_log(&input);
    let mut out = std::io::stdout().lock();
    let written = if json {
        records
            .iter()
            .try_for_each(|r| writeln!(out, "{}", r.to_json()))
    } else {
        out.write_all(decode::listing::render(&records).as_bytes())
    };
    if written.is_err() {
        return 2;
    }
    u8::from(!decode::all_valid(&records))
}

/// `qi sim [--tcp ADDR | --pty] [--echo] [--baud N]`: runs until killed. The first line on
/// stdout says where to connect: `pty: /dev/pts/N` or `tcp: 127.0.0.1:PORT`.
fn sim_cmd(args: &[String]) -> u8 {
    let mut config = qi_sim::Config {
        echo: false,
        ..qi_sim::Config::default()
    };
    let mut tcp = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--pty" => tcp = None,
            "--tcp" => match it.next() {
                Some(addr) => tcp = Some(addr.clone()),
                None => return usage("--tcp needs an address"),
            },
            "--echo" => config.echo = true,
            "--baud" => match it.next().and_then(|b| b.parse().ok()) {
                Some(b) => config.baud = Some(b),
                None => return usage("--baud needs a number"),
            },
            other => return usage(&format!("unknown argument {other}")),
        }
    }
    let mut stdout = std::io::stdout();
    match tcp {
        Some(addr) => match qi_sim::transport::serve_tcp(addr.as_str(), config) {
            Ok(server) => {
                let _ = writeln!(stdout, "tcp: {}", server.local_addr());
                let _ = stdout.flush();
                server.join();
                0
            }
            Err(e) => {
                eprintln!("qi sim: {addr}: {e}");
                2
            }
        },
        None => match qi_sim::transport::serve_pty(config) {
            Ok((path, running)) => {
                let _ = writeln!(stdout, "pty: {}", path.display());
                let _ = stdout.flush();
                running.join();
                0
            }
            Err(e) => {
                eprintln!("qi sim: pty: {e}");
                2
            }
        },
    }
}

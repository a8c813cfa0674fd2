//! `qi`: the virtual module and tools around the spec.
//!
//! ```text
//! qi decode [FILE|-] [--json]                           decode and validate a modem log
//! qi send --port DEV [--baud N] LINE...                 send commands to a real module
//! qi run SCRIPT (--sim | --port DEV [--baud N] | --tcp ADDR)   run a conformance script
//! qi sim [--tcp ADDR | --pty] [OPTIONS]                 run the virtual module
//! ```
//!
//! `qi sim --help` lists the options that shape the module (see also the README).
//!
//! Exit status: 0 when all is well, 1 when a line is invalid or a case fails, 2 on usage or I/O
//! errors.

use qi_sim::decode;
use std::io::{Read, Write};
use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str = "usage:
  qi decode [FILE|-] [--json]
  qi send --port DEV [--baud N] LINE...
  qi run SCRIPT (--sim | --port DEV [--baud N] | --tcp ADDR)
  qi sim [--tcp ADDR | --pty] [OPTIONS]   (qi sim --help lists them)";

const SIM_USAGE: &str = "usage: qi sim [--tcp ADDR | --pty] [OPTIONS]

Runs the virtual module until killed. The first line on stdout says where to connect
(`pty: /dev/pts/N` or `tcp: 127.0.0.1:PORT`); with --control, the second says where the fault
port listens (`control: 127.0.0.1:PORT`).

Port and line:
  --pty                  a pseudo-terminal (the default)
  --tcp ADDR             a TCP port, a fresh module per connection (port 0 picks one)
  --baud N               pace both directions like a serial line at N baud
  --echo                 start with command echo on (ATE1), as a real module does
  --guard-ms N           silence around +++ that leaves transparent mode (default 1000)
Start-up state:
  --rdy                  print RDY, +CFUN: 1 and +CPIN: READY at start, as after power-on
  --no-sim               no SIM: AT+CPIN? fails (+CME ERROR: 10), no registration
  --sim-pin PIN          the SIM waits for AT+CPIN=\"PIN\"
  --registration STATE   home (default), roaming, searching, denied, unknown or none
  --rssi N --ber N       what AT+CSQ reports (defaults 25 and 99)
  --iccid DIGITS         what AT+QCCID reports
  --imei DIGITS          what AT+GSN and AT+CGSN report
  --restart-ms N         how long AT+CFUN=1,1 keeps the module silent before RDY (default 500)
Network (a sandbox by default: `localhost` is 127.0.0.1, only loopback is reachable;
other hosts answer as unreachable ones do, +QIOPEN: <id>,566 and 565 for unknown names):
  --name NAME=IPV4       NAME resolves to IPV4 (repeat for more names or addresses)
  --allow IPV4|any       connections may also reach IPV4 (repeat), or every address
  --host-resolver        names not in the table go to the machine's resolver
  --real-network         the machine's network: --host-resolver and --allow any
Faults:
  --response-delay-ms N  wait N ms before answering each command
  --control ADDR         a TCP port taking faults while the module runs, one per line:
                         sim ready|absent|pin PIN, registration STATE, signal RSSI BER,
                         deactivate CONTEXT, drop CONNECT_ID, delay MS, restart,
                         occupy CONNECT_ID [CONTEXT], flood CONNECT_ID COUNT,
                         garbage N [SEED], overflow N, echo on|off, glue-send-ok on|off,
                         push-without-length on|off, read-extra N, hold-closed on|off
                         (docs/FAULTS.md says what each does)";

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

/// A number option's value.
fn number<T: std::str::FromStr>(
    it: &mut std::slice::Iter<'_, String>,
    name: &str,
) -> Result<T, String> {
    it.next()
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("{name} needs a number"))
}

/// What `qi sim` runs: the module's configuration, where, and the fault port.
struct SimArgs {
    config: qi_sim::Config,
    tcp: Option<String>,
    control: Option<String>,
}

fn sim_args(args: &[String]) -> Result<SimArgs, String> {
    let mut config = qi_sim::Config {
        echo: false,
        ..qi_sim::Config::default()
    };
    let (mut tcp, mut control) = (None, None);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let m = &mut config.modem;
        match a.as_str() {
            "--pty" => tcp = None,
            "--tcp" => tcp = Some(it.next().ok_or("--tcp needs an address")?.clone()),
            "--control" => control = Some(it.next().ok_or("--control needs an address")?.clone()),
            "--echo" => config.echo = true,
            "--baud" => config.baud = Some(number(&mut it, "--baud")?),
            "--guard-ms" => {
                config.guard_time = Duration::from_millis(number(&mut it, "--guard-ms")?)
            }
            "--rdy" => m.announce_start = true,
            "--no-sim" => m.sim = qi_sim::SimCard::NotInserted,
            "--sim-pin" => {
                let pin = it.next().ok_or("--sim-pin needs a PIN")?;
                m.sim = qi_sim::SimCard::PinRequired(pin.clone());
            }
            "--registration" => {
                let word = it.next().map(String::as_str).unwrap_or("");
                m.registration = qi_sim::control_port::registration(word).ok_or(
                    "--registration takes home, roaming, searching, denied, unknown or none",
                )?;
            }
            "--rssi" => m.rssi = number(&mut it, "--rssi")?,
            "--ber" => m.ber = number(&mut it, "--ber")?,
            "--iccid" => m.iccid = it.next().ok_or("--iccid needs digits")?.clone(),
            "--imei" => m.imei = it.next().ok_or("--imei needs digits")?.clone(),
            "--restart-ms" => {
                m.restart_time = Duration::from_millis(number(&mut it, "--restart-ms")?)
            }
            "--response-delay-ms" => {
                config.faults.response_delay =
                    Duration::from_millis(number(&mut it, "--response-delay-ms")?)
            }
            "--name" => config
                .network
                .add_name_arg(it.next().ok_or("--name needs NAME=IPV4")?)?,
            "--allow" => {
                let arg = it.next().ok_or("--allow needs an IPv4 address or `any`")?;
                if arg == "any" {
                    config.network.any_address = true;
                } else {
                    let ip = arg
                        .parse()
                        .map_err(|_| format!("--allow {arg}: not an IPv4 address or `any`"))?;
                    config.network.allowed.push(ip);
                }
            }
            "--host-resolver" => config.network.host_resolver = true,
            "--real-network" => config.network = qi_sim::Network::host(),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok(SimArgs {
        config,
        tcp,
        control,
    })
}

/// `qi sim [--tcp ADDR | --pty] [OPTIONS]`: runs until killed (see `SIM_USAGE`).
fn sim_cmd(args: &[String]) -> u8 {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{SIM_USAGE}");
        return 0;
    }
    let SimArgs {
        config,
        tcp,
        control,
    } = match sim_args(args) {
        Ok(a) => a,
        Err(why) => {
            eprintln!("qi sim: {why}\n{SIM_USAGE}");
            return 2;
        }
    };
    let mut stdout = std::io::stdout();
    let announce_control = |modules: Box<dyn Fn() -> Vec<qi_sim::Control> + Send + Sync>| {
        let Some(addr) = &control else { return Ok(()) };
        match qi_sim::control_port::serve_control(addr.as_str(), modules) {
            Ok(at) => {
                let mut stdout = std::io::stdout();
                let _ = writeln!(stdout, "control: {at}");
                let _ = stdout.flush();
                Ok(())
            }
            Err(e) => {
                eprintln!("qi sim: --control {addr}: {e}");
                Err(2)
            }
        }
    };
    match tcp {
        Some(addr) => match qi_sim::transport::serve_tcp(addr.as_str(), config) {
            Ok(server) => {
                let _ = writeln!(stdout, "tcp: {}", server.local_addr());
                let _ = stdout.flush();
                let server = std::sync::Arc::new(server);
                let sessions = server.clone();
                if let Err(code) = announce_control(Box::new(move || sessions.controls())) {
                    return code;
                }
                match std::sync::Arc::try_unwrap(server) {
                    Ok(server) => server.join(),
                    // The fault port holds it for good: wait as long as the process lives.
                    Err(_) => loop {
                        std::thread::park();
                    },
                }
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
                let c = running.control().clone();
                if let Err(code) = announce_control(Box::new(move || vec![c.clone()])) {
                    return code;
                }
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

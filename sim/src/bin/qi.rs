//! `qi`: the virtual module and tools around the spec (`qi --help`, `qi <command> --help`).
//!
//! Exit status: 0 when all is well, 1 when a line is invalid or a case fails, 2 on usage or I/O
//! errors.

use clap::{Args, Parser, Subcommand};
use qi_sim::decode;
use qi_sim::script::Target;
use std::io::{Read, Write};
use std::process::ExitCode;
use std::time::Duration;

/// The virtual Quectel module and tools around the QI spec.
#[derive(Parser)]
#[command(name = "qi", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Decode and validate a modem log against the spec (exit 1 when a line is invalid).
    Decode {
        /// The log to read; `-` or nothing reads stdin.
        file: Option<String>,
        /// One JSON object per record instead of the listing.
        #[arg(long)]
        json: bool,
        /// Decode by the spec in this directory, loaded and checked at run time, instead of
        /// the built-in QI spec; `DIR@REVISION` and `DIR+PROFILE` take a view of it, as
        /// qi-codegen does (a spec problem prints `file:line:col: message`, exit 2).
        #[arg(long, value_name = "DIR")]
        spec: Option<String>,
    },
    /// Send command lines to a real module over a serial port; a line after a command that
    /// prompts is its payload. Nothing is sent when a line is invalid.
    Send {
        /// The serial device.
        #[arg(long, value_name = "DEV")]
        port: String,
        /// Its baud rate.
        #[arg(long, value_name = "N", default_value_t = 115_200)]
        baud: u32,
        /// The command lines (without CR), in order.
        #[arg(required = true, value_name = "LINE")]
        lines: Vec<String>,
    },
    /// Run a conformance script (`qi-codegen conformance`) against a module.
    Run {
        /// The script.
        script: String,
        #[command(flatten)]
        target: TargetArgs,
        /// The baud rate of --port.
        #[arg(long, value_name = "N", default_value_t = 115_200)]
        baud: u32,
    },
    /// Send the test form (AT+<cmd>=?) of every command to a module and print where its
    /// answers differ from the spec, as a draft module profile (exit 1 when anything differs).
    Probe {
        #[command(flatten)]
        target: TargetArgs,
        /// The baud rate of --port.
        #[arg(long, value_name = "N", default_value_t = 115_200)]
        baud: u32,
        /// The profile id the draft is for (eg800q, eg915q, eg916q_gl, or a new one).
        #[arg(long, value_name = "NAME", default_value = "my_module")]
        profile: String,
    },
    /// Run the virtual module until killed.
    ///
    /// The first line on stdout says where to connect (`pty: /dev/pts/N` or
    /// `tcp: 127.0.0.1:PORT`); with --control, the second says where the fault port listens
    /// (`control: 127.0.0.1:PORT`).
    Sim(SimOpts),
}

/// Exactly one place to run against.
#[derive(Args)]
#[group(required = true, multiple = false)]
struct TargetArgs {
    /// A virtual module started in-process.
    #[arg(long)]
    sim: bool,
    /// A serial device.
    #[arg(long, value_name = "DEV")]
    port: Option<String>,
    /// A TCP address (for instance a `qi sim --tcp`).
    #[arg(long, value_name = "ADDR")]
    tcp: Option<String>,
}

impl TargetArgs {
    fn target(self) -> Target {
        match (self.sim, self.port, self.tcp) {
            (_, Some(dev), _) => Target::Port(dev),
            (_, _, Some(addr)) => Target::Tcp(addr),
            _ => Target::Sim,
        }
    }
}

/// The options that shape the virtual module.
#[derive(Args)]
struct SimOpts {
    /// A pseudo-terminal (the default).
    #[arg(long, conflicts_with = "tcp")]
    pty: bool,
    /// A TCP port, a fresh module per connection (port 0 picks one).
    #[arg(long, value_name = "ADDR")]
    tcp: Option<String>,
    /// Pace both directions like a serial line at N baud.
    #[arg(long, value_name = "N", help_heading = "Port and line")]
    baud: Option<u32>,
    /// Start with command echo on (ATE1), as a real module does.
    #[arg(long, help_heading = "Port and line")]
    echo: bool,
    /// Silence in ms around +++ that leaves transparent mode.
    #[arg(long, value_name = "N", help_heading = "Port and line")]
    guard_ms: Option<u64>,
    /// Print RDY, +CFUN: 1 and +CPIN: READY at start, as after power-on.
    #[arg(long, help_heading = "Start-up state")]
    rdy: bool,
    /// No SIM: AT+CPIN? fails (+CME ERROR: 10), no registration.
    #[arg(long, help_heading = "Start-up state", conflicts_with = "sim_pin")]
    no_sim: bool,
    /// The SIM waits for AT+CPIN="PIN".
    #[arg(long, value_name = "PIN", help_heading = "Start-up state")]
    sim_pin: Option<String>,
    /// The registration state: home (default), roaming, searching, denied, unknown or none.
    #[arg(long, value_name = "STATE", help_heading = "Start-up state", value_parser = registration)]
    registration: Option<quectel_qi::RegistrationStatus>,
    /// What AT+CSQ reports as RSSI (default 25).
    #[arg(long, value_name = "N", help_heading = "Start-up state")]
    rssi: Option<u8>,
    /// What AT+CSQ reports as bit error rate (default 99).
    #[arg(long, value_name = "N", help_heading = "Start-up state")]
    ber: Option<u8>,
    /// What AT+QCCID reports.
    #[arg(long, value_name = "DIGITS", help_heading = "Start-up state")]
    iccid: Option<String>,
    /// What AT+GSN and AT+CGSN report.
    #[arg(long, value_name = "DIGITS", help_heading = "Start-up state")]
    imei: Option<String>,
    /// How long in ms AT+CFUN=1,1 keeps the module silent before RDY (default 500).
    #[arg(long, value_name = "N", help_heading = "Start-up state")]
    restart_ms: Option<u64>,
    /// Wait N ms before answering each command.
    #[arg(long, value_name = "N", help_heading = "Faults")]
    response_delay_ms: Option<u64>,
    /// The test form of COMMAND shows SHOWN for its field (repeat for more): a firmware whose
    /// lists differ from the spec, as `qi probe` reports (`QIOPEN.connect_id=(0-5)`).
    #[arg(long, value_name = "COMMAND.field=SHOWN", help_heading = "Faults")]
    test_reply: Vec<qi_sim::TestReply>,
    /// A TCP port taking faults while the module runs, one per line: sim ready|absent|pin
    /// PIN, registration STATE, signal RSSI BER, deactivate CONTEXT, drop CONNECT_ID, delay MS,
    /// restart, occupy CONNECT_ID [CONTEXT], flood CONNECT_ID COUNT, garbage N [SEED],
    /// overflow N, echo on|off, glue-send-ok on|off, push-without-length on|off, read-extra N,
    /// hold-closed on|off (docs/FAULTS.md says what each does).
    #[arg(long, value_name = "ADDR", help_heading = "Faults")]
    control: Option<String>,
    /// NAME resolves to IPV4 (repeat for more). The network is a sandbox by default:
    /// `localhost` is 127.0.0.1, only loopback is reachable, other hosts answer as unreachable
    /// ones do (+QIOPEN: <id>,566; 565 for unknown names).
    #[arg(long, value_name = "NAME=IPV4", help_heading = "Network", value_parser = name_entry)]
    name: Vec<String>,
    /// Connections may also reach IPV4 (repeat), or every address (`any`).
    #[arg(long, value_name = "IPV4|any", help_heading = "Network", value_parser = allowed)]
    allow: Vec<String>,
    /// Names not in the table go to the machine's resolver.
    #[arg(long, help_heading = "Network")]
    host_resolver: bool,
    /// The machine's network: --host-resolver and --allow any.
    #[arg(long, help_heading = "Network")]
    real_network: bool,
}

fn name_entry(arg: &str) -> Result<String, String> {
    qi_sim::Network::default().add_name_arg(arg)?;
    Ok(arg.to_owned())
}

fn allowed(arg: &str) -> Result<String, String> {
    if arg == "any" || arg.parse::<std::net::Ipv4Addr>().is_ok() {
        Ok(arg.to_owned())
    } else {
        Err(format!("{arg}: not an IPv4 address or `any`"))
    }
}

fn registration(word: &str) -> Result<quectel_qi::RegistrationStatus, String> {
    qi_sim::control_port::registration(word)
        .ok_or_else(|| "one of home, roaming, searching, denied, unknown or none".to_owned())
}

impl SimOpts {
    fn config(&self) -> qi_sim::Config {
        let mut config = qi_sim::Config {
            echo: self.echo,
            ..qi_sim::Config::default()
        };
        config.baud = self.baud;
        if let Some(ms) = self.guard_ms {
            config.guard_time = Duration::from_millis(ms);
        }
        if let Some(ms) = self.response_delay_ms {
            config.faults.response_delay = Duration::from_millis(ms);
        }
        let m = &mut config.modem;
        m.announce_start = self.rdy;
        m.test_replies = self.test_reply.clone();
        if self.no_sim {
            m.sim = qi_sim::SimCard::NotInserted;
        }
        if let Some(pin) = &self.sim_pin {
            m.sim = qi_sim::SimCard::PinRequired(pin.clone());
        }
        if let Some(r) = self.registration {
            m.registration = r;
        }
        if let Some(v) = self.rssi {
            m.rssi = v;
        }
        if let Some(v) = self.ber {
            m.ber = v;
        }
        if let Some(v) = &self.iccid {
            m.iccid = v.clone();
        }
        if let Some(v) = &self.imei {
            m.imei = v.clone();
        }
        if let Some(ms) = self.restart_ms {
            m.restart_time = Duration::from_millis(ms);
        }
        for entry in &self.name {
            // Checked by clap already (`name_entry`).
            let _ = config.network.add_name_arg(entry);
        }
        for arg in &self.allow {
            match arg.parse() {
                Ok(ip) => config.network.allowed.push(ip),
                Err(_) => config.network.any_address = true,
            }
        }
        config.network.host_resolver |= self.host_resolver;
        if self.real_network {
            config.network = qi_sim::Network::host();
        }
        config
    }
}

fn main() -> ExitCode {
    let status = match Cli::parse().command {
        Command::Decode { file, json, spec } => decode_cmd(file.as_deref(), json, spec.as_deref()),
        Command::Send { port, baud, lines } => qi_sim::send::main(&port, baud, &lines),
        Command::Run {
            script,
            target,
            baud,
        } => qi_sim::script::main(&script, target.target(), baud),
        Command::Probe {
            target,
            baud,
            profile,
        } => qi_sim::probe::main(&target.target(), baud, &profile),
        Command::Sim(opts) => sim_cmd(opts),
    };
    ExitCode::from(status)
}

fn decode_cmd(file: Option<&str>, json: bool, spec: Option<&str>) -> u8 {
    let table = match spec.map(decode::by_spec::load) {
        None => None,
        Some(Ok(t)) => Some(t),
        Some(Err(problems)) => {
            for p in &problems {
                eprintln!("{p}");
            }
            eprintln!("qi decode: {} problem(s) in the spec", problems.len());
            return 2;
        }
    };
    let mut input = Vec::new();
    let read = match file {
        None | Some("-") => std::io::stdin().read_to_end(&mut input).map(|_| ()),
        Some(path) => std::fs::read(path).map(|b| input = b),
    };
    if let Err(e) = read {
        eprintln!("qi decode: {}: {e}", file.unwrap_or("-"));
        return 2;
    }
    let records = match &table {
        Some(t) => decode::by_spec::decode_log(t, &input),
        None => decode::decode_log(&input),
    };
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

/// `qi sim [--tcp ADDR | --pty] [OPTIONS]`: runs until killed.
fn sim_cmd(opts: SimOpts) -> u8 {
    let (config, tcp, control) = (opts.config(), opts.tcp, opts.control);
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

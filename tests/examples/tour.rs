//! A tour of the typed client: every flow of the application note's chapter 3, with each
//! typed call, the AT lines it puts on the wire, and the typed answer.
//!
//! ```sh
//! cargo run -p qi-tests --example tour                    # against the virtual module
//! cargo run -p qi-tests --example tour -- --port /dev/ttyUSB2 --baud 115200 \
//!     --apn internet --echo 203.0.113.5:7 --ping 8.8.8.8 --resolve example.com
//! ```
//!
//! Without `--port` the virtual module runs in this process over an in-memory pipe, with real
//! peers on loopback (a TCP echo server, a UDP peer, an NTP server): nothing outside the
//! repository is needed. With `--port` the same flows talk to a real module; the flows that
//! need a peer run only when given one (`--echo HOST:PORT` for TCP, `--udp HOST:PORT` for a
//! UDP echo peer, `--ntp HOST[:PORT]`, `--ping HOST`, `--resolve NAME`); the servers need a
//! client on the module's network and run only against the virtual module.
//!
//! Exits with 1 when any flow fails.

use std::fmt::Debug;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use qi_tests::e2e::{self, BlockingRig, Dir, StdWriter, Timing, WireLog};
use qi_tests::peers::{EchoServer, NtpServer, UdpPeer};
use quectel_qi::client::{Config, Error, Event};
use quectel_qi::*;

const CTX: ContextId = ContextId::new_const(1);
/// How long the tour waits for something a peer does.
const WAIT: Duration = Duration::from_secs(10);

const USAGE: &str = "\
usage: tour                      every flow against the virtual module, in this process
       tour --port DEV [OPTIONS] the same flows against a real module on a serial port
options with --port:
  --baud N            serial speed (default 115200)
  --apn APN           configure context 1 with this APN first
  --echo HOST:PORT    a TCP echo server the module can reach (the TCP client flows)
  --udp HOST:PORT     a UDP echo peer (the UDP client flow)
  --ntp HOST[:PORT]   an NTP server (port 123 by default)
  --ping HOST         a host to ping
  --resolve NAME      a name to resolve
A flow without its peer is skipped; the servers run against the virtual module only.";

/// Where the flows that need a peer find one.
#[derive(Default)]
struct Peers {
    apn: Option<String>,
    echo: Option<(String, u16)>,
    udp: Option<(String, u16)>,
    ntp: Option<(String, u16)>,
    ping: Option<String>,
    resolve: Option<String>,
    /// The virtual module: servers can be reached from here, the UDP peer is local.
    local: Option<Local>,
}

/// The loopback peers of the virtual module's tour.
struct Local {
    _echo: EchoServer,
    _ntp: NtpServer,
    udp: UdpPeer,
}

struct Args {
    port: Option<String>,
    baud: u32,
    peers: Peers,
}

fn host_port(s: &str, default_port: Option<u16>) -> Result<(String, u16), String> {
    match s.rsplit_once(':') {
        Some((h, p)) => Ok((h.into(), p.parse().map_err(|_| format!("bad port in {s}"))?)),
        None => default_port
            .map(|p| (s.to_string(), p))
            .ok_or_else(|| format!("{s}: HOST:PORT expected")),
    }
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        port: None,
        baud: 115_200,
        peers: Peers::default(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            println!("{USAGE}");
            std::process::exit(0);
        }
        const FLAGS: [&str; 8] = [
            "--port",
            "--baud",
            "--apn",
            "--echo",
            "--udp",
            "--ntp",
            "--ping",
            "--resolve",
        ];
        if !FLAGS.contains(&flag.as_str()) {
            return Err(format!("unknown option {flag}\n{USAGE}"));
        }
        let v = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        match flag.as_str() {
            "--port" => a.port = Some(v),
            "--baud" => a.baud = v.parse().map_err(|_| format!("bad baud rate {v}"))?,
            "--apn" => a.peers.apn = Some(v),
            "--echo" => a.peers.echo = Some(host_port(&v, None)?),
            "--udp" => a.peers.udp = Some(host_port(&v, None)?),
            "--ntp" => a.peers.ntp = Some(host_port(&v, Some(123))?),
            "--ping" => a.peers.ping = Some(v),
            "--resolve" => a.peers.resolve = Some(v),
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    Ok(a)
}

/// Shows wire bytes readably: one line per CR LF-separated piece, control bytes escaped,
/// long payloads cut.
fn show_wire(dir: Dir, bytes: &[u8]) {
    let arrow = match dir {
        Dir::ToModule => "      host ->",
        Dir::FromModule => "      <- module",
    };
    let mut out = String::new();
    for piece in bytes.split(|b| *b == b'\n') {
        let piece = piece.strip_suffix(b"\r").unwrap_or(piece);
        if piece.is_empty() {
            continue;
        }
        out.push_str(&format!("{arrow} {}\n", escape(piece, 90)));
    }
    print!("{out}");
}

fn escape(bytes: &[u8], max: usize) -> String {
    let mut s = String::new();
    for &b in bytes.iter().take(max) {
        match b {
            b'\r' => s.push_str("\\r"),
            0x20..=0x7e => s.push(char::from(b)),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    if bytes.len() > max {
        s.push_str(&format!("... ({} bytes)", bytes.len()));
    }
    s
}

/// A value as the tour shows it: generated types with their module path
/// (`qiopen::Open { .. }`), anything else as its `Debug`.
fn typed<T: Debug>(v: &T) -> String {
    let debug = format!("{v:?}");
    let name = std::any::type_name::<T>();
    let Some(at) = name.find("generated::") else {
        return debug;
    };
    let path = &name[at + "generated::".len()..];
    let path = path.split('<').next().unwrap_or(path);
    let short = path.rsplit("::").next().unwrap_or(path);
    match debug.strip_prefix(short) {
        Some(rest) if path != short => format!("{path}{rest}"),
        _ => debug,
    }
}

/// The arguments of a call, as the tour shows them.
macro_rules! args {
    ($($a:expr),*) => {
        [$(typed(&$a)),*].join(", ")
    };
}

/// The tour over any byte stream to a module.
struct Tour<W: embedded_io::Write> {
    c: BlockingRig<W>,
    peers: Peers,
    failures: Vec<String>,
}

/// A flow stops at its first failed step.
type Flow = Result<(), String>;

impl<W: embedded_io::Write> Tour<W> {
    /// One typed call: what is asked, the wire while it runs, what came back.
    fn call<T: Debug>(
        &mut self,
        what: &str,
        args: String,
        f: impl FnOnce(&mut BlockingRig<W>) -> Result<T, Error>,
    ) -> Result<T, String> {
        println!("  {what}({args})");
        let r = f(&mut self.c);
        match &r {
            Ok(v) => println!("    = Ok({v:?})"),
            Err(e) => println!("    = Err({e:?}): {e}"),
        }
        r.map_err(|e| format!("{what}: {e}"))
    }

    /// A call that is meant to fail.
    fn call_failing<T: Debug>(
        &mut self,
        what: &str,
        f: impl FnOnce(&mut BlockingRig<W>) -> Result<T, Error>,
    ) -> Result<Error, String> {
        println!("  {what}   (meant to fail)");
        match f(&mut self.c) {
            Ok(v) => Err(format!("{what}: succeeded with {v:?}")),
            Err(e) => {
                println!("    = Err({e:?}): {e}");
                Ok(e)
            }
        }
    }

    /// Waits for the URCs until `done` holds, printing each event.
    fn until(&mut self, what: &str, mut done: impl FnMut(&mut BlockingRig<W>) -> bool) -> Flow {
        let deadline = std::time::Instant::now() + WAIT;
        while !done(&mut self.c) {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                return Err(format!("no {what} within {WAIT:?}"));
            }
            if let Some(e) = self.c.next_event(left.as_millis() as u32) {
                println!("    event {e:?}");
            }
        }
        Ok(())
    }

    fn flow(&mut self, title: &str, f: impl FnOnce(&mut Self) -> Flow) {
        println!("\n== {title} ==");
        if let Err(e) = f(self) {
            println!("  FAILED: {e}");
            self.failures.push(format!("{title}: {e}"));
        }
    }

    fn skip(&mut self, title: &str, why: &str) {
        println!("\n== {title} ==\n  skipped: {why}");
    }

    fn run(&mut self) {
        let mut activated = false;
        self.flow("Set the module's framing (viewmode, dataformat)", |t| {
            t.call("prepare", String::new(), |c| c.prepare())
        });
        self.flow("3.1 Configure and activate a PDP context", |t| {
            t.context(&mut activated)
        });
        match self.peers.echo.clone() {
            Some((host, port)) => {
                for mode in [AccessMode::BufferAccess, AccessMode::DirectPush] {
                    let title = format!("3.2 TCP client in {mode:?} mode (echo at {host}:{port})");
                    self.flow(&title, |t| t.tcp_client(&host, port, mode));
                }
                let title = format!("3.3 TCP client in transparent mode (echo at {host}:{port})");
                self.flow(&title, |t| t.transparent(&host, port));
            }
            None => self.skip(
                "3.2-3.4 TCP client",
                "give an echo server with --echo HOST:PORT",
            ),
        }
        if self.peers.local.is_some() {
            self.flow("3.5 TCP server, automatic accept", |t| t.server_automatic());
            self.flow("3.5 TCP server, manual accept", |t| t.server_manual());
            self.flow("3.6 UDP service", |t| t.udp_service());
        } else {
            self.skip(
                "3.5-3.6 TCP server and UDP service",
                "they need a client on the module's network: the virtual module has one",
            );
        }
        match self.peers.udp.clone() {
            Some((host, port)) => self.flow(&format!("3.6 UDP client (peer {host}:{port})"), |t| {
                t.udp_client(&host, port)
            }),
            None => self.skip(
                "3.6 UDP client",
                "give a UDP echo peer with --udp HOST:PORT",
            ),
        }
        match self.peers.ping.clone() {
            Some(host) => self.flow(&format!("3.7 Ping {host}"), |t| t.ping(&host)),
            None => self.skip("3.7 Ping", "give a host with --ping HOST"),
        }
        match self.peers.ntp.clone() {
            Some((host, port)) => self.flow(&format!("3.8 NTP with {host}:{port}"), |t| {
                t.ntp(&host, port)
            }),
            None => self.skip("3.8 NTP", "give a server with --ntp HOST[:PORT]"),
        }
        match self.peers.resolve.clone() {
            Some(name) => self.flow(&format!("3.9 DNS: resolve {name}"), |t| t.dns(&name)),
            None => self.skip("3.9 DNS", "give a name with --resolve NAME"),
        }
        self.flow("3.10 The last error (AT+QIGETERROR after ERROR)", |t| {
            t.last_error()
        });
        if activated {
            self.flow("3.1 Deactivate the context", |t| {
                t.call("deactivate", args!(CTX), |c| c.deactivate(CTX))
            });
        }
    }

    fn context(&mut self, activated: &mut bool) -> Flow {
        if let Some(apn) = self.peers.apn.clone() {
            let cfg = qicsgp::Configure {
                context_id: CTX,
                context_type: ContextType::Ipv4,
                apn: &apn,
                username: None,
                password: None,
                authentication: None,
            };
            self.call("configure_context", args!(cfg), |c| {
                c.configure_context(&cfg)
            })?;
        }
        self.call("context_config", args!(CTX), |c| c.context_config(CTX))?;
        let address = self.call("context_address", args!(CTX), |c| c.context_address(CTX))?;
        if address.is_some() {
            println!("  (already active: the tour leaves it as it is)");
            return Ok(());
        }
        self.call("activate", args!(CTX), |c| c.activate(CTX))?;
        *activated = true;
        self.call("contexts", String::new(), |c| {
            let mut active = heapless::Vec::<_, 15>::new();
            c.contexts(&mut active).map(|()| active)
        })?;
        Ok(())
    }

    fn tcp_client(&mut self, host: &str, port: u16, mode: AccessMode) -> Flow {
        let open = qiopen::Open {
            context_id: CTX,
            connect_id: ConnectId::new_const(0),
            service_type: ServiceType::Tcp,
            host,
            remote_port: Port::new(i64::from(port)).ok_or("bad port")?,
            local_port: Some(Port::new_const(0)),
            access_mode: Some(mode),
        };
        let s = self.call("open", args!(open), |c| c.open(&open))?;
        let msg = b"Hello, module!";
        self.call("send", args!(s, escape(msg, 40)), |c| c.send(s, msg))?;
        let got = self.read_back(s, msg.len())?;
        if got != msg {
            return Err(format!("echo differs: {:?}", escape(&got, 40)));
        }
        if mode == AccessMode::BufferAccess {
            self.call("read_counters", args!(s), |c| c.read_counters(s))?;
        }
        self.call("socket_state", args!(s), |c| c.socket_state(s))?;
        self.call("close", args!(s), |c| c.close(s))
    }

    /// Reads `n` bytes of a socket: waits for the module to announce (buffer access) or push
    /// (direct push) data, then reads.
    fn read_back(&mut self, s: ConnectId, n: usize) -> Result<Vec<u8>, String> {
        let mut got = Vec::new();
        while got.len() < n {
            self.until("data", |c| c.socket(s).data_pending || c.pushed_len(s) > 0)?;
            let mut buf = vec![0u8; n - got.len()];
            let k = self.call("read", args!(s, buf.len()), |c| c.read(s, &mut buf))?;
            got.extend_from_slice(&buf[..k]);
        }
        Ok(got)
    }

    fn transparent(&mut self, host: &str, port: u16) -> Flow {
        let open = qiopen::Open {
            context_id: CTX,
            connect_id: ConnectId::new_const(1),
            service_type: ServiceType::Tcp,
            host,
            remote_port: Port::new(i64::from(port)).ok_or("bad port")?,
            local_port: Some(Port::new_const(0)),
            access_mode: Some(AccessMode::Transparent),
        };
        let s = self.call("open", args!(open), |c| c.open(&open))?;
        let msg = b"raw bytes, no AT commands";
        self.call("write_transparent", args!(escape(msg, 40)), |c| {
            c.write_transparent(msg)
        })?;
        println!("  (the echo comes back raw on the port)");
        if !self.c.wire.tap.wait_len(msg.len(), WAIT) {
            return Err("no echo in transparent mode".into());
        }
        let got = self.c.wire.tap.take();
        println!("    = {:?}", escape(&got, 40));
        if got != msg {
            return Err("echo differs".into());
        }
        // The document wants 1 s of silence around +++; the virtual module less.
        let guard = if self.peers.local.is_some() { 50 } else { 1000 };
        self.call("leave_transparent", args!(guard), |c| {
            c.leave_transparent(guard)
        })?;
        self.call("socket_state", args!(s), |c| c.socket_state(s))?;
        self.call("close", args!(s), |c| c.close(s))
    }

    fn listen(&mut self, id: ConnectId, mode: AccessMode) -> Result<u16, String> {
        let open = qiopen::Open {
            context_id: CTX,
            connect_id: id,
            service_type: ServiceType::TcpListener,
            host: "127.0.0.1",
            remote_port: Port::new_const(0),
            local_port: Some(Port::new_const(0)),
            access_mode: Some(mode),
        };
        self.call("open", args!(open), |c| c.open(&open))?;
        let state = self.call("socket_state", args!(id), |c| c.socket_state(id))?;
        let port = state
            .ok_or("the listener is not in the table")?
            .local_port
            .get();
        println!("  (the listener is on 127.0.0.1:{port})");
        Ok(port)
    }

    fn server_automatic(&mut self) -> Flow {
        let listener = ConnectId::new_const(2);
        let port = self.listen(listener, AccessMode::BufferAccess)?;
        println!("  a client connects to 127.0.0.1:{port}");
        let mut peer = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
        peer.set_read_timeout(Some(WAIT))
            .map_err(|e| e.to_string())?;
        let s = self.call("next_incoming", args!(listener), |c| {
            c.next_incoming(listener, WAIT.as_millis() as u32)
        })?;
        self.call("send", args!(s, "to the client"), |c| {
            c.send(s, b"to the client")
        })?;
        let mut got = [0u8; 13];
        peer.read_exact(&mut got).map_err(|e| e.to_string())?;
        println!("  the client received {:?}", escape(&got, 40));
        peer.write_all(b"to the module")
            .map_err(|e| e.to_string())?;
        println!("  the client sends \"to the module\"");
        self.read_back(s, 13)?;
        drop(peer);
        println!("  the client closes");
        self.until("closed URC", |c| c.socket(s).closed)?;
        self.call("close", args!(s), |c| c.close(s))?;
        self.call("close", args!(listener), |c| c.close(listener))
    }

    fn server_manual(&mut self) -> Flow {
        let manual = qicfg::tcp_accept::Set {
            accept_mode: AcceptMode::Manual,
        };
        self.call("exec", args!(manual), |c| c.exec(&manual))?;
        let listener = ConnectId::new_const(3);
        let port = self.listen(listener, AccessMode::DirectPush)?;
        println!("  a client connects to 127.0.0.1:{port}");
        let mut peer = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
        self.until("accept request", |c| c.socket(listener).accept_requests > 0)?;
        let incoming = ConnectId::new_const(5);
        self.call("accept", args!(listener, incoming), |c| {
            c.accept(listener, incoming)
        })?;
        peer.write_all(b"pushed").map_err(|e| e.to_string())?;
        println!("  the client sends \"pushed\"");
        self.read_back(incoming, 6)?;
        self.call("close", args!(incoming), |c| c.close(incoming))?;
        self.call("close", args!(listener), |c| c.close(listener))?;
        let automatic = qicfg::tcp_accept::Set {
            accept_mode: AcceptMode::Automatic,
        };
        self.call("exec", args!(automatic), |c| c.exec(&automatic))
            .map(drop)
    }

    fn udp_service(&mut self) -> Flow {
        let service = ConnectId::new_const(4);
        let open = qiopen::Open {
            context_id: CTX,
            connect_id: service,
            service_type: ServiceType::UdpService,
            host: "127.0.0.1",
            remote_port: Port::new_const(0),
            local_port: Some(Port::new_const(0)),
            access_mode: Some(AccessMode::BufferAccess),
        };
        self.call("open", args!(open), |c| c.open(&open))?;
        let state = self.call("socket_state", args!(service), |c| c.socket_state(service))?;
        let port = state
            .ok_or("the service is not in the table")?
            .local_port
            .get();
        let local = self.peers.local.as_ref().ok_or("no local peer")?;
        local
            .udp
            .send_to(b"a datagram", port)
            .map_err(|e| e.to_string())?;
        println!(
            "  a peer on 127.0.0.1:{} sends \"a datagram\"",
            local.udp.port()
        );
        self.until("datagram", |c| c.socket(service).data_pending)?;
        let mut buf = [0u8; 64];
        let got = self.call("read_from", args!(service), |c| {
            c.read_from(service, &mut buf)
        })?;
        let (_, from) = got.ok_or("no datagram")?;
        self.call("send_to", args!(service, "an answer", &from), |c| {
            c.send_to(service, b"an answer", &from.ip, from.port())
        })?;
        let local = self.peers.local.as_ref().ok_or("no local peer")?;
        let (data, _) = local.udp.recv().map_err(|e| e.to_string())?;
        println!("  the peer received {:?}", escape(&data, 40));
        self.call("close", args!(service), |c| c.close(service))
    }

    fn udp_client(&mut self, host: &str, port: u16) -> Flow {
        let client = ConnectId::new_const(6);
        let open = qiopen::Open {
            context_id: CTX,
            connect_id: client,
            service_type: ServiceType::Udp,
            host,
            remote_port: Port::new(i64::from(port)).ok_or("bad port")?,
            local_port: Some(Port::new_const(0)),
            access_mode: Some(AccessMode::BufferAccess),
        };
        self.call("open", args!(open), |c| c.open(&open))?;
        self.call("send", args!(client, "datagram"), |c| {
            c.send(client, b"datagram")
        })?;
        if let Some(local) = &self.peers.local {
            let data = local.udp.echo_one().map_err(|e| e.to_string())?;
            println!("  the peer echoes {:?}", escape(&data, 40));
        }
        self.read_back(client, 8)?;
        self.call("close", args!(client), |c| c.close(client))
    }

    fn ping(&mut self, host: &str) -> Flow {
        let ping = qping::Ping {
            context_id: CTX,
            host,
            timeout: Some(PingTimeout::new_const(2)),
            pingnum: Some(Pingnum::new_const(2)),
        };
        self.call("ping", args!(ping), |c| c.ping(&ping)).map(drop)
    }

    fn ntp(&mut self, host: &str, port: u16) -> Flow {
        let sync = qntp::SyncValue {
            context_id: CTX,
            server: host,
            ntp_port: Some(NtpPort::new(i64::from(port)).ok_or("bad port")?),
            autosettime: None,
        };
        self.call("sync_time", args!(sync), |c| c.sync_time(&sync))
            .map(drop)
    }

    fn dns(&mut self, name: &str) -> Flow {
        self.call("resolve::<4>", args!(CTX, name), |c| {
            c.resolve::<4>(CTX, name)
        })
        .map(drop)
    }

    fn last_error(&mut self) -> Flow {
        println!("  (the client is configured with query_last_error: true)");
        let s = ConnectId::new_const(9);
        self.call_failing("send(ConnectId(9), \"nobody\")", |c| c.send(s, b"nobody"))?;
        let bad = qiopen::Open {
            context_id: CTX,
            connect_id: s,
            service_type: ServiceType::Tcp,
            host: "bad\"host",
            remote_port: Port::new_const(80),
            local_port: None,
            access_mode: None,
        };
        println!("  (an invalid request is refused before a byte is written:)");
        self.call_failing(&format!("open({})", typed(&bad)), |c| c.open(&bad))
            .map(drop)
    }
}

fn print_events_left<W: embedded_io::Write>(t: &mut Tour<W>) {
    while let Some(e) = t.c.next_event(0) {
        if e != Event::Result {
            println!("  event {e:?}");
        }
    }
}

fn finish<W: embedded_io::Write>(mut t: Tour<W>) -> ExitCode {
    print_events_left(&mut t);
    println!();
    if t.failures.is_empty() {
        println!("All flows passed.");
        ExitCode::SUCCESS
    } else {
        println!("{} flow(s) failed:", t.failures.len());
        for f in &t.failures {
            println!("  {f}");
        }
        ExitCode::FAILURE
    }
}

fn wire_log() -> WireLog {
    Arc::new(show_wire)
}

fn config(timing: Timing) -> Config {
    timing.client_config(true)
}

fn virtual_module(mut peers: Peers) -> Result<ExitCode, String> {
    let echo = EchoServer::start().map_err(|e| e.to_string())?;
    // 2019-07-21 06:10:59 UTC, the time of the document's example.
    let ntp = NtpServer::start(1_563_689_459).map_err(|e| e.to_string())?;
    let udp = UdpPeer::bind().map_err(|e| e.to_string())?;
    println!("The virtual module runs in this process, over an in-memory pipe.");
    println!(
        "Loopback peers: TCP echo on 127.0.0.1:{}, NTP on 127.0.0.1:{}, UDP peer on 127.0.0.1:{}.",
        echo.port(),
        ntp.port(),
        udp.port()
    );
    println!("Each call shows its arguments, the AT lines on the wire, and the typed result.");
    peers.echo = Some(("127.0.0.1".into(), echo.port()));
    peers.udp = Some(("127.0.0.1".into(), udp.port()));
    peers.ntp = Some(("127.0.0.1".into(), ntp.port()));
    peers.ping.get_or_insert_with(|| "127.0.0.1".into());
    peers.resolve.get_or_insert_with(|| "localhost".into());
    peers.local = Some(Local {
        _echo: echo,
        _ntp: ntp,
        udp,
    });
    let sim = qi_sim::Config::for_tests();
    let c = e2e::start_blocking(sim, config(Timing::Test), Some(wire_log()));
    let mut tour = Tour {
        c,
        peers,
        failures: Vec::new(),
    };
    tour.run();
    Ok(finish(tour))
}

fn real_module(dev: &str, baud: u32, peers: Peers) -> Result<ExitCode, String> {
    let port = serialport::new(dev, baud)
        .timeout(Duration::from_millis(100))
        .open()
        .map_err(|e| format!("{dev}: {e}"))?;
    let reader = port.try_clone().map_err(|e| format!("{dev}: {e}"))?;
    println!("A real module on {dev} at {baud} baud.");
    let c = e2e::blocking_over(
        reader,
        StdWriter(port),
        Timing::Spec,
        config(Timing::Spec),
        Some(wire_log()),
    );
    let mut tour = Tour {
        c,
        peers,
        failures: Vec::new(),
    };
    tour.run();
    Ok(finish(tour))
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let result = match &args.port {
        None => virtual_module(args.peers),
        Some(dev) => real_module(dev, args.baud, args.peers),
    };
    result.unwrap_or_else(|e| {
        eprintln!("tour: {e}");
        ExitCode::FAILURE
    })
}

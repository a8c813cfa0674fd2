//! The virtual module: one thread that owns all state and reacts to events (bytes from the
//! host, traffic on its sockets, results of background work, fault injection).
//!
//! # Where the document is silent, the module chooses
//!
//! - Input (V.250 5.2.1): a command line starts at `AT` or `at` (anything before it is ignored,
//!   though echoed) and ends at CR; an LF right after the CR belongs to the line ending and is
//!   never data, also when the line opened a prompt or transparent mode (see the erratum
//!   host-line-ending). Echo (ATE1) sends back what came, the LF of a CR LF with its CR when
//!   both arrive together; an LF that comes after the answer is not echoed.
//! - Output: every line as `<CR><LF>line<CR><LF>` (section 2.1.2); after ATV0 result codes as
//!   digits and a CR, and information text as `text<CR><LF>` (V.250 5.7.1). The prompt is
//!   `<CR><LF>> ` (`AT+QICFG="formatcfg",0`, "S3S4>", with the space real modules print; see
//!   the erratum prompt-spacing) or `<CR><LF>><CR><LF>` (1); a payload after its line
//!   and a CR LF, then a CR LF after the payload.
//! - Failures: ERROR, or `+CME ERROR: <err>` after AT+CMEE=1 (the number) or 2 (the text),
//!   for every command, the TCP/IP commands with their chapter 4 codes; a line that is no
//!   command of the module is ERROR either way. The basic commands: see `modem.rs`.
//! - Start-up settings: echo on (`ATE1`, unless [`crate::Config::echo`] says otherwise),
//!   `AT+QISDE=0` (the examples show no payload echo), and the AT+QICFG values in
//!   `settings.rs`. A fresh context is IPv4 without APN, as the AT+QICSGP example shows; DNS
//!   servers read "0.0.0.0"; names resolve from the table of [`crate::Network`] (AT+QIDNSGIP and
//!   opens by name), and only the addresses it allows are reachable (see [`crate::network`]).
//! - Sockets: an incoming client gets the highest free connectID (the example in 3.5 gives
//!   11); the acknowledgement counters
//!   of AT+QISEND report everything sent as acknowledged (loopback); `passiveclosed`=1 frees a
//!   socket the peer closed at once, 0 keeps it in state 4 until AT+QICLOSE.
//! - Error codes: a used connectID 563, a refused or unreachable peer 566, a name that does not
//!   resolve 565, a port in use 574 (other bind failures 556), a context not active 572, AT+QIACT
//!   on an active context 561, Esc after the prompt 571, qisend/timeout with nothing typed 569,
//!   a missing socket 567 (AT+QIGETERROR itself leaves the code alone), a form the socket's type does not take 572, any line that does not
//!   decode 552. In buffer access and direct push modes a failed open answers OK then
//!   `+QIOPEN: <id>,<err>`; in transparent mode ERROR. Success sets the last error to 0.
//! - Data formats: with `"dataformat"` hex sending, `<send_length>` counts bytes and the host
//!   types two hex digits for each; hex receiving and `"viewmode"` 1 shape `+QIRD` and the
//!   push URC the same way (errata qicfg-hex-lengths, qicfg-viewmode-comma). `AT+QISDE=1`
//!   echoes the input after the prompt, not the Ctrl+Z or Esc that ends it (qisde-echo-shape);
//!   `"qisend/timeout"` restarts with each byte (qicfg-qisend-timeout-expiry).
//! - `"close/mode"` 1: AT+QICLOSE answers OK, then `+QICLOSE: <connectID>,0`
//!   (qiclose-close-mode-urc).
//! - DTR ([`Control::raise_dtr`]): in transparent mode `AT&D1` (the start-up value) leaves it
//!   as `+++` does, `AT&D2` ends the connection with NO CARRIER, `AT&D0` ignores it
//!   (dtr-edge-answer).
//! - AT+QPING and AT+QNTP: see `services.rs` (ping measures a TCP connection attempt to port 7).

mod commands;
mod field;
pub use field::noise;
mod input;
mod modem;
mod net;
mod open;
mod output;
mod services;
mod settings;
mod sockets;
mod test_forms;

use crate::config::{ChunkPlan, Config};
use crate::transport::pacing::{PacedReader, PacedWriter};
use output::Output;
use quectel_qi::{
    Authentication, ConnectId, ContextId, ContextType, Echo, ErrorCode, PromptFormat,
    RegistrationStatus, ResultCode, ResultCodeFormat, Urc,
};
use settings::Settings;
use sockets::{Net, Socket};
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::sync::mpsc::{sync_channel, Receiver, RecvTimeoutError, SyncSender};
use std::time::{Duration, Instant};

/// Events waiting for the module thread; senders block when it falls behind.
const EVENT_QUEUE: usize = 256;
/// The longest command line the module takes; longer ones are dropped and answered ERROR.
const MAX_LINE: usize = 4096;

/// Everything the module thread reacts to.
pub(crate) enum Event {
    /// Bytes from the host.
    Host(Vec<u8>),
    /// The host's side closed.
    HostGone,
    /// Traffic on a socket.
    Net { id: ConnectId, gen: u64, net: Net },
    /// URCs produced by background work (DNS, ping, NTP).
    Report(Vec<Urc<'static>>, Job),
    /// Fault injection and shutdown.
    Control(Ctl),
}

/// Background work that reports URCs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Job {
    Dns,
    Ping,
    Ntp,
}

pub(crate) enum Ctl {
    DeactivateContext(ContextId),
    DropPeer(ConnectId),
    ResponseDelay(Duration),
    Sim(crate::config::SimCard),
    Network(RegistrationStatus),
    Signal(u8, u8),
    Restart,
    Occupy(ConnectId, ContextId),
    UrcFlood(ConnectId, usize),
    Inject(Vec<u8>),
    Echo(bool),
    DtrRaised,
    Field(Box<dyn FnOnce(&mut crate::config::FieldFaults) + Send>),
    Shutdown,
}

/// Injects faults into a running module and stops it. Cheap to clone.
#[derive(Clone)]
pub struct Control {
    tx: SyncSender<Event>,
}

impl Control {
    fn send(&self, c: Ctl) -> bool {
        self.tx.send(Event::Control(c)).is_ok()
    }

    /// The network deactivates the context: its sockets break and the module reports
    /// `+QIURC: "pdpdeact",<contextID>`. False when the module has stopped.
    pub fn deactivate_context(&self, context_id: ContextId) -> bool {
        self.send(Ctl::DeactivateContext(context_id))
    }

    /// The connection of a socket drops on the network side: the module reports it closed
    /// (`+QIURC: "closed"`, or NO CARRIER in transparent mode).
    pub fn drop_peer(&self, connect_id: ConnectId) -> bool {
        self.send(Ctl::DropPeer(connect_id))
    }

    /// From now on, wait this long before answering each command.
    pub fn set_response_delay(&self, delay: Duration) -> bool {
        self.send(Ctl::ResponseDelay(delay))
    }

    /// The SIM changes: removed ([`SimCard::NotInserted`](crate::SimCard), AT+CPIN? fails and
    /// the registration is lost), locked, or back. False when the module has stopped.
    pub fn set_sim(&self, sim: crate::config::SimCard) -> bool {
        self.send(Ctl::Sim(sim))
    }

    /// The network grants another registration: `NotRegistered` or `Searching` loses it (with
    /// the registration URCs the host enabled), `Denied` refuses it, `RegisteredHome` gives it
    /// back. PDP contexts stay: deactivate them with [`Control::deactivate_context`].
    pub fn set_registration(&self, status: RegistrationStatus) -> bool {
        self.send(Ctl::Network(status))
    }

    /// AT+CSQ reports these from now on (`rssi` 0 to 31 or 99, `ber` 0 to 7 or 99; others are
    /// shown as 99).
    pub fn set_signal(&self, rssi: u8, ber: u8) -> bool {
        self.send(Ctl::Signal(rssi, ber))
    }

    /// The module restarts on its own in the middle of whatever runs: `+QIURC: "pdpdeact"`
    /// for each active context, silence for [`crate::Modem::restart_time`], then the start-up
    /// lines (RDY, `+CFUN: 1`, `+CPIN: READY`); every socket is gone.
    pub fn restart(&self) -> bool {
        self.send(Ctl::Restart)
    }

    /// The host raises DTR (low to high, section 1.2). In transparent mode, as `AT&D` says:
    /// `AT&D1` (the module's start-up value) leaves the mode as `+++` does (the socket goes on
    /// in buffer access mode, `OK`); `AT&D2` ends the connection (`NO CARRIER`; close the
    /// socket with AT+QICLOSE); `AT&D0` ignores it. Outside transparent mode nothing happens.
    pub fn raise_dtr(&self) -> bool {
        self.send(Ctl::DtrRaised)
    }

    /// The module holds socket `connect_id` open from an earlier life of the host (which
    /// restarted while the module kept running), on `context` (activated if it was not):
    /// `AT+QIOPEN` of that ID answers 563 until the host closes it.
    pub fn occupy_socket(&self, connect_id: ConnectId, context: ContextId) -> bool {
        self.send(Ctl::Occupy(connect_id, context))
    }

    /// `count` copies of `+QIURC: "recv",<connect_id>` at once (more URCs than a host's
    /// channel holds).
    pub fn flood_urcs(&self, connect_id: ConnectId, count: usize) -> bool {
        self.send(Ctl::UrcFlood(connect_id, count))
    }

    /// Writes `bytes` to the host as they are, between two frames of output (garbage, or a
    /// run longer than the host's ingress buffer).
    pub fn inject(&self, bytes: Vec<u8>) -> bool {
        self.send(Ctl::Inject(bytes))
    }

    /// Turns command echo on or off, as if `ATE1`/`ATE0` had come (a module that reset its
    /// settings, or noise on the line).
    pub fn set_echo(&self, on: bool) -> bool {
        self.send(Ctl::Echo(on))
    }

    /// `\r\n<n noise bytes>\r\n`, the noise drawn from a generator seeded with `seed` (no CR
    /// or LF inside: one line of garbage).
    pub fn inject_garbage(&self, seed: u64, n: usize) -> bool {
        let mut bytes = b"\r\n".to_vec();
        bytes.extend(noise(seed, n));
        bytes.extend_from_slice(b"\r\n");
        self.inject(bytes)
    }

    /// The field failures that stay on from now on (see [`crate::FieldFaults`]).
    pub fn set_field_faults(&self, faults: crate::config::FieldFaults) -> bool {
        self.update_field_faults(move |f| *f = faults)
    }

    /// Changes some of the field failures (see [`crate::FieldFaults`]).
    pub fn update_field_faults(
        &self,
        change: impl FnOnce(&mut crate::config::FieldFaults) + Send + 'static,
    ) -> bool {
        self.send(Ctl::Field(Box::new(change)))
    }

    /// Stops the module; its sockets close.
    pub fn shutdown(&self) -> bool {
        self.send(Ctl::Shutdown)
    }
}

/// A virtual EG915Q. Build one, take its [`Control`], then [`Module::run`] it on a byte stream
/// (or let a [`crate::transport`] do both).
pub struct Module {
    config: Config,
    tx: SyncSender<Event>,
    rx: Receiver<Event>,
    /// Whether output is cut per [`crate::Faults::chunks`] here (the duplex cuts at the
    /// host's reads instead).
    pub(crate) split_output: bool,
}

impl Module {
    /// A module with `config`, not running yet.
    pub fn new(config: Config) -> Self {
        let (tx, rx) = sync_channel(EVENT_QUEUE);
        Module {
            config,
            tx,
            rx,
            split_output: true,
        }
    }

    /// The handle for fault injection and shutdown.
    pub fn control(&self) -> Control {
        Control {
            tx: self.tx.clone(),
        }
    }

    /// Runs the module on a byte stream until the input ends, the output breaks or
    /// [`Control::shutdown`]. Input is read on a helper thread, which ends with the input.
    pub fn run<R, W>(self, input: R, output: W)
    where
        R: Read + Send + 'static,
        W: Write + Send + 'static,
    {
        let Module {
            config,
            tx,
            rx,
            split_output,
        } = self;
        let reader_tx = tx.clone();
        let mut input = PacedReader::new(input, config.baud);
        let reader = std::thread::Builder::new()
            .name("qi-sim input".into())
            .spawn(move || {
                let mut buf = [0u8; 4096];
                loop {
                    match input.read(&mut buf) {
                        Ok(0) => break,
                        Ok(n) => {
                            if reader_tx.send(Event::Host(buf[..n].to_vec())).is_err() {
                                return;
                            }
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(_) => break,
                    }
                }
                let _ = reader_tx.send(Event::HostGone);
            });
        if reader.is_err() {
            return;
        }
        serve(config, tx, rx, split_output, output);
    }

    /// Runs the module on `input` as if the host wrote it all at once and then went away:
    /// [`Module::run`] on a reader of `input`, without its reader thread and its pacing of
    /// the input. For fuzzing, where a thread per input would cost more than the module.
    pub fn run_on_bytes<W>(self, input: &[u8], output: W)
    where
        W: Write + Send + 'static,
    {
        let Module {
            config,
            tx,
            rx,
            split_output,
        } = self;
        // The reader thread of `run` sends input in pieces of this size.
        let pieces = input.chunks(4096).map(|p| Event::Host(p.to_vec()));
        let mut events: Vec<Event> = pieces.chain([Event::HostGone]).collect();
        if events.len() > EVENT_QUEUE {
            // Queued ahead of the module, no more than the queue holds: one piece.
            events = vec![Event::Host(input.to_vec()), Event::HostGone];
        }
        for e in events {
            if tx.try_send(e).is_err() {
                return;
            }
        }
        serve(config, tx, rx, split_output, output);
    }
}

/// The module's loop on `output`, fed by the events of `rx`.
fn serve<W>(
    config: Config,
    tx: SyncSender<Event>,
    rx: Receiver<Event>,
    split_output: bool,
    output: W,
) where
    W: Write + Send + 'static,
{
    let plan = split_output.then(|| ChunkPlan::new(config.faults.chunks));
    let out = Output::new(
        Box::new(PacedWriter::new(output, config.baud)),
        plan,
        config.faults.merge_window,
    );
    let mut sim = Sim::new(config, tx, out);
    sim.run(rx);
}

/// What AT+QICSGP set for a context, and whether it is active.
#[derive(Debug, Clone)]
pub(crate) struct Context {
    pub context_type: ContextType,
    pub apn: String,
    pub username: String,
    pub password: String,
    pub authentication: Authentication,
    pub active: bool,
    pub dns: (String, String),
}

impl Default for Context {
    fn default() -> Self {
        // As the document's AT+QICSGP=1 example shows a fresh context: IPv4, no APN, no
        // credentials, no authentication.
        Context {
            context_type: ContextType::Ipv4,
            apn: String::new(),
            username: String::new(),
            password: String::new(),
            authentication: Authentication::None,
            active: false,
            dns: ("0.0.0.0".into(), "0.0.0.0".into()),
        }
    }
}

/// Where the bytes from the host go.
pub(crate) enum Mode {
    /// Command lines.
    Command,
    /// The payload of AT+QISEND after the prompt.
    Prompt(input::Prompt),
    /// Raw data to and from a socket.
    Transparent(input::Transparent),
    /// A transparent-mode open is under way; input waits until CONNECT or ERROR.
    Waiting(ConnectId),
}

/// The state of a running module.
pub(crate) struct Sim {
    pub cfg: Config,
    pub tx: SyncSender<Event>,
    pub out: Output,
    pub echo: bool,
    pub data_echo: Echo,
    pub last_error: ErrorCode,
    pub settings: Settings,
    pub contexts: Vec<Context>,
    pub sockets: Vec<Option<Socket>>,
    pub next_gen: u64,
    pub mode: Mode,
    pub line: Vec<u8>,
    pub line_overflow: bool,
    /// An `A` came while no line was under way: a `T` now starts one.
    pub prefix_a: bool,
    /// A CR ended a command line and the next byte has not come: an LF is the line ending's.
    pub after_cr: bool,
    /// The host ended its last command line with CR LF (it starts out assumed).
    pub host_crlf: bool,
    /// A command is being executed: URCs it causes wait for its final result.
    pub executing: bool,
    pub after_result: Vec<Vec<u8>>,
    pub modem: modem::Modem,
    pub held: Vec<u8>,
    pub last_transparent: Option<ConnectId>,
    pub queued: Vec<Vec<u8>>,
    pub ntp_busy: Option<(String, u16)>,
    pub response_delay: Duration,
    pub field: crate::config::FieldFaults,
    pub stop: bool,
}

impl Sim {
    fn new(cfg: Config, tx: SyncSender<Event>, out: Output) -> Self {
        let contexts = (0..=ContextId::MAX.get())
            .map(|_| Context::default())
            .collect();
        let sockets = (0..=ConnectId::MAX.get()).map(|_| None).collect();
        Sim {
            echo: cfg.echo,
            response_delay: cfg.faults.response_delay,
            field: cfg.faults.field,
            modem: modem::Modem::new(&cfg.modem),
            cfg,
            tx,
            out,
            data_echo: Echo::Off,
            last_error: ErrorCode::OperateSuccess,
            settings: Settings::default(),
            contexts,
            sockets,
            next_gen: 1,
            mode: Mode::Command,
            line: Vec::new(),
            line_overflow: false,
            prefix_a: false,
            after_cr: false,
            host_crlf: true,
            executing: false,
            after_result: Vec::new(),
            held: Vec::new(),
            last_transparent: None,
            queued: Vec::new(),
            ntp_busy: None,
            stop: false,
        }
    }

    fn run(&mut self, rx: Receiver<Event>) {
        if self.cfg.modem.announce_start {
            self.announce_start();
        }
        while !self.stop && !self.out.broken() {
            let now = Instant::now();
            let event = match self.next_deadline() {
                Some(d) => rx.recv_timeout(d.saturating_duration_since(now)),
                None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
            };
            match event {
                Ok(e) => self.handle(e),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            self.tick(Instant::now());
        }
        for s in self.sockets.iter_mut().flatten() {
            s.shut();
        }
        self.out.flush_all();
    }

    fn handle(&mut self, e: Event) {
        match e {
            // A restarting module hears nothing.
            Event::Host(_) if self.modem.restarting_until.is_some() => {}
            Event::Host(bytes) => self.feed(&bytes),
            Event::HostGone => self.stop = true,
            Event::Net { id, gen, net } => self.on_net(id, gen, net),
            Event::Report(urcs, job) => {
                if job == Job::Ntp {
                    self.ntp_busy = None;
                }
                for u in urcs {
                    let bytes = commands::urc_bytes(u);
                    self.urc(bytes);
                }
            }
            Event::Control(c) => self.on_control(c),
        }
    }

    /// The earliest moment something must happen without an event.
    fn next_deadline(&self) -> Option<Instant> {
        let mode = match &self.mode {
            Mode::Prompt(p) => p.deadline,
            Mode::Transparent(t) => t.deadline(&self.cfg, &self.settings),
            _ => None,
        };
        [mode, self.out.deadline(), self.modem.restarting_until]
            .into_iter()
            .flatten()
            .min()
    }

    fn tick(&mut self, now: Instant) {
        self.input_tick(now);
        self.restart_tick(now);
        self.out.tick(now);
    }

    /// Sends a URC now, or keeps it until the port is back in command mode.
    pub(crate) fn urc(&mut self, bytes: Vec<u8>) {
        if self.executing {
            self.after_result.push(bytes);
        } else if matches!(self.mode, Mode::Command) {
            self.out.send(&bytes);
        } else {
            self.queued.push(bytes);
        }
    }

    /// Back to command mode: URCs held meanwhile go out.
    pub(crate) fn back_to_commands(&mut self) {
        self.mode = Mode::Command;
        for u in std::mem::take(&mut self.queued) {
            self.out.send(&u);
        }
    }

    /// A final result code: framed by CR LF, or after ATV0 its number and a CR (V.250 5.7.1;
    /// results without a number, such as SEND OK, stay words).
    pub(crate) fn result(&mut self, text: &str) {
        let numeric = match (self.modem.result_format, text) {
            (ResultCodeFormat::Verbose, _) => None,
            (_, "OK") => Some(ResultCode::Ok),
            (_, "CONNECT") => Some(ResultCode::Connect),
            (_, "NO CARRIER") => Some(ResultCode::NoCarrier),
            (_, "ERROR") => Some(ResultCode::Error),
            _ => None,
        };
        match numeric {
            Some(code) => self.out.send(format!("{}\r", code.code()).as_bytes()),
            None => self.out.send(&output::framed(text.as_bytes())),
        }
    }

    /// An information line, framed as `frame` does: after ATV0 without the leading CR LF.
    pub(crate) fn information(&mut self, framed: &[u8]) {
        let shown = match self.modem.result_format {
            ResultCodeFormat::Numeric => framed.strip_prefix(b"\r\n").unwrap_or(framed),
            // Verbose, and any format a newer spec adds before the module models it.
            _ => framed,
        };
        self.out.send(shown);
    }

    /// A command failed with `code`: ERROR, or `+CME ERROR: <err>` when AT+CMEE asks for it.
    pub(crate) fn fail(&mut self, code: ErrorCode) {
        match self.cme_error(code) {
            Some(line) => self.result(&line),
            None => self.result("ERROR"),
        }
    }

    pub(crate) fn prompt(&mut self) {
        let p: &[u8] = match self.settings.prompt_format {
            PromptFormat::S3s4Prompt => b"\r\n> ",
            PromptFormat::S3s4PromptS3s4 => b"\r\n>\r\n",
            // A format a newer spec adds: the default prompt.
            _ => b"\r\n> ",
        };
        self.out.send(p);
    }

    /// The module goes down (AT+CFUN=1,1): sockets close, contexts and settings go back to
    /// their start-up values, and nothing of a half-typed line survives.
    pub(crate) fn power_off(&mut self) {
        for slot in self.sockets.iter_mut() {
            if let Some(mut s) = slot.take() {
                s.shut();
            }
        }
        self.contexts
            .iter_mut()
            .for_each(|c| *c = Context::default());
        self.settings = Settings::default();
        self.echo = self.cfg.echo;
        self.data_echo = Echo::Off;
        self.last_error = ErrorCode::OperateSuccess;
        self.mode = Mode::Command;
        self.line.clear();
        self.line_overflow = false;
        self.prefix_a = false;
        self.after_cr = false;
        self.held.clear();
        self.queued.clear();
        self.after_result.clear();
        self.last_transparent = None;
        self.ntp_busy = None;
    }

    pub(crate) fn socket(&mut self, id: ConnectId) -> Option<&mut Socket> {
        self.sockets[usize::from(id.get())].as_mut()
    }

    pub(crate) fn context(&mut self, id: ContextId) -> &mut Context {
        &mut self.contexts[usize::from(id.get())]
    }

    pub(crate) fn new_gen(&mut self) -> u64 {
        self.next_gen += 1;
        self.next_gen
    }

    fn on_control(&mut self, c: Ctl) {
        match c {
            Ctl::Shutdown => self.stop = true,
            Ctl::ResponseDelay(d) => self.response_delay = d,
            Ctl::DropPeer(id) => {
                if let Some(s) = self.socket(id) {
                    let gen = s.gen;
                    s.shut();
                    self.on_net(id, gen, Net::Closed);
                }
            }
            Ctl::DeactivateContext(ctx) => self.pdp_deactivated(ctx),
            Ctl::Sim(sim) => self.set_sim(sim),
            Ctl::Network(status) => self.set_network(status),
            Ctl::Signal(rssi, ber) => {
                self.modem.rssi = rssi;
                self.modem.ber = ber;
            }
            Ctl::Restart => self.spontaneous_restart(),
            Ctl::Occupy(id, ctx) => self.occupy(id, ctx),
            Ctl::UrcFlood(id, n) => self.urc_flood(id, n),
            Ctl::Inject(bytes) => self.inject(&bytes),
            Ctl::Echo(on) => self.echo = on,
            Ctl::DtrRaised => self.dtr_raised(),
            Ctl::Field(change) => change(&mut self.field),
        }
    }

    /// The peer address of a datagram, for URCs and AT+QIRD.
    pub(crate) fn addr_parts(a: &SocketAddr) -> (String, u16) {
        (a.ip().to_string(), a.port())
    }
}

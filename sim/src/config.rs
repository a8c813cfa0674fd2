//! How a virtual module behaves: echo, the `+++` guard time, serial pacing, its simulated SIM,
//! network and identity, and injected faults.

use crate::network::Network;
use quectel_qi::{AccessTechnology, RegistrationStatus};
use std::net::Ipv4Addr;
use std::time::Duration;

/// Settings of one virtual module.
#[derive(Debug, Clone)]
pub struct Config {
    /// Echo of command lines at start-up (`ATE1`); a real module starts with echo on.
    pub echo: bool,
    /// The silence needed before and after `+++` to leave transparent mode (the document asks
    /// for 1 s; tests use a few milliseconds).
    pub guard_time: Duration,
    /// Serial-line pacing in baud (10 bits a byte) for both directions; `None` is unpaced.
    pub baud: Option<u32>,
    /// The address an activated context gets; sockets bind to it. Loopback by default.
    pub address: Ipv4Addr,
    /// How long AT+QNTP waits for the server's answer before reporting a timeout.
    pub ntp_timeout: Duration,
    /// The SIM, the network and the identity the module reports.
    pub modem: Modem,
    /// Faults to inject.
    pub faults: Faults,
    /// What names resolve to and which addresses connections reach (the sandbox by default).
    pub network: Network,
}

/// The simulated values behind the basic commands (AT+CPIN?, AT+CEREG?, AT+CSQ, ATI, ...).
#[derive(Debug, Clone)]
pub struct Modem {
    /// The SIM at start-up.
    pub sim: SimCard,
    /// What the network grants once the radio is on and the SIM ready.
    pub registration: RegistrationStatus,
    /// AT+CSQ's `<rssi>` (0 to 31, 99 unknown) and `<ber>` (0 to 7, 99 unknown).
    pub rssi: u8,
    pub ber: u8,
    /// AT+COPS?'s operator (long alphanumeric format).
    pub operator: String,
    /// The location (or tracking) area code and cell identity, in hexadecimal, and the radio
    /// access technology reported with them.
    pub area_code: String,
    pub cell_id: String,
    pub access_technology: AccessTechnology,
    /// The module is on LTE Cat M1, where at most three contexts are active at once
    /// (section 2.3.3): a fourth AT+QIACT fails (561). Off by default.
    pub lte_cat_m1: bool,
    /// Context 1 is configured at start-up (the network's default bearer, empty APN), so
    /// AT+QIACT=1 works without AT+QICSGP; every other context needs AT+QICSGP first (573).
    /// On by default; off, context 1 needs it too.
    pub default_context: bool,
    /// Test-form fields (`AT+<cmd>=?`) this firmware shows differently from the spec.
    pub test_replies: Vec<TestReply>,
    /// AT+QCCID.
    pub iccid: String,
    /// AT+GSN and AT+CGSN.
    pub imei: String,
    /// AT+CGMI, AT+CGMM, AT+CGMR and ATI.
    pub manufacturer: String,
    pub model: String,
    pub revision: String,
    /// How long AT+CFUN=1,1 keeps the module silent before RDY (input meanwhile is lost).
    pub restart_time: Duration,
    /// Print the start-up lines (RDY, +CFUN: 1, +CPIN: READY) when the module starts, as after
    /// power-on; off by default so that a test's first bytes are the answer to its first command.
    pub announce_start: bool,
}

/// A field of a test response shown differently from the spec: a firmware whose lists differ
/// (what `qi probe` finds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestReply {
    /// The command's name in the spec, upper case (`QIOPEN`).
    pub command: String,
    /// The field's generated name (`connect_id`).
    pub field: String,
    /// What the module prints there (`(0-5)`).
    pub shown: String,
}

impl std::str::FromStr for TestReply {
    type Err = String;

    /// `QIOPEN.connect_id=(0-5)`.
    fn from_str(s: &str) -> Result<Self, String> {
        let usage =
            || format!("`{s}`: expected <COMMAND>.<field>=<shown>, e.g. QIOPEN.connect_id=(0-5)");
        let (target, shown) = s.split_once('=').ok_or_else(usage)?;
        let (command, field) = target.split_once('.').ok_or_else(usage)?;
        if command.is_empty() || field.is_empty() || shown.is_empty() {
            return Err(usage());
        }
        Ok(TestReply {
            command: command.to_ascii_uppercase(),
            field: field.to_owned(),
            shown: shown.to_owned(),
        })
    }
}

/// The SIM card as the module finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SimCard {
    /// Inserted and unlocked.
    Ready,
    /// No SIM: AT+CPIN? fails with +CME ERROR: 10 and the module does not register.
    NotInserted,
    /// Locked until AT+CPIN="<pin>" gives this PIN.
    PinRequired(String),
}

impl Default for Modem {
    fn default() -> Self {
        // Values that look like a real EG915Q on a home LTE network; test addresses only.
        Modem {
            sim: SimCard::Ready,
            registration: RegistrationStatus::RegisteredHome,
            rssi: 25,
            ber: 99,
            operator: "qi-sim".into(),
            area_code: "1A2B".into(),
            cell_id: "01C2D3E4".into(),
            access_technology: AccessTechnology::EUtran,
            lte_cat_m1: false,
            default_context: true,
            test_replies: Vec::new(),
            iccid: "89860000000000000000".into(),
            imei: "860000000000000".into(),
            manufacturer: "Quectel".into(),
            model: "EG915Q".into(),
            revision: "EG915QGLR01A01M08_QI_SIM".into(),
            restart_time: Duration::from_millis(500),
            announce_start: false,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            echo: true,
            guard_time: Duration::from_secs(1),
            baud: None,
            address: Ipv4Addr::LOCALHOST,
            ntp_timeout: Duration::from_secs(5),
            modem: Modem::default(),
            faults: Faults::default(),
            network: Network::sandboxed(),
        }
    }
}

impl Config {
    /// The settings tests want: no echo, a short guard time, a quick restart.
    pub fn for_tests() -> Self {
        Config {
            echo: false,
            guard_time: Duration::from_millis(20),
            modem: Modem {
                restart_time: Duration::from_millis(20),
                ..Modem::default()
            },
            ..Config::default()
        }
    }
}

/// Faults injected into what the module sends.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Wait this long before answering each command.
    pub response_delay: Duration,
    /// How the host sees the module's output cut into reads.
    pub chunks: Chunks,
    /// Hold output back and release it in bursts this far apart, so that lines written at
    /// different times arrive merged in one read; zero sends at once.
    pub merge_window: Duration,
    /// Field failures of real modules (see [`FieldFaults`]); all off by default.
    pub field: FieldFaults,
}

/// Field failures that stay on until turned off ([`crate::Control::set_field_faults`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FieldFaults {
    /// `SEND OK` and the next line share one line ending: the next line comes without its
    /// leading CR LF (`\r\nSEND OK\r\n+QIURC: ...\r\n`).
    pub glue_send_ok: bool,
    /// Direct push sockets announce data with the buffer-access notice
    /// (`+QIURC: "recv",<id>`, no length) and keep it until `AT+QIRD`.
    pub push_without_length: bool,
    /// `+QIRD` answers this many bytes more than asked, when the module holds them.
    pub read_extra: usize,
    /// A buffer-access socket closed by its peer reports `closed` only once the host has read
    /// every byte it holds.
    pub hold_closed: bool,
}

/// How output is cut into pieces on its way to the host.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Chunks {
    /// As it comes.
    #[default]
    Whole,
    /// Pieces of at most this many bytes (1 gives byte by byte).
    Split(usize),
    /// Pieces of 1 to `max` bytes, sizes drawn from a generator seeded with `seed`.
    Random { seed: u64, max: usize },
}

/// Hands out piece sizes for [`Chunks`].
#[derive(Debug, Clone)]
pub(crate) struct ChunkPlan {
    chunks: Chunks,
    state: u64,
}

impl ChunkPlan {
    pub(crate) fn new(chunks: Chunks) -> Self {
        let state = match chunks {
            Chunks::Random { seed, .. } => seed | 1,
            _ => 1,
        };
        ChunkPlan { chunks, state }
    }

    /// The size of the next piece, at most `available`.
    pub(crate) fn next(&mut self, available: usize) -> usize {
        let n = match self.chunks {
            Chunks::Whole => available,
            Chunks::Split(max) => max.max(1),
            Chunks::Random { max, .. } => {
                // xorshift64: deterministic for a seed.
                self.state ^= self.state << 13;
                self.state ^= self.state >> 7;
                self.state ^= self.state << 17;
                1 + (self.state % max.max(1) as u64) as usize
            }
        };
        n.min(available)
    }
}

//! A length-aware [`atat`] digester for any spec: [`SpecDigester`] reads the spec through the
//! [`SpecTables`] that qi-codegen generates for it (`DigestTables`: URC prefixes, final
//! result words, whether a prompt exists, fields framed by a length field, and the generated
//! fit and length functions). [`QiDigester`] is the one for the QI command set, whose
//! [`QiTables`] add what its socket settings decide.
//!
//! [`QiDigester`] cuts the module's output into what atat expects: responses (information
//! lines up to a final result), URCs, the `>` prompt, and command echo, which it drops. Lines
//! that announce a payload (`+QIRD: <n>` and the direct-push `+QIURC: "recv",<id>,<len>`) take
//! exactly that many bytes after their CR LF, whatever they contain, so a payload holding CR,
//! LF, NUL, `OK`, `>` or `+QIURC` never ends or starts a frame.
//!
//! # Wiring
//!
//! ```
//! use atat::{AtatIngress, Ingress, ResponseSlot, UrcChannel};
//! use quectel_qi::digest::{DigestState, QiDigester};
//! use quectel_qi::{sizes, QueuedUrc, Urc};
//!
//! static STATE: DigestState = DigestState::new();
//! static SLOT: ResponseSlot<{ sizes::RESPONSE_SLOT_SIZE }> = ResponseSlot::new();
//! static URCS: UrcChannel<QueuedUrc, { sizes::URC_CAPACITY }, 1> = UrcChannel::new();
//!
//! let mut buf = [0u8; sizes::INGRESS_BUF_SIZE];
//! let digester = QiDigester::new(&STATE).with_max_response(sizes::RESPONSE_SLOT_SIZE);
//! let mut ingress = Ingress::new(digester, &mut buf, &SLOT, &URCS);
//! let mut sub = URCS.subscribe().unwrap();
//! // In firmware: `ingress.read_from(uart_rx).await`; the client gets `&STATE` too and the
//! // command side a `[0; sizes::COMMAND_BUF_SIZE]` buffer.
//! ingress.try_write(b"\r\n+QIURC: \"recv\",0,3\r\nOK\r").unwrap();
//! let queued = sub.try_next_message_pure().unwrap();
//! assert!(matches!(queued.urc(), Some(Urc::RecvPush(p)) if p.data == b"OK\r"));
//! ```
//!
//! # What atat receives
//!
//! - A response is the information lines (and payloads) as they came, CR LF between them,
//!   without echo and final result: what the generated `AtatCmd::parse` reads.
//!   `OK`, `SEND OK` and `CONNECT` give `Ok`; `ERROR` gives [`InternalError::Error`];
//!   `NO CARRIER` gives [`InternalError::ConnectionError`]; `SEND FAIL` and
//!   `+CME ERROR: <n>` (and `+CMS ERROR: <n>`) give [`InternalError::Custom`] with the whole
//!   line, because atat folds the module's codes (550 to 574) into `Unknown`.
//! - A URC is its line, and for data URCs CR LF and the payload: what
//!   [`QueuedUrc`](crate::QueuedUrc)'s `AtatUrc::parse` keeps (and [`Urc::from_frame`](crate::Urc::from_frame)
//!   decodes). Which lines are URCs comes from the
//!   generated [`Urc::PREFIXES`](crate::Urc::PREFIXES) and [`Urc::decode`](crate::Urc::decode):
//!   a line with a URC prefix that does not decode as a URC (a test response such as
//!   `+QIOPEN: (1-15),...`) is an information line. While a command is in flight (from its
//!   echo, or [`DigestState::command_sent`], to its final result), a line that fits one of its
//!   response lines ([`Request::response_fit`](crate::Request::response_fit)) at least as well
//!   as any URC ([`Urc::fit`](crate::Urc::fit)) is its response line
//!   ([`wire::response_wins`](crate::wire::response_wins)): many command sets reuse a
//!   command's name for its reply and its later result. The digester weighs these through
//!   the generated field tables ([`DigestTables::LINES`](crate::DigestTables::LINES), read by
//!   [`wire::line_fit`](crate::wire::line_fit)), which agree with the typed decoders, so that
//!   a firmware links the decoders only of the commands it sends.
//!
//! # Settings the digester follows
//!
//! The wire does not show everything: `+QIURC: "recv",<id>,<len>` is followed by `<len>` bytes
//! in direct push mode, but not in buffer access mode with `AT+QICFG="recvind",1`. The client
//! keeps a [`DigestState`] up to date (access mode per socket and which sockets are UDP
//! services, `recvind`, transparent mode, the expected payload echo, and the
//! [`Framing`]); the digester reads it without locks. Each line is read in the state in
//! force when the digester first sees it whole, and read once: a change while a response is
//! in progress applies to its lines not yet whole (a client changes these settings between
//! commands; the line of the change's own answer has been read by then), so what digesting
//! costs stays linear in the bytes fed, however often the state changes.
//!
//! The framing decides how payloads look (see [`framing`](crate::framing)): with hex
//! received data a payload of `<len>` bytes takes `2 * <len>` digits; with
//! `AT+QICFG="viewmode",1` it follows its header after a comma (the header is the longest run
//! of fields that announces a payload of the command in flight, or of the socket's service);
//! with `AT+QICFG="formatcfg",1` the prompt's CR LF is part of the prompt. The frames handed
//! to atat keep the module's bytes; the generated decoders read them in any framing through
//! [`wire::decode_data_frame`](crate::wire::decode_data_frame).
//!
//! # Responses interrupted by a URC
//!
//! A URC may arrive after a command's information lines but before their final result. The
//! digester then waits for the final result (it skips over the URC, which stays in atat's
//! buffer) and hands the response over with that result's outcome: the lines on `OK`, the
//! error on `ERROR`, `+CME ERROR: <n>` and the like. The URC follows, and what is left of the
//! response (its final result) is dropped. A response is never merged with a URC, and an
//! error is never reported as a success. Two limits:
//!
//! - The URC waits for the final result (at most the command's time); atat's buffer holds
//!   both, which [`INGRESS_BUF_SIZE`](crate::sizes::INGRESS_BUF_SIZE) allows for.
//! - Should information lines follow the URC too, the lines are not contiguous in the buffer
//!   and atat takes one slice: a successful response is then refused
//!   ([`InternalError::InvalidResponse`]) rather than handed over cut short.
//!
//! Handing the URC over first and the lines after it is not possible without copying the
//! lines: atat's ingress only drops a prefix of its buffer, and stops digesting after a
//! frame that consumed nothing until more bytes arrive, so a URC handed over from the
//! middle of the buffer would leave the final result stuck behind it.
//!
//! # Transparent mode
//!
//! After `CONNECT` the port carries raw data, which no digester can frame. The digester turns
//! [`DigestState::set_transparent`] on when it passes a `CONNECT` on, and then drops every
//! byte until the client turns it off again (see there). To receive that data, read the port
//! through a [`PortReader`](crate::client::PortReader): it hands the raw bytes to the
//! application instead, and the digester never sees them.
//!
//! # Bad input
//!
//! A line with control bytes or invalid UTF-8 outside any payload is skipped, counted in
//! [`DigestState::garbage_lines`] and reported through `log`/`defmt` when those features are
//! on. Lines left before an echo (nothing answered them) are dropped and counted the same
//! way. A digester made with [`QiDigester::unsolicited_lines_are_noise`] (for a user that
//! announces every command, as the network stack does) also drops and counts every line that
//! is no URC while no command is in flight. Nothing here panics; incomplete input consumes
//! nothing until more bytes come.

use core::marker::PhantomData;
use core::sync::atomic::{AtomicBool, AtomicU16, AtomicU32, AtomicU8, Ordering};

use atat::digest::{DigestResult, Digester};
use atat::{ConnectionError, InternalError};

use crate::framing::Framing;
use crate::tables::{framed_line_end, SpecTables};
use crate::wire::{comma_data_header, response_wins, Fit, Incomplete};
use crate::{AccessMode, ConnectId, Recvind};

mod qi;
pub use qi::QiTables;

/// The number of socket IDs (`<connectID>` is `0..=ConnectId::MAX`).
pub const SOCKETS: usize = ConnectId::MAX.get() as usize + 1;

/// Settings of the module that decide how its output is framed, shared between the client
/// (which writes them as it configures the module) and the digester (which reads them).
///
/// Lock-free: plain atomic loads and stores, so it can live in a `static` and be used from an
/// interrupt or another task. Each field has one writer: the client for settings, the
/// digester for the counters.
///
/// ```
/// use quectel_qi::digest::{DigestState, QiDigester};
/// use quectel_qi::{AccessMode, ConnectId, Recvind};
///
/// static STATE: DigestState = DigestState::new();
/// let digester = QiDigester::new(&STATE);
/// // The client, after `AT+QIOPEN=1,0,...,1` succeeded:
/// STATE.set_access_mode(ConnectId::new_const(0), AccessMode::DirectPush);
/// // After `AT+QICFG="recvind",1`:
/// STATE.set_recvind(Recvind::Enable);
/// # let _ = digester;
/// ```
#[derive(Debug)]
pub struct DigestState {
    /// Per socket: 0 when unknown, else the access mode's code plus one.
    access: [AtomicU8; SOCKETS],
    recvind: AtomicBool,
    transparent: AtomicBool,
    carrier_lost: AtomicBool,
    payload_echo: AtomicU16,
    /// The live [`Framing`], as its bits.
    framing: AtomicU8,
    /// Per socket (bit `id`): a UDP service, whose data URC names the sender.
    udp_services: AtomicU16,
    /// The socket the `AT+QIRD` in flight reads: 0 when unknown, else its ID plus one.
    reading: AtomicU8,
    /// The form in flight: 0 when no command is, [`UNKNOWN_FORM`] for a command outside the
    /// spec, else its `FORM_INDEX` plus one.
    in_flight: AtomicU32,
    garbage_lines: AtomicU32,
    dropped_bytes: AtomicU32,
}

impl Default for DigestState {
    fn default() -> Self {
        Self::new()
    }
}

impl DigestState {
    /// Every socket's mode unknown, `recvind` off, command mode, no echo expected.
    pub const fn new() -> Self {
        DigestState {
            access: [const { AtomicU8::new(0) }; SOCKETS],
            recvind: AtomicBool::new(false),
            transparent: AtomicBool::new(false),
            carrier_lost: AtomicBool::new(false),
            payload_echo: AtomicU16::new(0),
            framing: AtomicU8::new(0),
            udp_services: AtomicU16::new(0),
            reading: AtomicU8::new(0),
            in_flight: AtomicU32::new(0),
            garbage_lines: AtomicU32::new(0),
            dropped_bytes: AtomicU32::new(0),
        }
    }

    /// Back to the state of [`new`](Self::new) (counters aside): for a module that restarted.
    pub fn reset(&self) {
        for a in &self.access {
            a.store(0, Ordering::Release);
        }
        self.recvind.store(false, Ordering::Release);
        self.transparent.store(false, Ordering::Release);
        self.carrier_lost.store(false, Ordering::Release);
        self.payload_echo.store(0, Ordering::Release);
        self.framing.store(0, Ordering::Release);
        self.udp_services.store(0, Ordering::Release);
        self.in_flight.store(0, Ordering::Release);
    }

    /// Records the form about to be written (its `FORM_INDEX`, or
    /// [`Request::form_index`](crate::Request::form_index)): until its final result, a line
    /// that fits one of its response lines better than any URC is taken as its response,
    /// though it shares a URC's prefix. The client calls it before each command; the digester
    /// also reads it from the command's echo, and forgets it at the final result.
    pub fn command_sent(&self, form_index: u16) {
        self.in_flight
            .store(u32::from(form_index) + 1, Ordering::Release);
    }

    /// The form whose final result is awaited, when known.
    pub fn in_flight(&self) -> Option<u16> {
        match self.in_flight.load(Ordering::Acquire) {
            0 => None,
            n => u16::try_from(n - 1).ok(),
        }
    }

    fn command_done(&self) {
        self.in_flight.store(0, Ordering::Release);
    }

    /// A command outside the spec is in flight (its echo did not decode): its answer is
    /// awaited, but no form's response lines are known.
    fn command_unknown(&self) {
        self.in_flight.store(UNKNOWN_FORM, Ordering::Release);
    }

    /// Whether no command awaits its final result: nothing was sent (by
    /// [`command_sent`](Self::command_sent) or an echo) since the last final result.
    pub fn idle(&self) -> bool {
        self.in_flight.load(Ordering::Acquire) == 0
    }

    /// Records a socket's access mode: call it when `AT+QIOPEN` (or `AT+QIACCEPT`, or an
    /// incoming connection) gives the socket its mode, and after `AT+QISWTMD`.
    pub fn set_access_mode(&self, id: ConnectId, mode: AccessMode) {
        self.access[usize::from(id.get())].store(mode.code() + 1, Ordering::Release);
    }

    /// Forgets a socket's mode (and service): call it when the socket is closed.
    pub fn forget_socket(&self, id: ConnectId) {
        self.access[usize::from(id.get())].store(0, Ordering::Release);
        self.set_udp_service(id, false);
    }

    /// Records whether a socket is a UDP service (`AT+QIOPEN` with "UDP SERVICE"): only its
    /// data URC has the sender's address and port between the length and the payload, which
    /// with `AT+QICFG="viewmode",1` is how the digester tells them from payload bytes.
    pub fn set_udp_service(&self, id: ConnectId, udp_service: bool) {
        let bit = 1u16 << id.get();
        let all = self.udp_services.load(Ordering::Acquire);
        let new = if udp_service { all | bit } else { all & !bit };
        self.udp_services.store(new, Ordering::Release);
    }

    /// Records the socket an `AT+QIRD` about to be written reads (with
    /// [`command_sent`](Self::command_sent)): with `AT+QICFG="viewmode",1` only a UDP
    /// service's answer has the sender between the length and the payload. The digester also
    /// reads it from the command's echo.
    pub fn reading_socket(&self, id: Option<ConnectId>) {
        let v = id.map_or(0, |id| id.get() + 1);
        self.reading.store(v, Ordering::Release);
    }

    /// Whether the answer of the `AT+QIRD` in flight may name the sender.
    pub(crate) fn read_may_name_sender(&self) -> bool {
        match self.reading.load(Ordering::Acquire) {
            0 => true,
            n => ConnectId::new(i64::from(n) - 1).is_none_or(|id| self.may_name_sender(id)),
        }
    }

    /// Whether a data URC of this socket may name the sender: a UDP service, or a socket
    /// whose mode was not recorded.
    pub(crate) fn may_name_sender(&self, id: ConnectId) -> bool {
        self.udp_services.load(Ordering::Acquire) & (1u16 << id.get()) != 0
            || self.access_mode(id).is_none()
    }

    /// The recorded access mode of a socket, if any.
    pub fn access_mode(&self, id: ConnectId) -> Option<AccessMode> {
        match self.access[usize::from(id.get())].load(Ordering::Acquire) {
            0 => None,
            n => AccessMode::try_from(i64::from(n) - 1).ok(),
        }
    }

    /// Records `AT+QICFG="recvind",<enable>`.
    pub fn set_recvind(&self, v: Recvind) {
        self.recvind.store(v == Recvind::Enable, Ordering::Release);
    }

    /// The recorded `recvind` setting.
    pub fn recvind(&self) -> Recvind {
        if self.recvind.load(Ordering::Acquire) {
            Recvind::Enable
        } else {
            Recvind::Disable
        }
    }

    /// Whether `+QIURC: "recv",<id>,<len>` on this socket is followed by `<len>` bytes: in
    /// direct push mode yes; in buffer access (or transparent) mode no. For a socket whose
    /// mode was not recorded, the line can only be the push form while `recvind` is off.
    pub fn recv_carries_payload(&self, id: ConnectId) -> bool {
        match self.access_mode(id) {
            Some(AccessMode::DirectPush) => true,
            Some(_) => false,
            None => self.recvind() == Recvind::Disable,
        }
    }

    /// Transparent mode: while on, the port carries raw data and the digester drops every
    /// byte (counted in [`dropped_bytes`](Self::dropped_bytes)). The digester turns it on by
    /// itself when it hands over a `CONNECT`; the client turns it off when it leaves the mode
    /// (after the `+++` guard time, before the module's `OK`), and the
    /// [`PortReader`](crate::client::PortReader) on `NO CARRIER`. The `PortReader` hands the
    /// raw data to the application meanwhile.
    pub fn set_transparent(&self, on: bool) {
        self.transparent.store(on, Ordering::Release);
    }

    /// Records that the module ended transparent mode with `NO CARRIER` (the connection is
    /// gone): the [`PortReader`](crate::client::PortReader) calls it.
    pub fn note_carrier_lost(&self) {
        self.carrier_lost.store(true, Ordering::Release);
    }

    /// Whether `NO CARRIER` ended transparent mode since the last call (the client asks).
    pub fn take_carrier_lost(&self) -> bool {
        self.carrier_lost.swap(false, Ordering::AcqRel)
    }

    /// Whether transparent mode is on.
    pub fn is_transparent(&self) -> bool {
        self.transparent.load(Ordering::Acquire)
    }

    /// With `AT+QISDE=1` the module echoes the payload written after the `>` prompt: call this
    /// with the payload's length on the wire (its hex digits in hex mode; a final Ctrl+Z is
    /// not echoed) after the prompt arrived and
    /// before writing the payload; the digester then drops exactly that many bytes. Do not
    /// call it with echo off: it would drop real output.
    pub fn expect_payload_echo(&self, len: usize) {
        let len = u16::try_from(len).unwrap_or(u16::MAX);
        self.payload_echo.store(len, Ordering::Release);
    }

    /// The live data framing (hex data, view mode, prompt shape, payload echo; see
    /// [`framing`](crate::framing)): the start-up state until the client records a change.
    pub fn framing(&self) -> Framing {
        Framing::from_bits(self.framing.load(Ordering::Acquire))
    }

    /// Records the module's data framing: the client calls it when a setting of
    /// [`framing`](crate::framing) is set or read back.
    pub fn set_framing(&self, framing: Framing) {
        self.framing.store(framing.bits(), Ordering::Release);
    }

    /// Garbage lines skipped so far (and unanswered lines dropped before an echo).
    pub fn garbage_lines(&self) -> u32 {
        self.garbage_lines.load(Ordering::Relaxed)
    }

    /// Bytes dropped in transparent mode so far.
    pub fn dropped_bytes(&self) -> u32 {
        self.dropped_bytes.load(Ordering::Relaxed)
    }

    fn count_garbage(&self) {
        let n = self.garbage_lines.load(Ordering::Relaxed);
        self.garbage_lines
            .store(n.wrapping_add(1), Ordering::Relaxed);
    }

    fn count_dropped(&self, bytes: usize) {
        let n = self.dropped_bytes.load(Ordering::Relaxed);
        let add = u32::try_from(bytes).unwrap_or(u32::MAX);
        self.dropped_bytes
            .store(n.wrapping_add(add), Ordering::Relaxed);
    }
}

/// The final result lines, and how each reaches atat.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Final {
    Success,
    Connect,
    Error,
    NoCarrier,
    /// Passed on as the whole line (`SEND FAIL`, `+CME ERROR: <n>`).
    Line,
}

const FINALS: [(&[u8], Final); 6] = [
    (b"OK", Final::Success),
    (b"SEND OK", Final::Success),
    (b"CONNECT", Final::Connect),
    (b"ERROR", Final::Error),
    (b"NO CARRIER", Final::NoCarrier),
    (b"SEND FAIL", Final::Line),
];

const NUMBERED_ERRORS: [&[u8]; 2] = [b"+CME ERROR:", b"+CMS ERROR:"];

/// The longest final result line: the longest fixed one, or a numbered error with a
/// five-digit code and its space.
pub const MAX_FINAL_LEN: usize = {
    let mut n = 0;
    let mut i = 0;
    while i < FINALS.len() {
        if FINALS[i].0.len() > n {
            n = FINALS[i].0.len();
        }
        i += 1;
    }
    let mut j = 0;
    while j < NUMBERED_ERRORS.len() {
        if NUMBERED_ERRORS[j].len() + 6 > n {
            n = NUMBERED_ERRORS[j].len() + 6;
        }
        j += 1;
    }
    n
};

/// [`DigestState::in_flight`]'s mark for a command outside the spec.
const UNKNOWN_FORM: u32 = u32::MAX;

fn trim_end(mut b: &[u8]) -> &[u8] {
    while let [rest @ .., b' ' | b'\r'] = b {
        b = rest;
    }
    b
}

/// The final results any command may end with (V.250's), whatever the spec lists.
const BASIC_FINALS: [&[u8]; 4] = [b"OK", b"ERROR", b"CONNECT", b"NO CARRIER"];

/// A final result: one of V.250's, one the spec's forms end with, or a numbered error.
fn final_result<T: SpecTables>(line: &[u8]) -> Option<Final> {
    let line = trim_end(line);
    let listed =
        BASIC_FINALS.contains(&line) || T::FINAL_RESULTS.iter().any(|w| w.as_bytes() == line);
    if listed {
        if let Some((_, kind)) = FINALS.iter().find(|(text, _)| *text == line) {
            return Some(*kind);
        }
    }
    // `CONNECT <rate>` on modules that report a rate.
    if line.starts_with(b"CONNECT ") {
        return Some(Final::Connect);
    }
    NUMBERED_ERRORS
        .iter()
        .any(|p| line.starts_with(p))
        .then_some(Final::Line)
}

fn is_echo(line: &[u8]) -> bool {
    line.len() >= 2 && line[..2].eq_ignore_ascii_case(b"AT")
}

fn is_garbage(line: &[u8]) -> bool {
    line.iter().any(|&b| (b < 0x20 && b != b'\t') || b == 0x7f)
        || core::str::from_utf8(line).is_err()
}

fn find_crlf(buf: &[u8], from: usize) -> Option<usize> {
    buf.get(from..)?
        .windows(2)
        .position(|w| w == b"\r\n")
        .map(|i| from + i)
}

fn skip_separators(buf: &[u8], mut i: usize) -> usize {
    while let Some(b'\r' | b'\n' | b' ') = buf.get(i) {
        i += 1;
    }
    i
}

macro_rules! report {
    ($($arg:tt)*) => {{
        #[cfg(feature = "log")]
        log::warn!($($arg)*);
        #[cfg(feature = "defmt")]
        defmt::warn!($($arg)*);
    }};
}

/// How a frame at some position turned out.
enum Frame {
    /// More bytes are needed to tell.
    Incomplete,
    /// Not this kind of frame.
    No,
    /// The frame's content ends here (exclusive).
    Ends(usize),
}

/// The length-aware digester for a spec's [`SpecTables`]; see the [module
/// documentation](self). [`QiDigester`] is the one for quectel-qi's spec; a crate generated
/// from its own spec uses `SpecDigester<'_, its_crate::DigestTables>`.
///
/// ```
/// use atat::digest::{DigestResult, Digester};
/// use quectel_qi::digest::{DigestState, QiDigester};
///
/// static STATE: DigestState = DigestState::new();
/// let mut d = QiDigester::new(&STATE);
/// let input = b"\r\n+QIRD: 4\r\nOK\r\n\r\n\r\nOK\r\n";
/// let (result, used) = d.digest(input);
/// assert_eq!(result, DigestResult::Response(Ok(b"+QIRD: 4\r\nOK\r\n")));
/// assert_eq!(used, input.len());
/// ```
#[derive(Debug)]
pub struct SpecDigester<'s, T = QiTables> {
    state: &'s DigestState,
    tables: PhantomData<fn() -> T>,
    max_response: usize,
    /// A response was handed over before a URC that interrupted it: what is left of it (lines
    /// after the URC, and its final result) is dropped; URCs pass.
    draining: bool,
    /// A prompt was the last byte seen: the space (and with `"formatcfg"` 1 the CR LF) that
    /// follows it is not data.
    after_prompt: bool,
    /// How far the incomplete frame at the start of the buffer was scanned.
    resume: Option<Resume>,
    /// Every command is announced ([`DigestState::command_sent`]): a line that is no URC
    /// while none is in flight answers nothing and is dropped as noise.
    unsolicited_is_noise: bool,
    /// See [`QiDigester::bytes_examined`].
    examined: usize,
}

/// How far an incomplete frame was scanned, so that the next call, with more bytes, goes on
/// from there rather than from the frame's start: the cost of digesting stays linear in the
/// bytes fed, however they are chunked. Offsets are from the frame's first byte.
///
/// Between calls atat's buffer only grows at its end (or loses what was consumed), so the
/// frame is the same when its first bytes are; after atat clears the buffer, bytes are lost
/// anyway.
#[derive(Debug, Clone, Copy)]
struct Resume {
    head: [u8; 8],
    head_len: u8,
    /// Bytes of the frame seen so far.
    seen: usize,
    /// The first line's end (CR for an echo, CR LF otherwise) starts nowhere before this.
    searched: usize,
    /// Where the scan of the information lines stood, once the first line was whole.
    lines: Option<Lines>,
}

/// The scan of a response's lines (see [`QiDigester::response`]), offsets from its start.
#[derive(Debug, Clone, Copy)]
struct Lines {
    end: usize,
    urc_at: Option<usize>,
    split: bool,
    scan: usize,
    /// No CR LF starts between `scan` and this.
    searched: usize,
}

impl Resume {
    fn new(buf: &[u8], start: usize, searched: usize, lines: Option<Lines>) -> Self {
        let mut head = [0; 8];
        let n = (buf.len() - start).min(head.len());
        head[..n].copy_from_slice(&buf[start..start + n]);
        Resume {
            head,
            head_len: n as u8,
            seen: buf.len() - start,
            searched,
            lines,
        }
    }

    /// Whether the frame at `start` is the one this was taken of.
    fn fits(&self, buf: &[u8], start: usize) -> bool {
        let n = usize::from(self.head_len);
        buf.len() - start >= self.seen && buf[start..start + n] == self.head[..n]
    }
}

/// Where a search for a line end that failed on `buf` can start next time: the last byte
/// may begin a CR LF.
fn searched_to(buf: &[u8], from: usize) -> usize {
    buf.len().saturating_sub(1).max(from)
}

/// The length-aware digester for quectel-qi's own spec.
pub type QiDigester<'s> = SpecDigester<'s, QiTables>;

impl<'s, T: SpecTables> SpecDigester<'s, T> {
    /// A digester reading the settings in `state`; responses up to
    /// [`RESPONSE_SLOT_SIZE`](crate::sizes::RESPONSE_SLOT_SIZE) bytes.
    pub const fn new(state: &'s DigestState) -> Self {
        SpecDigester {
            state,
            tables: PhantomData,
            max_response: crate::sizes::RESPONSE_SLOT_SIZE,
            draining: false,
            after_prompt: false,
            resume: None,
            unsolicited_is_noise: false,
            examined: 0,
        }
    }

    /// The bytes examined so far: searched for a line end, or read as a line to tell what it
    /// is (once per look). What digesting costs is proportional to it; it grows linearly with
    /// the bytes fed, however they are chunked (`runtime/tests/digest_work.rs`), because an
    /// incomplete frame's scan resumes where it stopped. Wraps on overflow.
    pub fn bytes_examined(&self) -> usize {
        self.examined
    }

    fn examine(&mut self, n: usize) {
        self.examined = self.examined.wrapping_add(n);
    }

    /// [`find_crlf`], counting the bytes searched.
    fn find_line_end(&mut self, buf: &[u8], from: usize) -> Option<usize> {
        let found = find_crlf(buf, from);
        self.examine(found.map_or(buf.len(), |e| e + 2).saturating_sub(from));
        found
    }

    /// For a user that announces every command it writes with [`DigestState::command_sent`]
    /// (the network stack does): while no command is in flight, a line that is no URC (line
    /// noise that happens to be printable, the start-up lines of a module that restarted, a
    /// final result or prompt nobody waits for) is dropped and counted in
    /// [`DigestState::garbage_lines`], instead of being taken for the first line of the next
    /// response, which would then never end or not decode. While one is in flight, so is a
    /// line that cannot start its response (it fits none of the form's response lines).
    /// Noise that is a final result or a prompt while a command waits cannot be told from
    /// its answer.
    pub const fn unsolicited_lines_are_noise(mut self) -> Self {
        self.unsolicited_is_noise = true;
        self
    }

    /// Sets the longest response handed to atat: the size of the `ResponseSlot` in use.
    /// A longer response, or a longer error line (`+CME ERROR: <n>`, `SEND FAIL`), becomes
    /// [`InternalError::InvalidResponse`] instead of overflowing it (atat would panic).
    pub const fn with_max_response(mut self, len: usize) -> Self {
        self.max_response = len;
        self
    }

    /// The shared settings.
    pub fn state(&self) -> &'s DigestState {
        self.state
    }

    /// Where a data line at `start` (first CR LF at `eol`) has its header and its payload,
    /// as the live framing puts them: `(header end, payload start, payload bytes on the
    /// wire)`, the payload empty for a line without one.
    fn data_at(
        &self,
        buf: &[u8],
        start: usize,
        eol: usize,
        mut announced: impl FnMut(&[u8], &[u8]) -> Result<Option<usize>, Incomplete>,
    ) -> Result<(usize, usize, usize), Incomplete> {
        let f = self.state.framing();
        if f.view_comma {
            return Ok(match comma_data_header(&buf[start..], announced)? {
                Some((c, n)) if n > 0 => (start + c, start + c + 1, f.recv_wire_len(n)),
                _ => (eol, eol + 2, 0),
            });
        }
        Ok(match announced(&buf[start..eol], &buf[eol + 2..])? {
            Some(n) => (eol, eol + 2, f.recv_wire_len(n)),
            None => (eol, eol + 2, 0),
        })
    }

    /// The CR LF that ends the line at `start`, searched from `from`: the one after the bytes
    /// a framed field holds (`Incomplete` while they are not all there), else the first.
    fn line_end(
        &mut self,
        buf: &[u8],
        start: usize,
        from: usize,
    ) -> Result<Option<usize>, Incomplete> {
        if let Some(e) = framed_line_end(&buf[start..], T::FRAMED_FIELDS)? {
            self.examine((start + e + 2).saturating_sub(from));
            return Ok(Some(start + e));
        }
        Ok(self.find_line_end(buf, from))
    }

    /// Whether the line at `start` holds a framed field (whose bytes may be any).
    fn framed(&self, buf: &[u8], start: usize) -> bool {
        matches!(
            framed_line_end(&buf[start..], T::FRAMED_FIELDS),
            Ok(Some(_))
        )
    }

    /// A URC whose line starts at `start` and ends (CR LF) at `eol`.
    fn urc_at(&self, buf: &[u8], start: usize, eol: usize) -> Frame {
        let line = &buf[start..eol];
        let prefixed = T::URC_PREFIXES.iter().any(|p| {
            let p = p.as_bytes();
            // `+QIURC: ...`; a prefix that is a word (`RDY`) is the whole line.
            line.starts_with(p)
                && match line.get(p.len()) {
                    Some(b) => *b == b':',
                    None => p.first() != Some(&b'+'),
                }
        });
        if !prefixed {
            return Frame::No;
        }
        let f = self.state.framing();
        let at = self.data_at(buf, start, eol, |h, rest| {
            T::urc_announced(self.state, h, rest, f)
        });
        let Ok((head_end, data_start, n)) = at else {
            return Frame::Incomplete;
        };
        let (header, payload) = (&buf[start..head_end], &buf[data_start..data_start + n]);
        let urc = T::urc_fit(header, payload);
        if urc == Fit::No {
            return Frame::No;
        }
        // A line of the command in flight that shares a URC's prefix: the spec decides.
        if let Some(form) = self.state.in_flight() {
            if response_wins(T::response_fit(form, header, payload), urc) {
                return Frame::No;
            }
        }
        Frame::Ends(if n == 0 { eol } else { data_start + n })
    }

    /// Where the information line at `start` (CR LF at `eol`) ends, payload included.
    fn info_end(&self, buf: &[u8], start: usize, eol: usize) -> Frame {
        let f = self.state.framing();
        let announced = |h: &[u8], rest: &[u8]| T::response_announced(self.state, h, rest, f);
        match self.data_at(buf, start, eol, announced) {
            Ok((_, data_start, n)) if n > 0 => Frame::Ends(data_start + n),
            Ok(_) => Frame::Ends(eol),
            Err(Incomplete) => Frame::Incomplete,
        }
    }

    /// What follows a `>` and belongs to the prompt: the space real modules print, and with
    /// `AT+QICFG="formatcfg",1` a CR LF (so that an echoed payload starts after it); `None`
    /// while the bytes to tell are not there yet.
    fn prompt_tail(&self, rest: &[u8]) -> Option<usize> {
        let first = *rest.first()?;
        let i = usize::from(first == b' ');
        if !self.state.framing().prompt_crlf {
            return Some(i);
        }
        match (rest.get(i), rest.get(i + 1)) {
            (None, _) | (Some(b'\r'), None) => None,
            (Some(b'\r'), Some(b'\n')) => Some(i + 2),
            _ => Some(i),
        }
    }

    /// The outcome for a final result, with the information part `info`.
    fn outcome<'a>(
        &self,
        kind: Final,
        line: &'a [u8],
        info: &'a [u8],
    ) -> Result<&'a [u8], InternalError<'a>> {
        match kind {
            Final::Success | Final::Connect => {
                if info.len() > self.max_response {
                    report!("quectel-qi: response longer than the response slot, dropped");
                    Err(InternalError::Capacity)
                } else {
                    Ok(info)
                }
            }
            Final::Error => Err(InternalError::Error),
            Final::NoCarrier => Err(InternalError::ConnectionError(ConnectionError::NoCarrier)),
            // atat copies the line into the slot and panics when it does not fit.
            Final::Line if trim_end(line).len() > self.max_response => {
                report!("quectel-qi: error line longer than the response slot, dropped");
                Err(InternalError::InvalidResponse)
            }
            Final::Line => Err(InternalError::Custom(trim_end(line))),
        }
    }

    /// The response for a final result that ends what is digested now.
    fn respond<'a>(&self, kind: Final, line: &'a [u8], info: &'a [u8]) -> DigestResult<'a> {
        self.state.command_done();
        if kind == Final::Connect {
            self.state.set_transparent(true);
        }
        DigestResult::Response(self.outcome(kind, line, info))
    }

    /// Information lines from `first` (CR LF at `eol`) up to their final result. URCs between
    /// them are skipped over; when there are some, the response is handed over without them
    /// and with the outcome of the final result, and the URCs come next (see the module
    /// documentation).
    fn response<'a>(
        &mut self,
        buf: &'a [u8],
        first: usize,
        eol: usize,
        resumed: Option<Lines>,
    ) -> (DigestResult<'a>, usize) {
        // Where the first URC inside the response starts, and whether lines follow it.
        let (mut end, mut urc_at, mut split, mut scan, mut searched) = match resumed {
            Some(l) => (
                first + l.end,
                l.urc_at.map(|u| first + u),
                l.split,
                first + l.scan,
                first + l.searched,
            ),
            None => match self.info_end(buf, first, eol) {
                Frame::Ends(e) => (e, None, false, e, e),
                _ => {
                    self.resume = Some(Resume::new(buf, first, eol - first, None));
                    return (DigestResult::None, 0);
                }
            },
        };
        // Incomplete: keep where the scan stands for the next call.
        macro_rules! wait {
            ($searched:expr) => {{
                let lines = Lines {
                    end: end - first,
                    urc_at: urc_at.map(|u| u - first),
                    split,
                    scan: scan - first,
                    searched: $searched - first,
                };
                self.resume = Some(Resume::new(buf, first, eol - first, Some(lines)));
                return (DigestResult::None, 0);
            }};
        }
        loop {
            let s = skip_separators(buf, scan);
            let e = match self.line_end(buf, s, s.max(searched)) {
                Ok(Some(e)) => e,
                Ok(None) => wait!(searched_to(buf, s.max(searched))),
                Err(Incomplete) => wait!(s),
            };
            searched = 0;
            self.examine(e - s);
            let line = &buf[s..e];
            if is_echo(line) {
                // A new command: nothing answered the lines before it (a URC among them is
                // kept).
                self.state.count_garbage();
                report!("quectel-qi: dropped unanswered lines before an echo");
                return (DigestResult::None, urc_at.unwrap_or(s));
            }
            if let Some(kind) = final_result::<T>(line) {
                let Some(u) = urc_at else {
                    return (self.respond(kind, line, &buf[first..end]), e + 2);
                };
                // The URCs come next; the rest of this response is dropped after them (and
                // transparent mode starts at its CONNECT, not before the URCs).
                self.draining = true;
                let mut r = self.outcome(kind, line, &buf[first..end]);
                if split && r.is_ok() {
                    report!("quectel-qi: a URC split a response's lines; response dropped");
                    r = Err(InternalError::InvalidResponse);
                }
                return (DigestResult::Response(r), u);
            }
            match self.urc_at(buf, s, e) {
                Frame::Incomplete => wait!(s),
                Frame::Ends(x) => {
                    urc_at.get_or_insert(s);
                    scan = if x == e { e + 2 } else { x };
                    continue;
                }
                Frame::No => {}
            }
            split |= urc_at.is_some();
            scan = match self.info_end(buf, s, e) {
                Frame::Ends(x) => x,
                _ => wait!(s),
            };
            if urc_at.is_none() {
                end = scan;
            }
        }
    }

    /// With [`unsolicited_lines_are_noise`](Self::unsolicited_lines_are_noise): whether the
    /// line at `start` (CR LF at `eol`), whole with its payload, fits no response line of the
    /// form in flight, so cannot start its response (noise that came while it was in flight).
    fn fits_no_line_in_flight(&self, buf: &[u8], start: usize, eol: usize) -> bool {
        if !self.unsolicited_is_noise {
            return false;
        }
        let Some(form) = self.state.in_flight() else {
            return false;
        };
        if self.state.framing().view_comma {
            // The payload sits inside the line (`+QIRD: 5,hello`) and may end at this CR LF:
            // only `response` frames it, so no line is judged noise in view mode 1.
            return false;
        }
        match self.info_end(buf, start, eol) {
            // Its payload is not all here: decided once it is.
            Frame::Incomplete => return false,
            // A line that frames a payload (`+QIRD` in view mode 1) is data, not noise.
            Frame::Ends(x) if x != eol => return false,
            _ => {}
        }
        // No payload belongs to this line: what follows it is the next frame's.
        T::response_fit(form, &buf[start..eol], &[]) == Fit::No
    }

    /// What is left of a response handed over before its URCs: lines and the final result
    /// are dropped, URCs pass (the caller digests those).
    fn drain(&mut self, buf: &[u8], start: usize, eol: usize) -> Option<usize> {
        if let Some(kind) = final_result::<T>(&buf[start..eol]) {
            // The command's lines are behind: from here on its prefix is a URC's again.
            self.draining = false;
            self.state.command_done();
            if kind == Final::Connect {
                self.state.set_transparent(true);
            }
            return Some(eol + 2);
        }
        match self.info_end(buf, start, eol) {
            Frame::Ends(x) => Some(if x == eol { eol + 2 } else { x }),
            _ => None,
        }
    }
}

impl<T: SpecTables> Digester for SpecDigester<'_, T> {
    fn digest<'a>(&mut self, buf: &'a [u8]) -> (DigestResult<'a>, usize) {
        let resume = self.resume.take();
        if self.state.is_transparent() {
            self.state.count_dropped(buf.len());
            return (DigestResult::None, buf.len());
        }
        let mut pos = 0;
        if self.after_prompt {
            match self.prompt_tail(buf) {
                None => return (DigestResult::None, 0),
                Some(n) => pos = n,
            }
            self.after_prompt = false;
        }
        let echo = usize::from(self.state.payload_echo.load(Ordering::Acquire));
        if echo > 0 {
            if buf.len() - pos < echo {
                return (DigestResult::None, pos);
            }
            self.state.payload_echo.store(0, Ordering::Release);
            return (DigestResult::None, pos + echo);
        }
        let start = skip_separators(buf, pos);
        if start == buf.len() {
            return (DigestResult::None, start);
        }
        if T::PROMPT && buf[start] == b'>' {
            let end = start + 1;
            let end = match self.prompt_tail(&buf[end..]) {
                Some(n) => end + n,
                None => {
                    self.after_prompt = true;
                    end
                }
            };
            if self.unsolicited_is_noise && self.state.idle() {
                // A prompt nobody asked for would send the next command's payload early.
                self.state.count_garbage();
                return (DigestResult::None, end);
            }
            return (DigestResult::Prompt(b'>'), end);
        }
        let resume = resume.filter(|r| r.fits(buf, start));
        let searched = start + resume.map_or(0, |r| r.searched);
        if is_echo(&buf[start..]) {
            // The echo ends with the command's CR, whatever follows it.
            let found = buf[searched..].iter().position(|&b| b == b'\r');
            self.examine(found.map_or(buf.len() - searched, |cr| cr + 1));
            let Some(cr) = found else {
                self.resume = Some(Resume::new(buf, start, buf.len() - start, None));
                return (DigestResult::None, pos);
            };
            let cr = searched - start + cr;
            // A new command: nothing is left of an earlier response; its form is in flight
            // (none known for a command outside the spec).
            self.draining = false;
            match T::echoed(self.state, &buf[start..start + cr]) {
                Some(form) => self.state.command_sent(form),
                None => self.state.command_unknown(),
            }
            return (DigestResult::None, start + cr + 1);
        }
        let end = self.line_end(buf, start, searched);
        let Ok(Some(eol)) = end else {
            // A framed field is scanned again from the line's start.
            let to = match end {
                Err(Incomplete) => start,
                _ => searched_to(buf, searched),
            };
            self.resume = Some(Resume::new(buf, start, to - start, None));
            return (DigestResult::None, pos);
        };
        // The first line was read as a response's: its lines go on from where the scan
        // stopped (a state changed since applies to the lines not yet read).
        let lines = resume.and_then(|r| r.lines);
        if lines.is_some() {
            return self.response(buf, start, eol, lines);
        }
        self.examine(eol - start);
        let line = &buf[start..eol];
        if self.draining {
            if let Frame::No = self.urc_at(buf, start, eol) {
                return match self.drain(buf, start, eol) {
                    Some(used) => (DigestResult::None, used),
                    None => (DigestResult::None, pos),
                };
            }
        }
        let unsolicited = self.unsolicited_is_noise && self.state.idle();
        if let Some(kind) = final_result::<T>(line).filter(|_| !unsolicited) {
            return (self.respond(kind, line, &[]), eol + 2);
        }
        match self.urc_at(buf, start, eol) {
            Frame::Incomplete => {
                // Its payload is not all here; where its line ends is known.
                self.resume = Some(Resume::new(buf, start, eol - start, None));
                return (DigestResult::None, pos);
            }
            Frame::Ends(end) => {
                let used = if end == eol { eol + 2 } else { end };
                return (DigestResult::Urc(&buf[start..end]), used);
            }
            Frame::No => {}
        }
        if (is_garbage(line) && !self.framed(buf, start))
            || unsolicited
            || self.fits_no_line_in_flight(buf, start, eol)
        {
            // With view mode 1 the line may hold the start of a payload, which is any bytes.
            let data = match self.state.framing().view_comma {
                true => self.info_end(buf, start, eol),
                false => Frame::No,
            };
            match data {
                Frame::Incomplete => return (DigestResult::None, pos),
                Frame::Ends(x) if x != eol => {}
                _ => {
                    self.state.count_garbage();
                    report!("quectel-qi: skipped a garbage line ({} bytes)", line.len());
                    return (DigestResult::None, eol + 2);
                }
            }
        }
        self.response(buf, start, eol, None)
    }
}

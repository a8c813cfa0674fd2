//! A scripted module for the client tests: byte-level scripts of what the host must write and
//! what the module answers (lines, payloads, URCs). The module is the atat client's writer:
//! each write is checked against the script at once, and the answer is fed to the ingress (and
//! so to the digester) before the write returns, so no test depends on timing.

#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::VecDeque;
use std::convert::Infallible;
use std::rc::Rc;

use atat::{AtatIngress, ResponseSlot, UrcChannel};
use embassy_time::{Duration, Instant};
use quectel_qi::client::{
    BlockingClient, BlockingLink, Client, Config, PushIngress, PushRing, UrcMeta,
};

use quectel_qi::digest::{DigestState, QiDigester};
use quectel_qi::sizes::{COMMAND_BUF_SIZE, INGRESS_BUF_SIZE, RESPONSE_SLOT_SIZE};

/// The response slot's size: the crate's.
pub const RESPONSE_SIZE: usize = RESPONSE_SLOT_SIZE;

/// URCs the channel holds.
pub const URC_CAPACITY: usize = 16;
/// Subscribers: the client and one application.
pub const URC_SUBSCRIBERS: usize = 2;
/// How long any wait lasts in the tests (commands and URC results).
pub const TEST_WAIT_MS: u64 = 150;

/// One step of a script.
#[derive(Debug, Clone)]
pub enum Step {
    /// Bytes the host must write next.
    Host(Vec<u8>),
    /// Bytes the module answers with.
    Module(Vec<u8>),
}

/// A conversation: what the host writes, what the module answers.
#[derive(Debug, Clone, Default)]
pub struct Script {
    steps: Vec<Step>,
    /// Echo each command line before answering (ATE1).
    pub echo: bool,
    /// Feed answers in pieces of this many bytes (0: all at once).
    pub chunk: usize,
}

impl Script {
    pub fn new() -> Self {
        Self::default()
    }
    /// A command line; the script adds the `\r`.
    pub fn host(mut self, line: &str) -> Self {
        let mut b = line.as_bytes().to_vec();
        b.push(b'\r');
        self.steps.push(Step::Host(b));
        self
    }
    /// Raw host bytes (a payload).
    pub fn host_data(mut self, bytes: &[u8]) -> Self {
        self.steps.push(Step::Host(bytes.to_vec()));
        self
    }
    /// A module line, framed as the module frames it: CR LF, the line, CR LF.
    pub fn module(mut self, line: &str) -> Self {
        let b = if line == ">" {
            b"\r\n> ".to_vec()
        } else {
            format!("\r\n{line}\r\n").into_bytes()
        };
        self.steps.push(Step::Module(b));
        self
    }
    /// Raw module bytes (a payload), as they are.
    pub fn module_data(mut self, bytes: &[u8]) -> Self {
        self.steps.push(Step::Module(bytes.to_vec()));
        self
    }
    /// `+QIRD: <n>` with its payload and the final OK, as the module sends them.
    pub fn qird(self, data: &[u8]) -> Self {
        self.module_data(format!("\r\n+QIRD: {}\r\n", data.len()).as_bytes())
            .module_data(data)
            .module_data(b"\r\n\r\nOK\r\n")
    }
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }
    pub fn push(&mut self, s: Step) {
        self.steps.push(s);
    }
}

type TestIngress = PushIngress<'static, RESPONSE_SIZE, URC_CAPACITY, URC_SUBSCRIBERS>;
/// The push ring: the crate's default.
pub type TestRing = PushRing;

struct Shared {
    ingress: TestIngress,
    steps: VecDeque<Step>,
    pending: Vec<u8>,
    written: Vec<u8>,
    echo: bool,
    chunk: usize,
}

impl Shared {
    fn feed(&mut self, bytes: &[u8]) {
        let step = if self.chunk == 0 {
            bytes.len().max(1)
        } else {
            self.chunk
        };
        for piece in bytes.chunks(step) {
            let n = self
                .ingress
                .try_write(piece)
                .expect("the ingress takes the answer");
            assert_eq!(n, piece.len(), "the ingress buffer is full");
        }
    }

    /// Feeds every module step at the front of the script.
    fn answer(&mut self) {
        while let Some(Step::Module(_)) = self.steps.front() {
            let Some(Step::Module(b)) = self.steps.pop_front() else {
                unreachable!()
            };
            self.feed(&b);
        }
    }

    fn host_wrote(&mut self, buf: &[u8]) {
        self.written.extend_from_slice(buf);
        self.pending.extend_from_slice(buf);
        loop {
            let Some(Step::Host(expected)) = self.steps.front() else {
                panic!(
                    "the host wrote {:?} where the script expects nothing",
                    String::from_utf8_lossy(&self.pending)
                );
            };
            let n = expected.len().min(self.pending.len());
            assert_eq!(
                String::from_utf8_lossy(&self.pending[..n]),
                String::from_utf8_lossy(&expected[..n]),
                "the host wrote something else than the script says"
            );
            if self.pending.len() < expected.len() {
                return;
            }
            let expected = expected.clone();
            self.steps.pop_front();
            self.pending.drain(..expected.len());
            if self.echo && expected.last() == Some(&b'\r') {
                let mut e = expected.clone();
                e.extend_from_slice(b"\r\n");
                self.feed(&e);
            }
            self.answer();
            if self.pending.is_empty() {
                return;
            }
        }
    }
}

/// The module as the atat client's writer.
pub struct Module(Rc<RefCell<Shared>>);

impl embedded_io::ErrorType for Module {
    type Error = Infallible;
}

impl embedded_io::Write for Module {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        self.0.borrow_mut().host_wrote(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}

impl embedded_io_async::Write for Module {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Infallible> {
        self.0.borrow_mut().host_wrote(buf);
        Ok(buf.len())
    }
    async fn flush(&mut self) -> Result<(), Infallible> {
        Ok(())
    }
}

/// The test's view of the module after the client took the writer.
#[derive(Clone)]
pub struct Handle {
    shared: Rc<RefCell<Shared>>,
    pub urcs: &'static UrcChannel<UrcMeta, URC_CAPACITY, URC_SUBSCRIBERS>,
    pub ring: &'static TestRing,
    pub digest: &'static DigestState,
}

impl Handle {
    /// Everything the host wrote.
    pub fn written(&self) -> Vec<u8> {
        self.shared.borrow().written.clone()
    }
    /// Feeds the module steps at the front of the script (URCs before any command).
    pub fn answer(&self) {
        self.shared.borrow_mut().answer();
    }
    /// Feeds bytes now, outside the script.
    pub fn feed(&self, bytes: &[u8]) {
        self.shared.borrow_mut().feed(bytes);
    }
    /// The script was played to its end.
    pub fn assert_done(&self) {
        let s = self.shared.borrow();
        assert!(
            s.steps.is_empty(),
            "the script stopped early; left: {:?}",
            s.steps
                .iter()
                .map(|st| match st {
                    Step::Host(b) => format!("host {:?}", String::from_utf8_lossy(b)),
                    Step::Module(b) => format!("module {:?}", String::from_utf8_lossy(b)),
                })
                .collect::<Vec<_>>()
        );
        assert!(s.pending.is_empty(), "the host wrote a partial line");
    }
}

fn capped(start: Instant, spec: Duration) -> Instant {
    start + spec.min(Duration::from_millis(TEST_WAIT_MS))
}

fn short(ms: u32) -> u32 {
    ms.min(TEST_WAIT_MS as u32)
}

/// atat's settings for the tests: no cool-down, short waits.
pub fn atat_config() -> atat::Config {
    atat::Config::new()
        .cmd_cooldown(Duration::from_millis(0))
        .get_response_timeout(capped)
}

/// The client's settings for the tests: short waits.
pub fn config() -> Config {
    Config {
        wait_ms: short,
        ack_interval_ms: 1,
        ..Config::default()
    }
}

fn module(script: &Script) -> (Module, Handle, &'static ResponseSlot<RESPONSE_SIZE>) {
    let slot: &'static ResponseSlot<RESPONSE_SIZE> = Box::leak(Box::new(ResponseSlot::new()));
    let urcs: &'static UrcChannel<UrcMeta, URC_CAPACITY, URC_SUBSCRIBERS> =
        Box::leak(Box::new(UrcChannel::new()));
    let ring: &'static TestRing = Box::leak(Box::new(PushRing::new()));
    let digest: &'static DigestState = Box::leak(Box::new(DigestState::new()));
    let buf: &'static mut [u8] = Box::leak(vec![0u8; INGRESS_BUF_SIZE].into_boxed_slice());
    let digester = QiDigester::new(digest).with_max_response(RESPONSE_SIZE);
    let ingress = PushIngress::new(digester, ring, buf, slot, urcs);
    let shared = Rc::new(RefCell::new(Shared {
        ingress,
        steps: script.steps().iter().cloned().collect(),
        pending: Vec::new(),
        written: Vec::new(),
        echo: script.echo,
        chunk: script.chunk,
    }));
    (
        Module(shared.clone()),
        Handle {
            shared,
            urcs,
            ring,
            digest,
        },
        slot,
    )
}

fn command_buffer() -> &'static mut [u8] {
    Box::leak(vec![0u8; COMMAND_BUF_SIZE].into_boxed_slice())
}

pub type AsyncAt = atat::asynch::Client<'static, Module, RESPONSE_SIZE>;
pub type BlockingAt = atat::blocking::Client<'static, Module, RESPONSE_SIZE>;
pub type AsyncClient =
    Client<'static, quectel_qi::client::AsyncLink<'static, AsyncAt, URC_CAPACITY, URC_SUBSCRIBERS>>;
pub type SyncClient =
    BlockingClient<'static, BlockingLink<'static, BlockingAt, URC_CAPACITY, URC_SUBSCRIBERS>>;
pub type BlockingInner =
    Client<'static, BlockingLink<'static, BlockingAt, URC_CAPACITY, URC_SUBSCRIBERS>>;

/// An async client talking to a module that plays `script`; module steps before the first
/// host step are fed at once.
pub fn async_client(script: &Script, config: Config) -> (AsyncClient, Handle) {
    let (m, h, slot) = module(script);
    let at = atat::asynch::Client::new(m, slot, command_buffer(), atat_config());
    let c = Client::new(at, h.urcs, h.ring, h.digest, config).expect("a subscriber slot");
    h.answer();
    (c, h)
}

/// A blocking client talking to a module that plays `script`.
pub fn blocking_client(script: &Script, config: Config) -> (SyncClient, Handle) {
    let (m, h, slot) = module(script);
    let at = atat::blocking::Client::new(m, slot, command_buffer(), atat_config());
    let c = BlockingClient::new(at, h.urcs, h.ring, h.digest, config).expect("a subscriber slot");
    h.answer();
    (c, h)
}

/// Runs a scenario written once against both flavours: the async client, and the blocking
/// client's core (driven by the blocking shell's link).
#[macro_export]
macro_rules! both {
    ($script:expr, $config:expr, |$c:ident, $h:ident| $body:expr) => {{
        {
            let (mut client, $h) = support::async_client(&$script, $config);
            let $c = &mut client;
            embassy_futures::block_on(async { $body });
            $h.assert_done();
        }
        {
            let (mut client, $h) = support::blocking_client(&$script, $config);
            let $c = client.client();
            embassy_futures::block_on(async { $body });
            $h.assert_done();
        }
    }};
}

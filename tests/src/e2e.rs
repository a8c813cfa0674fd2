//! The typed client wired to a module through atat, for the end-to-end tests and the tour:
//! the virtual module over the in-memory duplex (or any byte stream, such as a serial port),
//! atat's ingress fed with the module's output through [`QiDigester`], and the client on top,
//! blocking ([`BlockingRig`]) or async ([`run_async`]).
//!
//! The feeder between the stream and the ingress is the crate's
//! [`PortReader`](quectel_qi::client::PortReader): in transparent mode the raw data goes to a
//! [`Tap`] instead of atat.

use std::future::Future;
use std::io::Read;
use std::ops::{Deref, DerefMut};
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::JoinHandle;
use std::time::Duration;

use atat::{ResponseSlot, UrcChannel};
use embassy_time::Instant;
use qi_sim::transport::{duplex, HostReader, HostWriter, Running};
use qi_sim::Control;
use quectel_qi::client::{
    AsyncLink, BlockingClient, BlockingLink, Client, Config, PortReader, PushIngress, PushRing,
    UrcMeta, HELD_URCS, PUSH_RECORDS, RING_CAPACITY,
};
use quectel_qi::digest::{DigestState, QiDigester};
use quectel_qi::sizes::{COMMAND_BUF_SIZE, INGRESS_BUF_SIZE, RESPONSE_SLOT_SIZE};

/// The response slot's size: the crate's.
pub const RESPONSE_SIZE: usize = RESPONSE_SLOT_SIZE;
/// URCs the channel holds: more than any flow lets queue up between two client calls.
pub const URC_CAPACITY: usize = 64;
/// Subscribers: the client and one more for the application.
pub const URC_SUBSCRIBERS: usize = 2;
/// The longest any wait lasts when timing is [`Timing::Test`].
pub const TEST_WAIT: Duration = Duration::from_secs(10);

/// Which way bytes went on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    /// Written by the host.
    ToModule,
    /// Sent by the module.
    FromModule,
}

/// Sees every byte on the wire (the tour prints them).
pub type WireLog = Arc<dyn Fn(Dir, &[u8]) + Send + Sync>;

/// How long the client and atat wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timing {
    /// Every wait capped at [`TEST_WAIT`], no pause between commands: a broken flow fails in
    /// seconds, not after the spec's 150 s.
    Test,
    /// The spec's times and atat's default pause between commands: for a real module.
    Spec,
}

fn capped_ms(ms: u32) -> u32 {
    ms.min(TEST_WAIT.as_millis() as u32)
}

fn same_ms(ms: u32) -> u32 {
    ms
}

// atat's blocking client polls the response slot in a loop that calls this on every turn:
// yielding there lets the module and the feeder run on a busy machine.
fn capped_deadline(start: Instant, spec: embassy_time::Duration) -> Instant {
    std::thread::yield_now();
    start
        + spec.min(embassy_time::Duration::from_millis(
            TEST_WAIT.as_millis() as u64
        ))
}

fn spec_deadline(start: Instant, spec: embassy_time::Duration) -> Instant {
    std::thread::yield_now();
    start + spec
}

impl Timing {
    /// The client's settings for this timing (`AT+QIGETERROR` after `ERROR` when `last_error`).
    pub fn client_config(self, last_error: bool) -> Config {
        let wait_ms = match self {
            Timing::Test => capped_ms,
            Timing::Spec => same_ms,
        };
        Config {
            query_last_error: last_error,
            wait_ms,
            ack_interval_ms: match self {
                Timing::Test => 5,
                Timing::Spec => Config::default().ack_interval_ms,
            },
            ..Config::default()
        }
    }

    fn atat_config(self) -> atat::Config {
        match self {
            Timing::Test => quectel_qi::client::atat_config().get_response_timeout(capped_deadline),
            Timing::Spec => quectel_qi::client::atat_config().get_response_timeout(spec_deadline),
        }
    }
}

/// Bytes the module sent while the port was in transparent mode.
#[derive(Default)]
pub struct Tap {
    bytes: Mutex<Vec<u8>>,
    grew: Condvar,
}

impl Tap {
    fn push(&self, data: &[u8]) {
        let mut b = self.bytes.lock().unwrap_or_else(|e| e.into_inner());
        b.extend_from_slice(data);
        self.grew.notify_all();
    }

    /// How many bytes it holds.
    pub fn len(&self) -> usize {
        self.bytes.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    /// Whether it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Takes every byte it holds.
    pub fn take(&self) -> Vec<u8> {
        std::mem::take(&mut *self.bytes.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Waits (blocking) until it holds at least `n` bytes, at most `timeout`; tells whether.
    pub fn wait_len(&self, n: usize, timeout: Duration) -> bool {
        let b = self.bytes.lock().unwrap_or_else(|e| e.into_inner());
        let (b, _) = self
            .grew
            .wait_timeout_while(b, timeout, |b| b.len() < n)
            .unwrap_or_else(|e| e.into_inner());
        b.len() >= n
    }

    /// Waits (async) until it holds at least `n` bytes, at most `timeout`; tells whether.
    pub async fn wait_len_async(&self, n: usize, timeout: Duration) -> bool {
        let deadline =
            Instant::now() + embassy_time::Duration::from_micros(timeout.as_micros() as u64);
        while self.len() < n {
            if Instant::now() >= deadline {
                return false;
            }
            embassy_time::Timer::after_millis(1).await;
        }
        true
    }
}

/// What the test sees of the wire besides the client: the digester's state and the tap.
#[derive(Clone)]
pub struct Wire {
    /// The settings the client keeps for the digester (access modes, transparent mode).
    pub digest: &'static DigestState,
    /// Raw data received in transparent mode.
    pub tap: Arc<Tap>,
}

type QiIngress = PushIngress<'static, RESPONSE_SIZE, URC_CAPACITY, URC_SUBSCRIBERS>;
/// The push ring: the crate's default size, a frame for each entry of the channel and of the
/// async link's held queue, the one atat hands over, and the default unread payloads.
type Ring = PushRing<RING_CAPACITY, { URC_CAPACITY + HELD_URCS + 1 + PUSH_RECORDS }>;

/// The host's writer with the wire log. Bytes are logged before they are written, so that a
/// log shows a command before the module's answer to it.
pub struct Tx<W> {
    inner: W,
    log: Option<WireLog>,
    /// Bytes logged and not yet written (atat's `write_all` passes what is left).
    unwritten: usize,
}

impl<W> Tx<W> {
    fn new(inner: W, log: Option<WireLog>) -> Self {
        Tx {
            inner,
            log,
            unwritten: 0,
        }
    }

    fn log_ahead(&mut self, buf: &[u8]) {
        if let Some(log) = &self.log {
            if self.unwritten == 0 {
                log(Dir::ToModule, buf);
                self.unwritten = buf.len();
            }
        }
    }

    fn wrote(&mut self, n: usize) {
        self.unwritten = self.unwritten.saturating_sub(n);
    }
}

impl<W: embedded_io::ErrorType> embedded_io::ErrorType for Tx<W> {
    type Error = W::Error;
}

impl<W: embedded_io::Write> embedded_io::Write for Tx<W> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        self.log_ahead(buf);
        let n = self.inner.write(buf)?;
        self.wrote(n);
        Ok(n)
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        self.inner.flush()
    }
}

impl<W: embedded_io_async::Write> embedded_io_async::Write for Tx<W> {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        self.log_ahead(buf);
        let n = self.inner.write(buf).await?;
        self.wrote(n);
        Ok(n)
    }

    async fn flush(&mut self) -> Result<(), Self::Error> {
        self.inner.flush().await
    }
}

/// A `std::io::Write` (a serial port) as an `embedded_io::Write`.
pub struct StdWriter<T>(pub T);

impl<T> embedded_io::ErrorType for StdWriter<T> {
    type Error = std::io::Error;
}

impl<T: std::io::Write> embedded_io::Write for StdWriter<T> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, std::io::Error> {
        self.0.write(buf)
    }

    fn flush(&mut self) -> Result<(), std::io::Error> {
        self.0.flush()
    }
}

/// Shared atat state, leaked: atat's client and ingress want `'static` references.
struct Parts {
    slot: &'static ResponseSlot<RESPONSE_SIZE>,
    urcs: &'static UrcChannel<UrcMeta, URC_CAPACITY, URC_SUBSCRIBERS>,
    ring: &'static Ring,
    wire: Wire,
}

fn parts() -> Parts {
    Parts {
        slot: Box::leak(Box::new(ResponseSlot::new())),
        urcs: Box::leak(Box::new(UrcChannel::new())),
        ring: Box::leak(Box::new(PushRing::new())),
        wire: Wire {
            digest: Box::leak(Box::new(DigestState::new())),
            tap: Arc::new(Tap::default()),
        },
    }
}

fn command_buffer() -> &'static mut [u8] {
    Box::leak(vec![0u8; COMMAND_BUF_SIZE].into_boxed_slice())
}

/// Feeds what the module sends to atat's ingress, or to the tap in transparent mode, through
/// the crate's [`PortReader`].
struct Feeder {
    ingress: QiIngress,
    port: PortReader<'static>,
    tap: Arc<Tap>,
    log: Option<WireLog>,
}

/// How long the blocking feeder sleeps while the URC channel is full.
const FULL_WAIT: Duration = Duration::from_millis(1);
/// How long the port must be quiet before the bytes kept back in transparent mode go to the
/// tap.
pub const QUIET: Duration = Duration::from_millis(5);

impl Feeder {
    fn new(p: &Parts, log: Option<WireLog>) -> Feeder {
        let buf: &'static mut [u8] = Box::leak(vec![0u8; INGRESS_BUF_SIZE].into_boxed_slice());
        let digester = QiDigester::new(p.wire.digest).with_max_response(RESPONSE_SIZE);
        Feeder {
            ingress: PushIngress::new(digester, p.ring, buf, p.slot, p.urcs),
            port: PortReader::new(p.wire.digest),
            tap: p.wire.tap.clone(),
            log,
        }
    }

    fn log(&self, bytes: &[u8]) {
        if let Some(log) = &self.log {
            log(Dir::FromModule, bytes);
        }
    }

    /// Blocking: a full URC channel is waited out (the client takes URCs on its next call),
    /// for [`TEST_WAIT`] at most.
    fn feed(&mut self, bytes: &[u8]) {
        self.log(bytes);
        let tap = &self.tap;
        let waits = (TEST_WAIT.as_millis() / FULL_WAIT.as_millis()) as u32;
        let fed = self.port.feed(
            &mut self.ingress,
            bytes,
            |raw| tap.push(raw),
            waits,
            || std::thread::sleep(FULL_WAIT),
        );
        if let Err(e) = fed {
            panic!("feeding the ingress: {e:?} (the URC channel stayed full for {TEST_WAIT:?}?)");
        }
    }

    /// Async: a full URC channel suspends the feeder until the client takes a URC.
    async fn feed_async(&mut self, bytes: &[u8]) {
        self.log(bytes);
        let tap = &self.tap;
        let fed = self
            .port
            .feed_async(&mut self.ingress, bytes, |raw| tap.push(raw))
            .await;
        if let Err(e) = fed {
            panic!("feeding the ingress: {e:?}");
        }
    }

    /// The port was quiet: bytes kept back in case they started `NO CARRIER` are data.
    fn quiet(&mut self) {
        let tap = &self.tap;
        self.port.flush(|raw| tap.push(raw));
    }
}

/// The blocking atat client over a writer.
pub type BlockingAt<W> = atat::blocking::Client<'static, Tx<W>, RESPONSE_SIZE>;
/// The blocking typed client over a writer.
pub type Blocking<W> =
    BlockingClient<'static, BlockingLink<'static, BlockingAt<W>, URC_CAPACITY, URC_SUBSCRIBERS>>;

/// A blocking client talking to a module, with a thread feeding the module's output to atat.
/// Derefs to the client. Dropping it stops the module (and its thread) it started.
pub struct BlockingRig<W: embedded_io::Write> {
    client: Option<Blocking<W>>,
    /// The digester's state and the transparent-mode tap.
    pub wire: Wire,
    module: Option<Running>,
    feeder: Option<JoinHandle<()>>,
    stop: Arc<AtomicBool>,
}

/// Starts a virtual module over the in-memory duplex and a blocking client to it.
pub fn start_blocking(
    sim: qi_sim::Config,
    config: Config,
    log: Option<WireLog>,
) -> BlockingRig<HostWriter> {
    let (end, running) = duplex(sim);
    let (mut reader, writer) = end.split();
    reader.set_read_timeout(Some(QUIET));
    let mut rig = blocking_over(reader, writer, Timing::Test, config, log);
    rig.module = Some(running);
    rig
}

/// A blocking client over any byte stream: `reader` is read on a thread of its own (give it
/// a read timeout, such as [`QUIET`], so that the thread notices when the rig is dropped and
/// hands over the bytes kept back in transparent mode).
pub fn blocking_over<R, W>(
    mut reader: R,
    writer: W,
    timing: Timing,
    config: Config,
    log: Option<WireLog>,
) -> BlockingRig<W>
where
    R: Read + Send + 'static,
    W: embedded_io::Write,
{
    let p = parts();
    let mut feeder = Feeder::new(&p, log.clone());
    let stop = Arc::new(AtomicBool::new(false));
    let thread = {
        let stop = stop.clone();
        std::thread::Builder::new()
            .name("e2e feeder".into())
            .spawn(move || {
                let mut buf = vec![0u8; 4096];
                while !stop.load(Ordering::SeqCst) {
                    match reader.read(&mut buf) {
                        Ok(0) => return,
                        Ok(n) => feeder.feed(&buf[..n]),
                        Err(e)
                            if matches!(
                                e.kind(),
                                std::io::ErrorKind::TimedOut
                                    | std::io::ErrorKind::WouldBlock
                                    | std::io::ErrorKind::Interrupted
                            ) =>
                        {
                            feeder.quiet()
                        }
                        Err(_) => return,
                    }
                }
            })
            .expect("spawn the feeder thread")
    };
    let at = atat::blocking::Client::new(
        Tx::new(writer, log),
        p.slot,
        command_buffer(),
        timing.atat_config(),
    );
    let client =
        BlockingClient::new(at, p.urcs, p.ring, p.wire.digest, config).expect("a subscriber");
    BlockingRig {
        client: Some(client),
        wire: p.wire,
        module: None,
        feeder: Some(thread),
        stop,
    }
}

impl<W: embedded_io::Write> BlockingRig<W> {
    /// Fault injection into the virtual module (`None` over another stream).
    pub fn control(&self) -> Option<&Control> {
        self.module.as_ref().map(Running::control)
    }
}

impl<W: embedded_io::Write> Deref for BlockingRig<W> {
    type Target = Blocking<W>;

    fn deref(&self) -> &Blocking<W> {
        self.client
            .as_ref()
            .expect("the client lives as long as the rig")
    }
}

impl<W: embedded_io::Write> DerefMut for BlockingRig<W> {
    fn deref_mut(&mut self) -> &mut Blocking<W> {
        self.client
            .as_mut()
            .expect("the client lives as long as the rig")
    }
}

impl<W: embedded_io::Write> Drop for BlockingRig<W> {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // The writer goes with the client: the module sees its input end and stops, which
        // ends the feeder's stream.
        self.client.take();
        if let Some(m) = self.module.take() {
            m.join();
        }
        if let Some(f) = self.feeder.take() {
            let _ = f.join();
        }
    }
}

/// The async atat client over the duplex.
pub type AsyncAt = atat::asynch::Client<'static, Tx<HostWriter>, RESPONSE_SIZE>;
/// The async typed client over the duplex.
pub type Async = Client<'static, AsyncLink<'static, AsyncAt, URC_CAPACITY, URC_SUBSCRIBERS>>;

/// What an async flow gets: the client, the wire, and the module's fault injection.
pub struct AsyncRig {
    /// The async typed client.
    pub client: Async,
    /// The digester's state and the transparent-mode tap.
    pub wire: Wire,
    /// Fault injection into the virtual module.
    pub control: Control,
}

/// Starts a virtual module over the in-memory duplex and runs `flow` with an async client to
/// it; the feeder runs beside it in the same task (`select`), as on an embedded executor.
pub fn run_async<T>(
    sim: qi_sim::Config,
    config: Config,
    log: Option<WireLog>,
    flow: impl AsyncFnOnce(&mut AsyncRig) -> T,
) -> T {
    let (end, running) = duplex(sim);
    let (reader, writer) = end.split();
    let p = parts();
    let feeder = Feeder::new(&p, log.clone());
    let at = atat::asynch::Client::new(
        Tx::new(writer, log),
        p.slot,
        command_buffer(),
        Timing::Test.atat_config(),
    );
    let client = Client::new(at, p.urcs, p.ring, p.wire.digest, config).expect("a subscriber");
    let mut rig = AsyncRig {
        client,
        wire: p.wire,
        control: running.control().clone(),
    };
    let out = block_on(async {
        let feed = pin!(feed_async(feeder, reader));
        let flow = pin!(flow(&mut rig));
        match embassy_futures::select::select(feed, flow).await {
            embassy_futures::select::Either::First(never) => match never {},
            embassy_futures::select::Either::Second(t) => t,
        }
    });
    drop(rig);
    running.join();
    out
}

enum Never {}

async fn feed_async(mut feeder: Feeder, mut reader: HostReader) -> Never {
    let mut buf = vec![0u8; 4096];
    loop {
        let read = embedded_io_async::Read::read(&mut reader, &mut buf);
        let quiet = embassy_time::Timer::after_micros(QUIET.as_micros() as u64);
        match embassy_futures::select::select(read, quiet).await {
            embassy_futures::select::Either::First(Ok(n)) if n > 0 => {
                feeder.feed_async(&buf[..n]).await
            }
            embassy_futures::select::Either::Second(()) => feeder.quiet(),
            // The module stopped: nothing more comes.
            embassy_futures::select::Either::First(_) => std::future::pending::<()>().await,
        }
    }
}

struct Unpark(std::thread::Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Runs a future on this thread, sleeping until a waker fires (or, as a safety net against a
/// lost wake-up, 20 ms). `embassy_futures::block_on` would spin a core.
pub fn block_on<F: Future>(fut: F) -> F::Output {
    let mut fut = pin!(fut);
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(t) = fut.as_mut().poll(&mut cx) {
            return t;
        }
        std::thread::park_timeout(Duration::from_millis(20));
    }
}

/// FNV-1a (64 bits) of a byte string: what the payload tests compare.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `n` bytes from xorshift64 seeded with `seed` (every byte value, CR, LF and NUL included).
pub fn random_bytes(seed: u64, n: usize) -> Vec<u8> {
    let mut s = seed | 1;
    let mut out = Vec::with_capacity(n + 8);
    while out.len() < n {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        out.extend_from_slice(&s.to_le_bytes());
    }
    out.truncate(n);
    out
}

/// The chunk sizes the payload tests cycle through: empty, one byte, and each side of the
/// spec's longest `AT+QISEND` payload and of its longest `AT+QIRD` read.
pub fn boundary_sizes() -> [usize; 6] {
    let send_max = quectel_qi::SendLength::MAX.get() as usize;
    let read_max = quectel_qi::ReadLength::MAX.get() as usize;
    [0, 1, send_max - 1, send_max, send_max + 1, read_max]
}

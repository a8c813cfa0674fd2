//! The typed client: validated calls over atat, async and blocking, with the helpers an
//! application expects (contexts, sockets, send, read, accept, ping, NTP, DNS) and URC routing.
//!
//! One design for both flavours: the logic (validation, request building, reply and URC
//! interpretation, the multi-step procedures) is written once as `async fn`s over [`Link`];
//! [`AsyncLink`] and [`BlockingLink`] are thin shells around `atat::asynch::Client` and
//! `atat::blocking::Client`, and [`BlockingClient`] runs each call to completion.
//!
//! Every call validates before anything is written, waits as long as the spec says (each
//! request's `TIMEOUT_MS`, through [`Config::wait_ms`] for URC results), and maps `ERROR`,
//! `+CME ERROR: <n>` and `SEND FAIL` to [`Error`], optionally with the code of
//! `AT+QIGETERROR` ([`Config::query_last_error`]).
//!
//! # Setting up (async)
//!
//! A [`PushIngress`] (atat's ingress with a [`QiDigester`](crate::digest::QiDigester)) is fed
//! from the serial port; the client and the digester share a [`DigestState`]. atat's URC
//! channel carries [`UrcMeta`], metadata only: the payloads of direct-push URCs wait in a
//! [`PushRing`] the application owns, written once by the ingress and taken by the client
//! when it routes their URC. Every buffer size comes from [`sizes`](crate::sizes).
//!
//! ```no_run
//! use atat::{AtatIngress, ResponseSlot, UrcChannel};
//! use quectel_qi::client::{Client, Config, Error, PushIngress, PushRing, UrcMeta};
//! use quectel_qi::digest::{DigestState, QiDigester};
//! use quectel_qi::sizes::{COMMAND_BUF_SIZE, INGRESS_BUF_SIZE, RESPONSE_SLOT_SIZE, URC_CAPACITY};
//! use quectel_qi::*;
//!
//! static RESPONSES: ResponseSlot<RESPONSE_SLOT_SIZE> = ResponseSlot::new();
//! static URCS: UrcChannel<UrcMeta, URC_CAPACITY, 2> = UrcChannel::new(); // client + application
//! static PUSHES: PushRing = PushRing::new(); // two largest pushes, one per channel entry
//! static DIGEST: DigestState = DigestState::new();
//! const CTX: ContextId = ContextId::new_const(1);
//!
//! async fn app(
//!     tx: impl embedded_io_async::Write,
//!     rx: impl embedded_io_async::Read,
//! ) -> Result<(), Error> {
//!     let mut ingress_buf = [0u8; INGRESS_BUF_SIZE];
//!     let digester = QiDigester::new(&DIGEST);
//!     let mut ingress = PushIngress::new(digester, &PUSHES, &mut ingress_buf, &RESPONSES, &URCS);
//!     let mut command_buf = [0u8; COMMAND_BUF_SIZE];
//!     let at = atat::asynch::Client::new(tx, &RESPONSES, &mut command_buf, quectel_qi::client::atat_config());
//!     let mut qi = Client::new(at, &URCS, &PUSHES, &DIGEST, Config::default()).expect("a free URC slot");
//!
//!     let session = async {
//!         qi.prepare().await?; // the framing the digester reads
//!         qi.configure_context(&qicsgp::Configure {
//!             context_id: CTX,
//!             context_type: ContextType::Ipv4,
//!             apn: "internet",
//!             username: None,
//!             password: None,
//!             authentication: None,
//!         })
//!         .await?;
//!         qi.activate(CTX).await?;
//!         let socket = qi
//!             .open(&qiopen::Open {
//!                 context_id: CTX,
//!                 connect_id: ConnectId::new_const(0),
//!                 service_type: ServiceType::Tcp,
//!                 host: "192.0.2.2",
//!                 remote_port: Port::new_const(8009),
//!                 local_port: Some(Port::new_const(0)),
//!                 access_mode: Some(AccessMode::BufferAccess),
//!             })
//!             .await?; // waits for +QIOPEN: 0,0 (up to the spec's 150 s)
//!         qi.send(socket, b"hello").await?; // prompt, payload, SEND OK; chunked past 1460
//!         qi.wait_acknowledged(socket).await?;
//!         // Readiness is state: a URC routed during any call (the send, the acknowledgement
//!         // query, a read) is in `socket()`, so look there first and wait only when nothing
//!         // is there yet.
//!         let mut buf = [0u8; 1500];
//!         loop {
//!             let info = qi.socket(socket);
//!             if info.data_pending {
//!                 let n = qi.read(socket, &mut buf).await?; // drains with AT+QIRD
//!                 let _reply = &buf[..n];
//!             } else if info.closed {
//!                 break; // the peer closed and every byte was read
//!             } else if qi.next_event(30_000).await.is_none() {
//!                 return Err(Error::Timeout);
//!             }
//!         }
//!         qi.close(socket).await
//!     };
//!     // The ingress runs beside the session (in firmware: a task of its own).
//!     match embassy_futures::select::select(ingress.read_from(rx), session).await {
//!         embassy_futures::select::Either::Second(result) => result,
//!     }
//! }
//! ```
//!
//! # Setting up (blocking)
//!
//! The same calls without `.await`; something else (a thread, an interrupt) feeds the
//! ingress, and the client polls for results until the spec's time has passed.
//!
//! ```no_run
//! use atat::{ResponseSlot, UrcChannel};
//! use quectel_qi::client::{BlockingClient, Config, Error, PushIngress, PushRing, UrcMeta};
//! use quectel_qi::digest::{DigestState, QiDigester};
//! use quectel_qi::sizes::{COMMAND_BUF_SIZE, INGRESS_BUF_SIZE, RESPONSE_SLOT_SIZE, URC_CAPACITY};
//! use quectel_qi::*;
//!
//! static RESPONSES: ResponseSlot<RESPONSE_SLOT_SIZE> = ResponseSlot::new();
//! static URCS: UrcChannel<UrcMeta, URC_CAPACITY, 1> = UrcChannel::new();
//! static PUSHES: PushRing = PushRing::new();
//! static DIGEST: DigestState = DigestState::new();
//!
//! fn app(
//!     tx: impl embedded_io::Write,
//!     mut rx: impl embedded_io::Read + Send + 'static,
//! ) -> Result<(), Error> {
//!     std::thread::spawn(move || {
//!         let buf = Box::leak(Box::new([0u8; INGRESS_BUF_SIZE]));
//!         let mut ingress = PushIngress::new(QiDigester::new(&DIGEST), &PUSHES, buf, &RESPONSES, &URCS);
//!         let mut chunk = [0u8; 256];
//!         while let Ok(n) = rx.read(&mut chunk) {
//!             // Waits (1000 yields at most) while the URC channel or the push ring is full,
//!             // until the client drains it.
//!             let fed = quectel_qi::client::feed_ingress(
//!                 &mut ingress, &chunk[..n], 1000, std::thread::yield_now);
//!             if let Err(e) = fed {
//!                 eprintln!("{e:?}: {} bytes lost", n - e.fed());
//!             }
//!         }
//!     });
//!     let mut command_buf = [0u8; COMMAND_BUF_SIZE];
//!     let at = atat::blocking::Client::new(tx, &RESPONSES, &mut command_buf, quectel_qi::client::atat_config());
//!     let mut qi = BlockingClient::new(at, &URCS, &PUSHES, &DIGEST, Config::default()).expect("a free URC slot");
//!     let ctx = ContextId::new_const(1);
//!     qi.activate(ctx)?;
//!     let answer = qi.resolve::<4>(ctx, "example.com")?; // collects every dnsgip URC
//!     let outcome = qi.ping(&qping::Ping { context_id: ctx, host: &answer.addresses[0], timeout: None, pingnum: None })?;
//!     assert_eq!(outcome.replies.len() as u32, outcome.summary.sent.unwrap_or(0));
//!     Ok(())
//! }
//! ```

//!
//! # Transparent mode: receiving
//!
//! After `CONNECT` (from [`Client::open`] in transparent mode or [`Client::switch_mode`]) the
//! port carries the peer's raw data. Read the port through a [`PortReader`] instead of
//! feeding the ingress directly: in command mode it feeds the ingress, in transparent mode it
//! hands the bytes to a sink of yours (a ring buffer, a `heapless::Vec`, a channel), from the
//! first byte after `CONNECT`; `NO CARRIER` ends the mode (the client then marks the socket
//! [`closed`](SocketInfo::closed)). Send with [`Client::write_transparent`]; leave with
//! [`Client::leave_transparent`] (the socket goes on in buffer access mode).
//!
//! ```no_run
//! use atat::{ResponseSlot, UrcChannel};
//! use quectel_qi::client::{PortReader, PushIngress, PushRing, UrcMeta};
//! use quectel_qi::digest::{DigestState, QiDigester};
//! use quectel_qi::sizes::{INGRESS_BUF_SIZE, RESPONSE_SLOT_SIZE, URC_CAPACITY};
//!
//! static RESPONSES: ResponseSlot<RESPONSE_SLOT_SIZE> = ResponseSlot::new();
//! static URCS: UrcChannel<UrcMeta, URC_CAPACITY, 1> = UrcChannel::new();
//! static PUSHES: PushRing = PushRing::new();
//! static DIGEST: DigestState = DigestState::new();
//!
//! // A reader task; a reader thread calls `feed` (bounded waits) instead of `feed_async`.
//! async fn reader(mut rx: impl embedded_io_async::Read) {
//!     let mut buf = [0u8; INGRESS_BUF_SIZE];
//!     let mut ingress = PushIngress::new(QiDigester::new(&DIGEST), &PUSHES, &mut buf, &RESPONSES, &URCS);
//!     let mut port = PortReader::new(&DIGEST);
//!     let mut data = heapless::Vec::<u8, 4096>::new();
//!     let mut chunk = [0u8; 256];
//!     while let Ok(n) = rx.read(&mut chunk).await {
//!         let keep = |raw: &[u8]| {
//!             let _ = data.extend_from_slice(raw); // or hand it on; this one drops when full
//!         };
//!         let _ = port.feed_async(&mut ingress, &chunk[..n], keep).await;
//!         // With a read timeout: `port.flush(sink)` when the port went quiet, for the few
//!         // bytes kept back in case they start `NO CARRIER`.
//!     }
//! }
//! ```

pub(crate) mod apart;
mod blocking;
mod command;
mod context;
mod error;
mod feed;
mod ingress;
mod link;
mod push;
mod queued;
mod read;
mod recovery;
mod reply;
mod ring;
mod send;
mod services;
mod setup;
mod socket;
mod state;

pub use blocking::BlockingClient;
pub use command::{Command, Timed, Timing};
pub use error::{Code, Error, ErrorResult, ModuleError};
pub use feed::{feed_ingress, FeedError, PortReader};
pub use ingress::PushIngress;
pub use link::{Answer, AsyncLink, BlockingLink, Link};
pub(crate) use push::PushBuffer;
pub use push::{Sender, PUSH_CAPACITY, PUSH_RECORDS, SENDER_IP_LEN};
pub use queued::{ChannelUrc, HeldUrcs, Queued, QueuedUrc, RingUrc, UrcMeta, HELD_URCS};
pub use read::ExcessBytes;
pub use recovery::{Policy, Recovery};

pub use reply::{Failure, PAYLOAD_MAX};
pub use ring::{PayloadRing, PushRing, HOLD_MS, RING_CAPACITY, RING_ENTRIES};
pub use send::{HEX_PIECE, SEND_CHUNK};
pub use services::DnsAnswer;
#[cfg(feature = "ping")]
pub use services::PingOutcome;
pub use state::{Event, Router, SocketInfo, CONTEXTS, SOCKETS};

use core::ops::ControlFlow;

use embassy_time::{Duration, Instant};

use crate::digest::DigestState;
use crate::wire::LineList;
use crate::{qigeterror, Urc};
use atat::AtatCmd;

/// Client settings.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    /// After `ERROR`, ask `AT+QIGETERROR` and attach its code to the error.
    pub query_last_error: bool,
    /// Maps a spec time (ms) to how long the client waits for a URC result: the identity by
    /// default; tests shorten it. (atat's own `Config::get_response_timeout` does the same for
    /// final results.)
    pub wait_ms: fn(u32) -> u32,
    /// [`Client::wait_acknowledged`]: acknowledgement queries at most.
    pub ack_polls: u16,
    /// [`Client::wait_acknowledged`]: pause between two queries, in ms.
    pub ack_interval_ms: u32,
}

/// Records a URC; a socket a server got takes the listener's access mode (the digester needs
/// it to frame the socket's data URCs).
pub(crate) fn route<const PUSH: usize>(
    router: &mut Router<PUSH>,
    digest: &DigestState,
    u: &Urc,
) -> Event {
    let event = router.route(u);
    if let Event::Incoming { socket, .. } = event {
        if let Some(mode) = router.socket(socket).mode {
            digest.set_access_mode(socket, mode);
        }
    }
    event
}

fn same(ms: u32) -> u32 {
    ms
}

/// The atat configuration this client is measured with: atat's defaults, but no pause between
/// a response and the next command.
///
/// atat waits `cmd_cooldown` (20 ms by default) after each response. Sending and buffer-access
/// reading are a command per 1460 bytes, so at 921600 baud that pause alone cuts goodput to
/// about 40 % (5 ms: about 72 %); the document asks for no pause between commands. Figures in
/// `docs/PERFORMANCE.md` ("Goodput").
pub const fn atat_config() -> atat::Config {
    atat::Config::new().cmd_cooldown(embassy_time::Duration::from_millis(0))
}

impl Default for Config {
    fn default() -> Self {
        Config {
            query_last_error: false,
            wait_ms: same,
            ack_polls: 20,
            ack_interval_ms: 500,
        }
    }
}

/// The typed client over a [`Link`]; its calls are `async` (see [`BlockingClient`] for the
/// blocking flavour).
///
/// It keeps the digester's [`DigestState`] current (each socket's access mode, `recvind`,
/// transparent mode, and the [`Framing`](crate::framing::Framing) of every setting that
/// shapes payloads, whenever a form sets or reads one), so that the digester frames data
/// right and the client writes and reads payloads in the module's live format.
pub struct Client<'a, L, const PUSH: usize = 0> {
    link: L,
    router: Router<PUSH>,
    digest: &'a DigestState,
    config: Config,
    last_command: Option<&'static str>,
    /// `AT&D` as last set through this client; `None` until then.
    dtr: Option<crate::DtrBehaviour>,
    /// The socket that left transparent mode last (what `ATO` returns to).
    left_transparent: Option<crate::ConnectId>,
}

impl<'a, A, const CAP: usize, const SUBS: usize> Client<'a, AsyncLink<'a, A, CAP, SUBS>>
where
    A: atat::asynch::AtatClient,
{
    /// An async client over an `atat::asynch` client whose ingress is a [`PushIngress`]
    /// over `digest`, `urcs` and `ring`; subscribes to `urcs` (one of its subscriber slots)
    /// to route URCs, and takes their payloads from `ring`.
    pub fn new<const N: usize, const E: usize>(
        at: A,
        urcs: &'a atat::UrcChannel<UrcMeta, CAP, SUBS>,
        ring: &'a PushRing<N, E>,
        digest: &'a DigestState,
        config: Config,
    ) -> Result<Self, atat::urc_channel::Error> {
        const {
            assert!(
                E > CAP + HELD_URCS,
                "the push ring keeps fewer frames than the URC channel and the link's held URCs"
            )
        };
        Ok(Client::with_ring_link(
            AsyncLink::new(at, urcs.subscribe()?, ring),
            digest,
            config,
        ))
    }
}

impl<'a, A, const CAP: usize, const SUBS: usize>
    Client<'a, AsyncLink<'a, A, CAP, SUBS, QueuedUrc>, PUSH_CAPACITY>
where
    A: atat::asynch::AtatClient,
{
    /// An async client whose ingress is atat's plain `Ingress` with a
    /// [`QiDigester`](crate::digest::QiDigester), queueing whole frames ([`QueuedUrc`]).
    pub fn new_queued(
        at: A,
        urcs: &'a atat::UrcChannel<QueuedUrc, CAP, SUBS>,
        digest: &'a DigestState,
        config: Config,
    ) -> Result<Self, atat::urc_channel::Error> {
        Ok(Client::with_link(
            AsyncLink::new(at, urcs.subscribe()?, ()),
            digest,
            config,
        ))
    }
}

impl<'a, L: Link> Client<'a, L, PUSH_CAPACITY> {
    /// A client over any link, with a push buffer of [`PUSH_CAPACITY`] bytes.
    pub fn with_link(link: L, digest: &'a DigestState, config: Config) -> Self {
        Client::with_link_and_push_buffer(link, digest, config)
    }
}

impl<'a, L: Link> Client<'a, L> {
    /// A client over a link whose [`payloads`](Link::payloads) ring keeps pushed payloads
    /// until they are read: no push buffer of its own.
    pub(crate) fn with_ring_link(link: L, digest: &'a DigestState, config: Config) -> Self {
        let mut c = Client::with_link_and_push_buffer(link, digest, config);
        c.router.keep_payloads_apart();
        c
    }
}

impl<'a, L: Link, const PUSH: usize> Client<'a, L, PUSH> {
    /// A client over any link, with a push buffer of `PUSH` bytes for direct push mode (0:
    /// none, for a client whose pushes something else records, as the network stack does).
    pub fn with_link_and_push_buffer(link: L, digest: &'a DigestState, config: Config) -> Self {
        Client {
            link,
            router: Router::with_push_capacity(),
            digest,
            config,
            last_command: None,
            dtr: None,
            left_transparent: None,
        }
    }
}

impl<L: Link, const PUSH: usize> Client<'_, L, PUSH> {
    /// The settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The command of the last [`exec`](Self::exec) (also the one a payload belongs to): what
    /// a failed call was doing.
    pub fn last_command(&self) -> Option<&'static str> {
        self.last_command
    }

    /// What the URCs said so far about sockets and contexts.
    pub fn router(&self) -> &Router<PUSH> {
        &self.router
    }

    /// What is known about a socket (routes pending URCs first).
    pub fn socket(&mut self, id: crate::ConnectId) -> SocketInfo {
        self.process_urcs();
        self.router.socket(id)
    }

    /// Routes every URC received so far; returns how many. Call it now and then when the
    /// application makes no calls, so that the URC channel does not fill up.
    pub fn process_urcs(&mut self) -> usize {
        self.check_carrier();
        self.sync_ring();
        let mut n = 0;
        while let Some(q) = self.link.try_urc() {
            q.with_urc(|u| self.route(u));
            n += 1;
        }
        n
    }

    /// With a push ring: drops the payloads of sockets closed or opened again (before any
    /// newer URC is routed), and marks the sockets whose payloads the ring lost overrun.
    fn sync_ring(&mut self) {
        let Some(ring) = self.link.payloads() else {
            return;
        };
        ring.discard(self.router.take_discards());
        let lost = ring.take_overruns();
        for id in 0..SOCKETS {
            if lost & (1 << id) != 0 {
                if let Some(id) = crate::ConnectId::new(id as i64) {
                    self.router.socket_mut(id).overrun = true;
                }
            }
        }
    }

    /// `NO CARRIER` ended transparent mode (the [`PortReader`] saw it): the socket in that
    /// mode is closed on the module's side.
    fn check_carrier(&mut self) -> Option<crate::ConnectId> {
        if !self.digest.take_carrier_lost() {
            return None;
        }
        let id = self.router.transparent_socket()?;
        self.router.socket_mut(id).closed = true;
        Some(id)
    }

    /// Records a URC.
    fn route(&mut self, u: &Urc) -> Event {
        route(&mut self.router, self.digest, u)
    }

    /// Writes the line `encode` gives and hands the answer to `read` where it lies; URCs that
    /// arrive meanwhile are routed as they come. Generic over the timing only: every command
    /// of one timing runs this same state machine (and the link's `send` for it).
    async fn send_raw<T: command::Timing>(
        &mut self,
        cmd: &command::Erased<'_, '_, T>,
    ) -> Result<(), atat::Error> {
        let Client {
            link,
            router,
            digest,
            ..
        } = self;
        link.send(cmd, &mut |u| {
            route(router, digest, u);
        })
        .await
        .map(drop)
    }

    /// Waits for the next URC (at most `timeout_ms`), routes it and tells what it was. URCs
    /// routed during other calls are not reported again: what they said is in
    /// [`socket`](Self::socket) and [`context_lost`](Self::context_lost), so check those
    /// before waiting here (see the example at the top of this module). A
    /// `NO CARRIER` that ended transparent mode since the last call comes first, as
    /// [`Event::Closed`].
    pub async fn next_event(&mut self, timeout_ms: u32) -> Option<Event> {
        if let Some(id) = self.check_carrier() {
            return Some(Event::Closed(id));
        }
        self.sync_ring();
        let deadline = Instant::now() + Duration::from_millis(timeout_ms.into());
        let q = self.link.urc(deadline).await?;
        // A frame that does not decode is not queued: `Result` is never seen for it.
        Some(q.with_urc(|u| self.route(u)).unwrap_or(Event::Result))
    }

    /// The deadline for a URC result the spec allows `spec_ms` for.
    fn deadline(&self, start: Instant, spec_ms: u32) -> Instant {
        start + Duration::from_millis((self.config.wait_ms)(spec_ms).into())
    }

    /// Validates, sends, waits for the final result; error results become [`Error`].
    ///
    /// The answer comes back as the command's atat response, a value as large as its longest
    /// answer: for a list of lines (`AT+QIACT?`, `AT+QISTATE`, `AT+QICFG=?`) that is
    /// kilobytes, so read those with [`exec_lines`](Self::exec_lines) instead.
    pub async fn exec<C: Command>(&mut self, cmd: &C) -> Result<C::Response, Error> {
        self.start(cmd)?;
        // Straight to the shared core, not through `exec_read`: a level less in every
        // caller's future.
        let mut got: Option<Result<Result<C::Response, atat::Error>, Failure>> = None;
        let sent = {
            let mut answer = |answer: Result<&[u8], atat::InternalError<'_>>| {
                got = Some(match answer {
                    Ok(bytes) => Ok(cmd.parse(Ok(bytes))),
                    Err(atat::InternalError::Capacity) => Ok(Err(atat::Error::Capacity)),
                    Err(e) => Err(Failure::from_internal(&e)),
                });
            };
            let encode = |buf: &mut [u8]| cmd.write(buf);
            // Built here, passed by reference: the core's future holds a pointer, not a copy.
            let erased = command::Erased::<C::Timing>::new(&encode, &mut answer);
            self.send_raw(&erased).await
        };
        // The response leaves the match before `enrich` awaits: held across that await it
        // would be part of this future.
        let failure = match (sent, got) {
            (Ok(()), Some(Ok(Ok(r)))) => {
                // A form that sets or reads a framing setting: the digester frames by it.
                let framing = self.digest.framing();
                let after = cmd.framing_after(&r, framing);
                if after != framing {
                    self.digest.set_framing(after);
                }
                if let Some(dtr) = cmd.dtr_after() {
                    self.dtr = Some(dtr);
                }
                return Ok(r);
            }
            (Ok(()), Some(Ok(Err(e)))) | (Err(e), _) => return Err(reply::transport_error(e)),
            (Ok(()), Some(Err(f))) => f,
            (Ok(()), None) => return Err(Error::Parse),
        };
        Err(self.enrich(failure).await)
    }

    /// Validates, sends, waits for the final result and hands the response's bytes to `read`
    /// where they lie (the response slot, or atat's), so that no response value is built;
    /// error results become [`Error`] (and `read` is not called).
    pub async fn exec_read<C: Command, T: Send>(
        &mut self,
        cmd: &C,
        read: impl FnOnce(&[u8]) -> Result<T, Error> + Send,
    ) -> Result<T, Error> {
        self.start(cmd)?;
        let mut read = Some(read);
        let mut got: Option<Result<Result<T, Error>, Failure>> = None;
        let sent = {
            let mut answer = |answer: Result<&[u8], atat::InternalError<'_>>| {
                got = Some(match answer {
                    Ok(bytes) => Ok(read.take().map_or(Err(Error::Parse), |r| r(bytes))),
                    Err(atat::InternalError::Capacity) => Ok(Err(Error::ResponseTooLong)),
                    Err(e) => Err(Failure::from_internal(&e)),
                });
            };
            let encode = |buf: &mut [u8]| cmd.write(buf);
            // Built here, passed by reference: the core's future holds a pointer, not a copy.
            let erased = command::Erased::<C::Timing>::new(&encode, &mut answer);
            self.send_raw(&erased).await
        };
        let failure = match (sent, got) {
            (Err(e), _) => return Err(reply::transport_error(e)),
            (Ok(()), Some(Ok(read))) => return read,
            (Ok(()), Some(Err(f))) => f,
            (Ok(()), None) => return Err(Error::Parse),
        };
        Err(self.enrich(failure).await)
    }

    /// Validates, sends, and decodes a list response ([`LineList`]: `AT+QIACT?`,
    /// `AT+QISTATE`, `AT+QICFG=?`) one line at a time where it lies, handing each line to
    /// `each` until it breaks; returns what it broke with, `None` when it never did. Only one
    /// line exists at a time, whatever the number of lines. A line that does not decode is
    /// [`Error::Parse`] (lines after a break are not looked at).
    ///
    /// ```no_run
    /// # async fn demo<L: quectel_qi::client::Link>(c: &mut quectel_qi::client::Client<'_, L>) -> Result<(), quectel_qi::client::Error> {
    /// use core::ops::ControlFlow;
    /// use quectel_qi::{qiact, ContextState};
    /// let mut active = 0;
    /// c.exec_lines(&qiact::Read, |line| {
    ///     active += usize::from(line.context_state == ContextState::Activated);
    ///     ControlFlow::<()>::Continue(())
    /// })
    /// .await?;
    /// # Ok(()) }
    /// ```
    pub async fn exec_lines<C: Command + LineList, B: Send>(
        &mut self,
        cmd: &C,
        mut each: impl FnMut(C::Line) -> ControlFlow<B> + Send,
    ) -> Result<Option<B>, Error> {
        self.exec_read(cmd, move |resp| {
            for line in crate::wire::response_lines(resp) {
                // Matched, not mapped: a mapped `Result` is one more copy of the line.
                let ControlFlow::Break(b) = (match C::decode_line(line) {
                    Ok(line) => each(line),
                    Err(_) => return Err(Error::Parse),
                }) else {
                    continue;
                };
                return Ok(Some(b));
            }
            Ok(None)
        })
        .await
    }

    /// Before a command: validates it, routes the URCs so far, tells the digester.
    fn start<C: Command>(&mut self, cmd: &C) -> Result<(), Error> {
        self.last_command = Some(C::NAME);
        cmd.check()?;
        self.process_urcs();
        self.digest.command_sent(C::FORM_INDEX);
        self.digest.reading_socket(cmd.reads_socket());
        Ok(())
    }

    /// Writes raw bytes (a payload after the prompt, the `+++` escape) and waits for the
    /// final result, or (`ANSWERED` false) writes them and returns.
    async fn write_payload<const TIMEOUT_MS: u32, const ANSWERED: bool>(
        &mut self,
        bytes: &[u8],
    ) -> Result<(), Error> {
        let Client {
            link,
            router,
            digest,
            ..
        } = self;
        let sent = link
            .send_bytes::<TIMEOUT_MS, ANSWERED>(bytes, &mut |u| {
                route(router, digest, u);
            })
            .await;
        match sent {
            Ok(Ok(())) => Ok(()),
            Ok(Err(f)) => Err(self.enrich(f).await),
            Err(e) => Err(reply::transport_error(e)),
        }
    }

    /// Attaches `AT+QIGETERROR`'s code to a plain `ERROR` when configured to.
    async fn enrich(&mut self, f: Failure) -> Error {
        let mut err = f.into_error();
        if let Error::Module(m) = &mut err {
            // Only a result without a code of its own is worth the extra command.
            let uncoded = matches!(m.result, ErrorResult::Error | ErrorResult::Other);
            if self.config.query_last_error && uncoded {
                self.digest.command_sent(qigeterror::Query::FORM_INDEX);
                let query = qigeterror::Query;
                let mut code = None;
                let mut read = |answer: Result<&[u8], atat::InternalError<'_>>| {
                    if let Ok(bytes) = answer {
                        code = query.parse(Ok(bytes)).ok().map(|line| line.err.get());
                    }
                };
                let encode = |buf: &mut [u8]| query.write(buf);
                let erased = command::Erased::<<qigeterror::Query as Command>::Timing>::new(
                    &encode, &mut read,
                );
                let sent = self.send_raw(&erased).await;
                if let (Ok(()), Some(code)) = (sent, code) {
                    m.last_error = Some(Code::from_number(code));
                }
            }
        }
        err
    }

    /// Waits until `pick` takes a URC (routing the others), or the deadline.
    async fn wait_for<T>(
        &mut self,
        deadline: Instant,
        mut pick: impl FnMut(&Urc) -> Option<T>,
    ) -> Result<T, Error> {
        loop {
            let Some(q) = self.link.urc(deadline).await else {
                warn_!("no URC result in time");
                return Err(Error::Timeout);
            };
            let picked = q.with_urc(|u| {
                let t = pick(u);
                if t.is_none() {
                    self.route(u);
                }
                t
            });
            if let Some(Some(t)) = picked {
                return Ok(t);
            }
        }
    }

    /// Waits `ms`, routing the URCs that arrive meanwhile.
    async fn pause(&mut self, ms: u32) {
        let deadline = Instant::now() + Duration::from_millis(ms.into());
        while let Some(q) = self.link.urc(deadline).await {
            q.with_urc(|u| self.route(u));
        }
    }
}

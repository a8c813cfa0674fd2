//! The network stack: sockets shared by many tasks, on top of the typed client, modelled on
//! embassy-net.
//!
//! [`StackResources`] holds every buffer (sized from the spec, placeable in a `static`);
//! [`new`] splits it into a [`Stack`], used through `&self` from any number of tasks, and a
//! [`Runner`], whose [`run`](Runner::run) owns the serial input: it feeds the digester and
//! records every URC in the stack's state the moment it arrives.
//!
//! ```no_run
//! # async fn demo(
//! #     tx: impl embedded_io_async::Write,
//! #     rx: impl embedded_io_async::Read,
//! # ) -> Result<(), quectel_qi::stack::Error> {
//! use embedded_io_async::{Read, Write};
//! use quectel_qi::stack::{self, Config, StackResources};
//!
//! let mut resources: StackResources = StackResources::new(); // firmware: a StaticCell or a `static`
//! let (stack, runner) = stack::new(&mut resources, tx, rx, Config::default());
//! let app = async {
//!     stack.activate("internet").await?; // AT+QICSGP, AT+QIACT
//!     let mut socket = stack.connect("example.com", 80).await?;
//!     socket.write_all(b"GET / HTTP/1.0\r\n\r\n").await?;
//!     let mut page = [0u8; 512];
//!     let n = socket.read(&mut page).await?; // 0: the peer closed, every byte was read
//!     socket.close().await
//! };
//! // In firmware, the runner is a task of its own: `spawner.spawn(run(runner))`.
//! match embassy_futures::select::select(runner.run(), app).await {
//!     embassy_futures::select::Either::First(stopped) => Err(stack::Error::ReaderStopped(stopped)),
//!     embassy_futures::select::Either::Second(done) => done,
//! }
//! # }
//! ```
//!
//! # What the stack does for you
//!
//! - **One command at a time.** The module takes one command at a time; the stack's calls
//!   queue for it (a fair async mutex). [`Stack::client`] hands out the typed client itself,
//!   for every form of the spec the stack has no call of its own for.
//! - **Connect IDs** are taken from the module's range (0 to 11) and given back when a socket
//!   is closed or dropped (a dropped socket is closed by the next call that sends a command).
//! - **Readiness is state.** Data waiting, a peer's close, a context the network dropped and
//!   pushed bytes are kept per socket; whatever a task is doing when the URC arrives, the next
//!   reader sees it. A read returns the bytes there are; after the peer's close it returns the
//!   last bytes, then 0 (end of stream).
//! - **A full send buffer waits.** `SEND FAIL` (the module's buffer is full) is retried with
//!   a growing pause, up to [`Config::send_wait_ms`].
//! - **A dead reader is reported as such**: once [`Runner::run`] returns, every call fails
//!   with [`Error::ReaderStopped`] instead of waiting for a timeout.
//!
//! The stack's sockets use buffer access or direct push ([`Config::access_mode`]); transparent
//! mode takes the whole port and is left to the typed client.
//!
//! The standard traits: [`TcpSocket`] implements `embedded_io_async::{Read, Write, ReadReady,
//! WriteReady}`; [`Stack`] implements `embedded_nal_async::{TcpConnect, Dns, UdpStack}` (see
//! `nal.rs`), so HTTP and MQTT clients such as reqwless and rust-mqtt run on it unmodified.

mod error;
mod io;
mod nal;
mod push;
mod restart;
mod results;
mod runner;
mod shared;
mod slot;
mod tcp;
mod udp;

use core::sync::atomic::{AtomicU32, Ordering};

use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::mutex::{Mutex, MutexGuard};
use embassy_time::{Duration, Instant};
use embedded_io_async::Write;

pub use error::{Error, Stopped};
pub use nal::BoundUdp;
pub use push::PushCell;
pub use results::WaitingResult;
pub use runner::Runner;
pub use tcp::{TcpReader, TcpSocket, TcpWriter};
pub use udp::{UdpService, UdpSocket};

use crate::client::apart::apart;
use crate::client::{self, Client, Link};
use crate::sizes::{COMMAND_BUF_SIZE, INGRESS_BUF_SIZE, RESPONSE_SLOT_SIZE};
use crate::{
    qicsgp, qiopen, AccessMode, ConnectId, ContextId, ContextType, ErrorCode, Port, ServiceType,
    Urc,
};
use push::PushRing;
use shared::Shared;
pub use slot::SlotBuf;
use slot::{Response, Slot};

/// Bytes the stack's push buffer holds for all its direct-push sockets by default: six of the
/// largest pushes, so that several sockets read at once (and a socket whose reader is busy
/// with a command) do not lose bytes while their readers catch up.
pub const PUSH_CAPACITY: usize = 6 * crate::RecvLength::MAX.get() as usize;

/// Stack settings.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    /// The PDP context sockets and name lookups run on.
    pub context_id: ContextId,
    /// How sockets receive: [`AccessMode::BufferAccess`] (the module keeps the data until
    /// read, `AT+QIRD`) or [`AccessMode::DirectPush`] (the module pushes it as it comes).
    pub access_mode: AccessMode,
    /// The typed client's settings (`AT+QIGETERROR` enrichment; `wait_ms` maps the spec's
    /// time for a final result or a URC result to how long the stack waits for it).
    pub client: client::Config,
    /// How long writing one command or payload to the port may take.
    pub write_timeout_ms: u32,
    /// Direct push: how long the runner holds a push back while the push buffer is full,
    /// waiting for the reader of the socket holding the most to make room. A socket whose
    /// reader did not come in that time gives its bytes up (its reader then gets
    /// [`client::Error::Overrun`]), at once from then on until its reader reads again.
    /// Responses to commands still pass a push held back; other URCs wait behind it.
    pub push_wait_ms: u32,
    /// How long a write keeps retrying while the module answers `SEND FAIL`.
    pub send_wait_ms: u32,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            context_id: ContextId::MIN,
            access_mode: AccessMode::BufferAccess,
            client: client::Config::default(),
            write_timeout_ms: 1_000,
            push_wait_ms: 200,
            send_wait_ms: 30_000,
        }
    }
}

/// Every buffer of a stack; `const`, so it can be a `static` (embassy: a `StaticCell`).
///
/// [`new`](Self::new) is zero bytes throughout, so such a `static` lies in `.bss` and takes
/// no flash (a `ConstStaticCell` of it as well).
///
/// The sizes are the application's to choose; the defaults hold anything the spec lets the
/// module send ([`sizes`](crate::sizes)):
///
/// - `INGRESS`: the serial input not digested yet. It must hold the longest frame that can
///   come: a 1,500-byte push or `AT+QIRD` answer with its line
///   ([`sizes::DATA_FRAME_SIZE`](crate::sizes::DATA_FRAME_SIZE), twice the payload in hex
///   framing: [`sizes::HEX_DATA_FRAME_SIZE`](crate::sizes::HEX_DATA_FRAME_SIZE)), and the
///   longest response the application asks for with a URC in its middle. Opening a direct
///   push socket whose largest push would not fit is [`Error::IngressTooSmall`], and reads
///   ask `AT+QIRD` for no more than fits; another frame longer than this is dropped whole
///   and counted ([`Stack::lost_bytes`]).
/// - `RESPONSE`: the largest response the application accepts. Longer ones are refused whole
///   with [`client::Error::ResponseTooLong`]; a firmware that never asks `AT+QICFG=?` need
///   not pay for its 4 KB answer, but an `AT+QIRD` of 1,500 bytes needs 1,512.
/// - `COMMAND`: the longest command line the application sends (payloads after the prompt
///   are written from the caller's buffer and need no room here).
/// - `PUSH`: the push buffer of direct push sockets, where pushed bytes wait for their
///   readers ([`PUSH_CAPACITY`] by default). Opening a direct push socket needs room for one
///   largest push (1,500 bytes; a UDP service's datagram also keeps its sender's address),
///   else it is [`Error::PushBufferTooSmall`]; 0 for a firmware that reads in buffer access
///   only.
///
/// ```
/// use quectel_qi::stack::StackResources;
/// use quectel_qi::sizes::DATA_FRAME_SIZE;
/// static DEFAULTS: StackResources = StackResources::new();
/// // A small part: 1,500-byte reads, short responses, short commands, buffer access only.
/// static SMALL: StackResources<DATA_FRAME_SIZE, 1536, 256, 0> = StackResources::new();
/// ```
pub struct StackResources<
    const INGRESS: usize = INGRESS_BUF_SIZE,
    const RESPONSE: usize = RESPONSE_SLOT_SIZE,
    const COMMAND: usize = COMMAND_BUF_SIZE,
    const PUSH: usize = PUSH_CAPACITY,
> {
    shared: Shared,
    slot: Mutex<CriticalSectionRawMutex, SlotBuf<RESPONSE>>,
    push: PushCell<PUSH>,
    ingress: [u8; INGRESS],
    command: [u8; COMMAND],
}

impl<const INGRESS: usize, const RESPONSE: usize, const COMMAND: usize, const PUSH: usize>
    StackResources<INGRESS, RESPONSE, COMMAND, PUSH>
{
    /// Empty resources.
    pub const fn new() -> Self {
        StackResources {
            shared: Shared::new(),
            slot: Mutex::new(SlotBuf::new()),
            push: PushCell::new(),
            ingress: [0; INGRESS],
            command: [0; COMMAND],
        }
    }
}

impl<const INGRESS: usize, const RESPONSE: usize, const COMMAND: usize, const PUSH: usize> Default
    for StackResources<INGRESS, RESPONSE, COMMAND, PUSH>
{
    fn default() -> Self {
        Self::new()
    }
}

/// The client the stack drives, over the stack's link. Without a push buffer of its own:
/// the runner records pushes in the stack's.
pub type StackClient<'d, W> = Client<'d, StackLink<'d, W>, 0>;

/// Splits `resources` into the stack and its runner: `tx` writes commands, `rx` is the serial
/// input the runner reads.
pub fn new<
    'd,
    W: Write,
    R: embedded_io_async::Read,
    const INGRESS: usize,
    const RESPONSE: usize,
    const COMMAND: usize,
    const PUSH: usize,
>(
    resources: &'d mut StackResources<INGRESS, RESPONSE, COMMAND, PUSH>,
    tx: W,
    rx: R,
    config: Config,
) -> (Stack<'d, W>, Runner<'d, R>) {
    let StackResources {
        shared,
        slot,
        push,
        ingress,
        command,
    } = resources;
    // A fresh start: resources reused after an earlier stack keep nothing of it.
    *shared = Shared::new();
    *slot = Mutex::new(SlotBuf::new());
    *push = PushCell::new();
    let shared: &'d Shared = shared;
    let push: &'d dyn PushRing = push;
    let slot: &'d dyn Slot = slot;
    let link = StackLink {
        tx,
        command,
        response: Response::new(slot, &shared.answered),
        shared,
        write_timeout_ms: config.write_timeout_ms,
        wait_ms: config.client.wait_ms,
        restarts_seen: 0,
    };
    let client = Client::with_link_and_push_buffer(link, &shared.digest, config.client);
    let stack = Stack {
        shared,
        push,
        client: Mutex::new(client),
        config,
        prepared: AtomicU32::new(0),
        ingress_capacity: ingress.len(),
    };
    let runner = Runner::new(
        rx,
        ingress,
        Response::new(slot, &shared.answered),
        shared,
        push,
        config.push_wait_ms,
    );
    (stack, runner)
}

/// The stack: share it by reference among tasks (embassy: a `StaticCell`; std: an `Arc` or
/// a scoped thread).
pub struct Stack<'d, W: Write> {
    shared: &'d Shared,
    push: &'d dyn PushRing,
    client: Mutex<CriticalSectionRawMutex, StackClient<'d, W>>,
    config: Config,
    /// The module was prepared after this many restarts, plus one (0: not yet).
    prepared: AtomicU32,
    /// The runner's input buffer, in bytes: the largest frame it can cut out.
    ingress_capacity: usize,
}

/// The typed client, held for the caller's commands; others wait until it is dropped.
pub struct ClientGuard<'a, 'd, W: Write> {
    client: MutexGuard<'a, CriticalSectionRawMutex, StackClient<'d, W>>,
    shared: &'d Shared,
}

impl<'d, W: Write> core::ops::Deref for ClientGuard<'_, 'd, W> {
    type Target = StackClient<'d, W>;
    fn deref(&self) -> &Self::Target {
        &self.client
    }
}

impl<W: Write> core::ops::DerefMut for ClientGuard<'_, '_, W> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.client
    }
}

impl<W: Write> Drop for ClientGuard<'_, '_, W> {
    fn drop(&mut self) {
        self.shared.busy.store(false, Ordering::Release);
        self.shared.clear_results();
        self.shared.with(|s| s.wake_runner());
    }
}

impl<'d, W: Write> Stack<'d, W> {
    /// The settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The typed client, for any command of the spec; other tasks' calls wait until the guard
    /// is dropped. On first use it reads back the settings that shape payloads
    /// ([`Client::prepare`]), so that the stack works with whatever they are; sockets dropped
    /// without `close` are closed first.
    ///
    /// Sockets the stack opened are the stack's: closing or switching them through the guard
    /// leaves the stack's view of them behind.
    pub async fn client(&self) -> Result<ClientGuard<'_, 'd, W>, Error> {
        self.shared.with(|s| s.check_running())?;
        let client = self.client.lock().await;
        self.shared.busy.store(true, Ordering::Release);
        self.shared.clear_results();
        let mut guard = ClientGuard {
            client,
            shared: self.shared,
        };
        // Again after a restart: the module is back to its defaults.
        let prepared_for = self.shared.restart.count().wrapping_add(1);
        // Both are rare: apart, so that the common path's frame does not hold them.
        if self.prepared.load(Ordering::Acquire) != prepared_for {
            apart!(guard.prepare()).map_err(|e| self.failed(&guard, e))?;
            self.prepared.store(prepared_for, Ordering::Release);
        }
        while let Some(id) = self.shared.with(|s| s.take_dropped()) {
            // The module may have closed it already; the ID is free either way.
            let _ = apart!(guard.close(id));
            self.shared.with(|s| s.release(self.push, id));
        }
        Ok(guard)
    }

    /// The error of a failed client call: the command it was on, or the stopped reader that
    /// made it time out.
    fn failed(&self, client: &StackClient<'d, W>, e: client::Error) -> Error {
        if let Err(stopped) = self.shared.with(|s| s.check_running()) {
            return stopped;
        }
        if self.shared.restart.cut_short() {
            return Error::ModuleRestarted;
        }
        match client.last_command() {
            Some(command) => Error::Command { command, error: e },
            None => Error::Client(e),
        }
    }

    /// Configures [`Config::context_id`] for IPv4 with `apn` (no authentication) and activates
    /// it: `AT+QICSGP`, then `AT+QIACT` (up to the spec's 150 s). A context the module refuses
    /// to activate because it is active already (kept through a restart of the host) is
    /// adopted: `AT+QIACT?` lists it with an address, and the call succeeds.
    pub async fn activate(&self, apn: &str) -> Result<(), Error> {
        let context_id = self.config.context_id;
        let mut c = self.client().await?;
        let configure = qicsgp::Configure {
            context_id,
            context_type: ContextType::Ipv4,
            apn,
            username: None,
            password: None,
            authentication: None,
        };
        c.configure_context(&configure)
            .await
            .map_err(|e| self.failed(&c, e))?;
        if let Err(e) = c.activate(context_id).await {
            let refused = matches!(e, client::Error::Module(_));
            let failed = self.failed(&c, e);
            // Refused because the context is active already (the module kept it through a
            // restart of the host): adopted, as `AT+QIACT?` lists it.
            let active = refused && matches!(c.context_address(context_id).await, Ok(Some(_)));
            if !active {
                return Err(failed);
            }
            warn_!("context {} was active already: adopted", context_id.get());
        }
        self.shared.with(|s| s.router.context_reset(context_id));
        Ok(())
    }

    /// Deactivates [`Config::context_id`] (`AT+QIDEACT`); the module closes its sockets, and
    /// their handles read end of stream.
    pub async fn deactivate(&self) -> Result<(), Error> {
        let context_id = self.config.context_id;
        let mut c = self.client().await?;
        c.deactivate(context_id)
            .await
            .map_err(|e| self.failed(&c, e))?;
        self.shared.with(|s| {
            let ids: heapless::Vec<ConnectId, { client::SOCKETS }> =
                s.router.sockets_on(context_id).collect();
            for id in ids {
                s.router.socket_mut(id).closed = true;
                s.emptied(id);
            }
            s.router.context_reset(context_id);
            s.wake_all_sockets();
        });
        Ok(())
    }

    /// Bytes of serial input lost because the ingress buffer filled with one frame it could
    /// not hold (a frame longer than `INGRESS` of [`StackResources`]); 0 with the default
    /// sizes, whatever the module sends according to the spec.
    pub fn lost_bytes(&self) -> u32 {
        self.shared.lost_bytes.load(Ordering::Relaxed)
    }

    /// Whether the network deactivated the context (`+QIURC: "pdpdeact"`) since it was last
    /// activated.
    pub fn context_lost(&self) -> bool {
        self.shared
            .with(|s| s.router.context_lost(self.config.context_id))
    }

    /// Opens a TCP connection to `host` (a name the module resolves, or an address) and
    /// `port`; waits for the module's `+QIOPEN` result.
    pub async fn connect(&self, host: &str, port: u16) -> Result<TcpSocket<'_, 'd, W>, Error> {
        self.connect_with(host, port, self.config.access_mode).await
    }

    /// [`connect`](Self::connect) with this socket's own access mode (buffer access or direct
    /// push) instead of [`Config::access_mode`]; [`AccessMode::Transparent`] is
    /// [`Error::Unsupported`].
    pub async fn connect_with(
        &self,
        host: &str,
        port: u16,
        access_mode: AccessMode,
    ) -> Result<TcpSocket<'_, 'd, W>, Error> {
        let id = self
            .open(ServiceType::Tcp, host, port, 0, access_mode)
            .await?;
        Ok(TcpSocket::new(self, id))
    }

    /// Opens a UDP socket bound to one peer (`"UDP"`); `local_port` 0 lets the module choose.
    pub async fn connect_udp(
        &self,
        host: &str,
        port: u16,
        local_port: u16,
    ) -> Result<UdpSocket<'_, 'd, W>, Error> {
        let id = self
            .open(
                ServiceType::Udp,
                host,
                port,
                local_port,
                self.config.access_mode,
            )
            .await?;
        Ok(UdpSocket::new(self, id))
    }

    /// Opens a UDP service on `local_port` (`"UDP SERVICE"`): datagrams to and from any peer.
    pub async fn bind_udp(&self, local_port: u16) -> Result<UdpService<'_, 'd, W>, Error> {
        // The document opens a service with the loopback address and remote port 0.
        let id = self
            .open(
                ServiceType::UdpService,
                "127.0.0.1",
                0,
                local_port,
                self.config.access_mode,
            )
            .await?;
        Ok(UdpService::new(self, id))
    }

    async fn open(
        &self,
        service_type: ServiceType,
        host: &str,
        remote_port: u16,
        local_port: u16,
        access_mode: AccessMode,
    ) -> Result<ConnectId, Error> {
        let context_id = self.config.context_id;
        let access_mode = match access_mode {
            AccessMode::Transparent => return Err(Error::Unsupported),
            mode => mode,
        };
        if access_mode == AccessMode::DirectPush {
            self.check_push_room(service_type)?;
        }
        let mut c = self.client().await?;
        if access_mode == AccessMode::DirectPush {
            // After `client`: the framing the pushes come in is known from then on.
            self.check_push_frame_room()?;
        }
        let connect_id = self
            .shared
            .with(|s| s.take_id())
            .ok_or(Error::NoFreeSocket)?;
        let open = qiopen::Open::new(
            context_id,
            connect_id,
            service_type,
            host,
            port(remote_port),
        )
        .with_local_port(port(local_port))
        .with_access_mode(access_mode);
        // Recorded before the command: data may follow the open result at once, and the
        // runner files it under the socket.
        self.shared.with(|s| {
            s.router
                .opened(connect_id, service_type, Some(access_mode), context_id)
        });
        self.push.discard(connect_id);
        let mut opened = c.open(&open).await;
        if opened
            == Err(client::Error::Rejected(client::Code::Known(
                ErrorCode::SocketIdentityUsed,
            )))
        {
            // The module kept this ID from an earlier life of the host (563): close it, since
            // nothing here owns it, and open again once.
            let _ = c.close(connect_id).await;
            self.shared.with(|s| {
                s.router
                    .opened(connect_id, service_type, Some(access_mode), context_id)
            });
            opened = c.open(&open).await;
        }
        match opened {
            Ok(id) => Ok(id),
            Err(e) => {
                self.shared.with(|s| s.release(self.push, connect_id));
                Err(self.failed(&c, e))
            }
        }
    }

    /// Direct push needs a push buffer that holds the largest push the module may send for
    /// this service: a socket that could get a push it cannot keep is not opened.
    fn check_push_room(&self, service_type: ServiceType) -> Result<(), Error> {
        let largest = crate::RecvLength::MAX.get() as usize;
        // A UDP service's push keeps its sender's address beside the payload: at most the
        // longest IPv6 address in text.
        let sender = match service_type {
            ServiceType::UdpService => client::SENDER_IP_LEN,
            _ => 0,
        };
        let capacity = self.push.capacity();
        if capacity < largest + sender {
            return Err(Error::PushBufferTooSmall { capacity });
        }
        Ok(())
    }

    /// Direct push needs an input buffer that holds the largest push in the live framing: the
    /// module pushes what arrives, up to 1,500 bytes, whatever the reader asks.
    fn check_push_frame_room(&self) -> Result<(), Error> {
        let framing = self.shared.digest.framing();
        let largest = framing.recv_wire_len(crate::limits::MAX_DATA_LEN);
        if self.ingress_capacity < crate::sizes::data_frame_size(largest) {
            return Err(Error::IngressTooSmall {
                capacity: self.ingress_capacity,
            });
        }
        Ok(())
    }

    /// The most one `AT+QIRD` may ask so that its answer fits the input buffer in the live
    /// framing; [`Error::IngressTooSmall`] when not one byte would.
    fn read_room(&self) -> Result<usize, Error> {
        let per_byte = self.shared.digest.framing().recv_wire_len(1);
        match crate::sizes::payload_room(self.ingress_capacity, per_byte) {
            0 => Err(Error::IngressTooSmall {
                capacity: self.ingress_capacity,
            }),
            n => Ok(n),
        }
    }

    /// Closes a socket of the stack and gives its ID back.
    async fn close_socket(&self, id: ConnectId) -> Result<(), Error> {
        let mut c = self.client().await?;
        let closed = c.close(id).await.map_err(|e| self.failed(&c, e));
        self.shared.with(|s| s.release(self.push, id));
        closed
    }

    /// A socket handle was dropped without `close`.
    fn drop_socket(&self, id: ConnectId) {
        self.shared.with(|s| s.drop_later(self.push, id));
    }
}

/// A port number of the spec's type (every `u16` is in its range).
fn port(n: u16) -> Port {
    Port::new(i64::from(n)).unwrap_or(Port::MIN)
}

/// The deadline `ms` from now.
fn after_ms(ms: u32) -> Instant {
    Instant::now() + Duration::from_millis(ms.into())
}

/// The link the stack's client runs on: commands written straight to the port, answers
/// from the response slot the runner fills, result URCs from the runner (which has recorded
/// every other URC in the stack's state already).
pub struct StackLink<'d, W: Write> {
    tx: W,
    command: &'d mut [u8],
    response: Response<'d>,
    shared: &'d Shared,
    /// The two settings of the stack's [`Config`] it needs (the client keeps its own).
    write_timeout_ms: u32,
    wait_ms: fn(u32) -> u32,
    /// Restarts of the module seen when the last command was sent.
    restarts_seen: u32,
}

impl<W: Write> StackLink<'_, W> {
    /// Writes `bytes` and waits for the answer, which `parse` reads in the slot.
    async fn exchange<T>(
        &mut self,
        bytes: Option<&[u8]>,
        len: usize,
        answered: bool,
        spec_ms: u32,
        edge: Option<&mut (dyn FnMut() + Send)>,
        parse: impl FnOnce(Result<&[u8], atat::InternalError<'_>>) -> Result<T, atat::Error>,
    ) -> Result<T, atat::Error> {
        use embassy_futures::select::{select3, Either3};
        self.response.reset();
        self.restarts_seen = self.shared.restart.command_starts();
        // A line change the module answers: after the slot is cleared, so the answer stays.
        if let Some(edge) = edge {
            edge();
        }
        let out = match bytes {
            Some(b) => b,
            None => self.command.get(..len).ok_or(atat::Error::Write)?,
        };
        let write = async {
            self.tx.write_all(out).await?;
            self.tx.flush().await
        };
        let write_timeout = Duration::from_millis(self.write_timeout_ms.into());
        match embassy_time::with_timeout(write_timeout, write).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) => return Err(atat::Error::Write),
            Err(_) => return Err(atat::Error::Timeout),
        }
        if !answered {
            return parse(Ok(&[]));
        }
        let wait = Duration::from_millis((self.wait_ms)(spec_ms).into());
        let answer = select3(
            self.response.ready(),
            self.shared.stopped(),
            self.shared.restart.after(self.restarts_seen),
        );
        match embassy_time::with_timeout(wait, answer).await {
            Ok(Either3::First(())) => {}
            Ok(Either3::Second(_) | Either3::Third(())) => return Err(atat::Error::Read),
            Err(_) => return Err(atat::Error::Timeout),
        }
        let mut parse = Some(parse);
        let mut out = Err(atat::Error::Parse);
        self.response.slot.read(&mut |answer| {
            if let Some(parse) = parse.take() {
                out = parse(answer);
            }
        });
        out
    }
}

impl<'d, W: Write> Link for StackLink<'d, W> {
    type Queued = WaitingResult<'d>;

    async fn send<C: atat::AtatCmd>(
        &mut self,
        cmd: &C,
        _on_urc: &mut (dyn FnMut(&Urc) + Send),
    ) -> Result<C::Response, atat::Error> {
        let len = cmd.write(self.command);
        if len == 0 {
            // The command buffer is smaller than this command (see `StackResources`):
            // `client::Error::CommandTooLong`.
            return Err(atat::Error::Aborted);
        }
        self.exchange(
            None,
            len,
            C::EXPECTS_RESPONSE_CODE,
            C::MAX_TIMEOUT_MS,
            None,
            |answer| cmd.parse(answer),
        )
        .await
    }

    async fn send_bytes<const TIMEOUT_MS: u32, const ANSWERED: bool>(
        &mut self,
        bytes: &[u8],
        _on_urc: &mut (dyn FnMut(&Urc) + Send),
    ) -> Result<Result<(), client::Failure>, atat::Error> {
        // From the caller's buffer: the command buffer need not hold a payload.
        self.exchange(Some(bytes), 0, ANSWERED, TIMEOUT_MS, None, |answer| {
            Ok(answer
                .map(|_| ())
                .map_err(|e| client::Failure::from_internal(&e)))
        })
        .await
    }

    async fn send_edge<const TIMEOUT_MS: u32>(
        &mut self,
        edge: &mut (dyn FnMut() + Send),
        _on_urc: &mut (dyn FnMut(&Urc) + Send),
    ) -> Result<Result<(), client::Failure>, atat::Error> {
        self.exchange(Some(&[]), 0, true, TIMEOUT_MS, Some(edge), |answer| {
            Ok(answer
                .map(|_| ())
                .map_err(|e| client::Failure::from_internal(&e)))
        })
        .await
    }

    async fn urc(&mut self, deadline: Instant) -> Option<WaitingResult<'d>> {
        use embassy_futures::select::{select3, Either3};
        loop {
            // Waits for a result without taking it: a URC carried out through the select,
            // the timeout and this future would be copied at each level, in the frame of
            // every wait; the client looks at it where it lies (`WaitingResult`).
            let ready = select3(
                self.shared.results.ready(),
                self.shared.stopped(),
                self.shared.restart.after(self.restarts_seen),
            );
            match embassy_time::with_deadline(deadline, ready).await {
                Ok(Either3::First(())) => {}
                _ => return None,
            }
            // The holder is the one receiver: what was ready is still there.
            if let Some(waiting) = self.try_urc() {
                return Some(waiting);
            }
        }
    }

    fn try_urc(&mut self) -> Option<WaitingResult<'d>> {
        // Only the holder takes or clears a result: it is still there when looked at.
        self.shared.results.is_full().then_some(WaitingResult {
            results: &self.shared.results,
        })
    }
}

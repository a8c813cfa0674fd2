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
//! let mut resources = StackResources::new(); // firmware: a StaticCell or a `static`
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
mod runner;
mod shared;
mod tcp;
mod udp;

use core::sync::atomic::{AtomicBool, Ordering};

use atat::{Ingress, ResponseSlot, UrcChannel};
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::mutex::{Mutex, MutexGuard};
use embassy_time::{Duration, Instant};
use embedded_io_async::Write;

pub use error::{Error, Stopped};
pub use nal::BoundUdp;
pub use runner::Runner;
pub use tcp::{TcpReader, TcpSocket, TcpWriter};
pub use udp::{UdpService, UdpSocket};

use crate::client::{self, Client, Link};
use crate::digest::QiDigester;
use crate::sizes::{COMMAND_BUF_SIZE, INGRESS_BUF_SIZE, RESPONSE_SLOT_SIZE, URC_CAPACITY};
use crate::{
    qicsgp, qiopen, AccessMode, ConnectId, ContextId, ContextType, ErrorCode, Port, ServiceType,
    Urc,
};
use shared::Shared;

/// Stack settings.
#[derive(Debug, Clone, Copy)]
pub struct Config {
    /// The PDP context sockets and name lookups run on.
    pub context_id: ContextId,
    /// How sockets receive: [`AccessMode::BufferAccess`] (the module keeps the data until
    /// read, `AT+QIRD`) or [`AccessMode::DirectPush`] (the module pushes it as it comes).
    pub access_mode: AccessMode,
    /// The typed client's settings (spec timeouts, `AT+QIGETERROR` enrichment).
    pub client: client::Config,
    /// atat's settings; [`client::atat_config`] by default.
    pub atat: atat::Config,
    /// Direct push: how long the runner holds a push back while the push buffer is full of
    /// that socket's own bytes, waiting for its reader to make room, before it drops it (the
    /// reader then gets [`client::Error::Overrun`]). The line carries nothing else meanwhile,
    /// so keep it short; another socket's backlog is dropped without waiting.
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
            atat: client::atat_config(),
            push_wait_ms: 200,
            send_wait_ms: 30_000,
        }
    }
}

/// Every buffer of a stack, sized from the spec ([`sizes`](crate::sizes)); `const`, so it can
/// be a `static` (embassy: a `StaticCell`).
pub struct StackResources {
    shared: Shared,
    slot: ResponseSlot<RESPONSE_SLOT_SIZE>,
    urcs: UrcChannel<Urc, URC_CAPACITY, 1>,
    ingress: [u8; INGRESS_BUF_SIZE],
    command: [u8; COMMAND_BUF_SIZE],
}

impl StackResources {
    /// Empty resources.
    pub const fn new() -> Self {
        StackResources {
            shared: Shared::new(),
            slot: ResponseSlot::new(),
            urcs: UrcChannel::new(),
            ingress: [0; INGRESS_BUF_SIZE],
            command: [0; COMMAND_BUF_SIZE],
        }
    }
}

impl Default for StackResources {
    fn default() -> Self {
        Self::new()
    }
}

/// The client the stack drives, over the stack's link.
pub type StackClient<'d, W> = Client<'d, StackLink<'d, W>>;

/// Splits `resources` into the stack and its runner: `tx` writes commands, `rx` is the serial
/// input the runner reads.
pub fn new<'d, W: Write, R: embedded_io_async::Read>(
    resources: &'d mut StackResources,
    tx: W,
    rx: R,
    config: Config,
) -> (Stack<'d, W>, Runner<'d, R>) {
    let StackResources {
        shared,
        slot,
        urcs,
        ingress,
        command,
    } = resources;
    // A fresh start: resources reused after an earlier stack keep nothing of it.
    *shared = Shared::new();
    *urcs = UrcChannel::new();
    *slot = ResponseSlot::new();
    let shared: &'d Shared = shared;
    let digester = QiDigester::new(&shared.digest).with_max_response(RESPONSE_SLOT_SIZE);
    let ingress = Ingress::new(digester, ingress, slot, urcs);
    let at = atat::asynch::Client::new(tx, slot, command, config.atat);
    let link = StackLink { at, shared };
    let client = Client::with_link(link, &shared.digest, config.client);
    let stack = Stack {
        shared,
        client: Mutex::new(client),
        config,
        prepared: AtomicBool::new(false),
    };
    let runner = Runner::new(rx, ingress, urcs, shared, config.push_wait_ms);
    (stack, runner)
}

/// The stack: share it by reference among tasks (embassy: a `StaticCell`; std: an `Arc` or
/// a scoped thread).
pub struct Stack<'d, W: Write> {
    shared: &'d Shared,
    client: Mutex<CriticalSectionRawMutex, StackClient<'d, W>>,
    config: Config,
    prepared: AtomicBool,
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
    /// is dropped. On first use it puts the module in the framing the digester reads
    /// ([`Client::prepare`]); sockets dropped without `close` are closed first.
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
        if !self.prepared.load(Ordering::Acquire) {
            guard.prepare().await.map_err(|e| self.failed(&guard, e))?;
            self.prepared.store(true, Ordering::Release);
        }
        while let Some(id) = self.shared.with(|s| s.take_dropped()) {
            // The module may have closed it already; the ID is free either way.
            let _ = guard.close(id).await;
            self.shared.with(|s| s.release(id));
        }
        Ok(guard)
    }

    /// The error of a failed client call: the command it was on, or the stopped reader that
    /// made it time out.
    fn failed(&self, client: &StackClient<'d, W>, e: client::Error) -> Error {
        if let Err(stopped) = self.shared.with(|s| s.check_running()) {
            return stopped;
        }
        match client.last_command() {
            Some(command) => Error::Command { command, error: e },
            None => Error::Client(e),
        }
    }

    /// Configures [`Config::context_id`] for IPv4 with `apn` (no authentication) and activates
    /// it: `AT+QICSGP`, then `AT+QIACT` (up to the spec's 150 s).
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
        c.activate(context_id)
            .await
            .map_err(|e| self.failed(&c, e))?;
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
            }
            s.router.context_reset(context_id);
            s.wake_all_sockets();
        });
        Ok(())
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
        let mut c = self.client().await?;
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
                self.shared.with(|s| s.release(connect_id));
                Err(self.failed(&c, e))
            }
        }
    }

    /// Closes a socket of the stack and gives its ID back.
    async fn close_socket(&self, id: ConnectId) -> Result<(), Error> {
        let mut c = self.client().await?;
        let closed = c.close(id).await.map_err(|e| self.failed(&c, e));
        self.shared.with(|s| s.release(id));
        closed
    }

    /// A socket handle was dropped without `close`.
    fn drop_socket(&self, id: ConnectId) {
        self.shared.with(|s| s.drop_later(id));
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

/// The link the stack's client runs on: commands through atat, result URCs from the runner
/// (which has recorded every other URC in the stack's state already).
pub struct StackLink<'d, W: Write> {
    at: atat::asynch::Client<'d, W, RESPONSE_SLOT_SIZE>,
    shared: &'d Shared,
}

impl<W: Write> Link for StackLink<'_, W> {
    async fn send<C: atat::AtatCmd>(
        &mut self,
        cmd: &C,
        _on_urc: &mut (dyn FnMut(&Urc) + Send),
    ) -> Result<C::Response, atat::Error> {
        use atat::asynch::AtatClient;
        use embassy_futures::select::{select, Either};
        match select(self.at.send(cmd), self.shared.stopped()).await {
            Either::First(result) => result,
            Either::Second(_) => Err(atat::Error::Read),
        }
    }

    async fn urc(&mut self, deadline: Instant) -> Option<Urc> {
        use embassy_futures::select::{select, Either};
        let next = select(self.shared.results.receive(), self.shared.stopped());
        match embassy_time::with_deadline(deadline, next).await {
            Ok(Either::First(u)) => Some(u),
            _ => None,
        }
    }

    fn try_urc(&mut self) -> Option<Urc> {
        self.shared.results.try_receive().ok()
    }
}

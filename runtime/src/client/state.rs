//! Sans-io URC bookkeeping: which socket has data waiting, was closed or got a client, which
//! context the network dropped, and the bytes pushed in direct push mode. Fixed size, no alloc.

use crate::{urc, AccessMode, ConnectId, ContextId, Port, ServiceType, Urc};

use super::push::{PushBuffer, Sender, PUSH_CAPACITY};
use crate::zeroed::ZeroOption;

/// How many sockets the module has: the range of `<connectID>`.
pub const SOCKETS: usize = crate::sizes::SOCKETS;
/// How many PDP contexts the module has: the range of `<contextID>`.
pub const CONTEXTS: usize = ContextId::MAX.get() as usize;

// `Router::lost_contexts` keeps bit `id - 1` of a `u32` per context: a spec whose
// `<contextID>` starts at 0 or passes 32 fails the build here, not with a shift overflow.
const _: () = assert!(ContextId::MIN.get() >= 1 && CONTEXTS <= u32::BITS as usize);

/// What the client knows about one socket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SocketInfo {
    /// Opened (or accepted) and not closed by the host yet.
    pub open: bool,
    /// The access mode it was opened with (or switched to); `None` when left to the module's
    /// default.
    pub mode: Option<AccessMode>,
    /// The service it was opened as; `None` for a socket a server got.
    pub service: Option<ServiceType>,
    /// The context it runs on.
    pub context: Option<ContextId>,
    /// Buffer access: the module announced data that was not drained yet.
    pub data_pending: bool,
    /// The peer or the network closed it (`+QIURC: "closed"`); close it with `AT+QICLOSE`.
    pub closed: bool,
    /// A socket a server got on its own (`+QIURC: "incoming"`), not taken by the host yet.
    pub incoming_from: Option<ConnectId>,
    /// A listener in manual mode: clients waiting for `AT+QIACCEPT`.
    pub accept_requests: u8,
    /// Pushed data for it was lost: the push buffer was full, or the push ring needed the room
    /// of a payload nobody read, or a push was larger than either.
    pub overrun: bool,
    /// The network deactivated its context (`+QIURC: "pdpdeact"`, or a module restart): the
    /// module dropped it and what it held. Kept until the host closes it, so a handle from
    /// before the loss still sees it after the context is activated again.
    pub context_lost: bool,
}

impl SocketInfo {
    /// Nothing known: [`SocketInfo::default`], in a `const`.
    const UNKNOWN: SocketInfo = SocketInfo {
        open: false,
        mode: None,
        service: None,
        context: None,
        data_pending: false,
        closed: false,
        incoming_from: None,
        accept_requests: 0,
        overrun: false,
        context_lost: false,
    };
}

/// One URC, as it concerned a socket or context.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// Buffer access: data waits; read it until the module reports none.
    DataReady(ConnectId),
    /// Direct push: data arrived and waits in the client's push ring (or push buffer).
    DataPushed(ConnectId),
    /// The peer or the network closed the socket.
    Closed(ConnectId),
    /// A server accepted a client on its own and gave it `socket`.
    Incoming {
        /// The new socket.
        socket: ConnectId,
        /// The listener.
        server: ConnectId,
    },
    /// A client waits to be accepted by `listener` (manual mode).
    AcceptRequested(ConnectId),
    /// A client was turned away: no socket or resources were free.
    IncomingFull,
    /// The network deactivated the context; its sockets are gone.
    ContextDeactivated(ContextId),
    /// A URC that answers a call in progress (open, ping, DNS, NTP, accept results).
    Result,
}

/// The per-socket and per-context state the URCs update.
#[derive(Debug)]
pub struct Router<const PUSH: usize = PUSH_CAPACITY> {
    /// Empty until a socket changes: a table of [`SocketInfo::default`]s is not zero bytes
    /// (`mode` and `service` are enums with a niche), and the stack's `static` should be.
    sockets: ZeroOption<[SocketInfo; SOCKETS]>,
    lost_contexts: u32,
    incoming_full: bool,
    push: PushBuffer<PUSH>,
    /// Pushed payloads stay where they came (the client's push ring) instead of `push`.
    kept_apart: bool,
    /// Sockets (a bit each) closed or opened again since the client last asked: their
    /// payloads kept apart go.
    discards: u32,
}

impl<const PUSH: usize> Default for Router<PUSH> {
    fn default() -> Self {
        Self::with_push_capacity()
    }
}

fn index(id: ConnectId) -> usize {
    usize::from(id.get())
}

impl Router {
    /// Nothing known yet; a push buffer of [`PUSH_CAPACITY`] bytes.
    pub const fn new() -> Self {
        Self::with_push_capacity()
    }
}

impl<const PUSH: usize> Router<PUSH> {
    /// Nothing known yet; a push buffer of `PUSH` bytes.
    pub const fn with_push_capacity() -> Self {
        Router {
            sockets: ZeroOption::None,
            lost_contexts: 0,
            incoming_full: false,
            push: PushBuffer::new(),
            kept_apart: false,
            discards: 0,
        }
    }

    /// Records a URC; returns what it meant.
    pub fn route(&mut self, u: &Urc) -> Event {
        let event = self.route_any(u);
        debug_assert_eq!(keeps_state(u), !matches!(event, Event::Result));
        event
    }

    fn route_any(&mut self, u: &Urc) -> Event {
        match u {
            Urc::Recv(urc::Recv { connect_id })
            | Urc::RecvWithLength(urc::RecvWithLength { connect_id, .. }) => {
                self.sockets_mut()[index(*connect_id)].data_pending = true;
                Event::DataReady(*connect_id)
            }
            Urc::RecvPush(p) => {
                self.pushed(p.connect_id, p.data, p.recv_length.get() as usize, None)
            }
            Urc::RecvPushUdpService(p) => self.pushed_from(p),
            Urc::Closed(urc::Closed { connect_id }) => {
                self.sockets_mut()[index(*connect_id)].closed = true;
                Event::Closed(*connect_id)
            }
            Urc::Incoming(i) => {
                let server = self.sockets()[index(i.server_id)];
                self.sockets_mut()[index(i.connect_id)] = SocketInfo {
                    open: true,
                    mode: server.mode,
                    context: server.context,
                    incoming_from: Some(i.server_id),
                    ..SocketInfo::default()
                };
                Event::Incoming {
                    socket: i.connect_id,
                    server: i.server_id,
                }
            }
            Urc::IncomingFull(_) => {
                self.incoming_full = true;
                Event::IncomingFull
            }
            Urc::Accept(urc::Accept { connect_id }) => {
                let s = &mut self.sockets_mut()[index(*connect_id)];
                s.accept_requests = s.accept_requests.saturating_add(1);
                Event::AcceptRequested(*connect_id)
            }
            Urc::Pdpdeact(urc::Pdpdeact { context_id }) => {
                self.lost_contexts |= 1 << (context_id.get() - 1);
                for s in self.sockets_mut().iter_mut() {
                    if s.open && s.context == Some(*context_id) {
                        s.context_lost = true;
                    }
                }
                Event::ContextDeactivated(*context_id)
            }
            _ => Event::Result,
        }
    }

    /// A UDP service's push, with its sender (apart: the sender's address is a string that
    /// [`route`](Self::route)'s frame, below every other URC, need not hold).
    #[inline(never)]
    fn pushed_from(&mut self, p: &urc::RecvPushUdpService<'_>) -> Event {
        let from = Sender::new(&p.remote_ip, p.remote_port);
        self.pushed(p.connect_id, p.data, p.recv_length.get() as usize, from)
    }

    fn pushed(
        &mut self,
        id: ConnectId,
        data: &[u8],
        announced: usize,
        from: Option<Sender>,
    ) -> Event {
        if self.kept_apart && data.len() >= announced {
            // The payload stays where it lies (the push ring) until it is read.
            return Event::DataPushed(id);
        }
        self.keep(id, data, announced, from)
    }

    /// Copies a push into the push buffer; marks its socket overrun when it does not fit.
    fn keep(
        &mut self,
        id: ConnectId,
        data: &[u8],
        announced: usize,
        from: Option<Sender>,
    ) -> Event {
        // A detached push (its payload left behind in its frame) has lost its bytes.
        if data.len() < announced || !self.push.push(id, data, announced, from) {
            warn_!(
                "push buffer full: {} bytes of socket {} dropped",
                announced,
                id.get()
            );
            self.sockets_mut()[index(id)].overrun = true;
        }
        Event::DataPushed(id)
    }

    /// Bytes of a socket beyond what its reader asked for (a `+QIRD` answer longer than
    /// asked): kept in the push buffer, where the next read takes them before asking the
    /// module again. When they do not fit, the socket is marked [`SocketInfo::overrun`].
    pub fn keep_unread(&mut self, id: ConnectId, data: &[u8]) {
        self.keep(id, data, data.len(), None);
    }

    fn sockets(&self) -> &[SocketInfo; SOCKETS] {
        const UNKNOWN: [SocketInfo; SOCKETS] = [SocketInfo::UNKNOWN; SOCKETS];
        self.sockets.as_ref().unwrap_or(&UNKNOWN)
    }

    fn sockets_mut(&mut self) -> &mut [SocketInfo; SOCKETS] {
        self.sockets
            .get_or_insert_with(|| [SocketInfo::UNKNOWN; SOCKETS])
    }

    /// What is known about a socket.
    pub fn socket(&self, id: ConnectId) -> SocketInfo {
        self.sockets()[index(id)]
    }

    /// Changes what is known about a socket.
    pub fn socket_mut(&mut self, id: ConnectId) -> &mut SocketInfo {
        &mut self.sockets_mut()[index(id)]
    }

    /// The socket in transparent mode, if any (one at most: it has the port).
    pub fn transparent_socket(&self) -> Option<ConnectId> {
        let i = self
            .sockets()
            .iter()
            .position(|s| s.open && s.mode == Some(AccessMode::Transparent))?;
        ConnectId::new(i as i64)
    }

    /// A socket opened by the host.
    pub fn opened(
        &mut self,
        id: ConnectId,
        service: ServiceType,
        mode: Option<AccessMode>,
        context: ContextId,
    ) {
        self.discard(id);
        self.sockets_mut()[index(id)] = SocketInfo {
            open: true,
            mode,
            service: Some(service),
            context: Some(context),
            ..SocketInfo::default()
        };
    }

    /// A socket closed by the host.
    pub fn closed(&mut self, id: ConnectId) {
        self.discard(id);
        self.sockets_mut()[index(id)] = SocketInfo::default();
    }

    fn discard(&mut self, id: ConnectId) {
        self.push.discard(id);
        self.discards |= 1 << id.get();
    }

    /// Pushed payloads stay where the URC's frame left them (a push ring) until they are
    /// read, rather than in this router's push buffer.
    pub(crate) fn keep_payloads_apart(&mut self) {
        self.kept_apart = true;
    }

    /// The sockets (a bit each) closed or opened again since the last call.
    pub(crate) fn take_discards(&mut self) -> u32 {
        core::mem::take(&mut self.discards)
    }

    /// The sockets on a context (opened, or got by a server on it).
    pub fn sockets_on(&self, context: ContextId) -> impl Iterator<Item = ConnectId> + '_ {
        self.sockets()
            .iter()
            .enumerate()
            .filter(move |(_, s)| s.open && s.context == Some(context))
            .filter_map(|(i, _)| ConnectId::new(i as i64))
    }

    /// Whether the network deactivated the context since it was last activated.
    pub fn context_lost(&self, id: ContextId) -> bool {
        self.lost_contexts & (1 << (id.get() - 1)) != 0
    }

    /// The context was activated or deactivated by the host: forget a loss.
    pub fn context_reset(&mut self, id: ContextId) {
        self.lost_contexts &= !(1 << (id.get() - 1));
    }

    /// Takes a socket a server got on its own.
    pub fn take_incoming(&mut self, server: ConnectId) -> Option<ConnectId> {
        let s = self
            .sockets()
            .iter()
            .position(|s| s.incoming_from == Some(server))?;
        self.sockets_mut()[s].incoming_from = None;
        ConnectId::new(s as i64)
    }

    /// Whether a client was turned away since the last call.
    pub fn take_incoming_full(&mut self) -> bool {
        core::mem::take(&mut self.incoming_full)
    }

    /// Pushed data of a socket: copies the oldest datagram or segment (or its first part) into
    /// `buf`; returns the length and the sender (UDP service).
    pub fn read_pushed(
        &mut self,
        id: ConnectId,
        buf: &mut [u8],
    ) -> Option<(usize, Option<Sender>)> {
        self.push.pop(id, buf)
    }

    /// Whether a push of `len` bytes (with a sender address of `sender_len` bytes) fits in the
    /// push buffer now.
    pub fn can_push(&self, len: usize, sender_len: usize) -> bool {
        self.push.fits(len, sender_len)
    }

    /// The socket holding the most pushed bytes.
    pub fn largest_push_holder(&self) -> Option<ConnectId> {
        self.push.largest()
    }

    /// Drops what was pushed for a socket to make room for others; its reader gets
    /// [`Error::Overrun`](super::Error::Overrun).
    pub fn drop_pushed(&mut self, id: ConnectId) {
        self.push.discard(id);
        self.sockets_mut()[index(id)].overrun = true;
    }

    /// Bytes pushed for a socket and not read yet.
    pub fn pushed_len(&self, id: ConnectId) -> usize {
        self.push.len_of(id)
    }
}

impl Sender {
    /// The sender's port.
    pub fn port(&self) -> Port {
        self.port
    }
}

/// Whether [`Router::route`] keeps something of `u` in its state (data waiting, a close, an
/// incoming client, a lost context); every other URC answers a call in progress, and is
/// handed to the call that waits for it.
pub(crate) fn keeps_state(u: &Urc) -> bool {
    matches!(
        u,
        Urc::Recv(_)
            | Urc::RecvWithLength(_)
            | Urc::RecvPush(_)
            | Urc::RecvPushUdpService(_)
            | Urc::Closed(_)
            | Urc::Incoming(_)
            | Urc::IncomingFull(_)
            | Urc::Accept(_)
            | Urc::Pdpdeact(_)
    )
}

//! Socket traffic turned into what the host sees: open results, recv URCs (buffer access and
//! direct push), raw data in transparent mode, closed connections, incoming clients.

use super::commands::urc_bytes;
use super::input::Transparent;
use super::output::frame_data;
use super::sockets::{spawn_tcp_reader, Io, Net, Socket, READ_CHUNK};
use super::{Mode, Sim};
use quectel_qi::{
    urc, AccessMode, ConnectId, ContextId, ErrValue, ErrorCode, PassiveClosed, Port, RecvLength,
    Recvind, SocketServiceType, SocketState, Urc,
};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::Duration;

/// How long a send may wait for room in the socket's send buffer before it answers SEND FAIL
/// (the peer reads nothing and the buffer is full).
const SEND_TIMEOUT: Duration = Duration::from_secs(1);

/// `<err>` of a URC for an error code.
pub(crate) fn err_value(e: ErrorCode) -> ErrValue {
    ErrValue::new(i64::from(e.code())).unwrap_or(ErrValue::MIN)
}

/// A generated string field from text (cut to its capacity).
pub(crate) fn hstring<const N: usize>(s: &str) -> heapless::String<N> {
    let mut end = s.len().min(N);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    heapless::String::try_from(&s[..end]).unwrap_or_default()
}

/// `+QIOPEN: <connectID>,<err>`, framed.
pub(crate) fn open_result_urc(id: ConnectId, err: ErrorCode) -> Vec<u8> {
    urc_bytes(Urc::OpenResult(urc::OpenResult {
        connect_id: id,
        err: err_value(err),
    }))
}

/// A port as a generated type (every u16 is one).
pub(crate) fn port(p: u16) -> Port {
    Port::new(i64::from(p)).unwrap_or(Port::MIN)
}

impl Sim {
    pub(crate) fn on_net(&mut self, id: ConnectId, gen: u64, net: Net) {
        let current = self.socket(id).is_some_and(|s| s.gen == gen);
        if !current {
            // An event of a socket closed since: drop what it carries.
            if let Net::Connected(Ok(s)) | Net::Incoming(s, _) = net {
                let _ = s.shutdown(Shutdown::Both);
            }
            return;
        }
        match net {
            Net::Connected(result) => self.on_connected(id, result),
            Net::Data(data, from) => self.on_data(id, data, from),
            Net::Closed => self.on_closed(id),
            Net::Incoming(stream, addr) => self.on_incoming(id, stream, addr),
        }
    }

    pub(crate) fn open_result(&mut self, id: ConnectId, err: ErrorCode) {
        self.urc(open_result_urc(id, err));
    }

    fn on_connected(&mut self, id: ConnectId, result: Result<TcpStream, ErrorCode>) {
        let waiting = matches!(self.mode, Mode::Waiting(w) if w == id);
        let tx = self.tx.clone();
        let started = match result {
            Ok(stream) => {
                let s = self.socket(id).expect("checked by on_net");
                s.local_port = stream.local_addr().map(|a| a.port()).unwrap_or(0);
                // AT+QISTATE shows the address connected to (section 2.3.7: <IP_address>), not
                // the name AT+QIOPEN was given.
                if let Ok(peer) = stream.peer_addr() {
                    s.shown_ip = peer.ip().to_string();
                }
                let _ = stream.set_nodelay(true);
                let _ = stream.set_write_timeout(Some(SEND_TIMEOUT));
                match spawn_tcp_reader(&stream, id, s.gen, s.stop.clone(), tx) {
                    Ok(()) => {
                        s.io = Io::Tcp(stream);
                        s.state = SocketState::Connected;
                        Ok(())
                    }
                    Err(_) => Err(ErrorCode::SocketCreationFailed),
                }
            }
            Err(e) => Err(e),
        };
        match started {
            Ok(()) if waiting => {
                self.mode = Mode::Command;
                self.enter_transparent(id);
                self.release_held();
            }
            Ok(()) => {
                self.last_error = ErrorCode::OperateSuccess;
                self.open_result(id, ErrorCode::OperateSuccess);
            }
            Err(e) => {
                if let Some(mut s) = self.sockets[usize::from(id.get())].take() {
                    s.shut();
                }
                self.last_error = e;
                if waiting {
                    self.back_to_commands();
                    self.fail(e);
                    self.release_held();
                } else {
                    self.open_result(id, e);
                }
            }
        }
    }

    fn on_data(&mut self, id: ConnectId, data: Vec<u8>, from: Option<SocketAddr>) {
        let in_transparent = matches!(&self.mode, Mode::Transparent(t) if t.id == id);
        let recvind = self.settings.recvind;
        let push_without_length = self.field.push_without_length;
        let s = self.socket(id).expect("checked by on_net");
        s.received += data.len() as u64;
        if in_transparent {
            s.read += data.len() as u64;
            self.out.send(&data);
            return;
        }
        match s.access {
            AccessMode::DirectPush if !push_without_length => {
                s.read += data.len() as u64;
                let kind = s.kind;
                self.push(id, kind, &data, from);
            }
            // Transparent sockets not on the port (waiting for ATO) buffer like buffer access;
            // so does a mode a newer spec adds before the module models it.
            _ => {
                match (s.is_udp(), from) {
                    (true, Some(from)) => s.datagrams.push_back((from, data.clone())),
                    _ => s.rx.extend(&data),
                }
                if s.notified || s.access == AccessMode::Transparent {
                    return;
                }
                s.notified = true;
                let u = match recvind {
                    Recvind::Enable => Urc::RecvWithLength(urc::RecvWithLength {
                        connect_id: id,
                        recv_length: RecvLength::new(data.len().min(READ_CHUNK) as i64)
                            .unwrap_or(RecvLength::MAX),
                    }),
                    // Disable, and any value a newer spec adds: the notice without a length.
                    _ => Urc::Recv(urc::Recv { connect_id: id }),
                };
                self.urc(urc_bytes(u));
            }
        }
    }

    /// Pushes data to the host in recv URCs (direct push mode).
    pub(crate) fn push(
        &mut self,
        id: ConnectId,
        kind: SocketServiceType,
        data: &[u8],
        from: Option<SocketAddr>,
    ) {
        let (view, format) = (self.settings.view_mode, self.settings.recv_format);
        for chunk in data.chunks(READ_CHUNK) {
            let recv_length = RecvLength::new(chunk.len() as i64).unwrap_or(RecvLength::MAX);
            let u = match (kind, from) {
                (SocketServiceType::UdpService, Some(from)) => {
                    let (ip, p) = Sim::addr_parts(&from);
                    Urc::RecvPushUdpService(urc::RecvPushUdpService {
                        connect_id: id,
                        recv_length,
                        remote_ip: hstring(&ip),
                        remote_port: port(p),
                        data: &[],
                    })
                }
                _ => Urc::RecvPush(urc::RecvPush {
                    connect_id: id,
                    recv_length,
                    data: &[],
                }),
            };
            self.urc(frame_data(|w| u.encode(w), chunk, view, format));
        }
    }

    pub(crate) fn on_closed(&mut self, id: ConnectId) {
        let passive = self.settings.passive_closed == PassiveClosed::Enable;
        let hold = self.field.hold_closed;
        let Some(s) = self.socket(id) else { return };
        s.shut();
        s.state = SocketState::Closing;
        if matches!(&self.mode, Mode::Transparent(t) if t.id == id) {
            self.back_to_commands();
            self.result("NO CARRIER");
            return;
        }
        if let Some(s) = self.socket(id) {
            if hold && s.access != AccessMode::DirectPush && s.unread() > 0 {
                // A field fault: `closed` waits until the buffer is read
                // (`release_held_closed`).
                s.closed_held = true;
                return;
            }
        }
        let u = Urc::Closed(urc::Closed { connect_id: id });
        self.urc(urc_bytes(u));
        if passive {
            self.sockets[usize::from(id.get())] = None;
        }
    }

    /// The highest free connectID (the document's example 3.5 gives a client ID 11).
    pub(crate) fn free_id(&self) -> Option<ConnectId> {
        let i = self.sockets.iter().rposition(Option::is_none)?;
        ConnectId::new(i as i64)
    }

    fn on_incoming(&mut self, listener: ConnectId, stream: TcpStream, addr: SocketAddr) {
        let manual = self.settings.accept_mode == quectel_qi::AcceptMode::Manual;
        if manual {
            let s = self.socket(listener).expect("checked by on_net");
            s.pending.push_back((stream, addr));
            let u = Urc::Accept(urc::Accept {
                connect_id: listener,
            });
            self.urc(urc_bytes(u));
            return;
        }
        match self.free_id() {
            None => {
                let _ = stream.shutdown(Shutdown::Both);
                let u = Urc::IncomingFull(urc::IncomingFull {});
                self.urc(urc_bytes(u));
            }
            Some(id) => {
                if self.adopt(listener, id, stream, addr).is_ok() {
                    let (ip, p) = Sim::addr_parts(&addr);
                    let u = Urc::Incoming(urc::Incoming {
                        connect_id: id,
                        server_id: listener,
                        remote_ip: hstring(&ip),
                        remote_port: port(p),
                    });
                    self.urc(urc_bytes(u));
                }
            }
        }
    }

    /// Gives an accepted client the socket `id` (TCP INCOMING, in the listener's mode).
    pub(crate) fn adopt(
        &mut self,
        listener: ConnectId,
        id: ConnectId,
        stream: TcpStream,
        addr: SocketAddr,
    ) -> Result<(), ErrorCode> {
        let (context, access) = {
            let l = self.socket(listener).ok_or(ErrorCode::SocketAcceptFailed)?;
            (l.context, l.access)
        };
        let gen = self.new_gen();
        let mut s = Socket::new(id, gen, SocketServiceType::TcpIncoming, context, access);
        s.server_id = listener;
        s.shown_ip = addr.ip().to_string();
        s.remote_port = addr.port();
        s.local_port = stream.local_addr().map(|a| a.port()).unwrap_or(0);
        let _ = stream.set_nodelay(true);
        let _ = stream.set_write_timeout(Some(SEND_TIMEOUT));
        spawn_tcp_reader(&stream, id, gen, s.stop.clone(), self.tx.clone())
            .map_err(|_| ErrorCode::SocketAcceptFailed)?;
        s.io = Io::Tcp(stream);
        s.state = SocketState::Connected;
        self.sockets[usize::from(id.get())] = Some(s);
        Ok(())
    }

    /// CONNECT, then the port carries the socket's data; buffered data comes first.
    pub(crate) fn enter_transparent(&mut self, id: ConnectId) {
        self.result("CONNECT");
        self.last_transparent = Some(id);
        self.mode = Mode::Transparent(Transparent::new(id));
        let Some(s) = self.socket(id) else { return };
        s.access = AccessMode::Transparent;
        s.notified = false;
        let mut data: Vec<u8> = s.rx.drain(..).collect();
        for (_, d) in s.datagrams.drain(..) {
            data.extend(d);
        }
        s.read += data.len() as u64;
        self.out.send(&data);
    }

    /// After `+++`: the socket continues in buffer access mode (section 1.2).
    pub(crate) fn leave_transparent(&mut self, id: ConnectId) {
        if let Some(s) = self.socket(id) {
            s.access = AccessMode::BufferAccess;
        }
        self.back_to_commands();
    }

    /// The network took the context down.
    pub(crate) fn pdp_deactivated(&mut self, ctx: ContextId) {
        if !self.context(ctx).active {
            return;
        }
        self.context(ctx).active = false;
        let mut dropped_transparent = false;
        for s in self.sockets.iter_mut().flatten() {
            if s.context == ctx {
                s.shut();
                s.state = SocketState::Closing;
                if matches!(&self.mode, Mode::Transparent(t) if t.id == s.id) {
                    dropped_transparent = true;
                }
            }
        }
        if dropped_transparent {
            self.back_to_commands();
            self.result("NO CARRIER");
        }
        let u = Urc::Pdpdeact(urc::Pdpdeact { context_id: ctx });
        self.urc(urc_bytes(u));
    }
}

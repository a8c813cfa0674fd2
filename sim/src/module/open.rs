//! Opening socket services (AT+QIOPEN) and taking clients of a server (AT+QIACCEPT).

use super::commands::{ok, urc_bytes, Done};
use super::net::{hstring, open_result_urc};
use super::sockets::{spawn_acceptor, spawn_connect, spawn_udp_reader, ConnectTo, Io, Socket};
use super::{Mode, Sim};
use quectel_qi::{
    qiopen, urc, Accept, AccessMode, ClientPort, ConnectId, ErrorCode, ServiceType,
    SocketServiceType, SocketState, Urc,
};
use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::time::Duration;

/// How long a TCP client may take to connect (the document allows 150 s; loopback answers at
/// once, and a silent address should not hold a test for minutes).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

impl Sim {
    pub(crate) fn open(&mut self, o: &qiopen::Open<'_>) -> Result<Done, ErrorCode> {
        let id = o.connect_id;
        let access = o.access_mode.unwrap_or(AccessMode::BufferAccess);
        let transparent = access == AccessMode::Transparent;
        // The result of an open that ends now: OK then `+QIOPEN: <id>,<err>`, or in
        // transparent mode ERROR (success in transparent mode answers CONNECT instead).
        let outcome = |e: ErrorCode| -> Result<Done, ErrorCode> {
            if transparent {
                Err(e)
            } else {
                Ok(Done::OkThen(vec![open_result_urc(id, e)], e))
            }
        };
        if transparent && !matches!(o.service_type, ServiceType::Tcp | ServiceType::Udp) {
            return Err(ErrorCode::OperationNotSupported);
        }
        if !self.contexts[usize::from(o.context_id.get())].active {
            return outcome(ErrorCode::OperationNotAllowed);
        }
        if self.sockets[usize::from(id.get())].is_some() {
            return outcome(ErrorCode::SocketIdentityUsed);
        }
        let local_port = o.local_port.map(|p| p.get()).unwrap_or(0);
        let local = SocketAddr::from((self.cfg.address, local_port));
        let gen = self.new_gen();
        let kind = match o.service_type {
            ServiceType::Tcp => SocketServiceType::Tcp,
            ServiceType::Udp => SocketServiceType::Udp,
            ServiceType::TcpListener => SocketServiceType::TcpListener,
            ServiceType::UdpService => SocketServiceType::UdpService,
            // A service type a newer spec adds: the module answers ERROR.
            _ => return Err(ErrorCode::OperationNotSupported),
        };
        let mut s = Socket::new(id, gen, kind, o.context_id, access);
        match o.service_type {
            ServiceType::Tcp => {
                // The name until the connection stands; then the address it reached.
                s.shown_ip = o.host.into();
                s.remote_port = o.remote_port.get();
                let to = ConnectTo {
                    host: o.host.into(),
                    port: o.remote_port.get(),
                    local,
                    timeout: CONNECT_TIMEOUT,
                    network: self.cfg.network.clone(),
                };
                if spawn_connect(to, id, gen, self.tx.clone()).is_err() {
                    return outcome(ErrorCode::SocketCreationFailed);
                }
                self.sockets[usize::from(id.get())] = Some(s);
                if transparent {
                    self.mode = Mode::Waiting(id);
                    return Ok(Done::Answered);
                }
                // The outcome follows in +QIOPEN when the connection stands or fails.
                Ok(Done::OkThen(Vec::new(), ErrorCode::OperateSuccess))
            }
            ServiceType::Udp => {
                let Ok(remote) = self.cfg.network.resolve_v4(o.host, o.remote_port.get()) else {
                    return outcome(ErrorCode::DnsParseFailed);
                };
                let sock = match UdpSocket::bind(local) {
                    Ok(u) => u,
                    Err(e) => return outcome(bind_error(&e)),
                };
                // AT+QISTATE shows the address the name resolved to (section 2.3.7: <IP_address>).
                s.shown_ip = remote.ip().to_string();
                s.remote_port = o.remote_port.get();
                s.local_port = sock.local_addr().map(|a| a.port()).unwrap_or(0);
                s.peer = Some(remote);
                self.start_udp(s, sock, transparent, outcome)
            }
            ServiceType::UdpService => {
                let sock = match UdpSocket::bind(local) {
                    Ok(u) => u,
                    Err(e) => return outcome(bind_error(&e)),
                };
                s.shown_ip = self.cfg.address.to_string();
                s.local_port = sock.local_addr().map(|a| a.port()).unwrap_or(0);
                self.start_udp(s, sock, false, outcome)
            }
            ServiceType::TcpListener => {
                let listener = match TcpListener::bind(local) {
                    Ok(l) => l,
                    Err(e) => return outcome(bind_error(&e)),
                };
                let Ok(addr) = listener.local_addr() else {
                    return outcome(ErrorCode::SocketListenFailed);
                };
                if spawn_acceptor(listener, id, gen, s.stop.clone(), self.tx.clone()).is_err() {
                    return outcome(ErrorCode::SocketListenFailed);
                }
                s.shown_ip = self.cfg.address.to_string();
                s.local_port = addr.port();
                s.io = Io::Listener(addr);
                s.state = SocketState::Listening;
                self.sockets[usize::from(id.get())] = Some(s);
                outcome(ErrorCode::OperateSuccess)
            }
            // Refused above, with the socket kind.
            _ => Err(ErrorCode::OperationNotSupported),
        }
    }

    fn start_udp(
        &mut self,
        mut s: Socket,
        sock: UdpSocket,
        transparent: bool,
        outcome: impl Fn(ErrorCode) -> Result<Done, ErrorCode>,
    ) -> Result<Done, ErrorCode> {
        let id = s.id;
        if spawn_udp_reader(&sock, id, s.gen, s.stop.clone(), self.tx.clone()).is_err() {
            return outcome(ErrorCode::SocketCreationFailed);
        }
        s.io = Io::Udp(sock);
        s.state = SocketState::Connected;
        self.sockets[usize::from(id.get())] = Some(s);
        if transparent {
            self.enter_transparent(id);
            return Ok(Done::Answered);
        }
        outcome(ErrorCode::OperateSuccess)
    }

    pub(crate) fn accept(
        &mut self,
        listener: ConnectId,
        accept: Accept,
        incoming: Option<ConnectId>,
    ) -> Result<Done, ErrorCode> {
        let l = self.socket(listener).ok_or(ErrorCode::SocketClosed)?;
        if l.kind != SocketServiceType::TcpListener {
            return Err(ErrorCode::OperationNotAllowed);
        }
        let (stream, addr) = l.pending.pop_front().ok_or(ErrorCode::SocketAcceptFailed)?;
        if accept == Accept::Refuse {
            let _ = stream.shutdown(std::net::Shutdown::Both);
            return ok();
        }
        let id = match incoming {
            Some(id) if self.sockets[usize::from(id.get())].is_some() => {
                let _ = stream.shutdown(std::net::Shutdown::Both);
                return Err(ErrorCode::SocketIdentityUsed);
            }
            Some(id) => id,
            None => match self.free_id() {
                Some(id) => id,
                None => {
                    let _ = stream.shutdown(std::net::Shutdown::Both);
                    return Err(ErrorCode::MemoryNotEnough);
                }
            },
        };
        self.adopt(listener, id, stream, addr)?;
        let u = Urc::AcceptResult(urc::AcceptResult {
            incoming_id: id,
            remote_addr: hstring(&addr.ip().to_string()),
            remote_port: ClientPort::new(i64::from(addr.port())).unwrap_or(ClientPort::MIN),
        });
        Ok(Done::OkThen(vec![urc_bytes(u)], ErrorCode::OperateSuccess))
    }
}

fn bind_error(e: &std::io::Error) -> ErrorCode {
    if e.kind() == std::io::ErrorKind::AddrInUse {
        ErrorCode::PortBusy
    } else {
        ErrorCode::SocketBindFailed
    }
}

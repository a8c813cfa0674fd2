//! The socket table: one entry per connectID, backed by real `std::net` sockets, and the
//! threads that turn their traffic into events for the module.

use super::Event;
use crate::network::Network;
use quectel_qi::{AccessMode, ConnectId, ContextId, ErrorCode, SocketServiceType, SocketState};
use std::collections::VecDeque;
use std::io::{self, Read};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::SyncSender;
use std::sync::Arc;
use std::time::Duration;

/// The most bytes one read of a socket hands over: the most one recv URC can announce.
pub(crate) const READ_CHUNK: usize = quectel_qi::RecvLength::MAX.get() as usize;
/// How long a UDP reader waits before it looks at its stop flag again.
const UDP_POLL: Duration = Duration::from_millis(50);

/// What a socket's threads report.
pub(crate) enum Net {
    /// Bytes (TCP) or a datagram (UDP, with its sender) arrived.
    Data(Vec<u8>, Option<SocketAddr>),
    /// The peer closed the connection, or it broke.
    Closed,
    /// A client connection attempt finished.
    Connected(Result<TcpStream, ErrorCode>),
    /// A client connected to a listener.
    Incoming(TcpStream, SocketAddr),
}

/// The real socket behind an entry.
pub(crate) enum Io {
    /// Nothing (yet, or any more).
    None,
    Tcp(TcpStream),
    Udp(UdpSocket),
    Listener(SocketAddr),
}

/// One entry of the socket table.
pub(crate) struct Socket {
    pub id: ConnectId,
    /// Tells events of this socket from those of an earlier one with the same ID.
    pub gen: u64,
    pub kind: SocketServiceType,
    pub context: ContextId,
    /// The address shown by AT+QISTATE.
    pub shown_ip: String,
    pub remote_port: u16,
    pub local_port: u16,
    pub state: SocketState,
    pub access: AccessMode,
    pub server_id: ConnectId,
    pub io: Io,
    pub stop: Arc<AtomicBool>,
    /// Received bytes not yet read (TCP).
    pub rx: VecDeque<u8>,
    /// Received datagrams not yet read (UDP), with their senders.
    pub datagrams: VecDeque<(SocketAddr, Vec<u8>)>,
    pub received: u64,
    pub read: u64,
    pub sent: u64,
    /// A recv URC went out and the buffer has not been drained since.
    pub notified: bool,
    /// The peer closed; the `closed` URC waits until the buffer is read (a field fault).
    pub closed_held: bool,
    /// Clients waiting for AT+QIACCEPT (listeners in manual accept mode).
    pub pending: VecDeque<(TcpStream, SocketAddr)>,
    /// Where a UDP client sends.
    pub peer: Option<SocketAddr>,
}

impl Socket {
    pub(crate) fn new(
        id: ConnectId,
        gen: u64,
        kind: SocketServiceType,
        context: ContextId,
        access: AccessMode,
    ) -> Self {
        Socket {
            id,
            gen,
            kind,
            context,
            shown_ip: String::new(),
            remote_port: 0,
            local_port: 0,
            state: SocketState::Opening,
            access,
            server_id: id,
            io: Io::None,
            stop: Arc::new(AtomicBool::new(false)),
            rx: VecDeque::new(),
            datagrams: VecDeque::new(),
            received: 0,
            read: 0,
            sent: 0,
            notified: false,
            closed_held: false,
            pending: VecDeque::new(),
            peer: None,
        }
    }

    /// Bytes waiting to be read.
    pub(crate) fn unread(&self) -> usize {
        self.rx.len() + self.datagrams.iter().map(|d| d.1.len()).sum::<usize>()
    }

    /// Whether the socket is a UDP one (its data comes in datagrams).
    pub(crate) fn is_udp(&self) -> bool {
        matches!(
            self.kind,
            SocketServiceType::Udp | SocketServiceType::UdpService
        )
    }

    /// Stops the socket's threads and closes the real socket.
    pub(crate) fn shut(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        match std::mem::replace(&mut self.io, Io::None) {
            Io::Tcp(s) => {
                let _ = s.shutdown(Shutdown::Both);
            }
            Io::Listener(addr) => {
                // Wake the accept loop so that it sees the stop flag.
                let _ = TcpStream::connect_timeout(&addr, Duration::from_millis(200));
            }
            Io::Udp(_) | Io::None => {}
        }
        for (s, _) in self.pending.drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
    }

    /// Writes to the peer (UDP: to `to`, or the client's peer; a datagram to an address the
    /// network does not reach is lost on the way, as on a real network).
    pub(crate) fn send(
        &mut self,
        data: &[u8],
        to: Option<SocketAddr>,
        network: &Network,
    ) -> io::Result<()> {
        use std::io::Write;
        match &mut self.io {
            Io::Tcp(s) => s.write_all(data)?,
            Io::Udp(u) => {
                let to = to
                    .or(self.peer)
                    .ok_or(io::Error::from(io::ErrorKind::NotConnected))?;
                if network.reachable(to.ip()) {
                    u.send_to(data, to)?;
                }
            }
            Io::Listener(_) | Io::None => return Err(io::ErrorKind::NotConnected.into()),
        }
        self.sent += data.len() as u64;
        Ok(())
    }
}

fn event(id: ConnectId, gen: u64, net: Net) -> Event {
    Event::Net { id, gen, net }
}

/// Reads a TCP stream until it ends; reports data, then `Closed` (unless stopped).
pub(crate) fn spawn_tcp_reader(
    stream: &TcpStream,
    id: ConnectId,
    gen: u64,
    stop: Arc<AtomicBool>,
    tx: SyncSender<Event>,
) -> io::Result<()> {
    let mut stream = stream.try_clone()?;
    std::thread::Builder::new()
        .name(format!("qi-sim tcp {id}"))
        .spawn(move || {
            let mut buf = vec![0u8; READ_CHUNK];
            loop {
                match stream.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if tx
                            .send(event(id, gen, Net::Data(buf[..n].to_vec(), None)))
                            .is_err()
                        {
                            return;
                        }
                    }
                }
            }
            if !stop.load(Ordering::SeqCst) {
                let _ = tx.send(event(id, gen, Net::Closed));
            }
        })?;
    Ok(())
}

/// Receives datagrams until stopped.
pub(crate) fn spawn_udp_reader(
    sock: &UdpSocket,
    id: ConnectId,
    gen: u64,
    stop: Arc<AtomicBool>,
    tx: SyncSender<Event>,
) -> io::Result<()> {
    let sock = sock.try_clone()?;
    sock.set_read_timeout(Some(UDP_POLL))?;
    std::thread::Builder::new()
        .name(format!("qi-sim udp {id}"))
        .spawn(move || {
            let mut buf = vec![0u8; 65536];
            while !stop.load(Ordering::SeqCst) {
                match sock.recv_from(&mut buf) {
                    Ok((n, from)) => {
                        let n = n.min(READ_CHUNK);
                        if tx
                            .send(event(id, gen, Net::Data(buf[..n].to_vec(), Some(from))))
                            .is_err()
                        {
                            return;
                        }
                    }
                    Err(e)
                        if matches!(
                            e.kind(),
                            io::ErrorKind::WouldBlock
                                | io::ErrorKind::TimedOut
                                | io::ErrorKind::ConnectionRefused
                        ) => {}
                    Err(_) => break,
                }
            }
        })?;
    Ok(())
}

/// Accepts clients until stopped.
pub(crate) fn spawn_acceptor(
    listener: TcpListener,
    id: ConnectId,
    gen: u64,
    stop: Arc<AtomicBool>,
    tx: SyncSender<Event>,
) -> io::Result<()> {
    std::thread::Builder::new()
        .name(format!("qi-sim listen {id}"))
        .spawn(move || loop {
            let accepted = listener.accept();
            if stop.load(Ordering::SeqCst) {
                return;
            }
            if let Ok((s, addr)) = accepted {
                if tx.send(event(id, gen, Net::Incoming(s, addr))).is_err() {
                    return;
                }
            }
        })?;
    Ok(())
}

/// Where a TCP client connects.
pub(crate) struct ConnectTo {
    pub host: String,
    pub port: u16,
    pub local: SocketAddr,
    pub timeout: Duration,
    pub network: Network,
}

/// Resolves and connects in the background (from `local`; port 0 picks one); reports
/// `Connected`. An address the network does not reach fails as an unreachable host does.
pub(crate) fn spawn_connect(
    to: ConnectTo,
    id: ConnectId,
    gen: u64,
    tx: SyncSender<Event>,
) -> io::Result<()> {
    let ConnectTo {
        host,
        port,
        local,
        timeout,
        network,
    } = to;
    std::thread::Builder::new()
        .name(format!("qi-sim connect {id}"))
        .spawn(move || {
            let result = match network.resolve_v4(&host, port) {
                Err(_) => Err(ErrorCode::DnsParseFailed),
                Ok(remote) if !network.reachable(remote.ip()) => {
                    Err(ErrorCode::SocketConnectFailed)
                }
                Ok(remote) => connect_from(local, remote, timeout).map_err(|e| {
                    if e.kind() == io::ErrorKind::AddrInUse {
                        ErrorCode::PortBusy
                    } else {
                        ErrorCode::SocketConnectFailed
                    }
                }),
            };
            let _ = tx.send(event(id, gen, Net::Connected(result)));
        })?;
    Ok(())
}

/// A TCP connection from a given local address: std cannot bind before connecting, so the
/// socket is built with nix (non-blocking connect, then a bounded wait).
fn connect_from(local: SocketAddr, remote: SocketAddr, timeout: Duration) -> io::Result<TcpStream> {
    use nix::errno::Errno;
    use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
    use nix::sys::socket::{
        bind, connect, getsockopt, setsockopt, socket, sockopt, AddressFamily, SockFlag, SockType,
        SockaddrIn,
    };
    use std::os::fd::{AsFd, AsRawFd};
    let (SocketAddr::V4(local), SocketAddr::V4(remote)) = (local, remote) else {
        return Err(io::ErrorKind::InvalidInput.into());
    };
    if local.port() == 0 {
        return TcpStream::connect_timeout(&SocketAddr::V4(remote), timeout);
    }
    let fd = socket(
        AddressFamily::Inet,
        SockType::Stream,
        SockFlag::SOCK_CLOEXEC | SockFlag::SOCK_NONBLOCK,
        None,
    )?;
    setsockopt(&fd, sockopt::ReuseAddr, &true)?;
    bind(fd.as_raw_fd(), &SockaddrIn::from(local))?;
    match connect(fd.as_raw_fd(), &SockaddrIn::from(remote)) {
        Ok(()) | Err(Errno::EINPROGRESS) => {}
        Err(e) => return Err(e.into()),
    }
    let wait = PollTimeout::try_from(timeout).unwrap_or(PollTimeout::MAX);
    let mut fds = [PollFd::new(fd.as_fd(), PollFlags::POLLOUT)];
    if poll(&mut fds, wait)? == 0 {
        return Err(io::ErrorKind::TimedOut.into());
    }
    match getsockopt(&fd, sockopt::SocketError)? {
        0 => {}
        e => return Err(io::Error::from_raw_os_error(e)),
    }
    let stream = TcpStream::from(fd);
    stream.set_nonblocking(false)?;
    Ok(stream)
}

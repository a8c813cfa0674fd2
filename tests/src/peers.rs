//! Real peers on loopback for the end-to-end tests and the tour: a TCP echo server, a UDP
//! peer, and a minimal NTP server that answers in the real packet format (RFC 5905).
//!
//! Every peer binds `127.0.0.1` on a port the system picks; every blocking wait is bounded by
//! [`WAIT`]. Dropping a server stops its thread.

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// The longest any peer waits for one thing before giving up.
pub const WAIT: Duration = Duration::from_secs(10);

/// A TCP server on loopback that sends back everything each connection sends it.
pub struct EchoServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    connections: Arc<AtomicUsize>,
    thread: Option<JoinHandle<()>>,
}

impl EchoServer {
    /// Listens on a free loopback port.
    pub fn start() -> io::Result<EchoServer> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let connections = Arc::new(AtomicUsize::new(0));
        let thread = {
            let (stop, connections) = (stop.clone(), connections.clone());
            std::thread::Builder::new()
                .name("echo server".into())
                .spawn(move || {
                    for conn in listener.incoming() {
                        if stop.load(Ordering::SeqCst) {
                            return;
                        }
                        let Ok(conn) = conn else { continue };
                        connections.fetch_add(1, Ordering::SeqCst);
                        let _ = std::thread::Builder::new()
                            .name("echo".into())
                            .spawn(move || echo(conn));
                    }
                })?
        };
        Ok(EchoServer {
            addr,
            stop,
            connections,
            thread: Some(thread),
        })
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

/// Echoes until the peer closes; then closes too.
fn echo(mut conn: TcpStream) {
    let mut buf = [0u8; 4096];
    loop {
        match conn.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if conn.write_all(&buf[..n]).is_err() {
                    return;
                }
            }
        }
    }
}

impl Drop for EchoServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop, which then sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, WAIT);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A UDP socket on loopback that the test drives itself: it sends datagrams to the module's
/// UDP service and receives what the module sends it, each wait bounded by [`WAIT`].
pub struct UdpPeer {
    socket: UdpSocket,
}

impl UdpPeer {
    /// Binds a free loopback port.
    pub fn bind() -> io::Result<UdpPeer> {
        let socket = UdpSocket::bind("127.0.0.1:0")?;
        socket.set_read_timeout(Some(WAIT))?;
        Ok(UdpPeer { socket })
    }

    /// The port it is bound to.
    pub fn port(&self) -> u16 {
        self.socket.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// Sends one datagram to `127.0.0.1:port`.
    pub fn send_to(&self, data: &[u8], port: u16) -> io::Result<()> {
        self.socket.send_to(data, ("127.0.0.1", port)).map(drop)
    }

    /// The next datagram and its sender (fails after [`WAIT`]).
    pub fn recv(&self) -> io::Result<(Vec<u8>, SocketAddr)> {
        let mut buf = vec![0u8; 65_536];
        let (n, from) = self.socket.recv_from(&mut buf)?;
        buf.truncate(n);
        Ok((buf, from))
    }

    /// Answers the next datagram with the same bytes; returns them.
    pub fn echo_one(&self) -> io::Result<Vec<u8>> {
        let (data, from) = self.recv()?;
        self.socket.send_to(&data, from)?;
        Ok(data)
    }
}

/// Seconds from the NTP era (1900-01-01) to the Unix epoch.
pub const NTP_UNIX_OFFSET: u64 = 2_208_988_800;

/// The length of an NTP packet without extensions.
pub const NTP_PACKET_LEN: usize = 48;

/// A minimal NTP server (RFC 5905 packet format, server mode, stratum 1) on loopback that
/// always tells the same time, so that tests know what the module reports.
pub struct NtpServer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    answered: Arc<AtomicUsize>,
    thread: Option<JoinHandle<()>>,
}

impl NtpServer {
    /// Answers every client request (mode 3) with `unix_time` (seconds since 1970).
    pub fn start(unix_time: u64) -> io::Result<NtpServer> {
        let socket = UdpSocket::bind("127.0.0.1:0")?;
        let addr = socket.local_addr()?;
        // Short, so that the thread notices the stop flag; the flag is the only reason to wake.
        socket.set_read_timeout(Some(Duration::from_millis(50)))?;
        let stop = Arc::new(AtomicBool::new(false));
        let answered = Arc::new(AtomicUsize::new(0));
        let thread = {
            let (stop, answered) = (stop.clone(), answered.clone());
            std::thread::Builder::new()
                .name("ntp server".into())
                .spawn(move || {
                    let mut buf = [0u8; 512];
                    while !stop.load(Ordering::SeqCst) {
                        let Ok((n, from)) = socket.recv_from(&mut buf) else {
                            continue;
                        };
                        if let Some(reply) = ntp_reply(&buf[..n], unix_time) {
                            // Counted before the answer leaves: whoever gets the answer sees
                            // the count.
                            answered.fetch_add(1, Ordering::SeqCst);
                            let _ = socket.send_to(&reply, from);
                        }
                    }
                })?
        };
        Ok(NtpServer {
            addr,
            stop,
            answered,
            thread: Some(thread),
        })
    }

    /// The port it answers on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Client requests answered so far.
    pub fn answered(&self) -> usize {
        self.answered.load(Ordering::SeqCst)
    }
}

impl Drop for NtpServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The server's answer to a client request, `None` for anything else.
///
/// Request and reply are 48 bytes: LI/VN/Mode, stratum, poll, precision, root delay, root
/// dispersion, reference ID, then four timestamps (reference, origin, receive, transmit), each
/// 32 bits of seconds since 1900 and 32 bits of fraction. The reply copies the request's
/// transmit timestamp into its origin timestamp, as a client checks.
pub fn ntp_reply(request: &[u8], unix_time: u64) -> Option<[u8; NTP_PACKET_LEN]> {
    if request.len() < NTP_PACKET_LEN {
        return None;
    }
    let version = (request[0] >> 3) & 7;
    let mode = request[0] & 7;
    if mode != 3 || !(1..=4).contains(&version) {
        return None;
    }
    let mut p = [0u8; NTP_PACKET_LEN];
    // Leap indicator 0, the client's version, mode 4 (server).
    p[0] = (version << 3) | 4;
    p[1] = 1; // stratum 1: a primary reference
    p[2] = request[2]; // poll, as asked
    p[3] = 0xEC; // precision 2^-20 s
                 // Root delay and dispersion 0; reference ID "LOCL".
    p[12..16].copy_from_slice(b"LOCL");
    let seconds = ((unix_time + NTP_UNIX_OFFSET) as u32).to_be_bytes();
    // Reference, receive and transmit timestamps: the fixed time, no fraction.
    p[16..20].copy_from_slice(&seconds);
    p[24..32].copy_from_slice(&request[40..48]);
    p[32..36].copy_from_slice(&seconds);
    p[40..44].copy_from_slice(&seconds);
    Some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ntp_reply_is_a_server_packet_for_client_requests_only() {
        let mut req = [0u8; NTP_PACKET_LEN];
        req[0] = 0x23; // version 4, client
        req[40..48].copy_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8]);
        let r = ntp_reply(&req, 1_563_689_459).unwrap();
        assert_eq!(r[0], 0x24);
        assert_eq!(r[1], 1);
        assert_eq!(&r[24..32], &[1, 2, 3, 4, 5, 6, 7, 8]);
        let secs = u32::from_be_bytes([r[40], r[41], r[42], r[43]]);
        assert_eq!(u64::from(secs) - NTP_UNIX_OFFSET, 1_563_689_459);
        req[0] = 0x24; // a server packet is not answered
        assert_eq!(ntp_reply(&req, 0), None);
        assert_eq!(ntp_reply(&req[..47], 0), None);
    }
}

//! The host's own sockets behind the embedded-nal-async traits: the control for the
//! third-party client tests. The same client code runs on [`StdNet`] and on the quectel-qi
//! stack, so a failure on the stack alone is the stack's.
//!
//! Calls block the thread (the peers run on threads of their own); every read and write is
//! bounded by [`WAIT`].

use std::io::{self, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpStream, ToSocketAddrs};

use quectel_qi::embedded_nal_async::{AddrType, Dns, TcpConnect};

pub use crate::peers::WAIT;

/// TCP and name resolution over `std::net`.
#[derive(Debug, Default, Clone, Copy)]
pub struct StdNet;

/// A connected `std::net::TcpStream` as `embedded_io_async::{Read, Write}`.
pub struct StdConnection(TcpStream);

impl embedded_io_async::ErrorType for StdConnection {
    type Error = io::Error;
}

// embedded-io: an empty read or write returns at once; `recv` of 0 bytes would wait for data
// (reqwless reads 0 bytes at the end of a chunked body).
impl embedded_io_async::Read for StdConnection {
    async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        self.0.read(buf)
    }
}

impl embedded_io_async::Write for StdConnection {
    async fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        self.0.write(buf)
    }

    async fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl TcpConnect for StdNet {
    type Error = io::Error;
    type Connection<'a> = StdConnection;

    async fn connect(&self, remote: SocketAddr) -> io::Result<StdConnection> {
        let s = TcpStream::connect_timeout(&remote, WAIT)?;
        s.set_read_timeout(Some(WAIT))?;
        s.set_write_timeout(Some(WAIT))?;
        s.set_nodelay(true)?;
        Ok(StdConnection(s))
    }
}

impl Dns for StdNet {
    type Error = io::Error;

    async fn get_host_by_name(&self, host: &str, addr_type: AddrType) -> io::Result<IpAddr> {
        (host, 0)
            .to_socket_addrs()?
            .map(|a| a.ip())
            .find(|ip| match addr_type {
                AddrType::IPv4 => ip.is_ipv4(),
                AddrType::IPv6 => ip.is_ipv6(),
                AddrType::Either => true,
            })
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, host.to_string()))
    }

    async fn get_host_by_address(&self, _addr: IpAddr, _result: &mut [u8]) -> io::Result<usize> {
        Err(io::ErrorKind::Unsupported.into())
    }
}

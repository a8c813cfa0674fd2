//! embedded-nal-async 0.9 on the stack: `TcpConnect`, `Dns` (`AT+QIDNSGIP`) and `UdpStack`
//! (connected UDP over `"UDP"`, unconnected over `"UDP SERVICE"`), so that HTTP, MQTT and
//! other clients written against those traits run on the module unmodified.

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use embedded_io_async::Write;
use embedded_nal_async::{AddrType, ConnectedUdp, Dns, TcpConnect, UdpStack, UnconnectedUdp};

use crate::wire::ip_text;

use super::{Error, Stack, TcpSocket, UdpService, UdpSocket};

fn wanted(ip: &IpAddr, kind: &AddrType) -> bool {
    matches!(
        (ip, kind),
        (_, AddrType::Either) | (IpAddr::V4(_), AddrType::IPv4) | (IpAddr::V6(_), AddrType::IPv6)
    )
}

fn unspecified(like: &SocketAddr, port: u16) -> SocketAddr {
    match like {
        SocketAddr::V4(_) => SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), port),
        SocketAddr::V6(_) => SocketAddr::new(IpAddr::V6(Ipv6Addr::UNSPECIFIED), port),
    }
}

impl<'d, W: Write> TcpConnect for Stack<'d, W> {
    type Error = Error;
    type Connection<'a>
        = TcpSocket<'a, 'd, W>
    where
        Self: 'a;

    async fn connect<'a>(&'a self, remote: SocketAddr) -> Result<TcpSocket<'a, 'd, W>, Error> {
        Stack::connect(self, &ip_text(remote.ip()), remote.port()).await
    }
}

impl<W: Write> Stack<'_, W> {
    /// Resolves `host` on the stack's context (`AT+QIDNSGIP`): the first address of the
    /// kind asked for. An address given as text is returned as it is.
    pub async fn resolve(&self, host: &str, kind: AddrType) -> Result<IpAddr, Error> {
        if let Ok(ip) = host.parse::<IpAddr>() {
            return if wanted(&ip, &kind) {
                Ok(ip)
            } else {
                Err(Error::NotFound)
            };
        }
        let mut c = self.client().await?;
        // Each address is looked at where it lies, one at a time: none is kept but the first
        // of the kind asked for.
        let mut first = None;
        c.resolve_each(self.config.context_id, host, |a| {
            if first.is_none() {
                first = a.parse::<IpAddr>().ok().filter(|ip| wanted(ip, &kind));
            }
        })
        .await
        .map_err(|e| self.failed(&c, e))?;
        first.ok_or(Error::NotFound)
    }
}

impl<W: Write> Dns for Stack<'_, W> {
    type Error = Error;

    async fn get_host_by_name(&self, host: &str, kind: AddrType) -> Result<IpAddr, Error> {
        self.resolve(host, kind).await
    }

    /// The module offers no reverse lookup.
    async fn get_host_by_address(&self, _addr: IpAddr, _result: &mut [u8]) -> Result<usize, Error> {
        Err(Error::Unsupported)
    }
}

/// The stack by reference: the sockets borrow it.
impl<'a, 'd, W: Write> UdpStack for &'a Stack<'d, W> {
    type Error = Error;
    type Connected = UdpSocket<'a, 'd, W>;
    type UniquelyBound = BoundUdp<'a, 'd, W>;
    type MultiplyBound = BoundUdp<'a, 'd, W>;

    /// The local address returned is unspecified with the port asked for (0: the module
    /// chose one and does not say which).
    async fn connect_from(
        &self,
        local: SocketAddr,
        remote: SocketAddr,
    ) -> Result<(SocketAddr, UdpSocket<'a, 'd, W>), Error> {
        let socket = self
            .connect_udp(&ip_text(remote.ip()), remote.port(), local.port())
            .await?;
        Ok((unspecified(&local, local.port()), socket))
    }

    async fn bind_single(
        &self,
        local: SocketAddr,
    ) -> Result<(SocketAddr, BoundUdp<'a, 'd, W>), Error> {
        let service = self.bind_udp(local.port()).await?;
        let local = unspecified(&local, local.port());
        Ok((local, BoundUdp { service, local }))
    }

    /// One service per local address is all the module offers.
    async fn bind_multiple(&self, _local: SocketAddr) -> Result<BoundUdp<'a, 'd, W>, Error> {
        Err(Error::Unsupported)
    }
}

impl<W: Write> ConnectedUdp for UdpSocket<'_, '_, W> {
    type Error = Error;

    async fn send(&mut self, data: &[u8]) -> Result<(), Error> {
        UdpSocket::send(self, data).await
    }

    async fn receive_into(&mut self, buffer: &mut [u8]) -> Result<usize, Error> {
        self.receive(buffer).await
    }
}

/// A UDP service as embedded-nal's unconnected socket: the service and its local address.
pub struct BoundUdp<'a, 'd, W: Write> {
    /// The service.
    pub service: UdpService<'a, 'd, W>,
    local: SocketAddr,
}

impl<W: Write> UnconnectedUdp for BoundUdp<'_, '_, W> {
    type Error = Error;

    async fn send(
        &mut self,
        _local: SocketAddr,
        remote: SocketAddr,
        data: &[u8],
    ) -> Result<(), Error> {
        self.service
            .send_to(data, &ip_text(remote.ip()), remote.port())
            .await
    }

    async fn receive_into(
        &mut self,
        buffer: &mut [u8],
    ) -> Result<(usize, SocketAddr, SocketAddr), Error> {
        let (n, from) = self.service.receive_from(buffer).await?;
        let ip = from
            .ip
            .parse::<IpAddr>()
            .map_err(|_| Error::Client(crate::client::Error::Parse))?;
        Ok((n, self.local, SocketAddr::new(ip, from.port().get())))
    }
}

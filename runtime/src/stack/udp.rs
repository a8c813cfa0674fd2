//! UDP on the stack: a socket bound to one peer (`"UDP"`) and a service that talks to any
//! peer (`"UDP SERVICE"`). A datagram is never split: one send is one datagram of at most one
//! `AT+QISEND` (1460 bytes), one receive is one datagram.

use embedded_io_async::Write;

use super::{Error, Stack};
use crate::client::{Sender, SEND_CHUNK};
use crate::ConnectId;

/// Sends one datagram, refusing what one command cannot carry.
fn check_len(data: &[u8]) -> Result<(), Error> {
    if data.len() > SEND_CHUNK {
        return Err(Error::Client(crate::client::Error::TooLong {
            max: SEND_CHUNK,
        }));
    }
    Ok(())
}

macro_rules! socket_common {
    ($t:ident) => {
        impl<'a, 'd, W: Write> $t<'a, 'd, W> {
            pub(super) fn new(stack: &'a Stack<'d, W>, id: ConnectId) -> Self {
                $t {
                    stack,
                    id,
                    open: true,
                }
            }

            /// The connect ID the stack gave this socket.
            pub fn connect_id(&self) -> ConnectId {
                self.id
            }

            /// Closes the socket (`AT+QICLOSE`) and gives the connect ID back.
            pub async fn close(mut self) -> Result<(), Error> {
                self.open = false;
                self.stack.close_socket(self.id).await
            }
        }

        impl<W: Write> Drop for $t<'_, '_, W> {
            fn drop(&mut self) {
                if self.open {
                    self.stack.drop_socket(self.id);
                }
            }
        }
    };
}

/// A UDP socket bound to one peer.
pub struct UdpSocket<'a, 'd, W: Write> {
    stack: &'a Stack<'d, W>,
    id: ConnectId,
    open: bool,
}

socket_common!(UdpSocket);

impl<W: Write> UdpSocket<'_, '_, W> {
    /// Sends one datagram to the peer.
    pub async fn send(&mut self, data: &[u8]) -> Result<(), Error> {
        check_len(data)?;
        if data.is_empty() {
            return Ok(());
        }
        self.stack.send_once(self.id, data, None).await
    }

    /// Receives one datagram into `buf` (waits for one); returns its length, cut to `buf`.
    pub async fn receive(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        self.stack.receive::<usize>(self.id, buf).await
    }
}

/// A UDP service on a local port: datagrams to and from any peer.
pub struct UdpService<'a, 'd, W: Write> {
    stack: &'a Stack<'d, W>,
    id: ConnectId,
    open: bool,
}

socket_common!(UdpService);

impl<W: Write> UdpService<'_, '_, W> {
    /// Sends one datagram to `ip` (an address, as text) and `port`.
    pub async fn send_to(&mut self, data: &[u8], ip: &str, port: u16) -> Result<(), Error> {
        check_len(data)?;
        if data.is_empty() {
            return Ok(());
        }
        self.stack.send_once(self.id, data, Some((ip, port))).await
    }

    /// Receives one datagram into `buf` (waits for one): its length, cut to `buf`, and who
    /// sent it.
    pub async fn receive_from(&mut self, buf: &mut [u8]) -> Result<(usize, Sender), Error> {
        let got = self
            .stack
            .receive::<super::io::Received>(self.id, buf)
            .await?;
        match got.from {
            Some(from) => Ok((got.len, from)),
            // A service has no peer to close it: only the network or the host ends it.
            None if got.len == 0 => Err(Error::PeerClosed),
            None => Err(Error::Client(crate::client::Error::Parse)),
        }
    }
}

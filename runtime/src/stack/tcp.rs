//! A TCP connection of the stack, as embedded-io-async streams; [`TcpSocket::split`] gives a
//! reader and a writer that two tasks can use at once.

use embedded_io_async::Write;

use super::{Error, Stack};
use crate::client::SEND_CHUNK;
use crate::ConnectId;

/// A TCP connection: read and write it with the `embedded_io_async` traits; close it with
/// [`close`](Self::close) (dropping it closes it too, with the next command the stack sends).
///
/// A read waits for data and returns what there is; after the peer's close it returns the
/// last bytes, then 0. A write sends at most one `AT+QISEND` (1460 bytes) and returns how many
/// it took; `write_all` sends everything.
pub struct TcpSocket<'a, 'd, W: Write> {
    io: TcpIo<'a, 'd, W>,
    open: bool,
}

/// The reading half of a [`TcpSocket`].
pub struct TcpReader<'s, 'a, 'd, W: Write>(&'s TcpIo<'a, 'd, W>);

/// The writing half of a [`TcpSocket`].
pub struct TcpWriter<'s, 'a, 'd, W: Write>(&'s TcpIo<'a, 'd, W>);

/// What both halves need: the stack and the connect ID.
struct TcpIo<'a, 'd, W: Write> {
    stack: &'a Stack<'d, W>,
    id: ConnectId,
}

impl<W: Write> TcpIo<'_, '_, W> {
    async fn read(&self, buf: &mut [u8]) -> Result<usize, Error> {
        self.stack.receive::<usize>(self.id, buf).await
    }

    async fn write(&self, buf: &[u8]) -> Result<usize, Error> {
        if buf.is_empty() {
            return Ok(0);
        }
        let n = buf.len().min(SEND_CHUNK);
        self.stack.send_once(self.id, &buf[..n], None).await?;
        Ok(n)
    }
}

impl<'a, 'd, W: Write> TcpSocket<'a, 'd, W> {
    pub(super) fn new(stack: &'a Stack<'d, W>, id: ConnectId) -> Self {
        TcpSocket {
            io: TcpIo { stack, id },
            open: true,
        }
    }

    /// The connect ID the stack gave this socket.
    pub fn connect_id(&self) -> ConnectId {
        self.io.id
    }

    /// Whether the peer (or the network) closed the connection; bytes may still wait.
    pub fn peer_closed(&self) -> bool {
        self.io.stack.shared.with(|s| s.peer_closed(self.io.id))
    }

    /// A reader and a writer of this connection, for use at the same time (say, one task
    /// reading while another writes).
    pub fn split(&mut self) -> (TcpReader<'_, 'a, 'd, W>, TcpWriter<'_, 'a, 'd, W>) {
        (TcpReader(&self.io), TcpWriter(&self.io))
    }

    /// Closes the connection (`AT+QICLOSE`) and gives the connect ID back.
    pub async fn close(mut self) -> Result<(), Error> {
        self.open = false;
        self.io.stack.close_socket(self.io.id).await
    }
}

impl<W: Write> Drop for TcpSocket<'_, '_, W> {
    fn drop(&mut self) {
        if self.open {
            self.io.stack.drop_socket(self.io.id);
        }
    }
}

impl<W: Write> embedded_io::ErrorType for TcpSocket<'_, '_, W> {
    type Error = Error;
}

impl<W: Write> embedded_io::ErrorType for TcpReader<'_, '_, '_, W> {
    type Error = Error;
}

impl<W: Write> embedded_io::ErrorType for TcpWriter<'_, '_, '_, W> {
    type Error = Error;
}

impl<W: Write> embedded_io_async::Read for TcpSocket<'_, '_, W> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        self.io.read(buf).await
    }
}

impl<W: Write> embedded_io_async::Read for TcpReader<'_, '_, '_, W> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Error> {
        self.0.read(buf).await
    }
}

impl<W: Write> embedded_io_async::Write for TcpSocket<'_, '_, W> {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Error> {
        self.io.write(buf).await
    }

    /// `SEND OK` already means the module took the data: there is nothing to flush.
    async fn flush(&mut self) -> Result<(), Error> {
        Ok(())
    }
}

impl<W: Write> embedded_io_async::Write for TcpWriter<'_, '_, '_, W> {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Error> {
        self.0.write(buf).await
    }

    /// `SEND OK` already means the module took the data: there is nothing to flush.
    async fn flush(&mut self) -> Result<(), Error> {
        Ok(())
    }
}

impl<W: Write> embedded_io_async::ReadReady for TcpSocket<'_, '_, W> {
    fn read_ready(&mut self) -> Result<bool, Error> {
        self.io.stack.read_ready(self.io.id)
    }
}

impl<W: Write> embedded_io_async::ReadReady for TcpReader<'_, '_, '_, W> {
    fn read_ready(&mut self) -> Result<bool, Error> {
        self.0.stack.read_ready(self.0.id)
    }
}

/// Always ready: a write waits only for the command lock and a full module buffer.
impl<W: Write> embedded_io_async::WriteReady for TcpSocket<'_, '_, W> {
    fn write_ready(&mut self) -> Result<bool, Error> {
        Ok(true)
    }
}

/// Always ready: a write waits only for the command lock and a full module buffer.
impl<W: Write> embedded_io_async::WriteReady for TcpWriter<'_, '_, '_, W> {
    fn write_ready(&mut self) -> Result<bool, Error> {
        Ok(true)
    }
}

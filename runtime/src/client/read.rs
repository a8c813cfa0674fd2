//! Reading: `AT+QIRD` into the caller's buffer, drained until the module has nothing left (it
//! does not announce data again while some is left), the UDP service form with the sender, the
//! counters, and pushed data in direct push mode.

use core::cell::RefCell;

use atat::{AtatCmd, AtatResp, InternalError};
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::blocking_mutex::Mutex;

use super::reply::{Failure, Reply};
use super::{Client, Error, Link, Sender};
use crate::response::qird::{CountersLine, ReadFromLine, ReadLine};
use crate::wire::{split_line, DecodeError};
use crate::{qird, AccessMode, ConnectId, ReadLength};

/// Decodes an `AT+QIRD` answer: the line without its payload, and the payload where it lies.
type Split<R> = for<'p> fn(&'p [u8]) -> Result<(R, &'p [u8]), DecodeError>;

fn split_read(bytes: &[u8]) -> Result<(ReadLine<'static>, &[u8]), DecodeError> {
    let (line, payload) = split_line(bytes);
    let l = ReadLine::decode(line, payload)?;
    let data = l.data;
    Ok((l.detach(), data))
}

fn split_read_from(bytes: &[u8]) -> Result<(ReadFromLine<'static>, &[u8]), DecodeError> {
    let (line, payload) = split_line(bytes);
    let l = ReadFromLine::decode(line, payload)?;
    let data = l.data;
    Ok((l.detach(), data))
}

/// An `AT+QIRD` whose answer's payload goes from where atat (or the stack) holds the answer
/// straight into the caller's buffer: no reply value carries it.
struct ReadInto<'c, 'b, C: AtatCmd> {
    cmd: &'c C,
    split: Split<C::Response>,
    /// Locked only to copy the payload in (atat parses through `&self`).
    buf: Mutex<CriticalSectionRawMutex, RefCell<&'b mut [u8]>>,
}

/// The line of an `AT+QIRD` answer (payload left behind) and how many bytes were copied.
struct Filled<R> {
    line: R,
    len: usize,
}

impl<R> AtatResp for Filled<R> {}

impl<C: AtatCmd> AtatCmd for ReadInto<'_, '_, C> {
    type Response = Reply<Filled<C::Response>>;
    const MAX_TIMEOUT_MS: u32 = C::MAX_TIMEOUT_MS;
    const EXPECTS_RESPONSE_CODE: bool = C::EXPECTS_RESPONSE_CODE;

    fn write(&self, buf: &mut [u8]) -> usize {
        self.cmd.write(buf)
    }

    fn parse(&self, resp: Result<&[u8], InternalError>) -> Result<Self::Response, atat::Error> {
        let bytes = match resp {
            Ok(bytes) => bytes,
            Err(InternalError::Capacity) => return Err(atat::Error::Capacity),
            Err(e) => return Ok(Reply::Failed(Failure::from_internal(&e))),
        };
        let (line, data) = (self.split)(bytes).map_err(|_| atat::Error::Parse)?;
        // More than was asked for is the module's fault: refused, never cut.
        self.buf.lock(|b| {
            b.borrow_mut()
                .get_mut(..data.len())
                .ok_or(atat::Error::Parse)?
                .copy_from_slice(data);
            Ok(Reply::Done(Filled {
                line,
                len: data.len(),
            }))
        })
    }
}

impl<'c, 'b, C: AtatCmd> ReadInto<'c, 'b, C> {
    fn new(cmd: &'c C, split: Split<C::Response>, buf: &'b mut [u8]) -> Self {
        ReadInto {
            cmd,
            split,
            buf: Mutex::new(RefCell::new(buf)),
        }
    }
}

/// The read length for a buffer of `room` bytes: the spec's longest read at most, left out
/// when the buffer holds that much (as in the document's examples).
fn read_length(room: usize) -> Option<ReadLength> {
    let max = ReadLength::MAX;
    match room {
        // A length of 0 asks for the counters instead.
        0 => None,
        n if n >= usize::from(max.get()) => Some(max),
        n => ReadLength::new(n as i64),
    }
}

impl<L: Link, const PUSH: usize> Client<'_, L, PUSH> {
    /// Reads received bytes into `buf`; returns how many (0: none waiting). An empty `buf` is
    /// [`Error::BufferTooSmall`] (nothing is written): a 0 from it would look like no data.
    ///
    /// Buffer access: `AT+QIRD=<id>,<len>` until the module reports 0 bytes or `buf` is full
    /// (then call again: the module will not announce the rest). Direct push: the bytes the
    /// module pushed, from the client's push buffer.
    pub async fn read(&mut self, connect_id: ConnectId, buf: &mut [u8]) -> Result<usize, Error> {
        if buf.is_empty() {
            return Err(Error::BufferTooSmall);
        }
        self.process_urcs();
        let pushed = self.router.socket(connect_id).mode == Some(AccessMode::DirectPush);
        let mut filled = 0;
        if pushed {
            while filled < buf.len() {
                match self.read_pushed(connect_id, &mut buf[filled..])? {
                    (0, _) => break,
                    (n, _) => filled += n,
                }
            }
            return Ok(filled);
        }
        while filled < buf.len() {
            let n = self.read_once(connect_id, &mut buf[filled..]).await?;
            filled += n;
            if n == 0 {
                break;
            }
        }
        Ok(filled)
    }

    /// One `AT+QIRD=<id>,<len>` into `buf` (buffer access): returns how many bytes came; 0
    /// means the module's buffer is empty (and no URC comes until new data arrives).
    pub async fn read_once(
        &mut self,
        connect_id: ConnectId,
        buf: &mut [u8],
    ) -> Result<usize, Error> {
        let read_length = read_length(buf.len()).ok_or(Error::BufferTooSmall)?;
        let cmd = qird::Read {
            connect_id,
            read_length: Some(read_length),
        };
        let n = self
            .exec_as(&cmd, &ReadInto::new(&cmd, split_read, buf))
            .await?
            .len;
        if n == 0 {
            self.router.socket_mut(connect_id).data_pending = false;
        }
        Ok(n)
    }

    /// Reads one datagram of a UDP service into `buf`, with its sender; `None` when none
    /// waits. Buffer access: `AT+QIRD=<id>[,<len>]`; direct push: from the push buffer.
    pub async fn read_from(
        &mut self,
        connect_id: ConnectId,
        buf: &mut [u8],
    ) -> Result<Option<(usize, Sender)>, Error> {
        if buf.is_empty() {
            return Err(Error::BufferTooSmall);
        }
        self.process_urcs();
        if self.router.socket(connect_id).mode == Some(AccessMode::DirectPush) {
            return match self.read_pushed(connect_id, buf)? {
                (0, _) => Ok(None),
                (n, Some(from)) => Ok(Some((n, from))),
                (_, None) => Err(Error::Parse),
            };
        }
        let len = read_length(buf.len()).ok_or(Error::BufferTooSmall)?;
        let cmd = qird::ReadFrom {
            connect_id,
            read_length: (len != ReadLength::MAX).then_some(len),
        };
        let Filled { line, len: n } = self
            .exec_as(&cmd, &ReadInto::new(&cmd, split_read_from, buf))
            .await?;
        if n == 0 {
            self.router.socket_mut(connect_id).data_pending = false;
            return Ok(None);
        }
        let ip = line.remote_ip.unwrap_or_default();
        let port = line.remote_port.ok_or(Error::Parse)?;
        let from = Sender::new(&ip, port).ok_or(Error::Parse)?;
        Ok(Some((n, from)))
    }

    /// `AT+QIRD=<id>,0`: bytes received, read, and not read yet.
    pub async fn read_counters(&mut self, connect_id: ConnectId) -> Result<CountersLine, Error> {
        self.exec(&qird::Counters { connect_id }).await
    }

    /// Direct push: bytes of `connect_id` waiting in the client's push buffer.
    pub fn pushed_len(&mut self, connect_id: ConnectId) -> usize {
        self.process_urcs();
        self.router.pushed_len(connect_id)
    }

    fn read_pushed(
        &mut self,
        connect_id: ConnectId,
        buf: &mut [u8],
    ) -> Result<(usize, Option<Sender>), Error> {
        let s = self.router.socket_mut(connect_id);
        if core::mem::take(&mut s.overrun) {
            return Err(Error::Overrun);
        }
        Ok(self
            .router
            .read_pushed(connect_id, buf)
            .unwrap_or((0, None)))
    }
}

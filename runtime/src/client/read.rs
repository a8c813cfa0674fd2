//! Reading: `AT+QIRD` into the caller's buffer, drained until the module has nothing left (it
//! does not announce data again while some is left), the UDP service form with the sender, the
//! counters, and pushed data in direct push mode.

use super::{Client, Error, Link, Sender};
use crate::response::qird::{CountersLine, ReadFromLine, ReadLine};
use crate::wire::{copy_payload, decode_data_frame, DecodeError};
use crate::{qird, AccessMode, ConnectId, ReadLength};

/// The two `+QIRD:` lines that carry a payload: a socket's read and a UDP service's (with
/// the sender).
trait DataLine<'a>: Sized {
    type Detached;
    fn decode(line: &'a [u8], payload: &'a [u8]) -> Result<Self, DecodeError>;
    fn data(&self) -> &'a [u8];
    fn set_data(&mut self, data: &'a [u8]);
    fn announced(&self) -> usize;
    fn detach(self) -> Self::Detached;
}

macro_rules! data_line {
    ($($line:ident),*) => {$(
        impl<'a> DataLine<'a> for $line<'a> {
            type Detached = $line<'static>;
            fn decode(line: &'a [u8], payload: &'a [u8]) -> Result<Self, DecodeError> {
                $line::decode(line, payload)
            }
            fn data(&self) -> &'a [u8] {
                self.data
            }
            fn set_data(&mut self, data: &'a [u8]) {
                self.data = data;
            }
            fn announced(&self) -> usize {
                announced(self.read_actual_length.get())
            }
            fn detach(self) -> Self::Detached {
                $line::detach(self)
            }
        }
    )*};
}
data_line!(ReadLine, ReadFromLine);

/// Decodes an `AT+QIRD` answer where it lies: the line without its payload, the payload as
/// it lies on the wire (raw or hex digits, any view mode) and the bytes it announces.
fn split_read<'a, D: DataLine<'a>>(
    bytes: &'a [u8],
) -> Result<(D::Detached, &'a [u8], usize), DecodeError> {
    let l = decode_data_frame(bytes, D::decode, |x| x.data().len(), D::set_data)?;
    let (data, n) = (l.data(), l.announced());
    Ok((l.detach(), data, n))
}

/// A UDP service's `AT+QIRD` answer: the datagram copied into `buf`, and its sender; `None`
/// when none waited. Apart, so that the line lies in this frame only, and the sender is built
/// where it is returned.
#[inline(never)]
fn read_datagram(bytes: &[u8], buf: &mut [u8]) -> Result<Option<(usize, Sender)>, Error> {
    // Looked at where it was decoded: mapping the `Result` would copy the line each time.
    let decoded = decode_data_frame(
        bytes,
        ReadFromLine::decode,
        |x| x.data.len(),
        |x, d| {
            x.data = d;
        },
    );
    let Ok(line) = &decoded else {
        return Err(Error::Parse);
    };
    let len = line.announced();
    // More than was asked for is the module's fault: refused, never cut.
    if len > buf.len() {
        return Err(Error::Parse);
    }
    let n = copy_payload(line.data, len, 0, buf).map_err(|_| Error::Parse)?;
    if n == 0 {
        return Ok(None);
    }
    let ip = line.remote_ip.as_deref().unwrap_or_default();
    let port = line.remote_port.ok_or(Error::Parse)?;
    Ok(Some((n, Sender::new(ip, port).ok_or(Error::Parse)?)))
}

fn announced(len: impl TryInto<usize>) -> usize {
    len.try_into().unwrap_or(0)
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
    ///
    /// An answer with more bytes than asked (a module fault) is [`Error::Parse`]; see
    /// [`read_once_into`](Self::read_once_into) to keep them.
    pub async fn read_once(
        &mut self,
        connect_id: ConnectId,
        buf: &mut [u8],
    ) -> Result<usize, Error> {
        self.read_once_into(connect_id, buf, |_| Err(Error::Parse))
            .await
    }

    /// [`read_once`](Self::read_once), handing the bytes of an answer longer than asked
    /// (those past `buf`, a module fault) to `excess`, whose error is the call's. They come
    /// as they lie in the answer ([`ExcessBytes`]: raw or hex digits), not decoded into a
    /// buffer of this call.
    pub async fn read_once_into(
        &mut self,
        connect_id: ConnectId,
        buf: &mut [u8],
        excess: impl FnOnce(ExcessBytes<'_>) -> Result<(), Error> + Send,
    ) -> Result<usize, Error> {
        let read_length = read_length(buf.len()).ok_or(Error::BufferTooSmall)?;
        let cmd = qird::Read {
            connect_id,
            read_length: Some(read_length),
        };
        // The payload goes from where the answer lies straight into `buf`: no reply value
        // carries it.
        let n = self
            .exec_read(&cmd, |bytes| {
                let (_, wire, len) = split_read::<ReadLine>(bytes).map_err(|_| Error::Parse)?;
                let n = copy_payload(wire, len, 0, buf).map_err(|_| Error::Parse)?;
                if len > n {
                    excess(ExcessBytes::new(wire, len, n).ok_or(Error::Parse)?)?;
                }
                Ok(n)
            })
            .await?;
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
        // The sender is taken from the line where it was decoded: no copy of the line (its
        // 255-byte address) leaves the reading.
        let got = self
            .exec_read(&cmd, |bytes| read_datagram(bytes, buf))
            .await?;
        if got.is_none() {
            self.router.socket_mut(connect_id).data_pending = false;
        }
        Ok(got)
    }

    /// `AT+QIRD=<id>,0`: bytes received, read, and not read yet.
    pub async fn read_counters(&mut self, connect_id: ConnectId) -> Result<CountersLine, Error> {
        self.exec(&qird::Counters { connect_id }).await
    }

    /// Direct push: bytes of `connect_id` waiting in the client's push ring (or buffer).
    pub fn pushed_len(&mut self, connect_id: ConnectId) -> usize {
        self.process_urcs();
        match self.link.payloads() {
            Some(ring) => ring.unread(connect_id),
            None => self.router.pushed_len(connect_id),
        }
    }

    fn read_pushed(
        &mut self,
        connect_id: ConnectId,
        buf: &mut [u8],
    ) -> Result<(usize, Option<Sender>), Error> {
        self.sync_ring();
        let s = self.router.socket_mut(connect_id);
        if core::mem::take(&mut s.overrun) {
            return Err(Error::Overrun);
        }
        // From the ring straight into `buf`: the payload's one copy after the ingress.
        let read = match self.link.payloads() {
            Some(ring) => ring.read(connect_id, buf),
            None => self.router.read_pushed(connect_id, buf),
        };
        Ok(read.unwrap_or((0, None)))
    }
}

/// The bytes of an `AT+QIRD` answer past the reader's buffer (a module fault: it answered
/// more than asked), as they lie in the answer: raw, or two hex digits a byte in hex framing.
/// [`Client::read_once_into`] hands them over where they lie, so that no call needs a
/// payload-sized buffer of its own to decode them.
#[derive(Debug, Clone, Copy)]
pub struct ExcessBytes<'a> {
    wire: &'a [u8],
    len: usize,
}

impl<'a> ExcessBytes<'a> {
    /// The bytes of a payload of `len` past its first `skip`, from its wire form; `None` when
    /// the wire form is neither `len` raw bytes nor `2 len` hex digits.
    fn new(wire: &'a [u8], len: usize, skip: usize) -> Option<Self> {
        let skip = skip.min(len);
        let wire = if wire.len() == len {
            &wire[skip..]
        } else if wire.len() == len.checked_mul(2)? && wire.iter().all(u8::is_ascii_hexdigit) {
            &wire[2 * skip..]
        } else {
            return None;
        };
        Some(ExcessBytes {
            wire,
            len: len - skip,
        })
    }

    /// How many bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The bytes as they lie in the answer: [`len`](Self::len) raw bytes, or twice as many hex
    /// digits (what [`copy_payload`] takes).
    pub fn wire(&self) -> &'a [u8] {
        self.wire
    }

    /// Copies the bytes, past their first `skip`, into `out` (decoding hex digits on the
    /// way); returns how many were written (as many as fit).
    pub fn copy_to(&self, skip: usize, out: &mut [u8]) -> usize {
        // `new` checked the wire form, so the copy cannot fail.
        copy_payload(self.wire, self.len, skip, out).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::ExcessBytes;

    #[test]
    fn excess_bytes_are_handed_over_raw_or_as_hex_digits() {
        let raw = ExcessBytes::new(b"abcdef", 6, 4).unwrap();
        assert_eq!((raw.len(), raw.wire()), (2, &b"ef"[..]));
        let hex = ExcessBytes::new(b"6162636465", 5, 2).unwrap();
        assert_eq!((hex.len(), hex.wire()), (3, &b"636465"[..]));
        let mut out = [0u8; 2];
        assert_eq!(hex.copy_to(1, &mut out), 2);
        assert_eq!(&out, b"de");
        assert!(
            ExcessBytes::new(b"abc", 5, 2).is_none(),
            "neither raw nor hex"
        );
        assert!(ExcessBytes::new(b"61zz", 2, 1).is_none(), "not hex digits");
        assert!(ExcessBytes::new(b"ab", 2, 2).unwrap().is_empty());
    }
}

//! The bytes the module pushed in direct push mode, kept until the host reads them: one flat
//! buffer of records in arrival order (each: the sender's address for a UDP service, then the
//! payload). Fixed size; when full, new data is dropped and the socket marked.

use heapless::{String, Vec};

use crate::{ConnectId, Port, RecvLength};

/// Bytes the push buffer holds: two of the largest pushes of the spec.
pub const PUSH_CAPACITY: usize = 2 * RecvLength::MAX.get() as usize;
/// Pushes the buffer keeps apart at once.
pub const PUSH_RECORDS: usize = 8;

/// The longest sender address a [`Sender`] holds: an IPv6 address in text, with an IPv4
/// address in its last 32 bits (45 characters). A sender is an address, never a name.
pub const SENDER_IP_LEN: usize = 45;

/// Who sent a datagram to a UDP service. A few dozen bytes: it is carried out of every
/// level of a read, and a 255-byte string (the spec's room for any host) was copied at
/// each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sender {
    /// The sender's address, as the module wrote it (an address longer than
    /// [`SENDER_IP_LEN`] is a module fault, read as [`Error::Parse`](super::Error::Parse)).
    pub ip: String<SENDER_IP_LEN>,
    pub(super) port: Port,
}

// Small on every target: the no_std build for thumbv7em checks it too.
const _: () = assert!(core::mem::size_of::<Sender>() <= 64);

impl Sender {
    pub(crate) fn new(ip: &str, port: Port) -> Option<Self> {
        Some(Sender {
            ip: String::try_from(ip).ok()?,
            port,
        })
    }
}

#[derive(Debug, Clone, Copy)]
struct Record {
    id: ConnectId,
    /// Length of the sender's address in front of the payload; `None` without a sender.
    ip_len: Option<u8>,
    port: Port,
    /// Payload bytes not read yet.
    len: u16,
}

impl Record {
    fn size(&self) -> usize {
        usize::from(self.ip_len.unwrap_or(0)) + usize::from(self.len)
    }
}

/// Pushed data of every socket.
#[derive(Debug)]
pub struct PushBuffer<const N: usize = PUSH_CAPACITY> {
    bytes: Vec<u8, N>,
    records: Vec<Record, PUSH_RECORDS>,
}

impl<const N: usize> Default for PushBuffer<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> PushBuffer<N> {
    /// Empty.
    pub const fn new() -> Self {
        PushBuffer {
            bytes: Vec::new(),
            records: Vec::new(),
        }
    }

    /// Keeps a push of `len` bytes, `wire` as it lies on the wire (`len` raw bytes or `2 len`
    /// hex digits, see [`wire::copy_payload`](crate::wire::copy_payload)); `false` (and
    /// nothing kept) when it does not fit or `wire` is no such payload.
    pub fn push(&mut self, id: ConnectId, wire: &[u8], len: usize, from: Option<Sender>) -> bool {
        if len == 0 {
            return true;
        }
        let (ip, port) = match &from {
            Some(s) => (Some(s.ip.as_bytes()), s.port),
            None => (None, Port::MIN),
        };
        let ip_len = match ip.map(|ip| u8::try_from(ip.len())) {
            Some(Ok(n)) => Some(n),
            Some(Err(_)) => return false,
            None => None,
        };
        let Ok(len16) = u16::try_from(len) else {
            return false;
        };
        let need = usize::from(ip_len.unwrap_or(0)) + len;
        if self.records.is_full() || self.bytes.capacity() - self.bytes.len() < need {
            return false;
        }
        let start = self.bytes.len();
        if let Some(ip) = ip {
            let _ = self.bytes.extend_from_slice(ip);
        }
        let at = self.bytes.len();
        let _ = self.bytes.resize(at + len, 0);
        if crate::wire::copy_payload(wire, len, 0, &mut self.bytes[at..]) != Ok(len) {
            self.bytes.truncate(start);
            return false;
        }
        let _ = self.records.push(Record {
            id,
            ip_len,
            port,
            len: len16,
        });
        true
    }

    /// Whether a push of `len` payload bytes from a sender address of `sender_len` bytes
    /// (0: none) fits now.
    pub fn fits(&self, len: usize, sender_len: usize) -> bool {
        !self.records.is_full() && self.bytes.capacity() - self.bytes.len() >= len + sender_len
    }

    /// Copies the oldest push of `id` (or its first part) into `buf`; what is copied is gone.
    pub fn pop(&mut self, id: ConnectId, buf: &mut [u8]) -> Option<(usize, Option<Sender>)> {
        let i = self.records.iter().position(|r| r.id == id)?;
        let start: usize = self.records[..i].iter().map(Record::size).sum();
        let r = self.records[i];
        let ip_len = usize::from(r.ip_len.unwrap_or(0));
        let sender = r.ip_len.and_then(|_| {
            let ip = core::str::from_utf8(&self.bytes[start..start + ip_len]).ok()?;
            Sender::new(ip, r.port)
        });
        let payload = start + ip_len;
        let n = buf.len().min(usize::from(r.len));
        buf[..n].copy_from_slice(&self.bytes[payload..payload + n]);
        if n == usize::from(r.len) {
            self.remove(start, r.size());
            self.records.remove(i);
        } else {
            self.remove(payload, n);
            self.records[i].len -= n as u16;
        }
        Some((n, sender))
    }

    /// Payload bytes waiting for `id`.
    pub fn len_of(&self, id: ConnectId) -> usize {
        self.records
            .iter()
            .filter(|r| r.id == id)
            .map(|r| usize::from(r.len))
            .sum()
    }

    /// The socket whose pushes take the most bytes.
    pub fn largest(&self) -> Option<ConnectId> {
        let mut best: Option<(ConnectId, usize)> = None;
        for r in &self.records {
            let n = self.len_of(r.id);
            if best.is_none_or(|(_, m)| n > m) {
                best = Some((r.id, n));
            }
        }
        best.map(|(id, _)| id)
    }

    /// Drops everything of `id` (the socket was closed or reopened).
    pub fn discard(&mut self, id: ConnectId) {
        while let Some(i) = self.records.iter().position(|r| r.id == id) {
            let start: usize = self.records[..i].iter().map(Record::size).sum();
            self.remove(start, self.records[i].size());
            self.records.remove(i);
        }
    }

    fn remove(&mut self, at: usize, n: usize) {
        let len = self.bytes.len();
        self.bytes.copy_within(at + n..len, at);
        self.bytes.truncate(len - n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: i64) -> ConnectId {
        ConnectId::new(n).unwrap()
    }

    #[test]
    fn pushes_come_out_per_socket_in_order_and_in_parts() {
        let mut p: PushBuffer = PushBuffer::new();
        assert!(p.push(id(1), b"one", 3, None));
        let from = Sender::new("10.0.0.1", Port::new_const(7));
        assert!(p.push(id(2), b"datagram", 8, from.clone()));
        assert!(p.push(id(1), b"two", 3, None));
        let mut buf = [0u8; 4];
        assert_eq!(p.pop(id(2), &mut buf), Some((4, from.clone())));
        assert_eq!(&buf, b"data");
        assert_eq!(p.len_of(id(2)), 4);
        assert_eq!(p.pop(id(1), &mut buf), Some((3, None)));
        assert_eq!(&buf[..3], b"one");
        assert_eq!(p.pop(id(2), &mut buf), Some((4, from)));
        assert_eq!(&buf, b"gram");
        assert_eq!(p.pop(id(2), &mut buf), None);
        p.discard(id(1));
        assert_eq!(p.len_of(id(1)), 0);
        assert!(p.bytes.is_empty());
    }

    #[test]
    fn a_full_buffer_refuses_and_keeps_what_it_has() {
        let mut p: PushBuffer = PushBuffer::new();
        let big = [0xAAu8; PUSH_CAPACITY];
        assert!(p.push(id(0), &big[..PUSH_CAPACITY - 1], PUSH_CAPACITY - 1, None));
        assert!(!p.push(id(1), b"xy", 2, None));
        assert!(p.push(id(1), b"x", 1, None));
        assert_eq!(p.len_of(id(0)), PUSH_CAPACITY - 1);
    }
}

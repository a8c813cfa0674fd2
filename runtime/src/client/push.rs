//! The bytes the module pushed in direct push mode, kept until the host reads them: records in
//! arrival order, each at an offset of its own in one buffer (the payload, then the sender's
//! address for a UDP service). Fixed size; when full, new data is refused and the socket
//! marked.
//!
//! A read takes bytes from the front of a record and only moves the record's offset: nothing
//! is shifted on a pop, so each payload byte is copied once in (from the frame) and once out
//! (into the reader's buffer). A record goes to the lowest gap that holds it; only when the
//! free bytes are enough but lie apart (records read out of order left gaps) are the records
//! moved together, once, to make one gap: so a push fits whenever the free bytes are enough,
//! whatever order the sockets are read in.

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
    /// Length of the sender's address behind the payload; `None` without a sender.
    ip_len: Option<u8>,
    port: Port,
    /// Where the payload's unread bytes start (the sender's address follows them).
    start: u32,
    /// Payload bytes not read yet.
    len: u16,
}

impl Record {
    fn size(&self) -> usize {
        usize::from(self.ip_len.unwrap_or(0)) + usize::from(self.len)
    }
    fn extent(&self) -> (usize, usize) {
        (self.start as usize, self.size())
    }
}

/// Where `need` contiguous bytes fit in a buffer of `n` bytes beside the extents `used`
/// (start, length; empty ones take no room): the lowest such offset.
pub(crate) fn first_fit<I>(used: I, n: usize, need: usize) -> Option<usize>
where
    I: Iterator<Item = (usize, usize)> + Clone,
{
    let free_at = |at: usize| {
        at + need <= n
            && used
                .clone()
                .all(|(s, l)| l == 0 || at + need <= s || s + l <= at)
    };
    let after = used.clone().filter(|&(_, l)| l > 0).map(|(s, l)| s + l);
    core::iter::once(0)
        .chain(after)
        .filter(|&at| free_at(at))
        .min()
}

/// Moves the extents of `items` together at the start of `bytes`, in the order they lie
/// (each moves down, so `copy_within` never overwrites what is still to move); returns where
/// the free bytes start. Only when the free bytes lie apart: a push never waits for it.
pub(crate) fn compact<T>(
    bytes: &mut [u8],
    items: &mut [T],
    extent: impl Fn(&T) -> (usize, usize),
    move_to: impl Fn(&mut T, usize),
) -> usize {
    let mut cursor = 0;
    // Those moved end at or below `cursor`; those still to move start at or above it.
    while let Some(i) = (0..items.len())
        .filter(|&i| extent(&items[i]).1 > 0 && extent(&items[i]).0 >= cursor)
        .min_by_key(|&i| extent(&items[i]).0)
    {
        let (s, l) = extent(&items[i]);
        bytes.copy_within(s..s + l, cursor);
        move_to(&mut items[i], cursor);
        cursor += l;
    }
    cursor
}

/// Pushed data of every socket.
#[derive(Debug)]
pub struct PushBuffer<const N: usize = PUSH_CAPACITY> {
    bytes: [u8; N],
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
            bytes: [0; N],
            records: Vec::new(),
        }
    }

    fn used(&self) -> usize {
        self.records.iter().map(Record::size).sum()
    }

    /// Where `need` bytes go now (moving the records together if the free bytes lie apart);
    /// `None` when they are not enough.
    fn place(&mut self, need: usize) -> Option<usize> {
        if self.records.is_full() || N - self.used() < need {
            return None;
        }
        if let Some(at) = first_fit(self.records.iter().map(Record::extent), N, need) {
            return Some(at);
        }
        Some(compact(
            &mut self.bytes,
            &mut self.records,
            Record::extent,
            |r, at| r.start = at as u32,
        ))
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
        let Some(at) = self.place(need) else {
            return false;
        };
        if crate::wire::copy_payload(wire, len, 0, &mut self.bytes[at..at + len]) != Ok(len) {
            return false;
        }
        if let Some(ip) = ip {
            self.bytes[at + len..at + need].copy_from_slice(ip);
        }
        let _ = self.records.push(Record {
            id,
            ip_len,
            port,
            start: at as u32,
            len: len16,
        });
        true
    }

    /// Whether a push of `len` payload bytes from a sender address of `sender_len` bytes
    /// (0: none) fits now.
    pub fn fits(&self, len: usize, sender_len: usize) -> bool {
        !self.records.is_full() && N - self.used() >= len + sender_len
    }

    /// Copies the oldest push of `id` (or its first part) into `buf`; what is copied is gone.
    pub fn pop(&mut self, id: ConnectId, buf: &mut [u8]) -> Option<(usize, Option<Sender>)> {
        let i = self.records.iter().position(|r| r.id == id)?;
        let r = self.records[i];
        let (start, len) = (r.start as usize, usize::from(r.len));
        let sender = r.ip_len.and_then(|ip_len| {
            let ip = &self.bytes[start + len..start + len + usize::from(ip_len)];
            Sender::new(core::str::from_utf8(ip).ok()?, r.port)
        });
        let n = buf.len().min(len);
        buf[..n].copy_from_slice(&self.bytes[start..start + n]);
        if n == len {
            self.records.remove(i);
        } else {
            // The front is given up; the sender's address stays right behind what is left.
            self.records[i].start += n as u32;
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
        self.records.retain(|r| r.id != id);
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
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
        assert!(p.records.is_empty());
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

    #[test]
    fn a_gap_left_by_a_socket_read_first_is_used_and_free_bytes_apart_are_moved_together() {
        let mut p: PushBuffer<10> = PushBuffer::new();
        assert!(p.push(id(0), b"aaa", 3, None));
        assert!(p.push(id(1), b"bbb", 3, None));
        assert!(p.push(id(2), b"ccc", 3, None));
        let mut buf = [0u8; 3];
        // Socket 1 read first: a gap of 3 in the middle, 1 free at the end.
        assert_eq!(p.pop(id(1), &mut buf), Some((3, None)));
        assert!(p.push(id(3), b"dd", 2, None), "the gap takes it");
        assert_eq!(p.records[2].start, 3);
        // 2 free bytes, apart (one in the gap, one at the end): moved together.
        assert!(p.fits(2, 0));
        assert!(p.push(id(4), b"ee", 2, None));
        assert!(!p.fits(1, 0));
        for (i, want) in [(0, b"aaa".as_slice()), (2, b"ccc"), (3, b"dd"), (4, b"ee")] {
            let n = p.pop(id(i), &mut buf).unwrap().0;
            assert_eq!(&buf[..n], want, "socket {i}");
        }
    }

    #[derive(Debug, Clone)]
    enum Op {
        Push(u8, usize, bool),
        Pop(u8, usize),
        Discard(u8),
    }

    fn ops() -> impl proptest::strategy::Strategy<Value = std::vec::Vec<Op>> {
        use proptest::prelude::*;
        let op = prop_oneof![
            3 => (0u8..3, 1usize..40, any::<bool>()).prop_map(|(i, n, s)| Op::Push(i, n, s)),
            3 => (0u8..3, 1usize..30).prop_map(|(i, n)| Op::Pop(i, n)),
            1 => (0u8..3).prop_map(Op::Discard),
        ];
        proptest::collection::vec(op, 1..80)
    }

    proptest::proptest! {
        /// Against a model (per socket, a queue of pushes): a push is kept exactly when the
        /// free bytes (and a record) are enough, and every pop hands out the model's next
        /// bytes and sender, none lost, none twice, however the pops and pushes interleave.
        #[test]
        fn pushes_and_pops_in_any_order_lose_and_repeat_no_byte(ops in ops()) {
            use std::collections::VecDeque;
            use std::vec::Vec as StdVec;
            const N: usize = 100;
            let mut p: PushBuffer<N> = PushBuffer::new();
            let mut model: [VecDeque<(StdVec<u8>, Option<Sender>)>; 3] = Default::default();
            let mut next = 0u8;
            for op in ops {
                match op {
                    Op::Push(i, n, with_sender) => {
                        let data: StdVec<u8> = (0..n).map(|_| { next = next.wrapping_add(1); next }).collect();
                        let from = with_sender.then(|| Sender::new("10.1.2.3", Port::new_const(9)).unwrap());
                        let need = n + from.as_ref().map_or(0, |s| s.ip.len());
                        let used: usize = model.iter().flatten()
                            .map(|(d, s)| d.len() + s.as_ref().map_or(0, |s| s.ip.len())).sum();
                        let records = model.iter().map(VecDeque::len).sum::<usize>();
                        let fits = records < PUSH_RECORDS && used + need <= N;
                        proptest::prop_assert_eq!(p.fits(n, need - n), fits);
                        proptest::prop_assert_eq!(p.push(id(i.into()), &data, n, from.clone()), fits);
                        if fits {
                            model[usize::from(i)].push_back((data, from));
                        }
                    }
                    Op::Pop(i, n) => {
                        let mut buf = std::vec![0u8; n];
                        let got = p.pop(id(i.into()), &mut buf);
                        let q = &mut model[usize::from(i)];
                        match q.front_mut() {
                            None => proptest::prop_assert_eq!(got, None),
                            Some((d, s)) => {
                                let k = n.min(d.len());
                                proptest::prop_assert_eq!(got, Some((k, s.clone())));
                                proptest::prop_assert_eq!(&buf[..k], &d[..k]);
                                d.drain(..k);
                                if d.is_empty() {
                                    q.pop_front();
                                }
                            }
                        }
                    }
                    Op::Discard(i) => {
                        p.discard(id(i.into()));
                        model[usize::from(i)].clear();
                    }
                }
                for (i, q) in model.iter().enumerate() {
                    let want: usize = q.iter().map(|(d, _)| d.len()).sum();
                    proptest::prop_assert_eq!(p.len_of(id(i as i64)), want);
                }
            }
        }
    }
}

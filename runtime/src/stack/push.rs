//! The stack's push buffer: the bytes pushed in direct push mode, from the ingress to here and
//! from here to the reader's buffer. Its size is a parameter of
//! [`StackResources`](super::StackResources); the stack sees it through [`PushRing`], so that
//! the size is no parameter of the stack's types. Each push lies at an offset of its own and
//! a read only moves that offset ([`PushBuffer`]): no byte is shifted on a pop, and a push
//! fits whenever the free bytes are enough, so the runner's fairness (the socket holding the
//! most gives up, once its reader is slow) sees the same room as before.

use core::cell::RefCell;

use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::blocking_mutex::Mutex;

use crate::client::{PushBuffer, Sender};
use crate::ConnectId;

/// A push buffer of `N` bytes, shared by the runner and the readers.
pub struct PushCell<const N: usize>(Mutex<CriticalSectionRawMutex, RefCell<PushBuffer<N>>>);

impl<const N: usize> PushCell<N> {
    /// Empty.
    pub const fn new() -> Self {
        PushCell(Mutex::new(RefCell::new(PushBuffer::new())))
    }
}

impl<const N: usize> Default for PushCell<N> {
    fn default() -> Self {
        Self::new()
    }
}

/// The push buffer as the stack uses it, whatever its size (see [`PushBuffer`]).
pub(crate) trait PushRing: Sync {
    /// Keeps a push of `len` bytes, `wire` as it lies on the wire (see
    /// [`PushBuffer::push`]); `false` (nothing kept) when it does not fit now.
    fn push(&self, id: ConnectId, wire: &[u8], len: usize, from: Option<Sender>) -> bool;
    /// Whether a push of `len` bytes with a sender address of `sender` bytes fits now.
    fn fits(&self, len: usize, sender: usize) -> bool;
    /// Copies the oldest push of `id` (or its first part) into `buf`.
    fn pop(&self, id: ConnectId, buf: &mut [u8]) -> Option<(usize, Option<Sender>)>;
    /// [`pop`](Self::pop) without the sender (a socket's read): the caller's frame holds no
    /// sender's address.
    fn pop_bytes(&self, id: ConnectId, buf: &mut [u8]) -> Option<usize>;
    /// Bytes waiting for `id`.
    fn len_of(&self, id: ConnectId) -> usize;
    /// The socket holding the most.
    fn largest(&self) -> Option<ConnectId>;
    /// Drops everything of `id`.
    fn discard(&self, id: ConnectId);
    /// Its size in bytes.
    fn capacity(&self) -> usize;
}

impl<const N: usize> PushRing for PushCell<N> {
    fn push(&self, id: ConnectId, wire: &[u8], len: usize, from: Option<Sender>) -> bool {
        self.0.lock(|b| b.borrow_mut().push(id, wire, len, from))
    }
    fn fits(&self, len: usize, sender: usize) -> bool {
        self.0.lock(|b| b.borrow().fits(len, sender))
    }
    fn pop(&self, id: ConnectId, buf: &mut [u8]) -> Option<(usize, Option<Sender>)> {
        self.0.lock(|b| b.borrow_mut().pop(id, buf))
    }
    fn pop_bytes(&self, id: ConnectId, buf: &mut [u8]) -> Option<usize> {
        self.pop(id, buf).map(|(n, _)| n)
    }
    fn len_of(&self, id: ConnectId) -> usize {
        self.0.lock(|b| b.borrow().len_of(id))
    }
    fn largest(&self) -> Option<ConnectId> {
        self.0.lock(|b| b.borrow().largest())
    }
    fn discard(&self, id: ConnectId) {
        self.0.lock(|b| b.borrow_mut().discard(id))
    }
    fn capacity(&self) -> usize {
        N
    }
}

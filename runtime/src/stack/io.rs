//! Reading and writing a socket of the stack: the waiting, the draining and the retries that
//! TCP and UDP handles share.

use core::future::poll_fn;
use core::task::Poll;

use embassy_time::{Duration, Instant, Timer};
use embedded_io_async::Write;

use super::push::PushRing;
use super::shared::Readiness;
use super::{after_ms, Error, Stack, StackClient};
use crate::client::{self, Sender};
use crate::{ConnectId, ReadLength};

/// The longest read one `AT+QIRD` answers.
const READ_MAX: usize = ReadLength::MAX.get() as usize;

/// What a receive got: bytes, and who sent them (UDP service only).
pub(super) struct Received {
    pub(super) len: usize,
    pub(super) from: Option<Sender>,
}

/// What [`Stack::receive`] hands back, and how it reads it.
pub(super) trait Receipt: Sized {
    /// For an empty buffer, or the end of the stream.
    fn nothing() -> Self;
    /// The oldest push of `id` (its first part) into `buf`; `None` when it was empty.
    fn pop(push: &dyn PushRing, id: ConnectId, buf: &mut [u8]) -> Option<Self>;
    /// One `AT+QIRD` into `buf`; `None` when the module had nothing.
    async fn fetch<W: Write>(
        stack: &Stack<'_, W>,
        c: &mut StackClient<'_, W>,
        id: ConnectId,
        buf: &mut [u8],
    ) -> Result<Option<Self>, client::Error>;
}

/// A socket's read: the byte count.
impl Receipt for usize {
    fn nothing() -> Self {
        0
    }
    fn pop(push: &dyn PushRing, id: ConnectId, buf: &mut [u8]) -> Option<Self> {
        push.pop_bytes(id, buf).filter(|n| *n > 0)
    }
    async fn fetch<W: Write>(
        stack: &Stack<'_, W>,
        c: &mut StackClient<'_, W>,
        id: ConnectId,
        buf: &mut [u8],
    ) -> Result<Option<Self>, client::Error> {
        // An answer longer than asked: the rest goes to the push buffer, where the next
        // read takes it first (the stack's client has none).
        let push = stack.push;
        let shared = stack.shared;
        let keep = move |rest: client::ExcessBytes<'_>| {
            if !push.push(id, rest.wire(), rest.len(), None) {
                shared.with(|s| s.router.socket_mut(id).overrun = true);
            }
            Ok(())
        };
        let len = c.read_once_into(id, buf, keep).await?;
        Ok((len > 0).then_some(len))
    }
}

/// A UDP service's read: the byte count and the sender.
impl Receipt for Received {
    fn nothing() -> Self {
        Received { len: 0, from: None }
    }
    fn pop(push: &dyn PushRing, id: ConnectId, buf: &mut [u8]) -> Option<Self> {
        push.pop(id, buf)
            .filter(|(n, _)| *n > 0)
            .map(|(len, from)| Received { len, from })
    }
    async fn fetch<W: Write>(
        _stack: &Stack<'_, W>,
        c: &mut StackClient<'_, W>,
        id: ConnectId,
        buf: &mut [u8],
    ) -> Result<Option<Self>, client::Error> {
        let got = c.read_from(id, buf).await?;
        Ok(got.map(|(len, from)| Received {
            len,
            from: Some(from),
        }))
    }
}

/// Marks a task as reading a socket for as long as it lives.
struct Reading<'s> {
    shared: &'s super::shared::Shared,
    id: ConnectId,
}

impl<'s> Reading<'s> {
    fn new<W: Write>(stack: &'s Stack<'_, W>, id: ConnectId) -> Self {
        stack.shared.with(|s| s.reading(id, true));
        Reading {
            shared: stack.shared,
            id,
        }
    }
}

impl Drop for Reading<'_> {
    fn drop(&mut self) {
        self.shared.with(|s| s.reading(self.id, false));
    }
}

impl<W: Write> Stack<'_, W> {
    /// Waits until the socket has something for a reader.
    async fn ready(&self, id: ConnectId) -> Result<Readiness, Error> {
        poll_fn(|cx| {
            self.shared
                .with(|s| match s.readiness(self.push, id, Some(cx)) {
                    Ok(Readiness::Waiting) => Poll::Pending,
                    other => Poll::Ready(other),
                })
        })
        .await
    }

    /// Receives into `buf`: pushed bytes, or one `AT+QIRD`; waits until there are some. 0
    /// bytes: the peer closed and everything was read. `R` is what comes back: the byte count
    /// alone (`usize`), or with the sender of a UDP service's datagram ([`Received`]), so
    /// that a socket's read never holds a sender's address in its frames.
    pub(super) async fn receive<R: Receipt>(
        &self,
        id: ConnectId,
        buf: &mut [u8],
    ) -> Result<R, Error> {
        if buf.is_empty() {
            return Ok(R::nothing());
        }
        // While a reader is here, the runner holds a push for this socket back rather than
        // dropping it (see `Shared::route`).
        let _reading = Reading::new(self, id);
        let room = buf.len().min(READ_MAX).min(self.read_room()?);
        loop {
            match self.ready(id).await? {
                Readiness::Pushed => {
                    // From the push buffer to the reader's: the payload's second and last copy.
                    let got = R::pop(self.push, id, &mut buf[..room]);
                    self.shared.with(|s| s.room_made());
                    if let Some(r) = got {
                        return Ok(r);
                    }
                }
                Readiness::End => return Ok(R::nothing()),
                Readiness::Fetch { seen } => {
                    let mut c = self.client().await?;
                    // Apart: a read's frames are in this poll's only while it runs.
                    let got =
                        crate::client::apart::apart!(R::fetch(self, &mut c, id, &mut buf[..room]));
                    match got.map_err(|e| self.failed(&c, e))? {
                        Some(r) => return Ok(r),
                        None => self.shared.with(|s| s.drained(id, seen)),
                    }
                }
                Readiness::Waiting => {}
            }
        }
    }

    /// Whether a read would not wait.
    pub(super) fn read_ready(&self, id: ConnectId) -> Result<bool, Error> {
        self.shared
            .with(|s| s.readiness(self.push, id, None))
            .map(|r| r != Readiness::Waiting)
    }

    /// Sends one `AT+QISEND` of `data` (at most [`client::SEND_CHUNK`] bytes, or `send_to` for
    /// a UDP service); while the module answers `SEND FAIL` (its send buffer is full), waits
    /// and tries again, up to [`Config::send_wait_ms`](super::Config::send_wait_ms).
    pub(super) async fn send_once(
        &self,
        id: ConnectId,
        data: &[u8],
        to: Option<(&str, u16)>,
    ) -> Result<(), Error> {
        let deadline = after_ms(self.config.send_wait_ms);
        let mut pause = Duration::from_millis(10);
        loop {
            match self.shared.with(|s| (s.socket_lost(id), s.peer_closed(id))) {
                (true, _) => return Err(Error::ContextLost),
                (false, true) => return Err(Error::PeerClosed),
                (false, false) => {}
            }
            let mut c = self.client().await?;
            let sent = match to {
                Some((ip, port)) => c.send_to(id, data, ip, super::port(port)).await,
                None => c.send(id, data).await,
            };
            match sent {
                Ok(()) => return Ok(()),
                Err(client::Error::SendFailed) if Instant::now() < deadline => {
                    drop(c);
                    Timer::after(pause).await;
                    pause = (pause * 2).min(Duration::from_millis(500));
                }
                Err(e) => return Err(self.failed(&c, e)),
            }
        }
    }
}

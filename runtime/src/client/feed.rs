//! The reader side: what to do with the bytes read from the port.
//!
//! [`feed_ingress`] hands bytes to atat's ingress from a blocking reader (a thread, an
//! interrupt), waiting a bounded number of times while the URC channel is full.
//! [`PortReader`] does that in command mode and hands the raw bytes of transparent mode to a
//! sink of the caller's: the bytes right after `CONNECT` go to the sink, and a
//! `NO CARRIER` line ends transparent mode and goes to atat. Both are no_std, no alloc.

use atat::AtatIngress;

use crate::digest::DigestState;

/// Why feeding stopped before every byte was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedError {
    /// The URC channel (or a [`PushIngress`](super::PushIngress)'s push ring) stayed full
    /// through every wait allowed: nobody takes URCs (the client routes them on its calls and
    /// in [`Client::process_urcs`](super::Client::process_urcs)).
    /// The first `fed` bytes were taken; hand the rest over again later.
    UrcChannelFull {
        /// Bytes of the input taken.
        fed: usize,
    },
    /// The ingress buffer filled with a frame the digester cannot finish (buffers smaller
    /// than [`sizes`](crate::sizes) asks for): it was cleared, as atat's own reader does, and
    /// what it held is lost. The first `fed` bytes were taken.
    Overflow {
        /// Bytes of the input taken.
        fed: usize,
    },
}

impl core::fmt::Display for FeedError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            FeedError::UrcChannelFull { fed } => {
                write!(f, "the URC channel stayed full ({fed} bytes taken)")
            }
            FeedError::Overflow { fed } => {
                write!(
                    f,
                    "the ingress buffer overflowed and was cleared ({fed} bytes taken)"
                )
            }
        }
    }
}

impl core::error::Error for FeedError {}

impl FeedError {
    /// Bytes of the input taken before feeding stopped.
    pub fn fed(self) -> usize {
        match self {
            FeedError::UrcChannelFull { fed } | FeedError::Overflow { fed } => fed,
        }
    }

    /// The same error, with `fed` bytes taken.
    fn with_fed(self, fed: usize) -> Self {
        match self {
            FeedError::UrcChannelFull { .. } => FeedError::UrcChannelFull { fed },
            FeedError::Overflow { .. } => FeedError::Overflow { fed },
        }
    }
}

/// Feeds bytes read from the port to atat's ingress, for a blocking setup where a thread or an
/// interrupt reads the port. When the URC channel is full, the bytes already handed over stay
/// in the ingress: `wait` is called (yield, sleep a little) and digesting is retried, at most
/// `max_waits` times in a row, until the client has drained the channel. Never hands a byte
/// over twice, never loops without end.
///
/// This does not look at transparent mode: in that mode the digester drops every byte. Use
/// [`PortReader`] to get the raw data.
pub fn feed_ingress<I: AtatIngress>(
    ingress: &mut I,
    bytes: &[u8],
    max_waits: u32,
    mut wait: impl FnMut(),
) -> Result<(), FeedError> {
    let mut fed = 0;
    while fed < bytes.len() {
        let room = ingress.write_buf();
        if room.is_empty() {
            ingress.clear();
            return Err(FeedError::Overflow { fed });
        }
        let n = room.len().min(bytes.len() - fed);
        room[..n].copy_from_slice(&bytes[fed..fed + n]);
        fed += n;
        let mut commit = n;
        let mut waits = 0;
        while ingress.try_advance(commit).is_err() {
            if waits == max_waits {
                return Err(FeedError::UrcChannelFull { fed });
            }
            commit = 0;
            waits += 1;
            wait();
        }
    }
    Ok(())
}

/// The async counterpart of [`feed_ingress`]: a full URC channel suspends until the client
/// takes a URC (atat's `advance`).
async fn feed_ingress_async<I: AtatIngress>(
    ingress: &mut I,
    bytes: &[u8],
) -> Result<(), FeedError> {
    let mut fed = 0;
    while fed < bytes.len() {
        let room = ingress.write_buf();
        if room.is_empty() {
            ingress.clear();
            return Err(FeedError::Overflow { fed });
        }
        let n = room.len().min(bytes.len() - fed);
        room[..n].copy_from_slice(&bytes[fed..fed + n]);
        fed += n;
        ingress.advance(n).await;
    }
    Ok(())
}

/// What ends transparent mode from the module's side (the connection is gone).
const NO_CARRIER: &[u8] = b"\r\nNO CARRIER\r\n";
/// What starts it: the final result of `AT+QIOPEN` or `AT+QISWTMD` (or `ATO`).
const CONNECT: &[u8] = b"CONNECT";
/// [`PortReader::scan`]: the line in progress is not `CONNECT`.
const OTHER_LINE: u8 = u8::MAX;

/// Reads the port for the client in both modes: in command mode the bytes go to atat's
/// ingress (and its [`QiDigester`](crate::digest::QiDigester)); in transparent mode (the
/// [`DigestState`] says so) they go to the caller's sink, as they came.
///
/// - After `CONNECT`: the bytes are handed to the ingress no further than the end of a
///   `CONNECT` line, so the digester turns transparent mode on before anything that follows
///   it, and the rest of the same read goes to the sink.
/// - `\r\nNO CARRIER\r\n` in transparent mode (the peer or the network closed the
///   connection): the bytes before it go to the sink, transparent mode ends, the line goes to
///   the ingress (atat gets `NO CARRIER`) and so does what follows. The client learns of it
///   ([`DigestState::take_carrier_lost`]) and marks the socket closed.
/// - A read that ends with what may be the start of that line (`\r`, `\r\n`, `\r\nNO`, ...)
///   keeps those few bytes (13 at most) until the next read tells; call
///   [`flush`](Self::flush) when the port has been quiet a while (a read timeout) to hand
///   them to the sink. The module writes the line in one go, so a pause never splits it.
///
/// The wire cannot tell a peer that sends `\r\nNO CARRIER\r\n` as data from the module's
/// line: the module does not escape raw data.
///
/// Blocking (a reader thread): [`feed`](Self::feed); async (a reader task):
/// [`feed_async`](Self::feed_async). The sink is called with each run of raw bytes.
#[derive(Debug)]
pub struct PortReader<'s> {
    digest: &'s DigestState,
    /// Command mode: bytes of `CONNECT` matched at the start of the line in progress (0: at a
    /// line start; [`OTHER_LINE`]: some other line).
    line: u8,
    /// Transparent mode: how many bytes of [`NO_CARRIER`] the last read ended with.
    held: usize,
}

/// Where [`PortReader`] hands bytes to the ingress.
trait IngressFeed {
    async fn feed(&mut self, bytes: &[u8]) -> Result<(), FeedError>;
}

struct Blocking<'i, I, W> {
    ingress: &'i mut I,
    max_waits: u32,
    wait: W,
}

impl<I: AtatIngress, W: FnMut()> IngressFeed for Blocking<'_, I, W> {
    async fn feed(&mut self, bytes: &[u8]) -> Result<(), FeedError> {
        feed_ingress(self.ingress, bytes, self.max_waits, &mut self.wait)
    }
}

struct Async<'i, I>(&'i mut I);

impl<I: AtatIngress> IngressFeed for Async<'_, I> {
    async fn feed(&mut self, bytes: &[u8]) -> Result<(), FeedError> {
        feed_ingress_async(self.0, bytes).await
    }
}

impl<'s> PortReader<'s> {
    /// A reader following the transparent flag of `digest` (the state the digester and the
    /// client share).
    pub const fn new(digest: &'s DigestState) -> Self {
        PortReader {
            digest,
            line: 0,
            held: 0,
        }
    }

    /// Bytes kept back at the end of the last read (see the type's documentation).
    pub fn held(&self) -> usize {
        self.held
    }

    /// Hands the bytes kept back to `raw`: call it when the port has been quiet a while.
    pub fn flush(&mut self, mut raw: impl FnMut(&[u8])) {
        let n = core::mem::take(&mut self.held);
        if n > 0 {
            raw(&NO_CARRIER[..n]);
        }
    }

    /// Blocking: feeds `bytes` (one read from the port), waiting through `wait` at most
    /// `max_waits` times in a row while the URC channel is full (see [`feed_ingress`]). On an
    /// error, the first [`fed`](FeedError::fed) bytes were taken.
    pub fn feed<I: AtatIngress>(
        &mut self,
        ingress: &mut I,
        bytes: &[u8],
        raw: impl FnMut(&[u8]),
        max_waits: u32,
        wait: impl FnMut(),
    ) -> Result<(), FeedError> {
        let mut to = Blocking {
            ingress,
            max_waits,
            wait,
        };
        // Never suspends: the blocking feed completes in the first poll.
        embassy_futures::block_on(self.run(&mut to, bytes, raw))
    }

    /// Async: feeds `bytes` (one read from the port); a full URC channel suspends until the
    /// client takes a URC.
    pub async fn feed_async<I: AtatIngress>(
        &mut self,
        ingress: &mut I,
        bytes: &[u8],
        raw: impl FnMut(&[u8]),
    ) -> Result<(), FeedError> {
        self.run(&mut Async(ingress), bytes, raw).await
    }

    async fn run(
        &mut self,
        to: &mut impl IngressFeed,
        bytes: &[u8],
        mut raw: impl FnMut(&[u8]),
    ) -> Result<(), FeedError> {
        let mut done = 0;
        // Kept back in transparent mode, which the client has left since: they were data.
        if !self.digest.is_transparent() {
            self.flush(&mut raw);
        }
        while done < bytes.len() {
            let rest = &bytes[done..];
            if self.digest.is_transparent() {
                match self.raw_part(rest, &mut raw) {
                    None => return Ok(()),
                    Some(used) => {
                        // NO CARRIER: command mode again, and the line goes to atat.
                        self.digest.set_transparent(false);
                        self.digest.note_carrier_lost();
                        self.line = 0;
                        done += used;
                        // The line is taken either way: committed to the ingress, or lost
                        // with a cleared buffer.
                        to.feed(NO_CARRIER).await.map_err(|e| e.with_fed(done))?;
                    }
                }
            } else {
                let start = self.line;
                let n = self.scan(rest);
                if let Err(e) = to.feed(&rest[..n]).await {
                    // Scan again over what was taken only.
                    self.line = start;
                    let _ = self.scan(&rest[..e.fed()]);
                    return Err(e.with_fed(done + e.fed()));
                }
                done += n;
            }
        }
        Ok(())
    }

    /// Command mode: how much of `bytes` to hand over at once: up to the end of a `CONNECT`
    /// line, or all.
    fn scan(&mut self, bytes: &[u8]) -> usize {
        for (i, &b) in bytes.iter().enumerate() {
            let full = CONNECT.len() as u8;
            self.line = match (self.line, b) {
                (n, b'\n') if n == full => {
                    self.line = 0;
                    return i + 1;
                }
                (n, b'\r') if n == full => n,
                (_, b'\n' | b'\r') => 0,
                (0, b' ') => 0,
                (n, _) if n == full => n,
                (n, b) if n < full && CONNECT[usize::from(n)] == b => n + 1,
                _ => OTHER_LINE,
            };
        }
        bytes.len()
    }

    /// Transparent mode: hands the raw bytes of `rest` to `raw`. Returns `None` when all were
    /// raw (or kept back), or how many bytes of `rest` up to the end of a `NO CARRIER` line
    /// (the bytes before the line went to `raw`; the line's start may have been held).
    fn raw_part(&mut self, rest: &[u8], raw: &mut impl FnMut(&[u8])) -> Option<usize> {
        if self.held > 0 {
            let want = &NO_CARRIER[self.held..];
            let n = want.len().min(rest.len());
            if rest[..n] == want[..n] {
                if n == want.len() {
                    self.held = 0;
                    return Some(n);
                }
                self.held += n;
                return None;
            }
            // Not the line: what was held is data.
            self.flush(&mut *raw);
        }
        if let Some(p) = rest.windows(NO_CARRIER.len()).position(|w| w == NO_CARRIER) {
            if p > 0 {
                raw(&rest[..p]);
            }
            return Some(p + NO_CARRIER.len());
        }
        // The longest end of `rest` that may start the line.
        let keep = (1..NO_CARRIER.len().min(rest.len() + 1))
            .rev()
            .find(|&k| rest.ends_with(&NO_CARRIER[..k]))
            .unwrap_or(0);
        let data = &rest[..rest.len() - keep];
        if !data.is_empty() {
            raw(data);
        }
        self.held = keep;
        None
    }
}

//! The runner: owns the serial input and its buffer, cuts it into frames with the digester,
//! and hands each frame on the spot: a response to the slot of the command holder, a URC into
//! the stack's state (a pushed payload from this buffer straight into the push buffer).
//!
//! It is the stack's own ingress, not atat's: atat's `Ingress` parses every URC into a value
//! and queues it in a channel, so each queued URC costs the size of the largest one (a
//! 1,500-byte push) and its payload is copied into the value and out again.
//!
//! A push that must wait for its reader to make room stays where it is, at the head of the
//! buffer ("parked"), and the runner goes on reading: responses and prompts behind it still
//! reach the command holder (the reader may be the very task waiting for one), while URCs
//! behind it wait, so that they are recorded in the order they came.

use atat::digest::{DigestResult, Digester};
use embassy_futures::select::{select3, Either3};
use embassy_time::{Duration, Instant, Timer};
use embedded_io::Error as _;
use embedded_io_async::Read;

use super::push::PushRing;
use super::shared::{self, Routed, Shared};
use super::slot::Response;
use super::Stopped;
use crate::digest::QiDigester;
use crate::ConnectId;

/// Owns the serial input of a [`Stack`](super::Stack): run [`run`](Self::run) beside the
/// application (embassy: a task of its own; std: a thread, see `host`).
pub struct Runner<'d, R> {
    rx: R,
    buf: &'d mut [u8],
    /// Bytes in `buf`.
    pos: usize,
    /// `buf[..held]`: URC frames not recorded yet, in the order they came (where each lies
    /// in `buf`, and how many bytes it took); the first is a push waiting for room (`parked`).
    held: usize,
    frames: heapless::Vec<HeldFrame, HELD_FRAMES>,
    parked: Option<Parked>,
    digester: QiDigester<'d>,
    response: Response<'d>,
    shared: &'d Shared,
    push: &'d dyn PushRing,
    push_wait: Duration,
}

/// URCs kept behind a push that waits; more wait in the serial input.
const HELD_FRAMES: usize = 8;

/// A URC frame kept in the buffer: `buf[start..end]`, taking `buf[..used]` of what is left.
#[derive(Debug, Clone, Copy)]
struct HeldFrame {
    start: usize,
    end: usize,
    used: usize,
    /// The one socket it concerns (see [`shared::frame_socket`]).
    socket: Option<ConnectId>,
}

/// A push waiting for a socket's reader to make room.
#[derive(Debug, Clone, Copy)]
struct Parked {
    /// The socket waited for.
    id: ConnectId,
    /// Then that socket is "slow" and its bytes make room.
    until: Instant,
}

impl<'d, R: Read> Runner<'d, R> {
    pub(super) fn new(
        rx: R,
        buf: &'d mut [u8],
        response: Response<'d>,
        shared: &'d Shared,
        push: &'d dyn PushRing,
        push_wait_ms: u32,
    ) -> Self {
        // The stack's client announces every command: a line no command asked for is noise.
        let digester = QiDigester::new(&shared.digest)
            .with_max_response(response.slot.capacity())
            .unsolicited_lines_are_noise();
        Runner {
            rx,
            buf,
            pos: 0,
            held: 0,
            frames: heapless::Vec::new(),
            parked: None,
            digester,
            response,
            shared,
            push,
            push_wait: Duration::from_millis(push_wait_ms.into()),
        }
    }

    /// Reads the serial input until it ends or fails, and returns why; the stack's calls fail
    /// with [`Error::ReaderStopped`](super::Error::ReaderStopped) from then on.
    pub async fn run(mut self) -> Stopped {
        let why = self.read_loop().await;
        self.shared.stop(why);
        why
    }

    async fn read_loop(&mut self) -> Stopped {
        loop {
            self.digest().await;
            if self.pos == self.buf.len() && self.held == 0 {
                // One frame longer than the buffer: it can never be cut out. atat's recovery
                // (clear and go on), counted so that the loss is visible.
                warn_!("ingress buffer full: {} bytes dropped", self.pos);
                self.shared.note_overflow(self.pos);
                // What the cleared bytes held may have been a push or a notice: tell readers.
                self.shared.with(|s| s.ingress_cleared());
                self.pos = 0;
            }
            let Some(parked) = self.parked else {
                match self.rx.read(&mut self.buf[self.pos..]).await {
                    Ok(0) => return Stopped::EndOfStream,
                    Ok(n) => self.pos += n,
                    Err(e) => return Stopped::Io(e.kind()),
                }
                continue;
            };
            let full = self.pos == self.buf.len();
            let read = async {
                if full {
                    // Full behind held URCs: nothing moves until the push is placed.
                    core::future::pending().await
                } else {
                    self.rx.read(&mut self.buf[self.pos..]).await
                }
            };
            match select3(read, self.shared.room_made(), Timer::at(parked.until)).await {
                Either3::First(Ok(0)) => return Stopped::EndOfStream,
                Either3::First(Ok(n)) => self.pos += n,
                Either3::First(Err(e)) => return Stopped::Io(e.kind()),
                Either3::Second(()) => {
                    // The reader came: tried again, and it gets `push_wait` anew.
                    self.parked = None;
                    self.record_held().await;
                }
                Either3::Third(()) => {
                    // Its reader did not come: its bytes make room now.
                    self.shared.mark_slow(parked.id);
                    self.parked = None;
                    self.record_held().await;
                }
            }
        }
    }

    /// Removes `buf[at..at + n]`.
    fn remove(&mut self, at: usize, n: usize) {
        self.buf.copy_within(at + n..self.pos, at);
        self.pos -= n;
    }

    /// Records the held URCs in order, until one is a push that must wait.
    async fn record_held(&mut self) {
        while let Some(&f) = self.frames.first() {
            let frame = &self.buf[f.start..f.end];
            if let Routed::WaitForRoom(id) = self.shared.route_frame(self.push, frame).await {
                self.parked = Some(Parked {
                    id,
                    until: Instant::now() + self.push_wait,
                });
                return;
            }
            self.frames.remove(0);
            self.remove(0, f.used);
            self.held -= f.used;
            for g in &mut self.frames {
                g.start -= f.used;
                g.end -= f.used;
            }
        }
    }

    /// Hands on every whole frame: the held URCs first (when there is room), then what came
    /// after them. Responses and prompts pass held URCs; URCs queue behind them.
    async fn digest(&mut self) {
        loop {
            let from = self.held;
            if from == self.pos {
                return;
            }
            let (result, used) = self.digester.digest(&self.buf[from..self.pos]);
            match result {
                DigestResult::None => {}
                DigestResult::Prompt(_) => self.response.prompt(),
                DigestResult::Response(answer) => self.response.answer(answer),
                DigestResult::Urc(frame) => {
                    let start = frame.as_ptr() as usize - self.buf.as_ptr() as usize;
                    // Only asked when something waits: the frame is decoded again below.
                    let socket = match self.held {
                        0 => None,
                        _ => shared::frame_socket(frame),
                    };
                    let mut held = HeldFrame {
                        start,
                        end: start + frame.len(),
                        used,
                        socket,
                    };
                    // Behind URCs that wait, a URC keeps its place unless it concerns one
                    // socket none of them concerns: a socket's URCs stay in order, and a
                    // socket read is not held up by another's push.
                    let independent = socket.is_some()
                        && self
                            .frames
                            .iter()
                            .all(|f| f.socket.is_some() && f.socket != socket);
                    if self.held > 0 && !independent {
                        if self.frames.push(held).is_err() {
                            // Too many wait: so does the rest of the input.
                            return;
                        }
                        self.held += used;
                        continue;
                    }
                    if let Routed::WaitForRoom(id) = self.shared.route_frame(self.push, frame).await
                    {
                        if self.held == 0 {
                            self.parked = Some(Parked {
                                id,
                                until: Instant::now() + self.push_wait,
                            });
                            held.socket = shared::frame_socket(&self.buf[start..held.end]);
                        }
                        // Kept in place, at the end of the held part (`from` is its end).
                        if self.frames.push(held).is_err() {
                            return;
                        }
                        self.held += used;
                        continue;
                    }
                }
            }
            if used == 0 {
                return;
            }
            self.remove(from, used);
        }
    }
}

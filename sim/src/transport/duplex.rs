//! An in-memory byte pipe between a host and a module running on its own thread.
//!
//! The host end implements `std::io::{Read, Write}`, blocking `embedded_io::{Read, Write}` and
//! `embedded_io_async::{Read, Write}`, so blocking and async AT clients can use it directly.
//! [`HostEnd::split`] gives a reader and a writer for clients that need two halves.

use crate::config::{ChunkPlan, Config};
use crate::module::{Control, Module};
use std::collections::VecDeque;
use std::io::{self, Read, Write};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Bytes a pipe holds before its writer waits (like a UART driver's buffer).
const PIPE_CAPACITY: usize = 64 * 1024;

#[derive(Default)]
struct PipeState {
    buf: VecDeque<u8>,
    writer_gone: bool,
    reader_gone: bool,
    read_waker: Option<Waker>,
    write_waker: Option<Waker>,
}

/// One direction of the duplex.
#[derive(Default)]
pub(crate) struct Pipe {
    state: Mutex<PipeState>,
    readable: Condvar,
    writable: Condvar,
}

impl Pipe {
    fn lock(&self) -> MutexGuard<'_, PipeState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn wake_reader(&self, s: &mut PipeState) {
        self.readable.notify_all();
        if let Some(w) = s.read_waker.take() {
            w.wake();
        }
    }

    fn wake_writer(&self, s: &mut PipeState) {
        self.writable.notify_all();
        if let Some(w) = s.write_waker.take() {
            w.wake();
        }
    }

    pub(crate) fn close_writer(&self) {
        let mut s = self.lock();
        s.writer_gone = true;
        self.wake_reader(&mut s);
    }

    pub(crate) fn close_reader(&self) {
        let mut s = self.lock();
        s.reader_gone = true;
        s.buf.clear();
        self.wake_writer(&mut s);
    }

    fn take(&self, s: &mut PipeState, buf: &mut [u8]) -> usize {
        let n = buf.len().min(s.buf.len());
        for (d, b) in buf.iter_mut().zip(s.buf.drain(..n)) {
            *d = b;
        }
        self.wake_writer(s);
        n
    }

    fn put(&self, s: &mut PipeState, data: &[u8]) -> usize {
        let n = data.len().min(PIPE_CAPACITY - s.buf.len());
        s.buf.extend(&data[..n]);
        self.wake_reader(s);
        n
    }

    /// Reads at least one byte (0 at end of stream), waiting at most `timeout`.
    fn read_blocking(
        &self,
        buf: &mut [u8],
        timeout: Option<Duration>,
        plan: Option<&mut ChunkPlan>,
    ) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut s = self.lock();
        loop {
            if !s.buf.is_empty() {
                let max = match plan {
                    Some(p) => p.next(s.buf.len()),
                    None => s.buf.len(),
                };
                let n = max.min(buf.len());
                return Ok(self.take(&mut s, &mut buf[..n]));
            }
            if s.writer_gone {
                return Ok(0);
            }
            s = match deadline {
                None => self.readable.wait(s).unwrap_or_else(|e| e.into_inner()),
                Some(d) => {
                    let left = d.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err(io::Error::new(io::ErrorKind::TimedOut, "read timed out"));
                    }
                    self.readable
                        .wait_timeout(s, left)
                        .unwrap_or_else(|e| e.into_inner())
                        .0
                }
            };
        }
    }

    fn poll_read(
        &self,
        cx: &mut Context<'_>,
        buf: &mut [u8],
        plan: &mut ChunkPlan,
    ) -> Poll<io::Result<usize>> {
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let mut s = self.lock();
        if !s.buf.is_empty() {
            let n = plan.next(s.buf.len()).min(buf.len());
            return Poll::Ready(Ok(self.take(&mut s, &mut buf[..n])));
        }
        if s.writer_gone {
            return Poll::Ready(Ok(0));
        }
        s.read_waker = Some(cx.waker().clone());
        Poll::Pending
    }

    fn write_blocking(&self, data: &[u8]) -> io::Result<usize> {
        if data.is_empty() {
            return Ok(0);
        }
        let mut s = self.lock();
        loop {
            if s.reader_gone {
                return Err(io::ErrorKind::BrokenPipe.into());
            }
            if s.buf.len() < PIPE_CAPACITY {
                return Ok(self.put(&mut s, data));
            }
            s = self.writable.wait(s).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn poll_write(&self, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        if data.is_empty() {
            return Poll::Ready(Ok(0));
        }
        let mut s = self.lock();
        if s.reader_gone {
            return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
        }
        if s.buf.len() < PIPE_CAPACITY {
            return Poll::Ready(Ok(self.put(&mut s, data)));
        }
        s.write_waker = Some(cx.waker().clone());
        Poll::Pending
    }

    fn has_data(&self) -> bool {
        let s = self.lock();
        !s.buf.is_empty() || s.writer_gone
    }
}

/// The module's side of a pipe it reads from.
pub(crate) struct PipeReader(pub(crate) Arc<Pipe>);

impl Read for PipeReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read_blocking(buf, None, None)
    }
}

impl Drop for PipeReader {
    fn drop(&mut self) {
        self.0.close_reader();
    }
}

/// The module's side of a pipe it writes to.
pub(crate) struct PipeWriter(pub(crate) Arc<Pipe>);

impl Write for PipeWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write_blocking(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for PipeWriter {
    fn drop(&mut self) {
        self.0.close_writer();
    }
}

/// The host's reading half: what the module sends.
pub struct HostReader {
    pipe: Arc<Pipe>,
    plan: ChunkPlan,
    timeout: Option<Duration>,
}

impl HostReader {
    /// Makes blocking reads fail with `TimedOut` after `timeout` (`None` waits for ever).
    pub fn set_read_timeout(&mut self, timeout: Option<Duration>) {
        self.timeout = timeout;
    }
}

impl Drop for HostReader {
    fn drop(&mut self) {
        self.pipe.close_reader();
    }
}

impl Read for HostReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.pipe
            .read_blocking(buf, self.timeout, Some(&mut self.plan))
    }
}

impl embedded_io::ErrorType for HostReader {
    type Error = io::Error;
}

impl embedded_io::Read for HostReader {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, io::Error> {
        Read::read(self, buf)
    }
}

impl embedded_io::ReadReady for HostReader {
    fn read_ready(&mut self) -> Result<bool, io::Error> {
        Ok(self.pipe.has_data())
    }
}

impl embedded_io_async::Read for HostReader {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, io::Error> {
        std::future::poll_fn(|cx| self.pipe.poll_read(cx, buf, &mut self.plan)).await
    }
}

/// The host's writing half: what the module receives.
pub struct HostWriter {
    pipe: Arc<Pipe>,
}

impl Drop for HostWriter {
    fn drop(&mut self) {
        self.pipe.close_writer();
    }
}

impl Write for HostWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pipe.write_blocking(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl embedded_io::ErrorType for HostWriter {
    type Error = io::Error;
}

impl embedded_io::Write for HostWriter {
    fn write(&mut self, buf: &[u8]) -> Result<usize, io::Error> {
        Write::write(self, buf)
    }

    fn flush(&mut self) -> Result<(), io::Error> {
        Ok(())
    }
}

impl embedded_io_async::Write for HostWriter {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, io::Error> {
        std::future::poll_fn(|cx| self.pipe.poll_write(cx, buf)).await
    }

    async fn flush(&mut self) -> Result<(), io::Error> {
        Ok(())
    }
}

/// The host's end of the duplex: both halves in one value. Dropping it stops the module.
pub struct HostEnd {
    reader: HostReader,
    writer: HostWriter,
}

impl HostEnd {
    /// The two halves, for clients that read and write from different places.
    pub fn split(self) -> (HostReader, HostWriter) {
        (self.reader, self.writer)
    }

    /// Makes blocking reads fail with `TimedOut` after `timeout` (`None` waits for ever).
    pub fn set_read_timeout(&mut self, timeout: Option<Duration>) {
        self.reader.set_read_timeout(timeout);
    }
}

impl Read for HostEnd {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        Read::read(&mut self.reader, buf)
    }
}

impl Write for HostEnd {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Write::write(&mut self.writer, buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl embedded_io::ErrorType for HostEnd {
    type Error = io::Error;
}

impl embedded_io::Read for HostEnd {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, io::Error> {
        Read::read(&mut self.reader, buf)
    }
}

impl embedded_io::ReadReady for HostEnd {
    fn read_ready(&mut self) -> Result<bool, io::Error> {
        embedded_io::ReadReady::read_ready(&mut self.reader)
    }
}

impl embedded_io::Write for HostEnd {
    fn write(&mut self, buf: &[u8]) -> Result<usize, io::Error> {
        Write::write(&mut self.writer, buf)
    }

    fn flush(&mut self) -> Result<(), io::Error> {
        Ok(())
    }
}

impl embedded_io_async::Read for HostEnd {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, io::Error> {
        embedded_io_async::Read::read(&mut self.reader, buf).await
    }
}

impl embedded_io_async::Write for HostEnd {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, io::Error> {
        embedded_io_async::Write::write(&mut self.writer, buf).await
    }

    async fn flush(&mut self) -> Result<(), io::Error> {
        Ok(())
    }
}

/// A module running on its own thread.
pub struct Running {
    control: Control,
    thread: JoinHandle<()>,
}

impl Running {
    pub(crate) fn new(control: Control, thread: JoinHandle<()>) -> Self {
        Running { control, thread }
    }

    /// Injects faults and stops the module.
    pub fn control(&self) -> &Control {
        &self.control
    }

    /// Waits until the module has stopped (its host end dropped, or [`Control::shutdown`]).
    pub fn join(self) {
        let _ = self.thread.join();
    }
}

/// Starts a module on a thread and returns the host's end of an in-memory duplex to it.
///
/// Output chunking ([`crate::Faults::chunks`]) applies to the host's reads; pacing
/// ([`Config::baud`]) to both directions.
pub fn duplex(config: Config) -> (HostEnd, Running) {
    let to_module = Arc::new(Pipe::default());
    let from_module = Arc::new(Pipe::default());
    let host = HostEnd {
        reader: HostReader {
            pipe: from_module.clone(),
            plan: ChunkPlan::new(config.faults.chunks),
            timeout: None,
        },
        writer: HostWriter {
            pipe: to_module.clone(),
        },
    };
    let mut module = Module::new(config);
    // The host's reads already apply the chunk plan.
    module.split_output = false;
    let control = module.control();
    let thread = std::thread::Builder::new()
        .name("qi-sim duplex".into())
        .spawn(move || {
            let input_pipe = to_module.clone();
            let input = PipeReader(to_module);
            let output = PipeWriter(from_module);
            module.run(input, output);
            // Stopped by a shutdown while the host still holds its end: end the input thread.
            input_pipe.close_writer();
        })
        .expect("spawn the module thread");
    (host, Running::new(control, thread))
}

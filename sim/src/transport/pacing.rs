//! Serial-line pacing: bytes move at baud / 10 bytes a second, as on a UART with one start
//! bit, eight data bits and one stop bit.

use std::io::{self, Read, Write};
use std::time::{Duration, Instant};

/// Keeps a byte stream at the rate of a serial line.
#[derive(Debug, Clone)]
pub struct Pacer {
    bytes_per_sec: u64,
    free_at: Instant,
}

impl Pacer {
    /// A pacer for `baud`, or `None` when there is nothing to pace.
    pub fn new(baud: Option<u32>) -> Option<Self> {
        let bytes_per_sec = u64::from(baud?) / 10;
        (bytes_per_sec > 0).then(|| Pacer {
            bytes_per_sec,
            free_at: Instant::now(),
        })
    }

    /// How many bytes the line carries in about 10 ms (at least one): the most worth moving at
    /// once.
    pub fn burst(&self) -> usize {
        (self.bytes_per_sec / 100).max(1) as usize
    }

    /// Waits until `n` bytes would have crossed the line after what was sent before.
    pub fn pace(&mut self, n: usize) {
        let now = Instant::now();
        let start = self.free_at.max(now);
        let nanos = (n as u64).saturating_mul(1_000_000_000) / self.bytes_per_sec;
        self.free_at = start + Duration::from_nanos(nanos);
        let wait = self.free_at.saturating_duration_since(now);
        if !wait.is_zero() {
            std::thread::sleep(wait);
        }
    }
}

/// A reader that delivers at most the line rate.
pub struct PacedReader<R> {
    inner: R,
    pacer: Option<Pacer>,
}

impl<R: Read> PacedReader<R> {
    /// Paces `inner` at `baud` (unpaced for `None`).
    pub fn new(inner: R, baud: Option<u32>) -> Self {
        PacedReader {
            inner,
            pacer: Pacer::new(baud),
        }
    }
}

impl<R: Read> Read for PacedReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Some(p) = &mut self.pacer else {
            return self.inner.read(buf);
        };
        let max = buf.len().min(p.burst());
        let n = self.inner.read(&mut buf[..max])?;
        p.pace(n);
        Ok(n)
    }
}

/// A writer that sends at most at the line rate.
pub struct PacedWriter<W> {
    inner: W,
    pacer: Option<Pacer>,
}

impl<W: Write> PacedWriter<W> {
    /// Paces `inner` at `baud` (unpaced for `None`).
    pub fn new(inner: W, baud: Option<u32>) -> Self {
        PacedWriter {
            inner,
            pacer: Pacer::new(baud),
        }
    }
}

impl<W: Write> Write for PacedWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let Some(p) = &mut self.pacer else {
            return self.inner.write(buf);
        };
        let max = buf.len().min(p.burst());
        let n = self.inner.write(&buf[..max])?;
        self.inner.flush()?;
        p.pace(n);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pacing_takes_at_least_the_line_time() {
        // 9600 baud: 960 bytes/s, so 96 bytes need 100 ms.
        let mut p = Pacer::new(Some(9600)).unwrap();
        let t = Instant::now();
        p.pace(96);
        assert!(t.elapsed() >= Duration::from_millis(100));
        assert!(Pacer::new(None).is_none());
    }
}

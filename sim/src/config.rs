//! How a virtual module behaves: echo, the `+++` guard time, serial pacing and injected faults.

use std::net::Ipv4Addr;
use std::time::Duration;

/// Settings of one virtual module.
#[derive(Debug, Clone)]
pub struct Config {
    /// Echo of command lines at start-up (`ATE1`); a real module starts with echo on.
    pub echo: bool,
    /// The silence needed before and after `+++` to leave transparent mode (the document asks
    /// for 1 s; tests use a few milliseconds).
    pub guard_time: Duration,
    /// Serial-line pacing in baud (10 bits a byte) for both directions; `None` is unpaced.
    pub baud: Option<u32>,
    /// The address an activated context gets; sockets bind to it. Loopback by default.
    pub address: Ipv4Addr,
    /// How long AT+QNTP waits for the server's answer before reporting a timeout.
    pub ntp_timeout: Duration,
    /// Faults to inject.
    pub faults: Faults,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            echo: true,
            guard_time: Duration::from_secs(1),
            baud: None,
            address: Ipv4Addr::LOCALHOST,
            ntp_timeout: Duration::from_secs(5),
            faults: Faults::default(),
        }
    }
}

impl Config {
    /// The settings tests want: no echo, a short guard time.
    pub fn for_tests() -> Self {
        Config {
            echo: false,
            guard_time: Duration::from_millis(20),
            ..Config::default()
        }
    }
}

/// Faults injected into what the module sends.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Wait this long before answering each command.
    pub response_delay: Duration,
    /// How the host sees the module's output cut into reads.
    pub chunks: Chunks,
    /// Hold output back and release it in bursts this far apart, so that lines written at
    /// different times arrive merged in one read; zero sends at once.
    pub merge_window: Duration,
}

/// How output is cut into pieces on its way to the host.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Chunks {
    /// As it comes.
    #[default]
    Whole,
    /// Pieces of at most this many bytes (1 gives byte by byte).
    Split(usize),
    /// Pieces of 1 to `max` bytes, sizes drawn from a generator seeded with `seed`.
    Random { seed: u64, max: usize },
}

/// Hands out piece sizes for [`Chunks`].
#[derive(Debug, Clone)]
pub(crate) struct ChunkPlan {
    chunks: Chunks,
    state: u64,
}

impl ChunkPlan {
    pub(crate) fn new(chunks: Chunks) -> Self {
        let state = match chunks {
            Chunks::Random { seed, .. } => seed | 1,
            _ => 1,
        };
        ChunkPlan { chunks, state }
    }

    /// The size of the next piece, at most `available`.
    pub(crate) fn next(&mut self, available: usize) -> usize {
        let n = match self.chunks {
            Chunks::Whole => available,
            Chunks::Split(max) => max.max(1),
            Chunks::Random { max, .. } => {
                // xorshift64: deterministic for a seed.
                self.state ^= self.state << 13;
                self.state ^= self.state >> 7;
                self.state ^= self.state << 17;
                1 + (self.state % max.max(1) as u64) as usize
            }
        };
        n.min(available)
    }
}

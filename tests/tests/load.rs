//! Load: all 12 sockets of the module busy at once, from several threads, in random access
//! modes with random payload sizes, while a fault thread injects random field faults. Seeded:
//! a failure prints its seed, and the same seed replays the same plan (sizes, modes, faults).
//!
//! Asserts every echo comes back byte-exact (0 bytes lost or duplicated), no round waits
//! longer than [`ROUND`] (a deadlock fails the test), and the process' memory stays bounded.
//!
//! CI runs it for about a minute; a longer run (docs/FAULTS.md):
//! `QI_LOAD_SECS=600 QI_LOAD_SEED=12345 cargo test -p qi-tests --release --test load -- --nocapture`

use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Instant;

use embassy_futures::join::{join, join_array};
use embassy_time::{with_timeout, Duration};
use embedded_io_async::{Read as _, Write as _};
use qi_sim::{Control, FieldFaults};
use qi_tests::e2e::{fnv1a, random_bytes};
use qi_tests::peers::EchoServer;
use quectel_qi::host::{self, HostStack};
use quectel_qi::stack;
use quectel_qi::{AccessMode, ConnectId};

/// Threads driving sockets, and sockets per thread: the module's 12 connect IDs.
const THREADS: usize = 4;
const SOCKETS_PER_THREAD: usize = 3;
/// Sockets in direct push mode by default: the stack's push buffer holds two of the largest
/// pushes, so more direct-push sockets busy at once overrun it (their readers get `Overrun`,
/// docs/FAULTS.md); `QI_LOAD_DIRECT_PUSH=12` shows it.
const DIRECT_PUSH_SOCKETS: usize = 1;
/// The longest one echo round may take before the test calls it a deadlock.
const ROUND: Duration = Duration::from_secs(60);
/// The largest payload of one round.
const MAX_ROUND_BYTES: usize = 24_000;
/// How much the resident memory may grow from the warm-up to the end (a leak guard; the
/// stack's own buffers are fixed, the module's grow only with what is in flight).
const MAX_RSS_GROWTH: u64 = 128 * 1024 * 1024;

/// xorshift64: the plan of a run, reproducible from its seed.
#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Resident memory of this process in bytes (Linux; 0 elsewhere).
fn rss() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}

type Net = HostStack<std::net::TcpStream>;

/// Connect IDs of the direct-push sockets (a bit each): URC floods of buffer-access notices
/// spare them (such a notice sends a direct-push reader to AT+QIRD, docs/FAULTS.md).
static DIRECT_PUSH_IDS: AtomicU32 = AtomicU32::new(0);

/// One socket's life: echo rounds of random sizes until `until`; returns the bytes echoed.
async fn socket_rounds(net: &Net, port: u16, seed: u64, direct_push: bool, until: Instant) -> u64 {
    let mut rng = Rng::new(seed);
    let mode = if direct_push {
        AccessMode::DirectPush
    } else {
        AccessMode::BufferAccess
    };
    let stack = net.stack();
    let mut socket = with_timeout(ROUND, stack.connect_with("127.0.0.1", port, mode))
        .await
        .unwrap_or_else(|_| panic!("seed {seed}: connect hung"))
        .unwrap_or_else(|e| panic!("seed {seed}: connect: {e}"));
    if direct_push {
        DIRECT_PUSH_IDS.fetch_or(1 << socket.connect_id().get(), Ordering::SeqCst);
    }
    let mut echoed = 0u64;
    let mut round = 0u64;
    while Instant::now() < until {
        // Mostly small writes, now and then a large one (several AT+QISEND, several reads).
        let len = match rng.below(8) {
            0 => rng.below(MAX_ROUND_BYTES as u64) as usize,
            1 => 1,
            _ => 1 + rng.below(3000) as usize,
        };
        let data = random_bytes(rng.next(), len);
        let (mut rx, mut tx) = socket.split();
        let exchange = join(tx.write_all(&data), async {
            let mut back = vec![0u8; len];
            let mut got = 0;
            while got < len {
                match rx.read(&mut back[got..]).await {
                    Ok(0) => {
                        panic!("seed {seed} round {round}: end of stream after {got} of {len}")
                    }
                    Ok(n) => got += n,
                    Err(e) => panic!("seed {seed} round {round} ({mode:?}): read: {e}"),
                }
            }
            back
        });
        let (wrote, back) = with_timeout(ROUND, exchange).await.unwrap_or_else(|_| {
            panic!("seed {seed} round {round} ({mode:?}): no echo in {ROUND:?}")
        });
        wrote.unwrap_or_else(|e| panic!("seed {seed} round {round}: write: {e}"));
        assert_eq!(
            fnv1a(&back),
            fnv1a(&data),
            "seed {seed} round {round} ({mode:?}): bytes lost, duplicated or changed"
        );
        echoed += len as u64;
        round += 1;
    }
    with_timeout(ROUND, socket.close())
        .await
        .unwrap_or_else(|_| panic!("seed {seed}: close hung"))
        .unwrap_or_else(|e| panic!("seed {seed}: close: {e}"));
    echoed
}

/// Faults that must lose nothing, one at random every few milliseconds until `stop`.
fn inject_faults(control: Control, seed: u64, stop: Arc<AtomicBool>, applied: Arc<AtomicU64>) {
    let mut rng = Rng::new(seed ^ 0xfa17);
    let mut field = FieldFaults::default();
    while !stop.load(Ordering::Relaxed) {
        // Pacing only: correctness never depends on when a fault lands.
        std::thread::sleep(std::time::Duration::from_millis(5 + rng.below(40)));
        let ok = match rng.below(6) {
            0 => control.inject_garbage(rng.next(), 8 + rng.below(200) as usize),
            1 => {
                let id = ConnectId::new(rng.below(12) as i64).unwrap_or(ConnectId::MIN);
                let count = 1 + rng.below(40) as usize;
                let direct = DIRECT_PUSH_IDS.load(Ordering::SeqCst) & (1 << id.get()) != 0;
                direct || control.flood_urcs(id, count)
            }
            2 => {
                field.glue_send_ok = !field.glue_send_ok;
                control.set_field_faults(field)
            }
            3 => {
                field.hold_closed = !field.hold_closed;
                control.set_field_faults(field)
            }
            4 => control.set_echo(rng.below(2) == 0),
            _ => control.set_response_delay(std::time::Duration::from_millis(rng.below(3))),
        };
        if !ok {
            return;
        }
        applied.fetch_add(1, Ordering::Relaxed);
    }
}

#[test]
fn twelve_busy_sockets_lose_nothing_under_faults() {
    let secs = env_u64("QI_LOAD_SECS", 45);
    let seed = env_u64("QI_LOAD_SEED", 0x10ad);
    let direct_push = env_u64("QI_LOAD_DIRECT_PUSH", DIRECT_PUSH_SOCKETS as u64) as usize;
    println!(
        "load: {secs} s, seed {seed}, {direct_push} direct push sockets \
         (QI_LOAD_SECS, QI_LOAD_SEED, QI_LOAD_DIRECT_PUSH)"
    );
    let echo = EchoServer::start().unwrap();
    let server = qi_sim::transport::serve_tcp("127.0.0.1:0", qi_sim::Config::for_tests()).unwrap();
    let mut config = stack::Config::default();
    config.client.wait_ms = |ms| ms.min(20_000);
    let net: &'static Net = Box::leak(Box::new(
        host::connect_tcp(server.local_addr(), config).unwrap(),
    ));
    pollster::block_on(net.stack().activate("internet")).unwrap();
    let control = server
        .controls()
        .pop()
        .expect("the module of this connection");

    let start = Instant::now();
    let until = start + std::time::Duration::from_secs(secs);
    let stop = Arc::new(AtomicBool::new(false));
    let applied = Arc::new(AtomicU64::new(0));
    let faults = {
        let (stop, applied) = (stop.clone(), applied.clone());
        std::thread::spawn(move || inject_faults(control, seed, stop, applied))
    };
    let (done_tx, done) = mpsc::channel();
    let port = echo.port();
    // Which sockets receive in direct push, drawn from the seed; the others in buffer access.
    let mut plan = Rng::new(seed ^ 0xd1ec7);
    let mut direct: Vec<usize> = Vec::new();
    while direct.len() < direct_push.min(THREADS * SOCKETS_PER_THREAD) {
        let n = plan.below((THREADS * SOCKETS_PER_THREAD) as u64) as usize;
        if !direct.contains(&n) {
            direct.push(n);
        }
    }
    let direct: &'static [usize] = Box::leak(direct.into_boxed_slice());
    for t in 0..THREADS {
        let done_tx = done_tx.clone();
        std::thread::spawn(move || {
            let echoed = pollster::block_on(async {
                let tasks: [_; SOCKETS_PER_THREAD] = core::array::from_fn(|i| {
                    let n = t * SOCKETS_PER_THREAD + i;
                    let socket_seed = seed.wrapping_add(n as u64);
                    socket_rounds(net, port, socket_seed, direct.contains(&n), until)
                });
                join_array(tasks).await
            });
            let _ = done_tx.send(echoed.iter().sum::<u64>());
        });
    }
    drop(done_tx);
    // The memory once every socket is busy (a fifth of the run), against the end.
    std::thread::sleep(std::time::Duration::from_secs(secs) / 5);
    let rss_warm = rss();
    let mut total = 0u64;
    let deadline = until + std::time::Duration::from_secs(3 * ROUND.as_secs());
    for finished in 0..THREADS {
        let wait = deadline.saturating_duration_since(Instant::now());
        match done.recv_timeout(wait) {
            Ok(echoed) => total += echoed,
            Err(_) => panic!("seed {seed}: {finished} of {THREADS} threads finished: a deadlock, or a thread failed"),
        }
    }
    stop.store(true, Ordering::Relaxed);
    faults.join().unwrap();
    let rss_end = rss();
    println!(
        "load: {total} bytes echoed through 12 sockets in {:.1} s, {} faults, rss {} -> {} KiB",
        start.elapsed().as_secs_f64(),
        applied.load(Ordering::Relaxed),
        rss_warm / 1024,
        rss_end / 1024
    );
    assert!(total > 0);
    assert!(applied.load(Ordering::Relaxed) > 0, "no fault was applied");
    assert!(
        rss_end.saturating_sub(rss_warm) < MAX_RSS_GROWTH,
        "memory grew from {rss_warm} to {rss_end} bytes"
    );
}

//! The client as an application runs it: the module answers from its own thread, some answers
//! come later than the command's final result, and the ingress is fed from a reader thread.
//! Nothing here sleeps to win a race: the client waits for the spec's times, which are far
//! longer than the module's pauses.

use std::sync::mpsc::{channel, Receiver, Sender};
use std::thread;
use std::time::Duration;

use atat::{Ingress, ResponseSlot, UrcChannel};
use quectel_qi::client::{
    feed_ingress, BlockingClient, Client, Config, PushIngress, PushRing, UrcMeta, RING_CAPACITY,
};
use quectel_qi::digest::{DigestState, QiDigester};
use quectel_qi::sizes::{
    COMMAND_BUF_SIZE, INGRESS_BUF_SIZE, RESPONSE_SLOT_SIZE, SOCKETS, URC_CAPACITY,
};
use quectel_qi::*;

/// The host side of the serial line: what the client writes goes to the module thread.
struct Line(Sender<Vec<u8>>);

impl embedded_io::ErrorType for Line {
    type Error = std::convert::Infallible;
}
impl embedded_io::Write for Line {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        let _ = self.0.send(buf.to_vec());
        Ok(buf.len())
    }
    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}
impl embedded_io_async::Write for Line {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        let _ = self.0.send(buf.to_vec());
        Ok(buf.len())
    }
    async fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// (host bytes expected, answer, pause before a second answer, second answer)
type Turn = (&'static [u8], &'static [u8], u64, &'static [u8]);

const SESSION: &[Turn] = &[
    (
        b"AT+QIOPEN=1,0,\"TCP\",\"192.0.2.2\",8009,0,1\r",
        b"\r\nOK\r\n",
        30,
        b"\r\n+QIOPEN: 0,0\r\n",
    ),
    (b"AT+QISEND=0,5\r", b"\r\n> ", 0, b""),
    (
        b"ab\r\nc",
        b"\r\nSEND OK\r\n",
        20,
        b"\r\n+QIURC: \"recv\",0,6\r\n\r\nOK\r\n",
    ),
    (b"AT+QICLOSE=0\r", b"\r\nOK\r\n", 0, b""),
];

/// The module: checks each write against the session and answers through the reader.
fn module(session: &[Turn], host: Receiver<Vec<u8>>, wire: Sender<Vec<u8>>) {
    let mut pending = Vec::new();
    for (expect, answer, pause, later) in session {
        while pending.len() < expect.len() {
            let bytes = host
                .recv_timeout(Duration::from_secs(10))
                .expect("the host writes its next command");
            pending.extend_from_slice(&bytes);
        }
        assert_eq!(
            String::from_utf8_lossy(&pending[..expect.len()]),
            String::from_utf8_lossy(expect)
        );
        pending.drain(..expect.len());
        wire.send(answer.to_vec()).unwrap();
        if !later.is_empty() {
            thread::sleep(Duration::from_millis(*pause));
            wire.send(later.to_vec()).unwrap();
        }
    }
}

struct Setup<const N: usize = RING_CAPACITY> {
    slot: &'static ResponseSlot<RESPONSE_SLOT_SIZE>,
    urcs: &'static UrcChannel<UrcMeta, URC_CAPACITY, 1>,
    ring: &'static PushRing<N>,
    digest: &'static DigestState,
    line: Line,
    threads: Vec<thread::JoinHandle<()>>,
}

fn setup(session: &'static [Turn]) -> Setup {
    setup_ring(session, client::HOLD_MS)
}

/// The module and reader threads, with a push ring of `N` bytes that holds a frame back
/// `hold_ms` at most while nobody reads.
fn setup_ring<const N: usize>(session: &'static [Turn], hold_ms: u32) -> Setup<N> {
    let slot: &'static ResponseSlot<RESPONSE_SLOT_SIZE> = Box::leak(Box::new(ResponseSlot::new()));
    let urcs: &'static UrcChannel<UrcMeta, URC_CAPACITY, 1> =
        Box::leak(Box::new(UrcChannel::new()));
    let ring: &'static PushRing<N> = Box::leak(Box::new(PushRing::with_hold_ms(hold_ms)));
    let digest: &'static DigestState = Box::leak(Box::new(DigestState::new()));
    let buf: &'static mut [u8] = Box::leak(vec![0u8; INGRESS_BUF_SIZE].into_boxed_slice());
    let (host_tx, host_rx) = channel();
    let (wire_tx, wire_rx) = channel::<Vec<u8>>();
    let module = thread::spawn(move || module(session, host_rx, wire_tx));
    let reader = thread::spawn(move || {
        let mut ingress = PushIngress::new(QiDigester::new(digest), ring, buf, slot, urcs);
        // Ends when the module thread hangs up.
        while let Ok(bytes) = wire_rx.recv() {
            // When the URC channel is full, waits until the client drains it (bounded).
            feed_ingress(&mut ingress, &bytes, 1_000_000, thread::yield_now)
                .expect("the client drains the URC channel");
        }
    });
    Setup {
        slot,
        urcs,
        ring,
        digest,
        line: Line(host_tx),
        threads: vec![module, reader],
    }
}

/// Every wait capped at 5 s, so that a broken test fails instead of hanging for the spec's
/// 150 s; the module answers within milliseconds.
fn capped(start: embassy_time::Instant, d: embassy_time::Duration) -> embassy_time::Instant {
    start + d.min(embassy_time::Duration::from_secs(5))
}

fn at_config() -> atat::Config {
    atat::Config::new().get_response_timeout(capped)
}

fn config() -> Config {
    Config {
        wait_ms: |ms| ms.min(5_000),
        ..Config::default()
    }
}

fn open() -> qiopen::Open<'static> {
    qiopen::Open {
        context_id: ContextId::new_const(1),
        connect_id: ConnectId::new_const(0),
        service_type: ServiceType::Tcp,
        host: "192.0.2.2",
        remote_port: Port::new_const(8009),
        local_port: Some(Port::new_const(0)),
        access_mode: Some(AccessMode::DirectPush),
    }
}

const ID: ConnectId = ConnectId::new_const(0);

#[test]
fn blocking_client_with_a_module_thread() {
    let s = setup(SESSION);
    let buf = Box::leak(vec![0u8; COMMAND_BUF_SIZE].into_boxed_slice());
    let at = atat::blocking::Client::new(s.line, s.slot, buf, at_config());
    let mut c = BlockingClient::new(at, s.urcs, s.ring, s.digest, config()).unwrap();
    assert_eq!(c.open(&open()), Ok(ID));
    c.send(ID, b"ab\r\nc").unwrap();
    // The push came 20 ms after SEND OK, between the module's answers: wait for it.
    let mut got = Vec::new();
    loop {
        let mut buf = [0u8; 16];
        let n = c.read(ID, &mut buf).unwrap();
        got.extend_from_slice(&buf[..n]);
        if got.len() >= 6 || c.next_event(5_000).is_none() {
            break;
        }
    }
    assert_eq!(got, b"\r\nOK\r\n");
    c.close(ID).unwrap();
    for t in s.threads {
        t.join().unwrap();
    }
}

#[test]
fn async_client_with_a_module_thread() {
    let s = setup(SESSION);
    let buf = Box::leak(vec![0u8; COMMAND_BUF_SIZE].into_boxed_slice());
    let at = atat::asynch::Client::new(s.line, s.slot, buf, at_config());
    let mut c = Client::new(at, s.urcs, s.ring, s.digest, config()).unwrap();
    embassy_futures::block_on(async {
        assert_eq!(c.open(&open()).await, Ok(ID));
        c.send(ID, b"ab\r\nc").await.unwrap();
        let mut got = Vec::new();
        loop {
            let mut buf = [0u8; 16];
            let n = c.read(ID, &mut buf).await.unwrap();
            got.extend_from_slice(&buf[..n]);
            if got.len() >= 6 || c.next_event(5_000).await.is_none() {
                break;
            }
        }
        assert_eq!(got, b"\r\nOK\r\n");
        c.close(ID).await.unwrap();
    });
    for t in s.threads {
        t.join().unwrap();
    }
}

/// More URCs between a command and its final result than the URC channel holds.
fn urc_burst() -> &'static [u8] {
    let mut b = Vec::new();
    for i in 0..3 * URC_CAPACITY {
        b.extend_from_slice(format!("\r\n+QIURC: \"closed\",{}\r\n", i % SOCKETS).as_bytes());
    }
    b.extend_from_slice(b"\r\n+QIURC: \"pdpdeact\",3\r\n\r\nOK\r\n");
    Box::leak(b.into_boxed_slice())
}

#[test]
fn the_async_client_drains_a_urc_burst_while_it_waits() {
    let session: &'static [Turn] =
        Box::leak(Box::new([(&b"AT+QIACT=1\r"[..], urc_burst(), 0, &b""[..])]));
    let s = setup(session);
    let buf = Box::leak(vec![0u8; COMMAND_BUF_SIZE].into_boxed_slice());
    let at = atat::asynch::Client::new(s.line, s.slot, buf, at_config());
    let mut c = Client::new(at, s.urcs, s.ring, s.digest, config()).unwrap();
    embassy_futures::block_on(async {
        c.activate(ContextId::new_const(1)).await.unwrap();
    });
    assert!(c.context_lost(ContextId::new_const(3)));
    assert!(c.socket(ConnectId::MAX).closed);
    for t in s.threads {
        t.join().unwrap();
    }
}

const RESULT_WITH_ITS_OK: &[Turn] = &[(
    b"AT+QIOPEN=1,0,\"TCP\",\"192.0.2.2\",8009,0,1\r",
    b"\r\nOK\r\n\r\n+QIOPEN: 0,0\r\n",
    0,
    b"",
)];

/// A state URC routed on the way (socket 3 closed), then the result.
const RESULT_RIGHT_BEHIND_ITS_OK: &[Turn] = &[(
    b"AT+QIOPEN=1,0,\"TCP\",\"192.0.2.2\",8009,0,1\r",
    b"\r\nOK\r\n",
    0,
    b"\r\n+QIURC: \"closed\",3\r\n\r\n+QIOPEN: 0,0\r\n",
)];

/// An open's result in the same write as its `OK`, and one right behind it: atat's `send` is
/// still pending after the final result (it yields once more), so the client's drain of the
/// URC channel sees the result first; it must keep it for the open's wait.
#[test]
fn an_open_result_right_behind_its_ok_reaches_the_open() {
    for session in [RESULT_WITH_ITS_OK, RESULT_RIGHT_BEHIND_ITS_OK] {
        let s = setup(session);
        let buf = Box::leak(vec![0u8; COMMAND_BUF_SIZE].into_boxed_slice());
        let at = atat::asynch::Client::new(s.line, s.slot, buf, at_config());
        let mut c = Client::new(at, s.urcs, s.ring, s.digest, config()).unwrap();
        embassy_futures::block_on(async {
            assert_eq!(c.open(&open()).await, Ok(ID));
        });
        if session[0].3.len() > 2 {
            assert!(c.socket(ConnectId::new_const(3)).closed);
        }
        drop(c);
        for t in s.threads {
            t.join().unwrap();
        }
    }
}

/// The module's side with whole frames queued ([`QueuedUrc`]): atat's plain ingress.
struct QueuedSetup {
    slot: &'static ResponseSlot<RESPONSE_SLOT_SIZE>,
    urcs: &'static UrcChannel<QueuedUrc, URC_CAPACITY, 1>,
    digest: &'static DigestState,
    line: Line,
    threads: Vec<thread::JoinHandle<()>>,
}

fn setup_queued(session: &'static [Turn]) -> QueuedSetup {
    let slot: &'static ResponseSlot<RESPONSE_SLOT_SIZE> = Box::leak(Box::new(ResponseSlot::new()));
    let urcs: &'static UrcChannel<QueuedUrc, URC_CAPACITY, 1> =
        Box::leak(Box::new(UrcChannel::new()));
    let digest: &'static DigestState = Box::leak(Box::new(DigestState::new()));
    let buf: &'static mut [u8] = Box::leak(vec![0u8; INGRESS_BUF_SIZE].into_boxed_slice());
    let (host_tx, host_rx) = channel();
    let (wire_tx, wire_rx) = channel::<Vec<u8>>();
    let module = thread::spawn(move || module(session, host_rx, wire_tx));
    let reader = thread::spawn(move || {
        let mut ingress = Ingress::new(QiDigester::new(digest), buf, slot, urcs);
        while let Ok(bytes) = wire_rx.recv() {
            feed_ingress(&mut ingress, &bytes, 1_000_000, thread::yield_now)
                .expect("the client drains the URC channel");
        }
    });
    QueuedSetup {
        slot,
        urcs,
        digest,
        line: Line(host_tx),
        threads: vec![module, reader],
    }
}

#[test]
fn clients_over_whole_frames_still_work() {
    let s = setup_queued(SESSION);
    let buf = Box::leak(vec![0u8; COMMAND_BUF_SIZE].into_boxed_slice());
    let at = atat::blocking::Client::new(s.line, s.slot, buf, at_config());
    let mut c = BlockingClient::new_queued(at, s.urcs, s.digest, config()).unwrap();
    assert_eq!(c.open(&open()), Ok(ID));
    c.send(ID, b"ab\r\nc").unwrap();
    let mut got = Vec::new();
    while got.len() < 6 && c.next_event(5_000).is_some() {
        let mut buf = [0u8; 16];
        let n = c.read(ID, &mut buf).unwrap();
        got.extend_from_slice(&buf[..n]);
    }
    assert_eq!(got, b"\r\nOK\r\n");
    c.close(ID).unwrap();
    for t in s.threads {
        t.join().unwrap();
    }

    let s = setup_queued(SESSION);
    let buf = Box::leak(vec![0u8; COMMAND_BUF_SIZE].into_boxed_slice());
    let at = atat::asynch::Client::new(s.line, s.slot, buf, at_config());
    let mut c = Client::new_queued(at, s.urcs, s.digest, config()).unwrap();
    embassy_futures::block_on(async {
        assert_eq!(c.open(&open()).await, Ok(ID));
        c.send(ID, b"ab\r\nc").await.unwrap();
        let mut got = Vec::new();
        while got.len() < 6 && c.next_event(5_000).await.is_some() {
            let mut buf = [0u8; 16];
            let n = c.read(ID, &mut buf).await.unwrap();
            got.extend_from_slice(&buf[..n]);
        }
        assert_eq!(got, b"\r\nOK\r\n");
        c.close(ID).await.unwrap();
    });
    for t in s.threads {
        t.join().unwrap();
    }
}

/// Pushes of `PUSH_LEN` hostile bytes each, `PUSHES` of them: more than a ring of
/// `SMALL_RING` bytes holds at once.
const PUSHES: usize = 6;
const PUSH_LEN: usize = 400;
const SMALL_RING: usize = 1024;

fn hostile(i: usize) -> Vec<u8> {
    let mut d = Vec::with_capacity(PUSH_LEN);
    while d.len() < PUSH_LEN {
        d.extend_from_slice(format!("\r\nOK\r\n+QIURC: \"recv\",0,{i}\r\n\0>").as_bytes());
    }
    d.truncate(PUSH_LEN);
    d
}

fn push_burst() -> &'static [Turn] {
    let mut later = b"\r\n+QIOPEN: 0,0\r\n".to_vec();
    for i in 0..PUSHES {
        later.extend_from_slice(format!("\r\n+QIURC: \"recv\",0,{PUSH_LEN}\r\n").as_bytes());
        later.extend_from_slice(&hostile(i));
    }
    let open = &b"AT+QIOPEN=1,0,\"TCP\",\"192.0.2.2\",8009,0,1\r"[..];
    let turns: Vec<Turn> = vec![
        // The result and the pushes right behind the final result: the async link's drain
        // keeps the result for the open (`client_link.rs`).
        (
            open,
            &b"\r\nOK\r\n"[..],
            0,
            Box::leak(later.into_boxed_slice()),
        ),
        (&b"AT+QICLOSE=0\r"[..], &b"\r\nOK\r\n"[..], 0, &b""[..]),
    ];
    Box::leak(turns.into_boxed_slice())
}

/// A reader alone on the ring, slower than the burst, loses nothing (`client/ring.rs`): a
/// frame that does not fit is held back (the reader thread waits, as the line's flow control
/// would) until the reader took a payload, so a burst larger than the ring arrives whole and
/// in order. The hold time is long here so that a descheduled thread cannot turn the test
/// into one of the hold time.
#[test]
fn a_push_burst_larger_than_the_ring_arrives_whole_and_in_order_to_a_reader_alone() {
    let s = setup_ring::<SMALL_RING>(push_burst(), 60_000);
    let buf = Box::leak(vec![0u8; COMMAND_BUF_SIZE].into_boxed_slice());
    let at = atat::asynch::Client::new(s.line, s.slot, buf, at_config());
    let mut c = Client::new(at, s.urcs, s.ring, s.digest, config()).unwrap();
    let got = embassy_futures::block_on(async {
        assert_eq!(c.open(&open()).await, Ok(ID));
        let mut got = Vec::new();
        for _ in 0..4 * PUSHES {
            // A read takes one payload at most: one push a read, whole.
            let mut buf = [0u8; PUSH_LEN];
            match c.read(ID, &mut buf).await {
                Ok(n) if n > 0 => got.push(buf[..n].to_vec()),
                Ok(_) => {
                    if c.next_event(5_000).await.is_none() {
                        break;
                    }
                }
                Err(e) => panic!("read after {} pushes: {e:?}", got.len()),
            }
            if got.len() == PUSHES {
                break;
            }
        }
        c.close(ID).await.unwrap();
        got
    });
    let want: Vec<Vec<u8>> = (0..PUSHES).map(hostile).collect();
    assert_eq!(got, want, "every push, whole, in order");
    assert_eq!(s.ring.lost(), 0);
    assert_eq!(s.ring.waiting(), 0);
    for t in s.threads {
        t.join().unwrap();
    }
}

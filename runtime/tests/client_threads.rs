//! The client as an application runs it: the module answers from its own thread, some answers
//! come later than the command's final result, and the ingress is fed from a reader thread.
//! Nothing here sleeps to win a race: the client waits for the spec's times, which are far
//! longer than the module's pauses.

use std::sync::mpsc::{channel, Receiver, Sender};
use std::thread;
use std::time::Duration;

use atat::{AtatIngress, Ingress, ResponseSlot, UrcChannel};
use quectel_qi::client::{BlockingClient, Client, Config};
use quectel_qi::digest::{DigestState, QiDigester};
use quectel_qi::sizes::{COMMAND_BUF_SIZE, INGRESS_BUF_SIZE, RESPONSE_SLOT_SIZE, URC_CAPACITY};
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
fn module(host: Receiver<Vec<u8>>, wire: Sender<Vec<u8>>) {
    let mut pending = Vec::new();
    for (expect, answer, pause, later) in SESSION {
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

struct Setup {
    slot: &'static ResponseSlot<RESPONSE_SLOT_SIZE>,
    urcs: &'static UrcChannel<Urc, URC_CAPACITY, 1>,
    digest: &'static DigestState,
    line: Line,
    threads: Vec<thread::JoinHandle<()>>,
}

fn setup() -> Setup {
    let slot: &'static ResponseSlot<RESPONSE_SLOT_SIZE> = Box::leak(Box::new(ResponseSlot::new()));
    let urcs: &'static UrcChannel<Urc, URC_CAPACITY, 1> = Box::leak(Box::new(UrcChannel::new()));
    let digest: &'static DigestState = Box::leak(Box::new(DigestState::new()));
    let buf: &'static mut [u8] = Box::leak(vec![0u8; INGRESS_BUF_SIZE].into_boxed_slice());
    let (host_tx, host_rx) = channel();
    let (wire_tx, wire_rx) = channel::<Vec<u8>>();
    let module = thread::spawn(move || module(host_rx, wire_tx));
    let reader = thread::spawn(move || {
        let mut ingress = Ingress::new(QiDigester::new(digest), buf, slot, urcs);
        // Ends when the module thread hangs up.
        while let Ok(bytes) = wire_rx.recv() {
            let mut rest = &bytes[..];
            while !rest.is_empty() {
                match ingress.try_write(rest) {
                    Ok(n) => rest = &rest[n..],
                    // The URC channel is full: the client drains it on its next call.
                    Err(_) => thread::yield_now(),
                }
            }
        }
    });
    Setup {
        slot,
        urcs,
        digest,
        line: Line(host_tx),
        threads: vec![module, reader],
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
    let s = setup();
    let buf = Box::leak(vec![0u8; COMMAND_BUF_SIZE].into_boxed_slice());
    let at = atat::blocking::Client::new(s.line, s.slot, buf, atat::Config::new());
    let mut c = BlockingClient::new(at, s.urcs, s.digest, Config::default()).unwrap();
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
    let s = setup();
    let buf = Box::leak(vec![0u8; COMMAND_BUF_SIZE].into_boxed_slice());
    let at = atat::asynch::Client::new(s.line, s.slot, buf, atat::Config::new());
    let mut c = Client::new(at, s.urcs, s.digest, Config::default()).unwrap();
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

//! The async link's drain of the URC channel, which runs beside a command: a URC that answers
//! the call (an open's result) must reach the call, whenever it is taken from the channel.

use atat::asynch::AtatClient;
use atat::{AtatCmd, ResponseSlot, UrcChannel};
use quectel_qi::client::{Client, Config, PushIngress, PushRing, UrcMeta, HELD_URCS};
use quectel_qi::digest::{DigestState, QiDigester};
use quectel_qi::sizes::{INGRESS_BUF_SIZE, RESPONSE_SLOT_SIZE, URC_CAPACITY};
use quectel_qi::*;

/// An atat client whose module answers `OK` and, in the same instant, a URC: it feeds the URC
/// into the ingress, then yields once before it hands the `OK` back, as when an ingress on
/// another thread publishes both between the link's polls. The link's drain runs in that gap.
struct AnswersThenYields {
    ingress: PushIngress<'static, RESPONSE_SLOT_SIZE, URC_CAPACITY, 1>,
    urcs: &'static [&'static [u8]],
}

struct Sink;
impl embedded_io_async::ErrorType for Sink {
    type Error = core::convert::Infallible;
}
impl embedded_io_async::Write for Sink {
    async fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        Ok(buf.len())
    }
    async fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

impl AtatClient for AnswersThenYields {
    type Writer = Sink;
    fn inner(&mut self) -> &mut Sink {
        unreachable!("the link writes through send")
    }
    async fn send_with<Cmd: AtatCmd>(
        &mut self,
        cmd: &Cmd,
        _write: impl AsyncFnOnce(&mut Sink) -> Result<(), core::convert::Infallible>,
    ) -> Result<Cmd::Response, atat::Error> {
        self.send(cmd).await
    }
    async fn send<Cmd: AtatCmd>(&mut self, cmd: &Cmd) -> Result<Cmd::Response, atat::Error> {
        for urc in self.urcs {
            use atat::AtatIngress;
            self.ingress.try_write(urc).expect("room in the channel");
        }
        embassy_futures::yield_now().await;
        cmd.parse(Ok(&[]))
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
        access_mode: Some(AccessMode::BufferAccess),
    }
}

fn open_with(urcs: &'static [&'static [u8]]) -> (Result<ConnectId, client::Error>, bool) {
    let slot: &'static ResponseSlot<RESPONSE_SLOT_SIZE> = Box::leak(Box::new(ResponseSlot::new()));
    let channel: &'static UrcChannel<UrcMeta, URC_CAPACITY, 1> =
        Box::leak(Box::new(UrcChannel::new()));
    let ring: &'static PushRing = Box::leak(Box::new(PushRing::new()));
    let digest: &'static DigestState = Box::leak(Box::new(DigestState::new()));
    let buf: &'static mut [u8] = Box::leak(vec![0u8; INGRESS_BUF_SIZE].into_boxed_slice());
    let at = AnswersThenYields {
        ingress: PushIngress::new(QiDigester::new(digest), ring, buf, slot, channel),
        urcs,
    };
    let config = Config {
        // A lost result fails the test in a second, not after the spec's 150 s.
        wait_ms: |ms| ms.min(1_000),
        ..Config::default()
    };
    let mut c = Client::new(at, channel, ring, digest, config).unwrap();
    let opened = embassy_futures::block_on(c.open(&open()));
    (opened, c.socket(ConnectId::new_const(3)).closed)
}

#[test]
fn an_open_result_taken_by_the_drain_reaches_the_open() {
    let (opened, _) = open_with(&[b"\r\n+QIOPEN: 0,0\r\n"]);
    assert_eq!(opened, Ok(ConnectId::new_const(0)));
}

#[test]
fn state_urcs_before_the_result_are_routed_and_the_result_still_reaches_the_open() {
    let (opened, closed) = open_with(&[b"\r\n+QIURC: \"closed\",3\r\n", b"\r\n+QIOPEN: 0,0\r\n"]);
    assert_eq!(opened, Ok(ConnectId::new_const(0)));
    assert!(closed, "the close before the result was routed");
}

#[test]
fn urcs_behind_the_result_stay_for_later_calls() {
    let (opened, closed) = open_with(&[b"\r\n+QIOPEN: 0,0\r\n", b"\r\n+QIURC: \"closed\",3\r\n"]);
    assert_eq!(opened, Ok(ConnectId::new_const(0)));
    assert!(
        closed,
        "the close behind the result is routed by a later call"
    );
}

/// An atat client whose module sends, during each command, the next URCs of a script, one at
/// a time: each waits (yields, a bounded number of times) for room in the channel, as an
/// ingress on another task does, and the command times out when none comes.
struct ScriptedUrcs {
    ingress: PushIngress<'static, RESPONSE_SLOT_SIZE, CAP, 1>,
    script: std::collections::VecDeque<&'static [&'static [u8]]>,
}

/// A small channel, so that a burst fills it.
const CAP: usize = 2;

impl AtatClient for ScriptedUrcs {
    type Writer = Sink;
    fn inner(&mut self) -> &mut Sink {
        unreachable!("the link writes through send")
    }
    async fn send_with<Cmd: AtatCmd>(
        &mut self,
        cmd: &Cmd,
        _write: impl AsyncFnOnce(&mut Sink) -> Result<(), core::convert::Infallible>,
    ) -> Result<Cmd::Response, atat::Error> {
        self.send(cmd).await
    }
    async fn send<Cmd: AtatCmd>(&mut self, cmd: &Cmd) -> Result<Cmd::Response, atat::Error> {
        use atat::AtatIngress;
        for urc in self.script.pop_front().unwrap_or_default() {
            let mut waits = 0;
            let mut fed = self.ingress.try_write(urc).map(drop);
            while fed.is_err() {
                if waits == 100 {
                    return Err(atat::Error::Timeout);
                }
                waits += 1;
                embassy_futures::yield_now().await;
                fed = self.ingress.try_advance(0);
            }
        }
        embassy_futures::yield_now().await;
        cmd.parse(Ok(&[]))
    }
}

/// A burst of data notices during a command sent while an answer nobody waited for (a late
/// DNS result) is held: the drain still takes them, so the module's final result gets
/// through. (With one held answer and no drain, the burst filled the channel and the command
/// timed out.)
#[test]
fn a_command_sent_while_an_answer_is_held_still_drains_the_channel() {
    let slot: &'static ResponseSlot<RESPONSE_SLOT_SIZE> = Box::leak(Box::new(ResponseSlot::new()));
    let channel: &'static UrcChannel<UrcMeta, CAP, 1> = Box::leak(Box::new(UrcChannel::new()));
    let ring: &'static PushRing<3000, { CAP + HELD_URCS + 1 }> =
        Box::leak(Box::new(PushRing::new()));
    let digest: &'static DigestState = Box::leak(Box::new(DigestState::new()));
    let buf: &'static mut [u8] = Box::leak(vec![0u8; INGRESS_BUF_SIZE].into_boxed_slice());
    const LATE: &[&[u8]] = &[b"\r\n+QIURC: \"dnsgip\",0,1,600\r\n"];
    const BURST: &[&[u8]] = &[
        b"\r\n+QIURC: \"recv\",1\r\n",
        b"\r\n+QIURC: \"recv\",2\r\n",
        b"\r\n+QIURC: \"recv\",3\r\n",
        b"\r\n+QIURC: \"recv\",4\r\n",
    ];
    let at = ScriptedUrcs {
        ingress: PushIngress::new(QiDigester::new(digest), ring, buf, slot, channel),
        // `AT+QISEND=0,2` gets a late DNS answer; the payload's write, the burst.
        script: [LATE, BURST].into(),
    };
    let mut c = Client::new(at, channel, ring, digest, Config::default()).unwrap();
    digest.set_access_mode(ConnectId::new_const(0), AccessMode::BufferAccess);
    let sent = embassy_futures::block_on(c.send(ConnectId::new_const(0), b"hi"));
    assert_eq!(sent, Ok(()));
    for id in 1..=4 {
        let id = ConnectId::new(id).unwrap();
        assert!(c.socket(id).data_pending, "the notice of {id:?} was routed");
    }
}

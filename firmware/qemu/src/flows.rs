//! The flows, through quectel-qi's typed client: context activation, TCP echo, DNS, UDP echo.

use atat::{ResponseSlot, UrcChannel};
use core::fmt;
use embassy_time::{with_timeout, Duration};
use quectel_qi::client::{Client, Config, Error, Event};
use quectel_qi::digest::DigestState;
use quectel_qi::sizes::{COMMAND_BUF_SIZE, RESPONSE_SLOT_SIZE, URC_CAPACITY};
use quectel_qi::*;

use crate::host::{say, Peers};
use crate::uart::UartTx;

const CTX: ContextId = ContextId::new_const(1);
/// How long one flow may take: generous for an emulated core, far below the run's limit.
const FLOW_LIMIT: Duration = Duration::from_secs(15);

/// Why a flow failed.
pub enum Failure {
    Module(&'static str, Error),
    Wrong(&'static str),
    TimedOut(&'static str),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Module(what, e) => write!(f, "{what}: {e:?}"),
            Failure::Wrong(what) => write!(f, "{what}"),
            Failure::TimedOut(what) => write!(f, "{what}: timed out"),
        }
    }
}

trait Context<T> {
    fn context(self, what: &'static str) -> Result<T, Failure>;
}

impl<T> Context<T> for Result<T, Error> {
    fn context(self, what: &'static str) -> Result<T, Failure> {
        self.map_err(|e| Failure::Module(what, e))
    }
}

type Qi<'a> = Client<
    'a,
    quectel_qi::client::AsyncLink<'a, atat::asynch::Client<'a, UartTx, RESPONSE_SLOT_SIZE>, URC_CAPACITY, 1>,
>;

pub async fn run(
    tx: UartTx,
    responses: &'static ResponseSlot<RESPONSE_SLOT_SIZE>,
    urcs: &'static UrcChannel<Urc, URC_CAPACITY, 1>,
    digest: &'static DigestState,
    peers: &Peers,
) -> Result<(), Failure> {
    let mut command_buf = [0u8; COMMAND_BUF_SIZE];
    let at = atat::asynch::Client::new(tx, responses, &mut command_buf, quectel_qi::client::atat_config());
    let mut qi: Qi<'_> = Client::new(at, urcs, digest, Config::default())
        .map_err(|_| Failure::Wrong("no free URC subscriber"))?;

    bounded("context", activate(&mut qi)).await?;
    say(format_args!("firmware: context 1 active"));
    bounded("tcp echo", tcp_echo(&mut qi, peers.echo_port)).await?;
    say(format_args!("firmware: tcp echo ok"));
    bounded("dns", dns(&mut qi)).await?;
    say(format_args!("firmware: dns ok"));
    bounded("udp echo", udp_echo(&mut qi, peers.udp_port)).await?;
    say(format_args!("firmware: udp echo ok"));
    Ok(())
}

async fn bounded<T>(
    what: &'static str,
    flow: impl core::future::Future<Output = Result<T, Failure>>,
) -> Result<T, Failure> {
    with_timeout(FLOW_LIMIT, flow).await.map_err(|_| Failure::TimedOut(what))?
}

async fn activate(qi: &mut Qi<'_>) -> Result<(), Failure> {
    qi.prepare().await.context("prepare")?;
    qi.configure_context(&qicsgp::Configure {
        context_id: CTX,
        context_type: ContextType::Ipv4,
        apn: "internet",
        username: None,
        password: None,
        authentication: None,
    })
    .await
    .context("AT+QICSGP")?;
    qi.activate(CTX).await.context("AT+QIACT")
}

/// Opens a socket to `127.0.0.1:port` in buffer access mode.
async fn open(qi: &mut Qi<'_>, service_type: ServiceType, port: u16) -> Result<ConnectId, Failure> {
    let remote_port = Port::new(i64::from(port)).ok_or(Failure::Wrong("port out of range"))?;
    qi.open(&qiopen::Open {
        context_id: CTX,
        connect_id: ConnectId::new_const(0),
        service_type,
        host: "127.0.0.1",
        remote_port,
        local_port: Some(Port::new_const(0)),
        access_mode: Some(AccessMode::BufferAccess),
    })
    .await
    .context("AT+QIOPEN")
}

/// Sends `message` and reads until as many bytes came back.
async fn exchange(qi: &mut Qi<'_>, socket: ConnectId, message: &[u8]) -> Result<(), Failure> {
    qi.send(socket, message).await.context("AT+QISEND")?;
    let mut echoed = [0u8; 64];
    let mut got = 0;
    while got < message.len() {
        if !qi.socket(socket).data_pending {
            match qi.next_event(FLOW_LIMIT.as_millis() as u32).await {
                Some(Event::Closed(id)) if id == socket => return Err(Failure::Wrong("closed before the echo")),
                Some(_) => continue,
                None => return Err(Failure::TimedOut("the echo")),
            }
        }
        got += qi.read(socket, &mut echoed[got..]).await.context("AT+QIRD")?;
    }
    if &echoed[..got] != message {
        return Err(Failure::Wrong("the echo differs from what was sent"));
    }
    Ok(())
}

async fn tcp_echo(qi: &mut Qi<'_>, port: u16) -> Result<(), Failure> {
    let socket = open(qi, ServiceType::Tcp, port).await?;
    exchange(qi, socket, b"hello over TCP from mps2-an386").await?;
    qi.close(socket).await.context("AT+QICLOSE")
}

async fn dns(qi: &mut Qi<'_>) -> Result<(), Failure> {
    let answer = qi.resolve::<4>(CTX, "localhost").await.context("AT+QIDNSGIP")?;
    if answer.addresses.iter().any(|a| a.as_str() == "127.0.0.1") {
        Ok(())
    } else {
        Err(Failure::Wrong("localhost did not resolve to 127.0.0.1"))
    }
}

async fn udp_echo(qi: &mut Qi<'_>, port: u16) -> Result<(), Failure> {
    let socket = open(qi, ServiceType::Udp, port).await?;
    exchange(qi, socket, b"hello over UDP from mps2-an386").await?;
    qi.close(socket).await.context("AT+QICLOSE")
}

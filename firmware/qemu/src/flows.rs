//! The flows, each bounded in time: context activation, TCP echo, an HTTP GET with reqwless,
//! DNS and UDP echo. TCP goes through the stack's own `connect`; HTTP, DNS and UDP through the
//! embedded-nal-async traits, as any third-party client would.

use core::fmt::{self, Write as _};
use core::future::Future;
use core::net::{IpAddr, Ipv4Addr, SocketAddr};

use quectel_qi::embassy_time::{with_timeout, Duration};
use quectel_qi::embedded_io_async::{Read, Write};
use quectel_qi::embedded_nal_async::{AddrType, ConnectedUdp, Dns, UdpStack};
use quectel_qi::heapless::String;
use quectel_qi::stack;
use reqwless::client::HttpClient;
use reqwless::request::Method;

use crate::host::{say, Peers};
use crate::QiStack;

/// How long one flow may take: generous for an emulated core, far below the run's limit.
const FLOW_LIMIT: Duration = Duration::from_secs(15);
/// Holds the response head and the whole body the run script's server sends.
const HTTP_BUF: usize = 4096;
const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// Why a flow failed.
pub enum Failure {
    Stack(&'static str, stack::Error),
    Http(reqwless::Error),
    Wrong(&'static str),
    TimedOut(&'static str),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Stack(flow, e) => write!(f, "{flow}: {e}"),
            Failure::Http(e) => write!(f, "http get: {e:?}"),
            Failure::Wrong(what) => f.write_str(what),
            Failure::TimedOut(flow) => {
                write!(f, "{flow}: timed out after {} s", FLOW_LIMIT.as_secs())
            }
        }
    }
}

impl From<reqwless::Error> for Failure {
    fn from(e: reqwless::Error) -> Self {
        Failure::Http(e)
    }
}

trait InFlow<T> {
    fn in_flow(self, flow: &'static str) -> Result<T, Failure>;
}

impl<T> InFlow<T> for Result<T, stack::Error> {
    fn in_flow(self, flow: &'static str) -> Result<T, Failure> {
        self.map_err(|e| Failure::Stack(flow, e))
    }
}

pub async fn run(stack: &'static QiStack, peers: &Peers) -> Result<(), Failure> {
    step("context", async {
        stack.activate("internet").await.in_flow("context")
    })
    .await?;
    step("tcp echo", tcp_echo(stack, peers.echo_port)).await?;
    step("http get", http_get(stack, peers)).await?;
    step("dns", dns(stack)).await?;
    step("udp echo", udp_echo(stack, peers.udp_port)).await
}

async fn step(
    flow: &'static str,
    body: impl Future<Output = Result<(), Failure>>,
) -> Result<(), Failure> {
    with_timeout(FLOW_LIMIT, body)
        .await
        .map_err(|_| Failure::TimedOut(flow))??;
    say(format_args!("firmware: {flow} ok"));
    Ok(())
}

async fn tcp_echo(stack: &QiStack, port: u16) -> Result<(), Failure> {
    const MESSAGE: &[u8] = b"hello over TCP from mps2-an386";
    let mut socket = stack.connect("127.0.0.1", port).await.in_flow("tcp echo")?;
    socket.write_all(MESSAGE).await.in_flow("tcp echo")?;
    let mut echoed = [0u8; MESSAGE.len()];
    let mut got = 0;
    while got < echoed.len() {
        match socket.read(&mut echoed[got..]).await.in_flow("tcp echo")? {
            0 => {
                return Err(Failure::Wrong(
                    "tcp echo: the server closed before echoing all",
                ))
            }
            n => got += n,
        }
    }
    if echoed != MESSAGE {
        return Err(Failure::Wrong(
            "tcp echo: the echo differs from what was sent",
        ));
    }
    socket.close().await.in_flow("tcp echo")
}

async fn http_get(stack: &QiStack, peers: &Peers) -> Result<(), Failure> {
    let mut url = String::<48>::new();
    write!(
        url,
        "http://127.0.0.1:{}/bytes/{}",
        peers.http_port, peers.http_len
    )
    .map_err(|_| Failure::Wrong("http get: url too long"))?;
    // The stack is both the TCP connector and the resolver reqwless asks.
    let mut client = HttpClient::new(stack, stack);
    let mut request = client.request(Method::GET, &url).await?;
    let mut rx = [0u8; HTTP_BUF];
    let response = request.send(&mut rx).await?;
    if !response.status.is_successful() {
        return Err(Failure::Wrong("http get: the status is not 2xx"));
    }
    let body = response.body().read_to_end().await?;
    if body.len() != peers.http_len || fnv1a(body) != peers.http_fnv {
        return Err(Failure::Wrong(
            "http get: the body differs from the server's",
        ));
    }
    Ok(())
}

/// The hash `qemu_peers` gives for the body (FNV-1a, 64 bits).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

async fn dns(stack: &QiStack) -> Result<(), Failure> {
    let ip = stack
        .get_host_by_name("localhost", AddrType::IPv4)
        .await
        .in_flow("dns")?;
    if ip != LOOPBACK {
        return Err(Failure::Wrong(
            "dns: localhost did not resolve to 127.0.0.1",
        ));
    }
    Ok(())
}

async fn udp_echo(stack: &QiStack, port: u16) -> Result<(), Failure> {
    const MESSAGE: &[u8] = b"hello over UDP from mps2-an386";
    let remote = SocketAddr::new(LOOPBACK, port);
    let (_, mut socket) = UdpStack::connect(&stack, remote)
        .await
        .in_flow("udp echo")?;
    socket.send(MESSAGE).await.in_flow("udp echo")?;
    let mut echoed = [0u8; 64];
    let n = socket.receive_into(&mut echoed).await.in_flow("udp echo")?;
    if &echoed[..n] != MESSAGE {
        return Err(Failure::Wrong(
            "udp echo: the echo differs from what was sent",
        ));
    }
    socket.close().await.in_flow("udp echo")
}

//! The flows: context activation, TCP echo in buffer access and in direct push, the typed
//! client behind the stack's lock, an HTTP GET with reqwless, DNS, UDP echo and a UDP
//! service. TCP goes
//! through the stack's own `connect`; HTTP, DNS and UDP through the embedded-nal-async traits,
//! as any third-party client would. Every public future of the client and the stack a flow
//! awaits goes through [`sized!`] first. The flows run one after the other in the main task
//! (`tasks.rs`); the large buffer is the application's, [`APP_BUF`].

use core::fmt;
use core::net::{IpAddr, Ipv4Addr, SocketAddr};

use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::mutex::Mutex;
use quectel_qi::client;
use quectel_qi::embassy_time::{Duration, Timer};
use quectel_qi::embedded_io_async::{BufRead, Read, Write};
use quectel_qi::embedded_nal_async::{AddrType, ConnectedUdp, Dns, UdpStack};
use quectel_qi::heapless::String;
use quectel_qi::stack;
use quectel_qi::{qiopen, AccessMode, ConnectId, Port, ServiceType};
use reqwless::client::HttpClient;
use reqwless::request::Method;

use crate::future_sizes::sized;
use crate::host::decimal;
use crate::QiStack;
use qi_qemu_firmware::pattern;

/// How long one flow may take: generous for an emulated core, far below the run's limit.
pub const FLOW_LIMIT: Duration = Duration::from_secs(15);
/// The application's buffer, one for all flows (they run one after the other): the HTTP
/// flow's response head and the body as it comes (hashed chunk by chunk, never whole), the
/// TCP flows' chunk out and back (the echo is read over the chunk it checks, which the
/// pattern tells). In a static, so that it is neither in a task's future nor on the stack,
/// and `budget.sh` counts it as the application's.
pub static APP_BUF: Mutex<CriticalSectionRawMutex, [u8; APP_BUF_LEN]> =
    Mutex::new([0; APP_BUF_LEN]);
/// One read of a whole `+QIRD` or push; more than the HTTP server's response head.
const APP_BUF_LEN: usize = TCP_READ;
/// The TCP flows' traffic each way: four of the stack's largest sends.
const TCP_LEN: usize = 4 * TCP_SEND;
/// One `AT+QISEND`'s payload, the most a stack write takes at once.
const TCP_SEND: usize = 1460;
/// One `+QIRD` or push at most.
const TCP_READ: usize = 1500;
/// Between reads of the typed client while the echo is on its way.
const POLL_MS: u64 = 5;
const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

/// Why a flow failed.
pub enum Failure {
    Stack(&'static str, stack::Error),
    Client(&'static str, client::Error),
    Http(reqwless::Error),
    Wrong(&'static str),
    TimedOut(&'static str),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Stack(flow, e) => write!(f, "{flow}: {e}"),
            Failure::Client(call, e) => write!(f, "{call}: {e}"),
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

fn fill(chunk: &mut [u8], offset: usize) {
    for (i, b) in chunk.iter_mut().enumerate() {
        *b = pattern(offset + i);
    }
}

/// Several KB each way through the echo server, in the stack's largest sends (one
/// `AT+QISEND` each) and reads of a whole `+QIRD` or push; each chunk is read back before
/// the next goes, so a direct-push socket never holds more than one chunk unread. Buffer
/// access opens with `Stack::connect` (the config's mode), direct push with `connect_with`.
pub async fn tcp_echo(stack: &QiStack, port: u16, mode: AccessMode) -> Result<(), Failure> {
    let flow = match mode {
        AccessMode::DirectPush => "tcp direct push",
        _ => "tcp buffer access",
    };
    let mut socket = if mode == stack.config().access_mode {
        sized!("Stack::connect", stack.connect("127.0.0.1", port))
    } else {
        let connect = stack.connect_with("127.0.0.1", port, mode);
        sized!("Stack::connect_with", connect)
    }
    .in_flow(flow)?;
    let mut buf = APP_BUF.lock().await;
    let mut received = 0;
    for sent in (0..TCP_LEN).step_by(TCP_SEND) {
        let len = TCP_SEND.min(TCP_LEN - sent);
        let out = &mut buf[..];
        fill(&mut out[..len], sent);
        if sent == 0 {
            // `write` takes one `AT+QISEND`: all of a 1,460-byte chunk.
            let n = sized!("TcpSocket::write", socket.write(&out[..len])).in_flow(flow)?;
            if n != len {
                return Err(Failure::Wrong("tcp: a write took less than one send"));
            }
        } else {
            sized!("TcpSocket::write_all", socket.write_all(&out[..len])).in_flow(flow)?;
        }
        // The chunk is out: the echo comes back over it.
        let back = &mut buf[..TCP_READ];
        while received < sent + len {
            let n = sized!("TcpSocket::read", socket.read(back)).in_flow(flow)?;
            if n == 0 {
                return Err(Failure::Wrong("tcp: the server closed before echoing all"));
            }
            if received + n > sent + len {
                return Err(Failure::Wrong("tcp: more bytes came back than were sent"));
            }
            if (0..n).any(|i| back[i] != pattern(received + i)) {
                return Err(Failure::Wrong("tcp: the echo differs from what was sent"));
            }
            received += n;
        }
    }
    sized!("TcpSocket::close", socket.close()).in_flow(flow)
}

/// The typed client behind the stack's lock: the context's address (`AT+QIACT?`), then a
/// socket of its own (the highest connect ID, which the stack hands out last): open, one send,
/// reads until the echo is back, close.
pub async fn typed_client(stack: &QiStack, port: u16) -> Result<(), Failure> {
    const FLOW: &str = "typed client";
    const MESSAGE: &[u8] = b"hello from the typed client";
    let context_id = stack.config().context_id;
    let mut c = sized!("Stack::client", stack.client()).in_flow(FLOW)?;
    let address = sized!("Client::context_address", c.context_address(context_id));
    if !matches!(address, Ok(Some(_))) {
        return Err(Failure::Wrong("typed client: the context has no address"));
    }
    let id = ConnectId::MAX;
    let open = qiopen::Open::new(
        context_id,
        id,
        ServiceType::Tcp,
        "127.0.0.1",
        tcp_port(port),
    )
    .with_access_mode(AccessMode::BufferAccess);
    sized!("Client::open", c.open(&open)).map_err(|e| Failure::Client("typed client: open", e))?;
    sized!("Client::send", c.send(id, MESSAGE))
        .map_err(|e| Failure::Client("typed client: send", e))?;
    let mut echoed = [0u8; MESSAGE.len()];
    let mut got = 0;
    // The echo comes back within milliseconds; the flow's own limit bounds the wait.
    while got < echoed.len() {
        let n = sized!("Client::read", c.read(id, &mut echoed[got..]))
            .map_err(|e| Failure::Client("typed client: read", e))?;
        got += n;
        if n == 0 {
            Timer::after_millis(POLL_MS).await;
        }
    }
    if echoed != MESSAGE {
        return Err(Failure::Wrong(
            "typed client: the echo differs from what was sent",
        ));
    }
    sized!("Client::close", c.close(id)).map_err(|e| Failure::Client("typed client: close", e))
}

fn tcp_port(n: u16) -> Port {
    Port::new(i64::from(n)).unwrap_or(Port::MIN)
}

/// Configures and activates the stack's context (`AT+QICSGP`, `AT+QIACT`).
pub async fn context(stack: &QiStack) -> Result<(), Failure> {
    sized!("Stack::activate", stack.activate("internet")).in_flow("context")
}

/// `GET /bytes/<len>` from the HTTP peer: the body's length and FNV-1a hash are `len` and
/// `fnv`.
pub async fn http_get(stack: &QiStack, port: u16, len: usize, fnv: u64) -> Result<(), Failure> {
    // Without `write!`: core::fmt would be in the shipped firmware for this line alone.
    let mut url = String::<48>::new();
    let mut digits = [0; 21];
    url.push_str("http://127.0.0.1:")
        .and_then(|()| url.push_str(decimal(port.into(), &mut digits)))
        .and_then(|()| url.push_str("/bytes/"))
        .and_then(|()| url.push_str(decimal(len as u64, &mut digits)))
        .map_err(|_| Failure::Wrong("http get: url too long"))?;
    // The stack is both the TCP connector and the resolver reqwless asks.
    let mut client = HttpClient::new(stack, stack);
    let mut request = client.request(Method::GET, &url).await?;
    let mut rx = APP_BUF.lock().await;
    let response = request.send(&mut rx[..]).await?;
    if !response.status.is_successful() {
        return Err(Failure::Wrong("http get: the status is not 2xx"));
    }
    // Hashed where reqwless reads it (its buffer is the response head's): no body-sized
    // buffer.
    let mut body = response.body().reader();
    let (mut got, mut hash) = (0, FNV_OFFSET);
    loop {
        let chunk = body.fill_buf().await?;
        if chunk.is_empty() {
            break;
        }
        let n = chunk.len();
        hash = fnv1a(hash, chunk);
        got += n;
        body.consume(n);
    }
    if got != len || hash != fnv {
        return Err(Failure::Wrong(
            "http get: the body differs from the server's",
        ));
    }
    Ok(())
}

/// FNV-1a's start (64 bits).
const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// The hash `qemu_peers` gives for the body (FNV-1a, 64 bits), carried on over `bytes`.
fn fnv1a(hash: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(hash, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

pub async fn dns(stack: &QiStack) -> Result<(), Failure> {
    let lookup = stack.get_host_by_name("localhost", AddrType::IPv4);
    let ip = sized!("Dns::get_host_by_name", lookup).in_flow("dns")?;
    if ip != LOOPBACK {
        return Err(Failure::Wrong(
            "dns: localhost did not resolve to 127.0.0.1",
        ));
    }
    Ok(())
}

pub async fn udp_echo(stack: &QiStack, port: u16) -> Result<(), Failure> {
    const MESSAGE: &[u8] = b"hello over UDP from mps2-an386";
    let remote = SocketAddr::new(LOOPBACK, port);
    let (_, mut socket) =
        sized!("UdpStack::connect", UdpStack::connect(&stack, remote)).in_flow("udp echo")?;
    sized!(
        "ConnectedUdp::send",
        ConnectedUdp::send(&mut socket, MESSAGE),
    )
    .in_flow("udp echo")?;
    let mut echoed = [0u8; 64];
    let receive = socket.receive_into(&mut echoed);
    let n = sized!("ConnectedUdp::receive_into", receive).in_flow("udp echo")?;
    if &echoed[..n] != MESSAGE {
        return Err(Failure::Wrong(
            "udp echo: the echo differs from what was sent",
        ));
    }
    sized!("UdpSocket::close", socket.close()).in_flow("udp echo")
}

/// A UDP service (`"UDP SERVICE"`, a local port the module chooses): one datagram to the UDP
/// peer, and its echo read back with the sender's address (`AT+QIRD` of a service).
pub async fn udp_service(stack: &QiStack, port: u16) -> Result<(), Failure> {
    const FLOW: &str = "udp service";
    const MESSAGE: &[u8] = b"hello to a UDP service on mps2-an386";
    let mut service = sized!("Stack::bind_udp", stack.bind_udp(0)).in_flow(FLOW)?;
    let send = service.send_to(MESSAGE, "127.0.0.1", port);
    sized!("UdpService::send_to", send).in_flow(FLOW)?;
    let mut echoed = [0u8; 64];
    let receive = service.receive_from(&mut echoed);
    let (n, from) = sized!("UdpService::receive_from", receive).in_flow(FLOW)?;
    if &echoed[..n] != MESSAGE {
        return Err(Failure::Wrong(
            "udp service: the echo differs from what was sent",
        ));
    }
    if from.ip != "127.0.0.1" || from.port().get() != port {
        return Err(Failure::Wrong(
            "udp service: the echo came from another sender",
        ));
    }
    sized!("UdpService::close", service.close()).in_flow(FLOW)
}

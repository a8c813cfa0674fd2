//! A real MQTT 5 broker on loopback for the third-party client tests: rumqttd, embedded,
//! configured here (no file), without TLS or websockets.
//!
//! rumqttd binds the address it is given and does not tell the port it got, so the broker
//! takes a port the system has just handed out and proves it listens with an MQTT 5
//! `CONNECT`/`CONNACK` exchange before [`MqttBroker::start`] returns; when the port was
//! taken in between, its server thread ends and the next free port is tried. rumqttd has no
//! shutdown: the broker's threads live until the test process ends.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rumqttd::{Broker, Config, ConnectionSettings, RouterConfig, ServerSettings};

pub use crate::peers::WAIT;

/// The largest PUBLISH payload the broker takes.
pub const MAX_PAYLOAD: usize = 256 * 1024;
/// Ports tried before giving up (each only fails when another process takes it first).
const PORT_TRIES: usize = 5;
/// How often the readiness probe knocks while the broker starts.
const KNOCK_INTERVAL: Duration = Duration::from_millis(5);

/// A running broker.
pub struct MqttBroker {
    addr: SocketAddr,
    _thread: JoinHandle<()>,
}

impl MqttBroker {
    /// Starts a broker with an MQTT 5 listener on a free loopback port, and returns once it
    /// answers a `CONNECT` with a successful `CONNACK`.
    pub fn start() -> io::Result<MqttBroker> {
        let mut last = io::Error::other("no port tried");
        for _ in 0..PORT_TRIES {
            let addr = TcpListener::bind("127.0.0.1:0")?.local_addr()?;
            let thread = std::thread::Builder::new()
                .name("mqtt broker".into())
                .spawn(move || {
                    let _ = Broker::new(config(addr)).start();
                })?;
            match wait_ready(addr, &thread) {
                Ok(()) => {
                    return Ok(MqttBroker {
                        addr,
                        _thread: thread,
                    })
                }
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// The port its MQTT 5 listener is on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Its listener's address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }
}

fn config(listen: SocketAddr) -> Config {
    let server = ServerSettings {
        name: "v5-test".into(),
        listen,
        tls: None,
        next_connection_delay_ms: 0,
        connections: ConnectionSettings {
            connection_timeout_ms: WAIT.as_millis() as u16,
            max_payload_size: MAX_PAYLOAD,
            max_inflight_count: 100,
            auth: None,
            external_auth: None,
            dynamic_filters: true,
        },
    };
    Config {
        id: 0,
        router: RouterConfig {
            max_connections: 32,
            max_outgoing_packet_count: 200,
            max_segment_size: 4 * MAX_PAYLOAD,
            max_segment_count: 10,
            ..RouterConfig::default()
        },
        v5: Some(HashMap::from([("1".to_string(), server)])),
        ..Config::default()
    }
}

/// Knocks until the broker answers `CONNECT` with a successful `CONNACK`; fails when its
/// thread ended (its port was taken) or after [`WAIT`].
fn wait_ready(addr: SocketAddr, thread: &JoinHandle<()>) -> io::Result<()> {
    let deadline = Instant::now() + WAIT;
    loop {
        match connack(addr) {
            Ok(()) => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {}
            Err(e) => return Err(e),
        }
        if thread.is_finished() {
            return Err(io::Error::other(format!("the broker on {addr} stopped")));
        }
        if Instant::now() >= deadline {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                format!("no broker listening on {addr} after {WAIT:?}"),
            ));
        }
        std::thread::sleep(KNOCK_INTERVAL);
    }
}

/// An MQTT 5 `CONNECT` (clean start, keep-alive 60 s, no properties, client id "probe").
const PROBE_CONNECT: [u8; 20] = [
    0x10, 18, // CONNECT, remaining length
    0, 4, b'M', b'Q', b'T', b'T', 5,    // protocol name, version 5
    0x02, // connect flags: clean start
    0, 60, // keep-alive
    0,  // no properties
    0, 5, b'p', b'r', b'o', b'b', b'e', // client identifier
];
/// A `DISCONNECT`, normal disconnection.
const DISCONNECT: [u8; 2] = [0xE0, 0];

/// One MQTT 5 `CONNECT`, `CONNACK` (reason code success), `DISCONNECT`.
pub fn connack(addr: SocketAddr) -> io::Result<()> {
    let mut s = TcpStream::connect_timeout(&addr, WAIT)?;
    s.set_read_timeout(Some(WAIT))?;
    s.write_all(&PROBE_CONNECT)?;
    let mut head = [0u8; 2];
    s.read_exact(&mut head)?;
    let bad = |what: String| io::Error::new(io::ErrorKind::InvalidData, what);
    if head[0] != 0x20 || head[1] < 2 || head[1] & 0x80 != 0 {
        return Err(bad(format!("not a CONNACK: {head:02x?}")));
    }
    let mut rest = vec![0u8; usize::from(head[1])];
    s.read_exact(&mut rest)?;
    // Acknowledge flags, then the reason code.
    if rest[1] != 0 {
        return Err(bad(format!("CONNACK reason code {:#04x}", rest[1])));
    }
    s.write_all(&DISCONNECT)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_brokers_listen_on_their_own_ports_and_accept_mqtt5() {
        let a = MqttBroker::start().unwrap();
        let b = MqttBroker::start().unwrap();
        assert_ne!(a.port(), b.port());
        connack(a.addr()).unwrap();
        connack(b.addr()).unwrap();
    }

    #[test]
    fn a_port_without_a_broker_is_refused() {
        let addr = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let e = connack(addr).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::ConnectionRefused);
    }
}

//! Background services: name resolution (AT+QIDNSGIP), ping (AT+QPING) and time (AT+QNTP).
//! Each runs on its own thread and reports URCs to the module.
//!
//! Ping needs raw ICMP sockets, which an unprivileged process lacks, so the virtual module
//! measures something it can: the round trip of a TCP connection attempt to port 7 (echo) of
//! the host. Any answer (SYN-ACK or RST) is a reply; no answer within `<timeout>` is a lost
//! request. `<bytes>` and `<ttl>` are not measured and reported as [`PING_BYTES`] and
//! [`PING_TTL`]. Requests follow each other without a pause.

use super::net::{err_value, hstring};
use super::{Event, Job};
use crate::network::Network;
use quectel_qi::{urc, ErrorCode, Urc};
use std::io;
use std::net::{IpAddr, SocketAddr, TcpStream, UdpSocket};
use std::sync::mpsc::SyncSender;
use std::time::{Duration, Instant};

/// The request size reported by ping (the size the document's example shows).
pub const PING_BYTES: u32 = 32;
/// The time to live reported by ping (as in the document's example).
pub const PING_TTL: u32 = 255;
/// The port ping probes (echo).
const PING_PORT: u16 = 7;
/// NTP's well-known port, used when AT+QNTP leaves the port out.
pub(crate) const NTP_PORT: u16 = 123;
/// Seconds from 1900 (NTP's epoch) to 1970 (Unix's).
const NTP_TO_UNIX: u64 = 2_208_988_800;

fn spawn(name: &str, work: impl FnOnce() + Send + 'static) -> io::Result<()> {
    std::thread::Builder::new()
        .name(format!("qi-sim {name}"))
        .spawn(work)
        .map(|_| ())
}

fn report(tx: &SyncSender<Event>, urcs: Vec<Urc<'static>>, job: Job) {
    let _ = tx.send(Event::Report(urcs, job));
}

/// Resolves `host` in the module's network; reports the result and each IPv4 address.
pub(crate) fn dns(network: Network, host: String, tx: SyncSender<Event>) -> io::Result<()> {
    spawn("dns", move || {
        let addrs: Vec<IpAddr> = network.resolve(&host).into_iter().map(IpAddr::V4).collect();
        let mut urcs = Vec::new();
        if addrs.is_empty() {
            urcs.push(Urc::DnsgipResult(urc::DnsgipResult {
                err: err_value(ErrorCode::DnsParseFailed),
                ip_count: None,
                dns_ttl: None,
            }));
        } else {
            urcs.push(Urc::DnsgipResult(urc::DnsgipResult {
                err: err_value(ErrorCode::OperateSuccess),
                ip_count: Some(addrs.len() as u32),
                // The host resolver does not tell the TTL.
                dns_ttl: Some(0),
            }));
            for a in addrs {
                urcs.push(Urc::DnsgipAddress(urc::DnsgipAddress {
                    host_ip_addr: hstring(&a.to_string()),
                }));
            }
        }
        report(&tx, urcs, Job::Dns);
    })
}

/// Pings `host` `count` times (see the module documentation for what is measured).
pub(crate) fn ping(
    network: Network,
    host: String,
    timeout: Duration,
    count: u32,
    tx: SyncSender<Event>,
) -> io::Result<()> {
    spawn("ping", move || {
        let Ok(target) = network.resolve_v4(&host, PING_PORT) else {
            let u = Urc::PingSummary(urc::PingSummary {
                result: err_value(ErrorCode::DnsParseFailed),
                sent: None,
                rcvd: None,
                lost: None,
                min: None,
                max: None,
                avg: None,
            });
            report(&tx, vec![u], Job::Ping);
            return;
        };
        let mut times = Vec::new();
        for _ in 0..count {
            let start = Instant::now();
            // An address the network does not reach never answers: the request times out.
            let answered = if network.reachable(target.ip()) {
                match TcpStream::connect_timeout(&target, timeout) {
                    Ok(_) => true,
                    Err(e) => e.kind() == io::ErrorKind::ConnectionRefused,
                }
            } else {
                std::thread::sleep(timeout);
                false
            };
            let u = if answered {
                let ms = start.elapsed().as_millis() as u32;
                times.push(ms);
                Urc::PingReply(urc::PingReply {
                    result: err_value(ErrorCode::OperateSuccess),
                    ip_address: Some(hstring(&target.ip().to_string())),
                    bytes: Some(PING_BYTES),
                    time: Some(ms),
                    ttl: Some(PING_TTL),
                })
            } else {
                Urc::PingReply(urc::PingReply {
                    result: err_value(ErrorCode::OperationTimeout),
                    ip_address: None,
                    bytes: None,
                    time: None,
                    ttl: None,
                })
            };
            report(&tx, vec![u], Job::Ping);
        }
        let rcvd = times.len() as u32;
        let sum: u32 = times.iter().sum();
        let u = Urc::PingSummary(urc::PingSummary {
            result: err_value(ErrorCode::OperateSuccess),
            sent: Some(count),
            rcvd: Some(rcvd),
            lost: Some(count - rcvd),
            min: Some(times.iter().copied().min().unwrap_or(0)),
            max: Some(times.iter().copied().max().unwrap_or(0)),
            avg: Some(sum.checked_div(rcvd).unwrap_or(0)),
        });
        report(&tx, vec![u], Job::Ping);
    })
}

/// Asks the NTP server at `server`:`port` for the time (one SNTP request over UDP).
pub(crate) fn ntp(
    network: Network,
    server: String,
    port: u16,
    timeout: Duration,
    tx: SyncSender<Event>,
) -> io::Result<()> {
    spawn("ntp", move || {
        let u = match query_ntp(&network, &server, port, timeout) {
            Ok(unix) => Urc::NtpResult(urc::NtpResult {
                err: err_value(ErrorCode::OperateSuccess),
                time: Some(hstring(&format_time(unix))),
            }),
            Err(e) => Urc::NtpResult(urc::NtpResult {
                err: err_value(e),
                time: None,
            }),
        };
        report(&tx, vec![u], Job::Ntp);
    })
}

/// The server's transmit time, in seconds since 1970.
fn query_ntp(
    network: &Network,
    server: &str,
    port: u16,
    timeout: Duration,
) -> Result<u64, ErrorCode> {
    let addr: SocketAddr = network
        .resolve_v4(server, port)
        .map_err(|_| ErrorCode::DnsParseFailed)?;
    if !network.reachable(addr.ip()) {
        // No answer comes from beyond the sandbox.
        std::thread::sleep(timeout);
        return Err(ErrorCode::OperationTimeout);
    }
    let sock = UdpSocket::bind(("0.0.0.0", 0)).map_err(|_| ErrorCode::SocketCreationFailed)?;
    sock.set_read_timeout(Some(timeout))
        .map_err(|_| ErrorCode::SocketCreationFailed)?;
    let mut req = [0u8; 48];
    req[0] = 0x23; // leap indicator 0, version 4, mode 3 (client)
    sock.send_to(&req, addr)
        .map_err(|_| ErrorCode::SocketWriteFailed)?;
    let mut buf = [0u8; 512];
    let deadline = Instant::now() + timeout;
    loop {
        let (n, from) = sock
            .recv_from(&mut buf)
            .map_err(|_| ErrorCode::OperationTimeout)?;
        // Only a server reply (mode 4) from the server counts.
        if from == addr && n >= 48 && buf[0] & 7 == 4 {
            let secs = u64::from(u32::from_be_bytes([buf[40], buf[41], buf[42], buf[43]]));
            return secs.checked_sub(NTP_TO_UNIX).ok_or(ErrorCode::UnknownError);
        }
        if Instant::now() >= deadline {
            return Err(ErrorCode::OperationTimeout);
        }
    }
}

/// `YYYY/MM/DD,hh:mm:ss+00` (UTC, the time zone in quarter hours).
pub(crate) fn format_time(unix: u64) -> String {
    let days = (unix / 86_400) as i64;
    let rem = unix % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}/{m:02}/{d:02},{:02}:{:02}:{:02}+00",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The calendar date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_the_documents_example_time() {
        // 2019-07-21 06:10:59 UTC.
        assert_eq!(format_time(1_563_689_459), "2019/07/21,06:10:59+00");
        assert_eq!(format_time(0), "1970/01/01,00:00:00+00");
        assert_eq!(format_time(951_782_400), "2000/02/29,00:00:00+00");
    }
}

//! The subset firmware with the generated API: the same eleven commands as
//! `subset-baseline`, built from the same serial input, written with `AtatCmd::write`, their
//! responses parsed with `AtatCmd::parse` and URCs with `AtatUrc`. Buffers are sized by the
//! spec (`quectel_qi::sizes`).
#![no_std]
#![no_main]

#[path = "../board.rs"]
mod board;

use atat::{AtatCmd, AtatUrc};
use board::{rx, rx_int, Frame};
use core::hint::black_box;
use cortex_m_rt::entry;
use quectel_qi as qi;
use quectel_qi::sizes;

// The crate's length-aware digester; with the `at-digester` feature, atat's default one (as
// the baseline uses), to tell the digester's share from the API's.
#[cfg(not(feature = "at-digester"))]
type Digester = quectel_qi::digest::QiDigester<'static>;
#[cfg(feature = "at-digester")]
type Digester = atat::AtDigester<qi::Urc>;

#[cfg(not(feature = "at-digester"))]
static STATE: quectel_qi::digest::DigestState = quectel_qi::digest::DigestState::new();

#[cfg(not(feature = "at-digester"))]
fn digester() -> Digester {
    Digester::new(&STATE)
}
#[cfg(feature = "at-digester")]
fn digester() -> Digester {
    Digester::new()
}

fn text(line: &mut [u8]) -> &str {
    let n = board::rx_line(line);
    core::str::from_utf8(&line[..n]).unwrap_or("")
}

fn exchange<C: AtatCmd>(
    cmd: &C,
    tx: &mut [u8],
    rx_buf: &mut [u8],
    pos: &mut usize,
    d: &mut Digester,
) {
    let n = cmd.write(tx);
    board::tx(&tx[..n]);
    board::ingress(d, rx_buf, pos, |f| match f {
        Frame::Response(r) => {
            black_box(cmd.parse(r).ok());
        }
        Frame::Urc(u) => {
            black_box(qi::Urc::parse(u));
        }
        Frame::Prompt => board::tx(b"data"),
    });
}

#[entry]
fn main() -> ! {
    static mut RX: [u8; sizes::INGRESS_BUF_SIZE] = [0; sizes::INGRESS_BUF_SIZE];
    static mut TX: [u8; sizes::COMMAND_BUF_SIZE] = [0; sizes::COMMAND_BUF_SIZE];
    static mut LINE: [u8; 256] = [0; 256];
    let (rx_buf, tx, line) = (RX, TX, LINE);
    let mut d = digester();
    let mut pos = 0;
    loop {
        let (Some(ctx), Some(id)) = (qi::ContextId::new(rx_int()), qi::ConnectId::new(rx_int()))
        else {
            continue;
        };
        match rx() % 11 {
            0 => {
                let (Ok(context_type), Ok(auth)) = (
                    qi::ContextType::try_from(rx_int()),
                    qi::Authentication::try_from(rx_int()),
                ) else {
                    continue;
                };
                let (mut a, mut u, mut p) = ([0u8; 64], [0u8; 64], [0u8; 64]);
                let cmd = qi::qicsgp::Configure {
                    context_id: ctx,
                    context_type,
                    apn: text(&mut a),
                    username: Some(text(&mut u)),
                    password: Some(text(&mut p)),
                    authentication: Some(auth),
                };
                exchange(&cmd, tx, rx_buf, &mut pos, &mut d)
            }
            1 => exchange(
                &qi::qiact::Activate { context_id: ctx },
                tx,
                rx_buf,
                &mut pos,
                &mut d,
            ),
            2 => {
                let (Some(service_type), Some(remote_port), Some(local_port), Ok(access_mode)) = (
                    qi::ServiceType::from_keyword(text(&mut [0u8; 16])),
                    qi::Port::new(rx_int() << 8 | rx_int()),
                    qi::Port::new(rx_int()),
                    qi::AccessMode::try_from(rx_int()),
                ) else {
                    continue;
                };
                let cmd = qi::qiopen::Open {
                    context_id: ctx,
                    connect_id: id,
                    service_type,
                    host: text(line),
                    remote_port,
                    local_port: Some(local_port),
                    access_mode: Some(access_mode),
                };
                exchange(&cmd, tx, rx_buf, &mut pos, &mut d)
            }
            3 => {
                let Some(send_length) = qi::SendLength::new(rx_int()) else {
                    continue;
                };
                exchange(
                    &qi::qisend::SendFixed {
                        connect_id: id,
                        send_length,
                    },
                    tx,
                    rx_buf,
                    &mut pos,
                    &mut d,
                )
            }
            4 => exchange(
                &qi::qisend::AckQuery { connect_id: id },
                tx,
                rx_buf,
                &mut pos,
                &mut d,
            ),
            5 => {
                let cmd = qi::qird::Read {
                    connect_id: id,
                    read_length: qi::ReadLength::new(rx_int()),
                };
                exchange(&cmd, tx, rx_buf, &mut pos, &mut d)
            }
            6 => exchange(
                &qi::qistate::BySocket { connect_id: id },
                tx,
                rx_buf,
                &mut pos,
                &mut d,
            ),
            7 => {
                let cmd = qi::qping::Ping {
                    context_id: ctx,
                    host: text(line),
                    timeout: qi::PingTimeout::new(rx_int()),
                    pingnum: qi::Pingnum::new(rx_int()),
                };
                exchange(&cmd, tx, rx_buf, &mut pos, &mut d)
            }
            8 => {
                let cmd = qi::qidnsgip::Resolve {
                    context_id: ctx,
                    hostname: text(line),
                };
                exchange(&cmd, tx, rx_buf, &mut pos, &mut d)
            }
            9 => exchange(
                &qi::qiclose::Close {
                    connect_id: id,
                    timeout: None,
                },
                tx,
                rx_buf,
                &mut pos,
                &mut d,
            ),
            _ => exchange(
                &qi::qideact::Deactivate { context_id: ctx },
                tx,
                rx_buf,
                &mut pos,
                &mut d,
            ),
        }
    }
}

//! The subset firmware written with atat's derive macros (`bench/src/baseline.rs`): each turn
//! sends one of the eleven commands with values from the serial port, digests what comes
//! back with atat's default digester, parses the response with the derived `AtatCmd::parse`
//! and URCs with the derived `AtatUrc`.
#![no_std]
#![no_main]

#[path = "../board.rs"]
mod board;

#[allow(dead_code)]
#[path = "../../../src/baseline.rs"]
mod baseline;

use atat::heapless::String;
use atat::{AtDigester, AtatCmd, AtatUrc};
use board::{rx, Frame};
use core::hint::black_box;
use cortex_m_rt::entry;

/// The ingress buffer: a `+QIRD` frame of 1500 bytes with room to spare, chosen by hand.
const INGRESS: usize = 2048;
/// The command buffer: the longest command of the subset (a 255-byte host name) rounded up.
const COMMAND: usize = 320;

type Digester = AtDigester<baseline::Urc>;

fn text<const N: usize>(line: &mut [u8]) -> String<N> {
    let n = board::rx_line(line);
    core::str::from_utf8(&line[..n])
        .ok()
        .and_then(|s| String::try_from(s).ok())
        .unwrap_or_default()
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
            black_box(baseline::Urc::parse(u));
        }
        Frame::Prompt => board::tx(b"data"),
    });
}

#[entry]
fn main() -> ! {
    static mut RX: [u8; INGRESS] = [0; INGRESS];
    static mut TX: [u8; COMMAND] = [0; COMMAND];
    static mut LINE: [u8; 256] = [0; 256];
    let (rx_buf, tx, line) = (RX, TX, LINE);
    let mut d = Digester::new();
    let mut pos = 0;
    loop {
        let (ctx, id) = (rx(), rx());
        match rx() % 11 {
            0 => {
                let cmd = baseline::Configure {
                    context_id: ctx,
                    context_type: rx(),
                    apn: text(line),
                    username: text(line),
                    password: text(line),
                    authentication: rx(),
                };
                exchange(&cmd, tx, rx_buf, &mut pos, &mut d)
            }
            1 => exchange(
                &baseline::Activate { context_id: ctx },
                tx,
                rx_buf,
                &mut pos,
                &mut d,
            ),
            2 => {
                let cmd = baseline::Open {
                    context_id: ctx,
                    connect_id: id,
                    service_type: text(line),
                    host: text(line),
                    remote_port: u16::from(rx()) << 8 | u16::from(rx()),
                    local_port: Some(u16::from(rx())),
                    access_mode: Some(rx()),
                };
                exchange(&cmd, tx, rx_buf, &mut pos, &mut d)
            }
            3 => {
                let cmd = baseline::Send {
                    connect_id: id,
                    send_length: u16::from(rx()),
                };
                exchange(&cmd, tx, rx_buf, &mut pos, &mut d)
            }
            4 => exchange(
                &baseline::AckQuery {
                    connect_id: id,
                    zero: 0,
                },
                tx,
                rx_buf,
                &mut pos,
                &mut d,
            ),
            5 => {
                let cmd = baseline::Read {
                    connect_id: id,
                    read_length: u16::from(rx()),
                };
                let n = cmd.write(tx);
                board::tx(&tx[..n]);
                board::ingress(&mut d, rx_buf, &mut pos, |f| match f {
                    Frame::Response(r) => {
                        black_box(baseline::read_payload(&cmd, r));
                    }
                    Frame::Urc(u) => {
                        black_box(baseline::Urc::parse(u));
                    }
                    Frame::Prompt => {}
                });
            }
            6 => exchange(
                &baseline::StateBySocket {
                    query_type: 1,
                    connect_id: id,
                },
                tx,
                rx_buf,
                &mut pos,
                &mut d,
            ),
            7 => {
                let cmd = baseline::Ping {
                    context_id: ctx,
                    host: text(line),
                    timeout: Some(rx()),
                    pingnum: Some(rx()),
                };
                exchange(&cmd, tx, rx_buf, &mut pos, &mut d)
            }
            8 => {
                let cmd = baseline::Resolve {
                    context_id: ctx,
                    hostname: text(line),
                };
                exchange(&cmd, tx, rx_buf, &mut pos, &mut d)
            }
            9 => exchange(
                &baseline::Close { connect_id: id },
                tx,
                rx_buf,
                &mut pos,
                &mut d,
            ),
            _ => exchange(
                &baseline::Deactivate { context_id: ctx },
                tx,
                rx_buf,
                &mut pos,
                &mut d,
            ),
        }
    }
}

//! Every command form, response line and URC of the generated API: each turn reads a command
//! line from the serial port, decodes it into a `Request` (any form), writes it back with
//! `Request::encode` (the forms' encoders, which `AtatCmd::write` calls), digests the
//! response and decodes each information line with `Request::decode_response` (every line
//! decoder, which `AtatCmd::parse` calls), and URCs with `AtatUrc`.
//!
//! Decoding requests from text is what gives every form runtime values here; a host firmware
//! builds its requests instead, so this figure is an upper bound for using the whole API.
#![no_std]
#![no_main]

#[path = "../board.rs"]
mod board;

use atat::AtatUrc;
use board::Frame;
use core::hint::black_box;
use cortex_m_rt::entry;
use quectel_qi as qi;
use quectel_qi::digest::{DigestState, QiDigester};
use quectel_qi::sizes;

static STATE: DigestState = DigestState::new();

#[entry]
fn main() -> ! {
    static mut RX: [u8; sizes::INGRESS_BUF_SIZE] = [0; sizes::INGRESS_BUF_SIZE];
    static mut TX: [u8; sizes::COMMAND_BUF_SIZE] = [0; sizes::COMMAND_BUF_SIZE];
    static mut LINE: [u8; sizes::COMMAND_BUF_SIZE] = [0; sizes::COMMAND_BUF_SIZE];
    let (rx_buf, tx, line) = (RX, TX, LINE);
    let mut d = QiDigester::new(&STATE);
    let mut pos = 0;
    loop {
        let n = board::rx_line(line);
        let Ok(req) = qi::Request::decode(&line[..n]) else {
            continue;
        };
        let n = req.encode(tx).unwrap_or(0);
        board::tx(&tx[..n]);
        board::ingress(&mut d, rx_buf, &mut pos, |f| match f {
            Frame::Response(Ok(r)) => {
                let (head, payload) = qi::wire::split_line(r);
                black_box(req.decode_response(head, payload).ok());
            }
            Frame::Response(Err(e)) => {
                black_box(e);
            }
            Frame::Urc(u) => {
                black_box(qi::Urc::parse(u));
            }
            Frame::Prompt => board::tx(b"data"),
        });
    }
}

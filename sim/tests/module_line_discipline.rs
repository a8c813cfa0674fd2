//! The module's side of the serial line as V.250 5.2.1 has it and drivers expect it: CR ends a
//! command line, an LF after it is never data, characters before `AT` are ignored, the prompt
//! is `> `, echo comes back in the order it was sent. Over the in-memory duplex: one write
//! reaches the module as one piece, so each split below is the one the test makes.

mod module_support;

use module_support::{read_n, Host, Peer};
use qi_sim::Config;
use std::io::Write;

/// Opens connectID 0 in buffer access mode to a loopback peer; returns the peer's end.
fn open(h: &mut Host, peer: &Peer) -> std::net::TcpStream {
    let open = format!("AT+QIOPEN=1,0,\"TCP\",\"127.0.0.1\",{},0,0\r\n", peer.port);
    h.write(open.as_bytes());
    assert_eq!(h.until_final(), ["OK"]);
    assert_eq!(h.line(), "+QIOPEN: 0,0");
    peer.accept()
}

#[test]
fn crlf_lines_keep_every_payload_byte() {
    let mut h = Host::active();
    let peer = Peer::new();
    let mut conn = open(&mut h, &peer);
    // What drivers put in payloads: line ends, a command, a prompt, an HTTP request.
    let payload = b"\nAT+QIRD=0,0\r\n> GET / HTTP/1.1\r\n\r\n\xff";
    h.write(format!("AT+QISEND=0,{}\r\n", payload.len()).as_bytes());
    h.prompt();
    h.write(payload);
    assert_eq!(h.line(), "SEND OK");
    assert_eq!(read_n(&mut conn, payload.len()), payload);
    // Nothing was left over to start a line: the next command is answered alone.
    h.write(b"AT+QISEND=0,0\r\n");
    assert_eq!(
        h.until_final(),
        [format!("+QISEND: {0},{0},0", payload.len()), "OK".into()]
    );
    h.finish();
}

#[test]
fn an_lf_that_comes_after_the_prompt_is_still_the_line_ending() {
    let mut h = Host::active();
    let peer = Peer::new();
    let mut conn = open(&mut h, &peer);
    // The CR, then (once the prompt is out) the LF of the same line ending, then the payload.
    h.write(b"AT+QISEND=0,3\r");
    h.prompt();
    h.write(b"\n");
    h.write(b"abc");
    assert_eq!(h.line(), "SEND OK");
    assert_eq!(read_n(&mut conn, 3), b"abc");
    h.finish();
}

#[test]
fn a_host_that_ends_lines_with_cr_alone_can_send_a_leading_lf() {
    let mut h = Host::start(Config::for_tests());
    // Lines ended by CR alone: the module learns that no LF follows.
    assert_eq!(h.cmd("AT+QIACT=1"), ["OK"]);
    let peer = Peer::new();
    h.send(&format!(
        "AT+QIOPEN=1,0,\"TCP\",\"127.0.0.1\",{},0,0",
        peer.port
    ));
    assert_eq!(h.until_final(), ["OK"]);
    assert_eq!(h.line(), "+QIOPEN: 0,0");
    let mut conn = peer.accept();
    h.send("AT+QISEND=0,3");
    h.prompt();
    h.write(b"\nab");
    assert_eq!(h.line(), "SEND OK");
    assert_eq!(read_n(&mut conn, 3), b"\nab");
    h.finish();
}

#[test]
fn characters_before_at_are_ignored() {
    let mut h = Host::start(Config::for_tests());
    h.write(b"oAT\r\n");
    assert_eq!(h.until_final(), ["OK"]);
    h.write(b"\xff\x00AT+QIACT?\r\n");
    assert_eq!(h.until_final(), ["OK"]);
    // A line without the prefix gets no answer at all: the next answer is the next command's.
    h.write(b"hello\r\nat+cgatt?\r\n");
    assert_eq!(h.until_final(), ["+CGATT: 1", "OK"]);
    // Backspace takes back a character, also one of the prefix.
    h.write(b"AT+CSQX\x08\r\n");
    assert_eq!(h.until_final(), ["+CSQ: 25,99", "OK"]);
    h.write(b"AX\x08\x08AT\r\n");
    assert_eq!(h.until_final(), ["OK"]);
    h.finish();
}

#[test]
fn echo_returns_the_line_ending_before_the_answer() {
    let mut h = Host::start(Config {
        echo: true,
        ..Config::for_tests()
    });
    h.write(b"AT\r\n");
    let want = b"AT\r\n\r\nOK\r\n";
    let mut got = Vec::new();
    while got.len() < want.len() {
        got.extend(h.read_raw());
    }
    assert_eq!(got, want);
    // An LF that comes after the answer is the line's, and not echoed.
    h.write(b"AT\r");
    let want = b"AT\r\r\nOK\r\n";
    let mut got = Vec::new();
    while got.len() < want.len() {
        got.extend(h.read_raw());
    }
    assert_eq!(got, want);
    h.write(b"\nATE0\r\n");
    let want = b"ATE0\r\n\r\nOK\r\n";
    let mut got = Vec::new();
    while got.len() < want.len() {
        got.extend(h.read_raw());
    }
    assert_eq!(got, want);
    assert!(h.pending().is_empty());
    h.finish();
}

#[test]
fn the_prompt_is_a_greater_than_and_a_space() {
    let mut h = Host::active();
    let peer = Peer::new();
    let mut conn = open(&mut h, &peer);
    h.write(b"AT+QISEND=0,2\r\n");
    let mut got = Vec::new();
    while got.len() < 4 {
        got.extend(h.read_raw());
    }
    assert_eq!(got, b"\r\n> ");
    h.write(b"hi");
    assert_eq!(h.line(), "SEND OK");
    assert_eq!(read_n(&mut conn, 2), b"hi");
    conn.flush().unwrap();
    h.finish();
}

//! Each access mode against a real loopback echo peer, and the settings that change how data
//! moves (recvind, viewmode, dataformat, qisend/timeout, QISDE).

mod module_support;

use module_support::{read_n, udp_peer, wait_until, Host, Peer};
use std::io::{Read, Write};
use std::net::TcpStream;

/// Spawns a thread that echoes everything back until the connection ends.
fn echo(mut s: TcpStream) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut b = [0u8; 2048];
        while let Ok(n) = s.read(&mut b) {
            if n == 0 || s.write_all(&b[..n]).is_err() {
                break;
            }
        }
    })
}

fn counters(h: &mut Host) -> String {
    h.cmd("AT+QIRD=0,0")[0].clone()
}

#[test]
fn buffer_access_reports_once_until_drained() {
    let mut h = Host::active();
    let mut conn = h.open_client(0);
    conn.write_all(b"first").unwrap();
    assert_eq!(h.line(), "+QIURC: \"recv\",0");
    conn.write_all(b"second").unwrap();
    // No second URC while data is left: the next line is the counters' line.
    wait_until(|| counters(&mut h) == "+QIRD: 11,0,11");
    // Partial reads, then the buffer is empty.
    assert_eq!(h.cmd("AT+QIRD=0,3")[0], "+QIRD: 3");
    assert_eq!(h.pending(), b"");
    let mut h2 = h;
    h2.send("AT+QIRD=0,100");
    assert_eq!(h2.line(), "+QIRD: 8");
    assert_eq!(h2.data(8), b"stsecond");
    assert_eq!(h2.line(), "OK");
    assert_eq!(h2.cmd("AT+QIRD=0"), ["+QIRD: 0", "OK"]);
    // Drained: the next data is announced again.
    conn.write_all(b"x").unwrap();
    assert_eq!(h2.line(), "+QIURC: \"recv\",0");
    assert_eq!(counters(&mut h2), "+QIRD: 12,11,1");
    h2.finish();
}

#[test]
fn payloads_with_line_ends_and_results_inside_pass_intact() {
    let mut h = Host::active();
    let conn = h.open_client(0);
    let _echo = echo(conn);
    let payload = b"\r\nOK\r\n+QIURC: \"closed\",0\r\n>\x00\xff";
    h.send_payload(&format!("AT+QISEND=0,{}", payload.len()), payload);
    assert_eq!(h.line(), "SEND OK");
    assert_eq!(h.line(), "+QIURC: \"recv\",0");
    wait_until(|| counters(&mut h) == format!("+QIRD: {0},0,{0}", payload.len()));
    h.send("AT+QIRD=0,1500");
    assert_eq!(h.line(), format!("+QIRD: {}", payload.len()));
    assert_eq!(h.data(payload.len()), payload);
    assert_eq!(h.line(), "OK");
    h.finish();
}

#[test]
fn direct_push_with_comma_view_and_hex_data() {
    let mut h = Host::active();
    let mut conn = h.open_client(1);
    conn.write_all(b"ab").unwrap();
    assert_eq!(h.line(), "+QIURC: \"recv\",0,2");
    assert_eq!(h.data(2), b"ab");
    assert_eq!(h.cmd("AT+QICFG=\"viewmode\",1"), ["OK"]);
    h.configure("dataformat", "0,1");
    conn.write_all(b"\x01Z").unwrap();
    assert_eq!(h.line(), "+QIURC: \"recv\",0,2,015A");
    // Pushed data counts as read.
    assert_eq!(counters(&mut h), "+QIRD: 4,4,0");
    h.finish();
}

#[test]
fn send_forms_counters_echo_and_cancel() {
    let mut h = Host::active();
    let mut conn = h.open_client(0);
    // Ctrl+Z ends, Esc cancels (nothing sent, error 571).
    h.send_payload("AT+QISEND=0", b"abc\x1a");
    assert_eq!(h.line(), "SEND OK");
    h.send_payload("AT+QISEND=0", b"never\x1b");
    assert_eq!(h.line(), "ERROR");
    assert_eq!(
        h.cmd("AT+QIGETERROR"),
        ["+QIGETERROR: 571, cancel sending", "OK"]
    );
    // Echo of the payload.
    assert_eq!(h.cmd("AT+QISDE=1"), ["OK"]);
    assert_eq!(h.cmd("AT+QISDE?"), ["+QISDE: 1", "OK"]);
    h.send_payload("AT+QISEND=0,2", b"de");
    assert_eq!(h.data(2), b"de");
    assert_eq!(h.line(), "SEND OK");
    assert_eq!(h.cmd("AT+QISDE=0"), ["OK"]);
    // Hex string.
    assert_eq!(h.cmd("AT+QISENDEX=0,\"4647\""), ["SEND OK"]);
    // Hex send format: two digits per byte.
    assert_eq!(h.cmd("AT+QICFG=\"dataformat\",1,0"), ["OK"]);
    h.send_payload("AT+QISEND=0,1", b"48");
    assert_eq!(h.line(), "SEND OK");
    assert_eq!(h.cmd("AT+QISEND=0,0"), ["+QISEND: 8,8,0", "OK"]);
    assert_eq!(read_n(&mut conn, 8), b"abcdeFGH");
    h.finish();
}

#[test]
fn qisend_timeout_sends_what_came() {
    let mut h = Host::active();
    let mut conn = h.open_client(0);
    h.configure("qisend/timeout", "50");
    h.send_payload("AT+QISEND=0", b"part");
    // No Ctrl+Z: the timeout sends.
    assert_eq!(h.line(), "SEND OK");
    assert_eq!(read_n(&mut conn, 4), b"part");
    h.finish();
}

#[test]
fn transparent_mode_escape_return_and_no_carrier() {
    let guard = qi_sim::Config::for_tests().guard_time;
    let mut h = Host::active();
    assert_eq!(h.cmd("AT+QICFG=\"transwaittm\",0"), ["OK"]);
    let mut conn = h.open_client(2);
    // Bytes go both ways untouched; `+++` inside data is data.
    h.write(b"a+++b\r\nOK\r\n");
    assert_eq!(read_n(&mut conn, 11), b"a+++b\r\nOK\r\n");
    conn.write_all(b"\x00\x1a\xff").unwrap();
    assert_eq!(h.data(3), b"\x00\x1a\xff");
    // The escape: silence, +++, silence.
    std::thread::sleep(guard * 3);
    h.write(b"+++");
    assert_eq!(h.line(), "OK");
    assert_eq!(h.cmd("AT+QISTATE=1,0")[0].split(',').nth(8), Some("0"));
    // Data now waits in the buffer.
    conn.write_all(b"zz").unwrap();
    assert_eq!(h.line(), "+QIURC: \"recv\",0");
    // ATO returns to transparent mode; buffered data comes out first.
    assert_eq!(h.cmd("ATO"), ["CONNECT"]);
    assert_eq!(h.data(2), b"zz");
    std::thread::sleep(guard * 3);
    h.write(b"+++");
    assert_eq!(h.line(), "OK");
    // QISWTMD too.
    assert_eq!(h.cmd("AT+QISWTMD=0,2"), ["CONNECT"]);
    drop(conn);
    assert_eq!(h.line(), "NO CARRIER");
    assert_eq!(h.cmd("AT+QISTATE=1,0")[0].split(',').nth(5), Some("4"));
    assert_eq!(h.cmd("ATO"), ["NO CARRIER"]);
    assert_eq!(h.cmd("AT+QICLOSE=0"), ["OK"]);
    h.finish();
}

#[test]
fn switching_to_direct_push_pushes_buffered_data() {
    let mut h = Host::active();
    let mut conn = h.open_client(0);
    conn.write_all(b"buffered").unwrap();
    assert_eq!(h.line(), "+QIURC: \"recv\",0");
    assert_eq!(h.cmd("AT+QISWTMD=0,1"), ["OK"]);
    assert_eq!(h.line(), "+QIURC: \"recv\",0,8");
    assert_eq!(h.data(8), b"buffered");
    h.finish();
}

#[test]
fn udp_client_sends_and_receives_datagrams() {
    let mut h = Host::active();
    let peer = udp_peer();
    let port = peer.local_addr().unwrap().port();
    assert_eq!(
        h.cmd(&format!("AT+QIOPEN=1,3,\"UDP\",\"127.0.0.1\",{port},0,0")),
        ["OK"]
    );
    assert_eq!(h.line(), "+QIOPEN: 3,0");
    h.send_payload("AT+QISEND=3,4", b"ping");
    assert_eq!(h.line(), "SEND OK");
    let mut b = [0u8; 16];
    let (n, from) = peer.recv_from(&mut b).unwrap();
    assert_eq!(&b[..n], b"ping");
    peer.send_to(b"pong", from).unwrap();
    assert_eq!(h.line(), "+QIURC: \"recv\",3");
    h.send("AT+QIRD=3");
    assert_eq!(h.line(), "+QIRD: 4");
    assert_eq!(h.data(4), b"pong");
    assert_eq!(h.line(), "OK");
    h.finish();
}

#[test]
fn recvind_reports_the_length() {
    let mut h = Host::active();
    let mut conn = h.open_client(0);
    h.configure("recvind", "1");
    conn.write_all(b"12345").unwrap();
    assert_eq!(h.line(), "+QIURC: \"recv\",0,5");
    h.finish();
}

#[test]
fn a_full_send_buffer_answers_send_fail() {
    let mut h = Host::active();
    // The peer never reads: the socket's buffers fill up.
    let _conn = h.open_client(0);
    let chunk = [b'x'; 1460];
    let mut failed = false;
    for _ in 0..20_000 {
        h.send_payload("AT+QISEND=0,1460", &chunk);
        match h.line().as_str() {
            "SEND OK" => {}
            "SEND FAIL" => {
                failed = true;
                break;
            }
            other => panic!("{other}"),
        }
    }
    assert!(failed, "the buffers never filled");
    h.finish();
}

#[test]
fn prompt_shape_and_read_formats_follow_the_settings() {
    let mut h = Host::active();
    let mut conn = h.open_client(0);
    assert_eq!(h.cmd("AT+QICFG=\"formatcfg\",1"), ["OK"]);
    h.send("AT+QISEND=0,1");
    // Format 1 ("S3S4>S3S4"): the prompt is a line of its own, without the space.
    assert_eq!(h.line(), ">");
    h.write(b"x");
    assert_eq!(h.line(), "SEND OK");
    assert_eq!(read_n(&mut conn, 1), b"x");
    conn.write_all(b"\x00hi").unwrap();
    assert_eq!(h.line(), "+QIURC: \"recv\",0");
    assert_eq!(h.cmd("AT+QICFG=\"viewmode\",1"), ["OK"]);
    assert_eq!(h.cmd("AT+QICFG=\"dataformat\",0,1"), ["OK"]);
    assert_eq!(h.cmd("AT+QIRD=0,2"), ["+QIRD: 2,0068", "OK"]);
    assert_eq!(h.cmd("AT+QIRD=0,2"), ["+QIRD: 1,69", "OK"]);
    h.finish();
}

#[test]
fn a_client_connects_from_the_local_port_it_asks_for() {
    let mut h = Host::active();
    let peer = Peer::new();
    // A port free a moment ago.
    let local = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cmd = format!(
        "AT+QIOPEN=1,4,\"TCP\",\"127.0.0.1\",{},{local},0",
        peer.port
    );
    assert_eq!(h.cmd(&cmd), ["OK"]);
    assert_eq!(h.line(), "+QIOPEN: 4,0");
    let (_conn, from) = peer.listener.accept().unwrap();
    assert_eq!(from.port(), local);
    let state = h.cmd("AT+QISTATE=1,4");
    assert_eq!(
        state[0],
        format!(
            "+QISTATE: 4,\"TCP\",\"127.0.0.1\",{},{local},2,1,4,0,\"usbmodem\"",
            peer.port
        )
    );
    h.finish();
}

#[test]
fn dtr_raised_in_transparent_mode_follows_at_and_d() {
    let mut h = Host::active();
    assert_eq!(h.cmd("AT+QICFG=\"transwaittm\",0"), ["OK"]);
    // Outside transparent mode a DTR edge does nothing.
    assert!(h.control().raise_dtr());
    assert_eq!(h.cmd("AT"), ["OK"]);
    // AT&D1: command mode, the socket goes on in buffer access mode.
    assert_eq!(h.cmd("AT&D1"), ["OK"]);
    let mut conn = h.open_client(2);
    h.write(b"before");
    assert_eq!(read_n(&mut conn, 6), b"before");
    assert!(h.control().raise_dtr());
    assert_eq!(h.line(), "OK");
    assert_eq!(h.cmd("AT+QISTATE=1,0")[0].split(',').nth(8), Some("0"));
    conn.write_all(b"zz").unwrap();
    assert_eq!(h.line(), "+QIURC: \"recv\",0");
    assert_eq!(h.cmd("ATO"), ["CONNECT"]);
    assert_eq!(h.data(2), b"zz");
    // AT&D0 (set in command mode): ignored.
    assert!(h.control().raise_dtr());
    assert_eq!(h.line(), "OK");
    assert_eq!(h.cmd("AT&D0"), ["OK"]);
    assert_eq!(h.cmd("ATO"), ["CONNECT"]);
    assert!(h.control().raise_dtr());
    h.write(b"still data");
    assert_eq!(read_n(&mut conn, 10), b"still data");
    // AT&D2: the connection ends.
    let guard = qi_sim::Config::for_tests().guard_time;
    std::thread::sleep(guard * 3);
    h.write(b"+++");
    assert_eq!(h.line(), "OK");
    assert_eq!(h.cmd("AT&D2"), ["OK"]);
    assert_eq!(h.cmd("ATO"), ["CONNECT"]);
    assert!(h.control().raise_dtr());
    assert_eq!(h.line(), "NO CARRIER");
    assert_eq!(h.cmd("AT+QISTATE=1,0")[0].split(',').nth(5), Some("4"));
    assert_eq!(h.cmd("AT+QICLOSE=0"), ["OK"]);
    h.finish();
}

#[test]
fn close_mode_reports_the_close_as_a_urc() {
    let mut h = Host::active();
    let _conn = h.open_client(0);
    h.configure("close/mode", "1");
    assert_eq!(h.cmd("AT+QICLOSE=0"), ["OK"]);
    assert_eq!(h.line(), "+QICLOSE: 0,0");
    assert_eq!(h.cmd("AT+QICFG=\"close/mode\",0"), ["OK"]);
    let _conn = h.open_client(0);
    assert_eq!(h.cmd("AT+QICLOSE=0"), ["OK"]);
    assert_eq!(h.pending(), b"");
    h.finish();
}

#[test]
fn payload_echo_repeats_the_input_but_not_what_ends_it() {
    let mut h = Host::active();
    let mut conn = h.open_client(0);
    assert_eq!(h.cmd("AT+QISDE=1"), ["OK"]);
    // Fixed length: Ctrl+Z is data, and echoed.
    h.send_payload("AT+QISEND=0,3", b"a\x1ab");
    assert_eq!(h.data(3), b"a\x1ab");
    assert_eq!(h.line(), "SEND OK");
    assert_eq!(read_n(&mut conn, 3), b"a\x1ab");
    // Open length: the Ctrl+Z that ends it is not.
    h.send_payload("AT+QISEND=0", b"cd\x1a");
    assert_eq!(h.data(2), b"cd");
    assert_eq!(h.line(), "SEND OK");
    assert_eq!(read_n(&mut conn, 2), b"cd");
    h.finish();
}

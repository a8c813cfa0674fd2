//! Fault injection: delayed answers, a dropped peer, the network taking the context down,
//! output cut into pieces or merged into bursts.

mod module_support;

use module_support::{read_n, Host};
use qi_sim::{Chunks, Config, Faults};
use quectel_qi::{ConnectId, ContextId};
use std::io::Write;
use std::time::{Duration, Instant};

fn with_faults(faults: Faults) -> Host {
    let mut h = Host::start(Config {
        faults,
        ..Config::for_tests()
    });
    assert_eq!(h.cmd("AT+QIACT=1"), ["OK"]);
    h
}

/// A short session whose every line must survive however the output is cut.
fn session(h: &mut Host) {
    let mut conn = h.open_client(1);
    h.send("AT+QISEND=0,5");
    h.prompt();
    h.write(b"hello");
    assert_eq!(h.line(), "SEND OK");
    assert_eq!(read_n(&mut conn, 5), b"hello");
    conn.write_all(b"\r\nOK\r\n").unwrap();
    assert_eq!(h.line(), "+QIURC: \"recv\",0,6");
    assert_eq!(h.data(6), b"\r\nOK\r\n");
    assert_eq!(h.cmd("AT+QISEND=0,0"), ["+QISEND: 5,5,0", "OK"]);
}

#[test]
fn answers_come_after_the_configured_delay() {
    let delay = Duration::from_millis(60);
    let mut h = with_faults(Faults {
        response_delay: delay,
        ..Faults::default()
    });
    let t = Instant::now();
    assert_eq!(h.cmd("AT"), ["OK"]);
    assert!(t.elapsed() >= delay);
    assert!(h.control().set_response_delay(Duration::ZERO));
    assert_eq!(h.cmd("AT"), ["OK"]);
    h.finish();
}

#[test]
fn output_byte_by_byte() {
    let mut h = with_faults(Faults {
        chunks: Chunks::Split(1),
        ..Faults::default()
    });
    h.send("AT");
    for _ in 0..6 {
        assert_eq!(h.read_raw().len(), 1);
    }
    session(&mut h);
    h.finish();
}

#[test]
fn output_in_random_pieces() {
    let mut h = with_faults(Faults {
        chunks: Chunks::Random { seed: 7, max: 5 },
        ..Faults::default()
    });
    h.send("AT+QIACT?");
    let mut sizes = Vec::new();
    let mut got = Vec::new();
    while got.len() < "\r\n+QIACT: 1,1,1,\"127.0.0.1\"\r\n\r\nOK\r\n".len() {
        let r = h.read_raw();
        sizes.push(r.len());
        got.extend(r);
    }
    assert!(sizes.iter().all(|n| (1..=5).contains(n)), "{sizes:?}");
    assert!(sizes.iter().any(|n| *n != sizes[0]), "{sizes:?}");
    session(&mut h);
    h.finish();
}

#[test]
fn output_merged_into_bursts() {
    let window = Duration::from_millis(300);
    let mut h = with_faults(Faults {
        merge_window: window,
        ..Faults::default()
    });
    let t = Instant::now();
    h.write(b"AT\rAT+QISDE?\r");
    let burst = h.read_raw();
    assert!(t.elapsed() >= window);
    assert_eq!(burst, b"\r\nOK\r\n\r\n+QISDE: 0\r\n\r\nOK\r\n");
    h.finish();
}

#[test]
fn dropped_peer_is_reported_closed() {
    let mut h = Host::active();
    let _conn = h.open_client(0);
    assert!(h.control().drop_peer(ConnectId::new_const(0)));
    assert_eq!(h.line(), "+QIURC: \"closed\",0");
    assert_eq!(h.cmd("AT+QISEND=0,1"), ["ERROR"]);
    // In transparent mode the module says NO CARRIER.
    assert_eq!(h.cmd("AT+QICLOSE=0"), ["OK"]);
    let _conn = h.open_client(2);
    assert!(h.control().drop_peer(ConnectId::new_const(0)));
    assert_eq!(h.line(), "NO CARRIER");
    h.finish();
}

#[test]
fn network_deactivates_the_context() {
    let mut h = Host::active();
    let _conn = h.open_client(0);
    assert!(h.control().deactivate_context(ContextId::new_const(1)));
    assert_eq!(h.line(), "+QIURC: \"pdpdeact\",1");
    assert_eq!(h.cmd("AT+QIACT?"), ["OK"]);
    assert_eq!(h.cmd("AT+QISTATE=1,0")[0].split(',').nth(5), Some("4"));
    assert_eq!(h.cmd("AT+QIDEACT=1"), ["OK"]);
    assert_eq!(h.cmd("AT+QISTATE=1,0"), ["OK"]);
    assert_eq!(h.cmd("AT+QIACT=1"), ["OK"]);
    h.finish();
}

#[test]
fn the_module_stops_when_the_host_end_drops() {
    let h = Host::active();
    // finish() drops the host end and joins the module thread: a hang fails the suite.
    h.finish();
}

#[test]
fn shutdown_stops_the_module_while_the_host_holds_its_end() {
    let mut h = Host::active();
    assert!(h.control().shutdown());
    // The host sees the end of the stream, and the module thread ends.
    let running = h.running.take().unwrap();
    running.join();
    assert!(h.read_raw().is_empty());
}

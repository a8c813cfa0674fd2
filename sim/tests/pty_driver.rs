//! A driver's life through `qi sim --pty`, written as drivers for real modules write it: lines
//! ended by CR LF, the start-up sequence they send, sends that wait for exactly `"> "`, then a
//! fault from the test through the fault port and a restart. The payloads hold LF, CR, `AT` and
//! `>`; the loopback peer the test runs must get them byte for byte.

mod pty_support;

use pty_support::{fault, Serial, Sim};
use std::io::{BufReader, Read};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::Duration;

/// How long a driver waits for one answer before it gives up (no retries here).
const ANSWER: Duration = Duration::from_secs(10);

/// A CR LF driver: one line, then what it waits for.
fn say(s: &mut Serial, line: &str, want: &[u8]) -> Vec<u8> {
    s.write(format!("{line}\r\n").as_bytes());
    s.read_until(want, ANSWER)
}

/// A send as drivers write it: the command, exactly `"> "`, the payload, SEND OK.
fn send(s: &mut Serial, payload: &[u8]) {
    say(s, &format!("AT+QISEND=0,{}", payload.len()), b"> ");
    s.write(payload);
    assert_eq!(s.read_until(b"SEND OK\r\n", ANSWER), b"\r\nSEND OK\r\n");
}

#[test]
fn a_crlf_driver_starts_up_sends_and_recovers() {
    // The peer collects everything it receives until the module closes the connection.
    let peer = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = peer.local_addr().unwrap().port();
    let (got_tx, got_rx) = mpsc::channel();
    std::thread::spawn(move || {
        let Ok((mut conn, _)) = peer.accept() else {
            return;
        };
        conn.set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let mut all = Vec::new();
        let _ = conn.read_to_end(&mut all);
        let _ = got_tx.send(all);
    });

    let (mut sim, path) = Sim::start(&["--echo", "--control", "127.0.0.1:0", "--restart-ms", "50"]);
    let control_addr = sim.announced("control: ");
    let mut s = Serial::open(&path);

    // Start-up, echo on as a real module starts: each answer follows the echo of its line.
    let answer = say(&mut s, "ATE0", b"OK\r\n");
    assert!(answer.starts_with(b"ATE0\r"), "{answer:?}");
    assert_eq!(say(&mut s, "AT&D0", b"OK\r\n"), b"\r\nOK\r\n");
    assert_eq!(say(&mut s, "AT+CMEE=2", b"OK\r\n"), b"\r\nOK\r\n");
    assert_eq!(
        say(&mut s, "AT+CPIN?", b"OK\r\n"),
        b"\r\n+CPIN: READY\r\n\r\nOK\r\n"
    );
    assert_eq!(say(&mut s, "AT+CEREG=1", b"OK\r\n"), b"\r\nOK\r\n");
    assert_eq!(
        say(&mut s, "AT+CEREG?", b"OK\r\n"),
        b"\r\n+CEREG: 1,1\r\n\r\nOK\r\n"
    );
    assert_eq!(say(&mut s, "AT+CGATT=1", b"OK\r\n"), b"\r\nOK\r\n");
    assert_eq!(
        say(&mut s, "AT+QICSGP=1,1,\"internet\",\"\",\"\",1", b"OK\r\n"),
        b"\r\nOK\r\n"
    );
    assert_eq!(say(&mut s, "AT+QIACT=1", b"OK\r\n"), b"\r\nOK\r\n");
    let open = format!("AT+QIOPEN=1,0,\"TCP\",\"127.0.0.1\",{port},0,0");
    assert_eq!(
        say(&mut s, &open, b"+QIOPEN: 0,0\r\n"),
        b"\r\nOK\r\n\r\n+QIOPEN: 0,0\r\n"
    );

    // Payloads a CR LF line ending must not disturb.
    let first: &[u8] = b"\nGET / HTTP/1.1\r\nHost: x\r\n\r\n";
    let second: &[u8] = b"AT+QIRD=0,0\r> \r\n\xff\n";
    send(&mut s, first);
    send(&mut s, second);
    let state = say(&mut s, "AT+QISTATE=1,0", b"OK\r\n");
    let state = String::from_utf8_lossy(&state);
    assert!(
        state.contains(&format!("+QISTATE: 0,\"TCP\",\"127.0.0.1\",{port},")),
        "{state:?}"
    );
    assert_eq!(say(&mut s, "AT+QICLOSE=0", b"OK\r\n"), b"\r\nOK\r\n");
    let got = got_rx.recv_timeout(ANSWER).expect("the peer saw the close");
    assert_eq!(got, [first, second].concat());

    // The test pulls the network away; the driver sees the URC it enabled.
    let mut control = BufReader::new(TcpStream::connect(&control_addr).unwrap());
    assert_eq!(fault(&mut control, "registration none"), "ok");
    assert_eq!(s.read_until(b"+CEREG: 0\r\n", ANSWER), b"\r\n+CEREG: 0\r\n");
    assert!(fault(&mut control, "registration sideways").starts_with("error: usage"));
    assert_eq!(fault(&mut control, "registration home"), "ok");
    assert_eq!(s.read_until(b"+CEREG: 1\r\n", ANSWER), b"\r\n+CEREG: 1\r\n");

    // Recovery by restart: OK, then the start-up lines, echo back on.
    assert_eq!(
        say(&mut s, "AT+CFUN=1,1", b"+CPIN: READY\r\n"),
        b"\r\nOK\r\n\r\nRDY\r\n\r\n+CFUN: 1\r\n\r\n+CPIN: READY\r\n"
    );
    let answer = say(&mut s, "AT", b"OK\r\n");
    assert!(answer.starts_with(b"AT\r"), "{answer:?}");
}

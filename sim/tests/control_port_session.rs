//! The fault port over TCP: every fault a line names is applied to the running module and
//! answered `ok`; a line that is no fault is answered with its usage; a module that stopped
//! is said to have stopped.

mod module_support;

use module_support::{Host, WAIT};
use qi_sim::control_port::serve_control;
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpStream};

/// A session on the fault port.
struct Session {
    out: TcpStream,
    answers: BufReader<TcpStream>,
}

impl Session {
    fn open(addr: SocketAddr) -> Session {
        let out = TcpStream::connect(addr).unwrap();
        out.set_read_timeout(Some(WAIT)).unwrap();
        let answers = BufReader::new(out.try_clone().unwrap());
        Session { out, answers }
    }

    fn say(&mut self, line: &str) -> String {
        writeln!(self.out, "{line}").unwrap();
        let mut answer = String::new();
        self.answers.read_line(&mut answer).unwrap();
        answer.trim_end().to_string()
    }
}

#[test]
fn every_fault_line_is_applied_and_bad_lines_get_their_usage() {
    let mut h = Host::active();
    let control = h.control().clone();
    let addr = serve_control("127.0.0.1:0", move || vec![control.clone()]).unwrap();
    let mut port = Session::open(addr);
    // A fault reaches the module the host talks to.
    assert_eq!(port.say("sim absent"), "ok");
    assert_eq!(h.cmd("AT+CMEE=1"), ["OK"]);
    assert_eq!(h.cmd("AT+CPIN?"), ["+CME ERROR: 10"]);
    assert_eq!(port.say("sim ready"), "ok");
    assert_eq!(h.cmd("AT+CPIN?"), ["+CPIN: READY", "OK"]);
    for line in [
        "sim pin 1234",
        "sim ready",
        "registration roaming",
        "registration searching",
        "registration denied",
        "registration unknown",
        "registration none",
        "registration home",
        "signal 20 3",
        "deactivate 2",
        "drop 5",
        "delay 0",
        "occupy 7 1",
        "flood 9 3",
        "garbage 12",
        "garbage 12 4",
        "overflow 4",
        "echo off",
        "glue-send-ok on",
        "glue-send-ok off",
        "push-without-length on",
        "push-without-length off",
        "read-extra 2",
        "read-extra 0",
        "hold-closed on",
        "hold-closed off",
    ] {
        assert_eq!(port.say(line), "ok", "{line}");
    }
    // Blank lines are skipped, not answered: the next answer is the next line's.
    writeln!(port.out).unwrap();
    let unknown = port.say("reboot now");
    assert!(
        unknown.starts_with("error: unknown fault `reboot` (sim,"),
        "{unknown}"
    );
    assert_eq!(
        port.say("signal 40 0"),
        "error: usage: signal <rssi 0-31 or 99> <ber 0-7 or 99>"
    );
    assert_eq!(port.say("echo"), "error: usage: echo on|off");
    assert_eq!(port.say("overflow 1 2"), "error: usage: overflow <bytes>");
    assert_eq!(
        port.say("garbage 1 2 3"),
        "error: usage: garbage <bytes> [<seed>]"
    );
    assert_eq!(port.say("delay 1 2"), "error: usage: delay <milliseconds>");
    assert_eq!(port.say("restart now"), "error: usage: restart");
    assert_eq!(
        port.say("occupy 1 2 3"),
        "error: usage: occupy <connectID 0-11> [<contextID 1-15>]"
    );

    // The module stops: a fault has nowhere to go.
    h.finish();
    assert_eq!(port.say("drop 1"), "error: the module has stopped");
}

#[test]
fn a_port_without_modules_takes_faults_for_later() {
    let addr = serve_control("127.0.0.1:0", Vec::new).unwrap();
    let mut port = Session::open(addr);
    assert_eq!(port.say("restart"), "ok");
}

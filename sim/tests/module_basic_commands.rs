//! The basic command family (`spec/basic/`) against the virtual module: what drivers send at
//! start-up, the state those commands keep, AT+CMEE's error reports, AT+CFUN=1,1's restart,
//! and the faults that drive a driver's recovery paths (SIM removed, registration lost).

mod module_support;

use module_support::{Host, Peer};
use qi_sim::{Config, Modem, SimCard};
use quectel_qi::RegistrationStatus;
use std::time::Duration;

fn with_modem(modem: Modem) -> Host {
    Host::start(Config {
        modem,
        ..Config::for_tests()
    })
}

#[test]
fn a_drivers_start_up_is_answered() {
    let mut h = Host::start(Config::for_tests());
    for (line, want) in [
        ("AT", vec!["OK"]),
        ("ATE0", vec!["OK"]),
        ("ATV1", vec!["OK"]),
        ("AT&D0", vec!["OK"]),
        ("AT+CMEE=2", vec!["OK"]),
        ("AT+CMEE?", vec!["+CMEE: 2", "OK"]),
        (
            "ATI",
            vec![
                "Quectel",
                "EG915Q",
                "Revision: EG915QGLR01A01M08_QI_SIM",
                "OK",
            ],
        ),
        ("AT+CGMI", vec!["Quectel", "OK"]),
        ("AT+CGMM", vec!["EG915Q", "OK"]),
        ("AT+GSN", vec!["860000000000000", "OK"]),
        ("AT+CPIN?", vec!["+CPIN: READY", "OK"]),
        ("AT+QCCID", vec!["+QCCID: 89860000000000000000", "OK"]),
        ("AT+CFUN?", vec!["+CFUN: 1", "OK"]),
        ("AT+CREG?", vec!["+CREG: 0,1", "OK"]),
        ("AT+CGREG?", vec!["+CGREG: 0,1", "OK"]),
        ("AT+CEREG=2", vec!["OK"]),
        (
            "AT+CEREG?",
            vec!["+CEREG: 2,1,\"1A2B\",\"01C2D3E4\",7", "OK"],
        ),
        ("AT+COPS?", vec!["+COPS: 0,0,\"qi-sim\",7", "OK"]),
        ("AT+CSQ", vec!["+CSQ: 25,99", "OK"]),
        ("AT+CTZR=0", vec!["OK"]),
        ("AT+CTZU=1", vec!["OK"]),
        ("AT+CTZU?", vec!["+CTZU: 1", "OK"]),
        ("AT+QCFG=\"nwscanmode\",0,1", vec!["OK"]),
        ("AT+QURCCFG=\"urcport\",\"uart1\"", vec!["OK"]),
        ("AT+CGATT=1", vec!["OK"]),
        ("AT+CGATT?", vec!["+CGATT: 1", "OK"]),
        ("AT+QIACT=1", vec!["OK"]),
        ("AT+CGPADDR=1", vec!["+CGPADDR: 1,\"127.0.0.1\"", "OK"]),
        ("AT+CGPADDR=2", vec!["+CGPADDR: 2", "OK"]),
    ] {
        assert_eq!(h.cmd(line), want, "{line}");
    }
    h.finish();
}

#[test]
fn cmee_turns_every_failure_into_a_cme_error() {
    let mut h = with_modem(Modem {
        sim: SimCard::NotInserted,
        ..Modem::default()
    });
    // Off: plain ERROR, for the basic family and the TCP/IP commands alike.
    assert_eq!(h.cmd("AT+CPIN?"), ["ERROR"]);
    assert_eq!(h.cmd("AT+QIOPEN=1,12,\"TCP\",\"127.0.0.1\",80"), ["ERROR"]);
    assert_eq!(h.cmd("AT+CMEE=1"), ["OK"]);
    assert_eq!(h.cmd("AT+CPIN?"), ["+CME ERROR: 10"]);
    assert_eq!(
        h.cmd("AT+QIOPEN=1,12,\"TCP\",\"127.0.0.1\",80"),
        ["+CME ERROR: 552"]
    );
    assert_eq!(h.cmd("AT+CFUN=7"), ["+CME ERROR: 50"]);
    assert_eq!(h.cmd("AT+CMEE=2"), ["OK"]);
    assert_eq!(h.cmd("AT+CPIN?"), ["+CME ERROR: SIM not inserted"]);
    assert_eq!(h.cmd("AT+QICLOSE=0,-1"), ["+CME ERROR: Invalid parameters"]);
    // No SIM: no registration, so no bearer.
    assert_eq!(h.cmd("AT+CEREG?"), ["+CEREG: 0,0", "OK"]);
    assert_eq!(h.cmd("AT+CGATT=1"), ["+CME ERROR: no network service"]);
    assert_eq!(
        h.cmd("AT+QIACT=1"),
        ["+CME ERROR: Activate PDP context failed"]
    );
    // A line that is no command of the module stays ERROR (V.250).
    assert_eq!(h.cmd("AT+NOSUCH"), ["ERROR"]);
    // The basic family leaves AT+QIGETERROR's code alone.
    assert_eq!(
        h.cmd("AT+QIGETERROR"),
        ["+QIGETERROR: 561, activate pdp context failed", "OK"]
    );
    h.finish();
}

#[test]
fn a_restart_prints_the_start_up_lines_and_forgets_the_settings() {
    let mut h = Host::active();
    assert_eq!(h.cmd("AT+CMEE=2"), ["OK"]);
    assert_eq!(h.cmd("AT+QIACT?"), ["+QIACT: 1,1,1,\"127.0.0.1\"", "OK"]);
    assert_eq!(h.cmd("AT+CFUN=1,1"), ["OK"]);
    assert_eq!(h.line(), "RDY");
    assert_eq!(h.line(), "+CFUN: 1");
    assert_eq!(h.line(), "+CPIN: READY");
    // Contexts and AT+CMEE are back to their start-up values.
    assert_eq!(h.cmd("AT+QIACT?"), ["OK"]);
    assert_eq!(h.cmd("AT+CMEE?"), ["+CMEE: 0", "OK"]);
    h.finish();
}

#[test]
fn the_radio_off_loses_registration_and_contexts() {
    let mut h = Host::active();
    assert_eq!(h.cmd("AT+CEREG=1"), ["OK"]);
    assert_eq!(h.cmd("AT+CFUN=0"), ["OK"]);
    let mut urcs = vec![h.line(), h.line()];
    urcs.sort();
    assert_eq!(urcs, ["+CEREG: 0", "+QIURC: \"pdpdeact\",1"]);
    assert_eq!(h.cmd("AT+QIACT=1"), ["ERROR"]);
    assert_eq!(h.cmd("AT+CFUN=1"), ["OK"]);
    assert_eq!(h.line(), "+CEREG: 1");
    assert_eq!(h.cmd("AT+QIACT=1"), ["OK"]);
    h.finish();
}

#[test]
fn faults_change_the_sim_and_the_registration() {
    let mut h = Host::start(Config::for_tests());
    assert_eq!(h.cmd("AT+CREG=1"), ["OK"]);
    assert_eq!(h.cmd("AT+CEREG=2"), ["OK"]);
    assert!(h
        .control()
        .set_registration(RegistrationStatus::NotRegistered));
    let mut lost = vec![h.line(), h.line()];
    lost.sort();
    assert_eq!(lost, ["+CEREG: 0", "+CREG: 0"]);
    assert_eq!(h.cmd("AT+CGATT?"), ["+CGATT: 0", "OK"]);
    assert!(h
        .control()
        .set_registration(RegistrationStatus::RegisteredRoaming));
    let mut back = vec![h.line(), h.line()];
    back.sort();
    assert_eq!(back, ["+CEREG: 5,\"1A2B\",\"01C2D3E4\",7", "+CREG: 5"]);
    assert!(h.control().set_sim(SimCard::NotInserted));
    let mut gone = vec![h.line(), h.line()];
    gone.sort();
    assert_eq!(gone, ["+CEREG: 0", "+CREG: 0"]);
    assert_eq!(h.cmd("AT+CPIN?"), ["ERROR"]);
    assert!(h.control().set_signal(99, 99));
    assert_eq!(h.cmd("AT+CSQ"), ["+CSQ: 99,99", "OK"]);
    h.finish();
}

#[test]
fn a_locked_sim_waits_for_its_pin() {
    let mut h = with_modem(Modem {
        sim: SimCard::PinRequired("1234".into()),
        ..Modem::default()
    });
    assert_eq!(h.cmd("AT+CMEE=1"), ["OK"]);
    assert_eq!(h.cmd("AT+CPIN?"), ["+CPIN: SIM PIN", "OK"]);
    assert_eq!(h.cmd("AT+CEREG?"), ["+CEREG: 0,0", "OK"]);
    assert_eq!(h.cmd("AT+CPIN=\"0000\""), ["+CME ERROR: 16"]);
    assert_eq!(h.cmd("AT+CPIN=\"1234\""), ["OK"]);
    assert_eq!(h.cmd("AT+CPIN?"), ["+CPIN: READY", "OK"]);
    assert_eq!(h.cmd("AT+CEREG?"), ["+CEREG: 0,1", "OK"]);
    h.finish();
}

#[test]
fn atv0_answers_with_numbers() {
    let mut h = Host::start(Config::for_tests());
    h.send("ATV0");
    let mut got = Vec::new();
    while got.len() < 2 {
        got.extend(h.read_raw());
    }
    assert_eq!(got, b"0\r");
    h.send("AT+CSQ");
    let want = b"+CSQ: 25,99\r\n0\r";
    let mut got = Vec::new();
    while got.len() < want.len() {
        got.extend(h.read_raw());
    }
    assert_eq!(got, want);
    h.send("AT+NOSUCH");
    let mut got = Vec::new();
    while got.len() < 2 {
        got.extend(h.read_raw());
    }
    assert_eq!(got, b"4\r");
    h.finish();
}

#[test]
fn qistate_shows_the_address_connected_to() {
    let mut h = Host::active();
    let peer = Peer::new();
    h.send(&format!(
        "AT+QIOPEN=1,0,\"TCP\",\"localhost\",{},0,0",
        peer.port
    ));
    assert_eq!(h.until_final(), ["OK"]);
    assert_eq!(h.line(), "+QIOPEN: 0,0");
    let _conn = peer.accept();
    let state = h.cmd("AT+QISTATE=1,0");
    assert_eq!(state.len(), 2, "{state:?}");
    assert!(
        state[0].starts_with(&format!("+QISTATE: 0,\"TCP\",\"127.0.0.1\",{},", peer.port)),
        "{state:?}"
    );
    h.finish();
}

#[test]
fn a_restart_is_silent_until_rdy() {
    let mut h = with_modem(Modem {
        restart_time: Duration::from_millis(200),
        ..Modem::default()
    });
    // What comes after the restart's command line, while the module is down, is lost, as on a
    // real module.
    h.write(b"AT+CFUN=1,1\rAT+CSQ\r");
    assert_eq!(h.line(), "OK");
    assert_eq!(h.line(), "RDY");
    assert_eq!(h.line(), "+CFUN: 1");
    assert_eq!(h.line(), "+CPIN: READY");
    assert_eq!(h.cmd("AT"), ["OK"]);
    h.finish();
}

#[test]
fn cops_leaves_the_network_and_comes_back() {
    let mut h = Host::start(Config::for_tests());
    assert_eq!(h.cmd("AT+CEREG=1"), ["OK"]);
    assert_eq!(h.cmd("AT+COPS=2"), ["OK"]);
    assert_eq!(h.line(), "+CEREG: 0");
    assert_eq!(h.cmd("AT+COPS?"), ["+COPS: 2", "OK"]);
    assert_eq!(h.cmd("AT+COPS=0"), ["OK"]);
    assert_eq!(h.line(), "+CEREG: 1");
    assert_eq!(h.cmd("AT+COPS?"), ["+COPS: 0,0,\"qi-sim\",7", "OK"]);
    h.finish();
}

//! Error paths: ERROR and the codes AT+QIGETERROR reports where the document names them,
//! invalid command lines, and command echo.

mod module_support;

use module_support::{Host, Peer};
use qi_sim::Config;

fn last_error(h: &mut Host) -> String {
    h.cmd("AT+QIGETERROR")[0].clone()
}

#[test]
fn invalid_lines_answer_error_with_552() {
    let mut h = Host::active();
    // Out of range (connectID 12), missing parameter, unknown keyword, not a command.
    for bad in [
        "AT+QIOPEN=1,12,\"TCP\",\"127.0.0.1\",80",
        "AT+QIRD",
        "AT+QICFG=\"nosuch\",1",
        "AT+QIOPEN=1,0,\"TCP LISTENER\",\"\",80,0,0",
    ] {
        assert_eq!(h.cmd(bad), ["ERROR"], "{bad}");
        assert_eq!(last_error(&mut h), "+QIGETERROR: 552, invalid parameters");
    }
    // Other commands leave the last error alone.
    assert_eq!(h.cmd("AT+NOSUCH"), ["ERROR"]);
    assert_eq!(h.cmd("AT+CCLK?"), ["ERROR"]);
    assert_eq!(last_error(&mut h), "+QIGETERROR: 552, invalid parameters");
    // Success resets the last error.
    assert_eq!(h.cmd("AT+QIDEACT=1"), ["OK"]);
    assert_eq!(last_error(&mut h), "+QIGETERROR: 0, operate success");
    h.finish();
}

#[test]
fn used_id_gives_563_and_refused_connection_566() {
    let mut h = Host::active();
    let peer = Peer::new();
    let open = format!("AT+QIOPEN=1,0,\"TCP\",\"127.0.0.1\",{},0,0", peer.port);
    assert_eq!(h.cmd(&open), ["OK"]);
    assert_eq!(h.line(), "+QIOPEN: 0,0");
    assert_eq!(h.cmd(&open), ["OK"]);
    assert_eq!(h.line(), "+QIOPEN: 0,563");
    assert_eq!(
        last_error(&mut h),
        "+QIGETERROR: 563, socket identity has been used"
    );
    // A port nobody listens on: bind, note the port, close.
    let closed_port = Peer::new().port;
    let open = format!("AT+QIOPEN=1,1,\"TCP\",\"127.0.0.1\",{closed_port},0,0");
    assert_eq!(h.cmd(&open), ["OK"]);
    assert_eq!(h.line(), "+QIOPEN: 1,566");
    assert_eq!(
        last_error(&mut h),
        "+QIGETERROR: 566, socket connect failed"
    );
    // The failed socket is not in the table.
    assert_eq!(h.cmd("AT+QISTATE=1,1"), ["OK"]);
    // Transparent mode reports the failure as ERROR.
    let open = format!("AT+QIOPEN=1,1,\"TCP\",\"127.0.0.1\",{closed_port},0,2");
    assert_eq!(h.cmd(&open), ["ERROR"]);
    assert_eq!(
        last_error(&mut h),
        "+QIGETERROR: 566, socket connect failed"
    );
    h.finish();
}

#[test]
fn commands_on_missing_sockets_and_inactive_contexts_fail() {
    let mut h = Host::start(Config::for_tests());
    assert_eq!(h.cmd("AT+QISEND=4,5"), ["ERROR"]);
    assert_eq!(h.cmd("AT+QIRD=4,5"), ["ERROR"]);
    assert_eq!(h.cmd("AT+QISEND=4,0"), ["ERROR"]);
    assert_eq!(h.cmd("AT+QPING=1,\"127.0.0.1\""), ["ERROR"]);
    assert_eq!(h.cmd("AT+QIOPEN=1,0,\"TCP\",\"127.0.0.1\",80,0,0"), ["OK"]);
    assert_eq!(h.line(), "+QIOPEN: 0,572");
    assert_eq!(h.cmd("AT+QIACT=1"), ["OK"]);
    assert_eq!(h.cmd("AT+QIACT=1"), ["ERROR"]);
    assert_eq!(
        last_error(&mut h),
        "+QIGETERROR: 561, activate pdp context failed"
    );
    h.finish();
}

#[test]
fn echo_on_and_off() {
    let mut h = Host::start(Config::default());
    h.write(b"AT\r");
    assert_eq!(h.data(3), b"AT\r");
    assert_eq!(h.line(), "OK");
    h.write(b"ATE0\r");
    assert_eq!(h.data(5), b"ATE0\r");
    assert_eq!(h.line(), "OK");
    assert_eq!(h.cmd("AT+QIACT?"), ["OK"]);
    assert_eq!(h.cmd("ATE1"), ["OK"]);
    h.write(b"AT+QISDE?\r");
    assert_eq!(h.data(10), b"AT+QISDE?\r");
    assert_eq!(h.until_final(), ["+QISDE: 0", "OK"]);
    h.finish();
}

#[test]
fn settings_query_and_set() {
    let mut h = Host::active();
    assert_eq!(
        h.cmd("AT+QICFG=\"transpktsize\""),
        ["+QICFG: \"transpktsize\",1024", "OK"]
    );
    assert_eq!(h.cmd("AT+QICFG=\"transpktsize\",1460"), ["OK"]);
    assert_eq!(
        h.cmd("AT+QICFG=\"transpktsize\""),
        ["+QICFG: \"transpktsize\",1460", "OK"]
    );
    assert_eq!(h.cmd("AT+QICFG=\"transpktsize\",1461"), ["ERROR"]);
    assert_eq!(h.cmd("AT+QICSGP=1"), ["+QICSGP: 1,\"\",\"\",\"\",0", "OK"]);
    assert_eq!(h.cmd("AT+QICSGP=2,1,\"apn\",\"u\",\"p\",2"), ["OK"]);
    assert_eq!(
        h.cmd("AT+QICSGP=2"),
        ["+QICSGP: 1,\"apn\",\"u\",\"p\",2", "OK"]
    );
    assert_eq!(h.cmd("AT+QIDNSCFG=1,\"127.0.0.53\",\"127.0.0.54\""), ["OK"]);
    assert_eq!(
        h.cmd("AT+QIDNSCFG=1"),
        ["+QIDNSCFG: 1,\"127.0.0.53\",\"127.0.0.54\"", "OK"]
    );
    h.finish();
}

#[test]
fn auto_send_is_stored_and_reported() {
    let mut h = Host::active();
    // Nothing set yet: no query, and a first set needs every value.
    assert_eq!(h.cmd("AT+QICFG=\"send/auto\",1"), ["ERROR"]);
    assert_eq!(h.cmd("AT+QICFG=\"send/auto\",1,60"), ["ERROR"]);
    assert_eq!(h.cmd("AT+QICFG=\"send/auto\",1,60,\"hi\",0,3"), ["OK"]);
    assert_eq!(
        h.cmd("AT+QICFG=\"send/auto\",1"),
        ["+QICFG: \"send/auto\",1,60,\"hi\",0,3", "OK"]
    );
    // A later set keeps what it leaves out; other sockets are apart.
    assert_eq!(h.cmd("AT+QICFG=\"send/auto\",1,20"), ["OK"]);
    assert_eq!(
        h.cmd("AT+QICFG=\"send/auto\",1"),
        ["+QICFG: \"send/auto\",1,20,\"hi\",0,3", "OK"]
    );
    assert_eq!(h.cmd("AT+QICFG=\"send/auto\",11"), ["ERROR"]);
    h.finish();
}

#[test]
fn dns_through_the_host_resolver() {
    let mut h = Host::active();
    assert_eq!(h.cmd("AT+QIDNSGIP=1,\"127.0.0.1\""), ["OK"]);
    assert_eq!(h.line(), "+QIURC: \"dnsgip\",0,1,0");
    assert_eq!(h.line(), "+QIURC: \"dnsgip\",\"127.0.0.1\"");
    assert_eq!(h.cmd("AT+QIDNSGIP=1,\"localhost\""), ["OK"]);
    let head = h.line();
    assert!(head.starts_with("+QIURC: \"dnsgip\",0,"), "{head}");
    let n: usize = head.split(',').nth(2).unwrap().parse().unwrap();
    let addrs: Vec<String> = (0..n).map(|_| h.line()).collect();
    assert!(addrs.contains(&"+QIURC: \"dnsgip\",\"127.0.0.1\"".to_string()));
    h.finish();
}

//! The sandboxed network: names from the table, loopback and allowed addresses only; the
//! rest answers as an unreachable host does on a real module.

mod module_support;

use module_support::{udp_peer, Host, Peer};
use qi_sim::{Config, Network};
use std::net::Ipv4Addr;
use std::time::Duration;

fn with_network(network: Network) -> Host {
    let mut h = Host::start(Config {
        network,
        ..Config::for_tests()
    });
    assert_eq!(h.cmd("AT+QIACT=1"), ["OK"]);
    h
}

#[test]
fn localhost_resolves_and_other_names_do_not() {
    let mut h = with_network(Network::sandboxed());
    assert_eq!(h.cmd("AT+QIDNSGIP=1,\"localhost\""), ["OK"]);
    assert_eq!(h.line(), "+QIURC: \"dnsgip\",0,1,0");
    assert_eq!(h.line(), "+QIURC: \"dnsgip\",\"127.0.0.1\"");
    assert_eq!(h.cmd("AT+QIDNSGIP=1,\"example.com\""), ["OK"]);
    assert_eq!(h.line(), "+QIURC: \"dnsgip\",565");
    // Opening by an unknown name fails as the module's DNS failure does.
    assert_eq!(
        h.cmd("AT+QIOPEN=1,0,\"TCP\",\"example.com\",80,0,0"),
        ["OK"]
    );
    assert_eq!(h.line(), "+QIOPEN: 0,565");
    h.finish();
}

#[test]
fn an_address_outside_the_sandbox_is_unreachable() {
    let mut h =
        with_network(Network::sandboxed().with_name("far.test", Ipv4Addr::new(192, 0, 2, 7)));
    assert_eq!(h.cmd("AT+QIOPEN=1,0,\"TCP\",\"192.0.2.7\",80,0,0"), ["OK"]);
    assert_eq!(h.line(), "+QIOPEN: 0,566");
    // A name of the table resolves, but its address is still beyond reach.
    assert_eq!(h.cmd("AT+QIOPEN=1,1,\"TCP\",\"far.test\",80,0,0"), ["OK"]);
    assert_eq!(h.line(), "+QIOPEN: 1,566");
    // A ping never comes back.
    assert_eq!(h.cmd("AT+QPING=1,\"192.0.2.7\",1,1"), ["OK"]);
    assert_eq!(h.line(), "+QPING: 569");
    h.finish();
}

#[test]
fn a_name_of_the_table_reaches_a_loopback_peer() {
    let mut h =
        with_network(Network::sandboxed().with_name("echo.test", Ipv4Addr::new(127, 0, 0, 1)));
    let peer = Peer::new();
    let cmd = format!("AT+QIOPEN=1,0,\"TCP\",\"echo.test\",{},0,0", peer.port);
    assert_eq!(h.cmd(&cmd), ["OK"]);
    assert_eq!(h.line(), "+QIOPEN: 0,0");
    drop(peer.accept());
    h.finish();
}

#[test]
fn a_datagram_to_an_unreachable_address_is_lost_on_the_way() {
    let mut h = with_network(Network::sandboxed());
    let peer = udp_peer();
    let port = peer.local_addr().unwrap().port();
    assert_eq!(
        h.cmd("AT+QIOPEN=1,2,\"UDP SERVICE\",\"127.0.0.1\",0,0,0"),
        ["OK"]
    );
    assert_eq!(h.line(), "+QIOPEN: 2,0");
    h.send("AT+QISEND=2,4,\"192.0.2.7\",9");
    h.prompt();
    h.write(b"gone");
    assert_eq!(h.line(), "SEND OK");
    h.send(&format!("AT+QISEND=2,4,\"127.0.0.1\",{port}"));
    h.prompt();
    h.write(b"here");
    assert_eq!(h.line(), "SEND OK");
    peer.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut buf = [0u8; 16];
    let (n, _) = peer.recv_from(&mut buf).unwrap();
    assert_eq!(&buf[..n], b"here");
    h.finish();
}

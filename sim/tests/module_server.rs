//! TCP server: automatic and manual accept, refusing, a full socket table, passive close.

mod module_support;

use module_support::{read_n, Host, WAIT};
use std::io::{Read, Write};
use std::net::TcpStream;

/// Opens a TCP LISTENER on a free port as connectID `id` and returns the port.
fn listen(h: &mut Host, id: u8) -> u16 {
    assert_eq!(
        h.cmd(&format!(
            "AT+QIOPEN=1,{id},\"TCP LISTENER\",\"127.0.0.1\",0,0,0"
        )),
        ["OK"]
    );
    assert_eq!(h.line(), format!("+QIOPEN: {id},0"));
    let state = h.cmd(&format!("AT+QISTATE=1,{id}"));
    let fields: Vec<&str> = state[0].split(',').collect();
    assert_eq!(fields[1], "\"TCP LISTENER\"");
    assert_eq!(fields[5], "3", "listening");
    fields[4].parse().unwrap()
}

fn connect(port: u16) -> TcpStream {
    let s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    s
}

#[test]
fn automatic_accept_gives_the_highest_free_id() {
    let mut h = Host::active();
    let port = listen(&mut h, 1);
    let client = connect(port);
    let local = client.local_addr().unwrap().port();
    assert_eq!(
        h.line(),
        format!("+QIURC: \"incoming\",11,1,\"127.0.0.1\",{local}")
    );
    let state = h.cmd("AT+QISTATE=1,11");
    assert_eq!(
        state[0],
        format!("+QISTATE: 11,\"TCP INCOMING\",\"127.0.0.1\",{local},{port},2,1,1,0,\"usbmodem\"")
    );
    let mut client = client;
    h.send("AT+QISEND=11,2");
    h.prompt();
    h.write(b"hi");
    assert_eq!(h.line(), "SEND OK");
    assert_eq!(read_n(&mut client, 2), b"hi");
    h.finish();
}

#[test]
fn manual_accept_and_refuse() {
    let mut h = Host::active();
    assert_eq!(h.cmd("AT+QICFG=\"tcp/accept\",0"), ["OK"]);
    assert_eq!(
        h.cmd("AT+QICFG=\"tcp/accept\""),
        ["+QICFG: \"tcp/accept\",0", "OK"]
    );
    let port = listen(&mut h, 2);
    let mut refused = connect(port);
    assert_eq!(h.line(), "+QIURC: \"accept\",2");
    assert_eq!(h.cmd("AT+QIACCEPT=2,0"), ["OK"]);
    // A refused client sees the connection end.
    let mut b = [0u8; 1];
    assert!(matches!(refused.read(&mut b), Ok(0) | Err(_)));
    let client = connect(port);
    let local = client.local_addr().unwrap().port();
    assert_eq!(h.line(), "+QIURC: \"accept\",2");
    assert_eq!(h.cmd("AT+QIACCEPT=2,1,5"), ["OK"]);
    assert_eq!(h.line(), format!("+QIACCEPT: 5,\"127.0.0.1\",{local}"));
    let mut client = client;
    client.write_all(b"data").unwrap();
    assert_eq!(h.line(), "+QIURC: \"recv\",5");
    // Nothing waits any more.
    assert_eq!(h.cmd("AT+QIACCEPT=2,1"), ["ERROR"]);
    h.finish();
}

#[test]
fn incoming_full_when_every_id_is_taken() {
    let mut h = Host::active();
    let port = listen(&mut h, 0);
    let mut clients = Vec::new();
    for id in (1..=11).rev() {
        clients.push(connect(port));
        let l = h.line();
        assert!(
            l.starts_with(&format!("+QIURC: \"incoming\",{id},0,")),
            "{l}"
        );
    }
    let mut extra = connect(port);
    assert_eq!(h.line(), "+QIURC: \"incoming full\"");
    let mut b = [0u8; 1];
    assert!(matches!(extra.read(&mut b), Ok(0) | Err(_)));
    h.finish();
}

#[test]
fn peer_close_leaves_closing_state_or_frees_with_passiveclosed() {
    let mut h = Host::active();
    let port = listen(&mut h, 0);
    let client = connect(port);
    assert!(h.line().starts_with("+QIURC: \"incoming\",11,"));
    drop(client);
    assert_eq!(h.line(), "+QIURC: \"closed\",11");
    assert_eq!(h.cmd("AT+QISTATE=1,11")[0].split(',').nth(5), Some("4"));
    assert_eq!(h.cmd("AT+QICLOSE=11"), ["OK"]);
    assert_eq!(h.cmd("AT+QISTATE=1,11"), ["OK"]);
    // With passiveclosed the socket is freed at once.
    assert_eq!(h.cmd("AT+QICFG=\"passiveclosed\",1"), ["OK"]);
    let client = connect(port);
    assert!(h.line().starts_with("+QIURC: \"incoming\",11,"));
    drop(client);
    assert_eq!(h.line(), "+QIURC: \"closed\",11");
    assert_eq!(h.cmd("AT+QISTATE=1,11"), ["OK"]);
    h.finish();
}

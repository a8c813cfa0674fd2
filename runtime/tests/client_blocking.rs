//! The blocking shell's own methods (the other tests drive its core through `client()`).

mod support;

use quectel_qi::client::Error;
use quectel_qi::*;
use support::Script;

const CTX: ContextId = ContextId::new_const(1);
const ID: ConnectId = ConnectId::new_const(0);

#[test]
fn a_session_through_the_blocking_methods() {
    let script = Script::new()
        // `prepare` reads back the settings that shape payloads.
        .host(r#"AT+QICFG="dataformat""#)
        .module(r#"+QICFG: "dataformat",0,0"#)
        .module("OK")
        .host(r#"AT+QICFG="viewmode""#)
        .module(r#"+QICFG: "viewmode",0"#)
        .module("OK")
        .host(r#"AT+QICFG="formatcfg""#)
        .module(r#"+QICFG: "formatcfg",0"#)
        .module("OK")
        .host("AT+QISDE?")
        .module("+QISDE: 0")
        .module("OK")
        .host("AT+QIACT=1")
        .module("OK")
        .host(r#"AT+QIOPEN=1,0,"TCP","192.0.2.2",8009,0,0"#)
        .module("OK")
        .module("+QIOPEN: 0,0")
        .module(r#"+QIURC: "recv",0"#)
        .host("AT+QIRD=0,1500")
        .qird(b"pong")
        .host("AT+QIRD=0,1500")
        .module("+QIRD: 0")
        .module("OK")
        .host("AT+QISEND=0,4")
        .module(">")
        .host_data(b"ping")
        .module("SEND OK")
        .host(r#"AT+QIDNSGIP=1,"example.com""#)
        .module("OK")
        .module(r#"+QIURC: "dnsgip",0,1,60"#)
        .module(r#"+QIURC: "dnsgip","192.0.2.7""#)
        .host("AT+QICLOSE=0")
        .module("OK");
    let (mut c, h) = support::blocking_client(&script, support::config());
    c.prepare().unwrap();
    c.activate(CTX).unwrap();
    c.open(&qiopen::Open {
        context_id: CTX,
        connect_id: ID,
        service_type: ServiceType::Tcp,
        host: "192.0.2.2",
        remote_port: Port::new_const(8009),
        local_port: Some(Port::new_const(0)),
        access_mode: Some(AccessMode::BufferAccess),
    })
    .unwrap();
    assert!(c.socket(ID).data_pending);
    let mut buf = [0u8; 2048];
    assert_eq!(c.read(ID, &mut buf), Ok(4));
    assert_eq!(&buf[..4], b"pong");
    c.send(ID, b"ping").unwrap();
    let dns = c.resolve::<4>(CTX, "example.com").unwrap();
    assert_eq!(dns.addresses[0].as_str(), "192.0.2.7");
    c.close(ID).unwrap();
    assert_eq!(c.process_urcs(), 0);
    // Validation before writing, through the shell as well.
    assert!(matches!(c.send(ID, b""), Err(Error::Invalid(_))));
    h.assert_done();
}

//! Sockets through the client: open in every access mode, close, state, accept (manual and
//! automatic), access mode switches, URC routing to sockets.

mod support;

use quectel_qi::client::{Code, Error, Event};
use quectel_qi::*;
use support::Script;

const CTX: ContextId = ContextId::new_const(1);

fn id(n: i64) -> ConnectId {
    ConnectId::new(n).unwrap()
}

fn tcp_client(n: i64, mode: AccessMode) -> qiopen::Open<'static> {
    qiopen::Open {
        context_id: CTX,
        connect_id: id(n),
        service_type: ServiceType::Tcp,
        host: "192.0.2.2",
        remote_port: Port::new_const(8009),
        local_port: Some(Port::new_const(0)),
        access_mode: Some(mode),
    }
}

#[test]
fn open_waits_for_its_own_result_and_routes_the_rest() {
    let script = Script::new()
        .host(r#"AT+QIOPEN=1,3,"TCP","192.0.2.2",8009,0,0"#)
        .module("OK")
        .module(r#"+QIURC: "closed",5"#)
        .module("+QIOPEN: 4,0")
        .module("+QIOPEN: 3,0");
    both!(script, support::config(), |c, h| {
        assert_eq!(
            c.open(&tcp_client(3, AccessMode::BufferAccess)).await,
            Ok(id(3))
        );
        let s = c.socket(id(3));
        assert!(s.open && s.mode == Some(AccessMode::BufferAccess));
        assert!(c.socket(id(5)).closed);
        assert_eq!(h.digest.access_mode(id(3)), Some(AccessMode::BufferAccess));
    });
}

#[test]
fn open_failures_are_typed_and_forget_the_mode() {
    let script = Script::new()
        .host(r#"AT+QIOPEN=1,0,"TCP","192.0.2.2",8009,0,1"#)
        .module("OK")
        .module("+QIOPEN: 0,566")
        .host(r#"AT+QIOPEN=1,0,"TCP","192.0.2.2",8009,0,1"#)
        .module("OK");
    both!(script, support::config(), |c, h| {
        assert_eq!(
            c.open(&tcp_client(0, AccessMode::DirectPush)).await,
            Err(Error::Rejected(Code::Known(ErrorCode::SocketConnectFailed)))
        );
        assert_eq!(h.digest.access_mode(id(0)), None);
        // No result URC: the wait ends at the (shortened) spec time.
        assert_eq!(
            c.open(&tcp_client(0, AccessMode::DirectPush)).await,
            Err(Error::Timeout)
        );
        assert!(!c.socket(id(0)).open);
    });
}

#[test]
fn open_in_transparent_mode_ends_with_connect_and_leaves_with_the_escape() {
    let script = Script::new()
        .host(r#"AT+QIOPEN=1,0,"TCP","192.0.2.2",8009,0,2"#)
        .module("CONNECT")
        .host_data(b"hello")
        .host_data(b"+++")
        .module("OK")
        .host("AT+QICLOSE=0")
        .module("OK");
    both!(script, support::config(), |c, h| {
        c.open(&tcp_client(0, AccessMode::Transparent))
            .await
            .unwrap();
        assert!(h.digest.is_transparent());
        c.write_transparent(b"hello").await.unwrap();
        c.leave_transparent(1).await.unwrap();
        assert!(!h.digest.is_transparent());
        // The socket goes on in buffer access mode (document section 2.2).
        assert_eq!(h.digest.access_mode(id(0)), Some(AccessMode::BufferAccess));
        assert_eq!(c.socket(id(0)).mode, Some(AccessMode::BufferAccess));
        c.close(id(0)).await.unwrap();
        assert!(!c.socket(id(0)).open);
        assert_eq!(h.digest.access_mode(id(0)), None);
    });
}

#[test]
fn a_server_rule_is_checked_before_writing() {
    both!(Script::new(), support::config(), |c, h| {
        let mut open = tcp_client(1, AccessMode::BufferAccess);
        open.service_type = ServiceType::TcpListener;
        open.remote_port = Port::new_const(80);
        let e = c.open(&open).await.unwrap_err();
        assert!(matches!(e, Error::Invalid(v) if v.param == "remote_port"));
        assert!(h.written().is_empty());
        assert_eq!(h.digest.access_mode(id(1)), None);
    });
}

#[test]
fn socket_state_reads_the_table() {
    let script = Script::new()
        .host("AT+QISTATE=1,0")
        .module(r#"+QISTATE: 0,"TCP","192.0.2.2",8009,65514,2,1,0,0,"usbmodem""#)
        .module("OK")
        .host("AT+QISTATE=1,1")
        .module("OK");
    both!(script, support::config(), |c, h| {
        let s = c.socket_state(id(0)).await.unwrap().unwrap();
        assert_eq!(s.local_port, Port::new_const(65514));
        assert_eq!(s.socket_state, SocketState::Connected);
        assert_eq!(c.socket_state(id(1)).await.unwrap(), None);
    });
}

#[test]
fn manual_accept_and_refuse() {
    let script = Script::new()
        .host(r#"AT+QIOPEN=1,1,"TCP LISTENER","127.0.0.1",0,2020,1"#)
        .module("OK")
        .module("+QIOPEN: 1,0")
        .module(r#"+QIURC: "accept",1"#)
        .host("AT+QIACCEPT=1,1,5")
        .module("OK")
        .module(r#"+QIACCEPT: 5,"172.31.242.222",54091"#)
        .host("AT+QIACCEPT=1,0")
        .module("OK");
    both!(script, support::config(), |c, h| {
        let listener = qiopen::Open {
            context_id: CTX,
            connect_id: id(1),
            service_type: ServiceType::TcpListener,
            host: "127.0.0.1",
            remote_port: Port::new_const(0),
            local_port: Some(Port::new_const(2020)),
            access_mode: Some(AccessMode::DirectPush),
        };
        c.open(&listener).await.unwrap();
        assert_eq!(c.socket(id(1)).accept_requests, 1);
        let r = c.accept(id(1), id(5)).await.unwrap();
        assert_eq!(r.remote_addr.as_str(), "172.31.242.222");
        assert_eq!(r.remote_port.get(), 54091);
        assert_eq!(c.socket(id(1)).accept_requests, 0);
        let s = c.socket(id(5));
        assert!(s.open && s.mode == Some(AccessMode::DirectPush));
        assert_eq!(h.digest.access_mode(id(5)), Some(AccessMode::DirectPush));
        c.refuse(id(1)).await.unwrap();
    });
}

#[test]
fn automatic_accept_hands_out_incoming_sockets() {
    let script = Script::new()
        .host(r#"AT+QIOPEN=1,1,"TCP LISTENER","127.0.0.1",0,2020,1"#)
        .module("OK")
        .module("+QIOPEN: 1,0")
        .module(r#"+QIURC: "incoming",11,1,"172.31.242.222",54091"#)
        .module(r#"+QIURC: "recv",11,4"#)
        .module_data(b"test");
    both!(script, support::config(), |c, h| {
        let listener = qiopen::Open {
            context_id: CTX,
            connect_id: id(1),
            service_type: ServiceType::TcpListener,
            host: "127.0.0.1",
            remote_port: Port::new_const(0),
            local_port: Some(Port::new_const(2020)),
            access_mode: Some(AccessMode::DirectPush),
        };
        c.open(&listener).await.unwrap();
        assert_eq!(c.next_incoming(id(1), 100).await, Ok(id(11)));
        assert_eq!(c.next_incoming(id(1), 10).await, Err(Error::Timeout));
        let mut buf = [0u8; 16];
        assert_eq!(c.read(id(11), &mut buf).await, Ok(4));
        assert_eq!(&buf[..4], b"test");
    });
}

#[test]
fn switching_modes_informs_the_digester_and_restores_it_on_error() {
    let script = Script::new()
        .host(r#"AT+QIOPEN=1,0,"TCP","192.0.2.2",8009,0,0"#)
        .module("OK")
        .module("+QIOPEN: 0,0")
        .host("AT+QISWTMD=0,1")
        .module("OK")
        .module(r#"+QIURC: "recv",0,3"#)
        .module_data(b"abc")
        .host("AT+QISWTMD=0,0")
        .module("ERROR");
    both!(script, support::config(), |c, h| {
        c.open(&tcp_client(0, AccessMode::BufferAccess))
            .await
            .unwrap();
        c.switch_mode(id(0), AccessMode::DirectPush).await.unwrap();
        assert_eq!(c.pushed_len(id(0)), 3);
        assert!(c
            .switch_mode(id(0), AccessMode::BufferAccess)
            .await
            .is_err());
        assert_eq!(h.digest.access_mode(id(0)), Some(AccessMode::DirectPush));
        assert_eq!(c.socket(id(0)).mode, Some(AccessMode::DirectPush));
    });
}

#[test]
fn urcs_reach_their_socket_and_the_application_too() {
    let script = Script::new()
        .host("AT+QIACT?")
        .module(r#"+QIURC: "recv",2"#)
        .module(r#"+QIACT: 1,1,1,"10.7.157.1""#)
        .module(r#"+QIURC: "closed",3"#)
        .module("OK")
        .module(r#"+QIURC: "incoming full""#)
        .module(r#"+QIURC: "pdpdeact",2"#);
    both!(script, support::config(), |c, h| {
        let mut app = h.urcs.subscribe().unwrap();
        let mut list = heapless::Vec::<_, 3>::new();
        c.contexts(&mut list).await.unwrap();
        assert_eq!(list.len(), 1);
        assert!(c.socket(id(2)).data_pending);
        assert!(c.socket(id(3)).closed);
        assert!(c.context_lost(ContextId::new_const(2)));
        // The application's own subscription sees every URC as well. (It was taken after the
        // client's, but before any URC arrived.)
        let mut seen = 0;
        while app.try_next_message_pure().is_some() {
            seen += 1;
        }
        assert_eq!(seen, 4);
        let _ = h;
    });
}

#[test]
fn next_event_tells_what_arrived() {
    let script = Script::new();
    both!(script, support::config(), |c, h| {
        h.feed(b"\r\n+QIURC: \"closed\",7\r\n\r\n+QIURC: \"accept\",1\r\n");
        assert_eq!(c.next_event(10).await, Some(Event::Closed(id(7))));
        assert_eq!(c.next_event(10).await, Some(Event::AcceptRequested(id(1))));
        assert_eq!(c.next_event(5).await, None);
    });
}

#[test]
fn a_refused_open_leaves_the_socket_in_use_as_it_was() {
    let script = Script::new()
        .host(r#"AT+QIOPEN=1,0,"TCP","192.0.2.2",8009,0,1"#)
        .module("OK")
        .module("+QIOPEN: 0,0")
        .host(r#"AT+QIOPEN=1,0,"TCP","192.0.2.2",8009,0,0"#)
        .module("OK")
        .module("+QIOPEN: 0,563");
    both!(script, support::config(), |c, h| {
        c.open(&tcp_client(0, AccessMode::DirectPush))
            .await
            .unwrap();
        assert_eq!(
            c.open(&tcp_client(0, AccessMode::BufferAccess)).await,
            Err(Error::Rejected(Code::Known(ErrorCode::SocketIdentityUsed)))
        );
        assert_eq!(h.digest.access_mode(id(0)), Some(AccessMode::DirectPush));
        assert_eq!(c.socket(id(0)).mode, Some(AccessMode::DirectPush));
    });
}

#[test]
fn deactivating_a_context_forgets_its_sockets() {
    let mut on_two = tcp_client(4, AccessMode::DirectPush);
    on_two.context_id = ContextId::new_const(2);
    let script = Script::new()
        .host(r#"AT+QIOPEN=1,3,"TCP","192.0.2.2",8009,0,1"#)
        .module("OK")
        .module("+QIOPEN: 3,0")
        .host(r#"AT+QIOPEN=2,4,"TCP","192.0.2.2",8009,0,1"#)
        .module("OK")
        .module("+QIOPEN: 4,0")
        .host("AT+QIDEACT=1")
        .module("OK");
    both!(script, support::config(), |c, h| {
        c.open(&tcp_client(3, AccessMode::DirectPush))
            .await
            .unwrap();
        c.open(&on_two).await.unwrap();
        c.deactivate(CTX).await.unwrap();
        assert!(!c.socket(id(3)).open);
        assert_eq!(h.digest.access_mode(id(3)), None);
        assert!(c.socket(id(4)).open);
        assert_eq!(h.digest.access_mode(id(4)), Some(AccessMode::DirectPush));
    });
}

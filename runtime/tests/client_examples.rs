//! Every example session of the document, played by the client against a module that answers
//! exactly as the transcript in `spec/` says: the host bytes the client writes must be the
//! transcript's, byte for byte, and every answer must be used up.

mod support;

use std::collections::BTreeSet;
use std::path::Path;

use quectel_qi::client::Config;
use quectel_qi::*;
use support::{Script, Step};

/// The transcripts of the spec (chapter 3 and the commands' own examples), by name.
fn transcripts() -> Vec<qi_codegen::spec::Transcript> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let model = qi_codegen::load_and_check(&dir).expect("the spec is valid");
    let mut all: Vec<_> = model
        .spec
        .transcripts
        .iter()
        .flat_map(|f| f.value.transcripts.clone())
        .collect();
    all.extend(
        model
            .spec
            .commands
            .iter()
            .flat_map(|c| c.value.examples.clone()),
    );
    all
}

/// The transcript as a byte script: command lines end in CR; module lines are framed in
/// CR LF; a `+QIRD` payload is followed by the CR LF the module puts before its final result.
/// Foreign steps (other command sets) and deliberately invalid lines are left out: the
/// client never writes them.
fn script_of(t: &qi_codegen::spec::Transcript) -> Script {
    let mut s = Script::new();
    let mut last_line = String::new();
    for step in &t.steps {
        if step.foreign || step.invalid {
            continue;
        }
        if let Some(h) = &step.host {
            s = s.host(h);
        }
        if let Some(d) = &step.host_data {
            s = s.host_data(d.as_bytes());
        }
        if let Some(m) = &step.module {
            s = s.module(m);
            last_line = m.clone();
        }
        if let Some(d) = &step.module_data {
            s = s.module_data(d.as_bytes());
            // A response line's payload (not a URC's) is followed by CR LF: the generated
            // table of payload-carrying response lines tells which.
            if limits::response_data_len(last_line.as_bytes(), d.as_bytes()) == Ok(Some(d.len())) {
                s.push(Step::Module(b"\r\n".to_vec()));
            }
        }
    }
    s
}

const CTX: ContextId = ContextId::new_const(1);

fn id(n: i64) -> ConnectId {
    ConnectId::new(n).unwrap()
}

fn open(
    n: i64,
    service: ServiceType,
    host: &'static str,
    remote: u16,
    local: u16,
    mode: AccessMode,
) -> qiopen::Open<'static> {
    qiopen::Open {
        context_id: CTX,
        connect_id: id(n),
        service_type: service,
        host,
        remote_port: Port::new(remote.into()).unwrap(),
        local_port: Some(Port::new(local.into()).unwrap()),
        access_mode: Some(mode),
    }
}

/// Plays one transcript through the client's calls, in both flavours.
fn play(name: &str, script: Script) {
    let config = Config {
        query_last_error: false,
        ..support::config()
    };
    match name {
        "configure_context" => both!(script, config, |c, h| {
            c.configure_context(&qicsgp::Configure {
                context_id: CTX,
                context_type: ContextType::Ipv4,
                apn: "UNINET",
                username: Some(""),
                password: Some(""),
                authentication: Some(Authentication::Pap),
            })
            .await
            .unwrap();
        }),
        "qicsgp_query_and_configure" => both!(script, config, |c, h| {
            let q = c.context_config(CTX).await.unwrap();
            assert_eq!(q.apn.as_str(), "");
            c.configure_context(&qicsgp::Configure {
                context_id: CTX,
                context_type: ContextType::Ipv4,
                apn: "UNINET",
                username: Some(""),
                password: Some(""),
                authentication: Some(Authentication::Pap),
            })
            .await
            .unwrap();
        }),
        "activate_context" => both!(script, config, |c, h| {
            c.activate(CTX).await.unwrap();
            let ip = c.context_address(CTX).await.unwrap();
            assert_eq!(ip.as_deref(), Some("10.7.157.1"));
        }),
        "deactivate_context" => both!(script, config, |c, h| {
            c.deactivate(CTX).await.unwrap();
        }),
        "tcp_client_buffer_access_open" => both!(script, config, |c, h| {
            let o = open(
                0,
                ServiceType::Tcp,
                "192.0.2.2",
                8009,
                0,
                AccessMode::BufferAccess,
            );
            c.open(&o).await.unwrap();
            let s = c.socket_state(id(0)).await.unwrap().unwrap();
            assert_eq!(s.local_port.get(), 65514);
        }),
        "tcp_client_buffer_access_send" => both!(script, config, |c, h| {
            c.send_terminated(id(0), b"test1").await.unwrap();
            c.send(id(0), b"test").await.unwrap();
            assert_eq!(c.ack_status(id(0)).await.unwrap().acked_bytes, 9);
            c.send_hex(id(0), b"12345").await.unwrap();
            let ack = c.wait_acknowledged(id(0)).await.unwrap();
            assert_eq!(ack.total_send_length, 14);
        }),
        "tcp_client_buffer_access_read" => both!(script, config, |c, h| {
            let mut buf = [0u8; 1500];
            assert!(c.socket(id(0)).data_pending);
            assert_eq!(c.read_once(id(0), &mut buf).await, Ok(5));
            assert_eq!(&buf[..5], b"test1");
            c.set_recv_indication(Recvind::Enable).await.unwrap();
            assert_eq!(c.read_once(id(0), &mut buf).await, Ok(5));
            assert_eq!(c.read_once(id(0), &mut buf).await, Ok(0));
            assert!(!c.socket(id(0)).data_pending);
            assert_eq!(c.read_counters(id(0)).await.unwrap().have_read_length, 10);
        }),
        "tcp_client_buffer_access_close" => both!(script, config, |c, h| {
            c.close(id(0)).await.unwrap();
        }),
        "tcp_client_transparent" => both!(script, config, |c, h| {
            let o = open(
                0,
                ServiceType::Tcp,
                "192.0.2.2",
                8009,
                0,
                AccessMode::Transparent,
            );
            c.open(&o).await.unwrap();
            c.write_transparent(b"hello").await.unwrap();
            c.leave_transparent(1).await.unwrap();
            c.close(id(0)).await.unwrap();
        }),
        "tcp_client_direct_push" => both!(script, config, |c, h| {
            let o = open(
                0,
                ServiceType::Tcp,
                "192.0.2.2",
                8009,
                0,
                AccessMode::DirectPush,
            );
            c.open(&o).await.unwrap();
            let s = c.socket_state(id(0)).await.unwrap().unwrap();
            assert_eq!(s.access_mode, AccessMode::DirectPush);
            c.send_terminated(id(0), b"test1").await.unwrap();
            c.send(id(0), b"test2").await.unwrap();
            assert_eq!(c.ack_status(id(0)).await.unwrap().unacked_bytes, 0);
            let mut buf = [0u8; 64];
            assert_eq!(c.read(id(0), &mut buf).await, Ok(4));
            assert_eq!(&buf[..4], b"test");
            c.close(id(0)).await.unwrap();
        }),
        "tcp_server_buffer_access" => both!(script, config, |c, h| {
            let o = open(
                1,
                ServiceType::TcpListener,
                "127.0.0.1",
                0,
                2020,
                AccessMode::BufferAccess,
            );
            c.open(&o).await.unwrap();
            let table = c
                .exec(&qistate::ByContext { context_id: CTX })
                .await
                .unwrap();
            assert_eq!(table[0].socket_state, SocketState::Listening);
            let client = c.next_incoming(id(1), 100).await.unwrap();
            assert_eq!(client, id(11));
            let mut buf = [0u8; 1500];
            assert_eq!(c.read_once(client, &mut buf).await, Ok(4));
            assert_eq!(c.read_once(client, &mut buf).await, Ok(0));
            assert_eq!(c.read_counters(client).await.unwrap().unread_length, 0);
            c.close(client).await.unwrap();
            c.close(id(1)).await.unwrap();
        }),
        "udp_service" => both!(script, config, |c, h| {
            let o = open(
                2,
                ServiceType::UdpService,
                "127.0.0.1",
                0,
                3030,
                AccessMode::BufferAccess,
            );
            c.open(&o).await.unwrap();
            c.exec(&qistate::ByContext { context_id: CTX })
                .await
                .unwrap();
            c.send_to(id(2), b"1234567890", "10.7.89.10", Port::new_const(6969))
                .await
                .unwrap();
            let mut buf = [0u8; 1500];
            let (n, from) = c.read_from(id(2), &mut buf).await.unwrap().unwrap();
            assert_eq!(&buf[..n], b"AAAA");
            assert_eq!(c.read_from(id(2), &mut buf).await, Ok(None));
            c.send_to(id(2), b"1234567890", &from.ip, from.port())
                .await
                .unwrap();
            c.close(id(2)).await.unwrap();
        }),
        "ping" => both!(script, config, |c, h| {
            let p = c
                .ping(&qping::Ping {
                    context_id: CTX,
                    host: "www.example.com",
                    timeout: None,
                    pingnum: None,
                })
                .await
                .unwrap();
            assert_eq!(p.replies.len(), 4);
            assert_eq!(p.summary.avg, Some(288));
        }),
        "ntp" => both!(script, config, |c, h| {
            let t = c
                .sync_time(&qntp::SyncValue {
                    context_id: CTX,
                    server: "192.0.2.2",
                    ntp_port: Some(NtpPort::new_const(123)),
                    autosettime: None,
                })
                .await
                .unwrap();
            assert_eq!(t.as_str(), "2019/07/21,06:10:59+00");
        }),
        "last_error" => {
            // The document's command lacks its socket ID: the typed API cannot even build it,
            // and the line does not decode. The module's ERROR to it is therefore not played;
            // the error query that follows is.
            assert!(Request::decode(br#"AT+QIOPEN=1,"TCP","192.0.2.2",8009,0,1"#).is_err());
            let mut rest = Script::new();
            let mut started = false;
            for s in script.steps() {
                started |= matches!(s, Step::Host(_));
                if started {
                    rest.push(s.clone());
                }
            }
            both!(rest, config, |c, h| {
                let e = c.exec(&qigeterror::Query).await.unwrap();
                assert_eq!(e.err.get(), ErrorCode::InvalidParameters.code());
            });
        }
        other => {
            panic!("no client session for the transcript `{other}`: add one to client_examples.rs")
        }
    }
}

#[test]
fn every_example_session_plays_through_the_client() {
    let mut played = BTreeSet::new();
    for t in transcripts() {
        play(&t.name, script_of(&t));
        played.insert(t.name.clone());
    }
    assert!(
        played.len() >= 14,
        "only {} transcripts: {played:?}",
        played.len()
    );
}

#[test]
fn the_sessions_also_play_with_answers_split_at_every_byte() {
    for t in transcripts() {
        let mut s = script_of(&t);
        s.chunk = 1;
        play(&t.name, s);
    }
}

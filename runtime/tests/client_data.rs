//! Sending and reading through the client: the prompt, chunking at the spec's limit, the UDP
//! service forms, hex, acknowledgements; reads drained until empty; pushed data; payloads full
//! of hostile bytes; answers split at every byte.

mod support;

use quectel_qi::client::{Config, Error, ErrorResult, ModuleError};
use quectel_qi::*;
use support::Script;

const CTX: ContextId = ContextId::new_const(1);

fn id(n: i64) -> ConnectId {
    ConnectId::new(n).unwrap()
}

/// Payloads that would end or start a frame if a digester looked inside them.
const HOSTILE: &[&[u8]] = &[
    b"\r\nOK\r\n",
    b"\r\n\r\nERROR\r\n",
    b"> ",
    b"\r\n+QIURC: \"recv\",0,5\r\n",
    b"\r\n+QIURC: \"closed\",0\r\n",
    b"\0\0\r\r\n\n",
    b"SEND OK\r\nSEND FAIL\r\n",
    b"+QIRD: 1500\r\n",
];

fn open_script(mode: u8) -> Script {
    Script::new()
        .host(&format!(r#"AT+QIOPEN=1,0,"TCP","192.0.2.2",8009,0,{mode}"#))
        .module("OK")
        .module("+QIOPEN: 0,0")
}

fn open_cmd(mode: AccessMode) -> qiopen::Open<'static> {
    qiopen::Open {
        context_id: CTX,
        connect_id: id(0),
        service_type: ServiceType::Tcp,
        host: "192.0.2.2",
        remote_port: Port::new_const(8009),
        local_port: Some(Port::new_const(0)),
        access_mode: Some(mode),
    }
}

#[test]
fn send_waits_for_the_prompt_and_send_ok() {
    let script = Script::new()
        .host("AT+QISEND=0,4")
        .module(">")
        .host_data(b"test")
        .module("SEND OK")
        .host("AT+QISEND=0,2")
        .module(">")
        .host_data(b"xy")
        .module("SEND FAIL")
        .host("AT+QISEND=0,2")
        .module("ERROR");
    both!(script, support::config(), |c, h| {
        c.send(id(0), b"test").await.unwrap();
        assert_eq!(c.send(id(0), b"xy").await, Err(Error::SendFailed));
        assert_eq!(
            c.send(id(0), b"xy").await,
            Err(Error::Module(ModuleError {
                result: ErrorResult::Error,
                last_error: None
            }))
        );
    });
}

#[test]
fn long_data_goes_in_chunks_of_the_spec_limit() {
    let max = limits::MAX_PROMPT_DATA_LEN;
    let data: Vec<u8> = (0..2 * max + 5).map(|i| (i % 251) as u8).collect();
    let mut script = Script::new();
    for chunk in data.chunks(max) {
        script = script
            .host(&format!("AT+QISEND=0,{}", chunk.len()))
            .module(">")
            .host_data(chunk)
            .module("SEND OK");
    }
    both!(script, support::config(), |c, h| {
        c.send(id(0), &data).await.unwrap();
    });
}

#[test]
fn hostile_payloads_go_out_as_they_are() {
    let mut script = Script::new();
    for p in HOSTILE {
        script = script
            .host(&format!("AT+QISEND=0,{}", p.len()))
            .module(">")
            .host_data(p)
            .module("SEND OK");
    }
    both!(script, support::config(), |c, h| {
        for p in HOSTILE {
            c.send(id(0), p).await.unwrap();
        }
    });
}

#[test]
fn empty_and_oversized_sends_write_nothing() {
    both!(Script::new(), support::config(), |c, h| {
        assert!(matches!(c.send(id(0), b"").await, Err(Error::Invalid(_))));
        let big = vec![0u8; limits::MAX_PROMPT_DATA_LEN + 1];
        assert!(matches!(
            c.send_to(id(2), &big, "10.0.0.1", Port::new_const(1)).await,
            Err(Error::TooLong { .. })
        ));
        assert!(matches!(
            c.send_to(id(2), b"x", "10.0.\"0.1", Port::new_const(1))
                .await,
            Err(Error::Invalid(_))
        ));
        assert!(h.written().is_empty());
    });
}

#[test]
fn send_to_names_the_peer() {
    let script = Script::new()
        .host(r#"AT+QISEND=2,10,"10.7.89.10",6969"#)
        .module(">")
        .host_data(b"1234567890")
        .module("SEND OK");
    both!(script, support::config(), |c, h| {
        c.send_to(id(2), b"1234567890", "10.7.89.10", Port::new_const(6969))
            .await
            .unwrap();
    });
}

#[test]
fn send_hex_encodes_and_chunks() {
    // The longest hex string of one command, as the spec bounds it.
    let digits_max = {
        let mut buf = [0u8; qisendex::SendHex::MAX_LEN];
        let n = qisendex::SendHex {
            connect_id: ConnectId::MAX,
            hex_string: "",
        }
        .encode(&mut buf)
        .unwrap();
        qisendex::SendHex::MAX_LEN - n
    };
    let per = digits_max / 2;
    let data: Vec<u8> = (0..per + 3).map(|i| i as u8).collect();
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02X}")).collect::<String>();
    let script = Script::new()
        .host(r#"AT+QISENDEX=0,"3132333435""#)
        .module("SEND OK")
        .host(&format!(r#"AT+QISENDEX=0,"{}""#, hex(&data[..per])))
        .module("SEND OK")
        .host(&format!(r#"AT+QISENDEX=0,"{}""#, hex(&data[per..])))
        .module("SEND FAIL");
    both!(script, support::config(), |c, h| {
        c.send_hex(id(0), b"12345").await.unwrap();
        assert_eq!(c.send_hex(id(0), &data).await, Err(Error::SendFailed));
    });
}

#[test]
fn acknowledgements_are_read_and_waited_for() {
    let script = Script::new()
        .host("AT+QISEND=0,0")
        .module("+QISEND: 10,4,6")
        .module("OK")
        .host("AT+QISEND=0,0")
        .module("+QISEND: 10,8,2")
        .module("OK")
        .host("AT+QISEND=0,0")
        .module("+QISEND: 10,10,0")
        .module("OK")
        .host("AT+QISEND=0,0")
        .module("+QISEND: 11,10,1")
        .module("OK")
        .host("AT+QISEND=0,0")
        .module("+QISEND: 11,10,1")
        .module("OK");
    let config = Config {
        ack_polls: 2,
        ..support::config()
    };
    both!(script, config, |c, h| {
        assert_eq!(c.ack_status(id(0)).await.unwrap().unacked_bytes, 6);
        let done = c.wait_acknowledged(id(0)).await.unwrap();
        assert_eq!((done.total_send_length, done.acked_bytes), (10, 10));
        // Bounded: two polls, then a timeout.
        assert_eq!(c.wait_acknowledged(id(0)).await, Err(Error::Timeout));
    });
}

#[test]
fn reads_drain_until_the_module_has_nothing_left() {
    let script = open_script(0)
        .module(r#"+QIURC: "recv",0"#)
        .host("AT+QIRD=0,1500")
        .qird(b"hello ")
        .host("AT+QIRD=0,1500")
        .qird(b"world")
        .host("AT+QIRD=0,1500")
        .module("+QIRD: 0")
        .module("OK");
    both!(script, support::config(), |c, h| {
        c.open(&open_cmd(AccessMode::BufferAccess)).await.unwrap();
        assert!(c.socket(id(0)).data_pending);
        let mut buf = [0u8; 4096];
        assert_eq!(c.read(id(0), &mut buf).await, Ok(11));
        assert_eq!(&buf[..11], b"hello world");
        assert!(!c.socket(id(0)).data_pending);
    });
}

#[test]
fn a_small_buffer_reads_what_fits_and_stops() {
    let script = Script::new()
        .host("AT+QIRD=0,5")
        .qird(b"abcd")
        .host("AT+QIRD=0,1")
        .qird(b"e");
    both!(script, support::config(), |c, h| {
        let mut buf = [0u8; 5];
        assert_eq!(c.read(id(0), &mut buf).await, Ok(5));
        assert_eq!(&buf, b"abcde");
    });
}

#[test]
fn reading_into_an_empty_buffer_is_an_error_and_writes_nothing() {
    let script = open_script(1);
    both!(script, support::config(), |c, h| {
        c.open(&open_cmd(AccessMode::DirectPush)).await.unwrap();
        assert_eq!(c.read(id(0), &mut []).await, Err(Error::BufferTooSmall));
        assert_eq!(c.read(id(1), &mut []).await, Err(Error::BufferTooSmall));
        assert_eq!(
            c.read_once(id(1), &mut []).await,
            Err(Error::BufferTooSmall)
        );
        for s in [id(0), id(1)] {
            assert_eq!(c.read_from(s, &mut []).await, Err(Error::BufferTooSmall));
        }
        // The scripted module fails the test on any write the script does not list.
        let _ = h;
    });
}

#[test]
fn hostile_payloads_come_back_whole_in_reads_and_pushes() {
    let mut script = open_script(0);
    for p in HOSTILE {
        script = script
            .host("AT+QIRD=0,1500")
            .qird(p)
            .host("AT+QIRD=0,1500")
            .module("+QIRD: 0")
            .module("OK");
    }
    script = script.host("AT+QISWTMD=0,1").module("OK");
    for p in HOSTILE {
        script = script
            .module_data(format!("\r\n+QIURC: \"recv\",0,{}\r\n", p.len()).as_bytes())
            .module_data(p);
    }
    for chunk in [0, 1, 3] {
        let mut script = script.clone();
        script.chunk = chunk;
        both!(script, support::config(), |c, h| {
            c.open(&open_cmd(AccessMode::BufferAccess)).await.unwrap();
            let mut buf = [0u8; 2000];
            for p in HOSTILE {
                let n = c.read(id(0), &mut buf).await.unwrap();
                assert_eq!(&buf[..n], *p);
            }
            c.switch_mode(id(0), AccessMode::DirectPush).await.unwrap();
            // A stream: one read returns every push, in order, each one whole.
            let n = c.read(id(0), &mut buf).await.unwrap();
            assert_eq!(&buf[..n], HOSTILE.concat(), "split every {chunk} bytes");
            assert_eq!(c.read(id(0), &mut buf).await, Ok(0));
        });
    }
}

#[test]
fn urcs_between_a_command_and_its_ok_are_routed() {
    let script = Script::new()
        .host("AT+QIRD=0,1500")
        .module_data(b"\r\n+QIRD: 3\r\nabc\r\n")
        .module(r#"+QIURC: "closed",4"#)
        .module("OK")
        .host("AT+QIRD=0,1500")
        .module(r#"+QIURC: "recv",6"#)
        .module("+QIRD: 0")
        .module("OK");
    both!(script, support::config(), |c, h| {
        let mut buf = [0u8; 4096];
        assert_eq!(c.read(id(0), &mut buf).await, Ok(3));
        assert!(c.socket(id(4)).closed);
        assert!(c.socket(id(6)).data_pending);
    });
}

#[test]
fn an_error_after_a_urc_inside_a_response_fails_the_command() {
    let script = Script::new()
        .host("AT+QIRD=0,1500")
        .module_data(b"\r\n+QIRD: 3\r\nabc\r\n")
        .module(r#"+QIURC: "closed",4"#)
        .module("ERROR")
        .host("AT+QIRD=0,1500")
        .module("+QIRD: 0")
        .module("OK");
    both!(script, support::config(), |c, h| {
        let mut buf = [0u8; 4096];
        assert!(matches!(
            c.read(id(0), &mut buf).await,
            Err(Error::Module(ModuleError {
                result: ErrorResult::Error,
                ..
            }))
        ));
        assert!(c.socket(id(4)).closed);
        // The next command gets its own answer, not the dropped one.
        assert_eq!(c.read(id(0), &mut buf).await, Ok(0));
    });
}

#[test]
fn udp_service_reads_name_the_sender() {
    let script = Script::new()
        .host("AT+QIRD=2")
        .module(r#"+QIRD: 4,"10.7.76.34",7687"#)
        .module_data(b"AAAA\r\n")
        .module("OK")
        .host("AT+QIRD=2")
        .module("+QIRD: 0")
        .module("OK")
        .host("AT+QIRD=2,8")
        .module(r#"+QIRD: 2,"10.7.76.35",1"#)
        .module_data(b"\r\n\r\n")
        .module("OK");
    both!(script, support::config(), |c, h| {
        let mut buf = [0u8; 1500];
        let (n, from) = c.read_from(id(2), &mut buf).await.unwrap().unwrap();
        assert_eq!(
            (&buf[..n], from.ip.as_str(), from.port().get()),
            (&b"AAAA"[..], "10.7.76.34", 7687)
        );
        assert_eq!(c.read_from(id(2), &mut buf).await, Ok(None));
        let mut small = [0u8; 8];
        let (n, _) = c.read_from(id(2), &mut small).await.unwrap().unwrap();
        assert_eq!(&small[..n], b"\r\n");
    });
}

#[test]
fn pushed_datagrams_keep_their_sender() {
    let script = Script::new()
        .host(r#"AT+QIOPEN=1,2,"UDP SERVICE","127.0.0.1",0,3030,1"#)
        .module("OK")
        .module("+QIOPEN: 2,0")
        .module_data(b"\r\n+QIURC: \"recv\",2,4,\"10.7.76.34\",7687\r\nAAAA")
        .module_data(b"\r\n+QIURC: \"recv\",2,2,\"10.7.76.35\",9\r\nOK");
    both!(script, support::config(), |c, h| {
        c.open(&qiopen::Open {
            context_id: CTX,
            connect_id: id(2),
            service_type: ServiceType::UdpService,
            host: "127.0.0.1",
            remote_port: Port::new_const(0),
            local_port: Some(Port::new_const(3030)),
            access_mode: Some(AccessMode::DirectPush),
        })
        .await
        .unwrap();
        let mut buf = [0u8; 64];
        let (n, from) = c.read_from(id(2), &mut buf).await.unwrap().unwrap();
        assert_eq!(
            (&buf[..n], from.ip.as_str(), from.port().get()),
            (&b"AAAA"[..], "10.7.76.34", 7687)
        );
        let (n, from) = c.read_from(id(2), &mut buf).await.unwrap().unwrap();
        assert_eq!((&buf[..n], from.ip.as_str()), (&b"OK"[..], "10.7.76.35"));
        assert_eq!(c.read_from(id(2), &mut buf).await, Ok(None));
    });
}

#[test]
fn read_counters() {
    let script = Script::new()
        .host("AT+QIRD=0,0")
        .module("+QIRD: 10,10,0")
        .module("OK");
    both!(script, support::config(), |c, h| {
        let n = c.read_counters(id(0)).await.unwrap();
        assert_eq!(
            (n.total_receive_length, n.have_read_length, n.unread_length),
            (10, 10, 0)
        );
    });
}

#[test]
fn payload_echo_is_dropped_when_the_module_echoes() {
    let script = Script::new()
        .host("AT+QISDE=1")
        .module("OK")
        .host("AT+QISEND=0,5")
        .module(">")
        .host_data(b"OK\r\n>")
        .module_data(b"OK\r\n>")
        .module("SEND OK");
    both!(script, support::config(), |c, h| {
        c.set_send_echo(Echo::On).await.unwrap();
        c.send(id(0), b"OK\r\n>").await.unwrap();
    });
}

#[test]
fn a_whole_session_survives_echo_and_byte_by_byte_answers() {
    let mut script = open_script(0)
        .module(r#"+QIURC: "recv",0"#)
        .host("AT+QIRD=0,1500")
        .qird(b"\r\nOK\r\n")
        .host("AT+QIRD=0,1500")
        .module("+QIRD: 0")
        .module("OK")
        .host("AT+QISEND=0,3")
        .module(">")
        .host_data(b"a>b")
        .module("SEND OK");
    script.echo = true;
    script.chunk = 1;
    both!(script, support::config(), |c, h| {
        c.open(&open_cmd(AccessMode::BufferAccess)).await.unwrap();
        let mut buf = [0u8; 4096];
        assert_eq!(c.read(id(0), &mut buf).await, Ok(6));
        assert_eq!(&buf[..6], b"\r\nOK\r\n");
        c.send(id(0), b"a>b").await.unwrap();
    });
}

/// Direct push on two sockets, one left unread with more than half the ring: the other's
/// pushes flow (each copied from the ring into the reader's buffer, byte-exact), and the
/// unread socket gives up its own oldest push, once, counted: its next read is `Overrun`
/// (state, kept until read), then its newer push comes whole, never a cut or silently
/// missing payload.
#[test]
fn a_socket_left_unread_loses_its_oldest_push_counted_while_another_flows() {
    let open = |n: u8| {
        Script::new()
            .host(&format!(r#"AT+QIOPEN=1,{n},"TCP","192.0.2.2",8009,0,1"#))
            .module("OK")
            .module(&format!("+QIOPEN: {n},0"))
    };
    let mut script = open(0);
    for s in open(1).steps() {
        script.push(s.clone());
    }
    let push = |n: u8, data: &[u8]| {
        let mut f = format!("\r\n+QIURC: \"recv\",{n},{}\r\n", data.len()).into_bytes();
        f.extend_from_slice(data);
        f
    };
    both!(script, support::config(), |c, h| {
        for n in [0, 1] {
            let mut cmd = open_cmd(AccessMode::DirectPush);
            cmd.connect_id = id(n);
            c.open(&cmd).await.unwrap();
        }
        let old: Vec<u8> = (0..1500).map(|i| (i % 251) as u8).collect();
        let newer: Vec<u8> = old.iter().map(|b| b ^ 0x5a).collect();
        h.feed(&push(0, &old));
        h.feed(&push(0, &newer));
        assert_eq!(c.pushed_len(id(0)), 3000);
        let mut buf = [0u8; 1500];
        for k in 0..8u8 {
            let data: Vec<u8> = (0..1500).map(|i| (i as u8) ^ k).collect();
            h.feed(&push(1, &data));
            let n = c.read(id(1), &mut buf).await.unwrap();
            assert_eq!(&buf[..n], &data[..], "push {k} of socket 1");
        }
        assert!(c.socket(id(0)).overrun, "the loss is state");
        assert_eq!(c.read(id(0), &mut buf).await, Err(client::Error::Overrun));
        assert_eq!(c.read(id(0), &mut buf).await, Ok(1500));
        assert_eq!(&buf[..], &newer[..], "its newer push, whole");
        assert_eq!(c.read(id(0), &mut buf).await, Ok(0));
        assert_eq!(h.ring.lost(), 1, "its oldest push only");
    });
}

//! The document's example sessions (chapter 3, from spec/examples) run against the virtual
//! module with real loopback peers: every module line matches the document's, addresses,
//! ports and measured times aside.

mod module_support;

use module_support::{read_n, udp_peer, Host, Peer};
use qi_codegen::spec::{Step, Transcript};
use qi_sim::Config;
use std::collections::HashMap;
use std::io::Write;
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::path::Path;

fn transcripts() -> HashMap<String, Transcript> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let model = qi_codegen::load_and_check(&dir).expect("the spec is valid");
    let mut all = HashMap::new();
    for f in &model.spec.transcripts {
        for t in &f.value.transcripts {
            all.insert(t.name.clone(), t.clone());
        }
    }
    for c in &model.spec.commands {
        for t in &c.value.examples {
            all.insert(t.name.clone(), t.clone());
        }
    }
    all
}

/// What a session needs besides the transcript: text replaced in host lines, values of the
/// document that may differ in module lines, and actions of the peers before a step.
struct Session<'a> {
    host: &'a mut Host,
    replace: Vec<(String, String)>,
    variable: Vec<String>,
}

/// One field of a line, split like the generated decoders do (outside quotes).
fn fields(line: &str) -> Vec<String> {
    let (prefix, body) = match line.split_once(": ") {
        Some((p, b)) => (p, b),
        None => return vec![line.to_string()],
    };
    let mut out = vec![prefix.to_string()];
    out.extend(
        quectel_qi::wire::Fields::new(body.as_bytes())
            .map(|f| String::from_utf8_lossy(f).into_owned()),
    );
    out
}

impl Session<'_> {
    fn check_line(&self, name: &str, i: usize, expected: &str, actual: &str) {
        let (e, a) = (fields(expected), fields(actual));
        let same = e.len() == a.len()
            && e.iter().zip(&a).all(|(e, a)| {
                e == a
                    || (self.variable.contains(e)
                        && e.starts_with('"') == a.starts_with('"')
                        && !a.is_empty())
            });
        assert!(
            same,
            "{name} step {i}: expected `{expected}`, the module sent `{actual}`"
        );
    }

    /// Runs the steps; `before(i)` runs before step `i` (peer actions).
    fn run(&mut self, t: &Transcript, mut before: impl FnMut(usize, &mut Host)) {
        let mut transparent = false;
        for (i, step) in t.steps.iter().enumerate() {
            before(i, self.host);
            let Step {
                host,
                module,
                host_data,
                module_data,
                foreign,
                ..
            } = step;
            if *foreign {
                continue;
            }
            if let Some(h) = host {
                let mut line = h.clone();
                for (from, to) in &self.replace {
                    line = line.replace(from, to);
                }
                self.host.send(&line);
            }
            if let Some(d) = host_data {
                if transparent && d == "+++" {
                    // The escape needs silence before it (a lower bound, not a race).
                    std::thread::sleep(Config::for_tests().guard_time * 3);
                }
                self.host.write(d.as_bytes());
            }
            if let Some(m) = module {
                if m == ">" {
                    self.host.prompt();
                    continue;
                }
                let actual = self.host.line();
                self.check_line(&t.name, i, m, &actual);
                if m == "CONNECT" {
                    transparent = true;
                } else if m == "OK" || m == "ERROR" || m == "NO CARRIER" {
                    transparent = false;
                }
            }
            if let Some(d) = module_data {
                let actual = self.host.data(d.len());
                assert_eq!(
                    String::from_utf8_lossy(&actual),
                    d.as_str(),
                    "{} step {i}",
                    t.name
                );
            }
        }
    }
}

fn vars(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn context_and_tcp_client_in_buffer_access_mode() {
    let all = transcripts();
    let peer = Peer::new();
    let mut h = Host::start(Config::for_tests());
    let port = peer.port.to_string();
    let mut s = Session {
        host: &mut h,
        replace: vec![("\"192.0.2.2\",8009".into(), format!("\"127.0.0.1\",{port}"))],
        variable: vars(&["\"10.7.157.1\"", "\"192.0.2.2\"", "8009", "65514"]),
    };
    s.run(&all["configure_context"], |_, _| {});
    s.run(&all["activate_context"], |_, _| {});
    s.run(&all["tcp_client_buffer_access_open"], |_, _| {});
    let mut conn = peer.accept();
    s.run(&all["tcp_client_buffer_access_send"], |_, _| {});
    assert_eq!(read_n(&mut conn, 14), b"test1test12345");
    s.run(&all["tcp_client_buffer_access_read"], |i, _| {
        // The URCs of steps 0 and 7 announce data the server sends.
        if i == 0 || i == 7 {
            conn.write_all(b"test1").unwrap();
        }
    });
    s.run(&all["tcp_client_buffer_access_close"], |_, _| {});
    s.run(&all["deactivate_context"], |_, _| {});
    assert_eq!(h.cmd("AT+QIACT?"), ["OK"]);
    h.finish();
}

#[test]
fn tcp_client_in_transparent_mode() {
    let all = transcripts();
    let peer = Peer::new();
    let mut h = Host::active();
    let mut s = Session {
        host: &mut h,
        replace: vec![(
            "\"192.0.2.2\",8009".into(),
            format!("\"127.0.0.1\",{}", peer.port),
        )],
        variable: vec![],
    };
    let mut conn: Option<TcpStream> = None;
    s.run(&all["tcp_client_transparent"], |i, _| {
        if i == 3 {
            let mut c = peer.accept();
            // What the host typed reaches the server before the server answers.
            assert_eq!(read_n(&mut c, 5), b"hello");
            c.write_all(b"Test 1").unwrap();
            conn = Some(c);
        }
    });
    h.finish();
}

#[test]
fn tcp_client_in_direct_push_mode() {
    let all = transcripts();
    let peer = Peer::new();
    let mut h = Host::active();
    let mut s = Session {
        host: &mut h,
        replace: vec![(
            "\"192.0.2.2\",8009".into(),
            format!("\"127.0.0.1\",{}", peer.port),
        )],
        variable: vars(&["\"192.0.2.2\"", "8009", "65344"]),
    };
    let mut conn: Option<TcpStream> = None;
    s.run(&all["tcp_client_direct_push"], |i, _| {
        if i == 3 {
            conn = Some(peer.accept());
        }
        if i == 17 {
            let c = conn.as_mut().unwrap();
            assert_eq!(read_n(c, 10), b"test1test2");
            c.write_all(b"test").unwrap();
        }
    });
    h.finish();
}

#[test]
fn tcp_server_in_buffer_access_mode() {
    let all = transcripts();
    let mut h = Host::active();
    let mut s = Session {
        host: &mut h,
        // Port 2020 may be taken on the test machine: listen on a free one.
        replace: vec![(",0,2020,0".into(), ",0,0,0".into())],
        variable: vars(&["\"10.7.157.1\"", "2020", "\"172.31.242.222\"", "54091"]),
    };
    let mut client: Option<TcpStream> = None;
    let mut listen_port = 0u16;
    s.run(&all["tcp_server_buffer_access"], |i, host| {
        if i == 6 {
            // Step 4 was the listener's QISTATE line; ask again for its real port.
            let lines = host.cmd("AT+QISTATE=1,1");
            let f = fields(&lines[0]);
            listen_port = f[5].parse().unwrap();
            client = Some(TcpStream::connect(("127.0.0.1", listen_port)).unwrap());
        }
        if i == 7 {
            client.as_mut().unwrap().write_all(b"test").unwrap();
        }
    });
    assert_ne!(listen_port, 0);
    h.finish();
}

#[test]
fn udp_service() {
    let all = transcripts();
    let peer: UdpSocket = udp_peer();
    let peer_addr = format!("\"127.0.0.1\",{}", peer.local_addr().unwrap().port());
    let mut h = Host::active();
    let mut s = Session {
        host: &mut h,
        replace: vec![
            (",0,3030,0".into(), ",0,0,0".into()),
            ("\"10.7.89.10\",6969".into(), peer_addr.clone()),
            ("\"10.7.76.34\",7687".into(), peer_addr),
        ],
        variable: vars(&["\"10.7.157.1\"", "3030", "\"10.7.76.34\"", "7687"]),
    };
    let mut module_addr: Option<SocketAddr> = None;
    s.run(&all["udp_service"], |i, _| {
        if i == 10 {
            let mut b = [0u8; 64];
            let (n, from) = peer.recv_from(&mut b).unwrap();
            assert_eq!(&b[..n], b"1234567890");
            module_addr = Some(from);
            peer.send_to(b"AAAA", from).unwrap();
        }
    });
    let mut b = [0u8; 64];
    let (n, from) = peer.recv_from(&mut b).unwrap();
    assert_eq!((&b[..n], Some(from)), (&b"1234567890"[..], module_addr));
    h.finish();
}

#[test]
fn ping_a_loopback_host() {
    let all = transcripts();
    let mut h = Host::active();
    let mut s = Session {
        host: &mut h,
        replace: vec![("\"www.example.com\"".into(), "\"127.0.0.1\"".into())],
        // Round-trip times are measured, not the document's.
        variable: vars(&["\"192.0.2.2\"", "192", "240", "241", "479", "288"]),
    };
    s.run(&all["ping"], |_, _| {});
    h.finish();
}

/// An NTP server on loopback that answers once with the time of the document's example.
fn ntp_server() -> (u16, std::thread::JoinHandle<()>) {
    let sock = udp_peer();
    let port = sock.local_addr().unwrap().port();
    let t = std::thread::spawn(move || {
        let mut b = [0u8; 48];
        let (_, from) = sock.recv_from(&mut b).unwrap();
        assert_eq!(b[0] & 7, 3, "a client request");
        let mut reply = [0u8; 48];
        reply[0] = 0x24; // version 4, mode 4 (server)
                         // 2019-07-21 06:10:59 UTC, in seconds since 1900.
        let secs: u32 = (1_563_689_459u64 + 2_208_988_800) as u32;
        reply[40..44].copy_from_slice(&secs.to_be_bytes());
        sock.send_to(&reply, from).unwrap();
    });
    (port, t)
}

#[test]
fn ntp_against_a_loopback_server() {
    let all = transcripts();
    let (port, server) = ntp_server();
    let mut h = Host::active();
    let mut s = Session {
        host: &mut h,
        replace: vec![("\"192.0.2.2\",123".into(), format!("\"127.0.0.1\",{port}"))],
        variable: vec![],
    };
    s.run(&all["ntp"], |_, _| {});
    server.join().unwrap();
    h.finish();
}

/// While a sync without a port runs, AT+QNTP? names the port it asks (NTP's, 123).
#[test]
fn ntp_read_names_the_default_port() {
    let mut h = Host::active();
    // Both lines in one write: the read is answered before the sync can end.
    h.write(b"AT+QNTP=1,\"127.0.0.1\"\rAT+QNTP?\r");
    assert_eq!(h.line(), "OK");
    assert_eq!(h.line(), "+QNTP: \"127.0.0.1\",123");
    assert_eq!(h.line(), "OK");
    h.finish();
}

#[test]
fn last_error() {
    let all = transcripts();
    let mut h = Host::active();
    let mut s = Session {
        host: &mut h,
        replace: vec![],
        variable: vec![],
    };
    s.run(&all["last_error"], |_, _| {});
    h.finish();
}

#[test]
fn every_example_session_is_run_here() {
    // A new transcript in the spec must get a test in this file.
    let covered = [
        "configure_context",
        "activate_context",
        "deactivate_context",
        "tcp_client_buffer_access_open",
        "tcp_client_buffer_access_send",
        "tcp_client_buffer_access_read",
        "tcp_client_buffer_access_close",
        "tcp_client_transparent",
        "tcp_client_direct_push",
        "tcp_server_buffer_access",
        "udp_service",
        "ping",
        "ntp",
        "last_error",
    ];
    let all = transcripts();
    let mut missing: Vec<&String> = all
        .keys()
        .filter(|k| !covered.contains(&k.as_str()))
        .collect();
    missing.sort();
    // The in-section example of AT+QICSGP is the context example again.
    missing.retain(|k| !k.starts_with("qicsgp"));
    assert!(
        missing.is_empty(),
        "not run against the module: {missing:?}"
    );
}

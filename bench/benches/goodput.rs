//! Goodput through the virtual module over a paced serial line (115200 and 921600 baud):
//! payload bytes per second sent with `AT+QISEND` (1460-byte chunks), received in buffer
//! access (`AT+QIRD`, 1500 at a time) and in direct push (`+QIURC: "recv"` with data), against
//! the line's capacity (baud / 10) and against the protocol's framing limit; then what a pause
//! between commands (atat's `cmd_cooldown`, 20 ms by default) costs.
//!
//! A plain harness, not criterion: each run moves a few seconds of payload, and the figure is
//! the median of three runs. The host side is atat's ingress path: `QiDigester` frames, the
//! generated `AtatCmd::parse` and `Urc::from_frame` decode; commands come from the generated
//! encoders. `cargo bench -p qi-bench --bench goodput [-- quick] [-- 921600]` (a baud: that
//! line rate only).

use atat::{AtatCmd, DigestResult, Digester};
use qi_sim::transport::{duplex, HostReader, HostWriter, Running};
use qi_tests::e2e::{blocking_over, Timing};
use quectel_qi as qi;
use quectel_qi::digest::{DigestState, QiDigester};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// The largest `AT+QISEND` payload, from the spec's range of `<send_length>`.
const CHUNK: usize = qi::SendLength::MAX.get() as usize;
/// The largest `AT+QIRD` read, from the spec's range of `<read_length>`.
const READ: i64 = qi::ReadLength::MAX.get() as i64;

/// A frame as the digester cut it, owned.
enum Frame {
    Response(Result<Vec<u8>, String>),
    Urc(Vec<u8>),
    Prompt,
}

struct Host {
    rx: HostReader,
    tx: HostWriter,
    buf: Vec<u8>,
    pos: usize,
    digester: QiDigester<'static>,
    state: &'static DigestState,
    cooldown: Duration,
    last_response: Instant,
    _module: Running,
}

impl Host {
    fn start(baud: u32, cooldown: Duration) -> Host {
        let mut config = qi_sim::Config::for_tests();
        config.baud = Some(baud);
        let (end, module) = duplex(config);
        let (mut rx, tx) = end.split();
        rx.set_read_timeout(Some(Duration::from_secs(20)));
        let state: &'static DigestState = Box::leak(Box::new(DigestState::new()));
        let mut h = Host {
            rx,
            tx,
            buf: vec![0; qi::sizes::INGRESS_BUF_SIZE],
            pos: 0,
            digester: QiDigester::new(state),
            state,
            cooldown,
            last_response: Instant::now(),
            _module: module,
        };
        let ctx = qi::ContextId::new_const(1);
        h.command(&qi::qiact::Activate { context_id: ctx })
            .expect("context up");
        h
    }

    /// The next frame, reading from the line as needed.
    fn frame(&mut self) -> Frame {
        loop {
            if self.pos > 0 {
                let (r, used) = self.digester.digest(&self.buf[..self.pos]);
                let f = match r {
                    DigestResult::Response(Ok(b)) => Some(Frame::Response(Ok(b.to_vec()))),
                    DigestResult::Response(Err(e)) => Some(Frame::Response(Err(format!("{e:?}")))),
                    DigestResult::Urc(u) => Some(Frame::Urc(u.to_vec())),
                    DigestResult::Prompt(_) => Some(Frame::Prompt),
                    DigestResult::None => None,
                };
                self.buf.copy_within(used..self.pos, 0);
                self.pos -= used;
                if let Some(f) = f {
                    if matches!(f, Frame::Response(_)) {
                        self.last_response = Instant::now();
                    }
                    return f;
                }
                if used > 0 {
                    continue;
                }
            }
            let n = self
                .rx
                .read(&mut self.buf[self.pos..])
                .expect("the module answers");
            assert!(n > 0, "the module stopped");
            self.pos += n;
        }
    }

    /// Writes a command after the cooldown since the last response.
    fn send<C: AtatCmd>(&mut self, cmd: &C) {
        let wait = (self.last_response + self.cooldown).saturating_duration_since(Instant::now());
        std::thread::sleep(wait);
        let mut b = [0u8; 512];
        let n = cmd.write(&mut b);
        assert!(n > 0, "a valid command");
        self.tx.write_all(&b[..n]).unwrap();
    }

    /// Sends a command and parses its response; URCs meanwhile are handed to `urc`.
    fn exchange<C: AtatCmd>(
        &mut self,
        cmd: &C,
        mut urc: impl FnMut(qi::Urc),
    ) -> Result<C::Response, String> {
        self.send(cmd);
        loop {
            match self.frame() {
                Frame::Response(r) => {
                    return match r {
                        Ok(b) => cmd.parse(Ok(&b)).map_err(|e| format!("{e:?}")),
                        Err(e) => Err(e),
                    }
                }
                Frame::Urc(u) => urc(qi::Urc::from_frame(&u).expect("a known URC")),
                Frame::Prompt => panic!("unexpected prompt"),
            }
        }
    }

    fn command<C: AtatCmd>(&mut self, cmd: &C) -> Result<C::Response, String> {
        self.exchange(cmd, |u| panic!("unexpected URC {u:?}"))
    }

    /// Opens TCP client `id` to a loopback peer in `mode`; returns the peer's end.
    fn open(&mut self, id: u8, mode: qi::AccessMode) -> TcpStream {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let connect_id = qi::ConnectId::new(i64::from(id)).unwrap();
        self.state.set_access_mode(connect_id, mode);
        let open = qi::qiopen::Open {
            context_id: qi::ContextId::new_const(1),
            connect_id,
            service_type: qi::ServiceType::Tcp,
            host: "127.0.0.1",
            remote_port: qi::Port::new(i64::from(port)).unwrap(),
            local_port: Some(qi::Port::new_const(0)),
            access_mode: Some(mode),
        };
        self.command(&open).expect("open accepted");
        let (peer, _) = listener.accept().unwrap();
        match self.frame() {
            Frame::Urc(u) => match qi::Urc::from_frame(&u) {
                Some(qi::Urc::OpenResult(_)) => {}
                other => panic!("expected +QIOPEN, got {other:?}"),
            },
            _ => panic!("expected +QIOPEN"),
        }
        peer
    }
}

/// Payload bytes per second of `bytes` sent in `CHUNK`-byte `AT+QISEND`s.
fn send(baud: u32, cooldown: Duration, bytes: usize) -> f64 {
    let mut h = Host::start(baud, cooldown);
    let mut peer = h.open(0, qi::AccessMode::BufferAccess);
    let drain = std::thread::spawn(move || {
        let mut b = [0u8; 4096];
        let mut total = 0;
        while total < bytes {
            match peer.read(&mut b) {
                Ok(0) | Err(_) => break,
                Ok(n) => total += n,
            }
        }
        total
    });
    let payload = vec![0x5a; CHUNK];
    let start = Instant::now();
    let mut sent = 0;
    while sent < bytes {
        let n = CHUNK.min(bytes - sent);
        let cmd = qi::qisend::SendFixed {
            connect_id: qi::ConnectId::new_const(0),
            send_length: qi::SendLength::new(n as i64).unwrap(),
        };
        h.send(&cmd);
        loop {
            match h.frame() {
                Frame::Prompt => break,
                Frame::Urc(_) => {}
                Frame::Response(r) => panic!("no prompt: {:?}", r.err()),
            }
        }
        h.tx.write_all(&payload[..n]).unwrap();
        loop {
            match h.frame() {
                Frame::Response(Ok(_)) => break,
                Frame::Response(Err(e)) => panic!("send failed: {e}"),
                _ => {}
            }
        }
        sent += n;
    }
    let secs = start.elapsed().as_secs_f64();
    assert_eq!(drain.join().unwrap(), bytes, "the peer got everything");
    bytes as f64 / secs
}

/// Payload bytes per second of `bytes` from the peer, read with `AT+QIRD` (buffer access).
fn receive_buffered(baud: u32, cooldown: Duration, bytes: usize) -> f64 {
    let mut h = Host::start(baud, cooldown);
    let mut peer = h.open(0, qi::AccessMode::BufferAccess);
    let data = vec![0xa5; bytes];
    let start = Instant::now();
    let writer = std::thread::spawn(move || {
        peer.write_all(&data).unwrap();
        peer
    });
    let read = qi::qird::Read {
        connect_id: qi::ConnectId::new_const(0),
        read_length: qi::ReadLength::new(READ),
    };
    let mut got = 0;
    while got < bytes {
        // Wait for the notification, then drain until the module reports 0 bytes.
        match h.frame() {
            Frame::Urc(u) => assert!(matches!(qi::Urc::from_frame(&u), Some(qi::Urc::Recv(_)))),
            _ => panic!("expected the recv URC"),
        }
        loop {
            let line = h.exchange(&read, |_| {}).expect("read");
            if line.read_actual_length.get() == 0 {
                break;
            }
            got += usize::from(line.read_actual_length.get());
        }
    }
    let secs = start.elapsed().as_secs_f64();
    drop(writer.join().unwrap());
    assert_eq!(got, bytes);
    bytes as f64 / secs
}

/// Payload bytes per second of `bytes` from the peer, pushed in `+QIURC: "recv"` frames.
fn receive_pushed(baud: u32, bytes: usize) -> f64 {
    let mut h = Host::start(baud, Duration::ZERO);
    let mut peer = h.open(0, qi::AccessMode::DirectPush);
    let data = vec![0xa5; bytes];
    let start = Instant::now();
    let writer = std::thread::spawn(move || {
        peer.write_all(&data).unwrap();
        peer
    });
    let mut got = 0;
    while got < bytes {
        match h.frame() {
            Frame::Urc(u) => match qi::Urc::from_frame(&u) {
                Some(qi::Urc::RecvPush(p)) => got += p.data.len(),
                other => panic!("expected pushed data, got {other:?}"),
            },
            _ => panic!("expected pushed data"),
        }
    }
    let secs = start.elapsed().as_secs_f64();
    drop(writer.join().unwrap());
    assert_eq!(got, bytes);
    bytes as f64 / secs
}

/// The typed client (blocking, over atat's blocking client, as `qi_tests::e2e` wires it) on a
/// paced module: payload bytes per second sent with `Client::send` and read back with
/// `Client::read`, in `mode`. `Timing::Test` pauses 0 ms between commands, `Timing::Spec`
/// keeps atat's default `cmd_cooldown` (20 ms).
fn client(
    baud: u32,
    timing: Timing,
    mode: qi::AccessMode,
    bytes: usize,
) -> (f64, Result<f64, String>) {
    let mut sim = qi_sim::Config::for_tests();
    sim.baud = Some(baud);
    let (end, module) = duplex(sim);
    let (mut reader, writer) = end.split();
    reader.set_read_timeout(Some(Duration::from_millis(50)));
    let mut rig = blocking_over(reader, writer, timing, timing.client_config(false), None);
    let ctx = qi::ContextId::new_const(1);
    rig.prepare().expect("prepare");
    rig.activate(ctx).expect("activate");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let open = qi::qiopen::Open {
        context_id: ctx,
        connect_id: qi::ConnectId::new_const(0),
        service_type: qi::ServiceType::Tcp,
        host: "127.0.0.1",
        remote_port: qi::Port::new(i64::from(port)).unwrap(),
        local_port: Some(qi::Port::new_const(0)),
        access_mode: Some(mode),
    };
    let s = rig.open(&open).expect("open");
    let (mut peer, _) = listener.accept().unwrap();

    // Send: the peer drains.
    let drain = std::thread::spawn(move || {
        let mut b = [0u8; 4096];
        let mut total = 0;
        while total < bytes {
            match peer.read(&mut b) {
                Ok(0) | Err(_) => break,
                Ok(n) => total += n,
            }
        }
        (peer, total)
    });
    let data = vec![0x5a; bytes];
    let start = Instant::now();
    for chunk in data.chunks(CHUNK) {
        rig.send(s, chunk).expect("send");
    }
    let send = bytes as f64 / start.elapsed().as_secs_f64();
    let (mut peer, total) = drain.join().unwrap();
    assert_eq!(total, bytes);

    // Receive: the peer writes everything at once.
    let start = Instant::now();
    let writer = std::thread::spawn(move || {
        peer.write_all(&data).unwrap();
        peer
    });
    let mut buf = vec![0u8; READ as usize];
    let mut got = 0;
    let mut lost = None;
    while got < bytes {
        match rig.read(s, &mut buf) {
            Ok(0) => {
                // Wait for the next notification unless one already came in.
                if !rig.socket(s).data_pending && rig.pushed_len(s) == 0 {
                    rig.next_event(10);
                }
            }
            Ok(k) => got += k,
            Err(e) => {
                // The client's push buffer holds two pushes: a host that falls behind loses
                // data and is told so.
                lost = Some(format!("{e:?}"));
                break;
            }
        }
    }
    let receive = match lost {
        None => Ok(bytes as f64 / start.elapsed().as_secs_f64()),
        Some(e) => Err(e),
    };
    drop(writer.join().unwrap());
    drop(rig);
    module.control().shutdown();
    (send, receive)
}

/// Goodput through a socket handle of the network stack (`quectel_qi::stack`): `write_all`
/// of `bytes` to a peer that drains, then `read` of what the peer writes at once; the
/// runner and the flow share one thread, as on an embedded executor.
fn stack(baud: u32, mode: qi::AccessMode, bytes: usize) -> (f64, f64) {
    use qi::embedded_io_async::{Read as _, Write as _};
    let mut sim = qi_sim::Config::for_tests();
    sim.baud = Some(baud);
    let mut config = qi_tests::stack::test_config();
    config.access_mode = mode;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    qi_tests::stack::run_stack(sim, config, async |stack, _| {
        stack.activate("internet").await.expect("activate");
        let mut socket = stack.connect("127.0.0.1", port).await.expect("connect");
        let (mut peer, _) = listener.accept().unwrap();
        let drain = std::thread::spawn(move || {
            let mut b = [0u8; 4096];
            let mut total = 0;
            while total < bytes {
                match peer.read(&mut b) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => total += n,
                }
            }
            (peer, total)
        });
        let data = vec![0x5a; bytes];
        let start = Instant::now();
        socket.write_all(&data).await.expect("write_all");
        let (mut peer, total) = drain.join().unwrap();
        let send = bytes as f64 / start.elapsed().as_secs_f64();
        assert_eq!(total, bytes);

        let start = Instant::now();
        let writer = std::thread::spawn(move || {
            peer.write_all(&data).unwrap();
            peer
        });
        let mut buf = vec![0u8; READ as usize];
        let mut got = 0;
        while got < bytes {
            let n = socket.read(&mut buf).await.expect("read");
            assert!(n > 0, "end of stream after {got} of {bytes} bytes");
            got += n;
        }
        let receive = bytes as f64 / start.elapsed().as_secs_f64();
        drop(writer.join().unwrap());
        socket.close().await.expect("close");
        (send, receive)
    })
}

/// The median and the best of the runs: on a shared machine a late thread only ever lowers
/// a figure, so the best is what the link and the protocol allow, the median what one gets.
#[derive(Clone, Copy)]
struct Runs {
    median: f64,
    best: f64,
}

fn runs(mut v: Vec<f64>) -> Runs {
    v.sort_by(|a, b| a.total_cmp(b));
    Runs {
        median: v[v.len() / 2],
        best: v[v.len() - 1],
    }
}

impl Runs {
    fn show(self, cap: f64) -> String {
        format!(
            "{:.0} ({:.0}) | {:.1}% ({:.1}%)",
            self.median,
            self.best,
            100.0 * self.median / cap,
            100.0 * self.best / cap
        )
    }
}

/// Bytes on the line per `CHUNK` of payload, from the shapes of the frames: the protocol's
/// own ceiling on goodput as a share of the line.
fn framing() -> [(&'static str, usize); 3] {
    let id = qi::ConnectId::new_const(0);
    let mut b = [0u8; 64];
    let send_cmd = qi::qisend::SendFixed {
        connect_id: id,
        send_length: qi::SendLength::new_const(1460),
    }
    .encode(&mut b)
    .unwrap();
    let read_cmd = qi::qird::Read {
        connect_id: id,
        read_length: qi::ReadLength::new(READ),
    }
    .encode(&mut b)
    .unwrap();
    let line = |s: &str| s.len() + 4; // CR LF before and after
                                      // Send: command, prompt ("\r\n> "), payload, "\r\nSEND OK\r\n".
    let send = send_cmd + 4 + CHUNK + line("SEND OK");
    // Buffer access: command, "+QIRD: 1460" line, payload, CR LF, "OK" line; amortised over
    // one drain, the recv URC and the final empty read are left out here.
    let rd = read_cmd + line(&format!("+QIRD: {CHUNK}")) + CHUNK + 2 + line("OK");
    // Direct push: the URC line (CR LF around it) and the payload.
    let push = line(&format!("+QIURC: \"recv\",0,{CHUNK}")) + CHUNK;
    [
        ("send (AT+QISEND)", send),
        ("buffer access (AT+QIRD)", rd),
        ("direct push", push),
    ]
}

fn main() {
    // `cargo bench` passes `--bench`; `quick` shortens every run.
    let quick = std::env::args().any(|a| a == "quick");
    // A baud given: only that one (a shorter run to compare two builds side by side).
    let only: Option<u32> = std::env::args().find_map(|a| a.parse().ok());
    let bauds: Vec<u32> = [115_200u32, 921_600]
        .into_iter()
        .filter(|b| only.is_none_or(|o| o == *b))
        .collect();
    let secs = if quick { 0.5 } else { 2.0 };
    let count = if quick { 1 } else { 3 };
    println!("framing per {CHUNK}-byte chunk (line bytes, payload share):");
    for (what, n) in framing() {
        println!(
            "  {what:26} {n:5} bytes  {:.1}%",
            100.0 * CHUNK as f64 / n as f64
        );
    }
    println!("figures: median of {count} runs (best in parentheses)");
    println!("| baud | capacity B/s | mode | cooldown | goodput B/s | of capacity |");
    println!("|---:|---:|---|---:|---:|---:|");
    for &baud in &bauds {
        let cap = f64::from(baud) / 10.0;
        let bytes = (cap * secs) as usize;
        let row = |mode: &str, cooldown: u64, g: Runs| {
            println!(
                "| {baud} | {cap:.0} | {mode} | {cooldown} ms | {} |",
                g.show(cap)
            );
        };
        for cooldown in [0u64, 5, 20] {
            let c = Duration::from_millis(cooldown);
            row(
                "send",
                cooldown,
                runs((0..count).map(|_| send(baud, c, bytes)).collect()),
            );
            row(
                "buffer access",
                cooldown,
                runs(
                    (0..count)
                        .map(|_| receive_buffered(baud, c, bytes))
                        .collect(),
                ),
            );
        }
        row(
            "direct push",
            0,
            runs((0..count).map(|_| receive_pushed(baud, bytes)).collect()),
        );
    }
    println!();
    println!("network stack (a TcpSocket: write_all, read; async, runner in the same thread):");
    println!("| baud | capacity B/s | mode | send B/s | of capacity | receive B/s | of capacity |");
    println!("|---:|---:|---|---:|---:|---:|---:|");
    for &baud in &bauds {
        let cap = f64::from(baud) / 10.0;
        let bytes = (cap * secs) as usize;
        for (mode, name) in [
            (qi::AccessMode::BufferAccess, "buffer access"),
            (qi::AccessMode::DirectPush, "direct push"),
        ] {
            let all: Vec<(f64, f64)> = (0..count).map(|_| stack(baud, mode, bytes)).collect();
            let send = runs(all.iter().map(|r| r.0).collect());
            let receive = runs(all.iter().map(|r| r.1).collect());
            println!(
                "| {baud} | {cap:.0} | {name} | {} | {} |",
                send.show(cap),
                receive.show(cap)
            );
        }
    }
    println!();
    println!("typed client (blocking, atat; 0 ms = Timing::Test, 20 ms = atat's default):");
    println!("| baud | capacity B/s | mode | cooldown | send B/s | of capacity | receive B/s | of capacity |");
    println!("|---:|---:|---|---:|---:|---:|---:|---:|");
    for &baud in &bauds {
        let cap = f64::from(baud) / 10.0;
        let bytes = (cap * secs) as usize;
        for (mode, name) in [
            (qi::AccessMode::BufferAccess, "buffer access"),
            (qi::AccessMode::DirectPush, "direct push"),
        ] {
            for (timing, cooldown) in [(Timing::Test, 0), (Timing::Spec, 20)] {
                let all: Vec<(f64, Result<f64, String>)> = (0..count)
                    .map(|_| client(baud, timing, mode, bytes))
                    .collect();
                let send = runs(all.iter().map(|r| r.0).collect());
                let failed: Vec<&String> = all.iter().filter_map(|r| r.1.as_ref().err()).collect();
                let receive = match failed.first() {
                    None => runs(all.iter().filter_map(|r| r.1.clone().ok()).collect()).show(cap),
                    Some(e) => format!("{} of {count} runs failed: {e} | -", failed.len()),
                };
                println!(
                    "| {baud} | {cap:.0} | {name} | {cooldown} ms | {} | {} |",
                    send.show(cap),
                    receive
                );
            }
        }
    }
}

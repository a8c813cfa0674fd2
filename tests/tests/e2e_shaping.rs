//! The settings that shape payloads on the wire (`AT+QICFG="dataformat"`, `"viewmode"`,
//! `"formatcfg"`, `"qisend/timeout"`, `AT+QISDE`), each changed through the typed API, then
//! bytes both ways, checked byte for byte at a loopback peer and at the client: TCP in
//! buffer access (`AT+QIRD`) and direct push, and a UDP service (the header with the sender)
//! in both modes. Each runs with the blocking and the async client, whole and with the
//! module's output cut into small pieces.

mod e2e_support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};

use e2e_support::*;
use qi_tests::e2e::Wire;
use qi_tests::peers::UdpPeer;
use quectel_qi::client::{Client, Link};
use quectel_qi::framing::Framing;
use quectel_qi::*;

/// Payload bytes that would end or start a frame if anything looked inside them, with a
/// comma and quotes for view mode 1 and every hex digit's byte.
const HOSTILE: &[u8] =
    b"\r\nOK\r\n+QIURC: \"closed\",0\r\n\0> SEND OK,\"1.2.3.4\",80,\r\n+QIRD: 9\r\n\xff\x1a";

/// The settings one test puts the module in.
#[derive(Clone, Copy)]
struct Shape {
    send: SendDataFormat,
    recv: RecvDataFormat,
    view: ViewMode,
    prompt: PromptFormat,
    echo: Echo,
    timeout_ms: i64,
}

const PLAIN: Shape = Shape {
    send: SendDataFormat::Text,
    recv: RecvDataFormat::Text,
    view: ViewMode::HeaderCrlfData,
    prompt: PromptFormat::S3s4Prompt,
    echo: Echo::Off,
    timeout_ms: 0,
};

impl Shape {
    fn framing(&self) -> Framing {
        Framing {
            echo: self.echo == Echo::On,
            ..Framing::default()
        }
        .with_data_format(self.send, self.recv)
        .with_view_mode(self.view)
        .with_prompt_format(self.prompt)
    }
}

async fn apply<L: Link>(c: &mut Client<'_, L>, w: &Wire, s: Shape) {
    c.set_data_format(s.send, s.recv).await.unwrap();
    c.set_view_mode(s.view).await.unwrap();
    c.set_prompt_format(s.prompt).await.unwrap();
    c.set_send_echo(s.echo).await.unwrap();
    let timeout = QisendTimeout::new(s.timeout_ms).expect("a timeout of the spec's range");
    c.set_send_timeout(timeout).await.unwrap();
    assert_eq!(
        w.digest.framing(),
        s.framing(),
        "the client recorded each setting"
    );
    // What the module answers reading them back is what was set.
    let back = c.exec(&qicfg::dataformat::Query).await.unwrap();
    assert_eq!(
        (back.send_data_format, back.recv_data_format),
        (s.send, s.recv)
    );
    assert_eq!(
        c.exec(&qicfg::viewmode::Query).await.unwrap().view_mode,
        s.view
    );
    assert_eq!(
        c.exec(&qicfg::formatcfg::Query)
            .await
            .unwrap()
            .prompt_format,
        s.prompt
    );
    assert_eq!(c.exec(&qisde::Read).await.unwrap().echo, s.echo);
    let time = c.exec(&qicfg::qisend_timeout::Query).await.unwrap();
    assert_eq!(time.qisend_timeout, timeout);
}

fn accept(listener: &TcpListener) -> TcpStream {
    let (s, _) = listener.accept().expect("the module connects");
    s.set_read_timeout(Some(WAIT)).unwrap();
    s
}

fn read_n(s: &mut TcpStream, n: usize) -> Vec<u8> {
    let mut v = vec![0u8; n];
    s.read_exact(&mut v).expect("the peer receives");
    v
}

/// TCP both ways in buffer access and direct push, and a UDP service both ways in both.
async fn exchange<L: Link>(c: &mut Client<'_, L>, w: &Wire, s: Shape) {
    ready(c).await;
    apply(c, w, s).await;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let remote = listener.local_addr().unwrap().port();
    for (n, mode) in [(0, AccessMode::BufferAccess), (1, AccessMode::DirectPush)] {
        let socket = c.open(&tcp(id(n), remote, mode)).await.unwrap();
        let mut peer = accept(&listener);
        // Two sends: the fixed-length form (chunked past 1460 bytes) and the Ctrl+Z form.
        let long: Vec<u8> = HOSTILE.iter().copied().cycle().take(2000).collect();
        c.send(socket, &long).await.unwrap();
        assert_eq!(
            read_n(&mut peer, long.len()),
            long,
            "{mode:?}: sent as given"
        );
        let terminated: &[u8] = match s.send {
            // Hex digits never hold Ctrl+Z: any bytes go.
            SendDataFormat::Hex => HOSTILE,
            _ => b"no Ctrl+Z \r\n,\"here\"",
        };
        c.send_terminated(socket, terminated).await.unwrap();
        assert_eq!(read_n(&mut peer, terminated.len()), terminated);
        peer.write_all(&long).unwrap();
        assert_eq!(
            read_exactly(c, socket, long.len()).await,
            long,
            "{mode:?}: received"
        );
        c.close(socket).await.unwrap();
    }

    let udp = UdpPeer::bind().unwrap();
    let mut buf = [0u8; 1500];
    for (n, mode) in [(2, AccessMode::BufferAccess), (3, AccessMode::DirectPush)] {
        let service = id(n);
        c.open(&server(service, ServiceType::UdpService, mode))
            .await
            .unwrap();
        let service_port = local_port(c, service).await;
        udp.send_to(HOSTILE, service_port).unwrap();
        match mode {
            AccessMode::DirectPush => {
                until(c, "a pushed datagram", |c| c.pushed_len(service) > 0).await
            }
            _ => until(c, "a datagram", |c| c.socket(service).data_pending).await,
        }
        let (got, from) = c.read_from(service, &mut buf).await.unwrap().unwrap();
        assert_eq!(&buf[..got], HOSTILE, "{mode:?}: a datagram with its sender");
        assert_eq!(from.port().get(), udp.port());
        c.send_to(service, HOSTILE, &from.ip, from.port())
            .await
            .unwrap();
        let (data, _) = udp.recv().unwrap();
        assert_eq!(data, HOSTILE);
        c.close(service).await.unwrap();
    }
}

/// One test of [`exchange`] in the shape given, with the blocking and the async client.
macro_rules! shape_test {
    ($(#[$doc:meta])* $name:ident, $shape:expr) => {
        $(#[$doc])*
        async fn $name<L: Link>(c: &mut Client<'_, L>, w: &Wire) {
            exchange(c, w, $shape).await;
        }
        both_flavours!($name, config());
    };
}

shape_test!(
    send_hex,
    Shape {
        send: SendDataFormat::Hex,
        ..PLAIN
    }
);
shape_test!(
    recv_hex,
    Shape {
        recv: RecvDataFormat::Hex,
        ..PLAIN
    }
);
shape_test!(
    view_comma,
    Shape {
        view: ViewMode::HeaderCommaData,
        ..PLAIN
    }
);
shape_test!(
    prompt_crlf_with_echo,
    Shape {
        prompt: PromptFormat::S3s4PromptS3s4,
        echo: Echo::On,
        ..PLAIN
    }
);
shape_test!(
    echo_of_hex,
    Shape {
        send: SendDataFormat::Hex,
        echo: Echo::On,
        ..PLAIN
    }
);
shape_test!(
    send_timeout,
    Shape {
        timeout_ms: 1000,
        ..PLAIN
    }
);
shape_test!(
    /// Every setting off its start-up value at once.
    everything,
    Shape {
        send: SendDataFormat::Hex,
        recv: RecvDataFormat::Hex,
        view: ViewMode::HeaderCommaData,
        prompt: PromptFormat::S3s4PromptS3s4,
        echo: Echo::On,
        timeout_ms: 3600,
    }
);
both_flavours!(split_everything: everything, config(), split_output(16));
both_flavours!(split_view_comma: view_comma, config(), split_output(17));

/// A client that lost track of the settings (another program changed them) reads them back
/// with `prepare`, and works with them.
async fn read_back<L: Link>(c: &mut Client<'_, L>, w: &Wire) {
    let s = Shape {
        send: SendDataFormat::Hex,
        recv: RecvDataFormat::Hex,
        view: ViewMode::HeaderCommaData,
        prompt: PromptFormat::S3s4PromptS3s4,
        echo: Echo::On,
        timeout_ms: 0,
    };
    ready(c).await;
    apply(c, w, s).await;
    w.digest.set_framing(Framing::default());
    c.prepare().await.unwrap();
    assert_eq!(w.digest.framing(), s.framing());
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let remote = listener.local_addr().unwrap().port();
    let socket = c
        .open(&tcp(id(0), remote, AccessMode::BufferAccess))
        .await
        .unwrap();
    let mut peer = accept(&listener);
    c.send(socket, HOSTILE).await.unwrap();
    assert_eq!(read_n(&mut peer, HOSTILE.len()), HOSTILE);
    peer.write_all(HOSTILE).unwrap();
    assert_eq!(read_exactly(c, socket, HOSTILE.len()).await, HOSTILE);
    // And back to the start-up framing.
    c.reset_framing().await.unwrap();
    assert_eq!(w.digest.framing(), Framing::default());
    c.send(socket, b"plain again").await.unwrap();
    assert_eq!(read_n(&mut peer, 11), b"plain again");
    c.close(socket).await.unwrap();
}
both_flavours!(read_back, config());

/// `AT+QICFG="close/mode",1`: `AT+QICLOSE` answers OK and its outcome comes as
/// `+QICLOSE: <id>,<err>`, which `close` waits for; back at 0 the final result is all.
async fn close_mode<L: Link>(c: &mut Client<'_, L>, w: &Wire) {
    ready(c).await;
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let remote = listener.local_addr().unwrap().port();
    for mode in [CloseMode::Enable, CloseMode::Disable] {
        c.exec(&qicfg::close_mode::Set { close_mode: mode })
            .await
            .unwrap();
        assert_eq!(w.digest.framing().close_urc, mode == CloseMode::Enable);
        let back = c.exec(&qicfg::close_mode::Query).await.unwrap();
        assert_eq!(back.close_mode, mode);
        let socket = c
            .open(&tcp(id(5), remote, AccessMode::BufferAccess))
            .await
            .unwrap();
        let mut peer = accept(&listener);
        c.send(socket, b"before the close").await.unwrap();
        assert_eq!(read_n(&mut peer, 16), b"before the close");
        c.close(socket).await.unwrap();
        assert_eq!(c.socket_state(socket).await.unwrap(), None);
        // The peer sees the close.
        let mut rest = Vec::new();
        peer.read_to_end(&mut rest).unwrap();
        assert!(rest.is_empty());
    }
}
both_flavours!(close_mode, config());

/// The network stack with every shaping setting off its start-up value, set through the
/// typed client inside it: TCP both ways in both access modes, byte for byte.
#[test]
fn the_stack_works_in_every_framing() {
    use embassy_futures::join::join;
    use embedded_io_async::{Read as _, Write as _};
    use qi_tests::e2e::random_bytes;
    use qi_tests::peers::EchoServer;
    use qi_tests::stack::{run_stack, test_config, SimStack};

    let echo = EchoServer::start().unwrap();
    for mode in [AccessMode::BufferAccess, AccessMode::DirectPush] {
        let data = [HOSTILE, &random_bytes(11, 8 * 1024)].concat();
        let mut config = test_config();
        config.access_mode = mode;
        run_stack(sim(), config, async |stack: &SimStack, _| {
            stack.activate("internet").await.unwrap();
            {
                let mut c = stack.client().await.unwrap();
                c.set_data_format(SendDataFormat::Hex, RecvDataFormat::Hex)
                    .await
                    .unwrap();
                c.set_view_mode(ViewMode::HeaderCommaData).await.unwrap();
                c.set_prompt_format(PromptFormat::S3s4PromptS3s4)
                    .await
                    .unwrap();
                c.set_send_echo(Echo::On).await.unwrap();
            }
            let mut socket = stack.connect("127.0.0.1", echo.port()).await.unwrap();
            let (mut rx, mut tx) = socket.split();
            let mut back = vec![0u8; data.len()];
            let (wrote, read) = join(tx.write_all(&data), rx.read_exact(&mut back)).await;
            wrote.unwrap();
            read.unwrap();
            assert_eq!(back, data, "{mode:?}");
            socket.close().await.unwrap();
        });
    }
}

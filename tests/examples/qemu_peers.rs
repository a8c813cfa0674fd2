//! The host side of the QEMU firmware run (`firmware/qemu/run.sh`): the peers the firmware talks
//! to through the virtual module's real loopback sockets. A TCP echo server, an HTTP server and a
//! UDP echo peer on free loopback ports; the first stdout line says where:
//!
//! ```text
//! peers: echo=PORT http=PORT udp=PORT
//! ```
//!
//! The HTTP server answers every request with [`HTTP_BODY_LEN`] bytes of the alphabet repeated
//! (`abc...zabc...`), which the firmware checks. Runs until killed, or for `--for SECS` (default
//! 300) so that a forgotten one does not linger.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;
use std::time::Duration;

use qi_tests::peers::{EchoServer, UdpPeer, WAIT};

/// Larger than one `AT+QIRD` (1500 bytes), so the firmware's HTTP client reads it in pieces.
const HTTP_BODY_LEN: usize = 3000;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let lifetime = match args.as_slice() {
        [] => 300,
        [flag, secs] if flag == "--for" => match secs.parse() {
            Ok(s) => s,
            Err(_) => return usage(),
        },
        _ => return usage(),
    };
    match serve(Duration::from_secs(lifetime)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("qemu_peers: {e}");
            ExitCode::FAILURE
        }
    }
}

fn usage() -> ExitCode {
    eprintln!("usage: qemu_peers [--for SECS]");
    ExitCode::from(2)
}

fn serve(lifetime: Duration) -> std::io::Result<()> {
    let echo = EchoServer::start()?;
    let http = TcpListener::bind("127.0.0.1:0")?;
    let http_port = http.local_addr()?.port();
    let udp = UdpPeer::bind()?;
    let udp_port = udp.port();
    std::thread::Builder::new()
        .name("http".into())
        .spawn(move || {
            for conn in http.incoming().flatten() {
                let _ = std::thread::Builder::new()
                    .name("http conn".into())
                    .spawn(move || answer_http(conn));
            }
        })?;
    // Each wait of the peer ends after WAIT; it then waits again.
    std::thread::Builder::new()
        .name("udp echo".into())
        .spawn(move || loop {
            let _ = udp.echo_one();
        })?;
    println!(
        "peers: echo={} http={http_port} udp={udp_port}",
        echo.port()
    );
    std::io::stdout().flush()?;
    std::thread::sleep(lifetime);
    Ok(())
}

/// Reads one request head and answers it with the body; then closes.
fn answer_http(conn: TcpStream) {
    let _ = conn.set_read_timeout(Some(WAIT));
    let mut reader = BufReader::new(&conn);
    let mut line = String::new();
    loop {
        line.clear();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) if line == "\r\n" || line == "\n" => break,
            Ok(_) => {}
        }
    }
    let body: Vec<u8> = (0..HTTP_BODY_LEN).map(|i| b'a' + (i % 26) as u8).collect();
    let head = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {HTTP_BODY_LEN}\r\nConnection: close\r\n\r\n"
    );
    let mut conn = &conn;
    let _ = conn
        .write_all(head.as_bytes())
        .and_then(|()| conn.write_all(&body));
}

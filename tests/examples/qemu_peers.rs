//! The host side of the QEMU firmware run (`firmware/qemu/run.sh`): the peers the firmware talks
//! to through the virtual module's real loopback sockets. A TCP echo server, the tests' HTTP
//! server and a UDP echo peer on free loopback ports; the first stdout line says where, and
//! what the firmware's HTTP GET of `/bytes/<http_len>` must receive (its FNV-1a hash):
//!
//! ```text
//! peers: echo=PORT http=PORT http_len=N http_fnv=HEX udp=PORT
//! ```
//!
//! Runs until killed, or for `--for SECS` (default 300) so that a forgotten one does not linger.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use qi_tests::e2e::fnv1a;
use qi_tests::http_server::{body, HttpServer};
use qi_tests::peers::{EchoServer, UdpPeer};

/// More than two `AT+QIRD`s (1500 bytes each), so the firmware's HTTP client reads in pieces.
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
    let http = HttpServer::start()?;
    let udp = UdpPeer::bind()?;
    let udp_port = udp.port();
    // Each wait of the peer ends after WAIT; it then waits again.
    std::thread::Builder::new()
        .name("udp echo".into())
        .spawn(move || loop {
            let _ = udp.echo_one();
        })?;
    println!(
        "peers: echo={} http={} http_len={HTTP_BODY_LEN} http_fnv={:016x} udp={udp_port}",
        echo.port(),
        http.port(),
        fnv1a(&body(HTTP_BODY_LEN)),
    );
    std::io::stdout().flush()?;
    std::thread::sleep(lifetime);
    Ok(())
}

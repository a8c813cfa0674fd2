//! A Linux host program on the network stack, blocking and async: the README's "Use it in
//! your project" example, run by CI.
//!
//! ```sh
//! cargo run -p qi-tests --example host -- /dev/ttyUSB2 internet   # a real module
//! cargo run -p qi-tests --example host -- --sim                   # the virtual module
//! ```
//!
//! With `--sim` it starts the virtual module on a loopback TCP port and a loopback echo
//! server, and talks to them exactly as to a real module and a real server.

use std::io::{Read, Write};

use quectel_qi::embedded_io_async::{Read as _, Write as _};
use quectel_qi::embedded_nal_async::AddrType;
use quectel_qi::host;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (modem, apn, server) = match args.first().map(String::as_str) {
        Some("--sim") => {
            let sim = qi_sim::transport::serve_tcp("127.0.0.1:0", qi_sim::Config::default())?;
            let echo = qi_tests::peers::EchoServer::start()?;
            let modem = host::connect_tcp(sim.local_addr(), Default::default())?;
            let server = ("localhost".to_string(), echo.port());
            run(&modem, "internet", &server)?;
            drop((sim, echo));
            println!("host example: all flows passed");
            return Ok(());
        }
        Some(port) => (
            host::open_serial(port, 115_200, Default::default())?,
            args.get(1).cloned().unwrap_or_else(|| "internet".into()),
            ("tcpbin.com".to_string(), 4242),
        ),
        None => return Err("usage: host (--sim | SERIAL_PORT [APN])".into()),
    };
    run(&modem, &apn, &server)
}

/// The program itself: what the README shows.
fn run<W: Write + Send + 'static>(
    modem: &host::HostStack<W>,
    apn: &str,
    (server, port): &(String, u16),
) -> Result<(), Box<dyn std::error::Error>> {
    // Blocking: each call parks the thread until the module answers.
    let net = modem.blocking();
    net.activate(apn)?;
    let ip = net.resolve(server, AddrType::IPv4)?;
    println!("{server} is {ip}");
    let mut socket = net.connect(server, *port)?;
    socket.write_all(b"hello, blocking\n")?;
    let mut line = [0u8; 16];
    socket.read_exact(&mut line)?;
    println!("echoed: {:?}", String::from_utf8_lossy(&line));
    socket.close()?;

    // Async: the same stack from any executor; its futures are Send.
    let stack = modem.stack();
    let echoed = pollster::block_on(async {
        let mut socket = stack.connect(server, *port).await?;
        socket.write_all(b"hello, async\n").await?;
        let mut line = [0u8; 13];
        socket.read_exact(&mut line).await.map_err(|e| match e {
            quectel_qi::embedded_io::ReadExactError::Other(e) => e,
            quectel_qi::embedded_io::ReadExactError::UnexpectedEof => {
                quectel_qi::stack::Error::PeerClosed
            }
        })?;
        socket.close().await?;
        Ok::<_, quectel_qi::stack::Error>(line)
    })?;
    println!("echoed: {:?}", String::from_utf8_lossy(&echoed));
    Ok(())
}

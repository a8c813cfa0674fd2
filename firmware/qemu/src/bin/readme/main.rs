//! An embassy firmware on quectel-qi's network stack: a task runs the stack (it owns the
//! module's UART input); the main task activates a context, echoes over TCP, resolves a name,
//! asks an NTP server over UDP and GETs a page with reqwless.
#![no_std]
#![no_main]

mod board; // yours: the UART to the module in two halves, a time driver, a panic handler

use embassy_executor::Spawner;
use quectel_qi::embedded_nal_async::AddrType;
use quectel_qi::prelude::*;
use quectel_qi::stack::Runner;
use reqwless::client::HttpClient;
use reqwless::request::Method;
use static_cell::StaticCell;

type Net = Stack<'static, board::UartTx>;

static RESOURCES: StaticCell<StackResources> = StaticCell::new();
static NET: StaticCell<Net> = StaticCell::new();

#[embassy_executor::task]
async fn net_task(runner: Runner<'static, board::UartRx>) {
    let stopped = runner.run().await; // returns only when the UART input ends or fails
    panic!("the module's input stopped: {stopped}");
}

#[embassy_executor::main]
async fn main(spawner: Spawner) {
    let (tx, rx) = board::init();
    let resources = RESOURCES.init_with(StackResources::new);
    let (net, runner) = stack::new(resources, tx, rx, stack::Config::default());
    let net: &'static Net = NET.init(net);
    spawner.spawn(net_task(runner).expect("net_task is spawned once"));

    net.activate("internet").await.expect("AT+QIACT");

    let mut tcp = net.connect("tcpbin.com", 4242).await.expect("TCP connect");
    tcp.write_all(b"hello\n").await.expect("TCP write");
    let mut echo = [0u8; 6];
    tcp.read_exact(&mut echo).await.expect("TCP read");
    assert_eq!(&echo, b"hello\n");
    tcp.close().await.expect("TCP close");

    let ip = net
        .resolve("example.com", AddrType::IPv4)
        .await
        .expect("DNS");
    assert!(ip.is_ipv4());

    let mut ntp = net
        .connect_udp("pool.ntp.org", 123, 0)
        .await
        .expect("UDP open");
    let mut packet = [0u8; 48];
    packet[0] = 0x1b; // NTP version 3, client
    ntp.send(&packet).await.expect("UDP send");
    let n = ntp.receive(&mut packet).await.expect("UDP receive");
    assert_eq!(n, 48);
    ntp.close().await.expect("UDP close");

    // reqwless connects and resolves through the stack (embedded-nal-async TcpConnect, Dns).
    let mut http = HttpClient::new(net, net);
    let mut buf = [0u8; 4096];
    let url = "http://example.com/";
    let mut request = http.request(Method::GET, url).await.expect("HTTP connect");
    let response = request.send(&mut buf).await.expect("HTTP GET");
    assert!(response.status.is_successful());
    let page = response.body().read_to_end().await.expect("HTTP body");
    assert!(!page.is_empty());
}

//! The host end as the AT clients use it: blocking `embedded_io` and async
//! `embedded_io_async`, whole or split into halves.

use embassy_futures::block_on;
use embassy_futures::join::join;
use qi_sim::transport::duplex;
use qi_sim::Config;

/// Reads until the bytes end with `end` (bounded by the module's answer arriving).
async fn read_until_async(
    r: &mut impl embedded_io_async::Read<Error = std::io::Error>,
    end: &[u8],
) -> Vec<u8> {
    let mut got = Vec::new();
    while !got.ends_with(end) {
        let mut b = [0u8; 64];
        let n = r.read(&mut b).await.unwrap();
        assert!(n > 0, "end of stream");
        got.extend_from_slice(&b[..n]);
    }
    got
}

#[test]
fn async_halves_on_one_thread() {
    let (host, module) = duplex(Config::for_tests());
    let (mut rx, mut tx) = host.split();
    // The reader waits (Pending) while the writer sends; the module's answer wakes it.
    let (got, ()) = block_on(join(read_until_async(&mut rx, b"OK\r\n"), async {
        embedded_io_async::Write::write_all(&mut tx, b"AT+QIACT=1\r")
            .await
            .unwrap();
    }));
    assert_eq!(got, b"\r\nOK\r\n");
    drop((rx, tx));
    module.join();
}

#[test]
fn blocking_embedded_io() {
    let (mut host, module) = duplex(Config::for_tests());
    host.set_read_timeout(Some(std::time::Duration::from_secs(10)));
    embedded_io::Write::write_all(&mut host, b"AT+QISDE?\r").unwrap();
    let mut got = Vec::new();
    while !got.ends_with(b"OK\r\n") {
        let mut b = [0u8; 64];
        let n = embedded_io::Read::read(&mut host, &mut b).unwrap();
        got.extend_from_slice(&b[..n]);
    }
    assert_eq!(got, b"\r\n+QISDE: 0\r\n\r\nOK\r\n");
    assert!(!embedded_io::ReadReady::read_ready(&mut host).unwrap());
    drop(host);
    module.join();
}

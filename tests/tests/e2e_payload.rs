//! 1 MiB of random bytes (every byte value, so CR, LF, NUL, `OK` and `>` inside) to an echo
//! server and back through each access mode, byte-exact (compared by length and FNV-1a hash),
//! with writes and reads cycling through the sizes around every boundary: 0, 1, and each side
//! of the spec's longest `AT+QISEND` (1460) and `AT+QIRD` (1500).

mod e2e_support;

use std::time::Instant;

use e2e_support::*;
use qi_tests::e2e::{boundary_sizes, fnv1a, random_bytes, Wire};
use qi_tests::peers::EchoServer;
use quectel_qi::client::{Client, Error, Link};
use quectel_qi::*;

const MIB: usize = 1 << 20;

fn payload(seed: u64) -> Vec<u8> {
    random_bytes(seed, MIB)
}

/// Fails with the first differing offset when the echo is not the payload.
fn assert_same(mode: &str, sent: &[u8], got: &[u8]) {
    if fnv1a(sent) == fnv1a(got) && sent.len() == got.len() {
        return;
    }
    let at = sent.iter().zip(got).position(|(a, b)| a != b);
    panic!(
        "{mode}: {} bytes sent, {} back, hashes {:016x} / {:016x}, first difference at {at:?}",
        sent.len(),
        got.len(),
        fnv1a(sent),
        fnv1a(got)
    );
}

/// The write sizes in turn; an empty write must be refused without a byte on the wire.
async fn send_cycled<L: Link>(
    c: &mut Client<'_, L>,
    s: ConnectId,
    data: &[u8],
    sent: &mut usize,
    turn: &mut usize,
) -> usize {
    let size = boundary_sizes()[*turn % 6];
    *turn += 1;
    let n = size.min(data.len() - *sent);
    if n == 0 {
        assert!(matches!(c.send(s, &[]).await, Err(Error::Invalid(_))));
        return 0;
    }
    c.send(s, &data[*sent..*sent + n]).await.expect("send");
    *sent += n;
    n
}

/// Buffer access: each write is read back with `AT+QIRD` into buffers of the cycled sizes
/// before the next one, waiting for the module's `recv` URC when it has nothing yet.
async fn buffer_access<L: Link>(c: &mut Client<'_, L>, _w: &Wire) {
    let echo = EchoServer::start().unwrap();
    let data = payload(0x5EED_0001);
    ready(c).await;
    let s = c
        .open(&tcp(id(0), echo.port(), AccessMode::BufferAccess))
        .await
        .unwrap();
    let (mut sent, mut turn, mut read_turn) = (0, 0, 3);
    let mut got = Vec::with_capacity(MIB);
    let mut buf = vec![0u8; usize::from(ReadLength::MAX.get())];
    let start = Instant::now();
    while sent < data.len() {
        send_cycled(c, s, &data, &mut sent, &mut turn).await;
        while got.len() < sent {
            let size = boundary_sizes()[read_turn % 6];
            read_turn += 1;
            if size == 0 {
                assert_eq!(c.read_once(s, &mut []).await, Err(Error::BufferTooSmall));
                continue;
            }
            let k = c.read(s, &mut buf[..size]).await.expect("read");
            got.extend_from_slice(&buf[..k]);
            if k == 0 {
                until(c, "the recv URC", |c| c.socket(s).data_pending).await;
            }
        }
    }
    eprintln!("buffer access: 1 MiB echoed in {:?}", start.elapsed());
    assert_same("buffer access", &data, &got);
    c.close(s).await.unwrap();
}
both_flavours!(buffer_access, config());

/// Direct push: each write's echo arrives in `recv` URCs and is read from the client's push
/// buffer in the cycled sizes before the next write (the buffer holds two full pushes).
async fn direct_push<L: Link>(c: &mut Client<'_, L>, _w: &Wire) {
    let echo = EchoServer::start().unwrap();
    let data = payload(0x5EED_0002);
    ready(c).await;
    let s = c
        .open(&tcp(id(1), echo.port(), AccessMode::DirectPush))
        .await
        .unwrap();
    let (mut sent, mut turn, mut read_turn) = (0, 0, 3);
    let mut got = Vec::with_capacity(MIB);
    let mut buf = vec![0u8; usize::from(ReadLength::MAX.get())];
    let start = Instant::now();
    while sent < data.len() {
        send_cycled(c, s, &data, &mut sent, &mut turn).await;
        while got.len() < sent {
            let size = boundary_sizes()[read_turn % 6];
            read_turn += 1;
            if size == 0 {
                assert_eq!(c.read(s, &mut []).await, Err(Error::BufferTooSmall));
                continue;
            }
            let k = c.read(s, &mut buf[..size]).await.expect("read");
            got.extend_from_slice(&buf[..k]);
            if k == 0 {
                until(c, "pushed data", |c| c.pushed_len(s) > 0).await;
            }
        }
    }
    eprintln!("direct push: 1 MiB echoed in {:?}", start.elapsed());
    assert_same("direct push", &data, &got);
    c.close(s).await.unwrap();
}
both_flavours!(direct_push, config());

/// Transparent mode: the whole payload written raw in the cycled sizes while the echo
/// streams back into the tap, then `+++`.
async fn transparent<L: Link>(c: &mut Client<'_, L>, w: &Wire) {
    let echo = EchoServer::start().unwrap();
    let data = payload(0x5EED_0003);
    ready(c).await;
    let s = c
        .open(&tcp(id(2), echo.port(), AccessMode::Transparent))
        .await
        .unwrap();
    let (mut sent, mut turn) = (0, 0);
    let start = Instant::now();
    while sent < data.len() {
        let n = boundary_sizes()[turn % 6].min(data.len() - sent);
        turn += 1;
        c.write_transparent(&data[sent..sent + n])
            .await
            .expect("write");
        sent += n;
    }
    let got = tapped(w, data.len()).await;
    eprintln!("transparent: 1 MiB echoed in {:?}", start.elapsed());
    assert_same("transparent", &data, &got);
    c.leave_transparent(guard_ms()).await.unwrap();
    c.close(s).await.unwrap();
}
both_flavours!(transparent, config());

// The same megabyte with the module's output cut into random pieces of 1 to 13 bytes.
both_flavours!(split_buffer_access: buffer_access, config(), split_output(11));
both_flavours!(split_direct_push: direct_push, config(), split_output(12));
both_flavours!(split_transparent: transparent, config(), split_output(13));

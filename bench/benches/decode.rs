//! Decode and encode throughput: the generated API against the atat-derive baseline, side by
//! side in one group each (goal: at least 2× the baseline).
//!
//! Decode: a recorded buffer-access session (see `qi_bench::stream`) with text payloads, the
//! part both handle correctly, fed in 64- and 256-byte pieces (UART reads), through a
//! digester and into typed values. Not in larger pieces: atat's default digester looks for
//! `OK` before `ERROR`, so one read holding `ERROR` and a later `OK` is framed wrongly. Encode: the commands of the baseline's
//! subset, each written once per iteration.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use qi_bench::feed::{feed, Baseline, Generated};
use qi_bench::stream::{session, Payload};
use std::hint::black_box;

/// The ingress buffer the crate sizes from the spec (both sides get the same).
const INGRESS: usize = quectel_qi::sizes::INGRESS_BUF_SIZE;

fn decode(c: &mut Criterion) {
    let s = session(8, Payload::Text);
    eprintln!(
        "stream: {} bytes, {} frames ({} responses, {} URCs), {} payload bytes; \
         frames/s = MB/s x {:.1}",
        s.bytes.len(),
        s.frames(),
        s.answers.len(),
        s.urcs,
        s.payload_bytes,
        s.frames() as f64 * 1e6 / s.bytes.len() as f64
    );
    let mut buf = vec![0u8; INGRESS];
    let mut g = c.benchmark_group("decode");
    g.throughput(Throughput::Bytes(s.bytes.len() as u64));
    for chunk in [64, 256] {
        g.bench_function(format!("generated/chunk{chunk}"), |b| {
            b.iter(|| {
                let state = quectel_qi::digest::DigestState::new();
                let mut d = quectel_qi::digest::QiDigester::new(&state);
                let t = feed(&mut d, &mut Generated::default(), &s, chunk, &mut buf);
                assert_eq!(t.failures, 0);
                t
            })
        });
        g.bench_function(format!("generated-atdigester/chunk{chunk}"), |b| {
            b.iter(|| {
                let mut d = atat::AtDigester::<quectel_qi::Urc>::new();
                let t = feed(&mut d, &mut Generated::default(), &s, chunk, &mut buf);
                assert_eq!(t.failures, 0);
                t
            })
        });
        g.bench_function(format!("baseline/chunk{chunk}"), |b| {
            b.iter(|| {
                let mut d = atat::AtDigester::<qi_bench::baseline::Urc>::new();
                let t = feed(&mut d, &mut Baseline::default(), &s, chunk, &mut buf);
                assert_eq!(t.failures, 0);
                t
            })
        });
    }
    g.finish();
}

fn encode(c: &mut Criterion) {
    use atat::heapless::String;
    use atat::AtatCmd;
    use qi_bench::baseline as base;
    use quectel_qi as qi;

    let ctx = qi::ContextId::new_const(1);
    let id = qi::ConnectId::new_const(0);
    let apn = "internet.example";
    let host = "192.0.2.2";
    let ours = (
        qi::qicsgp::Configure {
            context_id: ctx,
            context_type: qi::ContextType::Ipv4,
            apn,
            username: Some("user"),
            password: Some("secret"),
            authentication: Some(qi::Authentication::PapOrChap),
        },
        qi::qiact::Activate { context_id: ctx },
        qi::qiopen::Open {
            context_id: ctx,
            connect_id: id,
            service_type: qi::ServiceType::Tcp,
            host,
            remote_port: qi::Port::new_const(8009),
            local_port: Some(qi::Port::new_const(0)),
            access_mode: Some(qi::AccessMode::BufferAccess),
        },
        qi::qisend::SendFixed {
            connect_id: id,
            send_length: qi::SendLength::MAX,
        },
        qi::qisend::AckQuery { connect_id: id },
        qi::qird::Read {
            connect_id: id,
            read_length: Some(qi::ReadLength::MAX),
        },
        qi::qistate::BySocket { connect_id: id },
        qi::qping::Ping {
            context_id: ctx,
            host,
            timeout: Some(qi::PingTimeout::new_const(4)),
            pingnum: Some(qi::Pingnum::new_const(4)),
        },
        qi::qidnsgip::Resolve {
            context_id: ctx,
            hostname: "example.com",
        },
        qi::qiclose::Close {
            connect_id: id,
            timeout: None,
        },
        qi::qideact::Deactivate { context_id: ctx },
    );
    fn s<const N: usize>(t: &str) -> String<N> {
        String::try_from(t).expect("fits")
    }
    let theirs = (
        base::Configure {
            context_id: 1,
            context_type: 1,
            apn: s(apn),
            username: s("user"),
            password: s("secret"),
            authentication: 3,
        },
        base::Activate { context_id: 1 },
        base::Open {
            context_id: 1,
            connect_id: 0,
            service_type: s("TCP"),
            host: s(host),
            remote_port: 8009,
            local_port: Some(0),
            access_mode: Some(0),
        },
        base::Send {
            connect_id: 0,
            send_length: quectel_qi::SendLength::MAX.get(),
        },
        base::AckQuery {
            connect_id: 0,
            zero: 0,
        },
        base::Read {
            connect_id: 0,
            read_length: quectel_qi::ReadLength::MAX.get(),
        },
        base::StateBySocket {
            query_type: 1,
            connect_id: 0,
        },
        base::Ping {
            context_id: 1,
            host: s(host),
            timeout: Some(4),
            pingnum: Some(4),
        },
        base::Resolve {
            context_id: 1,
            hostname: s("example.com"),
        },
        base::Close { connect_id: 0 },
        base::Deactivate { context_id: 1 },
    );
    const COMMANDS: u64 = 11;
    let mut buf = [0u8; 512];

    let write_ours = |buf: &mut [u8]| {
        let o = &ours;
        o.0.write(buf)
            + o.1.write(buf)
            + o.2.write(buf)
            + o.3.write(buf)
            + o.4.write(buf)
            + o.5.write(buf)
            + o.6.write(buf)
            + o.7.write(buf)
            + o.8.write(buf)
            + o.9.write(buf)
            + o.10.write(buf)
    };
    let write_theirs = |buf: &mut [u8]| {
        let t = &theirs;
        t.0.write(buf)
            + t.1.write(buf)
            + t.2.write(buf)
            + t.3.write(buf)
            + t.4.write(buf)
            + t.5.write(buf)
            + t.6.write(buf)
            + t.7.write(buf)
            + t.8.write(buf)
            + t.9.write(buf)
            + t.10.write(buf)
    };
    // Same bytes on both sides, or the comparison means nothing.
    fn same(a: &impl AtatCmd, b: &impl AtatCmd) {
        let (mut x, mut y) = ([0u8; 512], [0u8; 512]);
        let (n, m) = (a.write(&mut x), b.write(&mut y));
        assert_eq!(
            String::<512>::from_utf8(x[..n].try_into().unwrap()),
            String::<512>::from_utf8(y[..m].try_into().unwrap())
        );
    }
    let (o, t) = (&ours, &theirs);
    same(&o.0, &t.0);
    same(&o.1, &t.1);
    same(&o.2, &t.2);
    same(&o.3, &t.3);
    same(&o.4, &t.4);
    same(&o.5, &t.5);
    same(&o.6, &t.6);
    same(&o.7, &t.7);
    same(&o.8, &t.8);
    same(&o.9, &t.9);
    same(&o.10, &t.10);
    eprintln!(
        "encode: {COMMANDS} commands, {} bytes per iteration",
        write_ours(&mut buf)
    );

    let mut g = c.benchmark_group("encode");
    g.throughput(Throughput::Elements(COMMANDS));
    g.bench_function("generated", |b| b.iter(|| write_ours(black_box(&mut buf))));
    g.bench_function("baseline", |b| b.iter(|| write_theirs(black_box(&mut buf))));
    // The share of ours spent checking the spec's rules before writing.
    g.bench_function("generated-validate-only", |b| {
        b.iter(|| {
            let o = black_box(&ours);
            [
                o.0.validate().is_ok(),
                o.1.validate().is_ok(),
                o.2.validate().is_ok(),
                o.3.validate().is_ok(),
                o.4.validate().is_ok(),
                o.5.validate().is_ok(),
                o.6.validate().is_ok(),
                o.7.validate().is_ok(),
                o.8.validate().is_ok(),
                o.9.validate().is_ok(),
                o.10.validate().is_ok(),
            ]
        })
    });
    g.finish();
}

criterion_group!(benches, decode, encode);
criterion_main!(benches);

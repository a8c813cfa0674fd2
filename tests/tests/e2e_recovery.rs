//! The document's recovery steps as the client's opt-in policy (`client::Recovery`), end to
//! end against the virtual module: failed opens in a row reactivate the context.

mod e2e_support;

use std::net::TcpListener;

use e2e_support::*;
use qi_tests::e2e::Wire;
use quectel_qi::client::{Client, Error, Link, Policy, Recovery};
use quectel_qi::*;

/// A loopback port nothing listens on.
fn dead_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

async fn reactivation_after_failed_opens<L: Link>(c: &mut Client<'_, L>, _w: &Wire) {
    ready(c).await;
    // A server on the same context shows when the context went down.
    let witness = id(1);
    c.open(&server(
        witness,
        ServiceType::TcpListener,
        AccessMode::BufferAccess,
    ))
    .await
    .unwrap();
    let policy = Policy::default();
    assert_eq!(
        policy.failed_opens_before_reactivation,
        qiopen::FAILED_OPENS_BEFORE_REACTIVATION
    );
    let mut r = Recovery::new(policy);
    let refused = tcp(id(0), dead_port(), AccessMode::BufferAccess);
    for n in 1..policy.failed_opens_before_reactivation {
        let e = r.open(c, &refused).await.unwrap_err();
        assert!(matches!(e, Error::Rejected(_)), "{e:?}");
        assert_eq!(r.failed_opens(), n);
        assert!(c.socket_state(witness).await.unwrap().is_some());
    }
    // The last failure in a row: the context goes down and up, and the open is tried once
    // more (refused again: the first failure of a new row).
    assert!(r.open(c, &refused).await.is_err());
    assert_eq!(r.failed_opens(), 1);
    assert_eq!(c.socket_state(witness).await.unwrap(), None);
    assert_eq!(
        c.context_address(CTX).await.unwrap().as_deref(),
        Some("127.0.0.1"),
        "active again"
    );
    // A success ends the row.
    let peer = TcpListener::bind("127.0.0.1:0").unwrap();
    let ok = tcp(
        id(0),
        peer.local_addr().unwrap().port(),
        AccessMode::BufferAccess,
    );
    let socket = r.open(c, &ok).await.unwrap();
    assert_eq!(r.failed_opens(), 0);
    let (mut s, _) = peer.accept().unwrap();
    r.send(c, socket, b"through the policy").await.unwrap();
    let mut got = [0u8; 18];
    std::io::Read::read_exact(&mut s, &mut got).unwrap();
    assert_eq!(&got, b"through the policy");
    c.close(socket).await.unwrap();
}
both_flavours!(reactivation_after_failed_opens, config());

//! The virtual module's network rules beyond the sandbox's defaults: IPv6 reachability, the
//! machine's resolver when allowed (fed a numeric form only it reads, so no name service is
//! asked), and the text of `--name` arguments it refuses.

use qi_sim::Network;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

#[test]
fn ipv6_is_reachable_on_loopback_or_when_any_address_is() {
    let sandbox = Network::sandboxed();
    assert!(sandbox.reachable(IpAddr::V6(Ipv6Addr::LOCALHOST)));
    let doc = IpAddr::V6("2001:db8::1".parse().unwrap());
    assert!(!sandbox.reachable(doc));
    assert!(Network::host().reachable(doc));
    assert!(Network::host().reachable(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1))));
}

#[test]
fn the_host_resolver_answers_what_the_table_does_not() {
    let table_only = Network::sandboxed();
    // `127.1` is not an address to `Ipv4Addr`'s parser, but is one to the C library's.
    assert!(table_only.resolve("127.1").is_empty());
    let with_resolver = Network {
        host_resolver: true,
        ..Network::sandboxed()
    };
    assert_eq!(with_resolver.resolve("127.1"), vec![Ipv4Addr::LOCALHOST]);
    assert_eq!(
        with_resolver.resolve_v4("127.1", 80).unwrap(),
        std::net::SocketAddr::from((Ipv4Addr::LOCALHOST, 80))
    );
}

#[test]
fn name_arguments_that_are_not_name_equals_address_are_refused_with_a_reason() {
    let mut n = Network::sandboxed();
    assert_eq!(
        n.add_name_arg("example.com"),
        Err("`example.com`: expected NAME=IPV4".to_string())
    );
    assert_eq!(
        n.add_name_arg("example.com=somewhere"),
        Err("`example.com=somewhere`: `somewhere` is not an IPv4 address".to_string())
    );
    assert_eq!(
        n.add_name_arg("=192.0.2.1"),
        Err("`=192.0.2.1`: the name is empty".to_string())
    );
    n.add_name_arg("Example.COM=192.0.2.1").unwrap();
    n.add_name_arg("example.com=192.0.2.1").unwrap();
    assert_eq!(n.resolve("example.com"), vec![Ipv4Addr::new(192, 0, 2, 1)]);
}

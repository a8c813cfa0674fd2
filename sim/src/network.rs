//! What the virtual module's network reaches: names resolve from a table (never the host's
//! resolver unless asked), and connections go to loopback and the addresses the configuration
//! allows. Anything else answers as an unreachable host does on a real module: a TCP open
//! fails with `+QIOPEN: <id>,566`, a name not in the table with 565, a ping times out, an NTP
//! request gets no answer, and a datagram to a disallowed address is sent into the void.
//!
//! So tests, fuzzing and CI never touch the machine's network, whatever a command names;
//! `qi sim --allow`, `--name` and `--host-resolver` widen it for a driver that needs the
//! real network.

use std::collections::BTreeMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, ToSocketAddrs};

/// Names and addresses the module's network has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    /// Names and the IPv4 addresses they resolve to (a literal address resolves to itself).
    pub names: BTreeMap<String, Vec<Ipv4Addr>>,
    /// Addresses outside loopback that connections may reach.
    pub allowed: Vec<Ipv4Addr>,
    /// Every address is reachable (the machine's real network).
    pub any_address: bool,
    /// Names not in the table go to the host's resolver.
    pub host_resolver: bool,
}

impl Default for Network {
    /// The sandbox: `localhost` is 127.0.0.1, only loopback is reachable.
    fn default() -> Self {
        Network::sandboxed()
    }
}

impl Network {
    /// The sandbox: `localhost` is 127.0.0.1, only loopback is reachable.
    pub fn sandboxed() -> Self {
        let mut names = BTreeMap::new();
        names.insert("localhost".to_string(), vec![Ipv4Addr::LOCALHOST]);
        Network {
            names,
            allowed: Vec::new(),
            any_address: false,
            host_resolver: false,
        }
    }

    /// The machine's network: the host's resolver and every address.
    pub fn host() -> Self {
        Network {
            any_address: true,
            host_resolver: true,
            ..Network::sandboxed()
        }
    }

    /// Adds a name (or another address for it).
    pub fn with_name(mut self, name: &str, address: Ipv4Addr) -> Self {
        self.add_name(name, address);
        self
    }

    /// Adds a name (or another address for it); names compare without case, as DNS does.
    pub fn add_name(&mut self, name: &str, address: Ipv4Addr) {
        let entry = self.names.entry(name.to_ascii_lowercase()).or_default();
        if !entry.contains(&address) {
            entry.push(address);
        }
    }

    /// Lets connections reach `address` besides loopback.
    pub fn allow(mut self, address: Ipv4Addr) -> Self {
        self.allowed.push(address);
        self
    }

    /// Whether a connection to `ip` leaves the module (loopback always does).
    pub fn reachable(&self, ip: IpAddr) -> bool {
        match ip {
            IpAddr::V4(v4) => self.any_address || v4.is_loopback() || self.allowed.contains(&v4),
            IpAddr::V6(v6) => self.any_address || v6.is_loopback(),
        }
    }

    /// The IPv4 addresses of `host`: a literal address, a name of the table, or (when
    /// allowed) what the host's resolver says. Empty when the name does not resolve.
    pub fn resolve(&self, host: &str) -> Vec<Ipv4Addr> {
        if let Ok(ip) = host.parse::<Ipv4Addr>() {
            return vec![ip];
        }
        if let Some(v) = self.names.get(&host.to_ascii_lowercase()) {
            return v.clone();
        }
        if !self.host_resolver {
            return Vec::new();
        }
        let mut found: Vec<Ipv4Addr> = (host, 0)
            .to_socket_addrs()
            .map(|it| {
                it.filter_map(|a| match a.ip() {
                    IpAddr::V4(v4) => Some(v4),
                    IpAddr::V6(_) => None,
                })
                .collect()
            })
            .unwrap_or_default();
        found.dedup();
        found
    }

    /// The first IPv4 address of `host` with `port`; `NotFound` when it does not resolve.
    pub fn resolve_v4(&self, host: &str, port: u16) -> io::Result<SocketAddr> {
        self.resolve(host)
            .first()
            .map(|ip| SocketAddr::from((*ip, port)))
            .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no IPv4 address"))
    }

    /// Parses `NAME=IPV4` (the argument of `qi sim --name`) into the table.
    pub fn add_name_arg(&mut self, arg: &str) -> Result<(), String> {
        let (name, ip) = arg
            .split_once('=')
            .ok_or_else(|| format!("`{arg}`: expected NAME=IPV4"))?;
        let ip: Ipv4Addr = ip
            .parse()
            .map_err(|_| format!("`{arg}`: `{ip}` is not an IPv4 address"))?;
        if name.is_empty() {
            return Err(format!("`{arg}`: the name is empty"));
        }
        self.add_name(name, ip);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sandbox_knows_localhost_and_reaches_loopback_only() {
        let n = Network::sandboxed();
        assert_eq!(n.resolve("localhost"), vec![Ipv4Addr::LOCALHOST]);
        assert_eq!(n.resolve("LocalHost"), vec![Ipv4Addr::LOCALHOST]);
        assert!(n.resolve("example.com").is_empty());
        assert_eq!(n.resolve("192.0.2.7"), vec![Ipv4Addr::new(192, 0, 2, 7)]);
        assert!(n.reachable(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 9))));
        assert!(!n.reachable(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7))));
        assert_eq!(
            n.resolve_v4("nowhere.invalid", 80).unwrap_err().kind(),
            io::ErrorKind::NotFound
        );
    }

    #[test]
    fn names_and_addresses_can_be_added() {
        let mut n = Network::sandboxed().allow(Ipv4Addr::new(192, 0, 2, 7));
        n.add_name_arg("echo.test=192.0.2.7").unwrap();
        n.add_name_arg("echo.test=192.0.2.7").unwrap();
        assert_eq!(n.resolve("echo.test"), vec![Ipv4Addr::new(192, 0, 2, 7)]);
        assert!(n.reachable(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7))));
        for bad in ["echo.test", "=1.2.3.4", "a=b", "a=::1"] {
            assert!(n.add_name_arg(bad).is_err(), "{bad}");
        }
        assert!(Network::host().reachable(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 7))));
    }
}

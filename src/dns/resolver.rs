//! The [`Resolver`] seam: what `resolve` needs (a host's addresses, an
//! address's name), with two backends behind it.
//!
//! - [`SystemResolver`] is the original's: forward lookups through the
//!   system (std's `ToSocketAddrs`, which calls `getaddrinfo`, so
//!   `/etc/hosts`, DNS, and whatever else the system is set up for); std
//!   has no reverse lookup, so that one reads `/etc/hosts` and then asks
//!   the first nameserver of `/etc/resolv.conf` with our stub.
//! - [`StubResolver`] asks a DNS server we name (a mock on 127.0.0.1 in
//!   tests, dnsmasq by hand) and nothing else.
//!
//! The two files are parsed by pure functions over `&str`.

use std::io::{self, Write};
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::time::Duration;

use super::DnsError;
use super::message::RecordType;
use super::name::Name;
use super::stub::{self, Config};

/// Which addresses a forward lookup wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// IPv4 only, as `gethostbyname`.
    V4,
    /// IPv6 only.
    V6,
    /// Both, IPv4 first.
    Any,
}

impl Family {
    fn admits(self, addr: IpAddr) -> bool {
        match self {
            Family::V4 => addr.is_ipv4(),
            Family::V6 => addr.is_ipv6(),
            Family::Any => true,
        }
    }
}

// ANCHOR: resolver_trait
/// Names to addresses and back: `gethostbyname` and `gethostbyaddr`.
pub trait Resolver {
    /// The addresses of `host` of the given family, at least one. An
    /// address given as `host` is its own answer, whatever its family.
    ///
    /// # Errors
    /// Why there is none.
    fn addresses(
        &self,
        host: &str,
        family: Family,
    ) -> Result<Vec<IpAddr>, DnsError>;

    /// The (first) name of `addr`.
    ///
    /// # Errors
    /// Why there is none.
    fn name_of(&self, addr: IpAddr) -> Result<Name, DnsError>;
}
// ANCHOR_END: resolver_trait

/// A host as a user gives it.
enum Host {
    /// An address: its own answer, as for `gethostbyname`, whatever the
    /// family asked for (the user chose it).
    Address(IpAddr),
    /// A name, within the limits of RFC 1035 §2.3.4.
    Name(Name),
}

impl Host {
    fn parse(host: &str) -> Result<Host, DnsError> {
        match host.parse() {
            Ok(addr) => Ok(Host::Address(addr)),
            Err(_) => Name::parse(host).map(Host::Name),
        }
    }
}

/// Our stub, asking one server.
#[derive(Debug, Clone)]
pub struct StubResolver {
    config: Config,
}

impl StubResolver {
    /// Asks the server of `config`.
    pub fn new(config: Config) -> StubResolver {
        StubResolver { config }
    }
}

impl Resolver for StubResolver {
    fn addresses(
        &self,
        host: &str,
        family: Family,
    ) -> Result<Vec<IpAddr>, DnsError> {
        let name = match Host::parse(host)? {
            Host::Address(addr) => return Ok(vec![addr]),
            Host::Name(name) => name,
        };
        let ask = |rtype| stub::addresses(&self.config, &name, rtype);
        match family {
            Family::V4 => ask(RecordType::A),
            Family::V6 => ask(RecordType::Aaaa),
            Family::Any => {
                let v4 = ask(RecordType::A);
                // No such name, or a server that did not answer in the
                // whole deadline: asking again for AAAA would only double
                // the wait (the lookup's `--timeout` would become twice
                // that) for the same answer.
                if matches!(v4, Err(DnsError::NxDomain | DnsError::Timeout(_)))
                {
                    return v4;
                }
                match (v4, ask(RecordType::Aaaa)) {
                    (Ok(mut v4), Ok(v6)) => {
                        v4.extend(v6);
                        Ok(v4)
                    }
                    (Ok(found), Err(_)) | (Err(_), Ok(found)) => Ok(found),
                    (Err(e), Err(_)) => Err(e),
                }
            }
        }
    }

    fn name_of(&self, addr: IpAddr) -> Result<Name, DnsError> {
        let names = stub::names_of(&self.config, addr)?;
        names
            .into_iter()
            .next()
            .ok_or(DnsError::NoData(RecordType::Ptr))
    }
}

/// The system's resolver for forward lookups; `/etc/hosts`, then DNS to
/// the first nameserver of `/etc/resolv.conf`, for reverse ones.
#[derive(Debug, Clone)]
pub struct SystemResolver {
    /// The hosts file, `/etc/hosts`.
    pub hosts: PathBuf,
    /// The resolver's configuration, `/etc/resolv.conf`.
    pub resolv_conf: PathBuf,
    /// The deadline of a PTR query.
    pub timeout: Duration,
}

impl Default for SystemResolver {
    fn default() -> Self {
        SystemResolver {
            hosts: PathBuf::from("/etc/hosts"),
            resolv_conf: PathBuf::from("/etc/resolv.conf"),
            timeout: stub::DEFAULT_TIMEOUT,
        }
    }
}

impl Resolver for SystemResolver {
    fn addresses(
        &self,
        host: &str,
        family: Family,
    ) -> Result<Vec<IpAddr>, DnsError> {
        if let Host::Address(addr) = Host::parse(host)? {
            return Ok(vec![addr]);
        }
        // Port 0: we only want the addresses.
        let found = (host, 0)
            .to_socket_addrs()
            .map_err(|e| DnsError::System(e.to_string()))?;
        let mut addrs: Vec<IpAddr> = Vec::new();
        for addr in found.map(|a| a.ip()) {
            if !addrs.contains(&addr) {
                addrs.push(addr); // getaddrinfo repeats them per socket type
            }
        }
        only(family, addrs)
    }

    fn name_of(&self, addr: IpAddr) -> Result<Name, DnsError> {
        let hosts = std::fs::read_to_string(&self.hosts).unwrap_or_default();
        if let Some(name) = hosts_name_of(&hosts, addr) {
            return Name::parse(name);
        }
        let resolv_conf =
            std::fs::read_to_string(&self.resolv_conf).unwrap_or_default();
        let server = nameservers(&resolv_conf).into_iter().next();
        let server = server.ok_or(DnsError::NoNameserver)?;
        let config = Config {
            timeout: self.timeout,
            ..Config::new(SocketAddr::new(server, 53))
        };
        StubResolver::new(config).name_of(addr)
    }
}

// ANCHOR: get_ip_and_name
/// The original's `getIPandName`: prints `ip[HOST]=ADDR`, then
/// `name[ADDR]=NAME`, each with the error text in place of the answer
/// when the lookup fails (a failed forward lookup ends the host). Only
/// the first address of `family`, as `gethostbyname` gives; with
/// [`Family::Any`] (`--all`), one `ip` line per address, then one `name`
/// line each.
/// Returns true when every lookup succeeded.
///
/// # Errors
/// Only when `out` fails.
pub fn get_ip_and_name(
    resolver: &dyn Resolver,
    host: &str,
    family: Family,
    out: &mut impl Write,
) -> io::Result<bool> {
    let mut addrs = match resolver.addresses(host, family) {
        Ok(addrs) => addrs,
        Err(e) => {
            writeln!(out, "ip[{host}]={e}")?;
            return Ok(false);
        }
    };
    if family != Family::Any {
        addrs.truncate(1);
    }
    for addr in &addrs {
        writeln!(out, "ip[{host}]={addr}")?;
    }
    let mut all_named = true;
    for &addr in &addrs {
        match resolver.name_of(addr) {
            Ok(name) => writeln!(out, "name[{addr}]={name}")?,
            Err(e) => {
                writeln!(out, "name[{addr}]={e}")?;
                all_named = false;
            }
        }
    }
    Ok(all_named)
}
// ANCHOR_END: get_ip_and_name

/// The addresses of `family` among `addrs`, IPv4 first for `Any`; an
/// error if none is left.
fn only(family: Family, addrs: Vec<IpAddr>) -> Result<Vec<IpAddr>, DnsError> {
    let (mut v4, v6): (Vec<IpAddr>, Vec<IpAddr>) = addrs
        .into_iter()
        .filter(|a| family.admits(*a))
        .partition(IpAddr::is_ipv4);
    v4.extend(v6);
    if v4.is_empty() {
        let rtype = match family {
            Family::V6 => RecordType::Aaaa,
            Family::V4 | Family::Any => RecordType::A,
        };
        return Err(DnsError::NoData(rtype));
    }
    Ok(v4)
}

// ANCHOR: hosts_name_of
/// The name `/etc/hosts` gives `addr`: the first name (the canonical
/// one) of the first line with that address, as `gethostbyaddr` reads
/// it. Lines are `ADDRESS NAME [ALIAS...]`; `#` starts a comment.
pub fn hosts_name_of(hosts: &str, addr: IpAddr) -> Option<&str> {
    hosts.lines().find_map(|line| {
        let line = line.split('#').next().unwrap_or_default();
        let mut fields = line.split_whitespace();
        let line_addr: IpAddr = fields.next()?.parse().ok()?;
        (line_addr == addr).then(|| fields.next()).flatten()
    })
}
// ANCHOR_END: hosts_name_of

/// The nameservers of a `resolv.conf`, in order: its `nameserver ADDRESS`
/// lines (`#` and `;` start comments). An address with a zone
/// (`fe80::1%eth0`) is skipped: std's `IpAddr` has no zone.
pub fn nameservers(resolv_conf: &str) -> Vec<IpAddr> {
    resolv_conf
        .lines()
        .filter_map(|line| {
            let line = line.split(['#', ';']).next().unwrap_or_default();
            let mut fields = line.split_whitespace();
            (fields.next()? == "nameserver").then_some(())?;
            fields.next()?.parse().ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTS: &str = "\
# comment line
127.0.0.1 localhost
127.0.0.1 runsc   # a second name for the same address
::1       localhost ip6-localhost ip6-loopback
192.0.2.7\texample.test www # tab-separated
not-an-address something
";

    #[test]
    fn hosts_gives_the_first_name_of_the_first_line() {
        let name = |ip: &str| hosts_name_of(HOSTS, ip.parse().unwrap());
        assert_eq!(name("127.0.0.1"), Some("localhost"));
        assert_eq!(name("::1"), Some("localhost"));
        assert_eq!(name("192.0.2.7"), Some("example.test"));
        assert_eq!(name("192.0.2.8"), None);
    }

    #[test]
    fn resolv_conf_lists_nameservers_in_order() {
        let conf = "\
; comment
search example.test
nameserver 10.255.255.53
nameserver   ::1 # local
nameserver fe80::1%eth0
nameserver
options ndots:1
";
        let expected: Vec<IpAddr> =
            vec!["10.255.255.53".parse().unwrap(), "::1".parse().unwrap()];
        assert_eq!(nameservers(conf), expected);
        assert!(nameservers("").is_empty());
    }

    #[test]
    fn family_filters_and_orders_ipv4_first() {
        let addrs: Vec<IpAddr> =
            vec!["::1".parse().unwrap(), "127.0.0.1".parse().unwrap()];
        assert_eq!(only(Family::Any, addrs.clone()).unwrap()[0], addrs[1]);
        assert_eq!(only(Family::V6, addrs.clone()), Ok(vec![addrs[0]]));
        let v6 = vec![addrs[0]];
        assert_eq!(only(Family::V4, v6), Err(DnsError::NoData(RecordType::A)));
    }

    /// The system resolver on `localhost`: /etc/hosts, no network. No
    /// resolv.conf, so that if /etc/hosts lacked the name the test fails
    /// rather than ask the machine's nameserver.
    #[test]
    fn the_system_finds_localhost_and_its_name() {
        let system = SystemResolver {
            resolv_conf: PathBuf::from("/nonexistent/resolv.conf"),
            ..SystemResolver::default()
        };
        let v4 = system.addresses("localhost", Family::V4).unwrap();
        assert_eq!(v4[0], IpAddr::from([127, 0, 0, 1]));
        let name = system.name_of(v4[0]).unwrap();
        assert_eq!(name.to_string(), "localhost");
    }

    /// A name refused before anything is asked (RFC 1035 §2.3.4).
    #[test]
    fn bad_names_are_refused_before_any_lookup() {
        let system = SystemResolver::default();
        assert_eq!(system.addresses("", Family::V4), Err(DnsError::EmptyName));
        assert_eq!(
            system.addresses("a..b", Family::V4),
            Err(DnsError::EmptyLabel)
        );
    }
}

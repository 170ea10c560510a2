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

use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::time::Duration;

use super::LookupError;
use super::message::{RecordData, RecordType};
use super::name::{Name, NameError};
use super::reverse::reverse_name;
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
    ) -> Result<Vec<IpAddr>, LookupError>;

    /// The (first) name of `addr`.
    ///
    /// # Errors
    /// Why there is none.
    fn name_of(&self, addr: IpAddr) -> Result<Name, LookupError>;
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
    fn parse(host: &str) -> Result<Host, NameError> {
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

    /// The addresses in the A or AAAA records (as `rtype` says) of
    /// `name`.
    fn ask(
        &self,
        name: &Name,
        rtype: RecordType,
    ) -> Result<Vec<IpAddr>, LookupError> {
        let records = stub::lookup(&self.config, name, rtype)?;
        let address = |data| match data {
            RecordData::A(v4) => Some(IpAddr::V4(v4)),
            RecordData::Aaaa(v6) => Some(IpAddr::V6(v6)),
            _ => None,
        };
        Ok(records.into_iter().filter_map(address).collect())
    }
}

impl Resolver for StubResolver {
    fn addresses(
        &self,
        host: &str,
        family: Family,
    ) -> Result<Vec<IpAddr>, LookupError> {
        let name = match Host::parse(host)? {
            Host::Address(addr) => return Ok(vec![addr]),
            Host::Name(name) => name,
        };
        let ask = |rtype| self.ask(&name, rtype);
        match family {
            Family::V4 => ask(RecordType::A),
            Family::V6 => ask(RecordType::Aaaa),
            Family::Any => {
                let v4 = ask(RecordType::A);
                // No such name, or a server that did not answer in the
                // whole deadline: asking again for AAAA would only double
                // the wait (the lookup's `--timeout` would become twice
                // that) for the same answer.
                if let Err(LookupError::NxDomain | LookupError::Timeout(_)) = v4
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

    /// The first name of the PTR records of `addr`'s reverse name.
    fn name_of(&self, addr: IpAddr) -> Result<Name, LookupError> {
        let question = reverse_name(addr)?;
        let records = stub::lookup(&self.config, &question, RecordType::Ptr)?;
        let first = records.into_iter().find_map(|data| match data {
            RecordData::Ptr(name) => Some(name),
            _ => None,
        });
        first.ok_or(LookupError::NoData(RecordType::Ptr))
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
    ) -> Result<Vec<IpAddr>, LookupError> {
        if let Host::Address(addr) = Host::parse(host)? {
            return Ok(vec![addr]);
        }
        // Port 0: we only want the addresses.
        let found = (host, 0)
            .to_socket_addrs()
            .map_err(|e| LookupError::System(e.to_string()))?;
        let mut addrs: Vec<IpAddr> = Vec::new();
        for addr in found.map(|a| a.ip()) {
            if !addrs.contains(&addr) {
                addrs.push(addr); // getaddrinfo repeats them per socket type
            }
        }
        only(family, addrs)
    }

    // ANCHOR: system_name_of
    fn name_of(&self, addr: IpAddr) -> Result<Name, LookupError> {
        let hosts = std::fs::read_to_string(&self.hosts).unwrap_or_default();
        if let Some(name) = hosts_name_of(&hosts, addr) {
            return Ok(Name::parse(name)?);
        }
        let resolv_conf =
            std::fs::read_to_string(&self.resolv_conf).unwrap_or_default();
        let server = nameservers(&resolv_conf).into_iter().next();
        let server = server.ok_or(LookupError::NoNameserver)?;
        let config = Config {
            timeout: self.timeout,
            ..Config::new(SocketAddr::new(server, 53))
        };
        StubResolver::new(config).name_of(addr)
    }
    // ANCHOR_END: system_name_of
}

/// The addresses of `family` among `addrs`, IPv4 first for `Any`; an
/// error if none is left.
fn only(
    family: Family,
    addrs: Vec<IpAddr>,
) -> Result<Vec<IpAddr>, LookupError> {
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
        return Err(LookupError::NoData(rtype));
    }
    Ok(v4)
}

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
        let no_data = LookupError::NoData(RecordType::A);
        assert_eq!(only(Family::V4, v6), Err(no_data));
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
        let empty = system.addresses("", Family::V4);
        assert_eq!(empty, Err(NameError::Empty.into()));
        let empty_label = system.addresses("a..b", Family::V4);
        assert_eq!(empty_label, Err(NameError::EmptyLabel.into()));
    }
}

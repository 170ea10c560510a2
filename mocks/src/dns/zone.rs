//! The mock's data and how a question is answered from it, without any
//! sockets: the part worth reading to see what an authoritative server
//! decides.

use super::Rcode;
use super::wire::{self, Name, Rdata, TYPE_ANY, TYPE_CNAME};
use std::collections::{HashMap, HashSet};
use std::net::IpAddr;

/// At most this many records go into one answer (matrix row D20): a zone
/// with a million addresses for one name still gets a bounded reply.
pub const MAX_ANSWERS: usize = 100;

/// At most this many CNAMEs are followed for one question. Real chains
/// are one or two long; a loop (`a -> b -> a`) stops at the first repeat.
pub const MAX_CNAME_HOPS: usize = 16;

/// Every name the mock knows, with its records and scripted rcodes.
/// Keys are lowercased wire-form names, so lookups ignore case.
#[derive(Debug, Default, Clone)]
pub struct Zone {
    records: HashMap<Vec<u8>, Vec<Rdata>>,
    rcodes: HashMap<Vec<u8>, Rcode>,
    /// Reverse names whose PTR was made automatically from an address,
    /// so an explicit PTR can replace it.
    auto_ptr: HashSet<Vec<u8>>,
}

/// What the zone says about one question: the rcode and the answer
/// records, each with its owner name (wire form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The response code.
    pub rcode: Rcode,
    /// `(owner, data)` in answer order: CNAMEs first, as the chain goes.
    pub records: Vec<(Vec<u8>, Rdata)>,
}

impl Zone {
    /// Adds an A or AAAA record, and a PTR back to `name` unless the
    /// address already has one.
    pub fn address(&mut self, name: Name, addr: IpAddr) {
        let reverse = parse_reverse(addr);
        let rkey = reverse.key();
        if !self.records.contains_key(&rkey) {
            self.auto_ptr.insert(rkey.clone());
            self.records
                .entry(rkey)
                .or_default()
                .push(Rdata::Ptr(name.clone()));
        }
        self.add(&name, Rdata::address(addr));
    }

    /// Adds an explicit PTR; the first one for an address replaces the
    /// automatic one.
    pub fn ptr(&mut self, addr: IpAddr, target: Name) {
        let rkey = parse_reverse(addr).key();
        if self.auto_ptr.remove(&rkey)
            && let Some(data) = self.records.get_mut(&rkey)
        {
            data.retain(|d| !matches!(d, Rdata::Ptr(_)));
        }
        self.records
            .entry(rkey)
            .or_default()
            .push(Rdata::Ptr(target));
    }

    /// Adds a record of any kind at `owner`.
    pub fn add(&mut self, owner: &Name, data: Rdata) {
        self.records.entry(owner.key()).or_default().push(data);
    }

    /// Makes every question about `name` get `rcode` (and no records).
    pub fn rcode(&mut self, name: &Name, rcode: Rcode) {
        self.rcodes.insert(name.key(), rcode);
    }

    /// Answers a question of type `qtype` about `qname` (wire form).
    ///
    /// * A scripted rcode wins.
    /// * An unknown name is NXDOMAIN (RFC 1035 §4.1.1, "name error").
    /// * A name with a CNAME is an alias: the answer holds the CNAME, then
    ///   whatever the target has (RFC 1034 §3.6.2, §4.3.2), unless the
    ///   question asks for the CNAME itself.
    /// * A known name without records of the asked type gets NOERROR and
    ///   no records: "no data" (RFC 2308 §2.2).
    pub fn answer(&self, qname: &[u8], qtype: u16) -> Answer {
        let mut records = Vec::new();
        let mut name = qname.to_vec();
        let mut visited = vec![wire::key(&name)];
        for _ in 0..=MAX_CNAME_HOPS {
            let key = wire::key(&name);
            if let Some(&rcode) = self.rcodes.get(&key) {
                return Answer { rcode, records };
            }
            let Some(data) = self.records.get(&key) else {
                return Answer {
                    rcode: Rcode::NxDomain,
                    records,
                };
            };
            let alias = data.iter().find_map(|d| match d {
                Rdata::Cname(target) if qtype != TYPE_CNAME => Some(target),
                _ => None,
            });
            if let Some(target) = alias {
                records.push((name, Rdata::Cname(target.clone())));
                if visited.contains(&target.key()) {
                    break; // a loop: hand it over as it is
                }
                visited.push(target.key());
                name = target.wire().to_vec();
                continue;
            }
            let matching = data
                .iter()
                .filter(|d| qtype == TYPE_ANY || d.rtype() == qtype);
            for d in matching.take(MAX_ANSWERS.saturating_sub(records.len())) {
                records.push((name.clone(), d.clone()));
            }
            break;
        }
        Answer {
            rcode: Rcode::NoError,
            records,
        }
    }

    /// Whether the zone has PTR data for the reverse name of `addr`.
    #[cfg(test)]
    fn has_ptr(&self, addr: IpAddr) -> bool {
        let key = parse_reverse(addr).key();
        self.records
            .get(&key)
            .is_some_and(|d| d.iter().any(|r| r.rtype() == wire::TYPE_PTR))
    }
}

/// The reverse name of an address, as a [`Name`]. Always valid.
fn parse_reverse(addr: IpAddr) -> Name {
    Name::parse(&wire::reverse_name(addr)).expect("reverse names are short")
}

/// One line of a hosts file: an address and the names it goes by, the
/// first being the canonical one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostsLine {
    /// The address.
    pub addr: IpAddr,
    /// The names, canonical first.
    pub names: Vec<String>,
}

/// Parses the `number`th line of a hosts file (`hosts(5)`):
/// `ADDRESS NAME [ALIAS...]`, `#` starting a comment; `None` for a line
/// that is blank or only a comment.
///
/// # Errors
/// `line N: ...` if the address does not parse or no name follows it.
pub fn parse_hosts_line(
    number: usize,
    line: &str,
) -> Result<Option<HostsLine>, String> {
    let line = line.split('#').next().unwrap_or("");
    let mut words = line.split_whitespace();
    let Some(addr) = words.next() else {
        return Ok(None);
    };
    let addr = addr
        .parse()
        .map_err(|_| format!("line {number}: {addr:?} is not an IP address"))?;
    let names: Vec<String> = words.map(str::to_owned).collect();
    if names.is_empty() {
        return Err(format!("line {number}: {addr} has no name"));
    }
    Ok(Some(HostsLine { addr, names }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::wire::{TYPE_A, TYPE_AAAA, TYPE_PTR};

    fn name(text: &str) -> Name {
        Name::parse(text).unwrap()
    }

    fn zone() -> Zone {
        let mut z = Zone::default();
        z.address(name("Example.Test"), "192.0.2.7".parse().unwrap());
        z.address(name("example.test"), "2001:db8::1".parse().unwrap());
        z.add(&name("www.test"), Rdata::Cname(name("example.test")));
        z
    }

    #[test]
    fn names_are_case_insensitive() {
        let a = zone().answer(name("EXAMPLE.test.").wire(), TYPE_A);
        assert_eq!(a.rcode, Rcode::NoError);
        assert_eq!(a.records.len(), 1);
    }

    #[test]
    fn unknown_is_nxdomain_and_known_without_type_is_nodata() {
        let z = zone();
        assert_eq!(
            z.answer(name("nope.test").wire(), TYPE_A).rcode,
            Rcode::NxDomain
        );
        let nodata = z.answer(name("example.test").wire(), TYPE_PTR);
        assert_eq!((nodata.rcode, nodata.records.len()), (Rcode::NoError, 0));
    }

    #[test]
    fn cname_comes_first_then_the_target() {
        let a = zone().answer(name("www.test").wire(), TYPE_AAAA);
        let types: Vec<u16> =
            a.records.iter().map(|(_, d)| d.rtype()).collect();
        assert_eq!(types, [TYPE_CNAME, TYPE_AAAA]);
        assert_eq!(a.records[1].0, name("example.test").wire());
    }

    #[test]
    fn a_cname_loop_ends() {
        let mut z = Zone::default();
        z.add(&name("a.test"), Rdata::Cname(name("b.test")));
        z.add(&name("b.test"), Rdata::Cname(name("a.test")));
        let a = z.answer(name("a.test").wire(), TYPE_A);
        assert_eq!((a.rcode, a.records.len()), (Rcode::NoError, 2));
    }

    #[test]
    fn explicit_ptr_replaces_the_automatic_one() {
        let mut z = zone();
        let addr: IpAddr = "192.0.2.7".parse().unwrap();
        assert!(z.has_ptr(addr));
        z.ptr(addr, name("other.test"));
        let key = parse_reverse(addr);
        let a = z.answer(key.wire(), TYPE_PTR);
        assert_eq!(
            a.records,
            [(key.wire().to_vec(), Rdata::Ptr(name("other.test")))]
        );
    }

    #[test]
    fn answers_are_capped() {
        let mut z = Zone::default();
        for i in 0..1000u32 {
            z.address(name("many.test"), IpAddr::from(i.to_be_bytes()));
        }
        assert_eq!(
            z.answer(name("many.test").wire(), TYPE_A).records.len(),
            MAX_ANSWERS
        );
    }

    #[test]
    fn hosts_lines_parse() {
        let line = parse_hosts_line(2, "127.0.0.1 localhost foo # trailing");
        let line = line.unwrap().unwrap();
        assert_eq!(line.addr, IpAddr::from([127, 0, 0, 1]));
        assert_eq!(line.names, ["localhost", "foo"]);
        for blank in ["", "   \t", "# comment", "  # 10.0.0.1 x"] {
            assert_eq!(parse_hosts_line(1, blank), Ok(None), "{blank:?}");
        }
        let bad_addr = parse_hosts_line(1, "300.1.1.1 x").unwrap_err();
        assert!(bad_addr.starts_with("line 1:"), "{bad_addr}");
        let no_name = parse_hosts_line(2, "10.0.0.1\n").unwrap_err();
        assert!(no_name.starts_with("line 2:"), "{no_name}");
    }
}

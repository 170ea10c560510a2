//! inet_01's minimal port, `examples/inet_01_names.rs`. No test reaches
//! a nameserver: each asks only for names the system answers alone
//! (`localhost` from /etc/hosts, numeric addresses, the empty string).

use std::fs;

use super::harness::{Fault, run};

const NAME: &str = "inet_01_names";

// ANCHOR: faults
/// What breaks the minimal port of inet_01.
pub const FAULTS: &[Fault] = &[
    Fault {
        name: "EmptyName",
        staged_by: "the host \"\"",
        breaks: "Python's gethostbyname takes \"\" for 0.0.0.0, \"any \
                 address\", and the program prints it as the answer, then \
                 looks for its name",
        test: "an_empty_name_is_taken_for_the_any_address",
    },
    Fault {
        name: "Ipv6Only",
        staged_by: "the host ::1",
        breaks: "gethostbyname knows IPv4 only: a name with IPv6 \
                 addresses alone has no address for it",
        test: "an_ipv6_address_has_no_ipv4_address",
    },
    Fault {
        name: "NameOnlyInDns",
        staged_by: "the address 192.0.2.1 (in no /etc/hosts)",
        breaks: "std has no reverse lookup, so the port reads /etc/hosts \
                 only; the original would ask DNS for a PTR record",
        test: "a_name_only_dns_knows_is_unknown",
    },
    Fault {
        name: "FailureExitsZero",
        staged_by: "a lookup that fails (::1)",
        breaks: "the program exits 0 whatever happened: a script cannot \
                 tell a failed lookup",
        test: "a_failed_lookup_still_exits_0",
    },
];
// ANCHOR_END: faults

/// The name /etc/hosts gives `ip`, as gethostbyaddr reads the file:
/// the first name of the first line for that address.
fn hosts_name(ip: &str) -> Option<String> {
    let hosts = fs::read_to_string("/etc/hosts").unwrap_or_default();
    hosts.lines().find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        match fields.as_slice() {
            [address, name, ..] if *address == ip => Some(name.to_string()),
            _ => None,
        }
    })
}

/// What the port says for the name of `ip`.
fn name_line(ip: &str) -> String {
    let name = hosts_name(ip).unwrap_or("Unknown host".to_string());
    format!("name[{ip}]={name}")
}

#[test]
fn names_and_addresses_resolve_as_the_original_prints_them() {
    let out = run(NAME, &["localhost", "127.0.0.1"]);
    let expected = format!(
        "ip[localhost]=127.0.0.1\n{}\nip[127.0.0.1]=127.0.0.1\n{}\n",
        name_line("127.0.0.1"),
        name_line("127.0.0.1"),
    );
    assert_eq!(out.stdout, expected);
    assert_eq!(out.status, Some(0));
}

#[test]
fn an_empty_name_is_taken_for_the_any_address() {
    let out = run(NAME, &[""]);
    let expected = format!("ip[]=0.0.0.0\n{}\n", name_line("0.0.0.0"));
    assert_eq!(out.stdout, expected);
}

#[test]
fn an_ipv6_address_has_no_ipv4_address() {
    let out = run(NAME, &["::1"]);
    let error = "Address family for hostname not supported";
    assert_eq!(out.stdout, format!("ip[::1]={error}\n"));
}

#[test]
fn a_name_only_dns_knows_is_unknown() {
    // 192.0.2.0/24 is for documentation (RFC 5737): in no hosts file.
    assert_eq!(hosts_name("192.0.2.1"), None);
    let out = run(NAME, &["192.0.2.1"]);
    let expected = "ip[192.0.2.1]=192.0.2.1\nname[192.0.2.1]=Unknown host\n";
    assert_eq!(out.stdout, expected);
}

#[test]
fn a_failed_lookup_still_exits_0() {
    let out = run(NAME, &["::1", "::1"]);
    assert_eq!(out.stdout.lines().count(), 2, "{}", out.stdout);
    assert_eq!(out.status, Some(0));
}

//! inet_01.py, the minimal port: for each host, its IPv4 address, then
//! the name of that address.
//!
//! ```text
//! cargo run --example inet_01_names -- [HOST...]
//! ```
//!
//! With no HOST, the original's list (its names need the Internet).
//!
//! std can look a name up (`ToSocketAddrs`, getaddrinfo underneath) but
//! has no reverse lookup: no `gethostbyaddr`. This port does what plain
//! std can: it reads `/etc/hosts`, the first place `gethostbyaddr` looks.
//! Asking DNS for the name (a PTR query) takes a DNS client of our own:
//! that gap is why the robust port, `resolve` (bin/resolve/main.rs), has one
//! (src/dns/). Its lesson: lessons/01-names.md.

use std::env;
use std::fs;
use std::net::{IpAddr, ToSocketAddrs};

/// The original's HOTES (line 26).
const HOSTS: [&str; 6] = [
    "istia.univ-angers.fr",
    "www.univ-angers.fr",
    "www.ibm.com",
    "localhost",
    "",
    "xx",
];

fn main() {
    let args: Vec<String> = env::args().skip(1).collect();
    let hosts: Vec<&str> = if args.is_empty() {
        HOSTS.to_vec()
    } else {
        args.iter().map(String::as_str).collect()
    };
    // Lines 29-30. The original always exits 0 (sys.exit()), so do we.
    for host in hosts {
        get_ip_and_name(host);
    }
}

// ANCHOR: get_ip_and_name
/// getIPandName (lines 4-20): the address, then its name.
fn get_ip_and_name(host: &str) {
    let ip = match gethostbyname(host) {
        Ok(ip) => ip,
        Err(error) => {
            println!("ip[{host}]={error}");
            return;
        }
    };
    println!("ip[{host}]={ip}");
    match gethostbyaddr(ip) {
        Ok(name) => println!("name[{ip}]={name}"),
        Err(error) => println!("name[{ip}]={error}"),
    }
}
// ANCHOR_END: get_ip_and_name

// ANCHOR: gethostbyname
/// `socket.gethostbyname` (line 8): the first IPv4 address of `host`.
fn gethostbyname(host: &str) -> Result<IpAddr, String> {
    if host.is_empty() {
        // Python's socket module takes "" for INADDR_ANY: 0.0.0.0, with
        // no lookup at all.
        return Ok(IpAddr::from([0, 0, 0, 0]));
    }
    let addrs = (host, 0).to_socket_addrs().map_err(|e| e.to_string())?;
    // gethostbyname knows IPv4 only; the words are getaddrinfo's.
    let mut ips = addrs.map(|addr| addr.ip());
    let not_ipv4 = "Address family for hostname not supported";
    ips.find(IpAddr::is_ipv4).ok_or(not_ipv4.to_string())
}
// ANCHOR_END: gethostbyname

// ANCHOR: gethostbyaddr
/// `socket.gethostbyaddr` (line 16), its `/etc/hosts` half: the first
/// name on the first line for `ip` (`127.0.0.1 localhost`).
fn gethostbyaddr(ip: IpAddr) -> Result<String, String> {
    let hosts = fs::read_to_string("/etc/hosts").map_err(|e| e.to_string())?;
    for line in hosts.lines() {
        let line = line.split('#').next().unwrap_or("");
        let mut fields = line.split_whitespace();
        let address = fields.next().and_then(|a| a.parse::<IpAddr>().ok());
        if address == Some(ip)
            && let Some(name) = fields.next()
        {
            return Ok(name.to_string());
        }
    }
    Err("Unknown host".to_string()) // gethostbyaddr's word for it
}
// ANCHOR_END: gethostbyaddr

//! `resolve [--dns-server IP:PORT] [--timeout SECS] [-6|--all] [HOST...]`:
//! the chapter's name lookups (inet_01).
//!
//! For each host, prints its address and the name of that address, as
//! the original does. Without `--dns-server` it asks the system, like the
//! original; with it, our stub resolver asks that server and nothing
//! else. Read `lessons/01-names.md` and `src/dns/`.

#[path = "../common/cli.rs"]
mod cli;
mod lookup;

use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::process::ExitCode;

use cli::{Args, Program, Syntax, UsageError};
use inet::dns::resolver::{Family, Resolver, StubResolver, SystemResolver};
use inet::dns::stub::{self, Config};
use inet::port::parse_port;
use lookup::get_ip_and_name;

const PROGRAM: Program = Program {
    name: "resolve",
    synopsis: "[--dns-server IP:PORT] [--timeout SECS] [-6|--all] [HOST...]",
    help: "\
usage: resolve [--dns-server IP:PORT] [--timeout SECS] [-6|--all] [HOST...]

The chapter's name lookups (inet_01): for each HOST, prints its IPv4
address as `ip[HOST]=ADDR`, then the name of that address as
`name[ADDR]=NAME`; a lookup that fails prints its error in place of the
answer. Without HOST, looks up the original's list:
istia.univ-angers.fr www.univ-angers.fr www.ibm.com localhost \"\" xx
(which needs the Internet).

options:
  --dns-server IP:PORT  ask this DNS server (port 53 if left out; an IPv6
                        address in brackets, [::1]:5353) with our own stub
                        resolver, instead of the system's resolver
  --timeout SECS        give up on a DNS lookup after this long, resends
                        included (5); without --dns-server, the system's
                        own lookup of HOST keeps the system's timeouts
  -6                    the first IPv6 address instead of IPv4
  --all                 every address, IPv4 and IPv6; the names of the
                        first 32 only (each reverse lookup may take the
                        whole timeout)
  -h, --help            this help

Without --dns-server, addresses come from the system (as the original's
gethostbyname), and names from /etc/hosts, then from the first nameserver
of /etc/resolv.conf.

exit status: 0 every lookup made and succeeded, 1 wrong arguments, 3 some
lookup failed or was not made, 4 the output could not be written",
};

/// The original's list, looked up when no host is given.
const HOSTS: [&str; 6] = [
    "istia.univ-angers.fr",
    "www.univ-angers.fr",
    "www.ibm.com",
    "localhost",
    "",
    "xx",
];

/// Some lookup failed: the network did not give what was asked, as a
/// failed connection in the other programs.
const EXIT_NOT_FOUND: u8 = cli::EXIT_CONNECTION;
/// Standard output failed.
const EXIT_OUTPUT: u8 = 4;

fn main() -> ExitCode {
    cli::exit_status(run())
}

fn run() -> Result<(), ExitCode> {
    let syntax = Syntax {
        count: 0..=usize::MAX,
        options: &["dns-server", "timeout"],
        flags: &["-6", "--all"],
    };
    let args = PROGRAM.args(&syntax)?;
    let family = family(&args).map_err(|e| PROGRAM.usage(&e))?;
    let timeout = args
        .seconds("timeout", stub::DEFAULT_TIMEOUT)
        .map_err(|e| PROGRAM.usage(&e))?;
    let resolver: Box<dyn Resolver> = match args.option("dns-server") {
        Some(server) => {
            let server = dns_server(server).map_err(|e| PROGRAM.usage(&e))?;
            Box::new(StubResolver::new(Config {
                timeout,
                ..Config::new(server)
            }))
        }
        None => Box::new(SystemResolver {
            timeout,
            ..SystemResolver::default()
        }),
    };
    let hosts: Vec<&str> = match &args.positional[..] {
        [] => HOSTS.to_vec(),
        given => given.iter().map(String::as_str).collect(),
    };
    // ANCHOR: exit_status
    let mut out = io::stdout().lock();
    let mut all_found = true;
    for host in hosts {
        let found = get_ip_and_name(&*resolver, host, family, &mut out)
            .and_then(|found| out.flush().map(|()| found))
            .map_err(|e| {
                PROGRAM.fail(EXIT_OUTPUT, &format!("cannot write: {e}"))
            })?;
        all_found &= found;
    }
    if all_found {
        Ok(())
    } else {
        Err(ExitCode::from(EXIT_NOT_FOUND))
    }
    // ANCHOR_END: exit_status
}

/// Which addresses to print: `-6` and `--all` exclude each other.
fn family(args: &Args) -> Result<Family, UsageError> {
    match (args.flag("-6"), args.flag("--all")) {
        (true, true) => Err("-6 and --all can't be used together".into()),
        (true, false) => Ok(Family::V6),
        (false, true) => Ok(Family::Any),
        (false, false) => Ok(Family::V4),
    }
}

/// An address alone for port 53, `IPv4:PORT` or `[IPv6]:PORT`, the port
/// written as for every program (`inet::port::parse_port`), but not 0: a
/// server listens on a port of its own, and nothing can be sent to 0.
fn dns_server(text: &str) -> Result<SocketAddr, UsageError> {
    let wrong = |why: &str| {
        format!(
            "--dns-server wants IP:PORT (like 127.0.0.1:5353), not {text:?}: \
             {why}"
        )
    };
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, 53));
    }
    let (ip, port) = text
        .rsplit_once(':')
        .ok_or_else(|| wrong("not an IP address"))?;
    let ip = match ip.strip_prefix('[').and_then(|v6| v6.strip_suffix(']')) {
        Some(v6) => v6.parse::<Ipv6Addr>().map(IpAddr::V6),
        None => ip.parse::<Ipv4Addr>().map(IpAddr::V4),
    };
    let ip = ip.map_err(|_| wrong("not an IP address"))?;
    match parse_port(port) {
        Ok(0) => Err(wrong("port 0 names no server")),
        Ok(port) => Ok(SocketAddr::new(ip, port)),
        Err(e) => Err(wrong(&e.to_string())),
    }
}

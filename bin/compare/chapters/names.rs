//! Names and addresses (inet_01): `inet_01.py` against `resolve`.
//!
//! The original looks up its fixed list of hosts with `gethostbyname`,
//! then `gethostbyaddr`. Under the shim those calls are answered from
//! [`TABLE`] (`INET_COMPARE_HOSTS`), with the exceptions and texts the C
//! library would give; the real resolver is never called. The port runs
//! as `resolve --dns-server MOCK` with no host (so, the original's list),
//! against a [`DnsMock`] serving the same table. Compared: standard
//! output, standard error, exit status.
//!
//! As in the chapter's own run, one address has no name: www.ibm.com's
//! reverse lookup fails ([`NO_REVERSE`]).

use inet_mocks::DnsMock;
use inet_mocks::dns::{Rcode, reverse_name};

use super::{Chapter, Plan};
use crate::error::CompareError;
use crate::job::Job;
use crate::lines::Normaliser;
use crate::setup::Setup;
use crate::side::Side;

/// The chapter.
pub const CHAPTER: Chapter = Chapter {
    key: "inet_01",
    title: "names (inet_01)",
    originals: &["inet_01.py"],
    lesson_path: "lessons/01-names.md",
    lesson: include_str!("../../../lessons/01-names.md"),
    recording: include_str!("../../../lessons/recordings/inet_01.txt"),
    plans: &[Plan {
        title: "inet_01.py | resolve --dns-server MOCK",
        python,
        rust,
        rust_needs_python: false,
    }],
};

// ANCHOR: table
/// The names both sides look up, in `/etc/hosts` form: the original's
/// hosts at documentation addresses (RFC 5737), and `localhost`. `xx` is
/// in no table: unknown to both.
pub const TABLE: &str = "\
192.0.2.10  istia.univ-angers.fr
192.0.2.20  www.univ-angers.fr
192.0.2.30  www.ibm.com
127.0.0.1   localhost
";

/// The addresses whose reverse lookup fails (no PTR record: NXDOMAIN),
/// as www.ibm.com's did in the chapter's run
/// (`name[129.42.58.216]=[Errno 11004] host not found`).
pub const NO_REVERSE: [&str; 1] = ["192.0.2.30"];
// ANCHOR_END: table

fn python(setup: &Setup) -> Result<Side, CompareError> {
    // The shim answers the original from INET_COMPARE_HOSTS; the mock is
    // there for a stand-in "python" that speaks DNS (tests/compare/mod.rs).
    let dns = dns_mock()?;
    let python = Job::original(setup, "inet_01.py")
        .env("INET_COMPARE_HOSTS", TABLE)
        .env("INET_COMPARE_NO_REVERSE", NO_REVERSE.join(" "))
        .env("INET_COMPARE_DNS", dns.addr())
        .run()?;
    Ok(python.side(&Normaliser::new().port(dns.addr().port())))
}

fn rust(setup: &Setup) -> Result<Side, CompareError> {
    let dns = dns_mock()?;
    let rust = Job::program(setup, "resolve")?
        .args(["--dns-server".to_owned(), dns.addr().to_string()])
        .run()?;
    Ok(rust.side(&Normaliser::new().port(dns.addr().port())))
}

/// A DNS server with [`TABLE`], but no name for [`NO_REVERSE`].
fn dns_mock() -> Result<DnsMock, CompareError> {
    NO_REVERSE
        .iter()
        .fold(DnsMock::builder().hosts(TABLE), |builder, addr| {
            let addr = addr.parse().expect("NO_REVERSE holds IP addresses");
            builder.rcode_for(&reverse_name(addr), Rcode::NxDomain)
        })
        .start()
        .map_err(CompareError::mock("DNS"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_without_a_name_is_one_of_the_table() {
        for addr in NO_REVERSE {
            assert!(TABLE.lines().any(|l| l.starts_with(addr)), "{addr}");
        }
    }
}

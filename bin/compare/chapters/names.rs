//! Names and addresses (inet_01): `inet_01.py` against `resolve`.
//!
//! The original looks up its fixed list of hosts with `gethostbyname`,
//! then `gethostbyaddr`. Under the shim those calls are answered from
//! [`TABLE`] (`INET_COMPARE_HOSTS`), with the exceptions and texts the C
//! library would give; the real resolver is never called. The port runs
//! as `resolve --dns-server MOCK` with no host (so, the original's list),
//! against a [`DnsMock`] serving the same table. Compared: standard
//! output, standard error, exit status.

use inet_mocks::DnsMock;

use super::Chapter;
use crate::{CompareError, Comparison, Job, Normaliser, Setup};

/// The chapter.
pub const CHAPTER: Chapter = Chapter {
    title: "names (inet_01)",
    lesson_path: "lessons/01-names.md",
    lesson: include_str!("../../../lessons/01-names.md"),
    scenario,
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
// ANCHOR_END: table

fn scenario(setup: &Setup) -> Result<Vec<Comparison>, CompareError> {
    // A mock for each side, serving the same table. The shim answers the
    // original from INET_COMPARE_HOSTS; INET_COMPARE_DNS is there for a
    // stand-in "python" that speaks DNS (tests/compare.rs).
    let python_dns = dns_mock()?;
    let python = Job::original(setup)
        .env("INET_COMPARE_HOSTS", TABLE)
        .env("INET_COMPARE_DNS", python_dns.addr())
        .run()?;

    let rust_dns = dns_mock()?;
    let rust = Job::program(setup, "resolve")?
        .args(["--dns-server".to_owned(), rust_dns.addr().to_string()])
        .run()?;

    let normal = Normaliser::new()
        .port(python_dns.addr().port(), "PORT")
        .port(rust_dns.addr().port(), "PORT");
    Ok(vec![Comparison {
        title: "inet_01.py | resolve --dns-server MOCK".into(),
        python: python.side(&normal),
        rust: rust.side(&normal),
    }])
}

fn dns_mock() -> Result<DnsMock, CompareError> {
    DnsMock::builder()
        .hosts(TABLE)
        .start()
        .map_err(CompareError::mock("DNS"))
}

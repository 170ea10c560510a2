//! The `resolve` program (inet_01) against the mock DNS server, and on
//! `localhost` through the system (from /etc/hosts). The original's
//! default host list needs the Internet: no test ever runs it.

use std::net::IpAddr;
use std::time::Duration;

use assert_cmd::Command;
use inet_mocks::dns::{DnsMock, Rcode};

/// Long enough for a loaded machine; short enough that no test hangs.
const TIMEOUT: Duration = Duration::from_secs(20);

fn resolve(args: &[&str]) -> (Option<i32>, String, String) {
    let mut command =
        Command::cargo_bin("resolve").expect("the resolve binary");
    let output = command.args(args).timeout(TIMEOUT).output().unwrap();
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    (
        output.status.code(),
        text(&output.stdout),
        text(&output.stderr),
    )
}

fn mock() -> DnsMock {
    DnsMock::builder()
        .record("example.test", "192.0.2.7".parse::<IpAddr>().unwrap())
        .record("example.test", "2001:db8::7".parse::<IpAddr>().unwrap())
        .rcode_for("broken.test", Rcode::ServFail)
        .start()
        .unwrap()
}

/// `resolve --dns-server` with the mock's address and a short timeout.
fn against(mock: &DnsMock, args: &[&str]) -> (Option<i32>, String, String) {
    let server = mock.addr().to_string();
    let mut all = vec!["--dns-server", &server, "--timeout", "2"];
    all.extend_from_slice(args);
    resolve(&all)
}

#[test]
fn the_original_formats_for_forward_and_reverse_lookups() {
    let mock = mock();
    let (code, out, _) = against(&mock, &["example.test"]);
    assert_eq!(
        out,
        "ip[example.test]=192.0.2.7\nname[192.0.2.7]=example.test\n"
    );
    assert_eq!(code, Some(0));
    let (code, out, _) = against(&mock, &["-6", "example.test"]);
    assert_eq!(
        out,
        "ip[example.test]=2001:db8::7\nname[2001:db8::7]=example.test\n"
    );
    assert_eq!(code, Some(0));
    let (code, out, _) = against(&mock, &["--all", "example.test"]);
    assert_eq!(
        out,
        "ip[example.test]=192.0.2.7\nip[example.test]=2001:db8::7\n\
         name[192.0.2.7]=example.test\nname[2001:db8::7]=example.test\n"
    );
    assert_eq!(code, Some(0));
}

/// D22: `--all` lists every address, but looks up the names of the first
/// 32 only: each reverse lookup may take the whole timeout, and a server
/// may list thousands of addresses.
#[test]
fn d22_all_names_at_most_32_addresses_of_a_host() {
    let mut builder = DnsMock::builder();
    for i in 1..=40 {
        let addr = IpAddr::from([198, 51, 100, i]);
        builder = builder.record("many.test", addr);
    }
    let mock = builder.start().unwrap();
    let (code, out, _) = against(&mock, &["--all", "many.test"]);
    let count =
        |start: &str| out.lines().filter(|l| l.starts_with(start)).count();
    assert_eq!(count("ip[many.test]="), 40, "{out}");
    assert_eq!(count("name[198.51.100."), 40, "{out}");
    let skipped = out.matches("=not looked up: at most 32 a host\n").count();
    assert_eq!(skipped, 8, "{out}");
    assert_eq!(code, Some(3));
}

/// Errors take the answer's place, as in the original; a failed forward
/// lookup ends that host; the exit status says something failed.
#[test]
fn errors_are_printed_in_place_and_the_status_says_so() {
    let mock = mock();
    let (code, out, _) = against(
        &mock,
        &["unknown.test", "broken.test", "", "a..b", "example.test"],
    );
    assert_eq!(
        out,
        "ip[unknown.test]=host not found (NXDOMAIN)\n\
         ip[broken.test]=the server failed to find out (SERVFAIL)\n\
         ip[]=empty host name\n\
         ip[a..b]=empty label in name (as in a..b)\n\
         ip[example.test]=192.0.2.7\n\
         name[192.0.2.7]=example.test\n"
    );
    assert_eq!(code, Some(3));
    // An address literal needs no query; its reverse lookup fails here.
    let (code, out, _) = against(&mock, &["192.0.2.99"]);
    assert_eq!(
        out,
        "ip[192.0.2.99]=192.0.2.99\nname[192.0.2.99]=host not found (NXDOMAIN)\n"
    );
    assert_eq!(code, Some(3));
}

/// A server that never answers: the timeout error, in place, in time.
#[test]
fn a_silent_server_times_out() {
    let mock = DnsMock::builder().drop_first(usize::MAX).start().unwrap();
    let server = mock.addr().to_string();
    let (code, out, _) =
        resolve(&["--dns-server", &server, "--timeout", "0.3", "x.test"]);
    assert_eq!(out, "ip[x.test]=no answer from the server within 300ms\n");
    assert_eq!(code, Some(3));
}

/// `resolve localhost` prints what the Python original printed on this
/// machine (`PYENV_VERSION=2.7.18 python inet_01.py`, the localhost lines
/// of its output), recorded here as literal text.
///
/// The lookup goes through the C library (NSS), which must answer from
/// /etc/hosts and never ask a nameserver: so the test runs only where
/// nsswitch.conf consults `files` first and /etc/hosts maps 127.0.0.1 to
/// `localhost` (its first name, which `gethostbyaddr` returns), and says
/// why it skips elsewhere. /etc/hosts is read here with a parser of the
/// test's own, not with `hosts_name_of`, the function under test.
#[test]
fn localhost_resolves_as_in_the_original() {
    if let Some(why) = why_localhost_could_reach_dns() {
        eprintln!("skipped: {why}");
        return;
    }
    let (code, out, _) = resolve(&["localhost"]);
    assert_eq!(out, "ip[localhost]=127.0.0.1\nname[127.0.0.1]=localhost\n");
    assert_eq!(code, Some(0));
}

/// Why looking `localhost` up here might not be answered by /etc/hosts
/// alone, or `None` when it will be.
fn why_localhost_could_reach_dns() -> Option<&'static str> {
    let read = |path| std::fs::read_to_string(path).unwrap_or_default();
    let nsswitch = read("/etc/nsswitch.conf");
    let files_first = nsswitch.lines().any(|line| {
        let mut words = line.split_whitespace();
        words.next() == Some("hosts:") && words.next() == Some("files")
    });
    if !files_first {
        return Some("nsswitch.conf does not consult /etc/hosts first");
    }
    let hosts = read("/etc/hosts");
    let first_for_loopback = hosts
        .lines()
        .map(|line| line.split('#').next().unwrap_or_default())
        .map(|line| line.split_whitespace().collect::<Vec<_>>())
        .find(|fields| fields.first() == Some(&"127.0.0.1"));
    match first_for_loopback.as_deref() {
        Some([_, "localhost", ..]) => None,
        _ => Some("/etc/hosts does not map 127.0.0.1 to localhost first"),
    }
}

#[test]
fn help_and_wrong_command_lines() {
    let (code, out, _) = resolve(&["--help"]);
    assert_eq!(code, Some(0));
    assert!(out.starts_with("usage: resolve"), "{out}");
    for (args, why) in [
        (&["-6", "--all", "x"][..], "together"),
        (
            &["--dns-server", "nowhere", "x"][..],
            "--dns-server wants IP:PORT",
        ),
        // A1: the port of every program, and 0 names no server: a
        // usage error, not a lookup that fails.
        (
            &["--dns-server", "127.0.0.1:0", "x"][..],
            "port 0 names no server",
        ),
        (
            &["--dns-server", "[::1]:0", "x"][..],
            "port 0 names no server",
        ),
        (
            &["--dns-server", "127.0.0.1:+53", "x"][..],
            "\"+53\" is not",
        ),
        (
            &["--dns-server", "127.0.0.1:99999", "x"][..],
            "not a whole number",
        ),
        (&["--timeout", "0", "x"][..], "--timeout"),
        // A host is given so that, should the parser ever take this
        // line, the lookup stays on this machine (/etc/hosts).
        (&["localhost", "--dns-server"][..], "needs a value"),
        (&["--bogus", "x"][..], "unknown option"),
    ] {
        let (code, out, err) = resolve(args);
        assert_eq!(code, Some(1), "{args:?}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert!(err.contains(why) && err.contains("usage: resolve"), "{err}");
    }
}

/// A1: `--dns-server` writes its port as every program does (white space
/// around the digits allowed, `inet::port::parse_port`).
#[test]
fn a1_the_servers_port_has_the_syntax_of_every_program() {
    let mock = mock();
    let spaced = format!("127.0.0.1: {} ", mock.addr().port());
    let (code, out, err) =
        resolve(&["--dns-server", &spaced, "--timeout", "2", "example.test"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.starts_with("ip[example.test]=192.0.2.7\n"), "{out}");
}

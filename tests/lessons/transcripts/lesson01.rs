//! The scenes of lesson 1, names and addresses.
//!
//! No scene asks the machine's nameserver: the system is asked only for
//! what `/etc/hosts` answers (`localhost`, `127.0.0.1`) or for addresses
//! (`::1`, `192.0.2.7`), and every other lookup goes to a mock or to
//! dnsmasq on 127.0.0.1.

use std::fs;

use super::super::scene::{Play, Scene, Stop, replace_run_after};

/// Lesson 1's scenes, by the name its markers give.
pub const SCENES: &[(&str, Play)] = &[
    ("tour-names", tour_names),
    ("minimal-names", minimal_names),
    ("minimal-names-breaks", minimal_names_breaks),
    ("resolve-says-so", resolve_says_so),
    ("mock-names", mock_names),
    ("resolve-stub", resolve_stub),
    ("resolve-timeout", resolve_timeout),
    ("resolve-truncated", resolve_truncated),
    ("mock-truncating", mock_truncating),
    ("resolve-rcodes", resolve_rcodes),
    ("mock-dns", mock_dns),
    ("by-hand-mock", by_hand_mock),
    ("mock-dns-log", mock_dns_log),
    ("dnsmasq", dnsmasq),
    ("by-hand-dnsmasq", by_hand_dnsmasq),
    ("inet-01-beside-resolve", inet_01_beside_resolve),
];

/// The port the system picks for the tour's mock, as the lesson shows it.
const TOUR_PORT: &str = "37881";
/// The query ID the lesson shows, in place of a random one.
const SHOWN_ID: [&str; 2] = ["3c", "1f"];
/// The ports the lesson shows for a client's queries, in place of the
/// random ones, the n-th distinct one as the n-th of these.
const CLIENT_PORTS: [&str; 8] = [
    "43963", "37604", "46984", "51081", "60029", "55544", "52490", "36713",
];

/// `cargo run -q -- names`: the tour's chapter.
fn tour_names(s: &mut Scene) -> Result<(), Stop> {
    s.mask_number_after("on 127.0.0.1:", TOUR_PORT);
    s.mask_number_after("--dns-server 127.0.0.1:", TOUR_PORT);
    s.mask_with(client_ports);
    s.mask_with(query_id);
    s.run("cargo run -q -- names")?;
    Ok(())
}

/// The minimal port on names `/etc/hosts` answers.
fn minimal_names(s: &mut Scene) -> Result<(), Stop> {
    needs_hosts(s)?;
    s.run("cargo run -q --example inet_01_names -- localhost 127.0.0.1")?;
    Ok(())
}

/// The minimal port on the hosts that break it.
fn minimal_names_breaks(s: &mut Scene) -> Result<(), Stop> {
    needs_hosts(s)?;
    s.run(
        "cargo run -q --example inet_01_names -- \"\" ::1 192.0.2.7; \
         echo \"exit status $?\"",
    )?;
    Ok(())
}

/// `resolve` through the system: the errors in place, and the status.
fn resolve_says_so(s: &mut Scene) -> Result<(), Stop> {
    needs_hosts(s)?;
    s.run("resolve \"\" a..b localhost; echo \"exit status $?\"")?;
    Ok(())
}

/// The mock DNS server of the robust program's steps.
const MOCK_NAMES: &str = "mock-dns --port 5302 --record example.test=192.0.2.7 \\
    --record example.test=2001:db8::7 --cname www.example.test=example.test \\
    --record mail.example.test=192.0.2.25 --servfail broken.test";

/// The first terminal: the mock DNS server.
fn mock_names(s: &mut Scene) -> Result<(), Stop> {
    s.server(MOCK_NAMES, 5302)
}

/// The second terminal: `resolve` asks the mock with its own stub.
fn resolve_stub(s: &mut Scene) -> Result<(), Stop> {
    s.quietly(mock_names)?;
    s.run("resolve --dns-server 127.0.0.1:5302 192.0.2.7")?;
    s.run("resolve --dns-server 127.0.0.1:5302 --all www.example.test")?;
    Ok(())
}

/// A server that never answers: nothing listens on the lesson's port
/// 5309, and a datagram sent there is simply lost.
fn resolve_timeout(s: &mut Scene) -> Result<(), Stop> {
    s.run(
        "resolve --dns-server 127.0.0.1:5309 --timeout 1 example.test; \
         echo \"exit status $?\"",
    )?;
    Ok(())
}

/// A mock that answers every UDP query with TC=1.
const MOCK_TRUNCATING: &str =
    "mock-dns --port 5304 --truncate-udp --record example.test=192.0.2.7";
/// `resolve` against it.
const RESOLVE_TRUNCATED: &str =
    "resolve --dns-server 127.0.0.1:5304 example.test";

/// The second terminal: `resolve` against a mock that truncates.
fn resolve_truncated(s: &mut Scene) -> Result<(), Stop> {
    s.quietly(|s| s.server(MOCK_TRUNCATING, 5304))?;
    s.run(RESOLVE_TRUNCATED)?;
    Ok(())
}

/// The first terminal: what that mock was asked, and how.
fn mock_truncating(s: &mut Scene) -> Result<(), Stop> {
    s.mask_with(client_ports);
    s.server(MOCK_TRUNCATING, 5304)?;
    s.quietly(|s| s.run(RESOLVE_TRUNCATED))?;
    s.server_lines("tcp PTR")
}

/// What the replies mean: the RCODEs and no data.
fn resolve_rcodes(s: &mut Scene) -> Result<(), Stop> {
    s.quietly(mock_names)?;
    s.run("resolve --dns-server 127.0.0.1:5302 nowhere.test broken.test")?;
    s.run("resolve --dns-server 127.0.0.1:5302 -6 mail.example.test")?;
    Ok(())
}

/// By hand: the mock DNS server in a first terminal.
const MOCK_DNS: &str = "mock-dns --port 5310 --record example.test=192.0.2.7 \\
    --record example.test=2001:db8::7";

fn mock_dns(s: &mut Scene) -> Result<(), Stop> {
    s.server(MOCK_DNS, 5310)
}

/// By hand, in a second terminal: `resolve` and `dig` against the mock.
fn by_hand_mock(s: &mut Scene) -> Result<(), Stop> {
    s.needs("dig")?;
    s.quietly(mock_dns)?;
    by_hand_mock_commands(s)
}

fn by_hand_mock_commands(s: &mut Scene) -> Result<(), Stop> {
    s.run("dig @127.0.0.1 -p 5310 example.test AAAA +short")?;
    s.run("dig @127.0.0.1 -p 5310 -x 192.0.2.7 +short")?;
    s.run("resolve --dns-server 127.0.0.1:5310 example.test")?;
    s.run("resolve --dns-server 127.0.0.1:5310 nowhere.test")?;
    Ok(())
}

/// The first terminal again: the questions the mock received.
fn mock_dns_log(s: &mut Scene) -> Result<(), Stop> {
    s.needs("dig")?;
    s.mask_with(client_ports);
    s.quietly(|s| {
        mock_dns(s)?;
        by_hand_mock_commands(s)
    })?;
    s.server_lines("nowhere.test")
}

/// dnsmasq, a real DNS server, on the lesson's port 5311. It can't say
/// which port the system gave it, so the stage picks a free one.
const DNSMASQ: &str = "dnsmasq --no-daemon --conf-file=/dev/null --port=5311 \\
    --listen-address=127.0.0.1 --bind-interfaces --no-resolv --no-hosts \\
    --host-record=example.test,192.0.2.7,2001:db8::7 \\
    --local=/test/ --local=/2.0.192.in-addr.arpa/";

/// By hand: dnsmasq in a first terminal.
fn dnsmasq(s: &mut Scene) -> Result<(), Stop> {
    s.needs("dnsmasq")?;
    // dnsmasq's first line names its version: the lesson shows 2.90.
    s.mask_run_after("started, version ", "2.90", |c| *c != ' ');
    s.server_on_free_port(DNSMASQ, 5311)
}

/// By hand, in a second terminal: `resolve` against dnsmasq.
fn by_hand_dnsmasq(s: &mut Scene) -> Result<(), Stop> {
    s.quietly(dnsmasq)?;
    s.run("resolve --dns-server 127.0.0.1:5311 -6 example.test")?;
    s.run("resolve --dns-server 127.0.0.1:5311 192.0.2.8 nowhere.test")?;
    Ok(())
}

/// The original, its list cut down to `localhost`, beside `resolve`.
fn inet_01_beside_resolve(s: &mut Scene) -> Result<(), Stop> {
    s.needs_python()?;
    needs_hosts(s)?;
    s.run(
        "sed 's/^HOTES=.*/HOTES=[\"localhost\"]/' \"$ORIGINALS\"/inet_01.py \
         > inet_01_localhost.py",
    )?;
    s.run("python2.7 inet_01_localhost.py")?;
    s.run("resolve localhost")?;
    Ok(())
}

/// The scenes that ask the system need a hosts file that names
/// 127.0.0.1 `localhost` and does not know 0.0.0.0, as Linux and macOS
/// ship it: then the system answers them from the file, the same
/// everywhere, and never asks a nameserver.
fn needs_hosts(_: &mut Scene) -> Result<(), Stop> {
    let hosts = fs::read_to_string("/etc/hosts").unwrap_or_default();
    let first_name = |addr: &str| {
        hosts.lines().find_map(|line| {
            let line = line.split('#').next().unwrap_or_default();
            let mut fields = line.split_whitespace();
            (fields.next() == Some(addr))
                .then(|| fields.next())
                .flatten()
        })
    };
    if first_name("127.0.0.1") == Some("localhost")
        && first_name("0.0.0.0").is_none()
    {
        return Ok(());
    }
    Err(Stop::Skip(
        "needs /etc/hosts to name 127.0.0.1 localhost, and not 0.0.0.0".into(),
    ))
}

/// `text` with the port after each `from 127.0.0.1:` (a client's, a
/// fresh one for each query) shown as one of [`CLIENT_PORTS`]: the same
/// real port as the same shown one, two different ones as two.
fn client_ports(text: &str) -> String {
    const FROM: &str = "from 127.0.0.1:";
    let mut seen: Vec<&str> = Vec::new();
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(FROM) {
        let after = at + FROM.len();
        out.push_str(&rest[..after]);
        rest = &rest[after..];
        let digits = rest.find(|c: char| !c.is_ascii_digit());
        let (port, tail) = rest.split_at(digits.unwrap_or(rest.len()));
        let n = seen.iter().position(|p| *p == port).unwrap_or_else(|| {
            seen.push(port);
            seen.len() - 1
        });
        out.push_str(CLIENT_PORTS.get(n).copied().unwrap_or(port));
        rest = tail;
    }
    out + rest
}

/// `text` with the random query ID shown as [`SHOWN_ID`]: after each
/// `id=0x`, and as the first two of the query's bytes.
fn query_id(text: &str) -> String {
    let id = SHOWN_ID.concat();
    let text = replace_run_after(text, "id=0x", &id, char::is_ascii_hexdigit);
    const BYTES: &str = "The query's bytes:\n    ";
    match text.split_once(BYTES) {
        Some((before, after)) if after.len() >= 5 => {
            format!(
                "{before}{BYTES}{} {}{}",
                SHOWN_ID[0],
                SHOWN_ID[1],
                &after[5..]
            )
        }
        _ => text,
    }
}

#[test]
fn client_ports_are_shown_as_distinct_ports() {
    let text = "udp A a from 127.0.0.1:40001\nudp A b from 127.0.0.1:40002\n\
                tcp A b from 127.0.0.1:40001\n";
    let want = "udp A a from 127.0.0.1:43963\nudp A b from 127.0.0.1:37604\n\
                tcp A b from 127.0.0.1:43963\n";
    assert_eq!(client_ports(text), want);
}

#[test]
fn the_query_id_is_shown_as_the_lessons() {
    let text = "--> query id=0xe966 rd\n<-- reply id=0xe966 aa\n\n\
                The query's bytes:\n    e9 66 01 00\n";
    let want = "--> query id=0x3c1f rd\n<-- reply id=0x3c1f aa\n\n\
                The query's bytes:\n    3c 1f 01 00\n";
    assert_eq!(query_id(text), want);
}

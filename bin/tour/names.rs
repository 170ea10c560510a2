//! Chapter 1: names and addresses (inet_01), against the mock DNS server.

use std::io::{self, Write};
use std::net::IpAddr;

use inet_mocks::dns::DnsMock;

use super::{STEP_TIMEOUT, heading, indent};
use inet::dns::resolver::{Family, StubResolver, get_ip_and_name};
use inet::dns::stub::{self, Config, new_id};
use inet::dns::{Message, Name, RecordType};

/// `resolve` against a mock DNS server started here, then one exchange
/// decoded, then what the server was asked.
pub(super) fn chapter(out: &mut impl Write) -> io::Result<()> {
    heading(out, "Chapter 1: names and addresses (inet_01)")?;
    let v4: IpAddr = [192, 0, 2, 7].into();
    let v6: IpAddr = "2001:db8::7".parse().map_err(io::Error::other)?;
    let mock = DnsMock::builder()
        .record("example.test", v4)
        .record("example.test", v6)
        .cname("www.example.test", "example.test")
        .start()?;
    let server = mock.addr();
    writeln!(
        out,
        "A mock DNS server on {server} knows example.test ({v4}, {v6}),\n\
         and www.example.test as an alias of it.\n"
    )?;
    let config = Config {
        timeout: STEP_TIMEOUT,
        ..Config::new(server)
    };
    let resolver = StubResolver::new(config);
    for (show, flag, hosts) in [
        (Family::V4, "", &["www.example.test", "nowhere.test"][..]),
        (Family::V6, "-6 ", &["example.test"][..]),
    ] {
        writeln!(
            out,
            "$ resolve --dns-server {server} {flag}{}",
            hosts.join(" ")
        )?;
        for host in hosts {
            get_ip_and_name(&resolver, host, show, out)?;
        }
    }
    // One exchange by hand, to see the messages themselves.
    let name = Name::parse("www.example.test").map_err(io::Error::other)?;
    let query = Message::query(new_id(), name, RecordType::A);
    let bytes = query.encode().map_err(io::Error::other)?;
    let reply = stub::exchange(&config, &query).map_err(io::Error::other)?;
    writeln!(out, "\nOne exchange, decoded ({} bytes out):", bytes.len())?;
    write!(out, "{}", indent(&format!("--> {query}\n<-- {reply}")))?;
    writeln!(out, "\nThe query's bytes:\n{}", indent(&hex(&bytes)))?;
    writeln!(out, "What the mock was asked (its question log):")?;
    // Six questions: A and PTR, A, AAAA and PTR, then the exchange's A.
    mock.wait_for_questions(6, STEP_TIMEOUT);
    let asked: Vec<String> =
        mock.questions().iter().map(ToString::to_string).collect();
    writeln!(out, "{}", indent(&asked.join("\n")))
}

/// Bytes in hex, 16 to a line.
fn hex(bytes: &[u8]) -> String {
    let lines = bytes.chunks(16).map(|line| {
        let line: Vec<String> =
            line.iter().map(|b| format!("{b:02x}")).collect();
        line.join(" ")
    });
    lines.collect::<Vec<_>>().join("\n")
}

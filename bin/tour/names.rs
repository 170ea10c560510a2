//! Chapter 1: names and addresses (inet_01), against the mock DNS server.

#[path = "../resolve/lookup.rs"]
mod lookup;

use std::fmt::Write as _;
use std::io::{self, Write};
use std::net::IpAddr;

use inet_mocks::dns::DnsMock;

use super::{STEP_TIMEOUT, heading, indent};
use inet::dns::RecordType;
use inet::dns::message::CLASS_IN;
use inet::dns::resolver::{Family, StubResolver};
use inet::dns::stub::{self, Config, new_id};
use inet::dns::{Message, Name, Query, Question, Record, RecordData};
use lookup::get_ip_and_name;

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
    let query = Query::new(new_id(), name, RecordType::A);
    let bytes = query.to_bytes();
    let sent = Message::decode(&bytes).map_err(io::Error::other)?;
    let reply = stub::exchange(&config, &query).map_err(io::Error::other)?;
    writeln!(out, "\nOne exchange, decoded ({} bytes out):", bytes.len())?;
    let exchange = format!("--> {}\n<-- {}", summary(&sent), summary(&reply));
    write!(out, "{}", indent(&exchange))?;
    writeln!(out, "\nThe query's bytes:\n{}", indent(&hex(&bytes)))?;
    writeln!(out, "What the mock was asked (its question log):")?;
    // Six questions: A and PTR, A, AAAA and PTR, then the exchange's A.
    mock.wait_for_questions(6, STEP_TIMEOUT);
    let asked: Vec<String> =
        mock.questions().iter().map(ToString::to_string).collect();
    writeln!(out, "{}", indent(&asked.join("\n")))
}

/// A short, `dig`-like summary of a message: one line for the header,
/// one per question and record.
fn summary(message: &Message) -> String {
    let flags = message.flags;
    let kind = if flags.response { "reply" } else { "query" };
    let mut text = format!("{kind} id={:#06x}", message.id);
    for (set, name) in [
        (flags.authoritative, "aa"),
        (flags.truncated, "tc"),
        (flags.recursion_desired, "rd"),
        (flags.recursion_available, "ra"),
    ] {
        if set {
            text += " ";
            text += name;
        }
    }
    if flags.response {
        let _ = write!(text, " {}", flags.rcode);
    }
    for q in &message.questions {
        let _ = write!(text, "\n  question: {}", question(q));
    }
    let sections = [
        ("answer", &message.answers),
        ("authority", &message.authority),
        ("additional", &message.additional),
    ];
    for (section, records) in sections {
        for r in records {
            let _ = write!(text, "\n  {section}: {}", record(r));
        }
    }
    text
}

/// `www.example.test. A`, and the class when it is not IN.
fn question(q: &Question) -> String {
    let class = match q.class {
        CLASS_IN => String::new(),
        other => format!(" CLASS{other}"),
    };
    format!("{}. {}{class}", q.name, q.rtype)
}

/// `example.test. 300 A 192.0.2.7`, as in a zone file.
fn record(r: &Record) -> String {
    let data = match &r.data {
        RecordData::A(ip) => format!("A {ip}"),
        RecordData::Aaaa(ip) => format!("AAAA {ip}"),
        RecordData::Cname(name) => format!("CNAME {name}."),
        RecordData::Ptr(name) => format!("PTR {name}."),
        RecordData::Unknown { rtype, data } => {
            format!("TYPE{rtype} ({} bytes)", data.len())
        }
    };
    format!("{}. {} {data}", r.name, r.ttl)
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

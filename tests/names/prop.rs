//! Properties of the DNS codec (`src/dns/`), over generated messages and
//! bytes (robustness matrix rows D1, D2, D3, D18).
//!
//! - Any message we can build survives encode then decode unchanged,
//!   compression included (names are drawn from a small pool of labels,
//!   so suffixes repeat and pointers are written).
//! - Any bytes at all (0 to 600 of them) decode to a message or an error:
//!   never a panic, a hang or a huge allocation. What decodes re-encodes
//!   to bytes that decode to the same message.
//! - Any IPv4 or IPv6 address survives the trip to its reverse name and
//!   back, and through the wire. The way back, `address_of`, is written
//!   here, as a server reads a PTR question: the client never needs it.
//!
//! Debug builds check arithmetic overflow; release builds run many more
//! cases per second and are what a real resolver runs. Run both:
//!
//! ```text
//! cargo test --test inet names::prop
//! cargo test --release --test inet names::prop
//! PROPTEST_CASES=100000 cargo test --release --test inet names::prop
//! ```

use crate::common;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use inet::dns::message::Flags;
use inet::dns::reverse::reverse_name;
use inet::dns::{
    Message, Name, Query, Question, Rcode, Record, RecordData, RecordType,
};
use proptest::prelude::*;

/// Labels: mostly from a small pool (so names share suffixes), sometimes
/// any bytes at all, up to the 63-byte limit.
fn label() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => prop::sample::select(vec!["www", "mail", "example", "test", "arpa", "WWW"])
            .prop_map(|l| l.as_bytes().to_vec()),
        1 => prop::collection::vec(any::<u8>(), 1..=63),
    ]
}

/// Names of 0 (the root) to 6 labels, at most 255 bytes on the wire.
fn name() -> impl Strategy<Value = Name> {
    prop::collection::vec(label(), 0..6)
        .prop_filter_map("over 255 bytes", |labels| {
            Name::from_labels(labels).ok()
        })
}

fn rtype() -> impl Strategy<Value = RecordType> {
    any::<u16>().prop_map(RecordType::from)
}

fn data() -> impl Strategy<Value = RecordData> {
    prop_oneof![
        any::<u32>().prop_map(|v4| RecordData::A(Ipv4Addr::from(v4))),
        any::<u128>().prop_map(|v6| RecordData::Aaaa(Ipv6Addr::from(v6))),
        name().prop_map(RecordData::Cname),
        name().prop_map(RecordData::Ptr),
        (any::<u16>(), prop::collection::vec(any::<u8>(), 0..40))
            // The decoded types are never kept raw.
            .prop_filter("a decoded type", |(rtype, _)| {
                !matches!(
                    RecordType::from(*rtype),
                    RecordType::A
                        | RecordType::Aaaa
                        | RecordType::Cname
                        | RecordType::Ptr
                )
            })
            .prop_map(|(rtype, data)| RecordData::Unknown { rtype, data }),
    ]
}

fn record() -> impl Strategy<Value = Record> {
    (name(), any::<u16>(), any::<u32>(), data()).prop_map(
        |(name, class, ttl, data)| Record {
            name,
            class,
            ttl,
            data,
        },
    )
}

fn flags() -> impl Strategy<Value = Flags> {
    (any::<[bool; 6]>(), 0u8..16, 0u8..8, 0u8..16).prop_map(
        |(bits, opcode, z, rcode)| Flags {
            response: bits[0],
            opcode,
            authoritative: bits[1],
            truncated: bits[2],
            recursion_desired: bits[3],
            recursion_available: bits[4],
            z,
            rcode: Rcode::from(rcode),
        },
    )
}

fn message() -> impl Strategy<Value = Message> {
    let question = (name(), rtype(), any::<u16>())
        .prop_map(|(name, rtype, class)| Question { name, rtype, class });
    let records = || prop::collection::vec(record(), 0..4);
    (
        any::<u16>(),
        flags(),
        prop::collection::vec(question, 0..3),
        records(),
        records(),
        records(),
    )
        .prop_map(
            |(id, flags, questions, answers, authority, additional)| Message {
                id,
                flags,
                questions,
                answers,
                authority,
                additional,
            },
        )
}

/// The length of `message` on the wire without compression.
fn uncompressed_len(message: &Message) -> usize {
    let questions: usize = message
        .questions
        .iter()
        .map(|q| q.name.wire_len() + 4)
        .sum();
    let records = [&message.answers, &message.authority, &message.additional];
    let records: usize = records
        .into_iter()
        .flatten()
        .map(|r| {
            let rdata = match &r.data {
                RecordData::A(_) => 4,
                RecordData::Aaaa(_) => 16,
                RecordData::Cname(name) | RecordData::Ptr(name) => {
                    name.wire_len()
                }
                RecordData::Unknown { data, .. } => data.len(),
            };
            r.name.wire_len() + 10 + rdata
        })
        .sum();
    12 + questions + records
}

proptest! {
    #![proptest_config(common::proptest_config(
        "proptest-regressions/prop_dns.txt",
        512,
    ))]

    /// D2: decode(encode(m)) == m, compression and all.
    #[test]
    fn any_message_survives_encode_then_decode(message in message()) {
        let bytes = message.encode().expect("small messages encode");
        prop_assert_eq!(Message::decode(&bytes), Ok(message.clone()));
        // Compression only ever saves bytes.
        prop_assert!(bytes.len() <= uncompressed_len(&message));
    }

    /// D1: any bytes decode to a message or an error, never a panic; D2:
    /// whatever decodes re-encodes to bytes that decode the same.
    #[test]
    fn any_bytes_decode_or_fail_cleanly(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(message) = Message::decode(&bytes) {
            let again = message.encode().expect("a decoded message encodes");
            prop_assert_eq!(Message::decode(&again), Ok(message));
        }
    }

    /// D1, D3: a header and a question whose name bytes are mostly
    /// pointers and small lengths, so decoding follows many pointers.
    #[test]
    fn pointer_soup_decodes_or_fails_cleanly(
        soup in prop::collection::vec(
            prop_oneof![Just(0xC0u8), 0u8..20, any::<u8>()], 0..300),
    ) {
        let mut bytes = vec![0, 1, 0x81, 0x80, 0, 3, 0, 3, 0, 0, 0, 0];
        bytes.extend_from_slice(&soup);
        let _ = Message::decode(&bytes);
    }

    /// D18: every IPv4 address comes back from its in-addr.arpa name.
    #[test]
    fn any_ipv4_survives_its_reverse_name(v4 in any::<u32>()) {
        let addr = IpAddr::V4(Ipv4Addr::from(v4));
        prop_assert_eq!(address_of(&reverse_name(addr).unwrap()), Some(addr));
    }

    /// D18: every IPv6 address comes back from its ip6.arpa name, also
    /// after a trip through a PTR query on the wire.
    #[test]
    fn any_ipv6_survives_its_reverse_name(v6 in any::<u128>()) {
        let addr = IpAddr::V6(Ipv6Addr::from(v6));
        let query = Query::new(7, reverse_name(addr).unwrap(), RecordType::Ptr);
        let decoded = Message::decode(&query.to_bytes()).unwrap();
        prop_assert_eq!(address_of(&decoded.questions[0].name), Some(addr));
    }
}

/// The way back from a reverse name: the address it stands for, or
/// `None` if `name` is not exactly 4 decimal bytes under `in-addr.arpa`
/// or 32 hex nibbles under `ip6.arpa` (case does not matter). Written
/// here, apart from the client (which only goes the other way), as a
/// server reads a PTR question.
fn address_of(name: &Name) -> Option<IpAddr> {
    let labels = name.labels();
    let is =
        |label: &[u8], text: &str| label.eq_ignore_ascii_case(text.as_bytes());
    match labels {
        [d, c, b, a, in_addr, arpa]
            if is(in_addr, "in-addr") && is(arpa, "arpa") =>
        {
            let octets = [a, b, c, d].map(|l| decimal_byte(l));
            let [Some(a), Some(b), Some(c), Some(d)] = octets else {
                return None;
            };
            Some(IpAddr::V4(Ipv4Addr::new(a, b, c, d)))
        }
        [nibbles @ .., ip6, arpa]
            if nibbles.len() == 32 && is(ip6, "ip6") && is(arpa, "arpa") =>
        {
            let mut bits = 0u128;
            for label in nibbles.iter().rev() {
                bits = bits << 4 | u128::from(hex_nibble(label)?);
            }
            Some(IpAddr::V6(Ipv6Addr::from(bits)))
        }
        _ => None,
    }
}

/// `0` to `255` in decimal, without leading zeros (so each byte has one
/// spelling).
fn decimal_byte(label: &[u8]) -> Option<u8> {
    let text = std::str::from_utf8(label).ok()?;
    let canonical = text.len() == 1 || !text.starts_with('0');
    if !canonical || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// One hex digit.
fn hex_nibble(label: &[u8]) -> Option<u8> {
    match label {
        [digit] => (*digit as char).to_digit(16).map(|d| d as u8),
        _ => None,
    }
}

#[test]
fn only_well_formed_reverse_names_give_addresses() {
    let parse = |text: &str| address_of(&Name::parse(text).unwrap());
    assert_eq!(
        parse("7.2.0.192.IN-ADDR.ARPA"),
        Some("192.0.2.7".parse().unwrap())
    );
    for bad in [
        "2.0.192.in-addr.arpa",
        "256.2.0.192.in-addr.arpa",
        "07.2.0.192.in-addr.arpa",
        "x.2.0.192.in-addr.arpa",
        "7.2.0.192.in-addr.example",
        "1.ip6.arpa",
    ] {
        assert_eq!(parse(bad), None, "{bad}");
    }
}

//! The DNS codec (`src/dns/`) on hand-built packets: the attacks and
//! accidents of the robustness matrix (rows D3-D8, D17), each as bytes.
//!
//! A packet is written out byte by byte here, not with our encoder, so a
//! bug in the encoder can't hide the same bug in the decoder.

use std::net::IpAddr;

use inet::dns::LookupError;
use inet::dns::message::DecodeError;
use inet::dns::name::{Name, NameError, decode_name};
use inet::dns::reverse::reverse_name;
use inet::dns::{Message, RecordData, RecordType};

/// A 12-byte header: ID 0x1234, a response (QR=1, RD, RA), these counts.
fn header(qd: u16, an: u16) -> Vec<u8> {
    let mut h = vec![0x12, 0x34, 0x81, 0x80];
    for count in [qd, an, 0, 0] {
        h.extend_from_slice(&count.to_be_bytes());
    }
    h
}

/// `header(1, 0)` followed by `name` as a question of type A, class IN.
fn question(name: &[u8]) -> Vec<u8> {
    let mut packet = header(1, 0);
    packet.extend_from_slice(name);
    packet.extend_from_slice(&[0, 1, 0, 1]);
    packet
}

/// The wire form of a name, uncompressed.
fn wire(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    for label in text.split('.') {
        out.push(label.len() as u8);
        out.extend_from_slice(label.as_bytes());
    }
    out.push(0);
    out
}

/// A valid reply: `www.example.test A` with two answers, the first a
/// CNAME to `web.example.test`, the second an A record, both compressed.
fn valid_reply() -> Vec<u8> {
    let mut p = question(&wire("www.example.test"));
    p[7] = 2; // ANCOUNT
    // www.example.test. CNAME web.example.test. (web + pointer to 16)
    p.extend_from_slice(&[0xC0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 6]);
    let web = p.len();
    p.extend_from_slice(&[3, b'w', b'e', b'b', 0xC0, 16]);
    // web.example.test. A 192.0.2.7 (owner: pointer to the CNAME's data)
    p.extend_from_slice(&[0xC0, web as u8, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]);
    p.extend_from_slice(&[192, 0, 2, 7]);
    p
}

#[test]
fn the_valid_reply_decodes_with_its_pointers_followed() {
    let reply = Message::decode(&valid_reply()).unwrap();
    assert_eq!(reply.id, 0x1234);
    assert!(reply.flags.response && reply.flags.recursion_available);
    assert_eq!(reply.questions[0].name.to_string(), "www.example.test");
    assert_eq!(reply.answers[0].name.to_string(), "www.example.test");
    let web = Name::parse("web.example.test").unwrap();
    assert_eq!(reply.answers[0].data, RecordData::Cname(web.clone()));
    assert_eq!(reply.answers[1].name, web);
    assert_eq!(reply.answers[1].data, RecordData::A([192, 0, 2, 7].into()));
}

/// D3: a pointer to itself, a pointer forwards, and a loop A -> B -> A.
#[test]
fn d3_pointers_must_point_strictly_backwards() {
    let self_pointer = question(&[0xC0, 12]);
    assert_eq!(
        Message::decode(&self_pointer),
        Err(DecodeError::BadPointer { at: 12, to: 12 })
    );
    let forward = question(&[0xC0, 14, 1, b'a', 0]);
    assert_eq!(
        Message::decode(&forward),
        Err(DecodeError::BadPointer { at: 12, to: 14 })
    );
    // At 12: "a" then a pointer to 16; at 16: "b" then a pointer to 12.
    let mut looped = header(1, 0);
    looped.extend_from_slice(&[1, b'a', 0xC0, 16, 1, b'b', 0xC0, 12]);
    assert_eq!(
        decode_name(&looped, 12),
        Err(DecodeError::BadPointer { at: 14, to: 16 })
    );
    // Entered from the second name, the first jump is backwards, the
    // second one is not.
    assert_eq!(
        decode_name(&looped, 16),
        Err(DecodeError::BadPointer { at: 14, to: 16 })
    );
    // Forward chains 0 -> 2 -> 4 (py3dns's bug) stop at the first step.
    let chain = question(&[0xC0, 14, 0xC0, 16, 1, b'a', 0]);
    assert!(matches!(
        Message::decode(&chain),
        Err(DecodeError::BadPointer { .. })
    ));
}

/// D4: a pointer past the end, a message that ends after 0xC0, and the
/// full 14-bit offset (first byte 0xC1 to 0xFF).
#[test]
fn d4_pointers_use_14_bits_and_need_their_second_byte() {
    let past_end = question(&[0xC0, 200]);
    assert!(matches!(
        Message::decode(&past_end),
        Err(DecodeError::BadPointer { .. })
    ));
    let mut lone = header(1, 0);
    lone.push(0xC0);
    assert_eq!(
        Message::decode(&lone),
        Err(DecodeError::Truncated("a compression pointer"))
    );
    let top = question(&[0xFF, 0xFF]);
    assert_eq!(
        Message::decode(&top),
        Err(DecodeError::BadPointer { at: 12, to: 0x3FFF })
    );
    // A name at offset 300, reached with 0xC1 0x2C (256 + 44).
    let mut far = vec![0; 300];
    far.extend_from_slice(&wire("far.test"));
    let at = far.len();
    far.extend_from_slice(&[0xC1, 0x2C]);
    let (name, end) = decode_name(&far, at).unwrap();
    assert_eq!((name.to_string(), end), ("far.test".to_owned(), at + 2));
}

/// D5: a label of 64 (its length byte 0x40 is a reserved label type),
/// and the types 01 (0x40..) and 10 (0x80..).
#[test]
fn d5_reserved_label_types_are_refused() {
    let mut long = vec![64];
    long.extend_from_slice(&[b'a'; 64]);
    long.push(0);
    assert_eq!(
        Message::decode(&question(&long)),
        Err(DecodeError::BadLabelType(0x40))
    );
    for first in [0x41, 0x7F, 0x80, 0xBF] {
        let packet = question(&[first, 0]);
        assert_eq!(
            Message::decode(&packet),
            Err(DecodeError::BadLabelType(first))
        );
    }
}

/// D6: names over 255 bytes, made of labels or of pointers to names that
/// are each short enough.
#[test]
fn d6_names_over_255_bytes_are_refused_while_decompressing() {
    // 5 labels of 63 bytes, in place.
    let mut labels = Vec::new();
    for _ in 0..5 {
        labels.push(63);
        labels.extend_from_slice(&[b'x'; 63]);
    }
    labels.push(0);
    assert_eq!(
        Message::decode(&question(&labels)),
        Err(DecodeError::NameTooLong)
    );
    // Four questions, each one label of 63 plus a pointer to the one
    // before: 65, 129, 193, then 257 bytes once decompressed.
    let mut chain = header(4, 0);
    let mut previous = None;
    for _ in 0..4 {
        let at = chain.len();
        chain.push(63);
        chain.extend_from_slice(&[b'y'; 63]);
        match previous {
            None => chain.push(0),
            Some(before) => chain.extend_from_slice(&[0xC0, before]),
        }
        chain.extend_from_slice(&[0, 1, 0, 1]);
        previous = Some(at as u8);
    }
    assert_eq!(Message::decode(&chain), Err(DecodeError::NameTooLong));
    // The first three are fine on their own.
    chain[5] = 3;
    assert_eq!(
        Message::decode(&chain).unwrap().questions[2]
            .name
            .wire_len(),
        193
    );
}

/// D7: a real ip6.arpa reply: 34 labels, with pointers into the middle
/// of the question's name. No small hop counter may reject it.
#[test]
fn d7_a_long_ip6_arpa_reply_with_pointers_is_accepted() {
    let addr: IpAddr = "2001:db8::7".parse().unwrap();
    let reverse = reverse_name(addr).unwrap().to_string();
    let mut packet = header(1, 2);
    packet.extend_from_slice(&wire(&reverse));
    packet.extend_from_slice(&[0, 12, 0, 1]); // PTR IN
    // Answer: owner = pointer to the question; PTR host.<the ip6.arpa
    // suffix of the question>, itself a pointer.
    let ip6 = 12 + 32 * 2; // 32 nibble labels of 2 bytes each
    packet.extend_from_slice(&[0xC0, 12, 0, 12, 0, 1, 0, 0, 0, 60, 0, 7]);
    packet.extend_from_slice(&[4, b'h', b'o', b's', b't', 0xC0, ip6 as u8]);
    // A second record, owned by the last 16 nibbles and the suffix: a
    // pointer into the middle of the name.
    let middle = 12 + 16 * 2;
    packet.extend_from_slice(&[
        0xC0,
        middle as u8,
        0,
        99,
        0,
        1,
        0,
        0,
        0,
        60,
        0,
        0,
    ]);
    let reply = Message::decode(&packet).unwrap();
    assert_eq!(reply.answers[0].name, reverse_name(addr).unwrap());
    let host = Name::parse("host.ip6.arpa").unwrap();
    assert_eq!(reply.answers[0].data, RecordData::Ptr(host));
    assert_eq!(reply.answers[1].name.labels().len(), 18);
    assert_eq!(reply.answers[1].data.rtype(), RecordType::Other(99));
}

/// D8: a valid reply cut anywhere is an error, never a panic; so are
/// counts larger than the records present and RDLENGTH past the end.
#[test]
fn d8_a_reply_cut_at_any_offset_is_an_error() {
    let reply = valid_reply();
    assert!(Message::decode(&reply).is_ok());
    for len in 0..reply.len() {
        let cut = &reply[..len];
        assert!(
            matches!(Message::decode(cut), Err(DecodeError::Truncated(_))),
            "cut at {len}: {:?}",
            Message::decode(cut)
        );
    }
    assert_eq!(
        Message::decode(&reply[..11]),
        Err(DecodeError::Truncated("the 12-byte header"))
    );
    let mut more_answers = reply.clone();
    more_answers[7] = 200; // ANCOUNT 200, 2 present
    assert!(matches!(
        Message::decode(&more_answers),
        Err(DecodeError::Truncated(_))
    ));
    let mut long_rdata = reply.clone();
    let rdlength = long_rdata.len() - 5;
    long_rdata[rdlength] = 5; // the A record's RDLENGTH, past the end
    assert_eq!(
        Message::decode(&long_rdata),
        Err(DecodeError::Truncated("a record's data"))
    );
}

/// D8: A records of 4 bytes only, AAAA of 16, and names that fill their
/// RDATA exactly.
#[test]
fn d8_record_data_must_fit_its_type() {
    let record = |rtype: u8, rdata: &[u8]| {
        let mut p = header(0, 1);
        p.extend_from_slice(&wire("a.test"));
        p.extend_from_slice(&[
            0,
            rtype,
            0,
            1,
            0,
            0,
            0,
            60,
            0,
            rdata.len() as u8,
        ]);
        p.extend_from_slice(rdata);
        Message::decode(&p)
    };
    for (rtype, rdata, expected) in [
        (1, &[1, 2, 3][..], RecordType::A),
        (1, &[1, 2, 3, 4, 5][..], RecordType::A),
        (28, &[0; 4][..], RecordType::Aaaa),
        (28, &[0; 17][..], RecordType::Aaaa),
        (5, &[1, b'b', 0, 0][..], RecordType::Cname), // one byte too many
    ] {
        let len = rdata.len();
        assert_eq!(
            record(rtype, rdata),
            Err(DecodeError::BadRdata {
                rtype: expected,
                len
            }),
            "type {rtype}"
        );
    }
    assert!(record(1, &[1, 2, 3, 4]).is_ok());
    assert!(record(28, &[0; 16]).is_ok());
    assert!(record(12, &[1, b'b', 0xC0, 12]).is_ok());
    // A PTR whose name runs past its RDLENGTH into the next bytes.
    assert_eq!(
        record(12, &[1, b'b']),
        Err(DecodeError::Truncated("a name"))
    );
}

/// D17: names typed by a user are checked before anything is sent.
#[test]
fn d17_user_names_are_checked_before_sending() {
    let label = |n: usize| "a".repeat(n);
    assert_eq!(Name::parse(&label(64)), Err(NameError::LabelTooLong(64)));
    assert!(Name::parse(&label(63)).is_ok());
    // 3 labels of 63 and one of 61: 255 bytes on the wire, the most.
    let longest = format!("{0}.{0}.{0}.{1}", label(63), label(61));
    assert_eq!(Name::parse(&longest).unwrap().wire_len(), 255);
    let too_long = format!("{0}.{0}.{0}.{1}", label(63), label(62));
    assert_eq!(Name::parse(&too_long), Err(NameError::TooLong));
    assert_eq!(Name::parse("a..b"), Err(NameError::EmptyLabel));
    assert_eq!(Name::parse(".a"), Err(NameError::EmptyLabel));
    assert_eq!(Name::parse("a.b.."), Err(NameError::EmptyLabel));
    assert_eq!(Name::parse(""), Err(NameError::Empty));
    assert_eq!(Name::parse("."), Ok(Name::root()));
    assert_eq!(
        Name::parse("www.example.test."),
        Name::parse("www.example.test")
    );
}

/// Every error reads as a sentence a student can act on.
#[test]
fn errors_explain_themselves() {
    let shown = DecodeError::BadPointer { at: 12, to: 12 }.to_string();
    assert!(shown.contains("not strictly backwards"), "{shown}");
    assert_eq!(
        LookupError::NxDomain.to_string(),
        "host not found (NXDOMAIN)"
    );
    let shown = NameError::LabelTooLong(64).to_string();
    assert!(
        shown.contains("64 bytes") && shown.contains("63"),
        "{shown}"
    );
}

//! Unit tests of the mock's codec and answers, on bytes, without sockets.

use super::wire::{self, Incoming, Name, Rdata, Writer};
use super::*;
use std::io;
use std::net::IpAddr;

/// A query for `name` of type `qtype`, ID 0xBEEF, RD set.
fn query(name: &str, qtype: u16) -> Vec<u8> {
    let mut q = vec![0xBE, 0xEF, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
    q.extend_from_slice(Name::parse(name).unwrap().wire());
    q.extend_from_slice(&qtype.to_be_bytes());
    q.extend_from_slice(&1u16.to_be_bytes());
    q
}

#[test]
fn a_query_is_read_with_its_question_verbatim() {
    let q = query("Example.TEST", wire::TYPE_AAAA);
    let Incoming::Query(read) = wire::read(&q) else {
        panic!("not read as a query");
    };
    assert_eq!((read.id, read.qtype, read.qclass), (0xBEEF, 28, 1));
    assert_eq!(read.question, &q[12..]);
    assert_eq!(wire::display(read.name), "Example.TEST");
}

#[test]
fn responses_and_garbage_are_ignored_and_counts_other_than_one_are_formerr() {
    let mut response = query("a.test", 1);
    response[2] |= 0x80;
    assert_eq!(wire::read(&response), Incoming::Ignore);
    assert_eq!(wire::read(b"hello, this is not DNS"), Incoming::Ignore);
    let q = query("a.test", 1);
    for cut in 0..q.len() {
        let got = wire::read(&q[..cut]);
        assert!(!matches!(got, Incoming::Query(_)), "cut at {cut}");
    }
    let mut none = q[..12].to_vec();
    none[5] = 0;
    assert!(matches!(
        wire::read(&none),
        Incoming::FormErr { id: 0xBEEF, .. }
    ));
    let mut two = q.clone();
    two[5] = 2;
    two.extend_from_slice(&q[12..]);
    assert!(matches!(wire::read(&two), Incoming::FormErr { .. }));
}

#[test]
fn a_pointer_in_a_question_is_garbage() {
    let mut q = query("a.test", 1);
    q.truncate(12);
    q.extend_from_slice(&[0xC0, 0x0C, 0, 1, 0, 1]);
    assert_eq!(wire::read(&q), Incoming::Ignore);
}

#[test]
fn names_are_checked_as_rfc_1035_says() {
    assert_eq!(Name::parse("a.b.").unwrap(), Name::parse("a.b").unwrap());
    assert_eq!(Name::parse(".").unwrap().wire(), [0]);
    assert!(Name::parse("a..b").is_err());
    assert!(Name::parse(&"x".repeat(64)).is_err());
    assert!(Name::parse(&"x".repeat(63)).is_ok());
    let long = vec!["abc"; 64].join(".");
    assert!(Name::parse(&long).is_err());
}

#[test]
fn owner_names_point_at_the_question_and_suffixes_are_shared() {
    let q = query("www.example.test", wire::TYPE_CNAME);
    let Incoming::Query(read) = wire::read(&q) else {
        panic!()
    };
    let mut w = Writer::new(read.id, 0, 0, Some(read.question));
    let target = Name::parse("example.test").unwrap();
    w.answer(read.name, 60, &Rdata::Cname(target.clone()));
    w.answer(target.wire(), 60, &Rdata::A([192, 0, 2, 7].into()));
    let msg = w.finish();
    let answers = &msg[q.len()..];
    // CNAME: owner = pointer to 12; RDATA = pointer to "example" at 16.
    assert_eq!(&answers[..4], &[0xC0, 12, 0, 5]);
    assert_eq!(&answers[10..14], &[0, 2, 0xC0, 16]);
    // A: owner = pointer to the same place.
    assert_eq!(&answers[14..16], &[0xC0, 16]);
    assert_eq!(&answers[answers.len() - 4..], &[192, 0, 2, 7]);
    assert_eq!(&msg[6..8], &[0, 2]);
}

#[test]
fn reverse_names_are_dotted_octets_and_nibbles() {
    assert_eq!(
        reverse_name([192, 0, 2, 7].into()),
        "7.2.0.192.in-addr.arpa"
    );
    let v6: IpAddr = "2001:db8::1".parse().unwrap();
    let name = reverse_name(v6);
    assert!(name.starts_with("1.0.0.0.0.0.0.0."), "{name}");
    assert!(name.ends_with(".8.b.d.0.1.0.0.2.ip6.arpa"), "{name}");
    assert_eq!(name.split('.').count(), 34);
}

#[test]
fn display_escapes_odd_bytes() {
    assert_eq!(wire::display(&[0]), ".");
    assert_eq!(wire::display(b"\x03a.b\x01\x07\x00"), "a\\046b.\\007");
}

#[test]
fn question_lines_read_like_dig() {
    let q = Question {
        transport: Transport::Udp,
        id: 1,
        name: "example.test".into(),
        qtype: 28,
        from: "127.0.0.1:5353".parse().unwrap(),
    };
    assert_eq!(q.to_string(), "udp AAAA example.test from 127.0.0.1:5353");
    assert_eq!(type_name(16), "TYPE16");
}

#[test]
fn a_bad_name_fails_start_with_its_name() {
    let err = DnsMock::builder()
        .record("a..b", [127, 0, 0, 1])
        .start()
        .unwrap_err();
    assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    assert!(err.to_string().contains("a..b"), "{err}");
    let err = DnsMock::builder()
        .hosts("127.0.0.1 ok\nnonsense x\n")
        .start()
        .unwrap_err();
    assert!(err.to_string().contains("line 2"), "{err}");
}

/// A small deterministic generator (xorshift64), so the "any bytes"
/// tests need no crate and fail the same way every run.
struct Bytes(u64);

impl Bytes {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn message(&mut self, max: usize) -> Vec<u8> {
        let len = (self.next() % max as u64) as usize;
        (0..len).map(|_| self.next() as u8).collect()
    }
}

/// Reads `msg` and, if it is a query, plans the replies: nothing may
/// panic, and every reply must start with the query's ID and QR set.
fn read_and_plan(msg: &[u8], config: &reply::Config) {
    if let Incoming::Query(query) = wire::read(msg) {
        for transport in [Transport::Udp, Transport::Tcp] {
            let plan = reply::plan(config, &query, transport, 0);
            for out in plan.replies {
                assert!(out.bytes.len() >= 12);
                assert!(out.bytes[2] & 0x80 != 0, "QR set");
            }
        }
    }
}

fn busy_config() -> reply::Config {
    let mut config = reply::Config::default();
    let name = |t: &str| Name::parse(t).unwrap();
    config.zone.address(name("a.test"), [192, 0, 2, 1].into());
    config
        .zone
        .add(&name("b.test"), Rdata::Cname(name("a.test")));
    config.faults.wrong_id_first = true;
    config.faults.wrong_question_first = true;
    config
}

#[test]
fn any_bytes_are_read_without_panic() {
    let config = busy_config();
    let mut random = Bytes(0x9E37_79B9_7F4A_7C15);
    for _ in 0..20_000 {
        read_and_plan(&random.message(600), &config);
    }
}

#[test]
fn every_one_byte_change_to_a_query_is_handled() {
    let config = busy_config();
    let q = query("b.test", wire::TYPE_A);
    for at in 0..q.len() {
        for value in 0..=255 {
            let mut changed = q.clone();
            changed[at] = value;
            read_and_plan(&changed, &config);
        }
    }
}

#[test]
fn the_plan_drops_then_delays_then_answers_on_time() {
    let mut config = busy_config();
    config.faults = reply::Faults {
        drop_first: 1,
        delay_first: 2,
        delay: Duration::from_millis(7),
        ..reply::Faults::default()
    };
    let q = query("a.test", wire::TYPE_A);
    let Incoming::Query(query) = wire::read(&q) else {
        panic!()
    };
    let plans: Vec<(Option<Duration>, usize)> = (0..3)
        .map(|i| reply::plan(&config, &query, Transport::Udp, i))
        .map(|p| (p.delay, p.replies.len()))
        .collect();
    let delayed = Some(Duration::from_millis(7));
    assert_eq!(plans, [(None, 0), (delayed, 1), (None, 1)]);
}

//! Lesson 1's exercises.

use std::fmt::Debug;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

#[path = "../../lessons/answers/cname_chain.rs"]
mod cname_chain_answer;
#[path = "../../lessons/exercises/cname_chain.rs"]
mod cname_chain_start;
#[path = "../../lessons/answers/pointer_loop.rs"]
mod pointer_loop_answer;
// The learner's starting code never returns `Bad::BadPointer`: that is
// the exercise.
#[allow(dead_code)]
#[path = "../../lessons/exercises/pointer_loop.rs"]
mod pointer_loop_start;
#[path = "../../lessons/answers/ptr_name.rs"]
mod ptr_name_answer;
#[path = "../../lessons/exercises/ptr_name.rs"]
mod ptr_name_start;

/// How long a function under test may take on one input: far more than
/// it needs, so that only a loop fails.
const PATIENCE: Duration = Duration::from_secs(2);

/// `f(input)`, or a panic naming `what` if it has not returned within
/// [`PATIENCE`]. A function that loops for ever keeps its thread busy
/// until the test program ends.
fn within<I, O>(what: &str, f: fn(&I) -> O, input: I) -> O
where
    I: Send + 'static,
    O: Send + 'static,
{
    let (send, result) = mpsc::channel();
    thread::spawn(move || {
        let _ = send.send(f(&input));
    });
    match result.recv_timeout(PATIENCE) {
        Ok(output) => output,
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("no answer within {PATIENCE:?} on {what}: does it loop?")
        }
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            panic!("it panicked on {what}")
        }
    }
}

/// Lesson 1, exercise 1: the reverse name of an IPv6 address.
mod ptr_name {
    use super::{ptr_name_answer as answer, ptr_name_start as start};
    use crate::exercises::{for_all, unsaved};
    use inet::dns::reverse::reverse_name;
    use proptest::prelude::*;
    use std::net::IpAddr;

    #[test]
    #[ignore = "exercise: `cargo test --test inet -- --ignored ptr_name`"]
    fn start() {
        check(start::ptr_name);
    }

    #[test]
    fn answer() {
        check(answer::ptr_name);
    }

    fn check(ptr_name: fn(IpAddr) -> String) {
        let ip = |text: &str| text.parse::<IpAddr>().unwrap();
        let known = [
            ("192.0.2.7", "7.2.0.192.in-addr.arpa".to_string()),
            (
                "2001:db8::7",
                format!("7.{}8.b.d.0.1.0.0.2.ip6.arpa", "0.".repeat(23)),
            ),
            ("::1", format!("1.{}ip6.arpa", "0.".repeat(31))),
            (
                "fe80::abcd",
                format!("d.c.b.a.{}0.8.e.f.ip6.arpa", "0.".repeat(24)),
            ),
        ];
        for (addr, name) in known {
            assert_eq!(ptr_name(ip(addr)), name, "the PTR name of {addr}");
        }
        // Every address, as the robust program writes it.
        let what = "the PTR name of an address: ";
        for_all(what, unsaved(), &any::<IpAddr>(), |addr| {
            prop_assert_eq!(
                ptr_name(addr),
                reverse_name(addr).unwrap().to_string()
            );
            Ok(())
        });
    }
}

/// Lesson 1, exercise 2: compression pointers that loop.
mod pointer_loop {
    use super::{
        Debug, pointer_loop_answer as answer, pointer_loop_start as start,
        within,
    };

    #[test]
    #[ignore = "exercise: `cargo test --test inet -- --ignored pointer_loop`"]
    fn start() {
        check(start::decode_name);
    }

    #[test]
    fn answer() {
        check(answer::decode_name);
    }

    type Decode<E> = fn(&[u8], usize) -> Result<(String, usize), E>;

    /// A message: a 12-byte header (zeros), then `body` from byte 12.
    fn message(body: &[u8]) -> Vec<u8> {
        [&[0; 12][..], body].concat()
    }

    fn check<E: Debug + Send + 'static>(decode: Decode<E>) {
        // Byte 12: www.example.test; byte 30: a pointer to it; byte 32:
        // mail, then a pointer to example.test (byte 16).
        let names = message(
            b"\x03www\x07example\x04test\x00\xc0\x0c\x04mail\xc0\x10\x00",
        );
        let good = [
            (12, "www.example.test", 30),
            (30, "www.example.test", 32),
            (32, "mail.example.test", 39),
            (39, "", 40),
        ];
        for (at, name, end) in good {
            let got = decode(&names, at);
            let want = (name.to_string(), end);
            assert_eq!(got.ok(), Some(want), "the name at byte {at}");
        }
        let bad: [(&str, &[u8]); 7] = [
            ("a pointer to itself", b"\xc0\x0c"),
            ("two pointers to each other", b"\xc0\x0e\xc0\x0c"),
            ("a pointer to a pointer to itself", b"\xc0\x0e\xc0\x0e"),
            ("a loop through a label", b"\x01a\xc0\x0c"),
            ("a pointer past the end", b"\xc0\xff"),
            ("a pointer cut in half", b"\x01a\xc0"),
            ("a reserved label type", b"\x40"),
        ];
        for (what, body) in bad {
            let input = (message(body), decode);
            let got = within(what, |(msg, decode)| decode(msg, 12), input);
            assert!(got.is_err(), "{what}: must be an error, got {got:?}");
        }
    }
}

/// Lesson 1, exercise 3: CNAME chains.
mod cname_chain {
    use super::within;
    use super::{cname_chain_answer as answer, cname_chain_start as start};
    use inet::dns::{LookupError, Name, Record, RecordData, RecordType};
    use std::net::Ipv4Addr;

    #[test]
    #[ignore = "exercise: `cargo test --test inet -- --ignored cname_chain`"]
    fn start() {
        check(start::addresses);
    }

    #[test]
    fn answer() {
        check(answer::addresses);
    }

    type Addresses = fn(&[Record], &Name) -> Result<Vec<Ipv4Addr>, LookupError>;

    fn name(text: &str) -> Name {
        Name::parse(text).unwrap()
    }

    fn record(owner: &str, data: RecordData) -> Record {
        let (name, class, ttl) = (name(owner), 1, 300);
        Record {
            name,
            class,
            ttl,
            data,
        }
    }

    fn a(owner: &str, ip: [u8; 4]) -> Record {
        record(owner, RecordData::A(ip.into()))
    }

    fn cname(owner: &str, target: &str) -> Record {
        record(owner, RecordData::Cname(name(target)))
    }

    fn check(addresses: Addresses) {
        let ask = |what: &str, answers: Vec<Record>, host: &str| {
            let input = (answers, name(host), addresses);
            within(what, |(answers, host, f)| f(answers, host), input)
        };
        let ip = Ipv4Addr::new(192, 0, 2, 7);
        let example = || a("example.test", [192, 0, 2, 7]);
        let cases = [
            ("the name's own record", vec![example()], "example.test"),
            (
                "an alias",
                vec![cname("www.example.test", "example.test"), example()],
                "www.example.test",
            ),
            (
                "an alias, its target's record first",
                vec![example(), cname("www.example.test", "example.test")],
                "www.example.test",
            ),
            (
                "an alias of an alias",
                vec![
                    cname("a.test", "b.test"),
                    cname("b.test", "example.test"),
                    example(),
                ],
                "a.test",
            ),
            (
                "names in other cases",
                vec![cname("WWW.example.TEST", "Example.Test"), example()],
                "www.EXAMPLE.test",
            ),
            (
                "records about other names",
                vec![
                    a("evil.test", [6, 6, 6, 6]),
                    cname("www.example.test", "example.test"),
                    cname("other.test", "evil.test"),
                    example(),
                ],
                "www.example.test",
            ),
        ];
        for (what, answers, host) in cases {
            assert_eq!(ask(what, answers, host), Ok(vec![ip]), "{what}");
        }
        let no_data = LookupError::NoData(RecordType::A);
        let dangling = vec![cname("www.example.test", "example.test")];
        let got = ask("an alias of nothing", dangling, "www.example.test");
        assert_eq!(got, Err(no_data), "an alias of a name with no record");
        let loops = [
            ("an alias of itself", vec![cname("a.test", "a.test")]),
            (
                "two aliases of each other",
                vec![cname("a.test", "b.test"), cname("b.test", "a.test")],
            ),
            (
                "a chain that comes back",
                vec![
                    cname("a.test", "b.test"),
                    cname("b.test", "c.test"),
                    cname("c.test", "B.test"),
                ],
            ),
        ];
        for (what, answers) in loops {
            let got = ask(what, answers, "a.test");
            let looped = matches!(got, Err(LookupError::CnameLoop(_)));
            assert!(looped, "{what}: must be CnameLoop, got {got:?}");
        }
    }
}

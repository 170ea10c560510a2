//! The stub resolver and the [`Resolver`] seam against the mock DNS
//! server (`inet_mocks::dns`), which has a codec of its own: what our
//! client encodes, another implementation decodes, and the other way
//! round. Rows of the robustness matrix: D9, D10, D11, D14, D15, D16, D18.

use std::net::{IpAddr, Ipv4Addr};
use std::time::{Duration, Instant};

use inet::dns::LookupError;
use inet::dns::resolver::{Family, Resolver, StubResolver};
use inet::dns::stub::{self, Config};
use inet::dns::{Name, RecordType};
use inet_mocks::dns::{DECOY_V4, DnsMock, Rcode, Transport};

/// How long a test waits for the mock's log.
const WAIT: Duration = Duration::from_secs(5);

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

/// A mock with `example.test` (IPv4 and IPv6) and an alias to it.
fn zone() -> inet_mocks::dns::Builder {
    DnsMock::builder()
        .record("example.test", ip("192.0.2.7"))
        .record("example.test", ip("2001:db8::7"))
        .cname("www.example.test", "example.test")
}

fn resolver(mock: &DnsMock, millis: u64) -> StubResolver {
    StubResolver::new(config(mock, millis))
}

fn config(mock: &DnsMock, millis: u64) -> Config {
    Config {
        timeout: Duration::from_millis(millis),
        ..Config::new(mock.addr())
    }
}

#[test]
fn forward_and_reverse_lookups_for_both_families() {
    let mock = zone().start().unwrap();
    let stub = resolver(&mock, 2000);
    assert_eq!(
        stub.addresses("example.test", Family::V4),
        Ok(vec![ip("192.0.2.7")])
    );
    assert_eq!(
        stub.addresses("example.test.", Family::V6),
        Ok(vec![ip("2001:db8::7")])
    );
    let both = vec![ip("192.0.2.7"), ip("2001:db8::7")];
    assert_eq!(stub.addresses("EXAMPLE.test", Family::Any), Ok(both));
    let name = stub.name_of(ip("192.0.2.7")).unwrap();
    assert_eq!(name.to_string(), "example.test"); // no final dot
    let name = stub.name_of(ip("2001:db8::7")).unwrap();
    assert_eq!(name.to_string(), "example.test");
    // An address is its own answer: nothing is asked.
    assert_eq!(
        stub.addresses("192.0.2.99", Family::V4),
        Ok(vec![ip("192.0.2.99")])
    );
    let asked: Vec<(u16, String)> = mock
        .questions()
        .into_iter()
        .map(|q| (q.qtype, q.name))
        .collect();
    assert_eq!(asked.len(), 6, "{asked:?}");
    let v6_reverse = asked[5].1.to_ascii_lowercase();
    assert_eq!(asked[4], (12, "7.2.0.192.in-addr.arpa".to_owned()));
    assert!(v6_reverse.ends_with("0.1.0.0.2.ip6.arpa"), "{v6_reverse}");
}

/// D9: every UDP answer is truncated (TC=1): the stub asks again over
/// TCP and gets the whole answer.
#[test]
fn d9_truncated_udp_answers_are_fetched_over_tcp() {
    let mock = zone().truncate_udp().start().unwrap();
    let stub = resolver(&mock, 2000);
    assert_eq!(
        stub.addresses("example.test", Family::V4),
        Ok(vec![ip("192.0.2.7")])
    );
    assert!(mock.wait_for_questions(2, WAIT));
    let transports: Vec<Transport> =
        mock.questions().iter().map(|q| q.transport).collect();
    assert_eq!(transports, [Transport::Udp, Transport::Tcp]);
}

/// D10: a decoy with the wrong ID, then one with the wrong question,
/// arrive before each real answer: the real answer wins.
#[test]
fn d10_decoys_before_the_answer_are_ignored() {
    for mock in [
        zone().wrong_id_first().start().unwrap(),
        zone().wrong_question_first().start().unwrap(),
        zone()
            .wrong_id_first()
            .wrong_question_first()
            .start()
            .unwrap(),
    ] {
        let found = resolver(&mock, 2000).addresses("example.test", Family::V4);
        assert_eq!(found, Ok(vec![ip("192.0.2.7")]));
        assert_ne!(found, Ok(vec![IpAddr::V4(DECOY_V4)]));
    }
}

/// D11: two lookups, seen from the server: two source ports, two IDs.
#[test]
fn d11_two_queries_have_different_ports_and_ids() {
    let mock = zone().start().unwrap();
    let stub = resolver(&mock, 2000);
    for _ in 0..2 {
        stub.addresses("example.test", Family::V4).unwrap();
    }
    let asked = mock.questions();
    assert_eq!(asked.len(), 2);
    assert_ne!(asked[0].from.port(), asked[1].from.port());
    assert_ne!(asked[0].id, asked[1].id);
    assert_eq!(asked[0].from.ip(), Ipv4Addr::LOCALHOST);
}

/// D14: NXDOMAIN, SERVFAIL, REFUSED and "no data" are told apart.
#[test]
fn d14_rcodes_and_no_data_are_distinct_errors() {
    let mock = zone()
        .rcode_for("broken.test", Rcode::ServFail)
        .rcode_for("private.test", Rcode::Refused)
        .rcode_for("gone.test", Rcode::NxDomain)
        .record("v4only.test", ip("192.0.2.8"))
        .start()
        .unwrap();
    let stub = resolver(&mock, 2000);
    for (host, family, expected) in [
        ("unknown.test", Family::V4, LookupError::NxDomain),
        ("gone.test", Family::V4, LookupError::NxDomain),
        ("broken.test", Family::V4, LookupError::ServFail),
        ("private.test", Family::V4, LookupError::Refused),
        (
            "v4only.test",
            Family::V6,
            LookupError::NoData(RecordType::Aaaa),
        ),
    ] {
        assert_eq!(stub.addresses(host, family), Err(expected), "{host}");
    }
    let nxdomain = Err(LookupError::NxDomain);
    assert_eq!(stub.name_of(ip("192.0.2.200")), nxdomain);
}

/// D15: an alias chain is followed to the address; a loop is an error.
#[test]
fn d15_cname_chains_are_followed_and_loops_stopped() {
    let mock = zone()
        .cname("alias.test", "www.example.test")
        .cname("loop-a.test", "loop-b.test")
        .cname("loop-b.test", "loop-a.test")
        .start()
        .unwrap();
    let stub = resolver(&mock, 2000);
    assert_eq!(
        stub.addresses("alias.test", Family::V4),
        Ok(vec![ip("192.0.2.7")])
    );
    let looped = stub.addresses("loop-a.test", Family::V4);
    let cname_loop =
        LookupError::CnameLoop(Name::parse("loop-a.test").unwrap());
    assert_eq!(looped, Err(cname_loop));
}

/// D16: the first two queries are lost; the resend answers, within the
/// deadline, with the same ID from the same port.
#[test]
fn d16_lost_queries_are_sent_again_within_the_deadline() {
    let mock = zone().drop_first(2).start().unwrap();
    let config = Config {
        attempts: 3,
        ..config(&mock, 1500)
    };
    let start = Instant::now();
    let found = StubResolver::new(config).addresses("example.test", Family::V4);
    assert_eq!(found, Ok(vec![ip("192.0.2.7")]));
    assert!(
        start.elapsed() < Duration::from_millis(1500),
        "{:?}",
        start.elapsed()
    );
    let asked = mock.questions();
    assert_eq!(asked.len(), 3);
    assert!(
        asked
            .iter()
            .all(|q| (q.id, q.from) == (asked[0].id, asked[0].from))
    );
}

/// D16: a server that answers nothing: a timeout, after the deadline and
/// not long after it, having asked `attempts` times.
#[test]
fn d16_no_answer_at_all_is_a_timeout() {
    let mock = zone().drop_first(usize::MAX).start().unwrap();
    let start = Instant::now();
    let found = resolver(&mock, 300).addresses("example.test", Family::V4);
    let took = start.elapsed();
    let timeout = LookupError::Timeout(Duration::from_millis(300));
    assert_eq!(found, Err(timeout));
    assert!(took >= Duration::from_millis(300), "{took:?}");
    assert!(took < Duration::from_millis(2300), "{took:?}");
    assert!(mock.wait_for_questions(3, WAIT));
    assert_eq!(mock.questions().len(), stub::DEFAULT_ATTEMPTS as usize);
}

/// D16: `--all` on a silent server gives up after one deadline, not one
/// for A and another for AAAA: only the A query is ever sent.
#[test]
fn d16_a_silent_server_is_asked_one_family_only() {
    let mock = zone().drop_first(usize::MAX).start().unwrap();
    let found = resolver(&mock, 300).addresses("example.test", Family::Any);
    let timeout = LookupError::Timeout(Duration::from_millis(300));
    assert_eq!(found, Err(timeout));
    assert!(mock.wait_for_questions(3, WAIT));
    let types: Vec<u16> = mock.questions().iter().map(|q| q.qtype).collect();
    assert_eq!(types, [1, 1, 1], "A three times, never AAAA");
}

/// D16: answers that come late, but within the deadline, are taken,
/// even after a resend.
#[test]
fn d16_a_late_answer_within_the_deadline_is_taken() {
    let mock = zone()
        .delay_first(1, Duration::from_millis(150))
        .start()
        .unwrap();
    let config = Config {
        attempts: 3,
        ..config(&mock, 1500)
    };
    assert_eq!(
        StubResolver::new(config).addresses("example.test", Family::V4),
        Ok(vec![ip("192.0.2.7")])
    );
}

/// A query for `host.test A` with this ID, by hand.
fn raw_query(id: u16) -> Vec<u8> {
    let mut query = id.to_be_bytes().to_vec();
    query.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
    query.extend_from_slice(b"\x04host\x04test\x00\x00\x01\x00\x01");
    query
}

fn udp_client() -> std::net::UdpSocket {
    let socket = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_read_timeout(Some(WAIT)).unwrap();
    socket.set_write_timeout(Some(WAIT)).unwrap();
    socket
}

#[test]
fn a_waiter_is_woken_by_a_question_that_arrives_while_it_waits() {
    // The mock wakes waiters only when there are some (a wake-up is a
    // system call): one that starts waiting before the question, or
    // after it, must both see it at once, not at the end of its wait.
    let mock = zone().start().unwrap();
    let socket = udp_client();
    let long = Duration::from_secs(20);
    for n in 1..=20 {
        let started = Instant::now();
        std::thread::scope(|s| {
            let waiter = s.spawn(|| mock.wait_for_questions(n, long));
            socket.send_to(&raw_query(n as u16), mock.addr()).unwrap();
            assert!(waiter.join().unwrap());
        });
        let mut reply = [0; 512];
        socket.recv(&mut reply).unwrap();
        // Woken, not timed out: far less than the wait it was given.
        assert!(started.elapsed() < long / 4, "{:?}", started.elapsed());
    }
}

#[test]
fn past_the_log_limit_queries_are_answered_and_counted_not_kept() {
    let mock = zone().record("host.test", ip("192.0.2.9")).log_limit(2);
    let mock = mock.start().unwrap();
    let socket = udp_client();
    for id in 1..=5 {
        socket.send_to(&raw_query(id), mock.addr()).unwrap();
        let mut reply = [0; 512];
        let n = socket.recv(&mut reply).unwrap();
        assert_eq!(reply[..2], id.to_be_bytes());
        assert_eq!(reply[n - 4..n], [192, 0, 2, 9]);
    }
    assert!(mock.wait_for_questions(5, WAIT));
    assert_eq!(mock.questions().len(), 2);
    assert_eq!(mock.messages().len(), 2);
}

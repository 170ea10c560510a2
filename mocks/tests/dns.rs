//! The mock DNS server, driven with query bytes built here by hand (not
//! through any client library), and its answers read back by hand.

use crate::program::{Program, retry_interrupted, run_within};
use inet_mocks::Dir;
use inet_mocks::dns::{
    Builder, DECOY_NAME, DECOY_V4, DnsMock, MAX_ANSWERS, Rcode, Transport,
};
use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, TcpStream, UdpSocket};
use std::path::Path;
use std::time::{Duration, Instant};

/// How long a test waits for a reply that should come.
const REPLY: Duration = Duration::from_secs(5);
/// The program under test.
const EXE: &str = env!("CARGO_BIN_EXE_mock-dns");
/// How long a test listens to be sure a reply does not come.
const SILENCE: Duration = Duration::from_millis(200);

const A: u16 = 1;
const CNAME: u16 = 5;
const PTR: u16 = 12;
const MX: u16 = 15;
const AAAA: u16 = 28;

/// A query: ID, RD set, one question for `name` (dots between labels,
/// no trailing dot) of type `qtype`, class IN.
fn query(id: u16, name: &str, qtype: u16) -> Vec<u8> {
    let mut q = id.to_be_bytes().to_vec();
    q.extend_from_slice(&[0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]);
    for label in name.split('.') {
        q.push(label.len() as u8);
        q.extend_from_slice(label.as_bytes());
    }
    q.push(0);
    q.extend_from_slice(&qtype.to_be_bytes());
    q.extend_from_slice(&[0, 1]);
    q
}

/// A reply, read by hand.
#[derive(Debug)]
struct Reply {
    bytes: Vec<u8>,
    id: u16,
    flags: u16,
    /// The question entry as echoed (name, type, class).
    question: Vec<u8>,
    /// `(owner, type, rdata)`; for CNAME and PTR, rdata is the name as
    /// text.
    answers: Vec<(String, u16, Vec<u8>)>,
}

impl Reply {
    fn rcode(&self) -> u16 {
        self.flags & 0xF
    }

    fn has(&self, flag: u16) -> bool {
        self.flags & flag != 0
    }

    fn addresses(&self) -> Vec<IpAddr> {
        let address = |(_, t, d): &(String, u16, Vec<u8>)| match *t {
            A => Some(IpAddr::from(<[u8; 4]>::try_from(&d[..]).ok()?)),
            AAAA => Some(IpAddr::from(<[u8; 16]>::try_from(&d[..]).ok()?)),
            _ => None,
        };
        self.answers.iter().filter_map(address).collect()
    }
}

const QR: u16 = 0x8000;
const AA: u16 = 0x0400;
const TC: u16 = 0x0200;
const RD: u16 = 0x0100;
const RA: u16 = 0x0080;

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

/// Reads a possibly compressed name; returns it and where it ends.
fn name_at(b: &[u8], mut at: usize) -> (String, usize) {
    let mut labels = Vec::new();
    let mut end = None;
    for _ in 0..128 {
        let len = usize::from(b[at]);
        if len >= 0xC0 {
            end.get_or_insert(at + 2);
            let target = usize::from(u16_at(b, at) & 0x3FFF);
            assert!(target < at, "pointers point backwards");
            at = target;
        } else if len == 0 {
            return (labels.join("."), end.unwrap_or(at + 1));
        } else {
            labels.push(
                String::from_utf8_lossy(&b[at + 1..at + 1 + len]).into_owned(),
            );
            at += 1 + len;
        }
    }
    panic!("name too long");
}

fn parse(bytes: Vec<u8>) -> Reply {
    assert!(bytes.len() >= 12, "short reply {bytes:?}");
    let (qd, an) = (u16_at(&bytes, 4), u16_at(&bytes, 6));
    let mut at = 12;
    let mut question = Vec::new();
    if qd == 1 {
        let (_, end) = name_at(&bytes, at);
        question = bytes[at..end + 4].to_vec();
        at = end + 4;
    }
    let mut answers = Vec::new();
    for _ in 0..an {
        let (owner, end) = name_at(&bytes, at);
        let rtype = u16_at(&bytes, end);
        let rdlength = usize::from(u16_at(&bytes, end + 8));
        let rdata_at = end + 10;
        let rdata = match rtype {
            CNAME | PTR => name_at(&bytes, rdata_at).0.into_bytes(),
            _ => bytes[rdata_at..rdata_at + rdlength].to_vec(),
        };
        answers.push((owner, rtype, rdata));
        at = rdata_at + rdlength;
    }
    assert_eq!(at, bytes.len(), "nothing after the answers");
    Reply {
        id: u16_at(&bytes, 0),
        flags: u16_at(&bytes, 2),
        question,
        answers,
        bytes,
    }
}

fn client() -> UdpSocket {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_read_timeout(Some(REPLY)).unwrap();
    socket.set_write_timeout(Some(REPLY)).unwrap();
    socket
}

/// Receives one datagram, checking it came from the mock.
fn recv(socket: &UdpSocket, mock: &DnsMock) -> Reply {
    let mut buf = [0; 2048];
    let (n, from) =
        retry_interrupted(|| socket.recv_from(&mut buf)).expect("a reply");
    assert_eq!(from, mock.addr());
    parse(buf[..n].to_vec())
}

/// Asserts nothing arrives for a while.
fn silence(socket: &UdpSocket) {
    socket.set_read_timeout(Some(SILENCE)).unwrap();
    let mut buf = [0; 2048];
    let got = retry_interrupted(|| socket.recv_from(&mut buf));
    assert!(got.is_err(), "unexpected reply {got:?}");
    socket.set_read_timeout(Some(REPLY)).unwrap();
}

fn ask_udp(mock: &DnsMock, q: &[u8]) -> Reply {
    let socket = client();
    socket.send_to(q, mock.addr()).unwrap();
    recv(&socket, mock)
}

fn tcp(mock: &DnsMock) -> TcpStream {
    let stream = TcpStream::connect_timeout(&mock.addr(), REPLY).unwrap();
    stream.set_read_timeout(Some(REPLY)).unwrap();
    stream.set_write_timeout(Some(REPLY)).unwrap();
    stream
}

/// Sends one length-prefixed query and reads one length-prefixed reply.
fn ask_on(mut stream: &TcpStream, q: &[u8]) -> Reply {
    let mut framed = (q.len() as u16).to_be_bytes().to_vec();
    framed.extend_from_slice(q);
    stream.write_all(&framed).unwrap();
    let mut len = [0; 2];
    stream.read_exact(&mut len).unwrap();
    let mut reply = vec![0; usize::from(u16::from_be_bytes(len))];
    stream.read_exact(&mut reply).unwrap();
    parse(reply)
}

fn ask_tcp(mock: &DnsMock, q: &[u8]) -> Reply {
    ask_on(&tcp(mock), q)
}

fn v4(a: u8, b: u8, c: u8, d: u8) -> IpAddr {
    IpAddr::V4(Ipv4Addr::new(a, b, c, d))
}

fn v6(text: &str) -> IpAddr {
    text.parse().unwrap()
}

/// The usual data: example.test has one A and one AAAA record, and
/// www.example.test is an alias for it.
fn example() -> DnsMock {
    example_with(|b| b)
}

/// The usual data, with a fault (or anything else) added.
fn example_with(fault: impl FnOnce(Builder) -> Builder) -> DnsMock {
    let builder = DnsMock::builder()
        .record("example.test", v4(192, 0, 2, 7))
        .record("example.test", v6("2001:db8::1"))
        .cname("www.example.test", "example.test");
    fault(builder).start().unwrap()
}

#[test]
fn a_question_gets_its_address_with_the_header_a_client_expects() {
    let mock = example();
    let q = query(0x1234, "ExAmPle.TEST", A);
    let reply = ask_udp(&mock, &q);
    assert_eq!(reply.id, 0x1234);
    assert!(reply.has(QR) && reply.has(AA) && reply.has(RD) && reply.has(RA));
    assert!(!reply.has(TC));
    assert_eq!(reply.rcode(), 0);
    // The question comes back byte for byte, case included (D13).
    assert_eq!(reply.question, &q[12..]);
    assert_eq!(reply.addresses(), [v4(192, 0, 2, 7)]);
    // The owner name is a pointer to the question (RFC 1035 §4.1.4).
    assert_eq!(&reply.bytes[q.len()..q.len() + 2], &[0xC0, 0x0C]);
    assert_eq!(reply.answers[0].0, "ExAmPle.TEST");
}

#[test]
fn aaaa_and_a_query_without_rd_is_answered_without_rd() {
    let mock = example();
    let mut q = query(7, "example.test", AAAA);
    q[2] = 0; // RD off
    let reply = ask_udp(&mock, &q);
    assert!(!reply.has(RD));
    assert_eq!(reply.addresses(), [v6("2001:db8::1")]);
}

#[test]
fn every_address_gets_a_ptr_v4_and_v6() {
    let mock = example();
    let reply = ask_udp(&mock, &query(1, "7.2.0.192.in-addr.arpa", PTR));
    assert_eq!(reply.answers.len(), 1);
    assert_eq!(reply.answers[0].1, PTR);
    assert_eq!(reply.answers[0].2, b"example.test");
    let nibbles = "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa";
    let reply = ask_udp(&mock, &query(2, nibbles, PTR));
    assert_eq!(reply.answers[0].2, b"example.test");
    assert_eq!(inet_mocks::dns::reverse_name(v6("2001:db8::1")), nibbles);
}

#[test]
fn an_explicit_ptr_is_served() {
    let mock = DnsMock::builder()
        .ptr(v4(10, 0, 0, 1), "gateway.test")
        .start()
        .unwrap();
    let reply = ask_udp(&mock, &query(1, "1.0.0.10.in-addr.arpa", PTR));
    assert_eq!(reply.answers[0].2, b"gateway.test");
}

#[test]
fn a_cname_comes_first_then_the_targets_records() {
    let mock = example();
    let reply = ask_udp(&mock, &query(3, "www.example.test", A));
    let kinds: Vec<(&str, u16)> = reply
        .answers
        .iter()
        .map(|(o, t, _)| (o.as_str(), *t))
        .collect();
    assert_eq!(kinds, [("www.example.test", CNAME), ("example.test", A)]);
    assert_eq!(reply.answers[0].2, b"example.test");
    assert_eq!(reply.addresses(), [v4(192, 0, 2, 7)]);
    // Asked for the CNAME itself, it is not followed.
    let reply = ask_udp(&mock, &query(4, "www.example.test", CNAME));
    assert_eq!(reply.answers.len(), 1);
}

#[test]
fn an_unknown_name_is_nxdomain_and_a_known_one_without_data_is_nodata() {
    let mock = example();
    let reply = ask_udp(&mock, &query(5, "nowhere.test", A));
    assert_eq!((reply.rcode(), reply.answers.len()), (3, 0));
    assert!(reply.has(QR) && reply.has(AA));
    let reply = ask_udp(&mock, &query(6, "example.test", MX));
    assert_eq!((reply.rcode(), reply.answers.len()), (0, 0));
}

#[test]
fn scripted_rcodes_win_over_records() {
    let mock = DnsMock::builder()
        .record("fails.test", v4(192, 0, 2, 1))
        .rcode_for("fails.test", Rcode::ServFail)
        .rcode_for("policy.test", Rcode::Refused)
        .rcode_for("gone.test.", Rcode::NxDomain)
        .start()
        .unwrap();
    for (name, rcode) in
        [("fails.test", 2), ("POLICY.test", 5), ("gone.test", 3)]
    {
        let reply = ask_udp(&mock, &query(9, name, A));
        assert_eq!((reply.rcode(), reply.answers.len()), (rcode, 0), "{name}");
    }
}

#[test]
fn tcp_on_the_same_port_takes_several_length_prefixed_queries() {
    let mock = example();
    let stream = tcp(&mock);
    let reply = ask_on(&stream, &query(10, "example.test", A));
    assert_eq!((reply.id, reply.addresses()), (10, vec![v4(192, 0, 2, 7)]));
    let reply = ask_on(&stream, &query(11, "example.test", AAAA));
    assert_eq!((reply.id, reply.addresses()), (11, vec![v6("2001:db8::1")]));
}

#[test]
fn truncate_udp_sets_tc_with_no_answers_while_tcp_answers_in_full() {
    let mock = example_with(Builder::truncate_udp);
    let q = query(12, "example.test", A);
    let reply = ask_udp(&mock, &q);
    assert!(reply.has(TC));
    assert_eq!((reply.rcode(), reply.answers.len()), (0, 0));
    assert_eq!(reply.question, &q[12..]);
    let reply = ask_tcp(&mock, &q);
    assert!(!reply.has(TC));
    assert_eq!(reply.addresses(), [v4(192, 0, 2, 7)]);
}

#[test]
fn an_answer_over_512_bytes_is_truncated_on_udp_only() {
    let mut builder = DnsMock::builder();
    for i in 1..=40 {
        builder = builder.record(
            "big.test",
            IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, i)),
        );
    }
    let mock = builder.start().unwrap();
    let q = query(13, "big.test", AAAA);
    let reply = ask_udp(&mock, &q);
    assert!(reply.has(TC));
    assert!(reply.bytes.len() <= 512);
    assert_eq!(reply.answers.len(), 0);
    let reply = ask_tcp(&mock, &q);
    assert_eq!(reply.answers.len(), 40);
}

#[test]
fn a_huge_zone_gives_a_capped_answer_d20() {
    let mut builder = DnsMock::builder();
    for i in 0..20_000u32 {
        builder = builder
            .record("many.test", IpAddr::from((0x0A00_0000 + i).to_be_bytes()));
        builder = builder.record(&format!("host{i}.test"), v4(192, 0, 2, 1));
    }
    builder = builder.cname("root.test", ".");
    let mock = builder.start().unwrap();
    let reply = ask_tcp(&mock, &query(14, "many.test", A));
    assert_eq!(reply.answers.len(), MAX_ANSWERS);
    // A CNAME to the root name is served as it is, without fuss.
    let reply = ask_tcp(&mock, &query(15, "root.test", A));
    assert_eq!(reply.rcode(), 3);
    assert_eq!(reply.answers[0].2, b"");
}

#[test]
fn drop_first_ignores_the_first_query_and_answers_the_retry() {
    let mock = example_with(|b| b.drop_first(1));
    let socket = client();
    socket
        .send_to(&query(20, "example.test", A), mock.addr())
        .unwrap();
    silence(&socket);
    socket
        .send_to(&query(21, "example.test", A), mock.addr())
        .unwrap();
    assert_eq!(recv(&socket, &mock).id, 21);
    // Both were received and logged.
    assert!(mock.wait_for_questions(2, REPLY));
}

#[test]
fn a_delayed_answer_does_not_hold_up_the_next() {
    let mock = example_with(|b| b.delay_first(1, Duration::from_millis(500)));
    let socket = client();
    socket
        .send_to(&query(30, "example.test", A), mock.addr())
        .unwrap();
    socket
        .send_to(&query(31, "example.test", A), mock.addr())
        .unwrap();
    assert_eq!(recv(&socket, &mock).id, 31);
    let late = recv(&socket, &mock);
    assert_eq!((late.id, late.addresses()), (30, vec![v4(192, 0, 2, 7)]));
}

#[test]
fn delay_all_holds_back_tcp_answers_too() {
    let mock = example_with(|b| b.delay_all(Duration::from_millis(50)));
    let reply = ask_tcp(&mock, &query(32, "example.test", A));
    assert_eq!(reply.addresses(), [v4(192, 0, 2, 7)]);
}

#[test]
fn dropping_the_mock_cuts_a_pending_delay_short() {
    let mock = DnsMock::builder()
        .delay_all(Duration::from_secs(600))
        .start()
        .unwrap();
    let socket = client();
    socket
        .send_to(&query(33, "example.test", A), mock.addr())
        .unwrap();
    let stream = tcp(&mock);
    let q = query(34, "example.test", A);
    let mut framed = (q.len() as u16).to_be_bytes().to_vec();
    framed.extend_from_slice(&q);
    (&stream).write_all(&framed).unwrap();
    assert!(mock.wait_for_questions(2, REPLY));
    let started = Instant::now();
    drop(mock);
    // Not a speed check: without the stop signal this would take 600 s.
    assert!(started.elapsed() < REPLY);
    // The TCP connection was closed, not answered.
    let mut buf = [0; 2];
    let read = retry_interrupted(|| (&stream).read(&mut buf));
    assert_eq!(read.unwrap_or(0), 0);
}

#[test]
fn a_wrong_id_decoy_comes_first_then_the_real_answer_d10() {
    let mock = example_with(Builder::wrong_id_first);
    let socket = client();
    let q = query(40, "example.test", A);
    socket.send_to(&q, mock.addr()).unwrap();
    let decoy = recv(&socket, &mock);
    assert_ne!(decoy.id, 40);
    assert_eq!(decoy.question, &q[12..]);
    assert_eq!(decoy.addresses(), [IpAddr::V4(DECOY_V4)]);
    let real = recv(&socket, &mock);
    assert_eq!((real.id, real.addresses()), (40, vec![v4(192, 0, 2, 7)]));
    // Over TCP there is no spoofing to imitate: one answer only.
    let reply = ask_tcp(&mock, &q);
    assert_eq!(reply.id, 40);
}

#[test]
fn a_wrong_question_decoy_comes_first_then_the_real_answer_d10() {
    let mock = example_with(Builder::wrong_question_first);
    let socket = client();
    let q = query(41, "example.test", AAAA);
    socket.send_to(&q, mock.addr()).unwrap();
    let decoy = recv(&socket, &mock);
    assert_eq!(decoy.id, 41);
    assert_ne!(decoy.question, &q[12..]);
    assert_eq!(name_at(&decoy.bytes, 12).0, DECOY_NAME);
    let real = recv(&socket, &mock);
    assert_eq!(real.question, &q[12..]);
    assert_eq!(real.addresses(), [v6("2001:db8::1")]);
}

#[test]
fn a_response_or_garbage_gets_nothing_back_and_the_mock_carries_on_d19() {
    let mock = example();
    let socket = client();
    let mut response = ask_udp(&mock, &query(50, "example.test", A)).bytes;
    assert!(response[2] & 0x80 != 0);
    socket.send_to(&response, mock.addr()).unwrap();
    silence(&socket);
    // Even a response with no answers and a bad rcode (what a server
    // would send back about a query it disliked).
    response[3] |= 0x01;
    socket.send_to(&response[..12], mock.addr()).unwrap();
    for garbage in [&b""[..], b"\xff", b"hello, this is not DNS", &[0; 11]] {
        socket.send_to(garbage, mock.addr()).unwrap();
    }
    silence(&socket);
    socket
        .send_to(&query(51, "example.test", A), mock.addr())
        .unwrap();
    assert_eq!(recv(&socket, &mock).id, 51);
    // Over TCP, garbage is skipped and the connection still works.
    let stream = tcp(&mock);
    (&stream).write_all(&[0, 3, 1, 2, 3]).unwrap();
    assert_eq!(ask_on(&stream, &query(52, "example.test", A)).id, 52);
    // Only the real queries were logged.
    let ids: Vec<u16> = mock.questions().iter().map(|q| q.id).collect();
    assert_eq!(ids, [50, 51, 52]);
}

#[test]
fn a_query_with_zero_or_two_questions_gets_formerr() {
    let mock = example();
    let mut none = query(60, "example.test", A);
    none.truncate(12);
    none[5] = 0;
    let reply = ask_udp(&mock, &none);
    assert_eq!((reply.id, reply.rcode()), (60, 1));
    let one = query(61, "example.test", A);
    let mut two = one.clone();
    two[5] = 2;
    two.extend_from_slice(&one[12..]);
    let reply = ask_udp(&mock, &two);
    assert_eq!((reply.id, reply.rcode(), reply.answers.len()), (61, 1, 0));
}

#[test]
fn an_edns_opt_record_is_ignored() {
    let mock = example();
    // What dig sends: ARCOUNT=1 and an OPT pseudo-record (RFC 6891 §6.1.2)
    // advertising a 1232-byte UDP payload.
    let mut q = query(70, "example.test", A);
    q[11] = 1;
    q.extend_from_slice(&[0, 0, 41, 0x04, 0xD0, 0, 0, 0, 0, 0, 0]);
    let reply = ask_udp(&mock, &q);
    assert_eq!(reply.addresses(), [v4(192, 0, 2, 7)]);
    assert_eq!(u16_at(&reply.bytes, 10), 0, "no additional records");
}

#[test]
fn other_classes_are_refused_and_other_opcodes_not_implemented() {
    let mock = example();
    let mut chaos = query(71, "example.test", A);
    let last = chaos.len() - 1;
    chaos[last] = 3; // class CH
    assert_eq!(ask_udp(&mock, &chaos).rcode(), 5);
    let mut status = query(72, "example.test", A);
    status[2] |= 2 << 3; // OPCODE 2, STATUS
    assert_eq!(ask_udp(&mock, &status).rcode(), 4);
}

#[test]
fn the_question_log_keeps_order_transport_name_type_and_source() {
    let mock = example();
    assert!(!mock.wait_for_questions(1, Duration::from_millis(1)));
    let socket = client();
    socket
        .send_to(&query(80, "Example.Test", AAAA), mock.addr())
        .unwrap();
    recv(&socket, &mock);
    let stream = tcp(&mock);
    ask_on(&stream, &query(81, "7.2.0.192.in-addr.arpa", PTR));
    assert!(mock.wait_for_questions(2, REPLY));
    let log = mock.questions();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].transport, Transport::Udp);
    assert_eq!(
        (log[0].id, log[0].name.as_str(), log[0].qtype),
        (80, "Example.Test", AAAA)
    );
    assert_eq!(log[0].from, socket.local_addr().unwrap());
    assert_eq!(log[1].transport, Transport::Tcp);
    assert_eq!((log[1].id, log[1].qtype), (81, PTR));
    assert_eq!(log[1].from, stream.local_addr().unwrap());
    let from = socket.local_addr().unwrap();
    assert_eq!(
        log[0].to_string(),
        format!("udp AAAA Example.Test from {from}")
    );
}

#[test]
fn hosts_text_gives_addresses_for_every_name_and_a_ptr_to_the_first() {
    let hosts = "# a hosts file\n127.0.0.1 localhost foo  # two names\n::1 ip6-localhost\n";
    let mock = DnsMock::builder().hosts(hosts).start().unwrap();
    let reply = ask_udp(&mock, &query(90, "foo", A));
    assert_eq!(reply.addresses(), [v4(127, 0, 0, 1)]);
    let reply = ask_udp(&mock, &query(91, "1.0.0.127.in-addr.arpa", PTR));
    assert_eq!(reply.answers[0].2, b"localhost");
    let reply = ask_udp(&mock, &query(92, "ip6-localhost", AAAA));
    assert_eq!(reply.addresses(), [v6("::1")]);
}

#[test]
fn the_binary_prints_its_address_then_each_question() {
    let mock = Program::start(
        EXE,
        &[
            "--record",
            "example.test=192.0.2.7",
            "--nxdomain",
            "gone.test",
        ],
    );
    let addr = mock.addr;
    assert_eq!(addr.ip(), Ipv4Addr::LOCALHOST);
    let socket = client();
    socket
        .send_to(&query(100, "example.test", A), addr)
        .unwrap();
    let mut buf = [0; 512];
    let (n, from) = retry_interrupted(|| socket.recv_from(&mut buf)).unwrap();
    assert_eq!(from, addr);
    let reply = parse(buf[..n].to_vec());
    assert_eq!((reply.id, reply.addresses()), (100, vec![v4(192, 0, 2, 7)]));
    let local = socket.local_addr().unwrap();
    let line = mock.next_line();
    assert_eq!(line, format!("udp A example.test from {local}"));
    socket.send_to(&query(101, "gone.test", A), addr).unwrap();
    let (n, _) = retry_interrupted(|| socket.recv_from(&mut buf)).unwrap();
    assert_eq!(parse(buf[..n].to_vec()).rcode(), 3);
}

/// Runs `mock-dns` with `args`, which should make it end at once.
fn run(args: &[&str]) -> (Option<i32>, String, String) {
    run_within(EXE, args, REPLY)
}

#[test]
fn the_binary_explains_itself_and_refuses_bad_arguments() {
    let (code, out, _) = run(&["--help"]);
    assert_eq!(code, Some(0));
    assert!(out.starts_with("usage: mock-dns"));
    for (args, status, says) in [
        (&["--port", "70000"][..], 2, "70000"),
        (&["--port", "+53"], 2, "+53"),
        (&["--bogus", "x"], 1, "unknown option \"--bogus\""),
        (&["--truncate-udp=yes"], 1, "--truncate-udp takes no value"),
        (&["--record"], 1, "--record needs a value"),
        (&["--record", "example.test"], 1, "NAME=ADDR"),
        (&["--record", "a=not-an-ip"], 1, "not an IP address"),
        (&["--record", "a..b=127.0.0.1"], 1, "a..b"),
        (&["--hosts", "/nonexistent/hosts"], 3, "cannot read"),
        (&["--max-connections", "0"], 1, "a whole number from 1"),
    ] {
        let (code, out, err) = run(args);
        assert_eq!(code, Some(status), "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
}

/// `mock-dns --help | head -0`: the help goes to a pipe whose reader is
/// gone. That is the reader's business: exit 0, and no panic.
#[test]
fn help_into_a_closed_pipe_is_no_panic() {
    use std::process::{Command, Stdio};
    let mut child = Command::new(EXE)
        .arg("--help")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start mock-dns");
    drop(child.stdout.take()); // the reader is gone before a byte is read
    let out = child.wait_with_output().expect("mock-dns ends");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(0), "{err}");
}

#[test]
fn a_decoy_from_another_port_comes_first_then_the_real_answer_d10() {
    let mock = example_with(Builder::wrong_source_first);
    let socket = client();
    let q = query(42, "example.test", A);
    socket.send_to(&q, mock.addr()).unwrap();
    let mut buf = [0; 512];
    let (n, from) = retry_interrupted(|| socket.recv_from(&mut buf)).unwrap();
    assert_ne!(from, mock.addr());
    assert_eq!(from.ip(), mock.addr().ip());
    let decoy = parse(buf[..n].to_vec());
    assert_eq!((decoy.id, decoy.question.as_slice()), (42, &q[12..]));
    assert_eq!(decoy.addresses(), [IpAddr::V4(DECOY_V4)]);
    let real = recv(&socket, &mock);
    assert_eq!(real.addresses(), [v4(192, 0, 2, 7)]);
}

#[test]
fn the_message_log_has_every_datagram_and_tcp_message_both_ways() {
    let mock = example();
    let socket = client();
    socket.send_to(b"junk", mock.addr()).unwrap();
    let q = query(110, "example.test", A);
    socket.send_to(&q, mock.addr()).unwrap();
    let udp_reply = recv(&socket, &mock);
    let tcp_q = query(111, "nowhere.test", A);
    let tcp_reply = ask_tcp(&mock, &tcp_q);
    let log = mock.messages();
    let seen: Vec<(Transport, Dir, &[u8])> = log
        .iter()
        .map(|m| (m.transport, m.dir, m.bytes.as_slice()))
        .collect();
    assert_eq!(
        seen,
        [
            (Transport::Udp, Dir::FromClient, &b"junk"[..]),
            (Transport::Udp, Dir::FromClient, &q[..]),
            (Transport::Udp, Dir::ToClient, &udp_reply.bytes[..]),
            (Transport::Tcp, Dir::FromClient, &tcp_q[..]),
            (Transport::Tcp, Dir::ToClient, &tcp_reply.bytes[..]),
        ]
    );
    assert_eq!(log[0].peer, socket.local_addr().unwrap());
}

#[test]
fn the_binary_says_so_when_its_port_is_taken() {
    let taken = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let (code, out, err) = run(&["--port", &port]);
    assert_eq!(code, Some(3), "{err}");
    assert!(out.is_empty());
    assert!(err.contains("cannot listen"), "{err}");
}

#[test]
fn a_log_limit_keeps_the_first_questions_and_still_counts_the_rest() {
    let mock = example_with(|b| b.log_limit(1));
    for id in [120, 121, 122] {
        ask_udp(&mock, &query(id, "example.test", A));
    }
    assert!(mock.wait_for_questions(3, REPLY));
    let ids: Vec<u16> = mock.questions().iter().map(|q| q.id).collect();
    assert_eq!(ids, [120]);
    assert_eq!(mock.messages().len(), 1);
}

/// Reads until the mock closes the connection: true if it closed (EOF,
/// or a reset) with nothing more to say; false if bytes came instead.
fn closed_without_a_word(mut stream: &TcpStream) -> bool {
    let mut rest = Vec::new();
    match stream.read_to_end(&mut rest) {
        Ok(_) => rest.is_empty(),
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
            rest.is_empty()
        }
        Err(e) => panic!("no close: {e}"),
    }
}

/// Finding 3 of the mocks' audit: a TCP client sending its message a
/// byte at a time is cut off at the message deadline, however often
/// each byte would restart a read timeout.
#[test]
fn a_trickling_tcp_client_is_cut_off_at_the_message_deadline() {
    let deadline = Duration::from_millis(300);
    let mock = example_with(|b| b.tcp_deadline(deadline));
    let stream = tcp(&mock);
    // The length says 512: at a byte per 20 ms, 10 s to send it all.
    let mut trickle = vec![2, 0];
    trickle.extend_from_slice(&[0; 512]);
    let pace = Duration::from_millis(20);
    let give_up = Duration::from_secs(3);
    let started = Instant::now();
    let mut cut_off = false;
    for &byte in &trickle {
        if (&stream).write_all(&[byte]).is_err() {
            cut_off = true; // a write after the close is refused
            break;
        }
        // Waiting for the close is the pause between two bytes.
        stream.set_read_timeout(Some(pace)).unwrap();
        match retry_interrupted(|| (&stream).read(&mut [0; 16])) {
            Ok(0) => cut_off = true,
            Ok(n) => panic!("{n} bytes from the mock"),
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                cut_off = true;
            }
            Err(_) => {} // no close yet: the next byte
        }
        if cut_off || started.elapsed() > give_up {
            break;
        }
    }
    assert!(cut_off, "still open after {:?}", started.elapsed());
    assert!(started.elapsed() < give_up);
    // The mock serves on.
    let reply = ask_tcp(&mock, &query(8, "example.test", A));
    assert_eq!(reply.addresses(), [v4(192, 0, 2, 7)]);
}

/// An idle TCP connection is closed after the I/O timeout, before its
/// first message and between two.
#[test]
fn an_idle_tcp_connection_is_closed_after_the_io_timeout() {
    let idle = Duration::from_millis(200);
    let mock = example_with(|b| b.io_timeout(idle));
    let silent = tcp(&mock);
    let asked = tcp(&mock);
    let reply = ask_on(&asked, &query(9, "example.test", A));
    assert_eq!(reply.id, 9);
    let started = Instant::now();
    assert!(closed_without_a_word(&silent));
    assert!(closed_without_a_word(&asked));
    assert!(started.elapsed() < REPLY);
}

/// Row V1 over TCP: with the one place taken, more TCP clients are
/// closed without an answer, while UDP is answered as ever.
#[test]
fn v1_tcp_clients_past_the_cap_are_closed_and_udp_goes_on() {
    let mock = example_with(|b| b.max_connections(1));
    let held = tcp(&mock);
    let q = query(10, "example.test", A);
    assert_eq!(ask_on(&held, &q).id, 10);
    for _ in 0..3 {
        let extra = tcp(&mock);
        let mut framed = (q.len() as u16).to_be_bytes().to_vec();
        framed.extend_from_slice(&q);
        let _ = (&extra).write_all(&framed); // may meet the close
        assert!(closed_without_a_word(&extra));
    }
    assert_eq!(ask_udp(&mock, &q).id, 10);
    assert_eq!(ask_on(&held, &q).id, 10, "the held one is served");
}

/// Finding 4 of the mocks' audit: `--hosts` takes a regular file of at
/// most 4 MiB, and refuses anything else at once (a FIFO would block
/// the start for good, `/dev/zero` would fill the memory).
#[cfg(unix)]
#[test]
fn the_binary_refuses_hosts_that_are_not_a_small_regular_file() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.unwrap().success());
    // Sparse: 4 MiB and a byte that cost no disk.
    let big = dir.path().join("big");
    let file = std::fs::File::create(&big).unwrap();
    file.set_len(4 * 1024 * 1024 + 1).unwrap();
    for (path, says) in [
        (Path::new("/dev/zero"), "not a regular file"),
        (&fifo, "not a regular file"),
        (&big, "larger than 4 MiB"),
    ] {
        let path = path.to_str().unwrap();
        let (code, out, err) = run(&["--hosts", path]);
        assert_eq!(code, Some(3), "{path}: {err}");
        assert!(out.is_empty(), "{path}");
        assert!(err.contains(says), "{path}: {err}");
    }
}

/// A hosts file is read whole, whatever its size up to the cap.
#[test]
fn the_binary_serves_the_records_of_a_hosts_file() {
    let dir = tempfile::tempdir().unwrap();
    let hosts = dir.path().join("hosts");
    let mut text = String::from("# comment\n");
    for n in 0..1000 {
        text.push_str(&format!("10.0.{}.{} host{n}.test\n", n / 256, n % 256));
    }
    std::fs::write(&hosts, text).unwrap();
    let mock = Program::start(EXE, &["--hosts", hosts.to_str().unwrap()]);
    let socket = client();
    socket
        .send_to(&query(11, "host999.test", A), mock.addr)
        .unwrap();
    let mut buf = [0; 512];
    let (n, _) = retry_interrupted(|| socket.recv_from(&mut buf)).unwrap();
    assert_eq!(parse(buf[..n].to_vec()).addresses(), [v4(10, 0, 3, 231)]);
}

/// A closed standard output ends the log, not the program: every query
/// is answered after it.
#[test]
fn the_binary_answers_on_after_its_output_is_closed() {
    let mock = Program::start_unread(EXE, &["--record", "a.test=192.0.2.1"]);
    mock.close_output();
    let socket = client();
    for id in 0..50 {
        socket.send_to(&query(id, "a.test", A), mock.addr).unwrap();
        let mut buf = [0; 512];
        let (n, _) =
            retry_interrupted(|| socket.recv_from(&mut buf)).expect("a reply");
        assert_eq!(parse(buf[..n].to_vec()).id, id);
    }
}

//! The stub resolver (`src/dns/stub.rs`) against scripted sockets on
//! 127.0.0.1: a tiny UDP (and TCP) server in the test, whose replies are
//! written out per test, forgeries included. The mock DNS server
//! (`inet_mocks::dns`) is used in `tests/names/mock.rs`; these tests cover
//! what a server can't easily do: datagrams from *another* port, replies
//! shaped byte by byte.
//!
//! Rows of the robustness matrix: D9, D10, D11, D12, D14, D15, D16.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use inet::blocking::retry_interrupted;
use inet::dns::LookupError;
use inet::dns::message::{CLASS_IN, Flags};
use inet::dns::stub::{self, Config, answer_of, new_id};
use inet::dns::{Message, Name, Query, Rcode, Record, RecordData, RecordType};

/// How long a scripted server waits for a query before it gives up.
const IDLE: Duration = Duration::from_secs(5);

/// What a scripted server saw: who asked, and the query.
type Seen = (SocketAddr, Message);

/// A UDP server on 127.0.0.1 that answers each query with the datagrams
/// `script` returns, each sent from the server's socket or, when its
/// flag is set, from another socket (a forger on another port). It stops
/// after `queries` queries. What it saw arrives on the receiver.
fn scripted(
    queries: usize,
    script: impl FnMut(usize, &Message) -> Vec<(bool, Vec<u8>)> + Send + 'static,
) -> (SocketAddr, Receiver<Seen>) {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    scripted_on(socket, queries, script)
}

/// [`scripted`], on a socket the test has bound.
fn scripted_on(
    socket: UdpSocket,
    queries: usize,
    mut script: impl FnMut(usize, &Message) -> Vec<(bool, Vec<u8>)> + Send + 'static,
) -> (SocketAddr, Receiver<Seen>) {
    socket.set_read_timeout(Some(IDLE)).unwrap();
    let forger = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = socket.local_addr().unwrap();
    let (seen, log) = mpsc::channel();
    thread::spawn(move || {
        let mut buf = [0; 1024];
        for n in 0..queries {
            let Ok((len, from)) =
                retry_interrupted(|| socket.recv_from(&mut buf))
            else {
                return;
            };
            let query = Message::decode(&buf[..len]).expect("a query");
            for (forged, datagram) in script(n, &query) {
                let sender = if forged { &forger } else { &socket };
                sender.send_to(&datagram, from).unwrap();
            }
            let _ = seen.send((from, query));
        }
    });
    (addr, log)
}

/// A UDP socket and a TCP listener on the same port of 127.0.0.1, as a
/// DNS server has. The system picks a free UDP port, which TCP may still
/// find taken by another test: then try another.
fn udp_and_tcp() -> (UdpSocket, TcpListener) {
    for _ in 0..16 {
        let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
        if let Ok(tcp) = TcpListener::bind(udp.local_addr().unwrap()) {
            return (udp, tcp);
        }
    }
    panic!("no port free for both UDP and TCP");
}

/// A server that answers every UDP query with TC=1 and no answers.
fn truncating(udp: UdpSocket) -> SocketAddr {
    let (server, _log) = scripted_on(udp, 1, |_, query| {
        let mut truncated = reply(query, Rcode::NoError, vec![]);
        truncated.flags.truncated = true;
        vec![(false, truncated.encode().unwrap())]
    });
    server
}

/// Accepts one TCP connection, reads one length-prefixed query, and
/// hands both to the test.
fn accept_query(listener: &TcpListener) -> (TcpStream, Message) {
    let (mut stream, _) = listener.accept().unwrap();
    stream.set_read_timeout(Some(IDLE)).unwrap();
    stream.set_write_timeout(Some(IDLE)).unwrap();
    let mut length = [0; 2];
    stream.read_exact(&mut length).unwrap();
    let mut query = vec![0; usize::from(u16::from_be_bytes(length))];
    stream.read_exact(&mut query).unwrap();
    (stream, Message::decode(&query).unwrap())
}

/// Serves one TCP connection on another thread: `serve` gets the stream
/// and the query read from it, and what it returns arrives on the
/// receiver. The test waits for that with [`finished`], never with
/// `join`: a stub that never connects fails the test instead of leaving
/// it blocked in `accept` forever.
fn serve_once<T: Send + 'static>(
    listener: TcpListener,
    serve: impl FnOnce(TcpStream, Message) -> T + Send + 'static,
) -> Receiver<T> {
    let (done, result) = mpsc::channel();
    thread::spawn(move || {
        let (stream, query) = accept_query(&listener);
        let _ = done.send(serve(stream, query));
    });
    result
}

/// What the server of [`serve_once`] returned, within [`IDLE`].
fn finished<T>(result: &Receiver<T>) -> T {
    result
        .recv_timeout(IDLE)
        .expect("the TCP server did not finish: no connection, or it panicked")
}

/// `message` as TCP carries it: after its length in 2 bytes (RFC 1035
/// §4.2.2).
fn framed(message: &[u8]) -> Vec<u8> {
    [&(message.len() as u16).to_be_bytes()[..], message].concat()
}

/// Our query for the A records of `host`, as the server decodes it.
fn query_of(host: &str) -> Message {
    let query = Query::new(1, name(host), RecordType::A);
    Message::decode(&query.to_bytes()).unwrap()
}

/// The reply to `query` with these answers and RCODE.
fn reply(query: &Message, rcode: Rcode, answers: Vec<Record>) -> Message {
    Message {
        id: query.id,
        flags: Flags {
            response: true,
            recursion_desired: true,
            recursion_available: true,
            rcode,
            ..Flags::default()
        },
        questions: query.questions.clone(),
        answers,
        ..Message::default()
    }
}

fn name(text: &str) -> Name {
    Name::parse(text).unwrap()
}

fn record(owner: &str, data: RecordData) -> Record {
    Record {
        name: name(owner),
        class: CLASS_IN,
        ttl: 60,
        data,
    }
}

fn a(owner: &str, ip: [u8; 4]) -> Record {
    record(owner, RecordData::A(Ipv4Addr::from(ip)))
}

fn cname(owner: &str, target: &str) -> Record {
    record(owner, RecordData::Cname(name(target)))
}

/// The reply to `query` answering A 192.0.2.1.
fn good_reply(query: &Message) -> Message {
    let owner = query.questions[0].name.to_string();
    reply(query, Rcode::NoError, vec![a(&owner, [192, 0, 2, 1])])
}

/// [`good_reply`], as bytes.
fn good(query: &Message) -> Vec<u8> {
    good_reply(query).encode().unwrap()
}

/// [`good_reply`] with TC=1, as bytes.
fn good_truncated(query: &Message) -> Vec<u8> {
    let mut truncated = good_reply(query);
    truncated.flags.truncated = true;
    truncated.encode().unwrap()
}

fn config(server: SocketAddr, millis: u64) -> Config {
    Config {
        timeout: Duration::from_millis(millis),
        ..Config::new(server)
    }
}

fn lookup_a(
    config: &Config,
    host: &str,
) -> Result<Vec<RecordData>, LookupError> {
    stub::lookup(config, &name(host), RecordType::A)
}

const THE_ANSWER: RecordData = RecordData::A(Ipv4Addr::new(192, 0, 2, 1));

/// D10: forgeries and strays arrive first: from another port, with
/// another ID, about another name or type, a query instead of a reply,
/// bytes that are not DNS. The stub ignores them all and takes the real
/// reply that follows.
#[test]
fn d10_only_the_matching_reply_from_the_server_is_accepted() {
    let (server, _log) = scripted(1, |_, query| {
        let forged = |f: &dyn Fn(&mut Message)| {
            let mut m =
                reply(query, Rcode::NoError, vec![a("x.test", [6, 6, 6, 6])]);
            m.answers[0].name = query.questions[0].name.clone();
            f(&mut m);
            m.encode().unwrap()
        };
        vec![
            (true, forged(&|_| {})), // right everything, wrong port
            (false, forged(&|m| m.id = m.id.wrapping_add(1))),
            (false, forged(&|m| m.questions[0].name = name("other.test"))),
            (false, forged(&|m| m.questions[0].rtype = RecordType::Aaaa)),
            (false, forged(&|m| m.questions[0].class = 3)),
            (false, forged(&|m| m.flags.response = false)),
            (false, forged(&|m| m.questions.clear())),
            (false, b"\x00".to_vec()),
            (false, good(query)),
        ]
    });
    let answer = lookup_a(&config(server, 2000), "www.example.test");
    assert_eq!(answer, Ok(vec![THE_ANSWER]));
}

/// D10: names are compared without regard to case (RFC 1035 §2.3.3):
/// a server may answer `WWW.Example.TEST` to `www.example.test`.
#[test]
fn d10_the_question_may_come_back_in_another_case() {
    let (server, _log) = scripted(1, |_, query| {
        let mut m = good_reply(query);
        m.questions[0].name = name("WWW.Example.TEST");
        m.answers[0].name = name("WWW.EXAMPLE.test");
        vec![(false, m.encode().unwrap())]
    });
    let answer = lookup_a(&config(server, 2000), "www.example.test");
    assert_eq!(answer, Ok(vec![THE_ANSWER]));
}

/// D10: a reply with our ID from our server that can't be decoded is
/// not believed; if nothing better comes, the error says "malformed".
#[test]
fn d10_a_malformed_reply_is_reported_as_such_when_nothing_better_comes() {
    let (server, _log) = scripted(3, |_, query| {
        let mut bytes = good(query);
        bytes.truncate(20); // the header and part of the question
        vec![(false, bytes)]
    });
    let answer = lookup_a(&config(server, 300), "www.example.test");
    let malformed = matches!(answer, Err(LookupError::Malformed(_)));
    assert!(malformed, "{answer:?}");
}

/// D10: a reply over 512 bytes (RFC 1035 §4.2.1) is refused even when it
/// matches: without EDNS a server must set TC instead. Padding after the
/// last record would otherwise decode as if it were not there.
#[test]
fn d10_a_reply_over_512_bytes_is_malformed() {
    let (server, _log) = scripted(3, |_, query| {
        let mut bytes = good(query);
        bytes.resize(600, 0);
        vec![(false, bytes)]
    });
    let answer = lookup_a(&config(server, 300), "www.example.test");
    assert_eq!(answer, Err(LookupError::OverUdpLimit));
    // We read 513 bytes of the 600: the message must not claim 513.
    let message = answer.as_ref().unwrap_err().to_string();
    assert!(message.contains("over 512 bytes"), "{message}");
    assert!(!message.contains("513"), "{message}");
}

/// D11: two lookups go from two sockets (two source ports), with two
/// IDs; a resend of the same query keeps its ID.
#[test]
fn d11_each_query_has_its_own_port_and_id() {
    let (server, log) = scripted(2, |_, query| vec![(false, good(query))]);
    let config = config(server, 2000);
    for _ in 0..2 {
        assert_eq!(lookup_a(&config, "www.example.test"), Ok(vec![THE_ANSWER]));
    }
    let (first, second) = (log.recv().unwrap(), log.recv().unwrap());
    assert_ne!(first.0.port(), second.0.port(), "same source port");
    assert_ne!(first.1.id, second.1.id, "same ID");
    // RD=1: a stub asks the server to recurse.
    assert!(first.1.flags.recursion_desired);
}

/// D12: IDs cover the whole range, and don't count up. A statistical
/// smoke test: each bound below fails by chance with odds far below one
/// in a billion.
#[test]
fn d12_ids_are_spread_over_the_whole_range() {
    let ids: Vec<u16> = (0..10_000).map(|_| new_id()).collect();
    let distinct: HashSet<u16> = ids.iter().copied().collect();
    // 10000 draws from 65536 give ~9280 distinct values.
    assert!(distinct.len() > 9000, "{} distinct", distinct.len());
    let sequential = ids
        .windows(2)
        .filter(|w| w[1] == w[0].wrapping_add(1))
        .count();
    assert!(sequential < 10, "{sequential} IDs follow the one before");
    // Each sixteenth of the range gets ~625 IDs.
    let mut buckets = [0; 16];
    for id in &ids {
        buckets[usize::from(id >> 12)] += 1;
    }
    assert!(buckets.iter().all(|&n| n > 450), "{buckets:?}");
    let low_bits = ids.iter().filter(|&&id| id & 1 == 1).count();
    assert!((4500..5500).contains(&low_bits), "{low_bits} odd IDs");
}

/// D16: the first two queries are lost; the third (a resend, same ID)
/// is answered, well within the deadline.
#[test]
fn d16_lost_queries_are_sent_again() {
    let (server, log) = scripted(3, |n, query| match n {
        0 | 1 => vec![],
        _ => vec![(false, good(query))],
    });
    // 500 ms per attempt: the answer to the third must come within its
    // share, and a machine busy with other builds can hold a thread back
    // for a few hundred milliseconds.
    let config = Config {
        attempts: 3,
        ..config(server, 1500)
    };
    assert_eq!(lookup_a(&config, "www.example.test"), Ok(vec![THE_ANSWER]));
    let sent: Vec<Seen> = log.iter().take(3).collect();
    assert!(
        sent.iter()
            .all(|(from, q)| (*from, q.id) == (sent[0].0, sent[0].1.id))
    );
}

/// D16: a server that never answers: a timeout error, once the deadline
/// has passed, and not long after it.
#[test]
fn d16_silence_is_a_timeout_within_the_deadline() {
    let (server, log) = scripted(3, |_, _| vec![]);
    let config = config(server, 300);
    let start = Instant::now();
    let answer = lookup_a(&config, "www.example.test");
    let took = start.elapsed();
    assert_eq!(
        answer,
        Err(LookupError::Timeout(Duration::from_millis(300)))
    );
    assert!(took >= Duration::from_millis(300), "{took:?}");
    assert!(took < Duration::from_millis(2300), "{took:?}");
    assert_eq!(log.iter().take(3).count(), 3, "three attempts");
}

/// D9: a reply with TC=1 (and no answers) is never used: the stub asks
/// again over TCP, on the same port, and uses that answer.
#[test]
fn d9_a_truncated_reply_is_asked_again_over_tcp() {
    let (udp, listener) = udp_and_tcp();
    let server = truncating(udp);
    let tcp = serve_once(listener, |mut stream, query| {
        let framed = framed(&good(&query));
        // Two writes: the stub must read the length, then the rest.
        stream.write_all(&framed[..3]).unwrap();
        stream.write_all(&framed[3..]).unwrap();
        query
    });
    let answer = lookup_a(&config(server, 2000), "www.example.test");
    assert_eq!(answer, Ok(vec![THE_ANSWER]));
    let over_tcp = finished(&tcp);
    assert_eq!(over_tcp.questions[0].name, name("www.example.test"));
}

/// D9: a reply with TC=1 may end anywhere, even inside a record (RFC
/// 2181 §9): it is no malformed reply, and the stub asks over TCP.
#[test]
fn d9_a_truncated_reply_cut_inside_a_record_is_asked_again_over_tcp() {
    let (udp, listener) = udp_and_tcp();
    let (server, _log) = scripted_on(udp, 1, |_, query| {
        let bytes = good_truncated(query);
        vec![(false, bytes[..bytes.len() - 3].to_vec())]
    });
    let tcp = serve_once(listener, |mut stream, query| {
        stream.write_all(&framed(&good(&query))).unwrap();
    });
    let answer = lookup_a(&config(server, 2000), "www.example.test");
    assert_eq!(answer, Ok(vec![THE_ANSWER]));
    finished(&tcp);
}

/// D21: a reply that holds more than one question answers no query of
/// ours, and each could decode to a name of 255 bytes from a 2-byte
/// pointer: it is refused from its header, never decoded (the second
/// question here would be malformed).
#[test]
fn d21_a_reply_with_many_questions_is_refused_before_it_is_decoded() {
    let many = |query: &Message| {
        let mut bytes = good(query);
        bytes[5] = 2; // QDCOUNT: 2, the second a bad label type
        bytes.splice(12..12, [0x40, 0, 0, 1, 0, 1]);
        bytes
    };
    let (udp, listener) = udp_and_tcp();
    let (server, _log) = scripted_on(udp, 1, move |_, query| {
        vec![(false, many(query)), (false, good_truncated(query))]
    });
    let tcp = serve_once(listener, move |mut stream, query| {
        stream.write_all(&framed(&many(&query))).unwrap();
    });
    let answer = lookup_a(&config(server, 2000), "www.example.test");
    assert_eq!(answer, Err(LookupError::NotOurReply));
    finished(&tcp);
}

/// D9: TC=1 and no TCP server: an error, not the empty truncated answer.
/// The TCP listener holds the port until the lookup starts, so no other
/// test can take it meanwhile.
#[test]
fn d9_a_truncated_reply_without_tcp_is_an_error() {
    let (udp, listener) = udp_and_tcp();
    let server = truncating(udp);
    drop(listener);
    let answer = lookup_a(&config(server, 2000), "www.example.test");
    let Err(LookupError::Network(why)) = answer else {
        panic!("{answer:?}")
    };
    assert!(why.contains("truncated"), "{why}");
}

/// D9: over TCP, a server that closes mid-reply, that answers another
/// question, or whose reply is itself truncated (TC=1): an error each
/// time, never a hang or the truncated answer.
#[test]
fn d9_a_tcp_reply_cut_short_or_not_ours_is_an_error() {
    type Misreply = fn(&Message) -> Vec<u8>;
    let cases: [(Misreply, &str); 4] = [
        (|_| vec![], "closed before the length"),
        (
            |q| [&[0x01, 0x00][..], &good(q)].concat(),
            "length over the bytes",
        ),
        (
            |q| {
                let mut other = q.clone();
                other.questions[0].name = name("other.test");
                framed(&good(&other))
            },
            "another question",
        ),
        (|q| framed(&good_truncated(q)), "truncated again"),
    ];
    for (misreply, case) in cases {
        let (udp, listener) = udp_and_tcp();
        let server = truncating(udp);
        let tcp = serve_once(listener, move |mut stream, query| {
            stream.write_all(&misreply(&query)).unwrap();
            // Dropping the stream closes it: the stub sees the end.
        });
        let answer = lookup_a(&config(server, 2000), "www.example.test");
        finished(&tcp);
        match (case, answer) {
            ("another question", Err(LookupError::NotOurReply)) => {}
            ("truncated again", Err(e @ LookupError::TruncatedOverTcp)) => {
                let message = e.to_string();
                assert!(message.contains("truncated too (TC=1)"), "{message}");
            }
            (
                "closed before the length" | "length over the bytes",
                Err(LookupError::Network(why)),
            ) => {
                let closed = "TCP failed: the server closed the connection \
                              before its reply";
                assert!(why.ends_with(closed), "{case}: {why}");
            }
            (_, other) => panic!("{case}: {other:?}"),
        }
    }
}

/// D10, D16: a stream of datagrams that are not our reply (right server,
/// right ID, wrong question) can't keep the stub waiting: it gives up at
/// its deadline, however many keep coming.
#[test]
fn d16_a_flood_of_wrong_replies_does_not_extend_the_deadline() {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_read_timeout(Some(IDLE)).unwrap();
    socket.set_write_timeout(Some(IDLE)).unwrap();
    let server = socket.local_addr().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let flooding = Arc::clone(&stop);
    let flooder = thread::spawn(move || {
        let mut buf = [0; 1024];
        let (len, from) =
            retry_interrupted(|| socket.recv_from(&mut buf)).unwrap();
        let mut other = Message::decode(&buf[..len]).unwrap();
        other.questions[0].name = name("other.test");
        let wrong = good(&other);
        let mut sent = 0_u64;
        while !flooding.load(Ordering::Relaxed) {
            // A full socket buffer or a closed stub: keep going or stop.
            if socket.send_to(&wrong, from).is_ok() {
                sent += 1;
            }
        }
        sent
    });
    let start = Instant::now();
    let answer = lookup_a(&config(server, 300), "www.example.test");
    let took = start.elapsed();
    stop.store(true, Ordering::Relaxed);
    let sent = flooder.join().unwrap();
    assert_eq!(
        answer,
        Err(LookupError::Timeout(Duration::from_millis(300)))
    );
    assert!(sent > 0, "the flood never started");
    assert!(took < Duration::from_millis(2300), "{took:?}");
}

/// D14: each RCODE has its own error; NOERROR without the records asked
/// for is "no data".
#[test]
fn d14_each_rcode_is_its_own_error() {
    let query = query_of("www.example.test");
    let question = &query.questions[0];
    for (rcode, expected) in [
        (Rcode::NxDomain, LookupError::NxDomain),
        (Rcode::ServFail, LookupError::ServFail),
        (Rcode::Refused, LookupError::Refused),
        (Rcode::FormErr, LookupError::FormErr),
        (Rcode::NotImp, LookupError::OtherRcode(Rcode::NotImp)),
        (Rcode::Other(9), LookupError::OtherRcode(Rcode::Other(9))),
        (Rcode::NoError, LookupError::NoData(RecordType::A)),
    ] {
        assert_eq!(
            answer_of(&reply(&query, rcode, vec![]), question),
            Err(expected)
        );
    }
    // An AAAA record is no answer to a question about A.
    let v6 =
        record("www.example.test", RecordData::Aaaa("::1".parse().unwrap()));
    let answer = answer_of(&reply(&query, Rcode::NoError, vec![v6]), question);
    assert_eq!(answer, Err(LookupError::NoData(RecordType::A)));
}

/// D15: CNAME chains are followed in the answer; records about other
/// names are ignored; loops and overlong chains are errors.
#[test]
fn d15_cname_chains_are_followed_and_loops_stopped() {
    let query = query_of("www.example.test");
    let question = &query.questions[0];
    let answers = vec![
        a("unrelated.test", [6, 6, 6, 6]),
        cname("www.example.test", "web.example.test"),
        cname("web.example.test", "host.example.test"),
        a("host.example.test", [192, 0, 2, 1]),
    ];
    let answer = answer_of(&reply(&query, Rcode::NoError, answers), question);
    assert_eq!(answer, Ok(vec![THE_ANSWER]));
    let looped = vec![
        cname("www.example.test", "b.test"),
        cname("b.test", "www.example.test"),
    ];
    let answer = answer_of(&reply(&query, Rcode::NoError, looped), question);
    assert_eq!(
        answer,
        Err(LookupError::CnameLoop(name("www.example.test")))
    );
    // A chain of 20 aliases, each to the next: too long.
    let mut chain = vec![cname("www.example.test", "c0.test")];
    for n in 0..20 {
        chain.push(cname(&format!("c{n}.test"), &format!("c{}.test", n + 1)));
    }
    chain.push(a("c20.test", [192, 0, 2, 1]));
    let answer = answer_of(&reply(&query, Rcode::NoError, chain), question);
    assert!(
        matches!(answer, Err(LookupError::CnameLoop(_))),
        "{answer:?}"
    );
    // An alias whose target has no record: no data.
    let dangling = vec![cname("www.example.test", "nowhere.test")];
    let answer = answer_of(&reply(&query, Rcode::NoError, dangling), question);
    assert_eq!(answer, Err(LookupError::NoData(RecordType::A)));
    // A CNAME of another class (CHAOS, 3) is no alias of an IN name.
    let mut chaos = cname("www.example.test", "host.example.test");
    chaos.class = 3;
    let other_class = vec![chaos, a("host.example.test", [192, 0, 2, 1])];
    let answer =
        answer_of(&reply(&query, Rcode::NoError, other_class), question);
    assert_eq!(answer, Err(LookupError::NoData(RecordType::A)));
}

//! The stub resolver: one question to one recursive server, over UDP, and
//! over TCP when the answer doesn't fit (RFC 1035 §4.2, §7).
//!
//! The only module of [`dns`](super) with sockets. What to accept and
//! what an answer means are pure functions ([`is_reply_to`],
//! [`answer_of`]), so they are tested without a network.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream, UdpSocket};
use std::time::Duration;

use super::LookupError;
use super::message::{Message, Query, Question, Rcode};
use super::message::{RecordData, RecordType};
use super::name::Name;
use crate::blocking::is_timeout;
use crate::deadline::{Deadline, calls};
use crate::random::random_u64;

/// How long a lookup may take in all, retransmissions included, unless
/// told otherwise (`resolve --timeout`).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
/// How many times a query is sent over UDP before giving up.
pub const DEFAULT_ATTEMPTS: u32 = 3;
/// The largest UDP message without EDNS (RFC 1035 §4.2.1).
pub const MAX_UDP: usize = 512;
/// How many CNAMEs an answer may chain before we call it a loop. Real
/// chains are short; 8 is what many resolvers allow.
pub const MAX_CNAME_HOPS: usize = 8;

/// Where to ask, and how long to wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// The recursive server, `IP:PORT` (port 53 for a real one).
    pub server: SocketAddr,
    /// The whole lookup's deadline, from the first send.
    pub timeout: Duration,
    /// How many times the UDP query is sent (the first time included).
    pub attempts: u32,
}

impl Config {
    /// Asks `server`, with the default timeout and attempts.
    pub fn new(server: SocketAddr) -> Config {
        Config {
            server,
            timeout: DEFAULT_TIMEOUT,
            attempts: DEFAULT_ATTEMPTS,
        }
    }
}

// ANCHOR: new_id
/// A query ID nobody off the path can guess (RFC 5452 §9.2): a forger
/// must then try 65536 IDs for each of the ~28000 source ports.
pub fn new_id() -> u16 {
    random_u64() as u16 // the low 16 bits of 64 random ones
}
// ANCHOR_END: new_id

// ANCHOR: is_reply_to
/// True when `reply` answers `query` (RFC 1035 §7.3, RFC 5452 §9.1): a
/// response (QR=1) to a standard query (OPCODE 0), with the same ID and
/// the same single question (names matched without regard to case).
/// Anyone can send us a datagram; only a reply that passes this is
/// believed.
pub fn is_reply_to(reply: &Message, query: &Query) -> bool {
    let asked = &query.question;
    let same_question = match &reply.questions[..] {
        [got] => {
            got.name.eq_ignore_case(&asked.name)
                && got.rtype == asked.rtype
                && got.class == asked.class
        }
        _ => false,
    };
    reply.flags.response
        && reply.id == query.id
        && reply.flags.opcode == 0
        && same_question
}
// ANCHOR_END: is_reply_to

/// What a reply says about `question`: the records of the type asked
/// for, after the CNAME chain in the answer section (an alias points to
/// its canonical name, which has the records; RFC 1034 §3.6.2), or the
/// error the RCODE means. Records about other names, or of another
/// class, are ignored.
///
/// # Errors
/// [`LookupError::NxDomain`], [`LookupError::ServFail`],
/// [`LookupError::Refused`], [`LookupError::FormErr`],
/// [`LookupError::OtherRcode`] for the RCODEs; [`LookupError::NoData`]
/// for NOERROR without such records; [`LookupError::CnameLoop`] for a
/// chain that loops or is too long.
pub fn answer_of(
    reply: &Message,
    question: &Question,
) -> Result<Vec<RecordData>, LookupError> {
    // ANCHOR: rcode
    match reply.flags.rcode {
        Rcode::NoError => {}
        Rcode::NxDomain => return Err(LookupError::NxDomain),
        Rcode::ServFail => return Err(LookupError::ServFail),
        Rcode::Refused => return Err(LookupError::Refused),
        Rcode::FormErr => return Err(LookupError::FormErr),
        other => return Err(LookupError::OtherRcode(other)),
    }
    // ANCHOR_END: rcode
    let mut name = &question.name;
    let mut visited = vec![name];
    for _ in 0..=MAX_CNAME_HOPS {
        // The records about `name`, in the class asked for.
        let about_name = || {
            reply.answers.iter().filter(|r| {
                r.name.eq_ignore_case(name) && r.class == question.class
            })
        };
        let found: Vec<RecordData> = about_name()
            .filter(|r| r.data.rtype() == question.rtype)
            .map(|r| r.data.clone())
            .collect();
        if !found.is_empty() {
            return Ok(found);
        }
        let alias_of = about_name().find_map(|r| match &r.data {
            RecordData::Cname(target) => Some(target),
            _ => None,
        });
        let Some(target) = alias_of else {
            return Err(LookupError::NoData(question.rtype));
        };
        if visited.iter().any(|seen| seen.eq_ignore_case(target)) {
            return Err(LookupError::CnameLoop(target.clone()));
        }
        visited.push(target);
        name = target;
    }
    Err(LookupError::CnameLoop(name.clone()))
}

/// The records of type `rtype` for `name`, from the server of `config`.
///
/// # Errors
/// Every [`LookupError`] of [`exchange`] and [`answer_of`].
pub fn lookup(
    config: &Config,
    name: &Name,
    rtype: RecordType,
) -> Result<Vec<RecordData>, LookupError> {
    let query = Query::new(new_id(), name.clone(), rtype);
    let reply = exchange(config, &query)?;
    answer_of(&reply, &query.question)
}

/// Sends `query` and returns the server's reply to it: over UDP from a
/// fresh socket, sent again while no reply comes, then over TCP if the
/// reply says it was truncated (TC=1). All within `config.timeout`.
///
/// # Errors
/// [`LookupError::Timeout`] when no acceptable reply came in time;
/// [`LookupError::Malformed`] when the only replies with our ID could
/// not be decoded; [`LookupError::Network`] when a socket fails.
pub fn exchange(
    config: &Config,
    query: &Query,
) -> Result<Message, LookupError> {
    // ANCHOR: tc_fallback
    let deadline = Deadline::after(config.timeout);
    // Encoded once, for UDP and TCP alike.
    let bytes = query.to_bytes();
    let reply = exchange_udp(config, query, &bytes, deadline)?;
    if !reply.flags.truncated {
        return Ok(reply);
    }
    // Never use part of an answer: ask the whole of it over TCP.
    exchange_tcp(config, query, &bytes, deadline).map_err(|e| match e {
        LookupError::Network(why) => LookupError::Network(format!(
            "the UDP answer was truncated, and TCP failed: {why}"
        )),
        other => other,
    })
    // ANCHOR_END: tc_fallback
}

/// What to make of a datagram that came while we wait.
enum Verdict {
    /// Our reply.
    Accept(Message),
    /// Someone else's datagram, or a forgery: wait on.
    Ignore,
    /// From our server with our ID, but unreadable: wait on, but say so
    /// if nothing better comes.
    Unreadable(LookupError),
}

// ANCHOR: judge
/// What to make of a datagram that came while we wait: only our
/// server's reply to our query is accepted.
fn judge(
    datagram: &[u8],
    from: SocketAddr,
    config: &Config,
    query: &Query,
) -> Verdict {
    if from != config.server || Message::peek_id(datagram) != Some(query.id) {
        return Verdict::Ignore;
    }
    if datagram.len() > MAX_UDP {
        return Verdict::Unreadable(LookupError::OverUdpLimit);
    }
    if Message::peek_questions(datagram).is_some_and(|n| n != 1) {
        return Verdict::Ignore; // not an answer to our one question
    }
    match Message::decode(datagram) {
        Ok(reply) if is_reply_to(&reply, query) => Verdict::Accept(reply),
        Ok(_) => Verdict::Ignore,
        Err(e) => Verdict::Unreadable(LookupError::Malformed(e)),
    }
}
// ANCHOR_END: judge

// ANCHOR: exchange_udp
fn exchange_udp(
    config: &Config,
    query: &Query,
    bytes: &[u8],
    deadline: Deadline,
) -> Result<Message, LookupError> {
    // A fresh socket: the system picks a fresh random port (RFC 5452 §9.2).
    let socket =
        UdpSocket::bind((local_ip(config.server), 0)).map_err(network)?;
    let attempts = config.attempts.max(1);
    let per_attempt = config.timeout / attempts;
    let mut buf = [0; MAX_UDP + 1]; // one more, to see a reply too big
    let mut unreadable = None; // our server's, with our ID
    for attempt in 1..=attempts {
        socket.send_to(bytes, config.server).map_err(network)?;
        // The last attempt waits until the deadline.
        let this_attempt = match attempt {
            last if last == attempts => deadline,
            _ => deadline.at_most(per_attempt),
        };
        loop {
            let (len, from) =
                match calls::recv_from(&this_attempt, &socket, &mut buf) {
                    Ok(received) => received,
                    Err(e) if is_timeout(&e) => break, // send again, or give up
                    Err(e) => return Err(network(e)),
                };
            match judge(&buf[..len], from, config, query) {
                Verdict::Accept(reply) => return Ok(reply),
                Verdict::Ignore => {}
                Verdict::Unreadable(e) => unreadable = Some(e),
            }
        }
    }
    Err(unreadable.unwrap_or(LookupError::Timeout(config.timeout)))
}
// ANCHOR_END: exchange_udp

// ANCHOR: exchange_tcp
/// Over TCP each message is preceded by its length in 2 bytes (RFC 1035
/// §4.2.2). One query, one reply, then we hang up.
fn exchange_tcp(
    config: &Config,
    query: &Query,
    bytes: &[u8],
    deadline: Deadline,
) -> Result<Message, LookupError> {
    let timeout = || LookupError::Timeout(config.timeout);
    let io_err = |e| {
        if is_timeout(&e) {
            timeout()
        } else {
            network(e)
        }
    };
    let wait = deadline.next_wait().map_err(|_| timeout())?;
    let stream =
        TcpStream::connect_timeout(&config.server, wait).map_err(network)?;
    // At most 271 bytes (see `Query::to_bytes`), so the length fits.
    let mut framed = (bytes.len() as u16).to_be_bytes().to_vec();
    framed.extend_from_slice(bytes);
    calls::write_all(&deadline, &stream, &framed).map_err(io_err)?;
    // The buffer grows with what arrives, not with what was announced.
    let mut received = Vec::new();
    let mut buf = [0; 4096];
    let reply = loop {
        if let Some(message) = tcp_message(&received) {
            if Message::peek_questions(message).is_some_and(|n| n != 1) {
                return Err(LookupError::NotOurReply);
            }
            break Message::decode(message).map_err(LookupError::Malformed)?;
        }
        let n = calls::read(&deadline, &stream, &mut buf).map_err(io_err)?;
        if n == 0 {
            let closed = "the server closed the connection before its reply";
            return Err(LookupError::Network(closed.to_owned()));
        }
        received.extend_from_slice(&buf[..n]);
    };
    if !is_reply_to(&reply, query) {
        return Err(LookupError::NotOurReply);
    }
    if reply.flags.truncated {
        // Part of an answer is never used, over TCP as over UDP.
        return Err(LookupError::TruncatedOverTcp);
    }
    Ok(reply)
}

/// The message at the start of `received`, once its 2-byte length and
/// that many bytes have come (RFC 1035 §4.2.2); anything after it is not
/// ours to read.
fn tcp_message(received: &[u8]) -> Option<&[u8]> {
    let [high, low, message @ ..] = received else {
        return None;
    };
    message.get(..usize::from(u16::from_be_bytes([*high, *low])))
}
// ANCHOR_END: exchange_tcp

/// The address our socket binds: loopback to talk to a server on
/// loopback (so a test's packets can't leave the machine), else any.
fn local_ip(server: SocketAddr) -> IpAddr {
    match server.ip() {
        IpAddr::V4(ip) if ip.is_loopback() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_loopback() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
    }
}

fn network(e: std::io::Error) -> LookupError {
    LookupError::Network(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tcp_message_is_whole_once_its_length_and_bytes_have_come() {
        assert_eq!(tcp_message(b""), None);
        assert_eq!(tcp_message(b"\x00"), None);
        assert_eq!(tcp_message(b"\x00\x03ab"), None);
        assert_eq!(tcp_message(b"\x00\x03abc"), Some(&b"abc"[..]));
        assert_eq!(tcp_message(b"\x00\x03abcJUNK"), Some(&b"abc"[..]));
        assert_eq!(tcp_message(b"\x00\x00"), Some(&b""[..]));
    }
}

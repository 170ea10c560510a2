//! A mock DNS server: answers A, AAAA, PTR and CNAME questions from a
//! table, over UDP and TCP on one port of `127.0.0.1`, and misbehaves on
//! request.
//!
//! # What a DNS server does
//!
//! A client sends a *query*: a 12-byte header (an ID it chose, flags such
//! as RD, "recursion desired") and one *question*: a name, a type (A for
//! an IPv4 address, AAAA for IPv6, PTR for the name of an address, CNAME
//! for an alias) and a class (IN, the Internet). The server sends back a
//! *response* with the same ID, the question copied back, a response code
//! (RCODE) and records in the *answer* section (RFC 1035 §4.1).
//!
//! ```text
//! client (port 40000)                     mock (port 5353)
//!   | -- id=0x1234 RD  example.test A  ---->  |   one UDP datagram
//!   | <- id=0x1234 QR AA RD RA NOERROR -----  |
//!   |    example.test A  (question, echoed)   |
//!   |    example.test A 192.0.2.7  (answer)   |
//! ```
//!
//! What this mock answers, and why:
//!
//! * **A / AAAA** from [`Builder::record`]. Every address also gets a
//!   **PTR** under its reverse name (`7.2.0.192.in-addr.arpa`, or 32
//!   nibbles under `ip6.arpa` for IPv6; RFC 1035 §3.5, RFC 3596 §2.5), so
//!   reverse lookups work without extra set-up, as in CoreDNS's `hosts`.
//! * **CNAME** from [`Builder::cname`]: the answer holds the CNAME record,
//!   then the target's records, as a real server would (RFC 1034 §4.3.2).
//! * Names compare **without regard to case** (RFC 4343), and the trailing
//!   dot is optional; but the question is echoed **exactly** as asked, so a
//!   client that checks the echo (0x20 mixed case, matrix row D13) can.
//! * An unknown name gets **NXDOMAIN** (RCODE 3). A known name without a
//!   record of the asked type gets NOERROR and no answers: "no data"
//!   (RFC 2308 §2.2). [`Builder::rcode_for`] scripts NXDOMAIN, SERVFAIL or
//!   REFUSED for a name.
//! * Flags: QR=1 (a response), AA=1 (the mock is the authority for its
//!   table), RA=1, RD and OPCODE copied from the query. Owner names in the
//!   answer are compressed into pointers back to the question (`0xC00C`,
//!   RFC 1035 §4.1.4).
//! * **UDP** answers are at most 512 bytes (RFC 1035 §4.2.1; the mock
//!   ignores the EDNS OPT record `dig` sends, so it never promises more).
//!   A bigger answer is sent as an empty one with **TC=1**, "truncated",
//!   and the client asks again over **TCP**, where each message is
//!   preceded by its length in 2 bytes (RFC 1035 §4.2.2). TCP listens on the
//!   same port number as UDP, as a client expects.
//! * **TCP is bounded**, as a server facing any client must be: a
//!   message must arrive whole, length prefix and all, within
//!   [`DEFAULT_TCP_DEADLINE`] of its first byte (however it trickles),
//!   a connection idle between messages is closed after the I/O
//!   timeout, and past [`Builder::max_connections`] connections at once
//!   one more is closed at once (matrix row V1).
//! * A query with zero or several questions gets FORMERR. A packet that
//!   is itself a response (QR=1), or that does not parse, gets **nothing**
//!   (matrix row D19): answering responses is how two servers end up
//!   bouncing packets between them forever (RUSTSEC-2023-0041).
//! * At most [`MAX_ANSWERS`] records go into one answer, and name
//!   compression uses a hash map, so no table makes an answer expensive
//!   (matrix row D20).
//!
//! Faults, for the client's tests ([`Builder`]): drop or delay the first
//! N queries (D16), answer every UDP query with TC=1 (D9), and send a
//! decoy reply with a wrong ID, a wrong question or from a wrong port
//! before the real one (D10). Every query received is logged as a
//! [`Question`], and [`DnsMock::wait_for_questions`] waits for them
//! without sleeping; [`DnsMock::messages`] has every message's bytes.
//!
//! # How it is built
//!
//! Read the files in this order:
//!
//! * `wire.rs`: the mock's own message codec, written apart from
//!   `inet::dns` so that one bug cannot hide on both sides of a test.
//!   It reads queries and writes answers, nothing else.
//! * `zone.rs`: the records, and how a question is answered from them
//!   (NXDOMAIN, no data, CNAME chains).
//! * `reply.rs`: which replies a query gets, faults included. Like the
//!   two above, pure functions over bytes: no sockets.
//! * `server.rs`: the sockets and threads that move the bytes, log
//!   them, and stop promptly when the mock is dropped.
//! * `builder.rs`: the [`Builder`] that puts it together.
//!
//! # API summary
//!
//! * [`DnsMock::builder`] → [`Builder`]: records ([`record`](Builder::record),
//!   [`cname`](Builder::cname), [`ptr`](Builder::ptr),
//!   [`hosts`](Builder::hosts), [`hosts_line`](Builder::hosts_line)),
//!   [`rcode_for`](Builder::rcode_for), limits
//!   ([`io_timeout`](Builder::io_timeout),
//!   [`tcp_deadline`](Builder::tcp_deadline),
//!   [`max_connections`](Builder::max_connections)), faults
//!   ([`drop_first`](Builder::drop_first), [`delay_first`](Builder::delay_first),
//!   [`delay_all`](Builder::delay_all), [`truncate_udp`](Builder::truncate_udp),
//!   [`wrong_id_first`](Builder::wrong_id_first),
//!   [`wrong_question_first`](Builder::wrong_question_first),
//!   [`wrong_source_first`](Builder::wrong_source_first)), then
//!   [`start`](Builder::start) → [`DnsMock`].
//! * [`DnsMock::addr`] (UDP and TCP), [`DnsMock::questions`],
//!   [`DnsMock::wait_for_questions`], [`DnsMock::messages`]; the server
//!   stops when dropped.
//! * [`Question`] (`transport`, `id`, `name`, `qtype`, `from`; displays
//!   as `udp A example.test from 127.0.0.1:40000`), [`Message`],
//!   [`Transport`], [`Rcode`], [`reverse_name`], the decoy data
//!   [`DECOY_V4`], [`DECOY_V6`], [`DECOY_NAME`].
//!
//! ```
//! use inet_mocks::dns::{DnsMock, Rcode};
//! use std::net::{Ipv4Addr, UdpSocket};
//! use std::time::Duration;
//!
//! let mock = DnsMock::builder()
//!     .record("example.test", Ipv4Addr::new(192, 0, 2, 7))
//!     .record("example.test", "2001:db8::1".parse::<std::net::IpAddr>()?)
//!     .cname("www.example.test", "example.test")
//!     .rcode_for("broken.test", Rcode::ServFail)
//!     .start()?;
//!
//! // A query for example.test A, by hand: header, then the question.
//! let mut query = vec![0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
//! query.extend_from_slice(b"\x07example\x04test\x00\x00\x01\x00\x01");
//! let socket = UdpSocket::bind("127.0.0.1:0")?;
//! socket.set_read_timeout(Some(Duration::from_secs(5)))?;
//! socket.send_to(&query, mock.addr())?;
//! let mut reply = [0; 512];
//! let n = socket.recv(&mut reply)?;
//! assert_eq!(&reply[..2], &[0x12, 0x34]); // the ID comes back
//! assert_eq!(&reply[n - 4..n], &[192, 0, 2, 7]); // the address is last
//! assert!(mock.wait_for_questions(1, Duration::from_secs(5)));
//! assert_eq!(mock.questions()[0].name, "example.test");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod builder;
mod reply;
mod server;
mod wire;
mod zone;

pub use builder::Builder;
pub use wire::reverse_name;
pub use zone::{MAX_ANSWERS, MAX_CNAME_HOPS};

use crate::transcript::Dir;
use server::Server;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

/// The read and write timeout of every TCP connection, unless
/// [`Builder::io_timeout`] says otherwise: the harness's.
pub use crate::server::DEFAULT_IO_TIMEOUT;

/// How long a TCP client has to send a whole message, length prefix
/// and all (RFC 1035 §4.2.2), unless [`Builder::tcp_deadline`] says
/// otherwise. A read timeout alone would not do: each byte would start
/// it afresh, and a client sending a byte a second would hold its
/// connection, and a thread, for ever.
pub const DEFAULT_TCP_DEADLINE: Duration = Duration::from_secs(10);

/// The TTL of every record, unless [`Builder::ttl`] says otherwise.
pub const DEFAULT_TTL: u32 = 300;

/// The address a decoy reply ([`Builder::wrong_id_first`],
/// [`Builder::wrong_question_first`]) gives for an A question. A client
/// that prints it was fooled. (TEST-NET-2, RFC 5737.)
pub const DECOY_V4: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 66);
/// The decoy address for an AAAA question (documentation prefix, RFC 3849).
pub const DECOY_V6: Ipv6Addr =
    Ipv6Addr::new(0x2001, 0xdb8, 0xbad, 0, 0, 0, 0, 0x66);
/// The decoy name: the PTR of a decoy reply, and the question of a
/// wrong-question decoy. (`.invalid` never exists, RFC 6761 §6.4.)
pub const DECOY_NAME: &str = "decoy.invalid";

/// How a query reached the mock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    /// A UDP datagram.
    Udp,
    /// A length-prefixed message on a TCP connection.
    Tcp,
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Udp => "udp",
            Self::Tcp => "tcp",
        })
    }
}

/// A response code the mock can send (RFC 1035 §4.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rcode {
    /// 0: no error (with or without records).
    NoError,
    /// 1: the server could not read the query.
    FormErr,
    /// 2: the server failed, try another.
    ServFail,
    /// 3: the name does not exist.
    NxDomain,
    /// 4: the server does not do this kind of query.
    NotImp,
    /// 5: the server will not answer (policy).
    Refused,
}

impl Rcode {
    /// The 4-bit RCODE value.
    pub fn code(self) -> u8 {
        match self {
            Self::NoError => 0,
            Self::FormErr => 1,
            Self::ServFail => 2,
            Self::NxDomain => 3,
            Self::NotImp => 4,
            Self::Refused => 5,
        }
    }
}

impl fmt::Display for Rcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NoError => "NOERROR",
            Self::FormErr => "FORMERR",
            Self::ServFail => "SERVFAIL",
            Self::NxDomain => "NXDOMAIN",
            Self::NotImp => "NOTIMP",
            Self::Refused => "REFUSED",
        })
    }
}

/// One query the mock received, as logged in arrival order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// UDP or TCP.
    pub transport: Transport,
    /// The query's ID.
    pub id: u16,
    /// The name as asked, case kept, without the final dot (`.` for the
    /// root); bytes that are not printable ASCII appear as `\DDD`.
    pub name: String,
    /// QTYPE: 1 for A, 28 for AAAA, 12 for PTR, 5 for CNAME...
    pub qtype: u16,
    /// Where the query came from.
    pub from: SocketAddr,
}

impl fmt::Display for Question {
    /// `udp A example.test from 127.0.0.1:40000`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = &self.transport;
        let (name, from) = (&self.name, self.from);
        write!(f, "{t} {} {name} from {from}", type_name(self.qtype))
    }
}

/// One DNS message that crossed the mock's sockets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// UDP or TCP.
    pub transport: Transport,
    /// The client's address.
    pub peer: SocketAddr,
    /// Received ([`Dir::FromClient`]) or sent ([`Dir::ToClient`]).
    pub dir: Dir,
    /// The message, without TCP's length prefix.
    pub bytes: Vec<u8>,
}

/// The mnemonic of a record type, or `TYPEn` for the others (RFC 3597).
pub fn type_name(qtype: u16) -> String {
    match qtype {
        wire::TYPE_A => "A".into(),
        wire::TYPE_CNAME => "CNAME".into(),
        wire::TYPE_PTR => "PTR".into(),
        wire::TYPE_AAAA => "AAAA".into(),
        wire::TYPE_OPT => "OPT".into(),
        wire::TYPE_ANY => "ANY".into(),
        n => format!("TYPE{n}"),
    }
}

/// A running mock DNS server on `127.0.0.1`. Stops, joining its threads,
/// when dropped.
pub struct DnsMock {
    server: Server,
}

impl fmt::Debug for DnsMock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("DnsMock");
        out.field("addr", &self.addr()).finish_non_exhaustive()
    }
}

impl DnsMock {
    /// A builder for a mock with no records (every name is NXDOMAIN).
    pub fn builder() -> Builder {
        Builder::new()
    }

    /// The address to send queries to: UDP and TCP share it.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// Every query received so far, in arrival order, dropped ones
    /// included (the first [`Builder::log_limit`] of them).
    pub fn questions(&self) -> Vec<Question> {
        self.server.log().questions.clone()
    }

    /// Every message received or sent so far, in order: queries as they
    /// arrived (garbage included), replies as they are sent (decoys
    /// included; logged just before the send, so a reply a client holds
    /// is already here).
    /// TCP messages are logged without their 2-byte length prefix. At
    /// most [`Builder::log_limit`] are kept.
    pub fn messages(&self) -> Vec<Message> {
        self.server.log().messages.clone()
    }

    /// Waits until at least `n` queries have been received; false if
    /// `timeout` ran out first.
    pub fn wait_for_questions(&self, n: usize, timeout: Duration) -> bool {
        self.server.wait_for(timeout, |log| log.received >= n)
    }

    /// Stops serving: closes the sockets and connections and joins every
    /// thread. `Drop` calls it; calling it again does nothing.
    pub fn stop(&mut self) {
        self.server.stop();
    }
}

impl Drop for DnsMock {
    fn drop(&mut self) {
        self.stop();
    }
}

#[cfg(test)]
mod tests;

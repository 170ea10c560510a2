//! DNS (RFC 1035): names to addresses and back (inet_01).
//!
//! The Python original calls `gethostbyname` and `gethostbyaddr` and lets
//! the C library do the work. Rust's std can resolve forward
//! (`ToSocketAddrs`) but has no reverse lookup, and our tests must never
//! leave the machine. So this module speaks DNS itself, and a test points
//! it at a mock DNS server on 127.0.0.1.
//!
//! # The exchange
//!
//! A *stub resolver* (us) sends one UDP datagram to a recursive server and
//! waits for one back (RFC 1035 §4.2.1, at most 512 bytes each way without
//! EDNS):
//!
//! ```text
//! stub (127.0.0.1:random port)              server (IP:53)
//!   | -- query: ID=0x3c1f RD=1 "www.example.test. A IN" --> |
//!   | <-- reply: ID=0x3c1f QR=1 RA=1 NOERROR                |
//!   |           question "www.example.test. A IN"           |
//!   |           answer www.example.test. 300 A 192.0.2.7    |
//! ```
//!
//! Both are the same *message* (§4.1): a 12-byte header (§4.1.1), then
//! questions, answers, authority and additional records. Names are
//! sequences of labels (§2.3.4: 63 bytes a label, 255 a name) and, to save
//! room, a name may end with a *pointer* to an earlier name in the same
//! message (§4.1.4). Pointers are where decoders get hurt (a pointer to
//! itself loops forever), so ours only follows pointers that go strictly
//! backwards, and counts the name's length while it follows them.
//!
//! UDP is easy to spoof, so a reply is accepted only if it comes from the
//! server's address, carries our query's ID and repeats our question
//! (§7.3); the ID is unpredictable and each query goes from a fresh port
//! (RFC 5452). A reply with TC=1 did not fit in 512 bytes: we ask again
//! over TCP, where each message is prefixed by its 2-byte length (§4.2.2).
//!
//! # Layout
//!
//! - [`name`]: domain names, their limits, compression.
//! - [`message`]: the message format, decode and encode (no I/O).
//! - [`reverse`]: addresses to `in-addr.arpa` / `ip6.arpa` names and back.
//! - [`stub`]: the stub resolver, the only part with sockets.
//! - [`resolver`]: the [`Resolver`](resolver::Resolver) seam: the system's
//!   resolver or our stub, and the `/etc/hosts` and `resolv.conf` parsers.
//!
//! # Public API, in short
//!
//! - [`Message::decode`], [`Message::encode`], [`Message::query`];
//!   [`Name::parse`] for what a user types, [`name::decode_name`] and
//!   [`name::Compressor`] for the wire.
//! - [`reverse::reverse_name`] and [`reverse::address_of`].
//! - [`stub::lookup`], [`stub::addresses`], [`stub::names_of`] with a
//!   [`stub::Config`] (server, overall timeout, attempts);
//!   [`stub::exchange`] for one query and its reply; the pure checks
//!   [`stub::is_reply_to`] and [`stub::answer_of`].
//! - [`resolver::StubResolver`], [`resolver::SystemResolver`], and
//!   [`resolver::get_ip_and_name`], the original's `getIPandName`.
//! - [`DnsError`]: every failure, wire, server or network, with a
//!   message a student can read.

use std::fmt;
use std::time::Duration;

pub mod message;
pub mod name;
pub mod resolver;
pub mod reverse;
pub mod stub;

pub use message::{Message, Question, Rcode, Record, RecordData, RecordType};
pub use name::Name;

/// Everything that can go wrong with DNS here: a message that can't be
/// decoded, a name a user typed that can't be sent, or an answer that is
/// not an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsError {
    /// The message ends in the middle of something.
    Truncated(&'static str),
    /// A compression pointer that does not point strictly backwards
    /// (§4.1.4): to itself, forwards, or into a loop.
    BadPointer {
        /// Where the pointer is.
        at: usize,
        /// Where it points.
        to: usize,
    },
    /// A label type other than 00 (length) or 11 (pointer), §4.1.4.
    BadLabelType(u8),
    /// A label over 63 bytes (§2.3.4).
    LabelTooLong(usize),
    /// A name over 255 bytes on the wire (§2.3.4).
    NameTooLong,
    /// A name with an empty label, like `a..b`.
    EmptyLabel,
    /// An empty host name.
    EmptyName,
    /// Record data that doesn't fit its type (an A record that is not 4
    /// bytes, say).
    BadRdata {
        /// The record's type.
        rtype: RecordType,
        /// Its RDLENGTH.
        len: usize,
    },
    /// A message too big for its transport (512 bytes over UDP without
    /// EDNS, 65535 over TCP).
    TooBig(usize),
    /// A UDP reply over 512 bytes (§4.2.1): without EDNS, a server must
    /// set TC instead. We read one byte more than 512, so we don't know
    /// by how much.
    OverUdpLimit,
    /// A TCP reply that says it is truncated (TC=1): over TCP there is
    /// nothing more to ask for, so it is no whole answer (§4.2.2).
    TruncatedOverTcp,
    /// The server says the name does not exist (RCODE 3).
    NxDomain,
    /// The name exists but has no record of the type asked for.
    NoData(RecordType),
    /// The server failed to get an answer (RCODE 2).
    ServFail,
    /// The server will not answer us (RCODE 5).
    Refused,
    /// The server could not read our query (RCODE 1).
    FormErr,
    /// Another RCODE (4, not implemented, or an unknown one).
    ServerError(Rcode),
    /// The CNAME chain in the answer loops or is too long.
    CnameLoop(Name),
    /// A TCP reply that does not answer our query (§7.3).
    NotOurReply,
    /// No acceptable reply before the deadline.
    Timeout(Duration),
    /// The server replied, but not with a message we can read.
    Malformed(Box<DnsError>),
    /// A socket failed (the text of the `io::Error`).
    Network(String),
    /// The system resolver failed (the text of its error).
    System(String),
    /// No name for this address in `/etc/hosts` and no nameserver to ask.
    NoNameserver,
}

impl fmt::Display for DnsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use DnsError as E;
        match self {
            E::Truncated(what) => write!(f, "message ends inside {what}"),
            E::BadPointer { at, to } => write!(
                f,
                "compression pointer at byte {at} points to byte {to}, \
                 not strictly backwards (RFC 1035 §4.1.4)"
            ),
            E::BadLabelType(b) => write!(
                f,
                "label byte {b:#04x} is neither a length nor a pointer \
                 (RFC 1035 §4.1.4)"
            ),
            E::LabelTooLong(n) => write!(
                f,
                "a label of {n} bytes is over 63 bytes (RFC 1035 §2.3.4)"
            ),
            E::NameTooLong => {
                f.write_str("name over 255 bytes (RFC 1035 §2.3.4)")
            }
            E::EmptyLabel => f.write_str("empty label in name (as in a..b)"),
            E::EmptyName => f.write_str("empty host name"),
            E::BadRdata { rtype, len } => {
                write!(f, "a {rtype} record can't have {len} bytes of data")
            }
            E::TooBig(n) => write!(f, "message of {n} bytes is too big"),
            E::OverUdpLimit => f.write_str(
                "a UDP message over 512 bytes (RFC 1035 §4.2.1: the server \
                 should have set TC)",
            ),
            E::TruncatedOverTcp => f.write_str(
                "the TCP reply is truncated too (TC=1), so it is not a whole \
                 answer",
            ),
            E::NxDomain => f.write_str("host not found (NXDOMAIN)"),
            E::NoData(rtype) => {
                write!(f, "no {rtype} record for this name (no data)")
            }
            E::ServFail => {
                f.write_str("the server failed to find out (SERVFAIL)")
            }
            E::Refused => f.write_str("the server refused to answer (REFUSED)"),
            E::FormErr => {
                f.write_str("the server could not read our query (FORMERR)")
            }
            E::ServerError(rcode) => write!(f, "the server answered {rcode}"),
            E::CnameLoop(name) => {
                write!(f, "CNAME chain loops or is too long at {name}")
            }
            E::Timeout(after) => {
                write!(f, "no answer from the server within {after:?}")
            }
            E::NotOurReply => {
                f.write_str("the server's reply does not answer our question")
            }
            E::Malformed(why) => write!(f, "malformed reply: {why}"),
            E::Network(why) => write!(f, "network error: {why}"),
            E::System(why) => f.write_str(why),
            E::NoNameserver => f.write_str(
                "unknown host (not in /etc/hosts, and no nameserver \
                 in /etc/resolv.conf)",
            ),
        }
    }
}

impl std::error::Error for DnsError {}

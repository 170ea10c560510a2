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
//! - [`name`]: domain names, their limits, and reading one from a
//!   message, pointers and all.
//! - [`message`]: the message format, reading any message and writing a
//!   query (no I/O).
//! - [`encode`]: writing any message, names compressed, as a server
//!   does (the tests' servers and the guided programs use it; a stub needs only its
//!   query).
//! - [`reverse`]: an address as the `in-addr.arpa` / `ip6.arpa` name a
//!   PTR query asks about.
//! - [`stub`]: the stub resolver, the only part with sockets.
//! - [`resolver`]: the [`Resolver`](resolver::Resolver) seam: the system's
//!   resolver or our stub, and the `/etc/hosts` and `resolv.conf` parsers.
//!
//! # Errors, one type per layer
//!
//! - [`name::NameError`]: a name a user typed that can't be sent.
//! - [`message::DecodeError`]: bytes that are not a message we can read.
//! - [`LookupError`]: why a lookup gave no answer: what the reply says
//!   (its RCODE, no record of the type asked), what the network did (a
//!   timeout, a malformed reply), a bad name, or the system's resolver.
//!
//! Each reads as a sentence a student can act on; `resolve` prints it in
//! place of the answer, as the original prints Python's.

use std::fmt;
use std::time::Duration;

pub mod encode;
pub mod message;
pub mod name;
pub mod resolver;
pub mod reverse;
pub mod stub;

pub use message::{
    Message, Query, Question, Rcode, Record, RecordData, RecordType,
};
pub use name::Name;

use message::DecodeError;
use name::NameError;

/// Why a lookup gave no answer, whichever resolver made it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupError {
    /// The host is not a valid name: nothing was asked.
    BadName(NameError),
    /// The name does not exist (RCODE 3).
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
    OtherRcode(Rcode),
    /// The CNAME chain in the answer loops or is too long.
    CnameLoop(Name),
    /// No acceptable reply before the deadline.
    Timeout(Duration),
    /// Our server's reply, with our ID, that can't be decoded.
    Malformed(DecodeError),
    /// A UDP reply over 512 bytes (RFC 1035 §4.2.1): without EDNS, a
    /// server must set TC instead. We read one byte more than 512, so we
    /// don't know by how much.
    OverUdpLimit,
    /// A TCP reply that says it is truncated (TC=1): over TCP there is
    /// nothing more to ask for, so it is no whole answer (§4.2.2).
    TruncatedOverTcp,
    /// A TCP reply that does not answer our query (§7.3).
    NotOurReply,
    /// A socket failed (the text of the `io::Error`).
    Network(String),
    /// The system's resolver failed (the text of its error).
    System(String),
    /// No name for this address in `/etc/hosts` and no nameserver to ask.
    NoNameserver,
}

impl fmt::Display for LookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use LookupError as E;
        match self {
            E::BadName(why) => why.fmt(f),
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
            E::OtherRcode(rcode) => write!(f, "the server answered {rcode}"),
            E::CnameLoop(name) => {
                write!(f, "CNAME chain loops or is too long at {name}")
            }
            E::Timeout(after) => {
                write!(f, "no answer from the server within {after:?}")
            }
            E::Malformed(why) => write!(f, "malformed reply: {why}"),
            E::OverUdpLimit => f.write_str(
                "malformed reply: a UDP message over 512 bytes (RFC 1035 \
                 §4.2.1: the server should have set TC)",
            ),
            E::TruncatedOverTcp => f.write_str(
                "the TCP reply is truncated too (TC=1), so it is not a whole \
                 answer",
            ),
            E::NotOurReply => {
                f.write_str("the server's reply does not answer our question")
            }
            E::Network(why) => write!(f, "network error: {why}"),
            E::System(why) => f.write_str(why),
            E::NoNameserver => f.write_str(
                "unknown host (not in /etc/hosts, and no nameserver \
                 in /etc/resolv.conf)",
            ),
        }
    }
}

impl std::error::Error for LookupError {}

impl From<NameError> for LookupError {
    fn from(why: NameError) -> Self {
        LookupError::BadName(why)
    }
}

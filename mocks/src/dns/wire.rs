//! The mock's own DNS message codec: just enough of RFC 1035 §4 to read a
//! query and to write an answer.
//!
//! It is written apart from the client's codec in `inet::dns` on purpose:
//! if the two shared a parser, a bug in it would sit on both sides of
//! every test and nothing would notice. So it is small and strict in its
//! own way: it only ever reads *queries* (one question, no compression,
//! which a question never needs) and only ever writes *answers*.
//!
//! A DNS message (RFC 1035 §4.1) is a 12-byte header followed by four
//! sections: question, answer, authority and additional.
//!
//! ```text
//!   0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15   (bits of each 16-bit word)
//! +--+-----------+--+--+--+--+--------+-----------+
//! |                      ID                       |
//! |QR|  OPCODE   |AA|TC|RD|RA|   Z    |   RCODE   |
//! |                    QDCOUNT                    |
//! |                    ANCOUNT                    |
//! |                    NSCOUNT                    |
//! |                    ARCOUNT                    |
//! +-----------------------------------------------+
//! ```

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The fixed header every message starts with (RFC 1035 §4.1.1).
pub const HEADER_LEN: usize = 12;
/// The largest answer sent over UDP to a client that did not negotiate
/// more (RFC 1035 §2.3.4, §4.2.1). The mock ignores EDNS, so this holds.
pub const MAX_UDP_ANSWER: usize = 512;
/// The longest label (RFC 1035 §2.3.4).
pub const MAX_LABEL: usize = 63;
/// The longest name in wire form, length octets included (§2.3.4).
pub const MAX_NAME: usize = 255;

/// Header flag bits (RFC 1035 §4.1.1): this message is a response...
pub const QR: u16 = 0x8000;
/// ...from the authority for the name...
pub const AA: u16 = 0x0400;
/// ...truncated to fit the transport...
pub const TC: u16 = 0x0200;
/// ...to a query that desired recursion...
pub const RD: u16 = 0x0100;
/// ...from a server that offers it.
pub const RA: u16 = 0x0080;
/// Where the 4-bit OPCODE sits in the flags word.
const OPCODE_SHIFT: u16 = 11;

/// Record types (RFC 1035 §3.2.2, RFC 3596 for AAAA).
pub const TYPE_A: u16 = 1;
/// The canonical name of an alias.
pub const TYPE_CNAME: u16 = 5;
/// A name pointer, used for reverse lookups.
pub const TYPE_PTR: u16 = 12;
/// An IPv6 address.
pub const TYPE_AAAA: u16 = 28;
/// The EDNS pseudo-record (RFC 6891), which `dig` adds to its queries.
pub const TYPE_OPT: u16 = 41;
/// QTYPE `*`: every type the server has (RFC 1035 §3.2.3).
pub const TYPE_ANY: u16 = 255;
/// The Internet class (RFC 1035 §3.2.4).
pub const CLASS_IN: u16 = 1;
/// QCLASS `*` (RFC 1035 §3.2.5).
pub const CLASS_ANY: u16 = 255;

/// A query, as the mock reads it. Slices point into the received bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query<'a> {
    /// The ID the answer must carry back.
    pub id: u16,
    /// The header flags word as sent (RD, OPCODE...).
    pub flags: u16,
    /// The whole question entry, exactly as sent: name, type and class.
    /// An answer copies it byte for byte, case included.
    pub question: &'a [u8],
    /// The asked name in wire form (the start of `question`).
    pub name: &'a [u8],
    /// QTYPE.
    pub qtype: u16,
    /// QCLASS.
    pub qclass: u16,
}

impl Query<'_> {
    /// The OPCODE (0 is a standard query).
    pub fn opcode(&self) -> u8 {
        ((self.flags >> OPCODE_SHIFT) & 0xF) as u8
    }
}

/// What a received message asks of the mock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming<'a> {
    /// A query with exactly one question: answer it.
    Query(Query<'a>),
    /// A well-formed query with zero or several questions, which no
    /// server handles (RFC 1035 §4.1.2 allows it, nobody implements it):
    /// answer FORMERR.
    FormErr {
        /// The query's ID.
        id: u16,
        /// The query's flags word.
        flags: u16,
    },
    /// A response (QR=1) or bytes that are not a DNS message: never
    /// answer. Answering responses is how two servers end up bouncing
    /// packets between them forever (RUSTSEC-2023-0041, matrix row D19).
    Ignore,
}

/// Reads a received message. Never panics, whatever the bytes.
pub fn read(msg: &[u8]) -> Incoming<'_> {
    let Some(header) = msg.get(..HEADER_LEN) else {
        return Incoming::Ignore;
    };
    let id = u16::from_be_bytes([header[0], header[1]]);
    let flags = u16::from_be_bytes([header[2], header[3]]);
    let qdcount = usize::from(u16::from_be_bytes([header[4], header[5]]));
    if flags & QR != 0 {
        return Incoming::Ignore;
    }
    // Walk every question the count claims, so that random bytes with a
    // huge QDCOUNT show up as garbage (and get no reply) rather than as a
    // query worth a FORMERR. Each question takes at least 5 bytes, so the
    // walk ends quickly however large the count.
    let mut pos = HEADER_LEN;
    let mut first = None;
    for _ in 0..qdcount {
        let Some(name_end) = name_end(msg, pos) else {
            return Incoming::Ignore;
        };
        let end = name_end + 4;
        if end > msg.len() {
            return Incoming::Ignore;
        }
        first.get_or_insert((pos, name_end, end));
        pos = end;
    }
    match first {
        Some((start, name_end, end)) if qdcount == 1 => {
            Incoming::Query(Query {
                id,
                flags,
                question: &msg[start..end],
                name: &msg[start..name_end],
                qtype: u16::from_be_bytes([msg[name_end], msg[name_end + 1]]),
                qclass: u16::from_be_bytes([
                    msg[name_end + 2],
                    msg[name_end + 3],
                ]),
            })
        }
        _ => Incoming::FormErr { id, flags },
    }
}

/// Where the uncompressed name starting at `pos` ends, or `None` if it
/// is not one. A question is the first name in a message, so there is
/// nothing for a compression pointer to point back to: a pointer (or the
/// reserved label types 0x40 and 0x80) makes it garbage.
fn name_end(msg: &[u8], mut pos: usize) -> Option<usize> {
    let start = pos;
    loop {
        let len = usize::from(*msg.get(pos)?);
        if len > MAX_LABEL {
            return None;
        }
        pos += 1 + len;
        if pos - start > MAX_NAME {
            return None;
        }
        if len == 0 {
            return Some(pos);
        }
    }
}

/// A domain name in wire form (length-prefixed labels ending with the
/// empty root label), keeping the case it was given in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Name(Vec<u8>);

impl Name {
    /// Parses `example.test` or `example.test.` (the trailing dot, which
    /// means "rooted", is optional: the mock has no search list). `.` and
    /// the empty string are the root.
    ///
    /// # Errors
    /// A message for an empty label (`a..b`), a label longer than 63
    /// bytes or a name longer than 255 (RFC 1035 §2.3.4).
    pub fn parse(text: &str) -> Result<Self, String> {
        let trimmed = text.strip_suffix('.').unwrap_or(text);
        let mut wire = Vec::with_capacity(trimmed.len() + 2);
        if !trimmed.is_empty() {
            for label in trimmed.split('.') {
                if label.is_empty() {
                    return Err(format!("{text:?} has an empty label"));
                }
                if label.len() > MAX_LABEL {
                    return Err(format!(
                        "{text:?} has a label longer than {MAX_LABEL} bytes"
                    ));
                }
                wire.push(label.len() as u8);
                wire.extend_from_slice(label.as_bytes());
            }
        }
        wire.push(0);
        if wire.len() > MAX_NAME {
            return Err(format!(
                "{text:?} is longer than {MAX_NAME} bytes in wire form"
            ));
        }
        Ok(Self(wire))
    }

    /// The name in wire form.
    pub fn wire(&self) -> &[u8] {
        &self.0
    }

    /// The key a name is looked up by: DNS names compare without regard
    /// to ASCII case (RFC 1035 §2.3.3, RFC 4343).
    pub fn key(&self) -> Vec<u8> {
        key(&self.0)
    }
}

/// The lookup key of a wire-form name: the name with ASCII lowercased.
/// Length octets are at most 63, below every uppercase letter, so
/// lowercasing the whole thing leaves them alone.
pub fn key(wire: &[u8]) -> Vec<u8> {
    wire.to_ascii_lowercase()
}

/// A wire-form name as text, the way `dig` shows it but without the
/// final dot: `example.test`, `.` for the root, and any byte that is not
/// printable ASCII (or is a dot or backslash inside a label) as `\DDD`.
/// `wire` must be a well-formed uncompressed name.
pub fn display(wire: &[u8]) -> String {
    let mut out = String::new();
    let mut pos = 0;
    while let Some(&len) = wire.get(pos) {
        if len == 0 {
            break;
        }
        if !out.is_empty() {
            out.push('.');
        }
        let end = (pos + 1 + usize::from(len)).min(wire.len());
        for &b in &wire[pos + 1..end] {
            if b.is_ascii_graphic() && b != b'.' && b != b'\\' {
                out.push(char::from(b));
            } else {
                let _ = write!(out, "\\{b:03}");
            }
        }
        pos = end;
    }
    if out.is_empty() {
        out.push('.');
    }
    out
}

/// The name a reverse (PTR) lookup of `addr` asks for (RFC 1035 §3.5,
/// RFC 3596 §2.5): the IPv4 bytes backwards under `in-addr.arpa`, or the
/// 32 IPv6 nibbles backwards under `ip6.arpa`. No trailing dot.
pub fn reverse_name(addr: IpAddr) -> String {
    match addr {
        IpAddr::V4(v4) => {
            let [a, b, c, d] = v4.octets();
            format!("{d}.{c}.{b}.{a}.in-addr.arpa")
        }
        IpAddr::V6(v6) => {
            let mut out = String::with_capacity(72);
            for byte in v6.octets().iter().rev() {
                let _ = write!(out, "{:x}.{:x}.", byte & 0xF, byte >> 4);
            }
            out.push_str("ip6.arpa");
            out
        }
    }
}

/// The data of one resource record the mock can serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rdata {
    /// An IPv4 address (type A).
    A(Ipv4Addr),
    /// An IPv6 address (type AAAA).
    Aaaa(Ipv6Addr),
    /// The canonical name of an alias (type CNAME).
    Cname(Name),
    /// The name an address belongs to (type PTR).
    Ptr(Name),
}

impl Rdata {
    /// The record's TYPE.
    pub fn rtype(&self) -> u16 {
        match self {
            Self::A(_) => TYPE_A,
            Self::Aaaa(_) => TYPE_AAAA,
            Self::Cname(_) => TYPE_CNAME,
            Self::Ptr(_) => TYPE_PTR,
        }
    }

    /// An A or AAAA record for `addr`.
    pub fn address(addr: IpAddr) -> Self {
        match addr {
            IpAddr::V4(v4) => Self::A(v4),
            IpAddr::V6(v6) => Self::Aaaa(v6),
        }
    }
}

/// Writes an answer message, compressing names (RFC 1035 §4.1.4).
///
/// Compression replaces a name, or its tail, with a 2-byte pointer to an
/// earlier copy. The writer remembers where each name and each of its
/// suffixes was written, in a hash map, so each name costs one lookup per
/// label: the work stays linear in the size of the answer (quadratic
/// searches here were RUSTSEC-2026-0119, matrix row D20).
#[derive(Debug)]
pub struct Writer {
    buf: Vec<u8>,
    /// Lowercased wire-form suffix -> offset where it was written.
    seen: HashMap<Vec<u8>, u16>,
    answers: u16,
}

/// Pointers have 14 bits of offset (RFC 1035 §4.1.4).
const MAX_POINTER: usize = 0x3FFF;

impl Writer {
    /// Starts an answer to a query: header (QR set, counts filled in as
    /// records are added) and, when given, the question copied verbatim.
    pub fn new(
        id: u16,
        flags: u16,
        rcode: u8,
        question: Option<&[u8]>,
    ) -> Self {
        let mut w = Self {
            buf: Vec::with_capacity(MAX_UDP_ANSWER),
            seen: HashMap::new(),
            answers: 0,
        };
        let flags = flags | QR | u16::from(rcode & 0xF);
        let qdcount = u16::from(question.is_some());
        for word in [id, flags, qdcount, 0, 0, 0] {
            w.buf.extend_from_slice(&word.to_be_bytes());
        }
        if let Some(question) = question {
            // The question's name starts right after the header; answers
            // about it point there (the familiar `0xC00C`).
            let name_len = name_end(question, 0).unwrap_or(0);
            w.remember(&question[..name_len], HEADER_LEN, name_len);
            w.buf.extend_from_slice(question);
        }
        w
    }

    /// Appends one answer record owned by `owner` (wire form).
    pub fn answer(&mut self, owner: &[u8], ttl: u32, data: &Rdata) {
        self.name(owner);
        self.buf.extend_from_slice(&data.rtype().to_be_bytes());
        self.buf.extend_from_slice(&CLASS_IN.to_be_bytes());
        self.buf.extend_from_slice(&ttl.to_be_bytes());
        let len_at = self.buf.len();
        self.buf.extend_from_slice(&[0, 0]);
        match data {
            Rdata::A(v4) => self.buf.extend_from_slice(&v4.octets()),
            Rdata::Aaaa(v6) => self.buf.extend_from_slice(&v6.octets()),
            Rdata::Cname(name) | Rdata::Ptr(name) => self.name(name.wire()),
        }
        let rdlength = (self.buf.len() - len_at - 2) as u16;
        self.buf[len_at..len_at + 2].copy_from_slice(&rdlength.to_be_bytes());
        self.answers += 1;
    }

    /// The finished message.
    pub fn finish(mut self) -> Vec<u8> {
        self.buf[6..8].copy_from_slice(&self.answers.to_be_bytes());
        self.buf
    }

    /// Writes a wire-form name, replacing its longest suffix already in
    /// the message with a pointer. `wire` is well formed (a [`Name`] or
    /// a name [`read`] checked).
    fn name(&mut self, wire: &[u8]) {
        let start = self.buf.len();
        let mut pos = 0;
        while wire.get(pos).is_some_and(|&len| len != 0) {
            if let Some(&offset) = self.seen.get(&key(&wire[pos..])) {
                self.buf.extend_from_slice(&wire[..pos]);
                self.buf.extend_from_slice(&(0xC000 | offset).to_be_bytes());
                self.remember(wire, start, pos);
                return;
            }
            pos += 1 + usize::from(wire[pos]);
        }
        self.buf.extend_from_slice(wire);
        self.remember(wire, start, pos);
    }

    /// Notes that the labels of the full name `wire` before offset
    /// `written` now sit in the message at `at` onwards, so that later
    /// names ending the same way can point at them.
    fn remember(&mut self, wire: &[u8], at: usize, written: usize) {
        let mut pos = 0;
        while pos < written && at + pos <= MAX_POINTER {
            self.seen
                .entry(key(&wire[pos..]))
                .or_insert((at + pos) as u16);
            pos += 1 + usize::from(wire[pos]);
        }
    }
}

//! The DNS message (RFC 1035 §4.1), and how to read one, without I/O.
//!
//! ```text
//! header      12 bytes: ID, flags, four counts        (§4.1.1)
//! question    QDCOUNT x (name, type, class)           (§4.1.2)
//! answer      ANCOUNT x resource record               (§4.1.3)
//! authority   NSCOUNT x resource record
//! additional  ARCOUNT x resource record
//! ```
//!
//! A resource record is a name, a type, a class, a TTL, and RDLENGTH
//! bytes of data. We understand A (an IPv4 address), AAAA (IPv6, RFC
//! 3596), CNAME and PTR (a name, possibly compressed); any other type
//! keeps its data as raw bytes. The counts come from the sender, so they
//! never size an allocation: a record is pushed once it has been read.
//!
//! A stub resolver writes one kind of message only, a [`Query`], and
//! reads any: [`Message::decode`]. Writing any message, names compressed,
//! as a server does, is [`encode`](super::encode)'s.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::name::{Name, decode_name};

/// The header's length (§4.1.1).
pub const HEADER_LEN: usize = 12;
/// The class of the Internet, the only one we ask about.
pub const CLASS_IN: u16 = 1;

/// Why bytes are not a DNS message we can read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
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

    /// A name over 255 bytes on the wire (§2.3.4).
    NameTooLong,
    /// Record data that doesn't fit its type (an A record that is not 4
    /// bytes, say).
    BadRdata {
        /// The record's type.
        rtype: RecordType,
        /// Its RDLENGTH.
        len: usize,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Truncated(what) => {
                write!(f, "message ends inside {what}")
            }
            DecodeError::BadPointer { at, to } => write!(
                f,
                "compression pointer at byte {at} points to byte {to}, \
                 not strictly backwards (RFC 1035 §4.1.4)"
            ),
            DecodeError::BadLabelType(b) => write!(
                f,
                "label byte {b:#04x} is neither a length nor a pointer \
                 (RFC 1035 §4.1.4)"
            ),
            DecodeError::NameTooLong => {
                f.write_str("name over 255 bytes (RFC 1035 §2.3.4)")
            }
            DecodeError::BadRdata { rtype, len } => {
                write!(
                    f,
                    "a record of type {rtype} can't have {len} bytes of data"
                )
            }
        }
    }
}

impl std::error::Error for DecodeError {}

/// A record type (§3.2.2; AAAA from RFC 3596). Total: every 16-bit value
/// is one, so nothing read from the wire is lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordType {
    /// 1: an IPv4 address.
    A,
    /// 5: the canonical name this name is an alias of.
    Cname,
    /// 12: a name, for reverse lookups.
    Ptr,
    /// 28: an IPv6 address.
    Aaaa,
    /// Any other type, by number (never 1, 5, 12 or 28).
    Other(u16),
}

impl From<u16> for RecordType {
    fn from(value: u16) -> Self {
        match value {
            1 => RecordType::A,
            5 => RecordType::Cname,
            12 => RecordType::Ptr,
            28 => RecordType::Aaaa,
            other => RecordType::Other(other),
        }
    }
}

impl From<RecordType> for u16 {
    fn from(rtype: RecordType) -> u16 {
        match rtype {
            RecordType::A => 1,
            RecordType::Cname => 5,
            RecordType::Ptr => 12,
            RecordType::Aaaa => 28,
            RecordType::Other(other) => other,
        }
    }
}

impl fmt::Display for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordType::A => f.write_str("A"),
            RecordType::Cname => f.write_str("CNAME"),
            RecordType::Ptr => f.write_str("PTR"),
            RecordType::Aaaa => f.write_str("AAAA"),
            RecordType::Other(n) => write!(f, "TYPE{n}"),
        }
    }
}

/// The response code, the header's last 4 bits (§4.1.1). Total, like
/// [`RecordType`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Rcode {
    /// 0: no error.
    #[default]
    NoError,
    /// 1: the server could not interpret the query.
    FormErr,
    /// 2: the server could not process it.
    ServFail,
    /// 3: the name does not exist.
    NxDomain,
    /// 4: not implemented.
    NotImp,
    /// 5: refused, by policy.
    Refused,
    /// Any other value (6 to 15), by number.
    Other(u8),
}

impl From<u8> for Rcode {
    fn from(value: u8) -> Self {
        match value {
            0 => Rcode::NoError,
            1 => Rcode::FormErr,
            2 => Rcode::ServFail,
            3 => Rcode::NxDomain,
            4 => Rcode::NotImp,
            5 => Rcode::Refused,
            other => Rcode::Other(other),
        }
    }
}

impl fmt::Display for Rcode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rcode::NoError => f.write_str("NOERROR"),
            Rcode::FormErr => f.write_str("FORMERR"),
            Rcode::ServFail => f.write_str("SERVFAIL"),
            Rcode::NxDomain => f.write_str("NXDOMAIN"),
            Rcode::NotImp => f.write_str("NOTIMP"),
            Rcode::Refused => f.write_str("REFUSED"),
            Rcode::Other(n) => write!(f, "RCODE{n}"),
        }
    }
}

/// The header's flags (§4.1.1): the 16 bits between the ID and the
/// counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Flags {
    /// QR: a response (else a query).
    pub response: bool,
    /// OPCODE (4 bits): 0 for a standard query.
    pub opcode: u8,
    /// AA: the answer comes from an authoritative server.
    pub authoritative: bool,
    /// TC: truncated; ask again over TCP (§4.2.1).
    pub truncated: bool,
    /// RD: recursion desired (a stub asks for it).
    pub recursion_desired: bool,
    /// RA: recursion available.
    pub recursion_available: bool,
    /// Z (3 bits): reserved, kept as read (later used by DNSSEC's AD/CD).
    pub z: u8,
    /// RCODE (4 bits).
    pub rcode: Rcode,
}

impl Flags {
    fn from_bits(bits: u16) -> Flags {
        let bit = |n: u16| bits & (1 << n) != 0;
        Flags {
            response: bit(15),
            opcode: (bits >> 11 & 0xF) as u8,
            authoritative: bit(10),
            truncated: bit(9),
            recursion_desired: bit(8),
            recursion_available: bit(7),
            z: (bits >> 4 & 0x7) as u8,
            rcode: Rcode::from((bits & 0xF) as u8),
        }
    }
}

/// A question (§4.1.2): which records of which name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    /// The name asked about.
    pub name: Name,
    /// The type of record wanted.
    pub rtype: RecordType,
    /// The class, [`CLASS_IN`] in practice.
    pub class: u16,
}

/// A record's data, decoded for the types we use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordData {
    /// An IPv4 address.
    A(Ipv4Addr),
    /// An IPv6 address (RFC 3596).
    Aaaa(Ipv6Addr),
    /// The canonical name of an alias.
    Cname(Name),
    /// The name of an address (reverse lookups).
    Ptr(Name),
    /// Any other type, its data as raw bytes (never A, AAAA, CNAME or
    /// PTR, which are decoded).
    Unknown {
        /// The record type's number.
        rtype: u16,
        /// RDATA as received.
        data: Vec<u8>,
    },
}

impl RecordData {
    /// The record type of this data.
    pub fn rtype(&self) -> RecordType {
        match self {
            RecordData::A(_) => RecordType::A,
            RecordData::Aaaa(_) => RecordType::Aaaa,
            RecordData::Cname(_) => RecordType::Cname,
            RecordData::Ptr(_) => RecordType::Ptr,
            RecordData::Unknown { rtype, .. } => RecordType::from(*rtype),
        }
    }
}

/// A resource record (§4.1.3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// The owner name.
    pub name: Name,
    /// The class, [`CLASS_IN`] in practice.
    pub class: u16,
    /// How long it may be cached, in seconds.
    pub ttl: u32,
    /// The data; its variant gives the type.
    pub data: RecordData,
}

/// A whole DNS message (§4.1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Message {
    /// The ID, copied from query to reply (§4.1.1).
    pub id: u16,
    /// The flags and RCODE.
    pub flags: Flags,
    /// The questions (one, in practice).
    pub questions: Vec<Question>,
    /// The answers.
    pub answers: Vec<Record>,
    /// The authority records.
    pub authority: Vec<Record>,
    /// The additional records.
    pub additional: Vec<Record>,
}

/// What a stub resolver sends: one question under an ID, asking the
/// server to recurse (RD=1, "recursion desired").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// The ID, which the reply must carry back (§4.1.1).
    pub id: u16,
    /// The one question.
    pub question: Question,
}

impl Query {
    /// A standard query for `rtype` records of `name`, in class IN.
    pub fn new(id: u16, name: Name, rtype: RecordType) -> Query {
        let class = CLASS_IN;
        let question = Question { name, rtype, class };
        Query { id, question }
    }

    // ANCHOR: query_bytes
    /// The query on the wire: the header (RD=1, one question), then the
    /// question. Its name is written whole: the first name of a message
    /// has nothing earlier to point to. At most 271 bytes (a name has at
    /// most 255), so it always fits in one datagram.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = header(self.id, QUERY_FLAGS, [1, 0, 0, 0]);
        out.extend_from_slice(&self.question.name.to_wire());
        self.question.write_type_and_class(&mut out);
        out
    }
    // ANCHOR_END: query_bytes
}

/// The flags of a standard query (§4.1.1): RD=1, every other bit 0
/// (QR=0 a query, OPCODE 0 a standard one, RCODE 0).
const QUERY_FLAGS: u16 = 1 << 8;

/// A message's first 12 bytes (§4.1.1): the ID, the flags, then the
/// number of questions, answers, authority and additional records.
pub(super) fn header(id: u16, flags: u16, counts: [u16; 4]) -> Vec<u8> {
    let mut out = Vec::with_capacity(512);
    out.extend_from_slice(&id.to_be_bytes());
    out.extend_from_slice(&flags.to_be_bytes());
    for count in counts {
        out.extend_from_slice(&count.to_be_bytes());
    }
    out
}

impl Question {
    /// The question's type and class, after its name.
    pub(super) fn write_type_and_class(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&u16::from(self.rtype).to_be_bytes());
        out.extend_from_slice(&self.class.to_be_bytes());
    }
}

impl Message {
    /// Decodes a whole message. Bytes after the last counted record are
    /// ignored. A message that says it was truncated (TC) may end
    /// anywhere (RFC 2181 §9): what came whole is kept, and the reader
    /// asks again over TCP.
    ///
    /// # Errors
    /// [`DecodeError::Truncated`] when the message ends early (a count
    /// larger than what follows included) without TC,
    /// [`DecodeError::BadRdata`], and the name errors of [`decode_name`].
    pub fn decode(msg: &[u8]) -> Result<Message, DecodeError> {
        let header = msg
            .get(..HEADER_LEN)
            .ok_or(DecodeError::Truncated("the 12-byte header"))?;
        let word = |i: usize| u16::from_be_bytes([header[i], header[i + 1]]);
        let mut message = Message {
            id: word(0),
            flags: Flags::from_bits(word(2)),
            ..Message::default()
        };
        let mut reader = Reader {
            msg,
            pos: HEADER_LEN,
        };
        let counts = [word(4), word(6), word(8), word(10)];
        match reader.sections(&mut message, counts) {
            Err(DecodeError::Truncated(_)) if message.flags.truncated => {
                Ok(message)
            }
            decoded => decoded.map(|()| message),
        }
    }

    /// The ID of the message in `msg`, if it has a header: to tell a
    /// malformed reply to our query from someone else's datagram.
    pub fn peek_id(msg: &[u8]) -> Option<u16> {
        Some(u16::from_be_bytes([*msg.first()?, *msg.get(1)?]))
    }

    /// How many questions the message in `msg` says it holds (QDCOUNT),
    /// if it has a header. A reply to our query holds one, ours; each
    /// other could cost a name of 255 bytes for a 2-byte pointer, so a
    /// reply with another count is refused before it is decoded.
    pub fn peek_questions(msg: &[u8]) -> Option<u16> {
        Some(u16::from_be_bytes([*msg.get(4)?, *msg.get(5)?]))
    }
}

/// A cursor over a whole message: names need the whole of it, for their
/// pointers.
struct Reader<'m> {
    msg: &'m [u8],
    pos: usize,
}

impl Reader<'_> {
    /// The four sections, as many entries as `counts` says each holds.
    fn sections(
        &mut self,
        message: &mut Message,
        counts: [u16; 4],
    ) -> Result<(), DecodeError> {
        for _ in 0..counts[0] {
            message.questions.push(self.question()?);
        }
        let records = [
            (&mut message.answers, counts[1]),
            (&mut message.authority, counts[2]),
            (&mut message.additional, counts[3]),
        ];
        for (section, count) in records {
            for _ in 0..count {
                section.push(self.record()?);
            }
        }
        Ok(())
    }

    fn take(
        &mut self,
        len: usize,
        what: &'static str,
    ) -> Result<&[u8], DecodeError> {
        let bytes = self
            .msg
            .get(self.pos..self.pos + len)
            .ok_or(DecodeError::Truncated(what))?;
        self.pos += len;
        Ok(bytes)
    }

    fn u16(&mut self, what: &'static str) -> Result<u16, DecodeError> {
        let bytes = self.take(2, what)?;
        Ok(u16::from_be_bytes([bytes[0], bytes[1]]))
    }

    fn name(&mut self) -> Result<Name, DecodeError> {
        let (name, end) = decode_name(self.msg, self.pos)?;
        self.pos = end;
        Ok(name)
    }

    fn question(&mut self) -> Result<Question, DecodeError> {
        Ok(Question {
            name: self.name()?,
            rtype: RecordType::from(self.u16("a question's type")?),
            class: self.u16("a question's class")?,
        })
    }

    fn record(&mut self) -> Result<Record, DecodeError> {
        let name = self.name()?;
        let rtype = RecordType::from(self.u16("a record's type")?);
        let class = self.u16("a record's class")?;
        let ttl = self.take(4, "a record's TTL")?;
        let ttl = u32::from_be_bytes([ttl[0], ttl[1], ttl[2], ttl[3]]);
        let len = usize::from(self.u16("a record's length")?);
        let start = self.pos;
        let data = self.take(len, "a record's data")?;
        let bad = DecodeError::BadRdata { rtype, len };
        let data = match rtype {
            RecordType::A => RecordData::A(
                <[u8; 4]>::try_from(data).map_err(|_| bad)?.into(),
            ),
            RecordType::Aaaa => RecordData::Aaaa(
                <[u8; 16]>::try_from(data).map_err(|_| bad)?.into(),
            ),
            RecordType::Cname | RecordType::Ptr => {
                // The name may point anywhere before it in the message,
                // but its own bytes must fill RDATA exactly.
                let (target, end) = decode_name(self.msg, start)?;
                if end != start + len {
                    return Err(bad);
                }
                if rtype == RecordType::Ptr {
                    RecordData::Ptr(target)
                } else {
                    RecordData::Cname(target)
                }
            }
            RecordType::Other(rtype) => RecordData::Unknown {
                rtype,
                data: data.to_vec(),
            },
        };
        Ok(Record {
            name,
            class,
            ttl,
            data,
        })
    }
}

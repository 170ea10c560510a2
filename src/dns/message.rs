//! The DNS message (RFC 1035 §4.1), decoded and encoded without I/O.
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

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::DnsError;
use super::name::{Compressor, Name, decode_name};

/// The header's length (§4.1.1).
pub const HEADER_LEN: usize = 12;
/// The class of the Internet, the only one we ask about.
pub const CLASS_IN: u16 = 1;

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

impl From<Rcode> for u8 {
    fn from(rcode: Rcode) -> u8 {
        match rcode {
            Rcode::NoError => 0,
            Rcode::FormErr => 1,
            Rcode::ServFail => 2,
            Rcode::NxDomain => 3,
            Rcode::NotImp => 4,
            Rcode::Refused => 5,
            Rcode::Other(other) => other,
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

    fn to_bits(self) -> u16 {
        let bit = |set: bool, n: u16| u16::from(set) << n;
        bit(self.response, 15)
            | u16::from(self.opcode & 0xF) << 11
            | bit(self.authoritative, 10)
            | bit(self.truncated, 9)
            | bit(self.recursion_desired, 8)
            | bit(self.recursion_available, 7)
            | u16::from(self.z & 0x7) << 4
            | u16::from(u8::from(self.rcode) & 0xF)
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

impl Message {
    // ANCHOR: query
    /// A standard query for `rtype` records of `name`, asking the server
    /// to recurse (RD=1), as a stub resolver does.
    pub fn query(id: u16, name: Name, rtype: RecordType) -> Message {
        let flags = Flags {
            recursion_desired: true,
            ..Flags::default()
        };
        let question = Question {
            name,
            rtype,
            class: CLASS_IN,
        };
        Message {
            id,
            flags,
            questions: vec![question],
            ..Message::default()
        }
    }
    // ANCHOR_END: query

    /// The message on the wire, names compressed.
    ///
    /// # Errors
    /// [`DnsError::TooBig`] over 65535 bytes (what TCP's 2-byte length
    /// can carry), or a record data too long for its 2-byte RDLENGTH.
    pub fn encode(&self) -> Result<Vec<u8>, DnsError> {
        let mut out = Vec::with_capacity(512);
        out.extend_from_slice(&self.id.to_be_bytes());
        out.extend_from_slice(&self.flags.to_bits().to_be_bytes());
        for count in [
            self.questions.len(),
            self.answers.len(),
            self.authority.len(),
            self.additional.len(),
        ] {
            let count =
                u16::try_from(count).map_err(|_| DnsError::TooBig(count))?;
            out.extend_from_slice(&count.to_be_bytes());
        }
        let mut names = Compressor::default();
        for question in &self.questions {
            names.write(&mut out, &question.name);
            out.extend_from_slice(&u16::from(question.rtype).to_be_bytes());
            out.extend_from_slice(&question.class.to_be_bytes());
        }
        let sections = [&self.answers, &self.authority, &self.additional];
        for record in sections.into_iter().flatten() {
            encode_record(&mut out, &mut names, record)?;
        }
        if out.len() > usize::from(u16::MAX) {
            return Err(DnsError::TooBig(out.len()));
        }
        Ok(out)
    }

    /// Decodes a whole message. Bytes after the last counted record are
    /// ignored.
    ///
    /// # Errors
    /// Any [`DnsError`] of the wire kind: [`DnsError::Truncated`] when the
    /// message ends early (a count larger than what follows included),
    /// [`DnsError::BadRdata`], and the name errors of
    /// [`decode_name`].
    pub fn decode(msg: &[u8]) -> Result<Message, DnsError> {
        let header = msg
            .get(..HEADER_LEN)
            .ok_or(DnsError::Truncated("the 12-byte header"))?;
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
        for _ in 0..word(4) {
            message.questions.push(reader.question()?);
        }
        for _ in 0..word(6) {
            message.answers.push(reader.record()?);
        }
        for _ in 0..word(8) {
            message.authority.push(reader.record()?);
        }
        for _ in 0..word(10) {
            message.additional.push(reader.record()?);
        }
        Ok(message)
    }

    /// The ID of the message in `msg`, if it has a header: to tell a
    /// malformed reply to our query from someone else's datagram.
    pub fn peek_id(msg: &[u8]) -> Option<u16> {
        Some(u16::from_be_bytes([*msg.first()?, *msg.get(1)?]))
    }
}

fn encode_record(
    out: &mut Vec<u8>,
    names: &mut Compressor,
    record: &Record,
) -> Result<(), DnsError> {
    names.write(out, &record.name);
    out.extend_from_slice(&u16::from(record.data.rtype()).to_be_bytes());
    out.extend_from_slice(&record.class.to_be_bytes());
    out.extend_from_slice(&record.ttl.to_be_bytes());
    let length_at = out.len();
    out.extend_from_slice(&[0, 0]); // RDLENGTH, known once written
    match &record.data {
        RecordData::A(ip) => out.extend_from_slice(&ip.octets()),
        RecordData::Aaaa(ip) => out.extend_from_slice(&ip.octets()),
        RecordData::Cname(name) | RecordData::Ptr(name) => {
            names.write(out, name)
        }
        RecordData::Unknown { data, .. } => out.extend_from_slice(data),
    }
    let len = out.len() - length_at - 2;
    let len = u16::try_from(len).map_err(|_| DnsError::TooBig(len))?;
    out[length_at..length_at + 2].copy_from_slice(&len.to_be_bytes());
    Ok(())
}

/// A cursor over a whole message: names need the whole of it, for their
/// pointers.
struct Reader<'m> {
    msg: &'m [u8],
    pos: usize,
}

impl Reader<'_> {
    fn take(
        &mut self,
        len: usize,
        what: &'static str,
    ) -> Result<&[u8], DnsError> {
        let bytes = self
            .msg
            .get(self.pos..self.pos + len)
            .ok_or(DnsError::Truncated(what))?;
        self.pos += len;
        Ok(bytes)
    }

    fn u16(&mut self, what: &'static str) -> Result<u16, DnsError> {
        let bytes = self.take(2, what)?;
        Ok(u16::from_be_bytes([bytes[0], bytes[1]]))
    }

    fn name(&mut self) -> Result<Name, DnsError> {
        let (name, end) = decode_name(self.msg, self.pos)?;
        self.pos = end;
        Ok(name)
    }

    fn question(&mut self) -> Result<Question, DnsError> {
        Ok(Question {
            name: self.name()?,
            rtype: RecordType::from(self.u16("a question's type")?),
            class: self.u16("a question's class")?,
        })
    }

    fn record(&mut self) -> Result<Record, DnsError> {
        let name = self.name()?;
        let rtype = RecordType::from(self.u16("a record's type")?);
        let class = self.u16("a record's class")?;
        let ttl = self.take(4, "a record's TTL")?;
        let ttl = u32::from_be_bytes([ttl[0], ttl[1], ttl[2], ttl[3]]);
        let len = usize::from(self.u16("a record's length")?);
        let start = self.pos;
        let data = self.take(len, "a record's data")?;
        let bad = DnsError::BadRdata { rtype, len };
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

impl fmt::Display for Question {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}. {}", self.name, self.rtype)?;
        if self.class != CLASS_IN {
            write!(f, " CLASS{}", self.class)?;
        }
        Ok(())
    }
}

impl fmt::Display for RecordData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordData::A(ip) => write!(f, "A {ip}"),
            RecordData::Aaaa(ip) => write!(f, "AAAA {ip}"),
            RecordData::Cname(name) => write!(f, "CNAME {name}."),
            RecordData::Ptr(name) => write!(f, "PTR {name}."),
            RecordData::Unknown { rtype, data } => {
                write!(f, "TYPE{rtype} ({} bytes)", data.len())
            }
        }
    }
}

impl fmt::Display for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}. {} {}", self.name, self.ttl, self.data)
    }
}

/// A short, `dig`-like summary: one line for the header, one per
/// question and record.
impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let flags = self.flags;
        let kind = if flags.response { "reply" } else { "query" };
        write!(f, "{kind} id={:#06x}", self.id)?;
        for (set, name) in [
            (flags.authoritative, "aa"),
            (flags.truncated, "tc"),
            (flags.recursion_desired, "rd"),
            (flags.recursion_available, "ra"),
        ] {
            if set {
                write!(f, " {name}")?;
            }
        }
        if flags.response {
            write!(f, " {}", flags.rcode)?;
        }
        for question in &self.questions {
            write!(f, "\n  question: {question}")?;
        }
        let sections = [
            ("answer", &self.answers),
            ("authority", &self.authority),
            ("additional", &self.additional),
        ];
        for (section, records) in sections {
            for record in records {
                write!(f, "\n  {section}: {record}")?;
            }
        }
        Ok(())
    }
}

//! Writing any message, as a server does, names compressed (RFC 1035
//! §4.1.4).
//!
//! A reply rarely spells a name twice: each suffix already written is
//! replaced by a pointer to it, two bytes whose top bits are `11` and
//! whose other 14 give the offset where the rest of the name is. A stub
//! resolver writes only its [`Query`](super::message::Query), which has
//! one name and nothing to point to; the tests' scripted servers, the
//! property tests and the guided programs write whole messages with this
//! module.

use std::collections::HashMap;
use std::fmt;

use super::message::{Flags, Message, Rcode, Record, RecordData, header};
use super::name::Name;

/// A message, or a record's data, bigger than its 2-byte length can
/// say: 65535 bytes for a message (what TCP's length prefix carries),
/// 65535 for RDATA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooBig(pub usize);

impl fmt::Display for TooBig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "message of {} bytes is too big", self.0)
    }
}

impl std::error::Error for TooBig {}

impl Message {
    /// The message on the wire, names compressed.
    ///
    /// # Errors
    /// [`TooBig`] over 65535 bytes, or a record data too long for its
    /// 2-byte RDLENGTH.
    pub fn encode(&self) -> Result<Vec<u8>, TooBig> {
        let count = |n: usize| u16::try_from(n).map_err(|_| TooBig(n));
        let counts = [
            count(self.questions.len())?,
            count(self.answers.len())?,
            count(self.authority.len())?,
            count(self.additional.len())?,
        ];
        let mut out = header(self.id, self.flags.to_bits(), counts);
        let mut names = Compressor::default();
        for question in &self.questions {
            names.write(&mut out, &question.name);
            question.write_type_and_class(&mut out);
        }
        let sections = [&self.answers, &self.authority, &self.additional];
        for record in sections.into_iter().flatten() {
            encode_record(&mut out, &mut names, record)?;
        }
        if out.len() > usize::from(u16::MAX) {
            return Err(TooBig(out.len()));
        }
        Ok(out)
    }
}

impl Flags {
    /// The 16 bits of the header's second word (§4.1.1), the reverse of
    /// what decoding reads.
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

/// The RCODE's number, for the header's last 4 bits.
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

fn encode_record(
    out: &mut Vec<u8>,
    names: &mut Compressor,
    record: &Record,
) -> Result<(), TooBig> {
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
    let len = u16::try_from(len).map_err(|_| TooBig(len))?;
    out[length_at..length_at + 2].copy_from_slice(&len.to_be_bytes());
    Ok(())
}

// ANCHOR: compressor
/// Writes names into a message, each suffix already written replaced by
/// a pointer to it (§4.1.4). The table maps each suffix written so far
/// (its uncompressed wire form) to its offset, so each name costs one
/// lookup per label: linear in the size of the message, never quadratic.
#[derive(Debug, Default)]
pub struct Compressor {
    written: HashMap<Vec<u8>, u16>,
}

impl Compressor {
    /// Appends `name` to `out`, compressed against the names written
    /// before it with this compressor.
    pub fn write(&mut self, out: &mut Vec<u8>, name: &Name) {
        // Written out once; each suffix is then a slice of it.
        let wire = name.to_wire();
        let mut at = 0; // where the suffix starts in `wire`
        for label in name.labels() {
            let suffix = &wire[at..];
            if let Some(&offset) = self.written.get(suffix) {
                out.extend_from_slice(&(0xC000 | offset).to_be_bytes());
                return;
            }
            // A pointer has 14 bits: later suffixes can't be pointed to.
            if let Ok(offset @ 0..0x4000) = u16::try_from(out.len()) {
                self.written.insert(suffix.to_vec(), offset);
            }
            let next = at + 1 + label.len();
            out.extend_from_slice(&wire[at..next]); // the length, the label
            at = next;
        }
        out.push(0);
    }
}
// ANCHOR_END: compressor

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dns::name::decode_name;

    fn name(text: &str) -> Name {
        Name::parse(text).unwrap()
    }

    #[test]
    fn a_written_suffix_becomes_a_pointer() {
        let mut out = vec![0; 12]; // a header's worth
        let mut names = Compressor::default();
        names.write(&mut out, &name("www.example.test"));
        names.write(&mut out, &name("mail.example.test"));
        names.write(&mut out, &name("example.test"));
        let second = 12 + name("www.example.test").wire_len();
        assert_eq!(&out[second..second + 5], b"\x04mail");
        assert_eq!(&out[second + 5..second + 7], &[0xC0, 16]);
        assert_eq!(&out[second + 7..], &[0xC0, 16]);
        assert_eq!(
            decode_name(&out, second),
            Ok((name("mail.example.test"), second + 7))
        );
    }
}

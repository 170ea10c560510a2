//! Domain names: labels, their limits, and how a name is read from a
//! message (RFC 1035 §2.3.4, §3.1, §4.1.4).
//!
//! On the wire a name is a sequence of labels, each a length byte (0 to
//! 63) then that many bytes, ended by the empty label of the root:
//! `www.example.test` is `3 www 7 example 4 test 0`. A length byte whose
//! top two bits are `11` is instead the first half of a 14-bit *pointer*:
//! the rest of the name is at that offset in the message (§4.1.4).
//! Writing names with pointers is the message writer's job
//! ([`encode`](super::encode)); a query has no need of it.

use std::fmt;

use super::message::DecodeError;

/// Longest label, in bytes (RFC 1035 §2.3.4).
pub const MAX_LABEL: usize = 63;
/// Longest name, in bytes on the wire, length bytes and root included
/// (RFC 1035 §2.3.4).
pub const MAX_NAME: usize = 255;

/// A name that breaks the limits of RFC 1035 §2.3.4: refused before
/// anything is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameError {
    /// An empty host name.
    Empty,
    /// A name with an empty label, like `a..b`.
    EmptyLabel,
    /// A label over 63 bytes.
    LabelTooLong(usize),
    /// A name over 255 bytes on the wire.
    TooLong,
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameError::Empty => f.write_str("empty host name"),
            NameError::EmptyLabel => {
                f.write_str("empty label in name (as in a..b)")
            }
            NameError::LabelTooLong(n) => write!(
                f,
                "a label of {n} bytes is over 63 bytes (RFC 1035 §2.3.4)"
            ),
            NameError::TooLong => {
                f.write_str("name over 255 bytes (RFC 1035 §2.3.4)")
            }
        }
    }
}

impl std::error::Error for NameError {}

/// A domain name: its labels, without the root's empty one. Equality is
/// exact (bytes and case), as the round-trip tests want; DNS itself
/// matches names without regard to ASCII case: see
/// [`Name::eq_ignore_case`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Name {
    labels: Vec<Vec<u8>>,
}

impl Name {
    /// The root, `.`.
    pub fn root() -> Name {
        Name::default()
    }

    /// A name from its labels.
    ///
    /// # Errors
    /// An empty label, a label over 63 bytes, or a name over 255.
    pub fn from_labels(labels: Vec<Vec<u8>>) -> Result<Name, NameError> {
        for label in &labels {
            if label.is_empty() {
                return Err(NameError::EmptyLabel);
            }
            if label.len() > MAX_LABEL {
                return Err(NameError::LabelTooLong(label.len()));
            }
        }
        let name = Name { labels };
        if name.wire_len() > MAX_NAME {
            return Err(NameError::TooLong);
        }
        Ok(name)
    }

    // ANCHOR: parse_user_name
    /// A name as a user types it: `www.example.test`, with or without the
    /// final dot (`.` alone is the root). Checked before anything is
    /// sent: a server would only refuse it, or worse, a lax one accept it.
    ///
    /// # Errors
    /// [`NameError::Empty`], [`NameError::EmptyLabel`] (`a..b`),
    /// [`NameError::LabelTooLong`], [`NameError::TooLong`].
    pub fn parse(text: &str) -> Result<Name, NameError> {
        if text.is_empty() {
            return Err(NameError::Empty);
        }
        if text == "." {
            return Ok(Name::root());
        }
        // `www.example.test.` and `www.example.test` are the same name.
        let text = text.strip_suffix('.').unwrap_or(text);
        let labels = text.split('.').map(|l| l.as_bytes().to_vec()).collect();
        Name::from_labels(labels)
    }
    // ANCHOR_END: parse_user_name

    /// The labels, from the leftmost (`www`) to the last before the root.
    pub fn labels(&self) -> &[Vec<u8>] {
        &self.labels
    }

    /// True for the root name `.`.
    pub fn is_root(&self) -> bool {
        self.labels.is_empty()
    }

    /// Compares as DNS does: ASCII letters without regard to case
    /// (RFC 1035 §2.3.3).
    pub fn eq_ignore_case(&self, other: &Name) -> bool {
        self.labels.len() == other.labels.len()
            && self
                .labels
                .iter()
                .zip(&other.labels)
                .all(|(a, b)| a.eq_ignore_ascii_case(b))
    }

    /// The length of the name on the wire, uncompressed.
    pub fn wire_len(&self) -> usize {
        1 + self.labels.iter().map(|l| 1 + l.len()).sum::<usize>()
    }

    /// The name on the wire, uncompressed, root included.
    pub fn to_wire(&self) -> Vec<u8> {
        let mut wire = Vec::with_capacity(self.wire_len());
        for label in &self.labels {
            wire.push(label.len() as u8); // at most 63: checked on build
            wire.extend_from_slice(label);
        }
        wire.push(0);
        wire
    }
}

/// Written without the final dot (`www.example.test`), the root as `.`.
/// A byte that would be ambiguous or unprintable is escaped as in zone
/// files: `\.`, `\\`, `\032` (RFC 1035 §5.1).
impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_root() {
            return f.write_str(".");
        }
        for (i, label) in self.labels.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            for &b in label {
                match b {
                    b'.' | b'\\' => write!(f, "\\{}", b as char)?,
                    b'!'..=b'~' => write!(f, "{}", b as char)?,
                    _ => write!(f, "\\{b:03}")?,
                }
            }
        }
        Ok(())
    }
}

/// Decodes the name at `start` in `msg`, following compression pointers.
/// Returns the name and the offset just after it *where it started*
/// (after the first pointer, if there was one).
///
/// Each pointer must point strictly before the place the previous jump
/// went to (the name's own start at first), so every jump goes further
/// back and the walk must end: a pointer to itself, a forward pointer or
/// a loop `A -> B -> A` are errors, not hangs. The 255-byte limit is
/// checked as labels are added, so a chain of pointers can't build a
/// huge name either.
///
/// # Errors
/// [`DecodeError::Truncated`], [`DecodeError::BadPointer`],
/// [`DecodeError::BadLabelType`], [`DecodeError::NameTooLong`].
pub fn decode_name(
    msg: &[u8],
    start: usize,
) -> Result<(Name, usize), DecodeError> {
    let mut labels = Vec::new();
    let mut wire_len = 1; // the root's zero byte
    let mut pos = start;
    let mut limit = start; // the next pointer must point before this
    let mut end = None; // where the name ends in place
    loop {
        let len = *msg.get(pos).ok_or(DecodeError::Truncated("a name"))?;
        match len & 0xC0 {
            0x00 if len == 0 => {
                let end = end.unwrap_or(pos + 1);
                return Ok((Name { labels }, end));
            }
            0x00 => {
                let len = usize::from(len);
                let label = msg
                    .get(pos + 1..pos + 1 + len)
                    .ok_or(DecodeError::Truncated("a label"))?;
                wire_len += 1 + len;
                if wire_len > MAX_NAME {
                    return Err(DecodeError::NameTooLong);
                }
                labels.push(label.to_vec());
                pos += 1 + len;
            }
            0xC0 => {
                let low = *msg
                    .get(pos + 1)
                    .ok_or(DecodeError::Truncated("a compression pointer"))?;
                let to = usize::from(len & 0x3F) << 8 | usize::from(low);
                if to >= limit {
                    return Err(DecodeError::BadPointer { at: pos, to });
                }
                end.get_or_insert(pos + 2);
                limit = to;
                pos = to;
            }
            // 01 and 10: reserved (once "extended labels", RFC 6891 §5).
            _ => return Err(DecodeError::BadLabelType(len)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(text: &str) -> Name {
        Name::parse(text).unwrap()
    }

    #[test]
    fn names_display_without_the_final_dot_and_escape_odd_bytes() {
        assert_eq!(name("www.example.test.").to_string(), "www.example.test");
        assert_eq!(Name::root().to_string(), ".");
        let odd = Name::from_labels(vec![b"a.b".to_vec(), b"c d\\".to_vec()]);
        assert_eq!(odd.unwrap().to_string(), "a\\.b.c\\032d\\\\");
    }

    #[test]
    fn case_is_ignored_when_dns_matches_names() {
        assert!(
            name("WWW.Example.test").eq_ignore_case(&name("www.example.TEST"))
        );
        assert!(!name("www.example.test").eq_ignore_case(&name("www.example")));
    }
}

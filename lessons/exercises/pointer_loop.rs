//! Lesson 1, exercise: a name decoder that no message can make loop.
//!
//! A name in a DNS message may end with a pointer to the rest of it,
//! earlier in the message (RFC 1035 §4.1.4). This decoder follows
//! pointers, and keeps names within 255 bytes, but a pointer to itself,
//! or two pointers to each other, make it loop for ever: a reply of a
//! few bytes hangs the program that reads it. Make it return
//! `Err(NameError::BadPointer)` instead, without refusing the names that
//! real servers write.
//!
//! Check: `cargo test --test inet -- --ignored pointer_loop`

/// Why bytes are not a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameError {
    /// The message ends inside the name.
    Truncated,
    /// A pointer that leads nowhere a name can be read from.
    BadPointer,
    /// A length byte that starts with the reserved bits 01 or 10.
    BadLabelType,
    /// A name over 255 bytes (RFC 1035 §2.3.4).
    TooLong,
}

/// The name at `start` in `msg`, its labels joined by dots (`""` for the
/// root), and the offset just after it where it started: after its
/// first pointer, if it has one.
///
/// # Errors
/// See [`NameError`].
pub fn decode_name(
    msg: &[u8],
    start: usize,
) -> Result<(String, usize), NameError> {
    let mut name = String::new();
    let mut wire_len = 1; // the root's zero byte
    let mut pos = start;
    let mut end = None; // where the name ends in place
    loop {
        let len = *msg.get(pos).ok_or(NameError::Truncated)?;
        match len & 0xC0 {
            0x00 if len == 0 => return Ok((name, end.unwrap_or(pos + 1))),
            0x00 => {
                let len = usize::from(len);
                let label = msg.get(pos + 1..pos + 1 + len);
                let label = label.ok_or(NameError::Truncated)?;
                wire_len += 1 + len;
                if wire_len > 255 {
                    return Err(NameError::TooLong);
                }
                if !name.is_empty() {
                    name.push('.');
                }
                name.push_str(&String::from_utf8_lossy(label));
                pos += 1 + len;
            }
            0xC0 => {
                let low = *msg.get(pos + 1).ok_or(NameError::Truncated)?;
                let to = usize::from(len & 0x3F) << 8 | usize::from(low);
                end.get_or_insert(pos + 2);
                // Your code: a pointer that would make the walk go round
                // for ever is `Err(NameError::BadPointer)`.
                pos = to;
            }
            _ => return Err(NameError::BadLabelType),
        }
    }
}

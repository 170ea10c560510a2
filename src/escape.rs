//! Bytes shown as text, with nothing hidden: what a program received may
//! hold anything, a `\r` or a byte that is not UTF-8, and a log line or
//! an error message must show it as it was, on one line.

use std::fmt::Write as _;

/// Shows `bytes` as text: valid UTF-8 as itself, control characters and
/// invalid bytes as escapes (`\r`, `\t`, `\x00`), so nothing is hidden.
pub fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\\' => out.push_str("\\\\"),
                c if c.is_control() => {
                    let _ = write!(out, "\\x{:02x}", c as u32);
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_shows_control_and_invalid_bytes() {
        assert_eq!(escape(b"a\tb\x00\xff"), "a\\tb\\x00\\xff");
        assert_eq!(escape("déjà vu".as_bytes()), "déjà vu");
        assert_eq!(escape(b"cr\r"), "cr\\r");
    }
}

//! Bytes shown as text, with nothing hidden: what a program received may
//! hold anything, a `\r` or a byte that is not UTF-8, and a log line or
//! an error message must show it as it was, on one line.

use std::fmt::Write as _;

/// Shows `bytes` as text: valid UTF-8 as itself; control characters,
/// the characters that reorder text, and invalid bytes as escapes (`\r`,
/// `\t`, `\x00`, `\u{9b}`, `\xff`), so nothing is hidden and nothing
/// can steer the terminal.
pub fn escape(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                '\\' => out.push_str("\\\\"),
                c if c.is_ascii_control() => {
                    let _ = write!(out, "\\x{:02x}", c as u32);
                }
                c if c.is_control() || is_bidi(c) => {
                    let _ = write!(out, "\\u{{{:x}}}", c as u32);
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

/// Unicode's bidirectional controls: they reorder the text around them,
/// so `\u{202e}txt.exe` reads as `exe.txt`.
fn is_bidi(c: char) -> bool {
    matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}')
        || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_shows_control_and_invalid_bytes() {
        assert_eq!(escape(b"a\tb\x00\xff"), "a\\tb\\x00\\xff");
        assert_eq!(escape("déjà vu".as_bytes()), "déjà vu");
        assert_eq!(escape(b"cr\r"), "cr\\r");
        // C1's CSI steers a terminal as ESC [ does; U+202E reorders.
        let steering = "\u{9b}2J\u{202e}\u{2069}\u{200e}".as_bytes();
        assert_eq!(escape(steering), r"\u{9b}2J\u{202e}\u{2069}\u{200e}");
    }
}

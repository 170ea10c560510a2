//! The two rules of Python's strings that the ports keep, so that they
//! treat a line exactly as the originals do.
//!
//! The originals call `line.strip()` on what they read, and smtplib
//! strips each reply line. Python's idea of whitespace is not Rust's:
//! `u8::is_ascii_whitespace` leaves out the vertical tab (`\x0b`), which
//! Python strips.

// ANCHOR: strip
/// Python's whitespace, what `str.strip()` and `str.split()` remove:
/// space, `\t`, `\n`, `\x0b`, `\x0c`, `\r`.
pub fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b..=b'\r')
}

/// `bytes` as Python's `str.strip()` leaves them: without [`is_space`]
/// bytes at either end.
pub fn strip(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| !is_space(b));
    let start = start.unwrap_or(bytes.len());
    let end = bytes.iter().rposition(|&b| !is_space(b));
    &bytes[start..end.map_or(start, |i| i + 1)]
}
// ANCHOR_END: strip

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strip_removes_what_python_removes() {
        assert_eq!(strip(b" \t\x0b\x0chi there\r\n"), b"hi there");
        assert_eq!(strip(b"\r\n"), b"");
        assert_eq!(strip(b""), b"");
        assert_eq!(strip(b"\xe9 \xe9"), b"\xe9 \xe9");
    }

    #[test]
    fn vertical_tab_is_space_as_in_python() {
        assert!(is_space(0x0b));
        assert!(!0x0b_u8.is_ascii_whitespace());
        assert!(!is_space(0xa0));
    }
}

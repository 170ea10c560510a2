//! A port number, written as the originals accept it: digits, with
//! white space around them allowed (their check is the regular
//! expression `^\s*\d+\s*$`). One rule for every program's port,
//! whether it comes from the command line or from a file.

use std::fmt;

/// A port argument that is not a TCP port number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadPort(pub String);

impl fmt::Display for BadPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the port {:?} is not a whole number from 0 to 65535",
            self.0
        )
    }
}

impl std::error::Error for BadPort {}

// ANCHOR: parse_port
/// Parses a port as the originals do (digits, optionally surrounded by
/// white space: their `\s`, ASCII's six, not Unicode's) and, unlike
/// them, checks it fits in 16 bits.
///
/// # Errors
/// [`BadPort`] for anything else, `-1`, `80a` and `70000` included.
pub fn parse_port(arg: &str) -> Result<u16, BadPort> {
    let digits = arg.trim_matches([' ', '\t', '\n', '\x0b', '\x0c', '\r']);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(BadPort(arg.to_owned()));
    }
    digits.parse().map_err(|_| BadPort(arg.to_owned()))
}
// ANCHOR_END: parse_port

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_follow_the_original_rule_and_fit_16_bits() {
        assert_eq!(parse_port("100"), Ok(100));
        assert_eq!(parse_port(" 25 "), Ok(25));
        assert_eq!(parse_port("\x0b\t25\x0c\r\n"), Ok(25));
        assert_eq!(parse_port("0"), Ok(0));
        assert_eq!(parse_port("65535"), Ok(65535));
        for bad in [
            "",
            " ",
            "-1",
            "+1",
            "80a",
            "0x50",
            "65536",
            "99999999999",
            "\u{a0}25", // a no-break space: Python 2's `\s` has none
        ] {
            assert_eq!(parse_port(bad), Err(BadPort(bad.into())), "{bad:?}");
        }
    }
}

//! Bytes as the lines `compare` shows, compares and records: split at
//! `\n`, each written as text with nothing hidden ([`lines_of`]), then
//! with what changes from run to run replaced by a fixed word
//! ([`Normaliser`]).
//!
//! The same form is used everywhere: in the report, in a recording, and
//! in the lesson's table, whose lines are matched against these exactly.
//! So it must show everything that can differ, and look the same on every
//! machine.

use std::collections::HashSet;
use std::path::Path;

use inet::escape::escape;

/// How an empty line is shown: an empty cell would look like no line.
pub const EMPTY_LINE: &str = "[empty line]";

/// What ends a last line that had no `\n`.
pub const NO_NEWLINE: &str = " [no newline at end]";

/// `bytes` as lines of text, losslessly: split at `\n`, each escaped as
/// transcripts are ([`escape`]: bytes that are not UTF-8 written `\xNN`,
/// control characters `\r`, `\t`, `\xNN`, a backslash `\\`), the spaces
/// at the end of a line written `\x20` (so they show, and no editor trims
/// them from a recording), an empty line written [`EMPTY_LINE`], and a
/// last line without a `\n` marked [`NO_NEWLINE`].
pub fn lines_of(bytes: &[u8]) -> Vec<String> {
    let mut pieces: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    // What follows the last `\n`: nothing, or a line without one.
    let unended = pieces.pop().filter(|last| !last.is_empty());
    let mut lines: Vec<String> = pieces.into_iter().map(shown).collect();
    if let Some(last) = unended {
        lines.push(format!("{}{NO_NEWLINE}", shown(last)));
    }
    lines
}

/// One line, without its `\n`, as [`lines_of`] shows it.
fn shown(line: &[u8]) -> String {
    if line.is_empty() {
        return EMPTY_LINE.to_owned();
    }
    let text = escape(line);
    let kept = text.trim_end_matches(' ');
    let spaces = text.len() - kept.len();
    format!("{kept}{}", "\\x20".repeat(spaces))
}

/// Replaces what changes from run to run by a fixed word: ports the
/// system chose, temp dirs, where Python and the originals are. Applied
/// to each line of a channel.
#[derive(Debug, Clone, Default)]
pub struct Normaliser {
    texts: Vec<(String, String)>,
    ports: HashSet<u16>,
}

impl Normaliser {
    /// A normaliser that changes nothing yet.
    pub fn new() -> Normaliser {
        Normaliser::default()
    }

    /// Replaces the path `dir` (as written) by `word`.
    pub fn dir(self, dir: &Path, word: &str) -> Normaliser {
        self.text(&dir.to_string_lossy(), word)
    }

    /// Replaces any text by `word` (longer texts are replaced first).
    pub fn text(mut self, text: &str, word: &str) -> Normaliser {
        if !text.is_empty() {
            self.texts.push((text.to_owned(), word.to_owned()));
            self.texts.sort_by_key(|(t, _)| std::cmp::Reverse(t.len()));
        }
        self
    }

    /// Replaces the number `port` by `PORT` where it stands as a whole
    /// number (not inside `150250`).
    pub fn port(self, port: u16) -> Normaliser {
        self.ports([port])
    }

    /// Replaces each of `ports` as [`Normaliser::port`] does.
    pub fn ports(mut self, ports: impl IntoIterator<Item = u16>) -> Normaliser {
        self.ports.extend(ports);
        self
    }

    /// `bytes` as lines ([`lines_of`]), each normalised.
    pub fn lines(&self, bytes: &[u8]) -> Vec<String> {
        lines_of(bytes).iter().map(|line| self.line(line)).collect()
    }

    /// `line`, normalised.
    pub fn line(&self, line: &str) -> String {
        let mut line = line.to_owned();
        for (text, word) in &self.texts {
            line = line.replace(text.as_str(), word);
        }
        if self.ports.is_empty() {
            return line;
        }
        let mut out = String::with_capacity(line.len());
        let mut rest = line.as_str();
        while let Some(start) = rest.find(|c: char| c.is_ascii_digit()) {
            out.push_str(&rest[..start]);
            let digits = &rest[start..];
            let len = digits
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(digits.len());
            let number = &digits[..len];
            match number.parse::<u16>() {
                Ok(n) if self.ports.contains(&n) => out.push_str("PORT"),
                _ => out.push_str(number),
            }
            rest = &digits[len..];
        }
        out.push_str(rest);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_split_escaped_and_nothing_is_lost() {
        assert_eq!(lines_of(b""), Vec::<String>::new());
        assert_eq!(lines_of(b"a\nb\n"), ["a", "b"]);
        assert_eq!(
            lines_of(b"a\n\nb"),
            ["a", EMPTY_LINE, "b [no newline at end]"]
        );
        assert_eq!(lines_of(b"crlf\r\n"), ["crlf\\r"]);
        assert_eq!(
            lines_of(b"caf\xc3\xa9 \xff\x00\t \\"),
            ["café \\xff\\x00\\t \\\\ [no newline at end]"]
        );
    }

    #[test]
    fn spaces_at_the_end_of_a_line_show() {
        assert_eq!(lines_of(b"<-- \n"), ["<--\\x20"]);
        assert_eq!(lines_of(b"   \n"), ["\\x20\\x20\\x20"]);
        assert_eq!(lines_of(b"a b\n"), ["a b"]);
        assert_eq!(lines_of(b"prompt: "), ["prompt:\\x20 [no newline at end]"]);
    }

    #[test]
    fn ports_are_replaced_as_whole_numbers_only() {
        let n = Normaliser::new().port(2525).text("/tmp/x", "DIR");
        assert_eq!(n.line("127.0.0.1:2525 /tmp/x/f"), "127.0.0.1:PORT DIR/f");
        assert_eq!(n.line("25250 12525 2525"), "25250 12525 PORT");
        assert_eq!(n.line("no digits"), "no digits");
        assert_eq!(Normaliser::new().line("2525"), "2525");
        let n = Normaliser::new().ports([80, 2525]);
        assert_eq!(n.line("80 2525 8080"), "PORT PORT 8080");
    }

    #[test]
    fn longer_texts_are_replaced_first() {
        let n = Normaliser::new().text("/t", "T").text("/t/wd", "W");
        assert_eq!(n.line("/t/wd/f /t/g"), "W/f T/g");
    }
}

//! The message after DATA: line ends, dot-stuffing and the final dot.
//!
//! After the server's `354`, the client sends the message and ends it
//! with a line holding a single dot (RFC 5321 §4.1.1.4):
//!
//! ```text
//! Subject: test\r\n
//! \r\n
//! ..a line that began with a dot\r\n      <- stuffed: ".a line..."
//! .\r\n                                   <- the end of the message
//! ```
//!
//! Three steps, in this order:
//!
//! 1. **Line ends to CRLF.** A file written on Unix ends its lines with
//!    LF, an old Mac's with CR. SMTP text lines end with CRLF (§2.3.8),
//!    and a bare LF is where "SMTP smuggling" starts (CVE-2023-51764): a
//!    server that takes `\n.\n` for the end would see our message end
//!    early, and read the rest as commands. So every `\r\n`, `\n` and
//!    lone `\r` becomes `\r\n`, as smtplib's `quotedata` does.
//! 2. **Dot-stuffing** (§4.5.2). A line that starts with `.` gets another
//!    one in front; the server removes it. Without this, a line that is
//!    just `.` would end the message there.
//! 3. **The terminator.** A message that does not end with a line end
//!    gets one, then `.\r\n` follows. An empty message is just `.\r\n`.
//!
//! Stuffing looks at line starts, so it must see the same lines the
//! server will: the message is cut into lines at any of the three line
//! ends first, then each line is stuffed and sent with CRLF, all in one
//! pass. [`Lines`] does the cutting a piece at a time, so a message read
//! from a file goes out as it is read, never held whole: a line may
//! start in one piece and end in the next, and only that line is kept.

use std::fmt;

/// RFC 5321 §4.5.3.1.6: a text line is at most 1000 octets, CRLF
/// included.
pub const MAX_TEXT_LINE: usize = 1000;

/// Why a message can't be sent as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataError {
    /// A line is longer than RFC 5321 allows. Servers may cut it or
    /// refuse the message; we refuse before sending.
    LineTooLong {
        /// Which line of the message, from 1.
        line: usize,
        /// Its length in octets, CRLF included.
        len: usize,
    },
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataError::LineTooLong { line, len } => write!(
                f,
                "line {line} of the message is {len} octets long with its \
                 CRLF; RFC 5321 §4.5.3.1.6 allows at most {MAX_TEXT_LINE}"
            ),
        }
    }
}

impl std::error::Error for DataError {}

// ANCHOR: encode_line
/// What ends the message: a line holding a single dot.
pub const END: &[u8] = b".\r\n";

/// One line as it goes after `354`: a leading dot doubled (§4.5.2),
/// then CRLF. Every line of the message, as [`Lines`] cuts it, then
/// [`END`]: that is all that goes after `354`.
pub fn encode_line(line: &[u8], wire: &mut Vec<u8>) {
    if line.starts_with(b".") {
        wire.push(b'.');
    }
    wire.extend_from_slice(line);
    wire.extend_from_slice(b"\r\n");
}
// ANCHOR_END: encode_line

/// Checks a whole message before anything is sent: every line fits
/// (see [`Lines`]). Returns its size as RFC 1870 (the SIZE extension)
/// counts it: the octets of the message with CRLF line ends, without
/// the stuffed dots and the final dot.
///
/// # Errors
/// [`DataError::LineTooLong`] for a line over [`MAX_TEXT_LINE`].
pub fn check(message: &[u8]) -> Result<u64, DataError> {
    let mut lines = Lines::default();
    lines.push(message, |_| {})?;
    lines.finish(|_| {})
}

// ANCHOR: lines
/// Cuts a message into lines as it comes, a piece at a time: `\r\n`,
/// `\n` and a lone `\r` each end a line. A last line without a line end
/// counts as a line; nothing after a final line end does (an empty
/// message has no lines at all, not one empty line).
#[derive(Debug, Default)]
pub struct Lines {
    /// The line being cut, kept while it fits [`MAX_TEXT_LINE`].
    line: Vec<u8>,
    /// Its length so far, counted on past the limit for the error.
    len: usize,
    /// The last piece ended with CR: an LF first in the next belongs to
    /// the same line end.
    after_cr: bool,
    /// Lines ended so far.
    count: usize,
    /// The message's size so far, as RFC 1870 counts it.
    size: u64,
}

impl Lines {
    /// Takes the next piece of the message; `each` gets every line it
    /// completes, without its line end.
    ///
    /// # Errors
    /// [`DataError::LineTooLong`] for a line over [`MAX_TEXT_LINE`].
    pub fn push(
        &mut self,
        mut piece: &[u8],
        mut each: impl FnMut(&[u8]),
    ) -> Result<(), DataError> {
        while let Some(&first) = piece.first() {
            if std::mem::take(&mut self.after_cr) && first == b'\n' {
                piece = &piece[1..];
                continue;
            }
            let end = piece.iter().position(|&b| b == b'\r' || b == b'\n');
            let text = &piece[..end.unwrap_or(piece.len())];
            self.len += text.len();
            if self.len + 2 <= MAX_TEXT_LINE {
                self.line.extend_from_slice(text);
            }
            let Some(end) = end else { break };
            self.after_cr = piece[end] == b'\r';
            self.end_line(&mut each)?;
            piece = &piece[end + 1..];
        }
        Ok(())
    }
    // ANCHOR_END: lines

    /// The message has ended: its last line, if that has no line end.
    /// Returns the message's size as RFC 1870 counts it.
    ///
    /// # Errors
    /// As for [`push`](Self::push).
    pub fn finish(
        &mut self,
        mut each: impl FnMut(&[u8]),
    ) -> Result<u64, DataError> {
        if self.len > 0 {
            self.end_line(&mut each)?;
        }
        Ok(self.size)
    }

    /// Line `count + 1` is complete: it must fit with its CRLF.
    fn end_line(&mut self, each: impl FnOnce(&[u8])) -> Result<(), DataError> {
        let len = std::mem::take(&mut self.len) + 2;
        self.count += 1;
        if len > MAX_TEXT_LINE {
            let line = self.count;
            return Err(DataError::LineTooLong { line, len });
        }
        each(&self.line);
        self.line.clear();
        self.size += len as u64;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bytes to send after `354` for a whole message.
    fn wire(message: &[u8]) -> Vec<u8> {
        let (mut lines, mut wire) = (Lines::default(), Vec::new());
        let mut each = |line: &[u8]| encode_line(line, &mut wire);
        lines.push(message, &mut each).unwrap();
        lines.finish(each).unwrap();
        wire.extend_from_slice(END);
        wire
    }

    #[test]
    fn smtplib_quotedata_case() {
        // smtplib's testQuoteData, plus our terminator.
        let got = wire(b"abc\n.jkl\rfoo\r\n..blue");
        assert_eq!(got, b"abc\r\n..jkl\r\nfoo\r\n...blue\r\n.\r\n");
    }

    #[test]
    fn every_kind_of_line_end_becomes_crlf() {
        // Row S4.
        assert_eq!(wire(b"a\nb\rc\r\nd"), b"a\r\nb\r\nc\r\nd\r\n.\r\n");
        assert_eq!(wire(b"a\r\r\n"), b"a\r\n\r\n.\r\n");
        assert_eq!(wire(b"a\n.\nb"), b"a\r\n..\r\nb\r\n.\r\n");
        assert_eq!(wire(b"a\n.\r\nb\n"), b"a\r\n..\r\nb\r\n.\r\n");
    }

    #[test]
    fn lines_that_start_with_a_dot_are_stuffed() {
        // Row S3: ".", "..", a dot after an empty line, a dot first.
        assert_eq!(wire(b".\n"), b"..\r\n.\r\n");
        assert_eq!(wire(b"..\n"), b"...\r\n.\r\n");
        assert_eq!(wire(b"x\r\n\r\n.\r\n"), b"x\r\n\r\n..\r\n.\r\n");
        assert_eq!(wire(b".hidden"), b"..hidden\r\n.\r\n");
    }

    #[test]
    fn a_missing_last_line_end_is_added_and_empty_is_just_the_dot() {
        // Row S5.
        assert_eq!(wire(b"last line"), b"last line\r\n.\r\n");
        assert_eq!(wire(b""), b".\r\n");
        assert_eq!(wire(b"\n"), b"\r\n.\r\n");
        assert_eq!(wire(b"\xff\xfe\n"), b"\xff\xfe\r\n.\r\n");
    }

    #[test]
    fn sizes_count_crlf_lines_without_stuffing() {
        let size = |message: &[u8]| check(message).unwrap();
        assert_eq!(size(b""), 0);
        assert_eq!(size(b"a\n.b"), 7); // "a\r\n.b\r\n"
        assert_eq!(size(b"a\r\n"), 3);
        assert_eq!(size(b"a\rb"), 6);
    }

    #[test]
    fn a_line_cut_across_pieces_is_one_line() {
        // CRLF split between two pieces, a long line in three.
        let mut lines = Lines::default();
        let mut got = Vec::new();
        for piece in [&b"ab\r"[..], b"\ncd", b"e\r", b"f"] {
            lines.push(piece, |l| got.push(l.to_vec())).unwrap();
        }
        let size = lines.finish(|l| got.push(l.to_vec())).unwrap();
        assert_eq!(got, [&b"ab"[..], b"cde", b"f"]);
        assert_eq!(size, 12);
    }

    #[test]
    fn a_line_too_long_is_not_kept_in_memory() {
        // Row F8: a file without a line end costs a line, not its size.
        let mut lines = Lines::default();
        for _ in 0..100 {
            lines.push(&[b'x'; 4096], |_| {}).unwrap();
        }
        assert!(lines.line.capacity() <= 2 * MAX_TEXT_LINE);
        let err = lines.finish(|_| {}).unwrap_err();
        assert_eq!(
            err,
            DataError::LineTooLong {
                line: 1,
                len: 409_602
            }
        );
    }

    #[test]
    fn a_line_may_be_1000_octets_with_its_crlf() {
        // Row S6: 998 + CRLF passes, 999 + CRLF does not.
        assert_eq!(check(&[b'x'; 998]), Ok(1000));
        let long = [b"ok\n".as_slice(), &[b'x'; 999]].concat();
        let err = check(&long).unwrap_err();
        assert_eq!(err, DataError::LineTooLong { line: 2, len: 1001 });
        assert!(err.to_string().contains("at most 1000"));
    }
}

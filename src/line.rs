//! Line framing: the one line reader every text protocol here uses.
//!
//! TCP carries a stream of bytes, not messages. When a program sends
//! `"hello\n"` the peer may receive `"hel"` then `"lo\n"`, or
//! `"hello\nworld\n"` in a single read. A text protocol (echo, SMTP, the
//! head of an HTTP response) therefore needs *framing*: a rule that says
//! where one message ends. For all of them the rule is the same, a line
//! ends at a line feed:
//!
//! ```text
//! line = *byte-but-not-LF [CR] LF      ; CRLF on the wire (RFC 5321
//!                                      ; §2.3.8), LF alone accepted
//! ```
//!
//! [`LineReader`] turns any [`Read`] into such lines. It keeps the bytes
//! that follow a terminator for the next call, tells a clean end of stream
//! from one in the middle of a line, and never holds more than `max_len`
//! bytes: a peer that sends a megabyte without a newline gets
//! [`LineError::TooLong`], not a megabyte of our memory.
//!
//! The framing rule itself is two pure functions, [`find_line_end`] and
//! [`strip_terminator`], so it can be tested without any I/O.
//!
//! Lesson: `lessons/00-bytes-lines-deadlines.md`.

use std::fmt;
use std::io::{self, Read};

use crate::blocking::{is_timeout, retry_interrupted};

/// How many bytes one `read` call asks for at most. A cap, not a protocol
/// rule: large enough that a line usually arrives in one system call.
const READ_CHUNK: usize = 8 * 1024;

/// Why [`LineReader::read_line`] could not return a line.
#[derive(Debug)]
pub enum LineError {
    /// The line, terminator included, would be longer than `max_len`
    /// bytes. The reader is stuck on that line: close the connection.
    TooLong {
        /// The limit that was exceeded.
        max_len: usize,
    },
    /// The stream ended after `partial` bytes of a line that never got
    /// its terminator. Those bytes are still in [`LineReader::buffered`].
    EofInLine {
        /// How many bytes of the unfinished line were received.
        partial: usize,
    },
    /// The stream's read timeout expired. Nothing is lost: bytes already
    /// received stay buffered, and calling again resumes the line.
    Timeout,
    /// Any other I/O error from the underlying reader.
    Io(io::Error),
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LineError::TooLong { max_len } => {
                write!(f, "line longer than {max_len} bytes")
            }
            LineError::EofInLine { partial } => write!(
                f,
                "connection closed in the middle of a line \
                 ({partial} bytes without a line end)"
            ),
            LineError::Timeout => write!(f, "timed out waiting for data"),
            LineError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for LineError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            LineError::Io(e) => Some(e),
            _ => None,
        }
    }
}

/// Maps an I/O error to a [`LineError`]: see [`is_timeout`].
impl From<io::Error> for LineError {
    fn from(e: io::Error) -> Self {
        if is_timeout(&e) {
            LineError::Timeout
        } else {
            LineError::Io(e)
        }
    }
}

// ANCHOR: framing_rule
/// Returns the length of the first line in `buf`, terminator included,
/// or `None` when `buf` holds no complete line yet.
pub fn find_line_end(buf: &[u8]) -> Option<usize> {
    buf.iter().position(|&b| b == b'\n').map(|lf| lf + 1)
}

/// Removes the line's terminator: `"\r\n"` or a bare `"\n"`.
pub fn strip_terminator(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}
// ANCHOR_END: framing_rule

/// Reads lines of bytes from `R`, never buffering more than `max_len`.
///
/// ```
/// use inet::line::LineReader;
///
/// let stream: &[u8] = b"HELO there\r\nQUIT\npartial";
/// let mut lines = LineReader::new(stream, 512);
/// assert_eq!(lines.read_line().unwrap(), Some(&b"HELO there"[..]));
/// assert_eq!(lines.read_line().unwrap(), Some(&b"QUIT"[..]));
/// assert!(lines.read_line().is_err()); // EOF in the middle of a line
/// assert_eq!(lines.buffered(), b"partial");
/// ```
#[derive(Debug)]
pub struct LineReader<R> {
    inner: R,
    /// Storage for the bytes received: `buf[start..end]` are those not
    /// yet returned, never more than `max_len`. It only grows (zeroed
    /// once), so a read does not pay to clear its room first.
    buf: Vec<u8>,
    start: usize,
    end: usize,
    max_len: usize,
}

impl<R: Read> LineReader<R> {
    /// Wraps `inner`. A line, terminator included, may be at most
    /// `max_len` bytes (at least 1: a limit of 0 is treated as 1).
    pub fn new(inner: R, max_len: usize) -> Self {
        LineReader {
            inner,
            buf: Vec::new(),
            start: 0,
            end: 0,
            max_len: max_len.max(1),
        }
    }

    // ANCHOR: read_line
    /// Returns the next line without its terminator, or `Ok(None)` when
    /// the stream ended cleanly, between two lines.
    ///
    /// # Errors
    /// [`LineError::TooLong`], [`LineError::EofInLine`],
    /// [`LineError::Timeout`] (retry to resume) or [`LineError::Io`].
    pub fn read_line(&mut self) -> Result<Option<&[u8]>, LineError> {
        Ok(self.read_raw_line()?.map(strip_terminator))
    }

    /// Like [`read_line`](Self::read_line), but the line keeps its
    /// terminator, `"\r\n"` or `"\n"`, for a caller that passes lines on
    /// exactly as they came.
    ///
    /// # Errors
    /// As for [`read_line`](Self::read_line).
    pub fn read_raw_line(&mut self) -> Result<Option<&[u8]>, LineError> {
        loop {
            let pending = &self.buf[self.start..self.end];
            if let Some(len) = find_line_end(pending) {
                let line = self.start..self.start + len;
                self.start += len;
                return Ok(Some(&self.buf[line]));
            }
            if pending.len() >= self.max_len {
                return Err(LineError::TooLong {
                    max_len: self.max_len,
                });
            }
            if self.fill()? == 0 {
                return match self.buffered().len() {
                    0 => Ok(None),
                    partial => Err(LineError::EofInLine { partial }),
                };
            }
        }
    }
    // ANCHOR_END: read_line

    /// Reads more bytes after the pending ones, never past `max_len`.
    /// Returns how many arrived; 0 means end of stream.
    fn fill(&mut self) -> Result<usize, LineError> {
        // Move the unreturned bytes to the front, so the whole budget of
        // `max_len` bytes is available to the line being read.
        self.buf.copy_within(self.start..self.end, 0);
        self.end -= self.start;
        self.start = 0;
        let room = (self.max_len - self.end).min(READ_CHUNK);
        if self.buf.len() < self.end + room {
            self.buf.resize(self.end + room, 0);
        }
        let (inner, room) =
            (&mut self.inner, &mut self.buf[self.end..self.end + room]);
        let n = retry_interrupted(|| inner.read(room))?;
        self.end += n;
        Ok(n)
    }

    /// The bytes received but not yet returned as a line: the start of the
    /// next line, or what was left when the stream ended or timed out.
    pub fn buffered(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    /// Removes and returns the [`buffered`](Self::buffered) bytes, for a
    /// caller that takes an unfinished line as it is (a reply that ends
    /// without a newline, say).
    pub fn take_buffered(&mut self) -> Vec<u8> {
        let rest = self.buffered().to_vec();
        self.start = 0;
        self.end = 0;
        rest
    }

    /// The limit given to [`new`](Self::new).
    pub fn max_len(&self) -> usize {
        self.max_len
    }

    /// The underlying reader.
    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    /// The underlying reader, mutably (to change its timeout, say). Reading
    /// from it directly would skip the bytes already buffered here.
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.inner
    }

    /// Gives back the underlying reader and the bytes buffered past the
    /// last line: a protocol that switches from lines to raw bytes (an
    /// HTTP body after its head) must start with those.
    pub fn into_parts(mut self) -> (R, Vec<u8>) {
        let rest = self.take_buffered();
        (self.inner, rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::ErrorKind;

    fn all_lines(input: &[u8], max_len: usize) -> Vec<Vec<u8>> {
        let mut lines = LineReader::new(input, max_len);
        let mut out = Vec::new();
        while let Some(line) = lines.read_line().unwrap() {
            out.push(line.to_vec());
        }
        out
    }

    #[test]
    fn crlf_and_lf_both_end_a_line() {
        let lines = all_lines(b"one\r\ntwo\nthree\r\n", 64);
        assert_eq!(lines, [&b"one"[..], b"two", b"three"]);
    }

    #[test]
    fn raw_lines_keep_their_terminator() {
        let mut lines = LineReader::new(&b"a\r\nb\n"[..], 64);
        assert_eq!(lines.read_raw_line().unwrap(), Some(&b"a\r\n"[..]));
        assert_eq!(lines.read_raw_line().unwrap(), Some(&b"b\n"[..]));
        assert_eq!(lines.read_raw_line().unwrap(), None);
    }

    #[test]
    fn a_lone_cr_is_part_of_the_line() {
        assert_eq!(all_lines(b"a\rb\n", 64), [b"a\rb"]);
        assert_eq!(all_lines(b"a\r\r\n", 64), [b"a\r"]);
    }

    #[test]
    fn empty_lines_are_lines() {
        assert_eq!(all_lines(b"\n\r\n", 64), [b"", b""]);
    }

    #[test]
    fn clean_eof_is_none_and_stays_none() {
        let mut lines = LineReader::new(&b"x\n"[..], 64);
        assert!(lines.read_line().unwrap().is_some());
        assert!(lines.read_line().unwrap().is_none());
        assert!(lines.read_line().unwrap().is_none());
    }

    #[test]
    fn eof_in_mid_line_keeps_the_partial_bytes() {
        let mut lines = LineReader::new(&b"done\nhalf"[..], 64);
        lines.read_line().unwrap();
        let err = lines.read_line().unwrap_err();
        assert!(matches!(err, LineError::EofInLine { partial: 4 }));
        assert_eq!(lines.take_buffered(), b"half");
        assert!(lines.read_line().unwrap().is_none());
    }

    #[test]
    fn the_limit_counts_the_terminator() {
        // "abc\r\n" is 5 bytes: it fits in 5, not in 4.
        assert_eq!(all_lines(b"abc\r\n", 5), [b"abc"]);
        let mut lines = LineReader::new(&b"abc\r\n"[..], 4);
        let err = lines.read_line().unwrap_err();
        assert!(matches!(err, LineError::TooLong { max_len: 4 }));
    }

    #[test]
    fn bytes_after_a_line_are_handed_back() {
        let mut lines =
            LineReader::new(&b"HTTP/1.0 200 OK\r\n\r\nbody"[..], 64);
        lines.read_line().unwrap();
        lines.read_line().unwrap();
        let (_, rest) = lines.into_parts();
        // The first fill read everything: the body start is buffered.
        assert_eq!(rest, b"body");
    }

    /// A reader whose first read a signal interrupts (EINTR).
    struct InterruptedOnce<'a> {
        interrupted: bool,
        rest: &'a [u8],
    }

    impl Read for InterruptedOnce<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if !self.interrupted {
                self.interrupted = true;
                return Err(ErrorKind::Interrupted.into());
            }
            self.rest.read(buf)
        }
    }

    #[test]
    fn an_interrupted_read_is_tried_again() {
        let rest = &b"after the signal\n"[..];
        let reader = InterruptedOnce {
            interrupted: false,
            rest,
        };
        let mut lines = LineReader::new(reader, 64);
        assert_eq!(lines.read_line().unwrap(), Some(&b"after the signal"[..]));
    }

    #[test]
    fn a_zero_limit_acts_as_one() {
        assert_eq!(all_lines(b"\n\n", 0), [b"", b""]);
    }

    #[test]
    fn errors_read_as_sentences() {
        let too_long = LineError::TooLong { max_len: 8 };
        assert_eq!(too_long.to_string(), "line longer than 8 bytes");
        let timeout = LineError::from(io::Error::from(ErrorKind::WouldBlock));
        assert!(matches!(timeout, LineError::Timeout));
    }
}

//! Reading one whole reply off the wire: lines from a [`LineReader`],
//! put together by the reply parser's [`Collector`].
//!
//! This is where the two kinds of failure meet. The line reader says
//! the stream closed, broke, went quiet, or sent a line too long; the
//! collector says a line was not SMTP. A caller wants one answer to
//! "did a reply come?", so [`ReadError`] holds both. Both programs read
//! replies this way: `smtp-raw` by hand, and the client of lesson 4.

use std::fmt;
use std::io::{self, Read};

use super::reply::{Collector, Reply, ReplyError};
use crate::line::{LineError, LineReader, strip_terminator};

// ANCHOR: read_reply
/// Why [`read_reply`] returned no reply.
#[derive(Debug)]
pub enum ReadError {
    /// The stream ended (between lines, or in the middle of one).
    Closed,
    /// The stream broke.
    Io(io::Error),
    /// No complete reply in time.
    Timeout,
    /// Not an SMTP reply.
    Malformed(ReplyError),
}

/// Reads lines until they make one whole reply. `on_line` sees each raw
/// line, line end included (for smtplib's `reply: '...'` debug lines).
/// Sans-socket: `R` may be a `TcpStream` or a test's byte slice.
///
/// # Errors
/// See [`ReadError`].
pub fn read_reply<R: Read>(
    lines: &mut LineReader<R>,
    mut on_line: impl FnMut(&[u8]),
) -> Result<Reply, ReadError> {
    let mut collector = Collector::default();
    loop {
        let raw = match lines.read_raw_line() {
            Ok(Some(raw)) => raw,
            Ok(None) | Err(LineError::EofInLine { .. }) => {
                return Err(ReadError::Closed);
            }
            Err(LineError::Timeout) => return Err(ReadError::Timeout),
            Err(LineError::TooLong { max_len }) => {
                let error = ReplyError::LineTooLong(max_len);
                return Err(ReadError::Malformed(error));
            }
            Err(LineError::Io(e)) => return Err(ReadError::Io(e)),
        };
        on_line(raw);
        match collector.push(strip_terminator(raw)) {
            Ok(Some(reply)) => return Ok(reply),
            Ok(None) => {}
            Err(error) => return Err(ReadError::Malformed(error)),
        }
    }
}
// ANCHOR_END: read_reply

/// smtplib's words when the server closed the connection (its
/// `SMTPServerDisconnected`), used by both programs.
pub const CLOSED: &str = "Connection unexpectedly closed";

/// The failure on its own, without the step: what `smtp-raw` prints
/// after `failed at <step>: `.
impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::Closed => write!(f, "{CLOSED}"),
            ReadError::Io(e) => write!(f, "{CLOSED}: {e}"),
            ReadError::Timeout => write!(f, "no reply in time"),
            ReadError::Malformed(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ReadError {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smtp::reply::MAX_REPLY_LINE;

    fn replies_of(wire: &[u8]) -> (Result<Reply, ReadError>, Vec<Vec<u8>>) {
        let mut lines = LineReader::new(wire, MAX_REPLY_LINE);
        let mut seen = Vec::new();
        let result = read_reply(&mut lines, |raw| seen.push(raw.to_vec()));
        (result, seen)
    }

    #[test]
    fn read_reply_reads_exactly_one_reply_and_shows_raw_lines() {
        let (reply, seen) = replies_of(b"250-a\r\n250 b\n220 next\r\n");
        let reply = reply.unwrap();
        assert_eq!((reply.code, reply.lines.len()), (250, 2));
        assert_eq!(seen, [b"250-a\r\n".to_vec(), b"250 b\n".to_vec()]);
    }

    #[test]
    fn read_reply_fails_at_once_on_a_close_or_a_bad_line() {
        assert!(matches!(replies_of(b"250-a\r\n").0, Err(ReadError::Closed)));
        assert!(matches!(
            replies_of(b"250-a\r\n25").0,
            Err(ReadError::Closed)
        ));
        let (bad, _) = replies_of(b"250-x\r\n550 y\r\n");
        assert!(matches!(bad, Err(ReadError::Malformed(_))));
        let long = [&b"250 "[..], &[b'x'; 600]].concat();
        let (bad, _) = replies_of(&long);
        let Err(ReadError::Malformed(ReplyError::LineTooLong(512))) = bad
        else {
            panic!("{bad:?}");
        };
    }

    #[test]
    fn read_errors_say_what_happened_without_the_step() {
        let reset = io::Error::from(io::ErrorKind::ConnectionReset);
        let text = ReadError::Io(reset).to_string();
        assert!(
            text.starts_with("Connection unexpectedly closed: "),
            "{text}"
        );
        let closed = ReadError::Closed.to_string();
        assert_eq!(closed, "Connection unexpectedly closed");
        let long = ReadError::Malformed(ReplyError::LineTooLong(512));
        assert_eq!(long.to_string(), ReplyError::LineTooLong(512).to_string());
    }

    #[test]
    fn a_reply_line_may_be_512_octets_with_its_crlf() {
        // RFC 5321 §4.5.3.1.5: "250 " + text + CRLF, at 511, 512, 513.
        for (text_len, ok) in [(505, true), (506, true), (507, false)] {
            let line = [&b"250 "[..], &vec![b'x'; text_len], b"\r\n"].concat();
            let (result, _) = replies_of(&line);
            assert_eq!(result.is_ok(), ok, "{} octets", line.len());
        }
    }
}

//! SMTP replies: a three-digit code and one or more lines of text.
//!
//! RFC 5321 §4.2 gives the grammar:
//!
//! ```text
//! Reply-line = *( Reply-code "-" [ textstring ] CRLF )
//!                 Reply-code [ SP textstring ] CRLF
//! Reply-code = %x32-35 %x30-35 %x30-39
//! ```
//!
//! We take any second digit, not only 0 to 5: a client acts on the
//! first digit (§4.2.1), and a `260` is no reason to drop a session.
//!
//! Every line of a reply starts with the same code. A `-` after the code
//! says "more lines follow"; a space, or nothing at all, marks the last
//! line. So the EHLO reply
//!
//! ```text
//! 250-mock.test
//! 250-PIPELINING
//! 250 SIZE 10240000
//! ```
//!
//! is *one* reply, code 250, three lines of text. A client that reads a
//! fixed number of bytes instead (as inet_03 does with `recv(1000)`) may
//! get half of it, or it and the next reply together.
//!
//! [`Collector`] takes lines one at a time (framing them is the line
//! reader's job) and hands back the [`Reply`] when its last line comes.
//! A malformed line is an error at once, never a reason to wait for more:
//! a client must not hang on a server that sent `2x0 oops`.

use std::fmt;

/// RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets, CRLF
/// included.
pub const MAX_REPLY_LINE: usize = 512;

/// How many lines one reply may have. RFC 5321 sets no limit; ours keeps
/// a server that sends `250-` lines forever from filling our memory.
pub const MAX_REPLY_LINES: usize = 1000;

/// A complete reply: its code and the text of each line, without the
/// code, the separator or the line end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The three-digit code, 200 to 599.
    pub code: u16,
    /// The text of each line, in order; at least one (maybe empty).
    pub lines: Vec<String>,
}

/// What the first digit of a code says (RFC 5321 §4.2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 2yz: done.
    Positive,
    /// 3yz: go on (354 after DATA: send the message).
    Intermediate,
    /// 4yz: not now; the same command may work later.
    Transient,
    /// 5yz: no; don't repeat the same command.
    Permanent,
}

impl Reply {
    /// What the code's first digit says.
    pub fn kind(&self) -> Kind {
        match self.code / 100 {
            2 => Kind::Positive,
            3 => Kind::Intermediate,
            4 => Kind::Transient,
            _ => Kind::Permanent,
        }
    }

    /// A 421: the server is closing the connection, whatever the command
    /// was (RFC 5321 §3.8). Nothing more can be sent, not even QUIT.
    pub fn is_closing(&self) -> bool {
        self.code == 421
    }
}

#[cfg(test)]
impl Reply {
    /// A reply with one line of text (the tests' shorthand).
    pub fn new(code: u16, text: &str) -> Reply {
        let lines = vec![text.to_owned()];
        Reply { code, lines }
    }
}

impl fmt::Display for Reply {
    /// `550 no such user`; the lines of a multi-line reply joined by
    /// `\n`, each with its code, as the server sent them (RFC 5321 §4.2):
    /// `-` after the code on all but the last line, and a last line
    /// without text is just the code. The text is escaped: a server's
    /// control characters must not reach the user's terminal.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = self.lines.len().max(1);
        for i in 0..count {
            let text = self.lines.get(i).map_or("", String::as_str);
            let separator = match (i + 1 == count, text.is_empty()) {
                (false, _) => "-",
                (true, false) => " ",
                (true, true) => "",
            };
            let newline = if i == 0 { "" } else { "\n" };
            let text = crate::escape::escape(text.as_bytes());
            write!(f, "{newline}{:03}{separator}{text}", self.code)?;
        }
        Ok(())
    }
}

/// Why a line could not be part of a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyError {
    /// The line does not start with three digits, the first 2 to 5.
    BadCode(String),
    /// After the code comes something other than `-`, a space or the end.
    BadSeparator(String),
    /// A line of a multi-line reply has another code than the first.
    CodeChanged {
        /// The code of the reply's first line.
        first: u16,
        /// The offending line.
        line: String,
    },
    /// More than [`MAX_REPLY_LINES`] lines in one reply.
    TooManyLines(usize),
    /// A line longer than the limit (found by the line reader, which
    /// stops reading there).
    LineTooLong(usize),
}

// ANCHOR: reply_line
/// One line of a reply, taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyLine {
    /// The three-digit code.
    pub code: u16,
    /// True for the last line (`250 ok` or `250`), false for `250-more`.
    pub last: bool,
    /// The text after the separator.
    pub text: String,
}

impl ReplyLine {
    /// Parses one line, without its line end.
    ///
    /// # Errors
    /// [`ReplyError::BadCode`] or [`ReplyError::BadSeparator`].
    pub fn parse(line: &[u8]) -> Result<ReplyLine, ReplyError> {
        let shown = || String::from_utf8_lossy(line).into_owned();
        let code = match line {
            [a @ b'2'..=b'5', b @ b'0'..=b'9', c @ b'0'..=b'9', ..] => {
                [a, b, c]
                    .iter()
                    .fold(0, |n, &d| n * 10 + u16::from(d - b'0'))
            }
            _ => return Err(ReplyError::BadCode(shown())),
        };
        let (last, text) = match &line[3..] {
            [] => (true, &[][..]),
            [b' ', text @ ..] => (true, text),
            [b'-', text @ ..] => (false, text),
            _ => return Err(ReplyError::BadSeparator(shown())),
        };
        let text = String::from_utf8_lossy(text).into_owned();
        Ok(ReplyLine { code, last, text })
    }
}
// ANCHOR_END: reply_line

impl fmt::Display for ReplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplyError::BadCode(line) => write!(
                f,
                "malformed reply {line:?}: a reply starts with a three-digit \
                 code from 200 to 599"
            ),
            ReplyError::BadSeparator(line) => write!(
                f,
                "malformed reply {line:?}: the code must be followed by \
                 '-', a space or the end of the line"
            ),
            ReplyError::CodeChanged { first, line } => write!(
                f,
                "malformed reply: a reply that started with code {first} \
                 went on with {line:?}"
            ),
            ReplyError::TooManyLines(max) => {
                write!(f, "reply longer than {max} lines")
            }
            ReplyError::LineTooLong(max) => write!(
                f,
                "reply line too long: over {max} octets with its CRLF \
                 (RFC 5321 §4.5.3.1.5 allows 512)"
            ),
        }
    }
}

impl std::error::Error for ReplyError {}

// ANCHOR: collector
/// Gathers the lines of one reply.
#[derive(Debug, Default)]
pub struct Collector {
    code: Option<u16>,
    lines: Vec<String>,
}

impl Collector {
    /// Takes the next line (without its line end). Returns the reply once
    /// its last line has come, and is then ready for the next reply.
    ///
    /// # Errors
    /// A malformed line, a change of code, or too many lines: the reply
    /// can't be trusted, and the connection should be closed.
    pub fn push(&mut self, raw: &[u8]) -> Result<Option<Reply>, ReplyError> {
        let line = ReplyLine::parse(raw)?;
        let code = *self.code.get_or_insert(line.code);
        if line.code != code {
            let line = String::from_utf8_lossy(raw).into_owned();
            return Err(ReplyError::CodeChanged { first: code, line });
        }
        if self.lines.len() >= MAX_REPLY_LINES {
            return Err(ReplyError::TooManyLines(MAX_REPLY_LINES));
        }
        self.lines.push(line.text);
        if !line.last {
            return Ok(None);
        }
        self.code = None;
        let lines = std::mem::take(&mut self.lines);
        Ok(Some(Reply { code, lines }))
    }
}
// ANCHOR_END: collector

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses a whole buffer of replies, each line ended by CRLF or LF.
    fn parse_all(bytes: &[u8]) -> Result<Vec<Reply>, ReplyError> {
        let mut collector = Collector::default();
        let mut replies = Vec::new();
        for line in bytes.split_inclusive(|&b| b == b'\n') {
            let line = crate::line::strip_terminator(line);
            replies.extend(collector.push(line)?);
        }
        Ok(replies)
    }

    fn reply(code: u16, lines: &[&str]) -> Reply {
        let lines = lines.iter().map(|&l| l.to_owned()).collect();
        Reply { code, lines }
    }

    #[test]
    fn a_multiline_reply_is_one_reply_with_digits_in_its_text() {
        // Row S7: text that starts with digits is still text.
        let wire =
            b"250-a\r\n250-234 Text beginning with numbers\r\n250 last\r\n";
        let replies = parse_all(wire).unwrap();
        let expected =
            reply(250, &["a", "234 Text beginning with numbers", "last"]);
        assert_eq!(replies, [expected]);
    }

    #[test]
    fn a_bare_code_and_a_code_with_a_space_are_accepted() {
        assert_eq!(parse_all(b"250\r\n").unwrap(), [reply(250, &[""])]);
        assert_eq!(parse_all(b"250 \r\n").unwrap(), [reply(250, &[""])]);
        assert_eq!(parse_all(b"354 go\n").unwrap(), [reply(354, &["go"])]);
    }

    #[test]
    fn malformed_codes_are_errors_not_waits() {
        // Row S8: each of these must fail on its own line.
        for bad in ["2x0 oops", "25", "", "ab", "150 no", "650 no", "099 x"] {
            let err = ReplyLine::parse(bad.as_bytes()).unwrap_err();
            assert!(matches!(err, ReplyError::BadCode(_)), "{bad:?}");
        }
        let err = ReplyLine::parse(b"250x").unwrap_err();
        assert!(matches!(err, ReplyError::BadSeparator(_)));
    }

    #[test]
    fn a_change_of_code_in_mid_reply_is_an_error() {
        let err = parse_all(b"250-x\r\n550 y\r\n").unwrap_err();
        assert_eq!(
            err,
            ReplyError::CodeChanged {
                first: 250,
                line: "550 y".into()
            }
        );
        assert!(err.to_string().contains("started with code 250"));
    }

    #[test]
    fn endless_continuation_lines_are_cut_off() {
        let mut collector = Collector::default();
        for _ in 0..MAX_REPLY_LINES {
            assert_eq!(collector.push(b"250-more"), Ok(None));
        }
        let err = collector.push(b"250 end").unwrap_err();
        assert_eq!(err, ReplyError::TooManyLines(MAX_REPLY_LINES));
    }

    #[test]
    fn the_collector_starts_afresh_after_each_reply() {
        let wire = b"220 hi\r\n250-a\r\n250 b\r\n221 bye\r\n";
        let codes: Vec<u16> =
            parse_all(wire).unwrap().iter().map(|r| r.code).collect();
        assert_eq!(codes, [220, 250, 221]);
    }

    #[test]
    fn a_reply_is_shown_as_the_server_sent_it() {
        let r = reply(250, &["mock.test", "PIPELINING", "SIZE 100"]);
        assert_eq!(
            r.to_string(),
            "250-mock.test\n250-PIPELINING\n250 SIZE 100"
        );
        assert_eq!(reply(250, &[""]).to_string(), "250");
        assert_eq!(reply(250, &["", "x"]).to_string(), "250-\n250 x");
        assert_eq!(reply(421, &[]).to_string(), "421");
        // Escaped: a server's control characters never reach a terminal.
        let steering = reply(550, &["\x1b]0;title\x07 \u{9b}2J"]);
        let shown = r"550 \x1b]0;title\x07 \u{9b}2J";
        assert_eq!(steering.to_string(), shown);
    }

    #[test]
    fn the_first_digit_says_what_kind_of_reply_it_is() {
        assert_eq!(Reply::new(451, "later").kind(), Kind::Transient);
        assert_eq!(Reply::new(354, "go").kind(), Kind::Intermediate);
        assert!(Reply::new(421, "bye").is_closing());
        assert!(!Reply::new(451, "later").is_closing());
    }
}

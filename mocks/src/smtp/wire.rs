//! The bytes on the wire, without any sockets: splitting the input into
//! lines under a length limit, reading a command, taking a path apart,
//! un-stuffing a message line, and laying out a reply.
//!
//! Everything here is a pure function (or a buffer fed by a closure), so
//! the unit tests below can check every edge without a connection.

use std::io;

/// The longest command line, CRLF included (RFC 5321 §4.5.3.1.4).
pub const MAX_COMMAND_LINE: usize = 512;
/// The longest line of message text, CRLF included (RFC 5321
/// §4.5.3.1.6).
pub const MAX_TEXT_LINE: usize = 1000;
/// The most recipients one transaction may name. RFC 5321 §4.5.3.1.8
/// says a server must accept at least 100; more get `452`
/// (§4.5.3.1.10).
pub const MAX_RECIPIENTS: usize = 1000;
/// The largest message the mock keeps, un-stuffed, in octets; the
/// default EHLO reply advertises it as `SIZE` (RFC 1870).
pub const MAX_MESSAGE_SIZE: usize = 10_240_000;

/// How many bytes one `read` asks for. With the line limit it bounds the
/// memory a connection can make the mock hold. A page: a message of a
/// kilobyte with its headers (smtp-source's) comes in one read, where a
/// kilobyte took two.
const CHUNK: usize = 4096;

/// What [`LineReader::next_line`] found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Line {
    /// A whole line, its `\n` (and the `\r` before it, if any) included.
    Whole(Vec<u8>),
    /// The limit was reached before a `\n`; [`LineReader::skip_line`]
    /// throws away the rest of the line.
    TooLong,
    /// The peer closed the connection (a partial last line is dropped).
    Eof,
}

/// Splits a byte stream into lines without ever holding more than about
/// `limit + CHUNK` bytes, however long the line the peer sends.
///
/// It reads through a closure (`fill`) rather than owning the stream, so
/// the driver can set a fresh timeout before each read and the tests can
/// feed it from a slice.
#[derive(Debug, Default)]
pub(crate) struct LineReader {
    /// Bytes read but not yet handed out: pipelined commands wait here.
    pending: Vec<u8>,
}

impl LineReader {
    /// Returns the next line of at most `limit` bytes, line end included.
    ///
    /// When the first `limit` bytes hold no `\n`, they are thrown away
    /// (all but the last, which [`skip_line`](Self::skip_line) needs to
    /// spot a bare LF) and the answer is [`Line::TooLong`]: the rest of
    /// the line is still to come.
    pub(crate) fn next_line(
        &mut self,
        limit: usize,
        mut fill: impl FnMut(&mut [u8]) -> io::Result<usize>,
    ) -> io::Result<Line> {
        let mut searched = 0;
        loop {
            let found = self.pending[searched..].iter().position(is_lf);
            match found.map(|at| searched + at) {
                Some(at) if at < limit => {
                    let line = self.pending.drain(..=at).collect();
                    return Ok(Line::Whole(line));
                }
                _ if self.pending.len() >= limit => {
                    self.pending.drain(..limit - 1);
                    return Ok(Line::TooLong);
                }
                _ => {}
            }
            searched = self.pending.len();
            let mut chunk = [0; CHUNK];
            let n = fill(&mut chunk)?;
            if n == 0 {
                return Ok(Line::Eof);
            }
            self.pending.extend_from_slice(&chunk[..n]);
        }
    }

    /// Whether a whole line is waiting in the buffer already: the client
    /// pipelined it (RFC 2920), and the next [`next_line`](Self::next_line)
    /// needs no read.
    pub(crate) fn has_line(&self) -> bool {
        self.pending.contains(&b'\n')
    }

    /// After [`Line::TooLong`], throws bytes away up to
    /// and including the next `\n`. Returns whether that `\n` came without
    /// a `\r` before it (a bare LF), or `None` at EOF.
    pub(crate) fn skip_line(
        &mut self,
        mut fill: impl FnMut(&mut [u8]) -> io::Result<usize>,
    ) -> io::Result<Option<bool>> {
        let mut last = 0;
        loop {
            if let Some(at) = self.pending.iter().position(is_lf) {
                let before = if at > 0 { self.pending[at - 1] } else { last };
                self.pending.drain(..=at);
                return Ok(Some(before != b'\r'));
            }
            last = self.pending.last().copied().unwrap_or(last);
            self.pending.clear();
            let mut chunk = [0; CHUNK];
            let n = fill(&mut chunk)?;
            if n == 0 {
                return Ok(None);
            }
            self.pending.extend_from_slice(&chunk[..n]);
        }
    }
}

fn is_lf(byte: &u8) -> bool {
    *byte == b'\n'
}

/// A command line taken apart: `MAIL FROM:<a@b>` is verb `MAIL` and
/// argument `FROM:<a@b>`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Command {
    /// Upper-cased, so `mail` and `MAIL` are the same command (RFC 5321
    /// §2.4: verbs are case-insensitive).
    pub(crate) verb: String,
    /// The rest of the line after one space, line end removed.
    pub(crate) arg: String,
}

/// Parses one command line. The mock is lenient here on purpose: a
/// command may end in a bare LF, because people type commands with `nc`.
/// Message text gets no such leniency (see [`is_bare_lf_line`]).
pub(crate) fn parse_command(line: &[u8]) -> Command {
    let line = strip_line_end(line);
    let text = String::from_utf8_lossy(line);
    let (verb, arg) = text.split_once(' ').unwrap_or((&text, ""));
    Command {
        verb: verb.to_ascii_uppercase(),
        arg: arg.trim().to_string(),
    }
}

/// Removes a trailing `\n` or `\r\n`.
pub(crate) fn strip_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Takes the path out of `FROM:<a@b> SIZE=10` (with `prefix` `FROM:`),
/// returning `a@b`, or `""` for the null reverse-path `<>` (RFC 5321
/// §4.1.1.2). Parameters after the path are accepted and ignored. `None`
/// when the argument is not of that shape: the caller replies `501`.
pub(crate) fn parse_path(arg: &str, prefix: &str) -> Option<String> {
    let head = arg.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(prefix) {
        return None;
    }
    // RFC 5321 has no space after the colon, but many clients send one.
    let rest = arg[prefix.len()..].trim_start();
    let inner = rest.strip_prefix('<')?;
    let end = inner.find('>')?;
    let path = &inner[..end];
    let params = &inner[end + 1..];
    let clean = !path.contains(['<', ' ', '\t']);
    let separated = params.is_empty() || params.starts_with(' ');
    (clean && separated).then(|| path.to_string())
}

/// Whether a line of message text ends in a bare `\n`. RFC 5321 §2.3.8
/// allows only CRLF; a server that accepted a bare LF could be made to
/// see a different end of message than the next server does (SMTP
/// smuggling, CVE-2023-51764), so the mock refuses it outright, as
/// Postfix does with `smtpd_forbid_bare_newline`.
pub(crate) fn is_bare_lf_line(line: &[u8]) -> bool {
    line.ends_with(b"\n") && !line.ends_with(b"\r\n")
}

/// Whether a line of message text is the end of the message: a dot alone
/// on a line, `.` CRLF (RFC 5321 §4.1.1.4). `.\n`, `.\r\r\n` and friends
/// are not.
pub(crate) fn is_end_of_data(line: &[u8]) -> bool {
    line == b".\r\n"
}

/// Undoes dot-stuffing: a line that begins with a dot had one added by the
/// client, so one is taken away (RFC 5321 §4.5.2).
pub(crate) fn unstuff(line: &[u8]) -> &[u8] {
    line.strip_prefix(b".").unwrap_or(line)
}

/// Lays out a reply for the wire. `text` holds one reply line per `\n`
/// (a trailing `\r` on a line is ignored), each line complete with its
/// code, e.g. `"250-mock.test\n250 SIZE 1000"`: the mock sends exactly
/// what it was given, so a script can send a malformed reply on purpose.
/// Each line ends in CRLF, or in LF alone when `lf_only` is set.
pub(crate) fn format_reply(text: &str, lf_only: bool) -> Vec<u8> {
    let end: &[u8] = if lf_only { b"\n" } else { b"\r\n" };
    let mut out = Vec::with_capacity(text.len() + 8);
    for line in text.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        out.extend_from_slice(line.as_bytes());
        out.extend_from_slice(end);
    }
    out
}

/// The reply code of a reply text: its first three characters as a
/// number, or 0 when they are not three digits.
pub(crate) fn reply_code(text: &str) -> u16 {
    match text.as_bytes() {
        [a, b, c, ..] if [a, b, c].iter().all(|d| d.is_ascii_digit()) => {
            text[..3].parse().unwrap_or(0)
        }
        _ => 0,
    }
}

/// Whether a reply says yes: 2xx, or 3xx ("go on", as `354` for DATA).
pub(crate) fn is_positive(text: &str) -> bool {
    (200..400).contains(&reply_code(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds a `LineReader` from a slice, `step` bytes per read.
    fn feeder(
        mut input: &[u8],
        step: usize,
    ) -> impl FnMut(&mut [u8]) -> io::Result<usize> + '_ {
        move |buf| {
            let n = step.min(buf.len()).min(input.len());
            buf[..n].copy_from_slice(&input[..n]);
            input = &input[n..];
            Ok(n)
        }
    }

    fn lines(input: &[u8], step: usize, limit: usize) -> Vec<Line> {
        let mut reader = LineReader::default();
        let mut fill = feeder(input, step);
        let mut out = Vec::new();
        loop {
            let line = reader.next_line(limit, &mut fill).unwrap();
            let eof = line == Line::Eof;
            out.push(line);
            if eof {
                return out;
            }
        }
    }

    fn whole(bytes: &[u8]) -> Line {
        Line::Whole(bytes.to_vec())
    }

    #[test]
    fn lines_come_out_whole_however_the_bytes_arrive() {
        let input = b"EHLO a\r\nMAIL FROM:<>\nQUIT\r\n";
        for step in [1, 2, 5, 1024] {
            let expected = vec![
                whole(b"EHLO a\r\n"),
                whole(b"MAIL FROM:<>\n"),
                whole(b"QUIT\r\n"),
                Line::Eof,
            ];
            assert_eq!(lines(input, step, 512), expected, "step {step}");
        }
    }

    #[test]
    fn has_line_says_whether_a_whole_line_is_buffered() {
        let mut reader = LineReader::default();
        assert!(!reader.has_line());
        let mut fill = feeder(b"MAIL FROM:<>\r\nRCPT TO:<a@b>\r\nDA", 64);
        reader.next_line(512, &mut fill).unwrap();
        assert!(reader.has_line(), "RCPT is waiting");
        reader.next_line(512, &mut fill).unwrap();
        assert!(!reader.has_line(), "only half of DATA is here");
    }

    #[test]
    fn a_partial_last_line_is_dropped_at_eof() {
        assert_eq!(lines(b"QUI", 1, 512), vec![Line::Eof]);
    }

    #[test]
    fn the_limit_counts_the_line_end() {
        let mut exact = vec![b'a'; 510];
        exact.extend_from_slice(b"\r\n");
        assert_eq!(lines(&exact, 64, 512)[0], whole(&exact));
        let mut over = vec![b'a'; 511];
        over.extend_from_slice(b"\r\n");
        assert_eq!(lines(&over, 64, 512)[0], Line::TooLong);
    }

    #[test]
    fn an_endless_line_is_cut_off_with_bounded_memory() {
        let mut reader = LineReader::default();
        let mut served = 0usize;
        let mut endless = |buf: &mut [u8]| {
            buf.fill(b'x');
            served += buf.len();
            Ok(buf.len())
        };
        let line = reader.next_line(512, &mut endless).unwrap();
        assert_eq!(line, Line::TooLong);
        assert!(served <= 512 + CHUNK, "read {served} bytes");
        assert!(reader.pending.capacity() <= 2 * (512 + CHUNK));
    }

    /// Reads one over-long line (limit 1000) `step` bytes at a time,
    /// skips its rest, and returns what skipping said and the next line.
    fn skip(input: &[u8], step: usize) -> (Option<bool>, Line) {
        let mut reader = LineReader::default();
        let mut fill = feeder(input, step);
        assert_eq!(reader.next_line(1000, &mut fill).unwrap(), Line::TooLong);
        let skipped = reader.skip_line(&mut fill).unwrap();
        (skipped, reader.next_line(1000, &mut fill).unwrap())
    }

    #[test]
    fn skip_line_throws_away_the_rest_and_reports_a_bare_lf() {
        let long = vec![b'x'; 3000];
        let crlf = [&long[..], b"\r\nnext\r\n"].concat();
        assert_eq!(skip(&crlf, 100), (Some(false), whole(b"next\r\n")));
        let bare = [&long[..], b"\n"].concat();
        assert_eq!(skip(&bare, 100), (Some(true), Line::Eof));
        assert_eq!(skip(&long, 100).0, None);
        // 2047 x then CRLF: the \r ends one 1024-byte read, the \n
        // starts the next, and it is still no bare LF.
        let split = [&long[..2047], b"\r\n"].concat();
        assert_eq!(skip(&split, 1024), (Some(false), Line::Eof));
    }

    /// What a driver sees: each line, or `TooLong` with what skipping
    /// the rest reported, until the stream ends.
    #[derive(Debug, PartialEq, Eq)]
    enum Seen {
        Whole(Vec<u8>),
        TooLong(Option<bool>),
        Eof,
    }

    /// Reads `input` the way the driver does, `steps` bytes per read.
    fn drive(input: &[u8], steps: &[usize], limit: usize) -> Vec<Seen> {
        let mut reader = LineReader::default();
        let (mut pos, mut turn) = (0, 0);
        let mut fill = |buf: &mut [u8]| {
            let step = steps[turn % steps.len()];
            turn += 1;
            let n = step.min(buf.len()).min(input.len() - pos);
            buf[..n].copy_from_slice(&input[pos..pos + n]);
            pos += n;
            Ok(n)
        };
        let mut seen = Vec::new();
        loop {
            match reader.next_line(limit, &mut fill).unwrap() {
                Line::Whole(line) => seen.push(Seen::Whole(line)),
                Line::Eof => {
                    seen.push(Seen::Eof);
                    return seen;
                }
                Line::TooLong => {
                    let skipped = reader.skip_line(&mut fill).unwrap();
                    seen.push(Seen::TooLong(skipped));
                    if skipped.is_none() {
                        return seen;
                    }
                }
            }
        }
    }

    /// The same, worked out from the whole input at once.
    fn model(input: &[u8], limit: usize) -> Vec<Seen> {
        let mut seen = Vec::new();
        for segment in input.split_inclusive(|&b| b == b'\n') {
            let whole = segment.ends_with(b"\n");
            if whole && segment.len() <= limit {
                seen.push(Seen::Whole(segment.to_vec()));
            } else if whole {
                let bare = segment[segment.len() - 2] != b'\r';
                seen.push(Seen::TooLong(Some(bare)));
            } else if segment.len() >= limit {
                seen.push(Seen::TooLong(None));
                return seen;
            }
        }
        seen.push(Seen::Eof);
        seen
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config {
            failure_persistence: Some(Box::new(
                proptest::test_runner::FileFailurePersistence::Direct(concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../proptest-regressions/mock_smtp_wire.txt"
                )),
            )),
            ..Default::default()
        })]

        /// However TCP cuts the stream, the driver sees the same lines,
        /// the same over-long lines (with the same bare-LF verdict) and
        /// the same end as the model.
        #[test]
        fn chunking_never_changes_the_lines(
            input in proptest::collection::vec(
                proptest::sample::select(b"ab.\r\n".to_vec()), 0..200),
            steps in proptest::collection::vec(1usize..9, 1..5),
            limit in 1usize..24,
        ) {
            proptest::prop_assert_eq!(drive(&input, &steps, limit), model(&input, limit));
        }
    }

    #[test]
    fn commands_are_split_and_upper_cased() {
        let cmd = parse_command(b"mail FROM:<a@b> SIZE=3\r\n");
        assert_eq!(cmd.verb, "MAIL");
        assert_eq!(cmd.arg, "FROM:<a@b> SIZE=3");
        assert_eq!(parse_command(b"quit\n").verb, "QUIT");
        assert_eq!(parse_command(b"\r\n").verb, "");
    }

    #[test]
    fn paths_are_taken_out_of_mail_and_rcpt_arguments() {
        let cases = [
            ("FROM:<a@b>", Some("a@b")),
            ("from:<a@b> SIZE=10 BODY=8BITMIME", Some("a@b")),
            ("FROM: <a@b>", Some("a@b")),
            ("FROM:<>", Some("")),
            ("FROM:a@b", None),
            ("FROM:<a@b", None),
            ("FROM:<a b>", None),
            ("FROM:<a@b>junk", None),
            ("TO:<a@b>", None),
            ("", None),
        ];
        for (arg, want) in cases {
            let got = parse_path(arg, "FROM:");
            assert_eq!(got.as_deref(), want, "{arg:?}");
        }
    }

    #[test]
    fn only_crlf_dot_crlf_ends_the_message() {
        assert!(is_end_of_data(b".\r\n"));
        for line in [&b".\n"[..], b".\r\r\n", b"..\r\n", b" .\r\n", b"."] {
            assert!(!is_end_of_data(line), "{line:?}");
        }
    }

    #[test]
    fn bare_lf_lines_are_told_apart() {
        assert!(is_bare_lf_line(b"abc\n"));
        assert!(is_bare_lf_line(b".\n"));
        assert!(!is_bare_lf_line(b"abc\r\n"));
        assert!(!is_bare_lf_line(b"abc\r\r\n"));
    }

    #[test]
    fn unstuffing_takes_away_one_leading_dot() {
        assert_eq!(unstuff(b"..\r\n"), b".\r\n");
        assert_eq!(unstuff(b"..dot\r\n"), b".dot\r\n");
        assert_eq!(unstuff(b"plain.\r\n"), b"plain.\r\n");
    }

    #[test]
    fn replies_get_a_line_end_per_line() {
        assert_eq!(format_reply("250 ok", false), b"250 ok\r\n");
        let multi = format_reply("250-a\r\n250 b", false);
        assert_eq!(multi, b"250-a\r\n250 b\r\n");
        assert_eq!(format_reply("250-a\n250 b", true), b"250-a\n250 b\n");
    }

    #[test]
    fn reply_codes_are_read_from_the_first_three_digits() {
        assert_eq!(reply_code("550 5.1.1 no"), 550);
        assert_eq!(reply_code("250"), 250);
        assert_eq!(reply_code("2x0 garbage"), 0);
        assert_eq!(reply_code("25"), 0);
        assert!(is_positive("354 go ahead"));
        assert!(!is_positive("421 bye"));
        assert!(!is_positive("garbage"));
    }
}

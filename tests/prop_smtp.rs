//! Properties of the SMTP protocol core (`src/smtp/`), over generated
//! replies, messages and arguments.
//!
//! The decoder and the line-end rule a server applies are written here
//! again, the simple way, so that a bug in `src/smtp/data.rs` can't hide
//! in the test's expectations.

mod common;

use std::io::{self, Read};

use inet::line::LineReader;
use inet::smtp::client::read_reply;
use inet::smtp::command::{Command, CommandError};
use inet::smtp::data;
use inet::smtp::reply::{self, MAX_REPLY_LINE, Reply};
use proptest::prelude::*;

/// A reader that hands out its bytes in the given chunk sizes (cycled).
struct Chunked {
    data: Vec<u8>,
    pos: usize,
    sizes: Vec<usize>,
    next: usize,
}

impl Read for Chunked {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let size = self.sizes[self.next % self.sizes.len()];
        self.next += 1;
        let n = size.min(buf.len()).min(self.data.len() - self.pos);
        buf[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Reads replies until the stream ends.
fn read_all(data: &[u8], sizes: Vec<usize>) -> Vec<Reply> {
    let data = data.to_vec();
    let chunked = Chunked {
        data,
        pos: 0,
        sizes,
        next: 0,
    };
    let mut lines = LineReader::new(chunked, MAX_REPLY_LINE);
    let mut replies = Vec::new();
    while let Ok(reply) = read_reply(&mut lines, |_| {}) {
        replies.push(reply);
    }
    replies
}

/// Valid replies: a code from 200 to 599, one to six lines of printable
/// ASCII text that often starts with digits (`250-234 text`, row S7).
fn valid_reply() -> impl Strategy<Value = Reply> {
    let text = prop_oneof![
        "[ -~]{0,40}",
        "[0-9]{3}[ -][ -~]{0,20}",
        Just(String::new()),
    ];
    let lines = prop::collection::vec(text, 1..6);
    (200u16..600, lines).prop_map(|(code, lines)| Reply { code, lines })
}

/// The server's side of DATA, as RFC 5321 §4.5.2 describes it: read
/// CRLF lines up to the one that is a single dot, and remove one leading
/// dot from the others.
fn server_decode(wire: &[u8]) -> (Vec<u8>, usize) {
    let mut message = Vec::new();
    let mut rest = wire;
    loop {
        let end = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .expect("every line ends with CRLF");
        let line = &rest[..end];
        rest = &rest[end + 2..];
        if line == b"." {
            return (message, rest.len());
        }
        message.extend_from_slice(line.strip_prefix(b".").unwrap_or(line));
        message.extend_from_slice(b"\r\n");
    }
}

/// CRLF line ends, the simple way: every CRLF, lone CR and lone LF
/// becomes one line end; a last line without one gets one.
fn normalised(body: &[u8]) -> Vec<u8> {
    // Bytes, not text: work on a Latin-1 view so any byte survives.
    let latin1: String = body.iter().map(|&b| char::from(b)).collect();
    let unix = latin1.replace("\r\n", "\n").replace('\r', "\n");
    let mut out: Vec<u8> = unix
        .replace('\n', "\r\n")
        .chars()
        .map(|c| c as u8)
        .collect();
    if !out.is_empty() && !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Bytes that are often line ends and dots: the interesting cases.
fn body() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        3 => any::<u8>(),
        2 => Just(b'.'),
        2 => Just(b'\n'),
        2 => Just(b'\r'),
        1 => Just(b'a'),
    ];
    prop::collection::vec(byte, 0..300)
}

proptest! {
    #![proptest_config(common::proptest_config(
        "proptest-regressions/prop_smtp.txt",
        256,
    ))]

    /// However TCP chunks a stream of replies, the same replies come out:
    /// the ones that went in.
    #[test]
    fn chunking_never_changes_the_replies(
        replies in prop::collection::vec(valid_reply(), 1..6),
        sizes in prop::collection::vec(1usize..30, 1..8),
        lf_only in any::<bool>(),
    ) {
        let mut wire = Vec::new();
        for r in &replies {
            wire.extend_from_slice(&reply::format(r));
        }
        if lf_only {
            // Some servers end lines with LF alone; the text is the same.
            wire = String::from_utf8(wire).unwrap().replace("\r\n", "\n").into_bytes();
        }
        prop_assert_eq!(read_all(&wire, sizes), replies.clone());
        prop_assert_eq!(read_all(&wire, vec![usize::MAX]), replies);
    }

    /// Formatting a reply and parsing it back gives the same reply.
    #[test]
    fn parse_of_format_is_identity(r in valid_reply()) {
        prop_assert_eq!(reply::parse_all(&reply::format(&r)).unwrap(), vec![r]);
    }

    /// Rows S3-S5: what the server decodes is the CRLF-normalised body;
    /// the terminator comes once, at the very end; no bare CR or LF.
    #[test]
    fn data_round_trips_through_a_server(body in body()) {
        let encoded = data::encode(&body).unwrap();
        let wire = encoded.wire;
        let (decoded, after) = server_decode(&wire);
        prop_assert_eq!(&decoded, &normalised(&body));
        prop_assert_eq!(after, 0, "bytes after the terminator");
        // The DATA command's CRLF comes just before the message.
        let session = [b"data\r\n".as_slice(), &wire].concat();
        let ends = session.windows(5).filter(|w| *w == b"\r\n.\r\n").count();
        prop_assert_eq!(ends, 1);
        prop_assert!(session.ends_with(b"\r\n.\r\n"));
        for (i, &b) in wire.iter().enumerate() {
            if b == b'\r' {
                prop_assert_eq!(wire.get(i + 1), Some(&b'\n'), "bare CR at {}", i);
            }
            if b == b'\n' {
                prop_assert!(i > 0 && wire[i - 1] == b'\r', "bare LF at {}", i);
            }
        }
        prop_assert_eq!(encoded.size, decoded.len());
    }

    /// Row S6: the file check (`check_lines`, no bytes built) refuses
    /// exactly what `encode` refuses, at the same line, whatever the
    /// line ends; and a line refused is over 1000 octets with its CRLF.
    #[test]
    fn the_line_check_agrees_with_encode(
        lines in prop::collection::vec((990usize..1005, 0usize..3), 0..4),
    ) {
        let ends: [&[u8]; 3] = [b"\r\n", b"\n", b"\r"];
        let body: Vec<u8> = lines
            .iter()
            .flat_map(|&(len, end)| [vec![b'x'; len], ends[end].to_vec()])
            .flatten()
            .collect();
        let checked = data::check_lines(&body);
        prop_assert_eq!(&checked, &data::encode(&body).map(|_| ()));
        let first_long = lines.iter().position(|&(len, _)| len + 2 > 1000);
        match (checked, first_long) {
            (Ok(()), None) => {}
            (Err(data::DataError::LineTooLong { line, len }), Some(i)) => {
                prop_assert_eq!((line, len), (i + 1, lines[i].0 + 2));
            }
            (checked, expected) => {
                prop_assert!(false, "{:?} for long line {:?}", checked, expected);
            }
        }
    }

    /// Row S1: a CR, LF or NUL anywhere in any argument stops the
    /// command before it is formatted, whatever else the value holds.
    #[test]
    fn injected_line_breaks_are_always_refused(
        before in "[ -~]{0,20}",
        after in "[ -~]{0,20}",
        bad in prop::sample::select(vec!["\r", "\n", "\r\n", "\0"]),
        which in 0usize..6,
    ) {
        let value = format!("{before}{bad}{after}");
        let params = [value.clone()];
        let command = match which {
            0 => Command::Ehlo(&value),
            1 => Command::Helo(&value),
            2 => Command::Mail { from: &value, params: &[] },
            3 => Command::Rcpt { to: &value, params: &[] },
            4 => Command::Mail { from: "a@b", params: &params },
            _ => Command::Rcpt { to: "a@b", params: &params },
        };
        let refused = matches!(command.to_bytes(), Err(CommandError::LineBreak { .. }));
        prop_assert!(refused);
    }
}

//! An answer to lesson 3's exercise 1: one SMTP reply, whole. Lines are
//! read one at a time, each bounded, and a reply ends at its last line,
//! whatever the reads returned.

use std::io::{self, BufRead, Read};

/// A reply line's longest, line end included (RFC 5321 §4.5.3.1.5).
pub const MAX_LINE: usize = 512;

// ANCHOR: smtp_reply
/// One reply: its code, and the text of each line (after the code and
/// its separator, without the line end).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub code: u16,
    pub lines: Vec<String>,
}

/// Reads one whole reply from `input`.
///
/// # Errors
/// `InvalidData` for a line that is not part of a reply,
/// `UnexpectedEof` for a stream that ends before the reply does, or the
/// stream's own error.
pub fn read_reply(input: &mut impl BufRead) -> io::Result<Reply> {
    let mut reply = Reply {
        code: 0,
        lines: Vec::new(),
    };
    loop {
        let line = read_line(input)?;
        let (code, last, text) = parse(&line)?;
        if reply.lines.is_empty() {
            reply.code = code;
        } else if code != reply.code {
            return Err(invalid("a reply's lines must share its code"));
        }
        reply.lines.push(text);
        if last {
            return Ok(reply);
        }
    }
}

/// One line, without its line end: at most [`MAX_LINE`] octets are read,
/// so a line that never ends costs no more.
fn read_line(input: &mut impl BufRead) -> io::Result<Vec<u8>> {
    let mut line = Vec::new();
    input.take(MAX_LINE as u64).read_until(b'\n', &mut line)?;
    if !line.ends_with(b"\n") {
        return Err(match line.len() {
            MAX_LINE => invalid("a reply line over 512 octets"),
            _ => io::ErrorKind::UnexpectedEof.into(),
        });
    }
    line.pop();
    if line.ends_with(b"\r") {
        line.pop();
    }
    Ok(line)
}

/// A line's code, whether it is the last, and its text.
fn parse(line: &[u8]) -> io::Result<(u16, bool, String)> {
    let code = match line {
        [a @ b'2'..=b'5', b @ b'0'..=b'9', c @ b'0'..=b'9', ..] => [a, b, c]
            .iter()
            .fold(0, |n, &d| n * 10 + u16::from(d - b'0')),
        _ => return Err(invalid("a reply line starts with a code")),
    };
    let (last, text) = match &line[3..] {
        [] => (true, &[][..]),
        [b' ', text @ ..] => (true, text),
        [b'-', text @ ..] => (false, text),
        _ => return Err(invalid("a code is followed by '-', ' ' or the end")),
    };
    Ok((code, last, String::from_utf8_lossy(text).into_owned()))
}

fn invalid(why: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, why)
}
// ANCHOR_END: smtp_reply

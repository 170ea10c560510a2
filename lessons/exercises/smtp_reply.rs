//! Lesson 3, exercise 1: one SMTP reply, whole, however its bytes come.
//!
//! A reply is one or more lines, each starting with the same three-digit
//! code (2 to 5, then two digits). A `-` after the code says more lines
//! follow; a space, or nothing, marks the last line (RFC 5321 §4.2):
//!
//! ```text
//! 250-mock.test\r\n
//! 250-PIPELINING\r\n
//! 250 SIZE 10240000\r\n       <- one reply: 250, three lines of text
//! ```
//!
//! The starting code takes whatever one `fill_buf` returns for the reply,
//! as the minimal port takes one `recv(1000)`. Make `read_reply` read
//! lines until the last one of the reply, and leave the bytes after it
//! unread (they are the next reply). Refuse with an error, never a wait:
//! a line that does not start with a code, a code followed by something
//! other than `-`, a space or the line's end, a line whose code is not the
//! first line's, a line over [`MAX_LINE`] octets with its line end. A
//! stream that ends before the last line is an error too. Lines may end
//! with `\r\n` or `\n`.
//!
//! Check it with `cargo test --test inet -- --ignored smtp_reply`:
//! the check fails until the replies are right. An answer is in
//! `lessons/answers/smtp_reply.rs`.

// Until it is written, the skeleton uses none of this.
#![allow(dead_code)]

use std::io::{self, BufRead};

/// A reply line's longest, line end included (RFC 5321 §4.5.3.1.5).
pub const MAX_LINE: usize = 512;

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
    let bytes = input.fill_buf()?.to_vec();
    input.consume(bytes.len());
    let code = String::from_utf8_lossy(&bytes[..bytes.len().min(3)]);
    let code = code.parse().map_err(io::Error::other)?;
    let text = String::from_utf8_lossy(bytes.get(4..).unwrap_or_default());
    let text = text.trim_end().to_owned();
    Ok(Reply {
        code,
        lines: vec![text],
    })
}

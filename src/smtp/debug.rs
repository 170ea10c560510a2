//! The debug lines of Python 2.7's smtplib, to the character.
//!
//! `server.set_debuglevel(1)` makes smtplib print every command it sends
//! and every reply line it reads on stderr, as `repr()` shows them:
//!
//! ```text
//! send: 'ehlo [127.0.0.1]\r\n'
//! reply: '250-mock.test\r\n'
//! reply: '250 SIZE 10240000\r\n'
//! reply: retcode (250); Msg: mock.test
//! SIZE 10240000
//! data: (354, 'End data with <CR><LF>.<CR><LF>')
//! ```
//!
//! Our client prints the same lines, so the output of `smtp-send --debug`
//! can be put beside inet_04's and read line against line. The functions
//! here only build the text; the client decides where it goes.

use std::fmt::Write as _;

use super::reply::Reply;
use crate::escape::escape;

/// Python 2's `repr()` of a byte string: in single quotes, or in double
/// quotes if it holds a `'` and no `"`; `\t`, `\n`, `\r` and `\\` escaped,
/// the quote too, and every other byte outside printable ASCII as
/// `\xNN`.
pub fn py_repr(bytes: &[u8]) -> String {
    let quote = match (bytes.contains(&b'\''), bytes.contains(&b'"')) {
        (true, false) => '"',
        _ => '\'',
    };
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push(quote);
    for &b in bytes {
        match b {
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\\' => out.push_str("\\\\"),
            _ if char::from(b) == quote => {
                out.push('\\');
                out.push(quote);
            }
            b' '..=b'~' => out.push(char::from(b)),
            _ => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push(quote);
    out
}

/// `send: '...'`: bytes about to be sent.
pub fn send_line(bytes: &[u8]) -> String {
    format!("send: {}\n", py_repr(bytes))
}

/// `reply: '...'`: one reply line as received, line end included.
pub fn reply_line(raw: &[u8]) -> String {
    format!("reply: {}\n", py_repr(raw))
}

/// `reply: retcode (250); Msg: ...`: a whole reply, as [`message`]
/// (escaped, unlike smtplib: see [`shown`]).
pub fn retcode_line(reply: &Reply) -> String {
    format!("reply: retcode ({}); Msg: {}\n", reply.code, shown(reply))
}

/// `data: (354, '...')`: the reply to DATA, or to the final dot.
pub fn data_line(reply: &Reply) -> String {
    let text = py_repr(message(reply).as_bytes());
    format!("data: ({}, {text})\n", reply.code)
}

/// `connect: ('host', 25)`: before connecting.
pub fn connect_line(host: &str, port: u16) -> String {
    format!("connect: ({}, {port})\n", py_repr(host.as_bytes()))
}

/// `connect: ...`: the greeting's text, once it has come (escaped).
pub fn greeting_line(greeting: &Reply) -> String {
    format!("connect: {}\n", shown(greeting))
}

/// [`message`], each line escaped. smtplib prints it raw, but a
/// server's control characters must not reach the user's terminal; an
/// ordinary reply shows the same.
fn shown(reply: &Reply) -> String {
    let escaped = stripped(reply).map(|line| escape(line.as_bytes()));
    escaped.collect::<Vec<_>>().join("\n")
}

/// A reply's text as smtplib's `getreply` returns it: each line
/// stripped of Python's white space at both ends, joined by `\n`.
pub fn message(reply: &Reply) -> String {
    stripped(reply).collect::<Vec<_>>().join("\n")
}

/// The reply's lines, each stripped of Python's white space at both ends.
fn stripped(reply: &Reply) -> impl Iterator<Item = &str> {
    let is_space = |c: char| u8::try_from(c).is_ok_and(crate::python::is_space);
    reply.lines.iter().map(move |l| l.trim_matches(is_space))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each pair: the input, then what Python 2.7.18 printed for
    /// `repr()` of it (captured from real runs).
    #[test]
    fn repr_matches_python_2() {
        let cases: [(&[u8], &str); 10] = [
            (b"ehlo host\r\n", r"'ehlo host\r\n'"),
            (b"it's", r#""it's""#),
            (br#"say "hi""#, r#"'say "hi"'"#),
            (br#"both ' and ""#, r#"'both \' and "'"#),
            (b"tab\there", r"'tab\there'"),
            (br"back\slash", r"'back\\slash'"),
            (b"\x00\x01\x7f\x80\xff", r"'\x00\x01\x7f\x80\xff'"),
            ("été".as_bytes(), r"'\xc3\xa9t\xc3\xa9'"),
            (b"", "''"),
            (b"250-mock.test\r\n", r"'250-mock.test\r\n'"),
        ];
        for (input, python) in cases {
            assert_eq!(py_repr(input), python, "{input:?}");
        }
    }

    #[test]
    fn lines_match_python_2() {
        // Also captured from Python 2.7.18's `print >>stderr, ...`.
        let go = Reply::new(354, "End data with <CR><LF>.<CR><LF>");
        assert_eq!(
            data_line(&go),
            "data: (354, 'End data with <CR><LF>.<CR><LF>')\n"
        );
        let ok = Reply::new(250, "it's ok");
        assert_eq!(data_line(&ok), "data: (250, \"it's ok\")\n");
        assert_eq!(
            connect_line("127.0.0.1", 2525),
            "connect: ('127.0.0.1', 2525)\n"
        );
        assert_eq!(send_line(b"quit\r\n"), "send: 'quit\\r\\n'\n");
        let ehlo = Reply {
            code: 250,
            lines: vec![" mock.test ".into(), "PIPELINING\t".into()],
        };
        assert_eq!(
            retcode_line(&ehlo),
            "reply: retcode (250); Msg: mock.test\nPIPELINING\n"
        );
    }
}

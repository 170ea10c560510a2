//! HTTP/1.0: the web client's exchange (inet_02).
//!
//! A web client opens a TCP connection to the server (port 80 by
//! default), sends one request and reads one response; in HTTP/1.0 (RFC
//! 1945) the connection then closes. Both are text heads, lines ending in
//! CRLF, closed by an empty line:
//!
//! ```text
//! client                                 server
//!   GET / HTTP/1.0\r\n            request line: method, path, version
//!   Host: example.org\r\n         headers (Host: RFC 9110 §7.2)
//!   \r\n                          the empty line ends the head
//!                                 HTTP/1.0 200 OK\r\n        status line
//!                                 Content-Length: 5\r\n      headers
//!                                 \r\n
//!                                 hello                      the body
//! ```
//!
//! Where does the body end? RFC 9112 §6.3 gives the rules; for the reply
//! to a 1.0 GET they come down to: after `Content-Length` bytes if the
//! header is there, otherwise when the server closes the connection.
//! With a length, a short body is detectably *truncated*; without one,
//! the client can't tell a complete body from a connection that broke.
//!
//! The module is sans-IO: [`request`] formats the request, [`response`]
//! parses the head and frames the body, over byte slices, with every limit
//! a parameter. [`site`] turns a `SITE[:PORT]` argument into a host and a
//! file name. The I/O is a thin layer on top: [`client`] moves the bytes
//! over a socket with timeouts and a deadline, [`save`] writes a file
//! atomically. Every failure is an [`HttpError`].
//!
//! Lesson: `lessons/02-web-client.md`.

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::time::Duration;

pub mod client;
pub mod request;
pub mod response;
pub mod save;
pub mod site;

/// Everything that can go wrong fetching a page, from a bad site name to
/// a server that stops halfway.
#[derive(Debug)]
pub enum HttpError {
    /// The site name or path can't go into a request or a file name.
    BadSite {
        /// The name as given.
        site: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// Nobody listens on that port (the server answered with a reset).
    Refused,
    /// The connection could not be made for another reason.
    Connect(io::Error),
    /// No answer in time.
    Timeout {
        /// What we were waiting for.
        waiting_for: &'static str,
        /// How long we waited.
        after: Duration,
    },
    /// The server closed the connection without sending a byte.
    EmptyReply,
    /// The server closed the connection in the middle of the head.
    IncompleteHead {
        /// How many bytes of head had arrived.
        got: usize,
    },
    /// The body is shorter than its `Content-Length`.
    Truncated {
        /// Body bytes received.
        got: u64,
        /// The `Content-Length`.
        expected: u64,
    },
    /// The reply starts without a status line: HTTP/0.9, or not HTTP.
    NoStatusLine,
    /// The status line is not `HTTP/1.x NNN reason`.
    BadStatusLine(String),
    /// A header line is malformed.
    BadHeader {
        /// The line, escaped.
        line: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// A line of the head is longer than the limit.
    LineTooLong(usize),
    /// The head has more header lines than the limit.
    TooManyHeaders(usize),
    /// The head is bigger than the limit.
    HeadTooLarge(usize),
    /// A `Content-Length` that is not a number of bytes.
    BadContentLength(String),
    /// Two `Content-Length` headers that disagree.
    ConflictingContentLength(u64, u64),
    /// A `Transfer-Encoding` in the reply to an HTTP/1.0 request.
    TransferEncoding(String),
    /// A `1xx` interim reply, which a server must not send to HTTP/1.0.
    Interim(u16),
    /// The connection failed while sending or receiving.
    Io(io::Error),
    /// The response could not be written out.
    Output(io::Error),
    /// The output file could not be written.
    File {
        /// The file or directory concerned.
        path: PathBuf,
        /// Why.
        err: io::Error,
    },
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use HttpError as E;
        match self {
            E::BadSite { site, why } => write!(f, "bad site {site:?}: {why}"),
            E::Refused => f.write_str("connection refused"),
            E::Connect(err) => write!(f, "cannot connect: {err}"),
            E::Timeout { waiting_for, after } => {
                let secs = after.as_secs_f64();
                write!(f, "timed out after {secs}s waiting for {waiting_for}")
            }
            E::EmptyReply => f.write_str(
                "empty reply: the server closed the connection without \
                 answering",
            ),
            E::IncompleteHead { got } => write!(
                f,
                "incomplete headers: the server closed the connection \
                 after {got} bytes, before the empty line that ends them"
            ),
            E::Truncated { got, expected } => write!(
                f,
                "truncated: got {got} of {expected} body bytes \
                 (Content-Length) before the server closed the connection"
            ),
            E::NoStatusLine => f.write_str(
                "the reply has no status line (HTTP/0.9 or not HTTP at \
                 all), which we refuse",
            ),
            E::BadStatusLine(line) => write!(
                f,
                "bad status line {line:?}: expected HTTP/1.x, a 3-digit \
                 code and a reason"
            ),
            E::BadHeader { line, why } => {
                write!(f, "bad header line {line:?}: {why}")
            }
            E::LineTooLong(max) => {
                write!(f, "a line of the response head is over {max} bytes")
            }
            E::TooManyHeaders(max) => {
                write!(f, "headers too large: more than {max} header lines")
            }
            E::HeadTooLarge(max) => {
                write!(f, "headers too large: the head is over {max} bytes")
            }
            E::BadContentLength(value) => {
                write!(f, "bad Content-Length {value:?}: not a number of bytes")
            }
            E::ConflictingContentLength(a, b) => write!(
                f,
                "two different Content-Lengths ({a} and {b}): where the \
                 body ends is ambiguous"
            ),
            E::TransferEncoding(value) => write!(
                f,
                "the server used Transfer-Encoding {value:?}, which it must \
                 not do for an HTTP/1.0 request (RFC 9112 §6.1)"
            ),
            E::Interim(code) => write!(
                f,
                "the server sent an interim {code} reply, which it must not \
                 do for an HTTP/1.0 request (RFC 9110 §15.2)"
            ),
            E::Io(err) => write!(f, "connection failed: {err}"),
            E::Output(err) => write!(f, "cannot write the page: {err}"),
            E::File { path, err } => write!(f, "{}: {err}", path.display()),
        }
    }
}

impl std::error::Error for HttpError {}

/// A peer's bytes, escaped and cut to 80 bytes, for an error message: a
/// control character can't garble the terminal, nor a huge line flood it.
fn shown(bytes: &[u8]) -> String {
    const MAX: usize = 80;
    let cut = &bytes[..bytes.len().min(MAX)];
    let more = if bytes.len() > MAX { "..." } else { "" };
    format!("{}{more}", crate::escape::escape(cut))
}

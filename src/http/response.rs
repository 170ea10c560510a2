//! The response: parsing its head and framing its body, with no I/O.
//!
//! ```text
//! HTTP/1.0 200 OK\r\n            status line: version, 3-digit code, reason
//! Content-Type: text/html\r\n    header lines: name, colon, value
//! Content-Length: 5\r\n
//! \r\n                           the empty line ends the head
//! hello                          the body: 5 bytes, or up to the close
//! ```
//!
//! The head comes from a stranger, so every rule is strict and every size
//! is capped by a [`Limits`] given by the caller: a line, the number of
//! header lines, the whole head, and the body if the caller wants a cap
//! on it. What this parser refuses, and why:
//!
//! - no status line at all: an HTTP/0.9 reply (just the body), or not
//!   HTTP; the client could not tell an error page from the real one;
//! - a status line other than `HTTP/1.x`, space, exactly three digits,
//!   then optionally a space and a reason (RFC 9112 §4);
//! - a header line with a NUL, a stray CR, no colon, white space before
//!   the colon (RFC 9112 §5.1), or starting with white space: before the
//!   first header that is refused or skipped (§2.2), and after one it is
//!   the obsolete line folding (§5.2). A client may unfold that into a
//!   space; no server should still send it, and we refuse it, as hyper
//!   does by default;
//! - a `Content-Length` that is not just digits or does not fit 64 bits
//!   (a checked parse: a length must never wrap around), and two
//!   different ones; equal duplicates (`5` twice, or `5, 5`) are accepted,
//!   as RFC 9110 §8.6 allows and curl does;
//! - a `Transfer-Encoding`: a server must not send one in reply to a 1.0
//!   request (RFC 9112 §6.1), and a 1.0 client can't decode it. We refuse
//!   it rather than save a body whose framing we don't understand;
//! - `101 Switching Protocols`: the server may switch only to a protocol
//!   the client asked for in an `Upgrade` header (RFC 9110 §15.2.2), and
//!   we never ask; what would follow is not HTTP, and no page.
//!
//! Any other `1xx` is an interim reply: the final one follows it. A server
//! must not send one to a 1.0 client, but a client must be able to read
//! one it did not expect (RFC 9110 §15.2), so [`ResponseReader`] skips it
//! (within the head's cap: every head counts towards it) and passes its
//! bytes on with the final head's, as they came.
//!
//! Lines end at a LF, the CR before it optional (RFC 9112 §2.2 lets a
//! recipient take a bare LF): the rule of every text protocol here (see
//! [`crate::line`]), applied to the head in its buffer.

use std::fmt;

/// What is wrong with a response: a rule of the module doc broken, a
/// limit exceeded, or a stream that ended too soon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseError {
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
    /// A `101 Switching Protocols`, which we never asked for.
    SwitchingProtocols,
    /// A body over the caller's cap.
    BodyTooLarge {
        /// The cap, in bytes.
        max: u64,
        /// The `Content-Length`, if that is what told.
        announced: Option<u64>,
    },
}

impl fmt::Display for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use ResponseError as E;
        match self {
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
                "bad status line \"{line}\": expected HTTP/1.x, a 3-digit \
                 code and a reason"
            ),
            E::BadHeader { line, why } => {
                write!(f, "bad header line \"{line}\": {why}")
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
                write!(
                    f,
                    "bad Content-Length \"{value}\": not a number of bytes"
                )
            }
            E::ConflictingContentLength(a, b) => write!(
                f,
                "two different Content-Lengths ({a} and {b}): where the \
                 body ends is ambiguous"
            ),
            E::TransferEncoding(value) => write!(
                f,
                "the server used Transfer-Encoding \"{value}\", which it must \
                 not do for an HTTP/1.0 request (RFC 9112 §6.1)"
            ),
            E::SwitchingProtocols => f.write_str(
                "the server switched protocols (101), which we never asked \
                 for (RFC 9110 §15.2.2): what follows is not HTTP",
            ),
            E::BodyTooLarge { max, announced } => match announced {
                Some(n) => write!(
                    f,
                    "body too large: its Content-Length, {n} bytes, is over \
                     the limit of {max}"
                ),
                None => {
                    write!(f, "body too large: over the limit of {max} bytes")
                }
            },
        }
    }
}

impl std::error::Error for ResponseError {}

/// A peer's bytes, escaped and cut to 80 bytes, for an error message: a
/// control character can't garble the terminal, nor a huge line flood it.
fn shown(bytes: &[u8]) -> String {
    const MAX: usize = 80;
    let cut = &bytes[..bytes.len().min(MAX)];
    let more = if bytes.len() > MAX { "..." } else { "" };
    format!("{}{more}", crate::escape::escape(cut))
}

/// Caps on the size of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The longest line, terminator included.
    pub max_line: usize,
    /// The most header lines.
    pub max_headers: usize,
    /// The largest head, empty line included (interim heads and the
    /// final one, together).
    pub max_head: usize,
    /// The largest body, if any is too large.
    pub max_body: Option<u64>,
}

impl Default for Limits {
    /// 8 KiB lines, 100 headers, 64 KiB in all: more than any real site
    /// sends, far less than would hurt (hyper and curl use similar caps).
    /// Any body: it goes through, not into memory.
    fn default() -> Self {
        Limits {
            max_line: 8 * 1024,
            max_headers: 100,
            max_head: 64 * 1024,
            max_body: None,
        }
    }
}

/// A header line, split at its colon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The name, as sent (match it ignoring case).
    pub name: String,
    /// The value, without the white space around it. It may hold any
    /// byte but NUL, CR and LF.
    pub value: Vec<u8>,
}

/// A parsed response head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// `x` of `HTTP/1.x`.
    pub minor_version: u8,
    /// The status code, 100 to 999.
    pub status: u16,
    /// The reason phrase (`OK`, `Not Found`), possibly empty.
    pub reason: String,
    /// The header lines, in order.
    pub headers: Vec<Header>,
    /// How many bytes the head took, empty line included.
    pub len: usize,
}

impl Head {
    /// The values of every header called `name` (ignoring case).
    pub fn values<'a>(
        &'a self,
        name: &'a str,
    ) -> impl Iterator<Item = &'a [u8]> + 'a {
        let named = move |h: &&Header| h.name.eq_ignore_ascii_case(name);
        self.headers
            .iter()
            .filter(named)
            .map(|h| h.value.as_slice())
    }

    /// The status line without its terminator, for a result line:
    /// `HTTP/1.0 200 OK`.
    pub fn status_line(&self) -> String {
        let (minor, status) = (self.minor_version, self.status);
        let reason = crate::escape::escape(self.reason.as_bytes());
        format!("HTTP/1.{minor} {status} {reason}")
            .trim_end()
            .to_owned()
    }
}

// ANCHOR: head_parser
/// Parses the heads at the start of a buffer that only grows, one line at
/// a time and one head after another: given the buffer again with more
/// bytes at its end, it goes on where it stopped. So each byte is looked
/// at once however the head trickles in (never a time in the square of
/// its size), and the limits count from the start of the buffer: every
/// head, interim ones included.
#[derive(Debug, Clone, Default)]
pub struct HeadParser {
    /// Where the head being read starts (after the heads before it).
    start: usize,
    /// Where the first line not read yet starts.
    pos: usize,
    /// How far the buffer was searched for the end of that line.
    searched: usize,
    /// The head being read: its status line and the headers so far.
    head: Option<Head>,
}
// ANCHOR_END: head_parser

impl HeadParser {
    // ANCHOR: parse_head
    /// Parses the next head in `buf`: `Ok(None)` while the empty line
    /// that ends it hasn't arrived, the [`Head`] once it has (`head.len`
    /// says how long it is). The parser then moves on to the head after
    /// it, if any: an interim reply is followed by another head.
    ///
    /// # Errors
    /// A broken rule of the module doc, or a limit exceeded, as soon as
    /// the bytes in `buf` show it: a head that is already too big is
    /// refused without waiting for more.
    pub fn parse(
        &mut self,
        buf: &[u8],
        limits: &Limits,
    ) -> Result<Option<Head>, ResponseError> {
        check_http_prefix(&buf[self.start..])?;
        while let Some(line) = self.next_line(buf, limits)? {
            let Some(head) = &mut self.head else {
                self.head = Some(parse_status_line(line)?);
                continue;
            };
            if line.is_empty() {
                head.len = self.pos - self.start;
                self.start = self.pos;
                return Ok(self.head.take());
            }
            if head.headers.len() == limits.max_headers {
                return Err(ResponseError::TooManyHeaders(limits.max_headers));
            }
            head.headers.push(parse_header(line)?);
        }
        self.searched = buf.len(); // no LF after `pos`
        Ok(None)
    }
    // ANCHOR_END: parse_head

    /// The next complete line of `buf`, terminator (LF or CRLF) stripped.
    /// A line, or what there is of it so far, is refused as soon as it
    /// would break a limit: one without its LF yet is one byte longer
    /// once the LF comes.
    fn next_line<'b>(
        &mut self,
        buf: &'b [u8],
        limits: &Limits,
    ) -> Result<Option<&'b [u8]>, ResponseError> {
        let rest = &buf[self.pos..];
        // The bytes of `rest` searched already, on an earlier call.
        let seen = self.searched.saturating_sub(self.pos);
        let lf = rest[seen..].iter().position(|&b| b == b'\n');
        let lf = lf.map(|i| seen + i);
        let len = lf.unwrap_or(rest.len()) + 1;
        if len > limits.max_line {
            return Err(ResponseError::LineTooLong(limits.max_line));
        }
        if self.pos + len > limits.max_head {
            return Err(ResponseError::HeadTooLarge(limits.max_head));
        }
        let Some(lf) = lf else {
            return Ok(None);
        };
        self.pos += len;
        let line = &rest[..lf];
        Ok(Some(line.strip_suffix(b"\r").unwrap_or(line)))
    }
}

/// An HTTP/0.9 reply is just the body: it is refused as soon as its
/// first bytes show it can't be a status line.
fn check_http_prefix(buf: &[u8]) -> Result<(), ResponseError> {
    let n = buf.len().min(5);
    if buf[..n] == b"HTTP/"[..n] {
        Ok(())
    } else {
        Err(ResponseError::NoStatusLine)
    }
}

// ANCHOR: status_line
/// `HTTP/1.x SP 3DIGIT [SP reason]` (RFC 9112 §4).
fn parse_status_line(line: &[u8]) -> Result<Head, ResponseError> {
    let bad = || ResponseError::BadStatusLine(shown(line));
    let rest = line.strip_prefix(b"HTTP/1.").ok_or_else(bad)?;
    let [minor, b' ', d1, d2, d3, rest @ ..] = rest else {
        return Err(bad());
    };
    let digits = [*minor, *d1, *d2, *d3];
    if !digits.iter().all(u8::is_ascii_digit) || *d1 == b'0' {
        return Err(bad());
    }
    let reason = match rest {
        [] => &[][..],
        [b' ', reason @ ..] => reason,
        _ => return Err(bad()),
    };
    if has_control(reason) {
        return Err(bad());
    }
    let digit = |d: u8| u16::from(d - b'0');
    Ok(Head {
        minor_version: minor - b'0',
        status: digit(*d1) * 100 + digit(*d2) * 10 + digit(*d3),
        reason: String::from_utf8_lossy(reason).into_owned(),
        headers: Vec::new(),
        len: 0,
    })
}
// ANCHOR_END: status_line

/// `name ":" OWS value OWS` (RFC 9112 §5.1), name a token (RFC 9110
/// §5.6.2).
fn parse_header(line: &[u8]) -> Result<Header, ResponseError> {
    let bad = |why| ResponseError::BadHeader {
        line: shown(line),
        why,
    };
    if line.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
        return Err(bad("a line starting with white space (obs-fold)"));
    }
    if line.contains(&0) {
        return Err(bad("a NUL byte"));
    }
    if line.contains(&b'\r') {
        return Err(bad("a CR in the middle of the line"));
    }
    let colon = line.iter().position(|&b| b == b':');
    let colon = colon.ok_or_else(|| bad("no colon"))?;
    let name = &line[..colon];
    if name.is_empty() || !name.iter().copied().all(is_token_byte) {
        return Err(bad(
            "the name is not a token (no spaces before the colon)",
        ));
    }
    let value = trim_ows(&line[colon + 1..]);
    if has_control(value) {
        return Err(bad("a control character in the value"));
    }
    Ok(Header {
        name: String::from_utf8_lossy(name).into_owned(),
        value: value.to_vec(),
    })
}

/// Without the optional white space around it: spaces and tabs only
/// (`OWS`, RFC 9110 §5.6.3), not a form feed or any other.
fn trim_ows(bytes: &[u8]) -> &[u8] {
    let ows = |b: &u8| *b == b' ' || *b == b'\t';
    let start = bytes.iter().position(|b| !ows(b)).unwrap_or(bytes.len());
    let end = bytes.iter().rposition(|b| !ows(b)).map_or(start, |i| i + 1);
    &bytes[start..end]
}

/// A reason phrase or a field value may hold HTAB, SP, visible ASCII
/// and bytes over 0x7f, but no other control byte (RFC 9112 §4, RFC 9110
/// §5.5).
fn has_control(text: &[u8]) -> bool {
    text.iter().any(|&b| b.is_ascii_control() && b != b'\t')
}

/// `tchar` of RFC 9110 §5.6.2.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Where the body ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// After this many bytes.
    Length(u64),
    /// When the server closes the connection (no `Content-Length`).
    UntilClose,
}

// ANCHOR: framing
/// Where the body of the reply to a GET ends (RFC 9112 §6.3).
///
/// # Errors
/// A `Transfer-Encoding`, a bad or conflicting `Content-Length`.
pub fn framing(head: &Head) -> Result<Framing, ResponseError> {
    if let Some(te) = head.values("Transfer-Encoding").next() {
        return Err(ResponseError::TransferEncoding(shown(te)));
    }
    // 1xx, 204 and 304 never have a body, whatever the headers say
    // (§6.3, rule 1).
    if is_interim(head.status) || head.status == 204 || head.status == 304 {
        return Ok(Framing::Length(0));
    }
    let mut length = None;
    for value in head.values("Content-Length") {
        // `5, 5` is one header holding the same length twice.
        for item in value.split(|&b| b == b',') {
            let n = parse_length(trim_ows(item))?;
            match length {
                Some(seen) if seen != n => {
                    return Err(ResponseError::ConflictingContentLength(
                        seen, n,
                    ));
                }
                _ => length = Some(n),
            }
        }
    }
    Ok(length.map_or(Framing::UntilClose, Framing::Length))
}
// ANCHOR_END: framing

/// `1xx`: an interim reply, before the final one (RFC 9110 §15.2).
pub fn is_interim(status: u16) -> bool {
    (100..200).contains(&status)
}

/// Digits only, checked: `+5`, `-6`, `0x10`, ` ` and a number too big
/// for 64 bits are all refused, never wrapped (RUSTSEC-2021-0079 was a
/// length that wrapped).
pub fn parse_length(digits: &[u8]) -> Result<u64, ResponseError> {
    let bad = || ResponseError::BadContentLength(shown(digits));
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(bad());
    }
    digits.iter().try_fold(0u64, |n, &d| {
        n.checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(d - b'0')))
            .ok_or_else(bad)
    })
}

// ANCHOR: body_framer
/// Counts the body down as it arrives. Pure: it is told how many bytes
/// came, and says how many of them belong to the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyFramer {
    framing: Framing,
    received: u64,
}

impl BodyFramer {
    /// A body framed as `framing`, nothing received yet.
    pub fn new(framing: Framing) -> BodyFramer {
        BodyFramer {
            framing,
            received: 0,
        }
    }

    /// Of `available` bytes that just arrived, how many are body. With a
    /// `Content-Length`, anything past it is not (H5): the caller drops
    /// it, and stops reading once [`is_complete`](Self::is_complete).
    pub fn take(&mut self, available: usize) -> usize {
        let n = match self.framing {
            Framing::Length(len) => {
                let left = len - self.received;
                usize::try_from(left).map_or(available, |l| l.min(available))
            }
            Framing::UntilClose => available,
        };
        self.received += n as u64;
        n
    }

    /// True once a `Content-Length` body is all there (never for a body
    /// that ends at the close).
    pub fn is_complete(&self) -> bool {
        self.framing == Framing::Length(self.received)
    }

    /// At the end of the stream: the body's size, or why it is short.
    ///
    /// # Errors
    /// [`ResponseError::Truncated`] if a `Content-Length` was not reached.
    pub fn finish(&self) -> Result<u64, ResponseError> {
        match self.framing {
            Framing::Length(len) if self.received < len => {
                Err(ResponseError::Truncated {
                    got: self.received,
                    expected: len,
                })
            }
            _ => Ok(self.received),
        }
    }
    // ANCHOR_END: body_framer

    // ANCHOR: check_size
    /// Refuses a body announced (`Content-Length`) or grown past `max`,
    /// if there is one: as soon as the head, or the byte, shows it.
    ///
    /// # Errors
    /// [`ResponseError::BodyTooLarge`].
    fn check_size(&self, max: Option<u64>) -> Result<(), ResponseError> {
        let announced = match self.framing {
            Framing::Length(n) => Some(n),
            Framing::UntilClose => None,
        };
        match max {
            Some(max) if announced.unwrap_or(self.received) > max => {
                Err(ResponseError::BodyTooLarge { max, announced })
            }
            _ => Ok(()),
        }
    }
    // ANCHOR_END: check_size
}

/// A response read to its end: its final head, and the sizes of what was
/// passed on (the bytes themselves went on to the caller).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The final head.
    pub head: Head,
    /// The bytes before the body: the final head and any interim ones.
    pub heads_len: usize,
    /// The body's size.
    pub body_len: u64,
}

impl Received {
    /// Heads and body: every byte passed on.
    pub fn total_len(&self) -> u64 {
        self.heads_len as u64 + self.body_len
    }
}

/// A whole response, fed in chunks as they arrive, that passes on the
/// bytes that belong to it: the heads are collected (up to
/// `limits.max_head` in all) and parsed, interim ones skipped, then the
/// body goes through without being kept. Memory stays bounded whatever
/// the body's size.
#[derive(Debug, Clone, Default)]
pub struct ResponseReader {
    limits: Limits,
    /// What came until the final head was complete: every head as it
    /// came, then the first body bytes.
    received: Vec<u8>,
    /// Reads the heads in `received`, one after another.
    heads: HeadParser,
    /// The final head, once complete, and the count of its body.
    body: Option<(Head, BodyFramer)>,
}

impl ResponseReader {
    /// A reader for one response, within `limits` (the default reader
    /// has the default limits).
    pub fn new(limits: Limits) -> ResponseReader {
        ResponseReader {
            limits,
            ..ResponseReader::default()
        }
    }

    // ANCHOR: feed
    /// Takes the next chunk from the connection, and returns the bytes of
    /// the response to pass on: nothing while the final head is
    /// incomplete; when it completes, every head as received (interim
    /// ones first) and the body bytes that came with them; after that,
    /// the body bytes of each chunk (any past a `Content-Length` are
    /// dropped).
    ///
    /// # Errors
    /// What [`HeadParser::parse`] and [`framing`] refuse, a `101`, and a
    /// body over `limits.max_body`.
    pub fn feed<'a>(
        &'a mut self,
        chunk: &'a [u8],
    ) -> Result<&'a [u8], ResponseError> {
        if let Some((_, body)) = &mut self.body {
            let n = body.take(chunk.len());
            body.check_size(self.limits.max_body)?;
            return Ok(&chunk[..n]);
        }
        self.received.extend_from_slice(chunk);
        while let Some(head) = self.heads.parse(&self.received, &self.limits)? {
            match head.status {
                101 => return Err(ResponseError::SwitchingProtocols),
                // Skipped: the parser goes on to the next head.
                status if is_interim(status) => {}
                _ => return self.start_body(head),
            }
        }
        Ok(&[])
    }

    /// The final `head` is in: the body starts, maybe with bytes that
    /// came in the same chunk.
    fn start_body(&mut self, head: Head) -> Result<&[u8], ResponseError> {
        let mut body = BodyFramer::new(framing(&head)?);
        let heads_len = self.heads.start;
        let first = body.take(self.received.len() - heads_len);
        body.check_size(self.limits.max_body)?;
        self.body = Some((head, body));
        Ok(&self.received[..heads_len + first])
    }
    // ANCHOR_END: feed

    /// True once the body is complete and nothing more need be read.
    pub fn is_complete(&self) -> bool {
        self.body
            .as_ref()
            .is_some_and(|(_, body)| body.is_complete())
    }

    /// At the end of the stream: what was received.
    ///
    /// # Errors
    /// [`ResponseError::EmptyReply`] if nothing came,
    /// [`ResponseError::IncompleteHead`] if the final head never ended,
    /// [`ResponseError::Truncated`] if the body is short.
    pub fn finish(self) -> Result<Received, ResponseError> {
        match self.body {
            Some((head, body)) => Ok(Received {
                heads_len: self.heads.start,
                body_len: body.finish()?,
                head,
            }),
            None if self.received.is_empty() => Err(ResponseError::EmptyReply),
            None => Err(ResponseError::IncompleteHead {
                got: self.received.len(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(text: &str) -> Result<Option<Head>, ResponseError> {
        HeadParser::default().parse(text.as_bytes(), &Limits::default())
    }

    fn status_of(line: &str) -> Result<u16, ResponseError> {
        let text = format!("{line}\r\n\r\n");
        head(&text).map(|h| h.expect("complete").status)
    }

    fn framing_of(headers: &str) -> Result<Framing, ResponseError> {
        let text = format!("HTTP/1.0 200 OK\r\n{headers}\r\n");
        framing(&head(&text)?.expect("complete"))
    }

    #[test]
    fn a_complete_head_is_parsed_and_its_length_given() {
        let text = "HTTP/1.1 404 Not Found\r\nA: 1\nB:two words \r\n\r\nbody";
        let h = head(text).unwrap().unwrap();
        assert_eq!((h.minor_version, h.status), (1, 404));
        assert_eq!(h.reason, "Not Found");
        assert_eq!(h.headers[1].value, b"two words");
        assert_eq!(h.len, text.len() - 4);
        assert_eq!(h.status_line(), "HTTP/1.1 404 Not Found");
        assert!(head("HTTP/1.0 200 OK\r\nA: 1\r\n").unwrap().is_none());
    }

    #[test]
    fn h12_status_lines() {
        assert_eq!(status_of("HTTP/1.0 999 X").unwrap(), 999);
        assert_eq!(status_of("HTTP/1.1 200").unwrap(), 200);
        assert_eq!(status_of("HTTP/1.1 200 ").unwrap(), 200);
        assert_eq!(status_of("HTTP/1.1 200 123").unwrap(), 200);
        let hundred = format!("HTTP/1.0 {} OK", "1".repeat(100));
        for bad in [
            "HTTP/1.0 -1 X",
            "HTTP/1.0 2 X",
            "HTTP/1.0 2000 X",
            "HTTP/1.0 099 X",
            &hundred,
            "HTTP/1.0 20x X",
            "HTTP/2.0 200 OK",
            "HTTP/1.10 200 OK",
            "HTTP/1.0  200 OK",
            "HTTP/1.0 200\tOK",
            "HTTP/1.0 200 O\x01K",
            "HTTP/1.0",
        ] {
            assert!(status_of(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn h12_a_reply_without_status_line_is_http_0_9_and_refused() {
        for reply in ["<html>", "hello\r\n\r\n", "http/1.0 200 OK\r\n\r\n"] {
            let err = head(reply).unwrap_err();
            assert!(matches!(err, ResponseError::NoStatusLine), "{reply:?}");
        }
        // Too early to tell: wait for more.
        assert!(head("HTT").unwrap().is_none());
    }

    #[test]
    fn h13_bad_header_lines() {
        for bad in [
            "A\0B: 1",
            "A: x\0y",
            "NoColon",
            "A: x\ry",
            " Leading: space",
            "\tFolded: tab",
            "Space : before colon",
            ": no name",
            "A: bell\x07",
        ] {
            let text = format!("HTTP/1.0 200 OK\r\n{bad}\r\n\r\n");
            let err = head(&text).unwrap_err();
            assert!(matches!(err, ResponseError::BadHeader { .. }), "{bad:?}");
        }
        let folded = "HTTP/1.0 200 OK\r\nA: 1\r\n  continued\r\n\r\n";
        assert!(head(folded).is_err(), "obs-fold");
    }

    #[test]
    fn h14_each_limit_is_enforced_before_the_head_ends() {
        let limits = Limits {
            max_line: 20,
            max_headers: 2,
            max_head: 50,
            max_body: None,
        };
        let parse =
            |t: &str| HeadParser::default().parse(t.as_bytes(), &limits);
        assert!(matches!(
            parse("HTTP/1.0 200 OK\r\nA-very-long-header-line: x"),
            Err(ResponseError::LineTooLong(20))
        ));
        assert!(matches!(
            parse("HTTP/1.0 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n"),
            Err(ResponseError::TooManyHeaders(2))
        ));
        assert!(matches!(
            parse("HTTP/1.0 200 OK\r\nAaaaaaaaaaa: 1\r\nBbbbbbbbbbbb: 2\r\n"),
            Err(ResponseError::HeadTooLarge(50))
        ));
        assert!(parse("HTTP/1.0 200 OK\r\nA: 1\r\nB: 2\r\n\r\n").is_ok());
    }

    #[test]
    fn a_peer_s_bytes_are_shown_escaped_once() {
        let text = "HTTP/1.0 200 OK\r\nX: \\\x7f\r\n\r\n";
        let err = head(text).unwrap_err().to_string();
        assert!(err.starts_with(r#"bad header line "X: \\\x7f": "#), "{err}");
        let reason = "HTTP/1.0 200 OK \u{9b}2J \u{202e}txt.exe\r\n\r\n";
        let status = head(reason).unwrap().unwrap().status_line();
        assert_eq!(status, r"HTTP/1.0 200 OK \u{9b}2J \u{202e}txt.exe");
    }

    #[test]
    fn h7_h8_bad_content_lengths_are_refused() {
        for bad in [
            "-6",
            "crap",
            "+5",
            " 5 5",
            "5 5",
            "0x10",
            "",
            "18446744073709551616",
            "36893488147419103232",
            // White space around a value is SP and HTAB only.
            "\x0c5",
            "5\x0b",
            "5,\x0c5",
        ] {
            let err = framing_of(&format!("Content-Length: {bad}\r\n"));
            assert!(err.is_err(), "{bad:?}");
        }
        let max = framing_of("Content-Length: 18446744073709551615\r\n");
        assert_eq!(max.unwrap(), Framing::Length(u64::MAX));
        let err = framing_of("Content-Length: 5\r\nContent-Length: 6\r\n");
        assert!(matches!(
            err,
            Err(ResponseError::ConflictingContentLength(5, 6))
        ));
    }

    #[test]
    fn h9_equal_duplicate_lengths_are_accepted() {
        let twice = framing_of("Content-Length: 5\r\ncontent-length: 5\r\n");
        assert_eq!(twice.unwrap(), Framing::Length(5));
        let listed = framing_of("Content-Length: 5, 5\r\n");
        assert_eq!(listed.unwrap(), Framing::Length(5));
        assert!(framing_of("Content-Length: 5, 6\r\n").is_err());
    }

    #[test]
    fn h10_transfer_encoding_is_refused_even_with_a_length() {
        let te = "Transfer-Encoding: chunked\r\nContent-Length: 123456\r\n";
        let err = framing_of(te).unwrap_err();
        assert!(matches!(err, ResponseError::TransferEncoding(_)));
        assert!(err.to_string().contains("RFC 9112 §6.1"));
    }

    #[test]
    fn h18_interim_and_no_body_statuses_have_no_body() {
        let h = head("HTTP/1.1 100 Continue\r\nContent-Length: 9\r\n\r\n");
        assert_eq!(framing(&h.unwrap().unwrap()).unwrap(), Framing::Length(0));
        let h = head("HTTP/1.0 304 Not Modified\r\nContent-Length: 9\r\n\r\n");
        let h = h.unwrap().unwrap();
        assert_eq!(framing(&h).unwrap(), Framing::Length(0));
        assert_eq!(framing_of("").unwrap(), Framing::UntilClose);
    }

    /// Feeds `data` a byte at a time: what was passed on, and the end.
    fn byte_by_byte(
        data: &[u8],
        limits: Limits,
    ) -> Result<(Vec<u8>, Received), ResponseError> {
        let mut reader = ResponseReader::new(limits);
        let mut passed_on = Vec::new();
        for byte in data.chunks(1) {
            passed_on.extend_from_slice(reader.feed(byte)?);
        }
        Ok((passed_on, reader.finish()?))
    }

    const INTERIM: &str = "HTTP/1.1 100 Continue\r\n\r\n\
        HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n";

    #[test]
    fn h18_interim_replies_are_skipped_and_passed_on_with_the_final_one() {
        let last = "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n";
        let data = format!("{INTERIM}{last}hi");
        let (passed_on, received) =
            byte_by_byte(data.as_bytes(), Limits::default()).unwrap();
        assert_eq!(passed_on, data.as_bytes());
        assert_eq!(received.head.status, 200);
        assert_eq!(received.heads_len, INTERIM.len() + last.len());
        assert_eq!(received.total_len(), data.len() as u64);
    }

    #[test]
    fn h18_a_switch_of_protocols_is_refused() {
        let data =
            b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n\x81";
        let err = byte_by_byte(data, Limits::default()).unwrap_err();
        assert_eq!(err, ResponseError::SwitchingProtocols);
    }

    #[test]
    fn h14_interim_heads_count_towards_the_cap_on_the_head() {
        let endless = "HTTP/1.1 100 Continue\r\n\r\n".repeat(10_000);
        let limits = Limits::default();
        let err = byte_by_byte(endless.as_bytes(), limits).unwrap_err();
        assert_eq!(err, ResponseError::HeadTooLarge(limits.max_head));
    }

    #[test]
    fn h15_a_body_announced_or_grown_past_the_cap_is_refused_at_once() {
        let limits = Limits {
            max_body: Some(5),
            ..Limits::default()
        };
        let mut reader = ResponseReader::new(limits);
        let head = b"HTTP/1.0 200 OK\r\nContent-Length: 6\r\n\r\n";
        let err = reader.feed(head).unwrap_err();
        let announced = Some(6);
        assert_eq!(err, ResponseError::BodyTooLarge { max: 5, announced });
        let mut reader = ResponseReader::new(limits);
        assert!(reader.feed(b"HTTP/1.0 200 OK\r\n\r\nabc").is_ok());
        assert_eq!(reader.feed(b"de").unwrap(), b"de");
        let err = reader.feed(b"f").unwrap_err();
        let announced = None;
        assert_eq!(err, ResponseError::BodyTooLarge { max: 5, announced });
        let five = b"HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nabcde";
        let (passed_on, _) = byte_by_byte(five, limits).unwrap();
        assert_eq!(passed_on, five);
    }

    #[test]
    fn the_framer_counts_down_and_tells_truncation() {
        let mut body = BodyFramer::new(Framing::Length(10));
        assert_eq!(body.take(4), 4);
        assert!(matches!(
            body.finish(),
            Err(ResponseError::Truncated {
                got: 4,
                expected: 10
            })
        ));
        assert_eq!(body.take(100), 6);
        assert!(body.is_complete());
        assert_eq!(body.take(5), 0);
        assert_eq!(body.finish().unwrap(), 10);
        let mut open = BodyFramer::new(Framing::UntilClose);
        assert_eq!(open.take(7), 7);
        assert!(!open.is_complete());
        assert_eq!(open.finish().unwrap(), 7);
    }

    #[test]
    fn the_reader_tells_empty_from_incomplete_and_drops_extra_bytes() {
        let limits = Limits::default();
        assert!(matches!(
            ResponseReader::new(limits).finish(),
            Err(ResponseError::EmptyReply)
        ));
        let mut reader = ResponseReader::new(limits);
        assert_eq!(reader.feed(b"HTTP/1.0 200 OK\r\n").unwrap(), b"");
        assert!(matches!(
            reader.clone().finish(),
            Err(ResponseError::IncompleteHead { got: 17 })
        ));
        let fed = reader.feed(b"Content-Length: 3\r\n\r\nab").unwrap();
        assert_eq!(fed, b"HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nab");
        assert_eq!(reader.feed(b"cJUNK").unwrap(), b"c");
        assert!(reader.is_complete());
        let received = reader.finish().unwrap();
        assert_eq!((received.body_len, received.total_len()), (3, 41));
    }
}

//! A mock HTTP/1.0 server: canned replies by path, files from a
//! directory, and the faults a web client must survive.
//!
//! An HTTP/1.0 exchange (RFC 1945) is one request and one response per
//! connection. The client sends a request line (`GET /path HTTP/1.0`),
//! header lines and an empty line; the server answers with a status line
//! (`HTTP/1.0 200 OK`), header lines, an empty line and the body. The body
//! ends after `Content-Length` bytes, or, without that header, when the
//! server closes the connection.
//!
//! This mock reads the request head with its own small reader (it shares
//! no code with the client in `inet`), with limits on the request line
//! and the head, and a deadline for the whole head (a slowloris client
//! gets `408`). It then answers from its routes, from files under a root
//! directory, or with a default page, unless a [`Fault`] is scripted:
//!
//! ```
//! use inet_mocks::HttpMock;
//! use inet_mocks::http::{Fault, Reply};
//!
//! let server = HttpMock::new()
//!     .route("/", Reply::ok("<h1>hello</h1>"))
//!     .route("/old", Reply::redirect("http://127.0.0.1/new"))
//!     .start()?;
//! let broken = HttpMock::new().fault(Fault::CloseMidBody).start()?;
//! # let _ = (server.addr(), broken.addr());
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! Every byte the client sent is kept: [`HttpServer::requests`].

use crate::server::{
    Conn, DEFAULT_MAX_CONNECTIONS, MockServer, deadline_in, is_interrupted,
    is_timeout, read_before,
};
use crate::transcript::{Transcript, escape};
use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The longest request line the mock reads, terminator included; a longer
/// one gets `414 URI Too Long`.
pub const MAX_REQUEST_LINE: usize = 8 * 1024;
/// The largest request head the mock reads (request line, headers and the
/// empty line); a larger one gets `431 Request Header Fields Too Large`.
pub const MAX_REQUEST_HEAD: usize = 32 * 1024;
/// How long a client has to send its whole request head before it gets
/// `408 Request Timeout`: a per-read timeout alone would let a client that
/// sends one byte a second hold a thread forever (slowloris).
pub const HEAD_DEADLINE: Duration = Duration::from_secs(10);

/// The body of a [`Reply`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// These bytes.
    Bytes(Vec<u8>),
    /// `n` bytes of [`pattern_byte`], generated as they are sent, so a
    /// gigabyte costs no memory.
    Pattern(u64),
    /// The contents of this file, streamed.
    File(PathBuf),
}

/// A canned response. Built with [`Reply::ok`], [`Reply::new`],
/// [`Reply::redirect`] or [`Reply::raw`], then adjusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    status: u16,
    reason: String,
    headers: Vec<(String, String)>,
    body: Body,
    content_length: bool,
    raw: Option<Vec<u8>>,
}

impl Reply {
    /// A response with this status, an empty body and a `Content-Length`.
    pub fn new(status: u16, reason: &str) -> Reply {
        Reply {
            status,
            reason: clean(reason),
            headers: vec![("Server".into(), "inet-mock-http".into())],
            body: Body::Bytes(Vec::new()),
            content_length: true,
            raw: None,
        }
    }

    /// `200 OK` with an HTML body.
    pub fn ok(body: impl Into<Vec<u8>>) -> Reply {
        Reply::new(200, "OK")
            .header("Content-Type", "text/html")
            .body(body)
    }

    /// `302 Found` to `location`, like the reply the chapter shows.
    pub fn redirect(location: &str) -> Reply {
        let page = format!("<a href=\"{}\">moved</a>\n", clean(location));
        Reply::new(302, "Found")
            .header("Location", location)
            .header("Content-Type", "text/html")
            .body(page)
    }

    /// `503 Service Unavailable` with a short page: what a client past
    /// the connection cap gets ([`HttpMock::max_connections`]) before
    /// the close (RFC 9110 §15.6.4: a temporary overload).
    pub fn unavailable() -> Reply {
        Reply::new(503, "Service Unavailable")
            .header("Content-Type", "text/html")
            .header("Connection", "close")
            .body("<h1>503 Service Unavailable</h1>\n<p>Too many connections; try again later.</p>\n")
    }

    /// `404 Not Found` with a short page.
    pub fn not_found() -> Reply {
        Reply::new(404, "Not Found")
            .header("Content-Type", "text/html")
            .body("<h1>404 Not Found</h1>\n")
    }

    /// Exactly these bytes, then close: for replies no builder would make
    /// (a bad status line, a header without a colon...).
    pub fn raw(bytes: impl Into<Vec<u8>>) -> Reply {
        let mut reply = Reply::new(200, "OK");
        reply.raw = Some(bytes.into());
        reply
    }

    /// Adds a header. CR, LF and other control characters in the name or
    /// value become spaces: a mock never splits its own response.
    pub fn header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((clean(name), clean(value)));
        self
    }

    /// Sets the body.
    pub fn body(mut self, bytes: impl Into<Vec<u8>>) -> Reply {
        self.body = Body::Bytes(bytes.into());
        self
    }

    /// Sets a body of `len` generated bytes (see [`pattern_byte`]).
    pub fn pattern(mut self, len: u64) -> Reply {
        self.body = Body::Pattern(len);
        self
    }

    /// Streams the body from a file.
    pub fn file(mut self, path: impl Into<PathBuf>) -> Reply {
        self.body = Body::File(path.into());
        self
    }

    /// Sends no `Content-Length`: the body ends when the mock closes the
    /// connection, the classic HTTP/1.0 way.
    pub fn close_delimited(mut self) -> Reply {
        self.content_length = false;
        self
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The head as sent, for a body of `len` bytes.
    fn head(&self, len: u64) -> Vec<u8> {
        let mut head = format!("HTTP/1.0 {} {}\r\n", self.status, self.reason);
        for (name, value) in &self.headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if self.content_length {
            head.push_str(&format!("Content-Length: {len}\r\n"));
        }
        head.push_str("\r\n");
        head.into_bytes()
    }

    /// The whole response as bytes, body included (bodies from files and
    /// patterns included: use only for small ones).
    pub fn to_bytes(&self) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        self.write_to(&mut out, true)?;
        Ok(out)
    }

    /// Writes the response; the body only if `with_body` (not for HEAD).
    fn write_to(
        &self,
        out: &mut impl Write,
        with_body: bool,
    ) -> io::Result<()> {
        if let Some(raw) = &self.raw {
            return out.write_all(raw);
        }
        match &self.body {
            Body::Bytes(bytes) => {
                out.write_all(&self.head(bytes.len() as u64))?;
                if with_body {
                    out.write_all(bytes)?;
                }
            }
            Body::Pattern(len) => {
                out.write_all(&self.head(*len))?;
                if with_body {
                    write_pattern(out, *len)?;
                }
            }
            Body::File(path) => {
                let mut file = File::open(path)?;
                out.write_all(&self.head(file.metadata()?.len()))?;
                if with_body {
                    io::copy(&mut file, out)?;
                }
            }
        }
        Ok(())
    }
}

/// Replaces control characters with spaces.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// Byte `i` of a generated body: lines of 64 bytes, `0-9a-zA-Z` then a
/// newline, so a big body is easy to check and to look at.
pub fn pattern_byte(i: u64) -> u8 {
    const LINE: &[u8; 64] =
        b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.\n";
    LINE[(i % 64) as usize]
}

/// The first `len` bytes of the pattern, for comparing small bodies.
pub fn pattern(len: u64) -> Vec<u8> {
    (0..len).map(pattern_byte).collect()
}

/// The block a generated body is written in. Each write is a system
/// call (and a turn of the transcript's lock): 256 KiB takes a quarter of
/// the calls 64 KiB did for a gigabyte, and memory stays bounded.
const PATTERN_BLOCK: usize = 256 * 1024;

/// Writes `len` pattern bytes through a [`PATTERN_BLOCK`] buffer, never
/// more.
fn write_pattern(out: &mut impl Write, len: u64) -> io::Result<()> {
    let block: Vec<u8> = pattern(PATTERN_BLOCK as u64);
    let mut left = len;
    while left > 0 {
        // The block is a whole number of 64-byte lines: each write
        // continues the pattern where the last one stopped.
        let n = left.min(block.len() as u64) as usize;
        out.write_all(&block[..n])?;
        left -= n as u64;
    }
    Ok(())
}

/// A way for the mock to misbehave, instead of answering normally. Each
/// names the row of the robustness matrix it serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Reads the request, then closes without a byte (H2).
    NoReply,
    /// Sends a status line and one header, no empty line, and closes (H3).
    CloseMidHead,
    /// Sends `Content-Length: 100` and 50 bytes of body, and closes (H4).
    CloseMidBody,
    /// Sends the normal reply one byte at a time, this long apart (H16).
    Trickle(Duration),
    /// Reads the request, then never answers, holding the connection open
    /// until the client closes it (H16).
    Hang,
    /// Sends the head of a 100-byte reply and 10 bytes, then holds the
    /// connection open without a byte more (H16, and F2: a download in
    /// progress).
    StallMidBody,
    /// Answers with bytes that are not HTTP at all, and closes (H12).
    Garbage,
    /// Answers with a bare body, no status line, as HTTP/0.9 did (H12).
    Http09,
    /// Sends a status line, then `X: y` header lines forever (H14).
    EndlessHeaders,
    /// Answers the 1.0 request with a chunked body and a bogus
    /// `Content-Length`, which a 1.1 server must not do (H10).
    Chunked,
    /// Sends `Content-Length: 5`, five bytes, then junk, and holds the
    /// connection open: the client must stop at 5 bytes (H5).
    ExtraAfterBody,
    /// Sends `100 Continue` before the normal reply (H18).
    Interim,
}

/// What a test or the standalone binary scripts; [`HttpMock::start`] runs
/// it.
#[derive(Debug, Clone)]
pub struct HttpMock {
    routes: HashMap<String, Reply>,
    root: Option<PathBuf>,
    fault: Option<Fault>,
    head_deadline: Duration,
    transcripts: bool,
    max_connections: usize,
}

impl Default for HttpMock {
    fn default() -> Self {
        HttpMock::new()
    }
}

/// One exchange, as the standalone binary logs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Served {
    /// The request line, escaped for printing (empty if none arrived).
    pub request_line: String,
    /// The status sent, or 0 for a fault or no reply at all.
    pub status: u16,
}

impl HttpMock {
    /// A mock with no routes: `/` gets a default page, anything else 404.
    pub fn new() -> HttpMock {
        HttpMock {
            routes: HashMap::new(),
            root: None,
            fault: None,
            head_deadline: HEAD_DEADLINE,
            transcripts: true,
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }

    /// Answers requests for `path` (exactly, query included) with `reply`.
    pub fn route(mut self, path: &str, reply: Reply) -> HttpMock {
        self.routes.insert(path.to_owned(), reply);
        self
    }

    /// Serves the files under `dir` (never outside it); `/` is
    /// `dir/index.html` if there is one.
    pub fn root(mut self, dir: impl Into<PathBuf>) -> HttpMock {
        self.root = Some(dir.into());
        self
    }

    /// Misbehaves on every connection.
    pub fn fault(mut self, fault: Fault) -> HttpMock {
        self.fault = Some(fault);
        self
    }

    /// How long a client may take to send its request head.
    pub fn head_deadline(mut self, deadline: Duration) -> HttpMock {
        self.head_deadline = deadline;
        self
    }

    /// Records no transcripts ([`HttpServer::requests`] stays empty):
    /// for a server that sends gigabytes, under a benchmark say, whose
    /// memory must not grow with every byte sent.
    pub fn without_transcripts(mut self) -> HttpMock {
        self.transcripts = false;
        self
    }

    /// Serves at most `max` connections at once (default
    /// [`DEFAULT_MAX_CONNECTIONS`]); one more gets
    /// [`Reply::unavailable`] and the close (matrix row V1).
    pub fn max_connections(mut self, max: usize) -> HttpMock {
        self.max_connections = max;
        self
    }

    /// Starts the server on `127.0.0.1:0`.
    ///
    /// # Errors
    /// No socket to listen on, or a zero
    /// [`max_connections`](Self::max_connections) (`InvalidInput`).
    pub fn start(self) -> io::Result<HttpServer> {
        let mut builder = MockServer::builder()
            .max_connections(self.max_connections)
            .refusal(Reply::unavailable().to_bytes()?);
        if !self.transcripts {
            builder = builder.without_transcripts();
        }
        let mock = Arc::new(self);
        let server = builder.start(move |conn: Conn| {
            let _ = mock.serve(&conn);
        })?;
        Ok(HttpServer { server })
    }

    /// Serves one connection.
    ///
    /// # Errors
    /// The socket failed or the client went away.
    pub fn serve(&self, conn: &Conn) -> io::Result<Served> {
        let mut io = conn;
        let deadline = deadline_in(self.head_deadline);
        let request = read_request(&mut io, conn.stream(), deadline);
        let request = match request {
            Ok(Some(request)) => request,
            Ok(None) => return Ok(served("", 0)),
            Err(refusal) => {
                let reply = refusal.reply();
                reply.write_to(&mut io, true)?;
                return Ok(served("", reply.status));
            }
        };
        let line = escape(&request.line);
        if let Some(fault) = self.fault {
            self.misbehave(fault, &request, conn)?;
            return Ok(served(&line, 0));
        }
        let reply = self.reply_for(&request);
        reply.write_to(&mut io, request.method != "HEAD")?;
        io.flush()?;
        Ok(served(&line, reply.status))
    }

    /// The reply to `request`: a route's own, borrowed (its body is not
    /// copied per request), or one made for it.
    fn reply_for(&self, request: &Request) -> Cow<'_, Reply> {
        if !matches!(request.method.as_str(), "GET" | "HEAD") {
            return Cow::Owned(Reply::new(501, "Not Implemented"));
        }
        match self.routes.get(&request.target) {
            Some(reply) => Cow::Borrowed(reply),
            None => Cow::Owned(self.made_reply_for(request)),
        }
    }

    /// The reply to a GET or HEAD no route answers: a file under the
    /// root, the default page, or 404.
    fn made_reply_for(&self, request: &Request) -> Reply {
        let path = request.target.split('?').next().unwrap_or("");
        let file = self.root.as_deref().and_then(|root| file_under(root, path));
        if let Some(file) = file {
            return Reply::new(200, "OK")
                .header("Content-Type", content_type(&file))
                .file(file);
        }
        if path == "/" {
            return Reply::ok(DEFAULT_PAGE);
        }
        // The path is echoed, escaped: only printable ASCII reaches the
        // header, so a `%0d%0a` in a request cannot add a header (H19).
        Reply::not_found().header("X-Request-Path", &request.target)
    }

    fn misbehave(
        &self,
        fault: Fault,
        request: &Request,
        conn: &Conn,
    ) -> io::Result<()> {
        let mut io = conn;
        let normal = || self.reply_for(request).to_bytes();
        match fault {
            Fault::NoReply => Ok(()),
            Fault::CloseMidHead => {
                io.write_all(b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n")
            }
            Fault::CloseMidBody => {
                io.write_all(
                    b"HTTP/1.0 200 OK\r\nContent-Length: 100\r\n\r\n",
                )?;
                io.write_all(&pattern(50))
            }
            Fault::Trickle(interval) => {
                for byte in normal()? {
                    io.write_all(&[byte])?;
                    if !conn.pause(interval) {
                        break; // the server is stopping
                    }
                }
                Ok(())
            }
            Fault::Hang => hold_open(conn),
            Fault::StallMidBody => {
                io.write_all(
                    b"HTTP/1.0 200 OK\r\nContent-Length: 100\r\n\r\n",
                )?;
                io.write_all(&pattern(10))?;
                hold_open(conn)
            }
            Fault::Garbage => {
                io.write_all(b"\x00\xff\xfeSSH-2.0-not-http\r\n\r\n")
            }
            Fault::Http09 => io.write_all(b"<html>no status line</html>\n"),
            Fault::EndlessHeaders => {
                io.write_all(b"HTTP/1.0 200 OK\r\n")?;
                let block = b"X: y\r\n".repeat(1024);
                loop {
                    io.write_all(&block)?;
                }
            }
            Fault::Chunked => io.write_all(
                b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\
                  Content-Length: 123456\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            ),
            Fault::ExtraAfterBody => {
                io.write_all(b"HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\n")?;
                io.write_all(b"hellojunk after the body")?;
                hold_open(conn)
            }
            Fault::Interim => {
                io.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
                io.write_all(&normal()?)
            }
        }
    }
}

/// The page `/` gets when nothing else is set up for it.
pub const DEFAULT_PAGE: &str = "<!DOCTYPE html>\n<html><head><title>inet \
    mock-http</title></head>\n<body><h1>Hello from mock-http</h1>\n<p>This \
    page was served by the inet mock HTTP server.</p></body></html>\n";

fn served(line: &str, status: u16) -> Served {
    Served {
        request_line: line.to_owned(),
        status,
    }
}

/// Reads (and ignores) whatever the client sends until it closes, the
/// server stops, or the socket fails: a server that never answers.
fn hold_open(mut io: &Conn) -> io::Result<()> {
    io.stream()
        .set_read_timeout(Some(Duration::from_millis(200)))?;
    let mut buf = [0; 1024];
    loop {
        match io.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(_) => {}
            Err(e) if is_timeout(&e) || is_interrupted(&e) => {}
            Err(e) => return Err(e),
        }
    }
}

/// A request line, split.
#[derive(Debug)]
struct Request {
    line: Vec<u8>,
    method: String,
    target: String,
}

/// Why the mock refuses a request, with the status it answers.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    BadRequest,
    Timeout,
    LineTooLong,
    HeadTooLarge,
}

impl Refusal {
    fn reply(self) -> Reply {
        let (status, reason) = match self {
            Refusal::BadRequest => (400, "Bad Request"),
            Refusal::Timeout => (408, "Request Timeout"),
            Refusal::LineTooLong => (414, "URI Too Long"),
            Refusal::HeadTooLarge => (431, "Request Header Fields Too Large"),
        };
        Reply::new(status, reason).header("Connection", "close")
    }
}

/// Reads the request head: `Ok(None)` if the client closed (or failed)
/// before finishing it, `Err` for a request to refuse.
fn read_request(
    io: &mut impl Read,
    tcp: &TcpStream,
    deadline: Instant,
) -> Result<Option<Request>, Refusal> {
    let mut head = Vec::new();
    let mut scan = HeadScan::default();
    let mut buf = [0; 1024];
    loop {
        match scan.end(&head)? {
            Some(end) => return parse_request_line(&head[..end]).map(Some),
            None if head.len() > MAX_REQUEST_HEAD => {
                return Err(Refusal::HeadTooLarge);
            }
            None => {}
        }
        match read_before(io, tcp, deadline, &mut buf) {
            Ok(0) => return Ok(None),
            Ok(n) => head.extend_from_slice(&buf[..n]),
            Err(e) if is_timeout(&e) => return Err(Refusal::Timeout),
            Err(_) => return Ok(None),
        }
    }
}

/// Finds where a request head ends while it arrives, looking at each
/// byte once: a client that sends its head a byte at a time must not
/// make the mock search the whole head again after every read.
#[derive(Debug, Default)]
struct HeadScan {
    /// Where the line not yet seen to end starts.
    line_start: usize,
    /// How far the head was searched for a `\n`.
    searched: usize,
}

impl HeadScan {
    /// Where the head ends (just past its empty line), if `head` holds
    /// all of it yet; checks the line limits on the way. `head` only
    /// grows between calls.
    fn end(&mut self, head: &[u8]) -> Result<Option<usize>, Refusal> {
        while let Some(lf) =
            head[self.searched..].iter().position(|&b| b == b'\n')
        {
            let start = self.line_start;
            let end = self.searched + lf + 1;
            check_line_length(start, end - start)?;
            let line = &head[start..end - 1];
            if line.is_empty() || line == b"\r" {
                // An empty line first is a stray CRLF before the request,
                // which RFC 9112 §2.2 lets a server skip; we refuse it.
                return if start == 0 {
                    Err(Refusal::BadRequest)
                } else {
                    Ok(Some(end))
                };
            }
            (self.line_start, self.searched) = (end, end);
        }
        self.searched = head.len();
        check_line_length(self.line_start, head.len() - self.line_start)?;
        Ok(None)
    }
}

fn check_line_length(start: usize, len: usize) -> Result<(), Refusal> {
    match (start, len > MAX_REQUEST_LINE) {
        (0, true) => Err(Refusal::LineTooLong),
        (_, true) => Err(Refusal::HeadTooLarge),
        _ => Ok(()),
    }
}

/// `METHOD SP TARGET SP HTTP/x.y`, all printable ASCII (RFC 9112 §3).
fn parse_request_line(head: &[u8]) -> Result<Request, Refusal> {
    let end = head.iter().position(|&b| b == b'\n').unwrap_or(head.len());
    let line = &head[..end];
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if !line.iter().all(|&b| b.is_ascii_graphic() || b == b' ') {
        return Err(Refusal::BadRequest);
    }
    let text = String::from_utf8_lossy(line);
    let parts: Vec<&str> = text.split(' ').collect();
    let [method, target, version] = parts[..] else {
        return Err(Refusal::BadRequest);
    };
    let known = ["HTTP/1.0", "HTTP/1.1"];
    if method.is_empty()
        || !target.starts_with('/')
        || !known.contains(&version)
    {
        return Err(Refusal::BadRequest);
    }
    Ok(Request {
        line: line.to_vec(),
        method: method.to_owned(),
        target: target.to_owned(),
    })
}

/// The file `path` names under `root`, if there is one and it really is
/// under `root` (no `..`, no symlink leading out).
fn file_under(root: &Path, path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(path)?;
    let mut file = root.to_path_buf();
    for segment in decoded.split('/').filter(|s| !s.is_empty()) {
        if segment == "." || segment == ".." || segment.contains('\\') {
            return None;
        }
        file.push(segment);
    }
    if file.is_dir() {
        file.push("index.html");
    }
    let root = root.canonicalize().ok()?;
    let file = file.canonicalize().ok()?;
    (file.starts_with(&root) && file.is_file()).then_some(file)
}

/// Decodes `%XX` escapes; `None` for a bad escape, NUL or non-UTF-8.
fn percent_decode(path: &str) -> Option<String> {
    let mut out = Vec::new();
    let mut bytes = path.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let hex = [bytes.next()?, bytes.next()?];
            // Two hex digits exactly: `from_str_radix` alone would take
            // `%+1` as 1.
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            let hex = std::str::from_utf8(&hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
        } else {
            out.push(b);
        }
    }
    if out.contains(&0) {
        return None;
    }
    String::from_utf8(out).ok()
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()) {
        Some("html" | "htm") => "text/html",
        Some("txt") => "text/plain",
        _ => "application/octet-stream",
    }
}

/// A running [`HttpMock`]; it stops when dropped.
#[derive(Debug)]
pub struct HttpServer {
    server: MockServer,
}

impl HttpServer {
    /// The address to connect to.
    pub fn addr(&self) -> SocketAddr {
        self.server.addr()
    }

    /// Every byte each client sent, one entry per connection, in order.
    pub fn requests(&self) -> Vec<Vec<u8>> {
        let transcripts = self.server.transcripts();
        transcripts
            .iter()
            .map(Transcript::bytes_from_client)
            .collect()
    }

    /// Each connection's transcript, both directions.
    pub fn transcripts(&self) -> Vec<Transcript> {
        self.server.transcripts()
    }

    /// Waits until `n` connections were accepted; false on timeout.
    pub fn wait_for_connections(&self, n: usize, timeout: Duration) -> bool {
        self.server.wait_for_connections(n, timeout)
    }

    /// Waits until `n` connections are over, so their transcripts are
    /// complete; false on timeout.
    pub fn wait_for_closed(&self, n: usize, timeout: Duration) -> bool {
        self.server.wait_for_closed(n, timeout)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pattern_continues_across_blocks() {
        let len = 2 * PATTERN_BLOCK as u64 + 100;
        let mut out = Vec::new();
        write_pattern(&mut out, len).unwrap();
        assert_eq!(out, pattern(len));
        assert_eq!(&out[..11], b"0123456789a");
        assert_eq!(out[63], b'\n');
    }

    /// Where a head that arrived in one piece ends.
    fn head_end(head: &[u8]) -> Result<Option<usize>, Refusal> {
        HeadScan::default().end(head)
    }

    #[test]
    fn heads_end_at_the_first_empty_line() {
        assert!(matches!(head_end(b"GET / HTTP/1.0\r\n"), Ok(None)));
        assert!(matches!(head_end(b"GET / HTTP/1.0\r\n\r\nx"), Ok(Some(18))));
        assert!(matches!(head_end(b"GET / HTTP/1.0\n\n"), Ok(Some(16))));
        assert!(matches!(head_end(b"\r\nGET"), Err(Refusal::BadRequest)));
        let long = vec![b'a'; MAX_REQUEST_LINE + 1];
        assert!(matches!(head_end(&long), Err(Refusal::LineTooLong)));
    }

    #[test]
    fn request_lines_must_have_three_printable_parts() {
        let ok = parse_request_line(b"GET /a?b HTTP/1.0\r\n").unwrap();
        assert_eq!((ok.method.as_str(), ok.target.as_str()), ("GET", "/a?b"));
        for bad in [
            &b"GET / HTTP/1.0 extra\r\n"[..],
            b"GET /\r\n",
            b"GET a HTTP/1.0\r\n",
            b"GET / HTTP/2.0\r\n",
            b"GET /a\rb HTTP/1.0\r\n",
            b"GET /\xc3\xa9 HTTP/1.0\r\n",
        ] {
            assert!(parse_request_line(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn percent_decoding_refuses_nul_and_bad_escapes() {
        assert_eq!(percent_decode("/a%20b").as_deref(), Some("/a b"));
        assert_eq!(percent_decode("/%2e%2e"), Some("/..".into()));
        assert_eq!(percent_decode("/%00"), None);
        assert_eq!(percent_decode("/%zz"), None);
        assert_eq!(percent_decode("/%2"), None);
        assert_eq!(percent_decode("/%+1"), None);
    }

    #[test]
    fn without_transcripts_it_serves_and_keeps_nothing() {
        let server = HttpMock::new()
            .route("/", Reply::new(200, "OK").pattern(100_000))
            .without_transcripts()
            .start()
            .unwrap();
        let mut client = TcpStream::connect(server.addr()).unwrap();
        let timeout = Some(Duration::from_secs(5));
        client.set_read_timeout(timeout).unwrap();
        client.set_write_timeout(timeout).unwrap();
        client.write_all(b"GET / HTTP/1.0\r\n\r\n").unwrap();
        let mut reply = Vec::new();
        client.read_to_end(&mut reply).unwrap();
        assert!(reply.starts_with(b"HTTP/1.0 200 OK\r\n"));
        assert!(reply.ends_with(&pattern(100_000)[99_000..]));
        assert!(server.wait_for_closed(1, Duration::from_secs(5)));
        assert!(server.requests().is_empty());
        assert!(server.transcripts().is_empty());
    }

    #[test]
    fn header_values_cannot_split_the_response() {
        let reply = Reply::new(200, "OK").header("X", "a\r\nSet-Cookie: x");
        let bytes = reply.to_bytes().unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.contains("X: a  Set-Cookie: x\r\n"), "{text}");
    }
}

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
//! atomically.
//!
//! Each layer has its own error: [`request::BadSite`] for what can't be
//! asked, [`response::ResponseError`] for what the server sent,
//! [`client::FetchError`] for the exchange (the connection, the clock, or
//! the response), and [`save::SaveError`] for the whole download, the
//! file's errors ([`save::FileError`]) included.
//!
//! Lesson: `lessons/02-web-client.md`.

pub mod client;
pub mod request;
pub mod response;
pub mod save;
pub mod site;

//! In-process mock servers for the `inet` tests and the tour.
//!
//! Each mock is a real server (TCP, and UDP too for DNS) that listens on
//! `127.0.0.1:0` (a port the OS picks, so tests can run in parallel)
//! inside the test process itself. A test starts one, points the client
//! at its address (`addr()`), and afterwards checks what happened.
//!
//! The mocks are written independently of the client code in `inet`, and
//! this crate never depends on it: if client and mock shared a parser, one
//! bug could sit on both sides and every test would still pass.
//!
//! Each connection records a [`Transcript`] of every byte in both
//! directions, so a test can check the exact bytes the client sent, not
//! just whether it got an answer. (The DNS mock logs each message
//! instead.) Each mock is scripted through a builder (the replies to
//! give, faults to inject, delays to add), and a server stops, closing
//! its connections and joining its threads, when it is dropped. Each
//! serves a bounded number of connections at once
//! ([`server::DEFAULT_MAX_CONNECTIONS`] unless told otherwise) and says
//! no to the next, in its own protocol's words.
//!
//! Each mock also runs as a program (`mock-dns`, `mock-http`,
//! `mock-smtp`) on a port of your choosing, for a reader to point a
//! Python original or any tool at. The programs keep no transcripts and
//! no messages, so they can run for days without growing.
//!
//! This crate holds the foundation the mocks stand on:
//!
//! * [`server`]: the [`MockServer`] harness that accepts connections and
//!   hands each one, as a [`Conn`], to a handler on its own thread.
//! * [`transcript`]: the [`Transcript`] log and the [`Recorder`] that
//!   fills it from a stream.
//! * [`dns`]: the mock DNS server ([`DnsMock`]), over UDP and TCP, with
//!   scripted rcodes and faults and a log of the questions received.
//! * [`http`]: [`HttpMock`], canned replies by path, files under a root,
//!   and the faults of a broken web server ([`http::Fault`]).
//! * [`smtp`]: a scripted SMTP server ([`SmtpMock`], built from a
//!   [`smtp::Script`]) that captures each accepted [`smtp::Message`].
//! * [`standalone`]: what the `mock-*` programs share (command line,
//!   exit statuses, the `listening on` line, and the [`standalone::Log`]
//!   that no session waits for).
//!
//! The crate root names the harness and one type per mock: [`DnsMock`],
//! [`HttpMock`], [`SmtpMock`]. Everything else is named by its module,
//! as `inet_mocks::smtp::Script` or `inet_mocks::dns::Rcode`, so that
//! `Message` is never ambiguous.
#![deny(missing_docs)]

pub mod dns;
pub mod http;
pub mod server;
pub mod smtp;
pub mod standalone;
pub mod transcript;
mod waitable;

pub use dns::DnsMock;
pub use http::HttpMock;
pub use server::{Conn, DEFAULT_IO_TIMEOUT, MockServer};
pub use smtp::SmtpMock;
pub use transcript::{Dir, Entry, Recorder, Transcript};

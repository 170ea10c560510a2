//! # inet: the chapter's Python socket programs, ported to Rust
//!
//! Each program of the chapter becomes a binary in `bin/`, and each
//! protocol a module here. Protocol modules do no I/O of their own: they
//! turn bytes into values and values into bytes, so they can be tested
//! (and property-tested) without a network. Small driver modules then move
//! those bytes over sockets and threads. The programs own their command
//! lines, what they print and their exit statuses: the library reports,
//! the program prints.
//!
//! # Layout
//!
//! - [`line`](mod@line): line framing, the one line reader every text
//!   protocol uses.
//! - [`python`]: Python's whitespace, as the originals strip lines.
//! - [`port`]: a port number, as the originals accept it.
//! - [`net`]: opening a TCP connection, trying each address of a name.
//! - [`random`]: random-enough numbers (DNS query IDs, temp file names).
//! - [`blocking`]: a timeout and a signal, the two ways a blocking
//!   socket call returns without failing.
//! - [`deadline`]: deadlines for reads and writes, so a trickling peer
//!   can't stall us.
//! - [`escape`](mod@escape): bytes shown as text, with nothing hidden.
//! - [`transcript`]: every byte a program sent and received.
//! - [`accept`]: the accept loop the servers share: stopping it, and
//!   pausing after failures.
//! - [`dns`]: DNS messages and a stub resolver (inet_01).
//! - [`http`]: the HTTP/1.0 exchange of a web client (inet_02).
//! - [`smtp`]: SMTP replies, commands, DATA, and a client (inet_03, inet_04).
//! - [`echo`]: the echo service (inet_08 server, inet_06 client).
//! - [`relay`]: the generic TCP server that relays the keyboard (inet_10).
//!
//! Read `lessons/README.md` for the order to read them in.
#![deny(missing_docs)]

pub mod accept;
pub mod blocking;
pub mod deadline;
pub mod dns;
pub mod echo;
pub mod escape;
pub mod http;
pub mod line;
pub mod net;
pub mod port;
pub mod python;
pub mod random;
pub mod relay;
pub mod smtp;
pub mod transcript;

//! SMTP, the mail-sending protocol (RFC 5321), for the chapter's inet_03
//! (SMTP by hand) and inet_04 (SMTP through a library).
//!
//! # The exchange
//!
//! The client connects (port 25 by default) and the server speaks first.
//! Then the client sends one command at a time and reads one reply to
//! each (RFC 5321 §4.3 lists which replies each command may get):
//!
//! ```text
//! client                                    server
//!   | --- connect -------------------------> |
//!   | <-- 220 mock.test ESMTP -------------- |  greeting (§4.3.1)
//!   | --- ehlo [127.0.0.1] ----------------> |  who I am (§4.1.1.1)
//!   | <-- 250-mock.test -------------------- |  one reply, several lines:
//!   | <-- 250-PIPELINING ------------------- |  the extensions the server
//!   | <-- 250 SIZE 10240000 ---------------- |  offers
//!   | --- mail FROM:<me@x> size=42 --------> |  a new message (§4.1.1.2)
//!   | <-- 250 ok --------------------------- |
//!   | --- rcpt TO:<you@y> -----------------> |  one per recipient (§4.1.1.3)
//!   | <-- 250 ok --------------------------- |
//!   | --- data ----------------------------> |  (§4.1.1.4)
//!   | <-- 354 End data with <CR><LF>.<CR><LF>|
//!   | --- the message, dots stuffed, ------> |  (§4.5.2)
//!   | --- ".\r\n" -------------------------> |  its end
//!   | <-- 250 queued as 1 ------------------ |  the server now answers for it
//!   | --- quit ----------------------------> |  (§4.1.1.10)
//!   | <-- 221 bye -------------------------- |
//! ```
//!
//! Every reply starts with a three-digit code, and its first digit is
//! what a client acts on (§4.2.1): 2 done, 3 go on, 4 not now (try again
//! later), 5 no. A 421 means the server is closing the connection (§3.8).
//! Lines end with CRLF, commands and replies alike (§2.3.8).
//!
//! # The modules
//!
//! The protocol is written without I/O, as pure functions over bytes:
//!
//! - [`reply`]: reply lines and multi-line replies, parsed and formatted.
//! - [`command`]: command lines, refused when an argument could inject a
//!   second command, or breaks a length limit.
//! - [`data`]: the message after DATA: CRLF line ends, dot-stuffing, the
//!   final dot.
//! - [`mailfile`]: the first line of the chapter's `mail2.txt` (server,
//!   sender, recipient), checked before connecting.
//! - [`step`]: the steps of a session, so a failure can say where.
//! - [`session`]: smtplib's rules for sending a message (what follows a
//!   refusal, pipelining, what an EHLO reply lists), as a state machine
//!   fed replies.
//! - [`debug`]: smtplib's debug lines, to the character.
//!
//! Two small pieces touch a stream: [`read`] reads one whole reply from
//! a line reader, and [`client`] is the socket driver of the session:
//! [`client::Client`], the smtplib analogue. The program `smtp-raw`
//! (inet_03, SMTP by hand) uses the pure modules and [`read`] only;
//! `smtp-send` (inet_04) goes through the client.
//!
//! Lessons: `lessons/03-smtp-by-hand.md`, `lessons/04-smtp-library.md`.

pub mod client;
pub mod command;
pub mod data;
pub mod debug;
pub mod mailfile;
pub mod read;
pub mod reply;
pub mod session;
pub mod step;

pub use reply::Reply;
pub use step::Step;

//! Lesson 4, exercise 1: drive the session yourself.
//!
//! `Session` (`src/smtp/session.rs`) holds smtplib's rules and no
//! socket. Asked what to do next (`poll`), it answers with a `Next`:
//! write these command lines, write the message, read one reply (and
//! hand it over with `receive`), or done. `Client::run` in
//! `src/smtp/client.rs` is such a driver over a socket. Write one over a
//! list of replies instead, which logs what crosses the wire:
//!
//! - `--> LINE` for each command line written, without its CRLF
//!   (`--> mail FROM:<a@x>`), and `--> <message>` where the message and
//!   its final dot go;
//! - `<-- CODE` for each reply handed to the session (`<-- 250`).
//!
//! When the session asks for a reply and none is left, stop there: that
//! is a connection that broke, and there is no outcome.
//!
//! Check it with `cargo test --test inet -- --ignored drive_session`.
//! An answer is in `lessons/answers/drive_session.rs`.
// Until it is written, the skeleton uses none of these.
#![allow(unused_imports, unused_variables, unused_mut)]

use inet::smtp::Reply;
use inet::smtp::session::{Next, Refused, Session, Stop};

/// What a session did, driven to its end.
#[derive(Debug, PartialEq, Eq)]
pub struct Driven {
    /// What crossed the wire, in order: `--> LINE` and `<-- CODE`.
    pub log: Vec<String>,
    /// How it ended: `None` if the replies ran out first.
    pub outcome: Option<Result<Refused, Stop>>,
}

/// Drives `session` to its end, answering each reply it asks for with
/// the next of `replies`.
pub fn drive(session: &mut Session, replies: Vec<Reply>) -> Driven {
    let mut replies = replies.into_iter();
    let mut log = Vec::new();
    // Ask `session.poll()` what to do, do it, and ask again.
    Driven { log, outcome: None }
}

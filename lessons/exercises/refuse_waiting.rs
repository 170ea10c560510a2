//! Lesson 6, exercise 3: refuse the clients who wait.
//!
//! `tcp-server` serves one client at a time; the others wait in the
//! listen queue, and a browser's tab spins meanwhile. `refuse_waiting`
//! answers every client waiting in `listener`'s queue *right now* with
//! `message` and `\r\n`, and closes each one gracefully, as
//! `close_gracefully` in `src/relay.rs` does: half-close, then read what
//! the client still sends until it closes too, `drain` at most. A client
//! that sent a request we never read must get the message and a clean
//! end of stream, not a reset. It returns how many clients it answered,
//! and never waits for a client that has not come: with nobody in the
//! queue, it returns 0 at once. It leaves `listener` as it found it, in
//! blocking mode.
//!
//! Hints: `TcpListener::set_nonblocking`, the error kind
//! `io::ErrorKind::WouldBlock`; on some systems an accepted stream
//! inherits its listener's non-blocking mode.
//!
//! Check it with `cargo test --test inet -- --ignored
//! refuse_waiting`. An answer is in `lessons/answers/refuse_waiting.rs`.
// Until it is written, the skeleton uses none of these.
#![allow(unused_imports, unused_variables)]

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::time::Duration;

/// Answers each client waiting on `listener` with `message`, closes it
/// gracefully, and returns how many it answered.
///
/// # Errors
/// When `accept` fails for another reason than an empty queue.
pub fn refuse_waiting(
    listener: &TcpListener,
    message: &str,
    drain: Duration,
) -> io::Result<usize> {
    // Accept without blocking until the queue is empty, answer each
    // client, and close it gracefully.
    Ok(0)
}

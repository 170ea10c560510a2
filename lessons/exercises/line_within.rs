//! Lesson 0, exercise 2: one deadline for a whole line.
//!
//! `read_line_within` reads one line from a socket, a byte at a time,
//! and must give up once `budget` has passed, however the bytes come. The
//! starting code gives the socket a read timeout of `budget`: that bounds
//! each read, and a peer that sends a byte every 20 ms never trips it.
//! Give the whole line one deadline instead: `inet::deadline::Deadline`
//! says how long each read may still wait (`next_wait`), and fails once
//! none is left. A read a signal interrupts (`ErrorKind::Interrupted`)
//! must wait again, for the time left only; the check sends no signal,
//! so that part is yours to get right.
//!
//! Check it with `cargo test --test inet -- --ignored line_within`:
//! the check fails until the line has its deadline. An answer is in
//! `lessons/answers/line_within.rs`.

use std::io::{self, ErrorKind, Read};
use std::net::TcpStream;
use std::time::Duration;

/// Reads one line from `stream`, without its `\n`, waiting at most
/// `budget` in all.
///
/// # Errors
/// A timeout (`TimedOut`, or `WouldBlock` as a socket's timeout shows on
/// Unix) once the budget is spent; `UnexpectedEof` if the peer closes
/// first; any error of the socket.
pub fn read_line_within(
    stream: &TcpStream,
    budget: Duration,
) -> io::Result<Vec<u8>> {
    let mut stream = stream;
    // A timeout for each read.
    stream.set_read_timeout(Some(budget))?;
    let mut line = Vec::new();
    loop {
        let mut byte = [0];
        if stream.read(&mut byte)? == 0 {
            return Err(ErrorKind::UnexpectedEof.into());
        }
        if byte[0] == b'\n' {
            return Ok(line);
        }
        line.push(byte[0]);
    }
}

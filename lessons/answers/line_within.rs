//! An answer to lesson 0's exercise 2: one deadline for a whole line.
//! Before each read, the socket may wait only the time the deadline has
//! left; once none is left, `next_wait` fails with `TimedOut`. A read a
//! signal interrupts is tried again, for the time left only.

use std::io::{self, ErrorKind, Read};
use std::net::TcpStream;
use std::time::Duration;

use inet::deadline::Deadline;

// ANCHOR: line_within
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
    let deadline = Deadline::after(budget);
    let mut line = Vec::new();
    loop {
        // The time left, for this read: no read outlasts the deadline.
        stream.set_read_timeout(Some(deadline.next_wait()?))?;
        let mut byte = [0];
        let n = match stream.read(&mut byte) {
            // A signal cut the wait short: wait again, for the time left.
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            read => read?,
        };
        if n == 0 {
            return Err(ErrorKind::UnexpectedEof.into());
        }
        if byte[0] == b'\n' {
            return Ok(line);
        }
        line.push(byte[0]);
    }
}
// ANCHOR_END: line_within

//! An answer to lesson 6's exercise 1: the minimal port's reader thread,
//! fixed. It stops at the end of the stream, when a read gives no byte
//! at all, and nowhere else: the client's `bye` is shown like any line.

use std::io::{self, BufRead};

// ANCHOR: lecture
/// Shows each line `client` sends, stripped, until it closes; returns
/// how many lines it showed.
///
/// # Errors
/// When reading fails (a reset, say).
pub fn lecture(
    mut client: impl BufRead,
    mut show: impl FnMut(&str),
) -> io::Result<usize> {
    let mut shown = 0;
    loop {
        let mut read = Vec::new();
        // No byte at all: the end of the stream, the client has gone.
        // A last line without a newline has at least one byte.
        if client.read_until(b'\n', &mut read)? == 0 {
            return Ok(shown);
        }
        show(String::from_utf8_lossy(&read).trim());
        shown += 1;
    }
}
// ANCHOR_END: lecture

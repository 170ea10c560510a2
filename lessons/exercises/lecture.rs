//! Lesson 6, exercise 1: the minimal port's reader thread, fixed.
//!
//! `lecture` shows each line the client sends, stripped as Python's
//! `strip()` strips it, until the client closes the connection, and
//! returns how many lines it showed. A line the client ended without a
//! newline before it closed is shown too. The client's `bye` is a line
//! like any other: only the keyboard ends a session.
//!
//! The starting code is the minimal port's loop
//! (`examples/inet_10_generic_server.rs`): it stops at the client's `bye`,
//! and at the end of the stream `read_until` reads nothing, at once, every
//! time, so it shows an empty line without end.
//!
//! Check it with `cargo test --test inet -- --ignored lecture`. An
//! answer is in `lessons/answers/lecture.rs`.

use std::io::{self, BufRead};

/// Shows each line `client` sends, stripped, until it closes; returns
/// how many lines it showed.
///
/// # Errors
/// When reading fails (a reset, say).
pub fn lecture(
    mut client: impl BufRead,
    mut show: impl FnMut(&str),
) -> io::Result<usize> {
    let mut line = String::new();
    let mut shown = 0;
    while line != "bye" {
        let mut read = Vec::new();
        client.read_until(b'\n', &mut read)?;
        line = String::from_utf8_lossy(&read).trim().to_string();
        show(&line);
        shown += 1;
    }
    Ok(shown)
}

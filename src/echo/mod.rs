//! The echo service: the chapter's inet_08 (server) and inet_06 (client).
//!
//! A client sends lines; the server answers each one with the name of the
//! thread serving that client and the line in upper case. An empty line
//! ends the session.
//!
//! ```text
//! client                                   server
//!   | ---- connect -----------------------> |  accept, start Thread-1
//!   | ---- "hello\n" ---------------------> |  log: client 127.0.0.1 : hello (Thread-1)
//!   | <--- "Thread-1: HELLO\n" ------------ |
//!   | ---- "\n" --------------------------> |  empty line: end of session
//!   | <--- close -------------------------- |
//! ```
//!
//! The Python server sends its reply *without* a newline. Its client gets
//! away with that because it does one `recv(1000)` per line it sends and
//! hopes the whole reply arrives in that one call. Our server ends every
//! reply with `\n`, so a client can frame replies as lines, and our client
//! copes with both (see [`client`]).
//!
//! This file is the protocol, with no I/O: what counts as a line's text,
//! and what the reply to it is. [`server`] and [`client`] move the bytes.
//!
//! Lesson: `lessons/05-echo.md`.

pub mod client;
pub mod server;

pub use crate::python::strip as trim;

// ANCHOR: protocol

/// Appends the reply to `line` from the thread called `thread`:
/// `Thread-1: HELLO\n`. Only ASCII letters change case: other bytes,
/// UTF-8 or not, pass through untouched, as in Python 2's `str.upper()`.
pub fn write_reply(out: &mut Vec<u8>, thread: &str, line: &[u8]) {
    out.extend_from_slice(thread.as_bytes());
    out.extend_from_slice(b": ");
    out.extend(line.iter().map(u8::to_ascii_uppercase));
    out.push(b'\n');
}
// ANCHOR_END: protocol

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_names_the_thread_and_uppercases_ascii_only() {
        let mut out = Vec::new();
        // "é" is two UTF-8 bytes; 0xff is not UTF-8 at all.
        write_reply(&mut out, "Thread-2", b"cmde 1 \xc3\xa9a\xff");
        assert_eq!(out, b"Thread-2: CMDE 1 \xc3\xa9A\xff\n");
    }
}

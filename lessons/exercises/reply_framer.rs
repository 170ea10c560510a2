//! Lesson 5, exercise 1: where a reply ends, framed or guessed.
//!
//! `Replies` is what `echo-client` does to find its replies, without the
//! sockets. It is handed each read's bytes (`push`), and told when the
//! server has been quiet for a while (`silence`). A newline ends a reply.
//! A server that never sends one (the Python original) leaves only the
//! silence to end a reply. But once the server has sent a newline, it is
//! trusted to end every reply with one, and a silence ends nothing: the
//! rest of the reply is on its way.
//!
//! The starting code takes each read for one reply, as the original's
//! single `recv(1000)` does. Make it right (you may use
//! `inet::line::find_line_end` and `strip_terminator`).
//!
//! Check it with `cargo test --test inet -- --ignored reply_framer`:
//! the check fails until the replies are right. An answer is in
//! `lessons/answers/reply_framer.rs`.

/// Finds the replies in what a server sends.
#[derive(Debug, Default)]
pub struct Replies {}

impl Replies {
    /// No reply yet, and no newline seen.
    pub fn new() -> Replies {
        Replies::default()
    }

    /// Takes the bytes of one read, and returns the replies they end, in
    /// order, without their terminators (`\n` or `\r\n`).
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Vec<u8>> {
        // One read, one reply.
        vec![bytes.to_vec()]
    }

    /// The server has been quiet for a while: returns the reply this
    /// silence ends, if any.
    pub fn silence(&mut self) -> Option<Vec<u8>> {
        None
    }
}

//! An answer to lesson 5's exercise 1: where a reply ends, framed or
//! guessed. The bytes of an unfinished reply wait in `pending`; a newline
//! ends a reply, and a silence does too until the server has sent one.

use std::mem;

use inet::line::{find_line_end, strip_terminator};

// ANCHOR: reply_framer
/// Finds the replies in what a server sends.
#[derive(Debug, Default)]
pub struct Replies {
    /// The bytes of a reply not yet ended.
    pending: Vec<u8>,
    /// The server has sent a newline: it frames its replies, and no
    /// silence is taken for the end of one again.
    framed: bool,
}

impl Replies {
    /// No reply yet, and no newline seen.
    pub fn new() -> Replies {
        Replies::default()
    }

    /// Takes the bytes of one read, and returns the replies they end, in
    /// order, without their terminators (`\n` or `\r\n`).
    pub fn push(&mut self, bytes: &[u8]) -> Vec<Vec<u8>> {
        self.pending.extend_from_slice(bytes);
        let mut replies = Vec::new();
        while let Some(len) = find_line_end(&self.pending) {
            let line: Vec<u8> = self.pending.drain(..len).collect();
            replies.push(strip_terminator(&line).to_vec());
            self.framed = true;
        }
        replies
    }

    /// The server has been quiet for a while: returns the reply this
    /// silence ends, if any.
    pub fn silence(&mut self) -> Option<Vec<u8>> {
        if self.framed || self.pending.is_empty() {
            return None;
        }
        Some(mem::take(&mut self.pending))
    }
}
// ANCHOR_END: reply_framer

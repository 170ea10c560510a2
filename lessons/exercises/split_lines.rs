//! Lesson 0, exercise 1: the lines of a stream that arrives in pieces.
//!
//! A TCP read returns whatever has arrived: part of a line, a line, or
//! several. `SplitLines` is handed the bytes of each read, in order, and
//! must give the lines they complete, each without its terminator
//! (`\r\n` or `\n`), however the stream was split. It holds no line
//! longer than `max_len` bytes, its terminator included.
//!
//! The starting code takes each read for one line, as the chapter's echo
//! client takes each `recv` for one reply. Make it right (you may use
//! `inet::line::find_line_end` and `strip_terminator`).
//!
//! Check it with `cargo test --test inet -- --ignored split_lines`:
//! the check fails until the lines are right. An answer is in
//! `lessons/answers/split_lines.rs`.

use inet::line::strip_terminator;

/// A line longer than the limit: the stream can't be read further.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooLong;

/// Finds the lines in the bytes of successive reads.
#[derive(Debug)]
pub struct SplitLines {
    max_len: usize,
}

impl SplitLines {
    /// Lines of at most `max_len` bytes, terminator included.
    pub fn new(max_len: usize) -> SplitLines {
        SplitLines { max_len }
    }

    /// Takes the bytes of one read, and returns the lines they complete,
    /// in order, without their terminators.
    ///
    /// # Errors
    /// [`TooLong`] once a line can't fit in `max_len` bytes.
    pub fn push(&mut self, bytes: &[u8]) -> Result<Vec<Vec<u8>>, TooLong> {
        // One read, one line.
        if bytes.len() > self.max_len {
            return Err(TooLong);
        }
        Ok(vec![strip_terminator(bytes).to_vec()])
    }

    /// The stream has ended: the bytes of a line that never got its
    /// terminator, or nothing.
    pub fn finish(self) -> Vec<u8> {
        Vec::new()
    }
}

//! An answer to lesson 0's exercise 1: the lines of a stream that arrives
//! in pieces. The bytes after the last line of a read wait in `pending`
//! for the next read; a line ends only at its terminator.

use inet::line::{find_line_end, strip_terminator};

// ANCHOR: split_lines
/// A line longer than the limit: the stream can't be read further.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TooLong;

/// Finds the lines in the bytes of successive reads.
#[derive(Debug)]
pub struct SplitLines {
    max_len: usize,
    /// The start of the next line: bytes received after the last line.
    pending: Vec<u8>,
}

impl SplitLines {
    /// Lines of at most `max_len` bytes, terminator included.
    pub fn new(max_len: usize) -> SplitLines {
        let pending = Vec::new();
        SplitLines { max_len, pending }
    }

    /// Takes the bytes of one read, and returns the lines they complete,
    /// in order, without their terminators.
    ///
    /// # Errors
    /// [`TooLong`] once a line can't fit in `max_len` bytes.
    pub fn push(&mut self, bytes: &[u8]) -> Result<Vec<Vec<u8>>, TooLong> {
        self.pending.extend_from_slice(bytes);
        let mut lines = Vec::new();
        let mut start = 0;
        while let Some(len) = find_line_end(&self.pending[start..]) {
            if len > self.max_len {
                return Err(TooLong);
            }
            let line = &self.pending[start..start + len];
            lines.push(strip_terminator(line).to_vec());
            start += len;
        }
        self.pending.drain(..start);
        // No terminator yet, and no room left for one.
        if self.pending.len() >= self.max_len {
            return Err(TooLong);
        }
        Ok(lines)
    }

    /// The stream has ended: the bytes of a line that never got its
    /// terminator, or nothing.
    pub fn finish(self) -> Vec<u8> {
        self.pending
    }
}
// ANCHOR_END: split_lines

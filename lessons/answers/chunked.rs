//! An answer to lesson 2's exercise 3: a decoder for HTTP/1.1's chunked
//! body (RFC 9112 §7.1), a pure state machine like `BodyFramer`.
//!
//! A chunked body is a series of chunks, each a size line in hex (maybe
//! with `;extensions`), CRLF, that many bytes of data, CRLF; then a last
//! chunk of size 0, trailer lines, and an empty line:
//!
//! ```text
//! 4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n      body: "Wikipedia"
//! ```
//!
//! Fed the input in pieces of any size, it gives the same body. It holds
//! at most one line, of at most `max_line` bytes, and parses the size with
//! checked arithmetic: a size that would overflow is refused, not wrapped
//! (RUSTSEC-2021-0079 was that bug in a chunk decoder).

// ANCHOR: decoder
/// Why a chunked body is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChunkError {
    /// A size or trailer line longer than the decoder's limit.
    LineTooLong,
    /// A size that is not hex digits, or does not fit in 64 bits.
    BadSize,
    /// A chunk's data not followed by CRLF, or a line not ending in one.
    MissingCrlf,
}

/// What the decoder expects next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    SizeLine,
    /// Data bytes still to come in this chunk.
    Data(u64),
    /// The CRLF after a chunk's data.
    DataEnd,
    /// Trailer lines, until an empty one.
    Trailer,
    Done,
}

/// Decodes a chunked body as it arrives.
#[derive(Debug)]
pub struct ChunkDecoder {
    state: State,
    /// The line read so far, across calls.
    line: Vec<u8>,
    max_line: usize,
}

impl ChunkDecoder {
    /// A decoder that refuses a line (size, trailer) longer than
    /// `max_line` bytes, its CRLF included.
    pub fn new(max_line: usize) -> ChunkDecoder {
        ChunkDecoder {
            state: State::SizeLine,
            line: Vec::new(),
            max_line,
        }
    }

    /// Decodes what it can of `input`, appending the body's bytes to
    /// `body`, and returns how many bytes of `input` it used: all of them
    /// until the body ends, and none after its end.
    ///
    /// # Errors
    /// A line too long, a bad size, a missing CRLF.
    pub fn push(
        &mut self,
        input: &[u8],
        body: &mut Vec<u8>,
    ) -> Result<usize, ChunkError> {
        let mut used = 0;
        while used < input.len() && !self.is_done() {
            let rest = &input[used..];
            used += match self.state {
                State::Data(left) => self.data(rest, left, body),
                _ => self.line_part(rest)?,
            };
        }
        Ok(used)
    }

    /// True once the last chunk and the trailer have arrived.
    pub fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// Copies up to `left` bytes of chunk data; returns how many.
    fn data(&mut self, rest: &[u8], left: u64, body: &mut Vec<u8>) -> usize {
        let n = usize::try_from(left).map_or(rest.len(), |l| l.min(rest.len()));
        body.extend_from_slice(&rest[..n]);
        let left = left - n as u64;
        self.state = if left == 0 {
            State::DataEnd
        } else {
            State::Data(left)
        };
        n
    }

    /// Adds bytes of `rest` to the current line, up to its line feed, and
    /// handles the line once it is whole; returns how many bytes it took.
    fn line_part(&mut self, rest: &[u8]) -> Result<usize, ChunkError> {
        let end = rest.iter().position(|&b| b == b'\n');
        let n = end.map_or(rest.len(), |i| i + 1);
        if self.line.len() + n > self.max_line {
            return Err(ChunkError::LineTooLong);
        }
        self.line.extend_from_slice(&rest[..n]);
        if end.is_some() {
            let line = std::mem::take(&mut self.line);
            let text =
                line.strip_suffix(b"\r\n").ok_or(ChunkError::MissingCrlf)?;
            self.state = self.after_line(text)?;
        }
        Ok(n)
    }

    /// The state after a whole line, without its CRLF.
    fn after_line(&self, text: &[u8]) -> Result<State, ChunkError> {
        Ok(match self.state {
            State::SizeLine => match chunk_size(text)? {
                0 => State::Trailer,
                size => State::Data(size),
            },
            State::DataEnd if text.is_empty() => State::SizeLine,
            State::DataEnd => return Err(ChunkError::MissingCrlf),
            State::Trailer if text.is_empty() => State::Done,
            // A trailer field: read and dropped.
            state => state,
        })
    }
}

/// The size on a size line: hex digits, then maybe white space and
/// `;extensions`, which we ignore (RFC 9112 §7.1.1).
fn chunk_size(line: &[u8]) -> Result<u64, ChunkError> {
    let digits = line.split(|&b| b == b';').next().unwrap_or_default();
    let digits = digits.trim_ascii_end();
    if digits.is_empty() {
        return Err(ChunkError::BadSize);
    }
    digits.iter().try_fold(0u64, |size, &b| {
        let digit = char::from(b).to_digit(16).ok_or(ChunkError::BadSize)?;
        let size = size.checked_mul(16).ok_or(ChunkError::BadSize)?;
        size.checked_add(u64::from(digit))
            .ok_or(ChunkError::BadSize)
    })
}
// ANCHOR_END: decoder

//! Lesson 2, exercise 3: a decoder for HTTP/1.1's chunked body (RFC 9112
//! §7.1), a pure state machine like `BodyFramer`.
//!
//! A chunked body is a series of chunks, each a size line in hex (maybe
//! with `;extensions`), CRLF, that many bytes of data, CRLF; then a last
//! chunk of size 0, trailer lines, and an empty line:
//!
//! ```text
//! 4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n      body: "Wikipedia"
//! ```
//!
//! Write `push` and `is_done` (and the fields they need). Fed the input in
//! pieces of any size, the decoder must give the same body; it must hold
//! no line longer than `max_line` bytes, and refuse a size that does not
//! fit in 64 bits rather than let it wrap.
//!
//! Check it with `cargo test --test inet -- --ignored chunked`: the
//! check fails until the decoder is right. An answer is in
//! `lessons/answers/chunked.rs`.
// Until it is written, the skeleton uses none of these.
#![allow(dead_code, unused_variables, clippy::ptr_arg)]

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

/// Decodes a chunked body as it arrives.
#[derive(Debug)]
pub struct ChunkDecoder {
    max_line: usize,
}

impl ChunkDecoder {
    /// A decoder that refuses a line (size, trailer) longer than
    /// `max_line` bytes, its CRLF included.
    pub fn new(max_line: usize) -> ChunkDecoder {
        ChunkDecoder { max_line }
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
        todo!("decode the chunks in `input`")
    }

    /// True once the last chunk and the trailer have arrived.
    pub fn is_done(&self) -> bool {
        todo!("say whether the body has ended")
    }
}

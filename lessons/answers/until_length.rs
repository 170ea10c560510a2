//! Lesson 2, exercise 1, an answer: the minimal port's loop, framed.
//! The head is read up to its empty line, then the body is counted down
//! from its `Content-Length`, if it has one.

use std::io::{self, Read};

/// Why a response could not be read whole.
#[derive(Debug)]
pub enum ReadError {
    /// The connection failed.
    Io(io::Error),
    /// No empty line in the first `max_head` bytes.
    HeadTooLarge,
    /// A `Content-Length` that is not a number.
    BadLength,
    /// The server closed before the end of the head.
    IncompleteHead,
    /// The server closed before `Content-Length` bytes of body.
    Truncated {
        /// Body bytes received.
        got: u64,
        /// The `Content-Length`.
        expected: u64,
    },
}

// ANCHOR: until_length
/// Reads one response from `server`: its head and body, as received.
///
/// # Errors
/// Any [`ReadError`].
pub fn read_response(
    server: &mut impl Read,
    max_head: usize,
) -> Result<Vec<u8>, ReadError> {
    let mut response = Vec::new();
    let mut buffer = [0; 1000];
    // The head: until an empty line, within `max_head` bytes.
    let head_len = loop {
        if let Some(len) = head_end(&response) {
            break len;
        }
        if response.len() >= max_head {
            return Err(ReadError::HeadTooLarge);
        }
        let n = server.read(&mut buffer).map_err(ReadError::Io)?;
        if n == 0 {
            return Err(ReadError::IncompleteHead);
        }
        response.extend_from_slice(&buffer[..n]);
    };
    if head_len > max_head {
        return Err(ReadError::HeadTooLarge);
    }
    let Some(expected) = content_length(&response[..head_len])? else {
        // No length: the body ends when the server closes.
        server.read_to_end(&mut response).map_err(ReadError::Io)?;
        return Ok(response);
    };
    // Bytes past the length, read with the head, are not the body's.
    let body_len = |response: &Vec<u8>| (response.len() - head_len) as u64;
    response.truncate(head_len + body_len(&response).min(expected) as usize);
    while body_len(&response) < expected {
        let left = expected - body_len(&response);
        let want = left.min(buffer.len() as u64) as usize;
        let n = server.read(&mut buffer[..want]).map_err(ReadError::Io)?;
        if n == 0 {
            let got = body_len(&response);
            return Err(ReadError::Truncated { got, expected });
        }
        response.extend_from_slice(&buffer[..n]);
    }
    Ok(response)
}

/// The length of the head, its empty line included, once it is whole.
/// A line ends at a LF, with or without a CR before it.
fn head_end(bytes: &[u8]) -> Option<usize> {
    let mut start = 0;
    for (i, &byte) in bytes.iter().enumerate() {
        if byte == b'\n' {
            if matches!(&bytes[start..i], b"" | b"\r") {
                return Some(i + 1);
            }
            start = i + 1;
        }
    }
    None
}

/// The value of the head's `Content-Length`, if it has one.
fn content_length(head: &[u8]) -> Result<Option<u64>, ReadError> {
    for line in head.split(|&b| b == b'\n') {
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            continue;
        };
        let (name, value) = (&line[..colon], &line[colon + 1..]);
        if name.eq_ignore_ascii_case(b"content-length") {
            let digits = value.trim_ascii();
            if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
                return Err(ReadError::BadLength);
            }
            let text = std::str::from_utf8(digits).expect("ASCII digits");
            return text.parse().map(Some).map_err(|_| ReadError::BadLength);
        }
    }
    Ok(None)
}
// ANCHOR_END: until_length

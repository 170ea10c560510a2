//! Lesson 2, exercise 1: the minimal port's loop, framed. The minimal
//! port (`examples/inet_02_web_client.rs`) reads until the server closes:
//! a server that keeps the connection open holds it forever, and a reply
//! cut short is saved as a success.
//!
//! Write `read_response` so that it reads the head, up to the empty line
//! that ends it, then the body: `Content-Length` bytes when the head has
//! that header (any case: `content-length` too), and not a byte more; else
//! everything until the server closes. It must refuse a head larger than
//! `max_head` bytes without waiting for its end, and a body shorter than
//! its `Content-Length`.
//!
//! The starting code below is the minimal port's loop. Check yours with
//! `cargo test --test inet -- --ignored until_length`: the check
//! fails until `read_response` is right. An answer is in
//! `lessons/answers/until_length.rs`.
// Until it is written, the skeleton uses none of these.
#![allow(dead_code, unused_variables)]

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
    loop {
        let n = server.read(&mut buffer).map_err(ReadError::Io)?;
        if n == 0 {
            break;
        }
        response.extend_from_slice(&buffer[..n]);
    }
    Ok(response)
}

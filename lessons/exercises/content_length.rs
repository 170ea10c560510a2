//! Lesson 2, exercise 2: the length of a body, from a stranger.
//!
//! A response may carry `Content-Length` more than once, and one header
//! may hold a list (`Content-Length: 5, 5`). RFC 9110 §8.6 lets a client
//! take a list of equal lengths as that length; lengths that differ leave
//! the end of the body ambiguous, and must be refused. A length is digits
//! and nothing else: no sign, no space inside, no hex; and it must fit in
//! a `u64` (never wrap around: a huge length read as a tiny one would
//! make the client read the rest as the next response).
//!
//! Write `content_length`: given the values of every `Content-Length`
//! header of a head, in order (white space around each already removed),
//! the body's length, or `None` if there was no such header.
//!
//! The starting code parses the first value with `str::parse`, as many
//! programs do. Check yours with `cargo test --test inet -- --ignored
//! content_length`: the check fails until `content_length` is right. An
//! answer is in `lessons/answers/content_length.rs`.
// Until it is written, the skeleton never refuses two lengths.
#![allow(dead_code)]

/// A `Content-Length` that can't be trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BadLength {
    /// A value that is not a number of bytes.
    NotANumber(String),
    /// Two lengths that differ.
    Conflicting(u64, u64),
}

/// The body's length, given the values of the head's `Content-Length`
/// headers.
///
/// # Errors
/// [`BadLength`] for a value that is not digits, too big for a `u64`, or
/// for two different lengths.
pub fn content_length(values: &[&[u8]]) -> Result<Option<u64>, BadLength> {
    let Some(first) = values.first() else {
        return Ok(None);
    };
    let text = String::from_utf8_lossy(first);
    let length = text
        .parse()
        .map_err(|_| BadLength::NotANumber(text.into()))?;
    Ok(Some(length))
}

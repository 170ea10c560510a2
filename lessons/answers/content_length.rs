//! Lesson 2, exercise 2, an answer: the length of a body, from a
//! stranger, checked digit by digit.

/// A `Content-Length` that can't be trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BadLength {
    /// A value that is not a number of bytes.
    NotANumber(String),
    /// Two lengths that differ.
    Conflicting(u64, u64),
}

// ANCHOR: content_length
/// The body's length, given the values of the head's `Content-Length`
/// headers.
///
/// # Errors
/// [`BadLength`] for a value that is not digits, too big for a `u64`, or
/// for two different lengths.
pub fn content_length(values: &[&[u8]]) -> Result<Option<u64>, BadLength> {
    let mut length = None;
    for value in values {
        // `5, 5` is one header holding the same length twice.
        for item in value.split(|&b| b == b',') {
            let n = parse_length(item.trim_ascii())?;
            match length {
                Some(seen) if seen != n => {
                    return Err(BadLength::Conflicting(seen, n));
                }
                _ => length = Some(n),
            }
        }
    }
    Ok(length)
}

/// Digits only (`str::parse` would take `+5`), checked for overflow.
fn parse_length(digits: &[u8]) -> Result<u64, BadLength> {
    let bad = || BadLength::NotANumber(String::from_utf8_lossy(digits).into());
    if digits.is_empty() {
        return Err(bad());
    }
    digits.iter().try_fold(0u64, |n, &b| {
        let digit = char::from(b).to_digit(10).ok_or_else(bad)?;
        let n = n.checked_mul(10).ok_or_else(bad)?;
        n.checked_add(u64::from(digit)).ok_or_else(bad)
    })
}
// ANCHOR_END: content_length

//! Lesson 3, exercise 2: the message as it goes after the server's `354`.
//!
//! Three changes, in this order (RFC 5321 §4.1.1.4, §4.5.2):
//!
//! 1. every line end becomes `\r\n`: a `\r\n`, a `\n` or a lone `\r`
//!    each ends a line;
//! 2. a line that starts with `.` gets a second one in front (the server
//!    removes it);
//! 3. the message ends with a line that is a single dot, `.\r\n`. A last
//!    line without a line end gets one first; an empty message is just
//!    `.\r\n`.
//!
//! ```text
//! b"Subject: x\n\n.a dot\n"   ->   b"Subject: x\r\n\r\n..a dot\r\n.\r\n"
//! ```
//!
//! The starting code does what the minimal port does: the message as it
//! is, then `\r\n.\r\n`. Make it right.
//!
//! Check it with `cargo test --test inet -- --ignored data_lines`:
//! the check decodes what you send the way a server does. An answer is in
//! `lessons/answers/data_lines.rs`.

/// The bytes to send after `354` for `message`, final dot included.
pub fn data(message: &[u8]) -> Vec<u8> {
    [message, b"\r\n.\r\n"].concat()
}

//! An answer to lesson 6's exercise 2: a typed line is `bye` once
//! stripped as Python strips it; any other line goes out with its line
//! end, whatever it was, replaced by one CRLF.

use inet::line::strip_terminator;
use inet::python::strip;

/// What a typed line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Typed {
    /// End the session.
    Bye,
    /// Send these bytes to the client.
    Send(Vec<u8>),
}

// ANCHOR: keyboard_line
/// What to do with `typed`, a line as typed, line end included.
pub fn keyboard_line(typed: &[u8]) -> Typed {
    if strip(typed) == b"bye" {
        return Typed::Bye;
    }
    // `\n` or `\r\n` (or nothing) off, then one `\r\n` on.
    Typed::Send([strip_terminator(typed), b"\r\n"].concat())
}
// ANCHOR_END: keyboard_line

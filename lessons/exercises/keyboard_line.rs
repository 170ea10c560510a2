//! Lesson 6, exercise 2: what to do with a line typed at the keyboard,
//! for a server that always ends its lines with CRLF, as HTTP and SMTP
//! want, whatever the keyboard (or a file piped in) ends them with.
//!
//! `keyboard_line` gets a line as typed, with its line end (`\n`, `\r\n`,
//! or none for the last line of a file). It returns:
//!
//! - [`Typed::Bye`] for `bye` with any spaces, tabs or `\r` around it, as
//!   `tcp-server` trims it (`bye\r\n` is `bye`; `bye now` is not);
//! - [`Typed::Send`] otherwise: the line's bytes, as typed, ended by
//!   exactly one `\r\n` in place of its line end. Bytes that are not
//!   UTF-8 go through unchanged.
//!
//! The starting code is the minimal port's rule: only exactly `bye` ends
//! the session, and each line goes out with `\n` after what `raw_input`
//! kept.
//!
//! Check it with `cargo test --test inet -- --ignored keyboard_line`.
//! An answer is in `lessons/answers/keyboard_line.rs`.

/// What a typed line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Typed {
    /// End the session.
    Bye,
    /// Send these bytes to the client.
    Send(Vec<u8>),
}

/// What to do with `typed`, a line as typed, line end included.
pub fn keyboard_line(typed: &[u8]) -> Typed {
    let text = typed.strip_suffix(b"\n").unwrap_or(typed);
    if text == b"bye" {
        return Typed::Bye;
    }
    Typed::Send([text, b"\n"].concat())
}

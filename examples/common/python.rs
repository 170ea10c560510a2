//! Two things the originals take from Python, for the minimal ports that
//! read the keyboard or a port number. Each uses a part of it.
#![allow(dead_code)]

use std::io::{self, Write};

/// Python's `raw_input`: prints `prompt`, reads a line, and returns it
/// without its newline; at the end of the input, an error (Python's
/// EOFError, which ends the originals with a traceback).
pub fn raw_input(prompt: &str) -> io::Result<String> {
    print!("{prompt}");
    io::stdout().flush()?;
    let mut line = String::new();
    if io::stdin().read_line(&mut line)? == 0 {
        let eof = io::ErrorKind::UnexpectedEof;
        return Err(io::Error::new(eof, "EOFError: EOF when reading a line"));
    }
    Ok(line.strip_suffix('\n').unwrap_or(&line).to_string())
}

/// `re.match(r"^\s*\d+\s*$", text)`, the originals' port check: digits,
/// blanks around them.
pub fn is_number(text: &str) -> bool {
    let digits = text.trim();
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

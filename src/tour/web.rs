//! Chapter 2: a web client (inet_02). To be written with the HTTP chapter.

use std::io::{self, Write};

/// Writes the chapter to `out` (nothing yet).
pub(super) fn chapter(_out: &mut impl Write) -> io::Result<()> {
    Ok(())
}

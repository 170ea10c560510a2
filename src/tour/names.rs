//! Chapter 1: names and addresses (inet_01). To be written with the DNS chapter.

use std::io::{self, Write};

/// Writes the chapter to `out` (nothing yet).
pub(super) fn chapter(_out: &mut impl Write) -> io::Result<()> {
    Ok(())
}

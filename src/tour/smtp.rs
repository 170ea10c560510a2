//! Chapters 3 and 4: SMTP by hand (inet_03) and through a library (inet_04). To be written with the SMTP chapter.

use std::io::{self, Write};

/// Writes the chapter to `out` (nothing yet).
pub(super) fn chapters(_out: &mut impl Write) -> io::Result<()> {
    Ok(())
}

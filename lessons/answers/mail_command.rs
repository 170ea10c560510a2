//! An answer to lesson 3's exercise 3: a MAIL command whose argument is
//! checked before it is written.

/// RFC 5321 §4.5.3.1.3: a path, `<` and `>` included, is at most 256
/// octets.
const MAX_PATH: usize = 256;

// ANCHOR: mail_command
/// Why a command was not written, in words.
pub type Refused = String;

/// The MAIL command for `sender` (an address without brackets), CRLF
/// included.
///
/// # Errors
/// A sender that could smuggle something into the session, or too long.
pub fn mail_from(sender: &str) -> Result<Vec<u8>, Refused> {
    if sender.contains(['\r', '\n', '\0']) {
        return Err(format!("{sender:?}: a line break or NUL"));
    }
    if !sender.is_ascii() {
        return Err(format!("{sender:?}: not ASCII (SMTPUTF8 is not spoken)"));
    }
    let path = format!("<{sender}>");
    if path.len() > MAX_PATH {
        return Err(format!(
            "a path of {} octets, over {MAX_PATH}",
            path.len()
        ));
    }
    Ok(format!("MAIL FROM:{path}\r\n").into_bytes())
}
// ANCHOR_END: mail_command

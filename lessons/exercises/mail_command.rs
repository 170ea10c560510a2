//! Lesson 3, exercise 3: a MAIL command that can't carry a second one.
//!
//! A command is one line, and only its line end frames it. A sender
//! taken from a file or a web form as it is,
//!
//! ```text
//! me@x.test>\r\nRCPT TO:<victim@y.test
//! ```
//!
//! would make `MAIL FROM:<me@x.test>` and then a RCPT command of the
//! sender's choosing. So `mail_from` must refuse, before anything is
//! sent, a sender that holds CR, LF or NUL, and one beyond ASCII (such an
//! address needs SMTPUTF8, RFC 6531). The path, the sender in angle
//! brackets, is at most 256 octets (RFC 5321 §4.5.3.1.3). And there is no
//! space after the colon (§4.1.1.2): `MAIL FROM:<me@x.test>\r\n`. An
//! empty sender is the null path, `MAIL FROM:<>\r\n`.
//!
//! The starting code writes the minimal port's command. Make it right.
//!
//! Check it with `cargo test --test inet -- --ignored mail_command`.
//! An answer is in `lessons/answers/mail_command.rs`.

/// Why a command was not written, in words.
pub type Refused = String;

/// The MAIL command for `sender` (an address without brackets), CRLF
/// included.
///
/// # Errors
/// A sender that could smuggle something into the session, or too long.
pub fn mail_from(sender: &str) -> Result<Vec<u8>, Refused> {
    Ok(format!("MAIL FROM: <{sender}>\r\n").into_bytes())
}

//! The steps of an SMTP session, so a failure can say where it happened
//! and a program can exit with a status for each.

use std::fmt;

/// One step of the exchange, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Opening the TCP connection.
    Connect,
    /// Waiting for the server's `220` greeting.
    Greeting,
    /// EHLO, or HELO when EHLO is refused.
    Hello,
    /// `MAIL FROM`.
    Mail,
    /// `RCPT TO`.
    Rcpt,
    /// The `DATA` command itself, answered by `354`.
    Data,
    /// The message and its final dot, answered by `250` once the server
    /// has taken responsibility for the message.
    FinalDot,
    /// `RSET`.
    Rset,
    /// `NOOP`.
    Noop,
    /// `QUIT`.
    Quit,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Step::Connect => "connecting",
            Step::Greeting => "the greeting",
            Step::Hello => "EHLO/HELO",
            Step::Mail => "MAIL FROM",
            Step::Rcpt => "RCPT TO",
            Step::Data => "DATA",
            Step::FinalDot => "the message's final dot",
            Step::Rset => "RSET",
            Step::Noop => "NOOP",
            Step::Quit => "QUIT",
        })
    }
}

/// What a failure after the final dot means: the whole message went out,
/// but no reply said what became of it (RFC 5321 §4.5.3.2.6).
pub const OUTCOME_UNKNOWN: &str =
    "the server may or may not have accepted the message";

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

/// What a 4xx refusal means to the user (RFC 5321 §4.2.1).
pub const TRANSIENT: &str = "temporary failure (try again later)";

// ANCHOR: exit_status
/// Exit statuses of `smtp-raw` and `smtp-send`: 0 means the server
/// accepted the message; each failing step has its own.
pub mod exit {
    /// Wrong command line (as every program here).
    pub const USAGE: u8 = 1;
    /// The message file is missing, unreadable or malformed; nothing was
    /// sent, no connection made.
    pub const BAD_FILE: u8 = 2;
    /// The TCP connection failed (as every program here).
    pub const CONNECT: u8 = 3;
    /// No greeting, or not a `220` one.
    pub const GREETING: u8 = 4;
    /// EHLO (and HELO) refused.
    pub const HELLO: u8 = 5;
    /// `MAIL FROM` refused.
    pub const MAIL: u8 = 6;
    /// `RCPT TO` refused.
    pub const RCPT: u8 = 7;
    /// `DATA` refused.
    pub const DATA: u8 = 8;
    /// The message was refused after its final dot.
    pub const REFUSED: u8 = 9;
    /// No reply after the final dot (closed, timed out, garbled): the
    /// message may or may not have been accepted. Don't resend blindly.
    pub const UNKNOWN: u8 = 10;

    /// The `exit status:` paragraph of both programs' `--help`.
    pub const HELP: &str = "\
exit status: 0 the server accepted the message (a failed QUIT after that
is only a warning); 1 wrong arguments; 2 bad message file (nothing sent);
3 cannot connect; 4 greeting; 5 EHLO/HELO; 6 MAIL FROM; 7 RCPT TO;
8 DATA; 9 message refused after the final dot; 10 no reply after the
final dot: the message may or may not have been accepted";
}
// ANCHOR_END: exit_status

impl Step {
    /// The exit status for a failure at this step ([`exit`]). QUIT, RSET
    /// and NOOP are not steps of sending a message: `None`.
    pub fn exit_status(self) -> Option<u8> {
        match self {
            Step::Connect => Some(exit::CONNECT),
            Step::Greeting => Some(exit::GREETING),
            Step::Hello => Some(exit::HELLO),
            Step::Mail => Some(exit::MAIL),
            Step::Rcpt => Some(exit::RCPT),
            Step::Data => Some(exit::DATA),
            Step::FinalDot => Some(exit::REFUSED),
            Step::Rset | Step::Noop | Step::Quit => None,
        }
    }
}

//! SMTP through a library (inet_04): what `smtp-send` does with the
//! client, [`Client`], the smtplib analogue.
//!
//! inet_04 hands the whole exchange to smtplib: `SMTP(server)`, then
//! `sendmail(sender, recipient, message)` and `quit()`. So does this.
//! The client reports (an error value, debug lines to the writer given
//! it); this program prints the result line and picks the exit status.
//!
//! The tour runs this same file (`bin/tour/smtp.rs` includes it).

use std::io::Write;
use std::time::Duration;

use inet::smtp::client::{Client, Error};
use inet::smtp::mailfile::Envelope;

// The message file and the program's exit statuses, which the tour
// shares by including `mail_args.rs` beside this file as the program
// does.
use super::mail_args::{Message, TRANSIENT, exit, exit_status, sending_line};

// ANCHOR: send
/// Sends the message (`mail`, then `message`) through a [`Client`],
/// prints the result line on `out`, and returns the exit status (0: the
/// server accepted the message). `debug` receives smtplib's debug
/// lines, if given.
pub fn run(
    mail: &Envelope,
    message: Message,
    timeout: Duration,
    debug: Option<Box<dyn Write + Send>>,
    mut out: impl Write,
) -> u8 {
    let _ = writeln!(out, "{}", sending_line(mail));
    let (server, port) = (&mail.server, mail.port);
    let mut client =
        match Client::connect_with_debug(server, port, timeout, debug) {
            Ok(client) => client,
            Err(e) => return report(&mut out, &e),
        };
    let to = [mail.recipient.as_str()];
    let (sender, size) = (&mail.sender, message.size);
    match client.sendmail_from_reader(sender, &to, message.reader, size) {
        // One recipient, so no refused ones if it succeeded.
        Ok(_) => {
            // The message is the server's now: a failed QUIT can't
            // change that, so it is only a warning.
            if let Err(e) = client.quit() {
                let _ = writeln!(out, "Warning: QUIT failed: {e}");
            }
            let _ = writeln!(out, "Result: message sent");
            0
        }
        Err(e) => {
            if client.is_connected() {
                let _ = client.quit();
            }
            report(&mut out, &e)
        }
    }
}
// ANCHOR_END: send

// ANCHOR: report
/// Prints the result line for `e`; returns the exit status.
fn report(out: &mut impl Write, e: &Error) -> u8 {
    let text = if e.outcome_unknown() {
        format!("outcome unknown: {e}")
    } else if e.is_transient() {
        format!("not sent, {TRANSIENT}: {e}")
    } else {
        format!("not sent: {e}")
    };
    let _ = writeln!(out, "Result: {text}");
    status(e)
}

/// The exit status for `e` (see [`exit`]). An error with no step of its
/// own is the message's (too long a line, no recipient): a bad file.
fn status(e: &Error) -> u8 {
    if e.outcome_unknown() {
        return exit::UNKNOWN;
    }
    e.step().and_then(exit_status).unwrap_or(exit::BAD_FILE)
}
// ANCHOR_END: report

//! inet_04.py, the minimal port: sends a mail through an SMTP library,
//! `inet::smtp::client::Client`, this project's smtplib.
//!
//! ```text
//! cargo run --example inet_04_smtp_library -- [FILE]
//! ```
//!
//! FILE (default `mail2.txt`) is inet_03's mail file; the server may say
//! `host:port` (smtplib reads the port after a colon too), 25 otherwise.
//! The library's debug lines go to stderr, as smtplib's do.
//!
//! The library does what inet_03 did by hand, and does it right: it
//! reads the greeting, reads each reply whole, dot-stuffs the message
//! and makes its line ends CRLF. What is left is the program's own
//! faults, kept here: any failure is printed as the result and the
//! program still exits 0; a bad mail file stops it with a NameError (the
//! reason is lost); no timeout (smtplib's default: wait forever). And an
//! indentation slip in the original (lines 50-53): the mail is sent only
//! when `verbose` is on, which it always is. The robust port is
//! `smtp-send` (bin/smtp_send.rs), its lesson lessons/04-smtp-library.md.

#[path = "common/mail_file.rs"]
mod mail_file;

use std::error::Error;
use std::io;
use std::time::Duration;

use inet::smtp::client::Client;
use mail_file::{Infos, infos_from_command_line};

// ANCHOR: minimal
/// `smtplib.SMTP(host)` has no timeout: it waits as long as it takes.
/// `Client` wants one; this is the longest there is.
const NO_TIMEOUT: Duration = Duration::MAX;

/// Main (lines 101-115).
fn main() -> Result<(), Box<dyn Error>> {
    let infos = infos_from_command_line()?;
    let result = send_mail(&infos, true);
    println!("Resultat de l'envoi : {result}");
    Ok(())
}

/// sendmail (lines 43-57): the `try:` and its `except Exception`.
fn send_mail(infos: &Infos, verbose: bool) -> String {
    match smtplib_send(infos, verbose) {
        Ok(()) => "Message envoye".to_string(),
        Err(error) => format!("Erreur envoi du message : {error}"),
    }
}

/// Lines 49-53, the body of the `try:`.
fn smtplib_send(infos: &Infos, verbose: bool) -> Result<(), Box<dyn Error>> {
    let (host, port) = match infos.server.rsplit_once(':') {
        Some((host, port)) => (host, port.parse::<u16>()?),
        None => (infos.server.as_str(), 25),
    };
    let mut server = Client::connect(host, port, NO_TIMEOUT)?;
    if verbose {
        // smtplib prints its debug lines on stderr; a library of ours
        // writes where the program says.
        server.set_debug_output(io::stderr());
        // Lines 52-53 are indented under `if verbose:` too: without it,
        // nothing would be sent, and "Message envoye" printed.
        let (sender, recipient) = (&infos.sender, infos.recipient.as_str());
        server.sendmail(sender, &[recipient], infos.message.as_bytes())?;
        server.quit()?;
    }
    Ok(())
}
// ANCHOR_END: minimal

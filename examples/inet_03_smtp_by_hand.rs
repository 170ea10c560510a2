//! inet_03.py, the minimal port: sends a mail by speaking SMTP by hand,
//! printing each command (`-->`) and what came back (`<--`).
//!
//! ```text
//! cargo run --example inet_03_smtp_by_hand -- [FILE]
//! ```
//!
//! FILE (default `mail2.txt`, as in the original) holds the line
//! `server, sender, recipient`, then the message. The server may say
//! `host:port`; the port is 25 otherwise, as in the original.
//!
//! Bugs and all, as in the original: the greeting is never read, so each
//! reply is read one command late; each reply is one `read` of at most
//! 1000 bytes, whatever that returns (part of a reply, or two); only a
//! code of 500 or more stops it, and a reply that does not start with a
//! number ends it with an error (Python's `int()` raises); the message
//! goes out as the file has it: its line ends unchanged (bare LFs from a
//! Unix file) and no dot-stuffing (a line `.` ends it early); no timeout
//! anywhere. The robust port is `smtp-raw` (bin/smtp_raw.rs), its lesson
//! lessons/03-smtp-by-hand.md.

#[path = "common/mail_file.rs"]
mod mail_file;

use std::error::Error;
use std::io::{Read, Write};
use std::net::TcpStream;

use mail_file::{Infos, infos_from_command_line};

/// Main (lines 194-208). What the original does not catch (a socket
/// error midway, `int()` of a reply that is no number) ends it with a
/// traceback; `?` returns it from main (exit status 1 either way).
fn main() -> Result<(), Box<dyn Error>> {
    let infos = infos_from_command_line()?;
    let result = send_mail(&infos, true)?;
    println!("Resultat de l'envoi : {result}");
    Ok(())
}

/// sendmail (lines 44-109): the whole exchange. Ok with the result to
/// print: "Message envoye", or what went wrong.
fn send_mail(infos: &Infos, verbose: bool) -> Result<String, Box<dyn Error>> {
    let Infos {
        server,
        sender,
        recipient,
        message,
    } = infos;
    // Line 50 asks the resolver for the name of localhost's address:
    // std has no reverse lookup (see inet_01_names.rs), and the answer
    // is `localhost` on a usual machine.
    let client = "localhost";
    let (host, port) = match server.rsplit_once(':') {
        Some((host, port)) => (host, port.parse::<u16>()?),
        None => (server.as_str(), 25),
    };
    // Lines 55-58.
    let mut connection = match TcpStream::connect((host, port)) {
        Ok(connection) => connection,
        Err(error) => {
            return Ok(format!(
                "Echec de la connexion au site ({host},{port}) : {error}"
            ));
        }
    };
    // ANCHOR: commands
    // Lines 96 and 98: the message as it is, then CRLF, dot, CRLF.
    let data =
        format!("From: {sender}\r\nTo: {recipient}\r\n{message}\r\n.\r\n");
    // Lines 65-106, in order; `true` adds CRLF to the command.
    let commands = [
        // "Reads the welcome message" (line 65), but an empty command
        // sends nothing and reads nothing: the greeting stays unread.
        (String::new(), true),
        (format!("EHLO {client}"), true),
        (format!("MAIL FROM: <{sender}>"), true),
        (format!("RCPT TO: <{recipient}>"), true),
        ("DATA".to_string(), true),
        (data, false),
        ("QUIT".to_string(), true),
    ];
    for (command, with_crlf) in commands {
        if let Some(error) =
            send_command(&mut connection, &command, verbose, with_crlf)?
        {
            return Ok(error); // the connection closes when dropped
        }
    }
    Ok("Message envoye".to_string())
}
// ANCHOR_END: commands

// ANCHOR: send_command
/// sendCommand (lines 112-136): sends `command`, reads one reply, and
/// returns its text if its code is 500 or more. An empty command does
/// nothing.
fn send_command(
    connection: &mut TcpStream,
    command: &str,
    verbose: bool,
    with_crlf: bool,
) -> Result<Option<String>, Box<dyn Error>> {
    if command.is_empty() {
        return Ok(None);
    }
    let crlf = if with_crlf { "\r\n" } else { "" };
    connection.write_all(format!("{command}{crlf}").as_bytes())?;
    if verbose {
        show(command.as_bytes(), 1);
    }
    // Line 126: one read of at most 1000 bytes, a "reply": whatever has
    // arrived by now. Nothing at all (the server closed) is a reply too.
    let mut buffer = [0; 1000];
    let n = connection.read(&mut buffer)?;
    let reply = &buffer[..n];
    if verbose {
        show(reply, 2);
    }
    // Lines 131-134: the first three bytes as a number, `int()` style.
    let error_code = String::from_utf8_lossy(&reply[..n.min(3)]);
    let code: i32 = error_code.trim().parse().map_err(|_| {
        let literal = "invalid literal for int() with base 10";
        format!("ValueError: {literal}: '{error_code}'")
    })?;
    if code >= 500 {
        let text = String::from_utf8_lossy(&reply[n.min(4)..]);
        return Ok(Some(text.into_owned()));
    }
    Ok(None)
}
// ANCHOR_END: send_command

/// affiche (lines 139-149): `--> [command]`, or `<-- [reply]` without
/// its last two bytes (meant to be its CRLF).
fn show(exchange: &[u8], direction: u8) {
    if direction == 1 {
        println!("--> [{}]", String::from_utf8_lossy(exchange));
    } else {
        let shown = &exchange[..exchange.len().saturating_sub(2)];
        println!("<-- [{}]", String::from_utf8_lossy(shown));
    }
}

//! `smtp-send [--timeout SECS] [--debug] [FILE]`: the chapter's SMTP
//! client through a library (inet_04).
//!
//! Reads the message file (default `mail2.txt`: first line `server[:port],
//! sender, recipient`, then the message) and sends it with
//! `inet::smtp::client::Client`, the smtplib analogue. Read
//! `lessons/04-smtp-library.md`, then `bin/smtp_send/send.rs`.

#[path = "common/cli.rs"]
mod cli;
#[path = "common/mail_args.rs"]
mod mail_args;
#[path = "smtp_send/send.rs"]
mod send;

use std::io::{self, Write};
use std::process::ExitCode;

use cli::Program;
use mail_args::Invocation;

const PROGRAM: Program = Program {
    name: "smtp-send",
    synopsis: "[--timeout SECS] [--debug] [FILE]",
    help: "\
usage: smtp-send [--timeout SECS] [--debug] [FILE]

The chapter's inet_04: sends a message through an SMTP client library
(inet::smtp::client::Client, after Python's smtplib). FILE (default
mail2.txt) starts with the line `server[:port], sender, recipient` (port
25 by default); the rest of it is the message, sent as it is, with its
line ends made CRLF and its leading dots doubled. The file is checked
before any connection is made.

options:
  --timeout SECS   wait this long to connect and for each reply (30)
  --debug          print smtplib's debug lines (send: ..., reply: ...)
                   on stderr
  -h, --help       this help
",
};

fn main() -> ExitCode {
    cli::exit_status(run())
}

fn run() -> Result<(), ExitCode> {
    let invocation = Invocation::from_args(&PROGRAM, &["--debug"], |_| {})?;
    // smtplib's debug lines go to stderr, as Python's do.
    let debug: Option<Box<dyn Write + Send>> =
        match invocation.args.flag("--debug") {
            true => Some(Box::new(io::stderr())),
            false => None,
        };
    let (mail, message) = (&invocation.mail, invocation.message);
    let (timeout, out) = (invocation.timeout, io::stdout());
    match send::run(mail, message, timeout, debug, out) {
        0 => Ok(()),
        status => Err(ExitCode::from(status)),
    }
}

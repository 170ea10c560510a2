//! `smtp-raw [--timeout SECS] [FILE]`: the chapter's SMTP client by hand
//! (inet_03).
//!
//! Reads the message file (default `mail2.txt`: first line `server[:port],
//! sender, recipient`, then the message), speaks SMTP over a socket
//! command by command, and prints the conversation as `--> [...]` and
//! `<-- [...]`. Read `lessons/03-smtp-by-hand.md`, then
//! `bin/smtp_raw/conversation.rs`.

#[path = "common/cli.rs"]
mod cli;
#[path = "smtp_raw/conversation.rs"]
mod conversation;
#[path = "common/mail_args.rs"]
mod mail_args;

use std::io;
use std::process::ExitCode;

use cli::Program;
use conversation::Headers;
use mail_args::Invocation;

const PROGRAM: Program = Program {
    name: "smtp-raw",
    synopsis: "[--timeout SECS] [FILE]",
    help: "\
usage: smtp-raw [--timeout SECS] [FILE]

The chapter's inet_03: speaks SMTP by hand over a TCP socket and prints
the conversation, `--> [command]` and `<-- [reply]`, each reply read
whole. FILE (default mail2.txt) starts with the line `server[:port],
sender, recipient` (port 25 by default); the rest of it is the message.
`From:` and `To:` header lines are added when the message has none. The
message is sent with its line ends made CRLF and its leading dots
doubled. The file is checked before any connection is made.

options:
  --timeout SECS   wait this long to connect and for each reply (30)
  -h, --help       this help
",
};

fn main() -> ExitCode {
    cli::exit_status(run())
}

fn run() -> Result<(), ExitCode> {
    let mut headers = Headers::default();
    let note = |line: &[u8]| headers.note(line);
    let invocation = Invocation::from_args(&PROGRAM, &[], note)?;
    let (mail, message) = (&invocation.mail, invocation.message);
    let (timeout, out) = (invocation.timeout, io::stdout());
    match conversation::run(mail, message, &headers, timeout, out) {
        0 => Ok(()),
        status => Err(ExitCode::from(status)),
    }
}

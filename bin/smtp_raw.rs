//! `smtp-raw [--timeout SECS] [FILE]`: the chapter's SMTP client by hand
//! (inet_03).
//!
//! Reads the message file (default `mail2.txt`: first line `server[:port],
//! sender, recipient`, then the message), speaks SMTP over a socket
//! command by command, and prints the conversation as `--> [...]` and
//! `<-- [...]`. Read `lessons/03-smtp-by-hand.md` and `src/smtp/raw.rs`.

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use inet::cli::{self, Args, Program};
use inet::smtp::mailfile::MailFile;
use inet::smtp::raw;
use inet::smtp::step::exit;

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
    let args = Args::parse(std::env::args_os().skip(1), &["timeout"])
        .map_err(|e| PROGRAM.usage(&e.0))?;
    if args.help {
        let _ = writeln!(io::stdout(), "{}\n{}", PROGRAM.help, exit::HELP);
        return Err(ExitCode::SUCCESS);
    }
    if args.positional.len() > 1 {
        let got = args.positional.len();
        return Err(
            PROGRAM.usage(&format!("expected at most 1 argument, got {got}"))
        );
    }
    let timeout = args
        .seconds("timeout", Duration::from_secs(30))
        .map_err(|e| PROGRAM.usage(&e.0))?;
    let file = args.positional.first().map_or("mail2.txt", String::as_str);
    let mail = MailFile::read(Path::new(file)).map_err(|e| {
        PROGRAM.fail(exit::BAD_FILE, &format!("message file {file}: {e}"))
    })?;
    match raw::run(&mail, timeout, io::stdout()) {
        0 => Ok(()),
        status => Err(ExitCode::from(status)),
    }
}

//! `smtp-send [--timeout SECS] [--debug] [FILE]`: the chapter's SMTP
//! client through a library (inet_04).
//!
//! Reads the message file (default `mail2.txt`: first line `server[:port],
//! sender, recipient`, then the message) and sends it with
//! `inet::smtp::Client`, the smtplib analogue. Read
//! `lessons/04-smtp-library.md` and `src/smtp/send.rs`.

use std::ffi::OsString;
use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use inet::cli::{self, Args, Program};
use inet::smtp::mailfile::MailFile;
use inet::smtp::send;
use inet::smtp::step::exit;

const PROGRAM: Program = Program {
    name: "smtp-send",
    synopsis: "[--timeout SECS] [--debug] [FILE]",
    help: "\
usage: smtp-send [--timeout SECS] [--debug] [FILE]

The chapter's inet_04: sends a message through an SMTP client library
(inet::smtp::Client, after Python's smtplib). FILE (default mail2.txt)
starts with the line `server[:port], sender, recipient` (port 25 by
default); the rest of it is the message, sent as it is, with its line
ends made CRLF and its leading dots doubled. The file is checked before
any connection is made.

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
    let (args, debug) = arguments()?;
    let timeout = args
        .seconds("timeout", Duration::from_secs(30))
        .map_err(|e| PROGRAM.usage(&e.0))?;
    let file = args.positional.first().map_or("mail2.txt", String::as_str);
    let mail = MailFile::read(Path::new(file)).map_err(|e| {
        PROGRAM.fail(exit::BAD_FILE, &format!("message file {file}: {e}"))
    })?;
    let debug: Option<Box<dyn Write + Send>> = match debug {
        true => Some(Box::new(io::stderr())),
        false => None,
    };
    match send::run(&mail, timeout, debug, io::stdout()) {
        0 => Ok(()),
        status => Err(ExitCode::from(status)),
    }
}

/// The options, the optional FILE, and the `--debug` flag (which takes
/// no value, unlike the options `cli::Args` knows).
fn arguments() -> Result<(Args, bool), ExitCode> {
    let all: Vec<OsString> = std::env::args_os().skip(1).collect();
    let debug = all.iter().any(|a| a == "--debug");
    let rest = all.into_iter().filter(|a| a != "--debug");
    let args =
        Args::parse(rest, &["timeout"]).map_err(|e| PROGRAM.usage(&e.0))?;
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
    Ok((args, debug))
}

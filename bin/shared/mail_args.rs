//! What `smtp-raw` and `smtp-send` share: their command line,
//! `[--timeout SECS] [FLAGS] [FILE]`, the message file read and checked
//! before any connection is made, and their exit statuses.
// Every program includes this file and uses a part of it.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use inet::smtp::Step;
use inet::smtp::mailfile::MailFile;

use crate::cli::{Args, Program, Syntax};

/// What `smtp-raw` and `smtp-send` take from their command line:
/// `[--timeout SECS] [FLAGS] [FILE]`.
#[derive(Debug)]
pub struct Invocation {
    /// The message file, read and checked.
    pub mail: MailFile,
    /// `--timeout` (30 s by default): to connect, and for each reply.
    pub timeout: Duration,
    /// The command line, for its flags (options without a value).
    pub args: Args,
}

/// The file the programs read when given none, as the originals do.
pub const DEFAULT_FILE: &str = "mail2.txt";

impl Invocation {
    /// Parses the command line of `program`, which knows `flags` (such
    /// as `--debug`) besides `--timeout`, and reads the file. Prints the
    /// help (with [`exit::HELP`]) or what is wrong, and returns the exit
    /// status instead: 0 for `--help`, [`exit::USAGE`], [`exit::BAD_FILE`].
    ///
    /// # Errors
    /// The exit status, once the user has been told.
    pub fn from_args(
        program: &Program,
        flags: &[&str],
    ) -> Result<Invocation, ExitCode> {
        let syntax = Syntax::at_most(1).options(&["timeout"]).flags(flags);
        let args = Args::parse(std::env::args_os().skip(1), &syntax)
            .map_err(|e| program.usage(&e.0))?;
        if args.help {
            let _ =
                writeln!(std::io::stdout(), "{}\n{}", program.help, exit::HELP);
            return Err(ExitCode::SUCCESS);
        }
        let timeout = args
            .seconds("timeout", Duration::from_secs(30))
            .map_err(|e| program.usage(&e.0))?;
        let file = args.positional.first().map_or(DEFAULT_FILE, String::as_str);
        let mail = read(Path::new(file)).map_err(|why| {
            let why = format!("message file {file}: {why}");
            program.fail(exit::BAD_FILE, &why)
        })?;
        Ok(Invocation {
            mail,
            timeout,
            args,
        })
    }

    /// Was `--flag` given?
    pub fn has(&self, flag: &str) -> bool {
        self.args.flag(flag)
    }
}

/// Reads the file at `path` and checks it; why not, in words.
fn read(path: &Path) -> Result<MailFile, String> {
    let bytes =
        std::fs::read(path).map_err(|e| format!("cannot read it: {e}"))?;
    MailFile::parse(&bytes).map_err(|e| e.to_string())
}

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

/// The exit status for a failure at `step`. QUIT, RSET and NOOP are not
/// steps of sending a message: `None`.
pub fn exit_status(step: Step) -> Option<u8> {
    match step {
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
// ANCHOR_END: exit_status

/// What a 4xx refusal means to the user (RFC 5321 §4.2.1).
pub const TRANSIENT: &str = "temporary failure (try again later)";

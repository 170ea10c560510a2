//! What `smtp-raw` and `smtp-send` share on their command line:
//! `[--timeout SECS] [FLAGS] [FILE]`, and the message file read and
//! checked before any connection is made.
// Every program includes this file and uses a part of it.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use inet::smtp::mailfile::MailFile;
use inet::smtp::step::exit;

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
        let mail = MailFile::read(Path::new(file)).map_err(|e| {
            let why = format!("message file {file}: {e}");
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

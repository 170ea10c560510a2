//! What `smtp-raw` and `smtp-send` share: their command line,
//! `[--timeout SECS] [FLAGS] [FILE]`, the message file read and checked
//! before any connection is made, and their exit statuses.
//!
//! The file is read twice, and never held whole. First to check it: a
//! regular file (a device or a pipe could feed us forever, or block),
//! no larger than [`MAX_FILE`], every line fit for SMTP. Then, from the
//! same open file, to send it, a piece at a time.
// Every program includes this file and uses a part of it.
#![allow(dead_code)]

use std::fs::{File, Metadata};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Take, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use inet::smtp::Step;
use inet::smtp::data::Lines;
use inet::smtp::mailfile::{Envelope, MAX_FIRST_LINE};

use crate::cli::{Args, Program, Syntax};

/// The largest message file the programs read: 64 MiB. Servers take
/// far less (Postfix's default limit is 10,240,000 octets, Gmail's 25
/// MB); a file larger than this is a mistake, not a message.
pub const MAX_FILE: u64 = 64 * 1024 * 1024;

/// What `smtp-raw` and `smtp-send` take from their command line:
/// `[--timeout SECS] [FLAGS] [FILE]`.
#[derive(Debug)]
pub struct Invocation {
    /// The message file's first line.
    pub mail: Envelope,
    /// The message file, checked, and ready to be read again to send it.
    pub message: Message,
    /// `--timeout` (30 s by default): to connect, and for each reply.
    pub timeout: Duration,
    /// The command line, for its flags (options without a value).
    pub args: Args,
}

/// The file the programs read when given none, as the originals do.
pub const DEFAULT_FILE: &str = "mail2.txt";

impl Invocation {
    /// Parses the command line of `program`, which knows `flags` (such
    /// as `--debug`) besides `--timeout`, and reads the file, showing
    /// `each` every line of the message (see [`read`]). Prints the help
    /// (with the file's limit and [`exit::HELP`]) or what is wrong, and
    /// returns the exit status instead: 0 for `--help`, [`exit::USAGE`],
    /// [`exit::BAD_FILE`].
    ///
    /// # Errors
    /// The exit status, once the user has been told.
    pub fn from_args(
        program: &Program,
        flags: &[&str],
        each: impl FnMut(&[u8]),
    ) -> Result<Invocation, ExitCode> {
        let syntax = Syntax {
            count: 0..=1,
            options: &["timeout"],
            flags,
        };
        let args = Args::parse(std::env::args_os().skip(1), &syntax)
            .map_err(|e| program.usage(&e))?;
        if args.help {
            let (help, file) = (program.help, file_help());
            let _ = writeln!(io::stdout(), "{help}\n{file}\n\n{}", exit::HELP);
            return Err(ExitCode::SUCCESS);
        }
        let timeout = args
            .seconds("timeout", Duration::from_secs(30))
            .map_err(|e| program.usage(&e))?;
        let file = args.positional.first().map_or(DEFAULT_FILE, String::as_str);
        let (mail, message) = read(Path::new(file), each).map_err(|why| {
            let why = format!("message file {file}: {why}");
            program.fail(exit::BAD_FILE, &why)
        })?;
        Ok(Invocation {
            mail,
            message,
            timeout,
            args,
        })
    }
}

/// The line both programs print first, as inet_03 and inet_04 do:
/// `Sending the message [server,sender,recipient]`.
pub fn sending_line(mail: &Envelope) -> String {
    let (server, sender) = (&mail.server, &mail.sender);
    let recipient = &mail.recipient;
    format!("Sending the message [{server},{sender},{recipient}]")
}

/// The `--help` paragraph on the message file.
fn file_help() -> String {
    let mib = MAX_FILE / (1024 * 1024);
    format!(
        "The message file must be a regular file of at most {mib} MiB \
         ({MAX_FILE} octets),\nread in pieces, never whole. A message \
         larger than the server's SIZE\n(RFC 1870) is not sent."
    )
}

/// The message in its file, checked, and ready to be read again to be
/// sent. (A file that changed since shows as another size: the senders
/// then drop it before its final dot.)
#[derive(Debug)]
pub struct Message {
    /// Its size as RFC 1870 counts it (CRLF line ends, dots not
    /// stuffed): what MAIL's `SIZE=` says.
    pub size: u64,
    /// The file from the message's first octet to where the file ended
    /// when it was opened.
    pub reader: Take<File>,
}

/// Reads the file at `path` and checks it, showing `each` every line of
/// the message (without its line end) on the way; why not, in words.
pub fn read(
    path: &Path,
    each: impl FnMut(&[u8]),
) -> Result<(Envelope, Message), String> {
    // Looked at before opening: opening a FIFO waits for a writer.
    fit(&std::fs::metadata(path).map_err(cannot)?)?;
    let mut file = File::open(path).map_err(cannot)?;
    // What was opened, in case the name changed hands meanwhile. Only
    // what it holds now is read: a file that grows can't feed us more.
    let len = fit(&file.metadata().map_err(cannot)?)?;
    let mut text = BufReader::new((&file).take(len));
    let mut first = Vec::new();
    let mut line = (&mut text).take(MAX_FIRST_LINE as u64 + 1);
    line.read_until(b'\n', &mut first).map_err(cannot)?;
    let mail = Envelope::parse(&first).map_err(|e| e.to_string())?;
    let size = check(text, each)?;
    let start = first.len() as u64;
    file.seek(SeekFrom::Start(start)).map_err(cannot)?;
    let reader = file.take(len - start);
    Ok((mail, Message { size, reader }))
}

/// The message, a piece at a time: every line fit for SMTP (see
/// [`Lines`]). Returns its size as RFC 1870 counts it.
fn check(
    mut text: impl BufRead,
    mut each: impl FnMut(&[u8]),
) -> Result<u64, String> {
    let mut lines = Lines::default();
    loop {
        let piece = text.fill_buf().map_err(cannot)?;
        if piece.is_empty() {
            return lines.finish(&mut each).map_err(|e| e.to_string());
        }
        let n = piece.len();
        lines.push(piece, &mut each).map_err(|e| e.to_string())?;
        text.consume(n);
    }
}

/// A regular file within [`MAX_FILE`], or why not; its length.
fn fit(meta: &Metadata) -> Result<u64, String> {
    match (meta.is_file(), meta.len()) {
        (false, _) => Err("cannot read it: not a regular file (a directory, \
                           a device, a pipe?); only a file has an end to \
                           check before sending"
            .to_owned()),
        (true, len) if len > MAX_FILE => Err(format!(
            "it is {len} octets, over the limit of {MAX_FILE} (see --help)"
        )),
        (true, len) => Ok(len),
    }
}

fn cannot(e: io::Error) -> String {
    format!("cannot read it: {e}")
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
    /// `MAIL FROM` refused, or not sent: the message is larger than the
    /// server's SIZE.
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
3 cannot connect; 4 greeting; 5 EHLO/HELO; 6 MAIL FROM (or a message
over the server's SIZE); 7 RCPT TO; 8 DATA; 9 message refused after the
final dot; 10 no reply after the final dot: the message may or may not
have been accepted";
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

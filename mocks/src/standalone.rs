//! What the `mock-dns`, `mock-http` and `mock-smtp` programs share: the
//! command line's words, the port option, the exit statuses, and the
//! `listening on 127.0.0.1:PORT` line a reader (or a test) waits for.
//!
//! Not for tests: a test starts a mock in process (`DnsMock::builder`,
//! `HttpMock::start`, `smtp::Script::start`) and reads its address.

use std::io::{self, Write};
use std::net::SocketAddr;
use std::process::ExitCode;

/// Exit status for a command line the program does not understand.
pub const EXIT_USAGE: u8 = 1;
/// Exit status for a `--port` that is not a port number (`mock-dns`,
/// `mock-smtp`).
pub const EXIT_BAD_PORT: u8 = 2;
/// Exit status when the program cannot listen (or set itself up).
pub const EXIT_SETUP: u8 = 3;

/// Why a program cannot run, and the exit status that says so.
#[derive(Debug)]
pub struct Failure {
    /// One of the `EXIT_*` statuses.
    pub status: u8,
    /// What went wrong, for standard error.
    pub message: String,
}

impl Failure {
    /// A command line the program does not understand ([`EXIT_USAGE`]).
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            status: EXIT_USAGE,
            message: message.into(),
        }
    }

    /// The program cannot listen or set itself up ([`EXIT_SETUP`]).
    pub fn setup(message: impl Into<String>) -> Self {
        Self {
            status: EXIT_SETUP,
            message: message.into(),
        }
    }

    /// Says it on standard error as `program: message` (and, for a usage
    /// error, how to get help) and gives the exit status.
    pub fn report(&self, program: &str) -> ExitCode {
        eprintln!("{program}: {}", self.message);
        if self.status == EXIT_USAGE {
            eprintln!("try `{program} --help`");
        }
        ExitCode::from(self.status)
    }
}

/// The program's arguments, without its name, or the exit code to end
/// with at once: success after printing `usage` for `--help` or `-h`
/// (anywhere on the line), a usage error for an argument that is not
/// UTF-8 (rather than the panic `std::env::args` would give).
pub fn command_line(
    program: &str,
    usage: &str,
) -> Result<Vec<String>, ExitCode> {
    let args: Vec<String> = std::env::args_os()
        .skip(1)
        .map(|arg| arg.into_string())
        .collect::<Result<_, _>>()
        .map_err(|arg| {
            Failure::usage(format!("argument {arg:?} is not UTF-8"))
                .report(program)
        })?;
    if args.iter().any(|arg| arg == "--help" || arg == "-h") {
        println!("{}", usage.trim_end());
        return Err(ExitCode::SUCCESS);
    }
    Ok(args)
}

/// A `--port` value: digits only (spaces around them allowed), at most
/// 65535; 0 means "any free port". The error is the message to show.
pub fn parse_port(text: &str) -> Result<u16, String> {
    let digits = text.trim();
    let number =
        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
    number
        .then(|| digits.parse().ok())
        .flatten()
        .ok_or_else(|| {
            format!("the port {text:?} is not a whole number from 0 to 65535")
        })
}

/// Prints a line and flushes it at once (a reader may be waiting for
/// it). An error means standard output is closed.
pub fn say(line: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "{line}")?;
    out.flush()
}

/// Prints `listening on ADDR`, the first line of every mock program.
pub fn say_listening(addr: SocketAddr) -> io::Result<()> {
    say(&format!("listening on {addr}"))
}

/// Blocks the calling thread for good. A program whose connections are
/// served on the harness's threads calls it once it has said where it
/// listens; the server lives until the process is killed.
pub fn serve_until_killed() -> ! {
    loop {
        std::thread::park();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_digits_up_to_65535() {
        assert_eq!(parse_port("0"), Ok(0));
        assert_eq!(parse_port(" 53 "), Ok(53));
        assert_eq!(parse_port("65535"), Ok(65535));
        for bad in ["", "65536", "+53", "-1", "http", "5 3"] {
            assert!(parse_port(bad).is_err(), "{bad:?}");
        }
    }
}

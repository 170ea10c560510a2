//! Argument checks shared by the programs in `bin/`.
//!
//! The Python originals check their arguments by hand: the right count
//! (else print the syntax and exit 1), and a port that matches
//! `^\s*\d+\s*$` (else exit 2). We keep those checks and exit statuses,
//! and add what a careful tool has: `--help`, options, and a port that
//! must also fit in 16 bits (Python would die with a traceback there).

use std::collections::HashMap;
use std::ffi::OsString;
use std::fmt;
use std::io::Write;
use std::net::TcpListener;
use std::process::ExitCode;
use std::time::Duration;

use crate::accept::Stop;

/// Exit status for a wrong number of arguments or an unknown option, as
/// in the originals.
pub const EXIT_USAGE: u8 = 1;
/// Exit status for a port that is not a number from 0 to 65535, as in
/// the originals.
pub const EXIT_BAD_PORT: u8 = 2;
/// Exit status when a connection fails or is lost (as in inet_06), or a
/// server can't listen.
pub const EXIT_CONNECTION: u8 = 3;

/// A command line that doesn't fit the program's syntax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// A port argument that is not a TCP port number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadPort(pub String);

impl fmt::Display for BadPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the port {:?} is not a whole number from 0 to 65535",
            self.0
        )
    }
}

impl std::error::Error for BadPort {}

// ANCHOR: parse_port
/// Parses a port as the originals do (digits, optionally surrounded by
/// white space) and, unlike them, checks it fits in 16 bits.
///
/// # Errors
/// [`BadPort`] for anything else, `-1`, `80a` and `70000` included.
pub fn parse_port(arg: &str) -> Result<u16, BadPort> {
    let digits = arg.trim();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(BadPort(arg.to_owned()));
    }
    digits.parse().map_err(|_| BadPort(arg.to_owned()))
}
// ANCHOR_END: parse_port

/// The shortest and longest durations a `--... SECS` option accepts. A
/// timeout of zero means "none" to std, and one of centuries overflows a
/// clock: neither is what a user means.
pub const SECONDS_RANGE: (Duration, Duration) =
    (Duration::from_millis(1), Duration::from_secs(24 * 60 * 60));

/// Parses a duration in seconds, fractions allowed (`0.5`).
///
/// # Errors
/// [`UsageError`] unless the value is a number of seconds within
/// [`SECONDS_RANGE`] (1 ms to a day).
pub fn parse_seconds(name: &str, arg: &str) -> Result<Duration, UsageError> {
    let bad = || {
        UsageError(format!(
            "--{name} wants seconds from 0.001 to 86400, not {arg:?}"
        ))
    };
    let secs: f64 = arg.trim().parse().map_err(|_| bad())?;
    let duration = Duration::try_from_secs_f64(secs).map_err(|_| bad())?;
    let (min, max) = SECONDS_RANGE;
    if duration < min || duration > max {
        return Err(bad());
    }
    Ok(duration)
}

/// A command line split into positional arguments and `--name value`
/// options.
#[derive(Debug, Default)]
pub struct Args {
    /// The arguments that are not options, in order.
    pub positional: Vec<String>,
    /// True when `-h` or `--help` was given.
    pub help: bool,
    options: HashMap<String, String>,
}

impl Args {
    /// Splits `args` (without the program name). Each name in `options`
    /// takes a value, as `--name value` or `--name=value`.
    ///
    /// # Errors
    /// An unknown option, an option without its value, or an argument
    /// that is not UTF-8.
    pub fn parse(
        args: impl IntoIterator<Item = OsString>,
        options: &[&str],
    ) -> Result<Args, UsageError> {
        let mut parsed = Args::default();
        let mut args = args.into_iter().map(utf8);
        while let Some(arg) = args.next() {
            let arg = arg?;
            if arg == "-h" || arg == "--help" {
                parsed.help = true;
            } else if let Some(option) = arg.strip_prefix("--") {
                let (name, value) = match option.split_once('=') {
                    Some((name, value)) => (name, Some(value.to_owned())),
                    None => (option, None),
                };
                if !options.contains(&name) {
                    return Err(UsageError(format!("unknown option --{name}")));
                }
                let missing = || UsageError(format!("--{name} needs a value"));
                let value = match value {
                    Some(value) => value,
                    None => args.next().ok_or_else(missing)??,
                };
                parsed.options.insert(name.to_owned(), value);
            } else {
                parsed.positional.push(arg);
            }
        }
        Ok(parsed)
    }

    /// The value given to `--name`, if any.
    pub fn option(&self, name: &str) -> Option<&str> {
        self.options.get(name).map(String::as_str)
    }

    /// The value of `--name` in seconds, or `default`.
    ///
    /// # Errors
    /// See [`parse_seconds`].
    pub fn seconds(
        &self,
        name: &str,
        default: Duration,
    ) -> Result<Duration, UsageError> {
        self.option(name)
            .map_or(Ok(default), |value| parse_seconds(name, value))
    }

    /// The value of `--name` as a count of at least 1, or `default`.
    ///
    /// # Errors
    /// [`UsageError`] unless the value is a whole number above 0.
    pub fn count(
        &self,
        name: &str,
        default: usize,
    ) -> Result<usize, UsageError> {
        let Some(value) = self.option(name) else {
            return Ok(default);
        };
        match value.trim().parse() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(UsageError(format!(
                "--{name} wants a whole number > 0, not {value:?}"
            ))),
        }
    }
}

/// A program's name, synopsis and help, and the checks every program in
/// `bin/` makes the same way. Each returns `Err(exit status)` once it has
/// told the user what went wrong, so `main` can use `?`.
#[derive(Debug)]
pub struct Program {
    /// The binary's name, prefixed to its error messages.
    pub name: &'static str,
    /// Its arguments, as in `usage: NAME SYNOPSIS`.
    pub synopsis: &'static str,
    /// What `--help` prints.
    pub help: &'static str,
}

impl Program {
    /// The command line, with exactly `count` positional arguments and
    /// the given value-taking `options`. `--help` prints the help and
    /// ends with status 0; a wrong command line, with [`EXIT_USAGE`].
    pub fn args(
        &self,
        options: &[&str],
        count: usize,
    ) -> Result<Args, ExitCode> {
        match Args::parse(std::env::args_os().skip(1), options) {
            Ok(args) if args.help => {
                say(self.help);
                Err(ExitCode::SUCCESS)
            }
            Ok(args) if args.positional.len() == count => Ok(args),
            Ok(args) => {
                let got = args.positional.len();
                let why = format!("expected {count} argument(s), got {got}");
                Err(self.usage(&why))
            }
            Err(e) => Err(self.usage(&e.0)),
        }
    }

    /// The port argument, or [`EXIT_BAD_PORT`].
    pub fn port(&self, arg: &str) -> Result<u16, ExitCode> {
        parse_port(arg).map_err(|e| self.fail(EXIT_BAD_PORT, &e.to_string()))
    }

    /// A server's listening socket, on `--bind` (default 127.0.0.1) and
    /// `port`, announced as `WHAT listening on IP:PORT`: with port 0,
    /// only the system knows which port, and the user must be told.
    /// [`EXIT_CONNECTION`] when it can't listen.
    pub fn listen(
        &self,
        args: &Args,
        port: u16,
        what: &str,
    ) -> Result<(TcpListener, Stop), ExitCode> {
        let bind = args.option("bind").unwrap_or("127.0.0.1");
        let listening = TcpListener::bind((bind, port)).and_then(|listener| {
            let stop = Stop::new(&listener)?;
            Ok((listener.local_addr()?, listener, stop))
        });
        match listening {
            Ok((addr, listener, stop)) => {
                say(&format!("{what} listening on {addr}"));
                Ok((listener, stop))
            }
            Err(e) => {
                let why = format!("cannot listen on {bind} port {port}: {e}");
                Err(self.fail(EXIT_CONNECTION, &why))
            }
        }
    }

    /// Reports a wrong command line, with the synopsis; [`EXIT_USAGE`].
    pub fn usage(&self, why: &str) -> ExitCode {
        let (name, synopsis) = (self.name, self.synopsis);
        let why = format!("{why}\nusage: {name} {synopsis} (see --help)");
        self.fail(EXIT_USAGE, &why)
    }

    /// Reports `why` on standard error as `NAME: why`; `status`.
    pub fn fail(&self, status: u8, why: &str) -> ExitCode {
        // Like `say`: a closed standard error must not turn into a panic.
        let _ = writeln!(std::io::stderr().lock(), "{}: {why}", self.name);
        ExitCode::from(status)
    }
}

/// Prints a line on standard output. Unlike `println!`, it does not
/// panic when standard output is closed (`echo-server 0 | head -c0`):
/// nobody is reading, so there is nothing better to do than go on.
fn say(text: &str) {
    let _ = writeln!(std::io::stdout().lock(), "{text}");
}

/// Runs a program's `run` function and turns its result into the exit
/// status.
pub fn exit_status(result: Result<(), ExitCode>) -> ExitCode {
    result.err().unwrap_or(ExitCode::SUCCESS)
}

fn utf8(arg: OsString) -> Result<String, UsageError> {
    arg.into_string().map_err(|arg| {
        UsageError(format!("argument {arg:?} is not valid UTF-8"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    #[test]
    fn ports_follow_the_original_rule_and_fit_16_bits() {
        assert_eq!(parse_port("100"), Ok(100));
        assert_eq!(parse_port(" 25 "), Ok(25));
        assert_eq!(parse_port("0"), Ok(0));
        assert_eq!(parse_port("65535"), Ok(65535));
        for bad in ["", " ", "-1", "+1", "80a", "0x50", "65536", "99999999999"]
        {
            assert_eq!(parse_port(bad), Err(BadPort(bad.into())), "{bad:?}");
        }
    }

    #[test]
    fn options_take_values_in_both_spellings() {
        let parsed = Args::parse(
            args(&["--bind", "0.0.0.0", "7", "--max-clients=3"]),
            &["bind", "max-clients"],
        )
        .unwrap();
        assert_eq!(parsed.positional, ["7"]);
        assert_eq!(parsed.option("bind"), Some("0.0.0.0"));
        assert_eq!(parsed.count("max-clients", 9), Ok(3));
        assert_eq!(parsed.count("other", 9), Ok(9));
    }

    #[test]
    fn unknown_or_incomplete_options_are_usage_errors() {
        assert!(Args::parse(args(&["--nope"]), &[]).is_err());
        assert!(Args::parse(args(&["--bind"]), &["bind"]).is_err());
        let zero = Args::parse(args(&["--n", "0"]), &["n"]).unwrap();
        assert!(zero.count("n", 1).is_err());
    }

    #[test]
    fn seconds_must_be_between_a_millisecond_and_a_day() {
        assert_eq!(parse_seconds("t", "0.25"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_seconds("t", "86400"), Ok(SECONDS_RANGE.1));
        for bad in ["0", "1e-10", "86401", "1e19", "-1", "NaN", "inf", "soon"] {
            assert!(parse_seconds("t", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn help_is_recognised_anywhere() {
        let parsed = Args::parse(args(&["5", "-h"]), &[]).unwrap();
        assert!(parsed.help);
    }
}

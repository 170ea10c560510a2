//! The command line, read the same way by every program in `bin/`.
//!
//! The Python originals check their arguments by hand: the right count
//! (else print the syntax and exit 1), and a port that matches
//! `^\s*\d+\s*$` (else exit 2). We keep those checks and exit statuses,
//! and add what a careful tool has: `--help`, options, and a port that
//! must also fit in 16 bits (Python would die with a traceback there).
//!
//! A program says what its command line may hold in a [`Syntax`]; its
//! [`Program`] reads the line into [`Args`], answers `--help`, and
//! reports a wrong line with the usage and exit status 1.
// Every program includes this file and uses a part of it.
#![allow(dead_code)]

use std::collections::HashMap;
use std::ffi::OsString;
use std::io::Write;
use std::ops::RangeInclusive;
use std::process::ExitCode;
use std::time::Duration;

use inet::port::parse_port;

/// Exit status for a wrong number of arguments or an unknown option, as
/// in the originals.
pub const EXIT_USAGE: u8 = 1;
/// Exit status for a port that is not a number from 0 to 65535, as in
/// the originals.
pub const EXIT_BAD_PORT: u8 = 2;
/// Exit status when a connection fails or is lost (as in inet_06), or a
/// server can't listen.
pub const EXIT_CONNECTION: u8 = 3;

/// What is wrong with a command line, in words for the user.
pub type UsageError = String;

/// What a program's command line may hold.
#[derive(Debug, Clone)]
pub struct Syntax<'a> {
    /// How many positional arguments (`1..=1`, `0..=1`, `0..=usize::MAX`).
    pub count: RangeInclusive<usize>,
    /// Options that take a value, as `--name value` or `--name=value`,
    /// named without their `--`.
    pub options: &'a [&'a str],
    /// Flags that take no value, as typed: `-6`, `--debug`.
    pub flags: &'a [&'a str],
}

/// A command line split into positional arguments, `--name value`
/// options and flags.
#[derive(Debug, Default)]
pub struct Args {
    /// The arguments that are not options, in order.
    pub positional: Vec<String>,
    /// True when `-h` or `--help` was given.
    pub help: bool,
    options: HashMap<String, String>,
    flags: Vec<String>,
}

impl Args {
    /// Splits `args` (without the program name) as `syntax` says. The
    /// flags are taken out first, wherever they stand (so `--timeout -6
    /// 5` is `-6` and `--timeout 5`); the count of positional arguments
    /// is checked unless help was asked for.
    ///
    /// # Errors
    /// An unknown option, an option without its value, an argument that
    /// is not UTF-8, or too few or too many positional arguments.
    pub fn parse(
        args: impl IntoIterator<Item = OsString>,
        syntax: &Syntax<'_>,
    ) -> Result<Args, UsageError> {
        let args: Vec<String> = args
            .into_iter()
            .map(|arg| arg.into_string())
            .collect::<Result<_, _>>()
            .map_err(|arg| format!("argument {arg:?} is not valid UTF-8"))?;
        let (flags, rest) = args
            .into_iter()
            .partition(|arg| syntax.flags.contains(&arg.as_str()));
        let mut parsed = Args {
            flags,
            ..Args::default()
        };
        let mut rest = rest.into_iter();
        while let Some(arg) = rest.next() {
            if arg == "-h" || arg == "--help" {
                parsed.help = true;
            } else if let Some(option) = arg.strip_prefix("--") {
                let (name, value) = match option.split_once('=') {
                    Some((name, value)) => (name, Some(value.to_owned())),
                    None => (option, None),
                };
                if !syntax.options.contains(&name) {
                    return Err(format!("unknown option --{name}"));
                }
                let value = value.or_else(|| rest.next());
                let value = value.ok_or(format!("--{name} needs a value"))?;
                parsed.options.insert(name.to_owned(), value);
            } else {
                parsed.positional.push(arg);
            }
        }
        let got = parsed.positional.len();
        if !parsed.help && !syntax.count.contains(&got) {
            let (min, max) = (*syntax.count.start(), *syntax.count.end());
            let expected = match (min, max) {
                _ if min == max => format!("{min}"),
                (0, max) => format!("at most {max}"),
                (min, _) => format!("at least {min}"),
            };
            return Err(format!("expected {expected} argument(s), got {got}"));
        }
        Ok(parsed)
    }

    /// Was the flag (`-6`, `--debug`) given?
    pub fn flag(&self, flag: &str) -> bool {
        self.flags.iter().any(|given| given == flag)
    }

    /// The value given to `--name`, if any.
    pub fn option(&self, name: &str) -> Option<&str> {
        self.options.get(name).map(String::as_str)
    }

    /// The value of `--name` in seconds (fractions allowed: `0.5`), or
    /// `default`.
    ///
    /// # Errors
    /// Unless the value is from 1 ms to a day: a timeout of zero means
    /// "none" to std, and one of centuries overflows a clock; neither is
    /// what a user means.
    pub fn seconds(
        &self,
        name: &str,
        default: Duration,
    ) -> Result<Duration, UsageError> {
        let Some(value) = self.option(name) else {
            return Ok(default);
        };
        let range = Duration::from_millis(1)..=Duration::from_secs(86_400);
        match value.trim().parse().map(Duration::try_from_secs_f64) {
            Ok(Ok(duration)) if range.contains(&duration) => Ok(duration),
            _ => Err(format!(
                "--{name} wants seconds from 0.001 to 86400, not {value:?}"
            )),
        }
    }

    /// The value of `--name` as a count of at least 1, or `default`.
    ///
    /// # Errors
    /// Unless the value is a whole number above 0.
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
            _ => {
                Err(format!("--{name} wants a whole number > 0, not {value:?}"))
            }
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
    /// The command line, as `syntax` says. `--help` prints the help and
    /// ends with status 0; a wrong command line, with [`EXIT_USAGE`].
    pub fn args(&self, syntax: &Syntax<'_>) -> Result<Args, ExitCode> {
        match Args::parse(std::env::args_os().skip(1), syntax) {
            Ok(args) if args.help => {
                say(self.help);
                Err(ExitCode::SUCCESS)
            }
            Ok(args) => Ok(args),
            Err(why) => Err(self.usage(&why)),
        }
    }

    /// The port argument, or [`EXIT_BAD_PORT`].
    pub fn port(&self, arg: &str) -> Result<u16, ExitCode> {
        parse_port(arg).map_err(|e| self.fail(EXIT_BAD_PORT, &e.to_string()))
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
pub fn say(text: &str) {
    let _ = writeln!(std::io::stdout().lock(), "{text}");
}

/// Runs a program's `run` function and turns its result into the exit
/// status.
pub fn exit_status(result: Result<(), ExitCode>) -> ExitCode {
    result.err().unwrap_or(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        list.iter().map(OsString::from).collect()
    }

    fn syntax<'a>(
        count: RangeInclusive<usize>,
        options: &'a [&'a str],
        flags: &'a [&'a str],
    ) -> Syntax<'a> {
        Syntax {
            count,
            options,
            flags,
        }
    }

    #[test]
    fn options_take_values_in_both_spellings() {
        let syntax = syntax(1..=1, &["bind", "max-clients"], &[]);
        let parsed = Args::parse(
            args(&["--bind", "0.0.0.0", "7", "--max-clients=3"]),
            &syntax,
        )
        .unwrap();
        assert_eq!(parsed.positional, ["7"]);
        assert_eq!(parsed.option("bind"), Some("0.0.0.0"));
        assert_eq!(parsed.count("max-clients", 9), Ok(3));
        assert_eq!(parsed.count("other", 9), Ok(9));
    }

    #[test]
    fn unknown_or_incomplete_options_are_usage_errors() {
        let any = syntax(0..=usize::MAX, &[], &[]);
        assert!(Args::parse(args(&["--nope"]), &any).is_err());
        let bind = syntax(0..=usize::MAX, &["bind"], &[]);
        assert!(Args::parse(args(&["--bind"]), &bind).is_err());
        let n = syntax(0..=usize::MAX, &["n"], &[]);
        let zero = Args::parse(args(&["--n", "0"]), &n).unwrap();
        assert!(zero.count("n", 1).is_err());
    }

    #[test]
    fn seconds_must_be_between_a_millisecond_and_a_day() {
        let seconds = |value: &str| {
            let t = syntax(0..=0, &["t"], &[]);
            let parsed = Args::parse(args(&["--t", value]), &t).unwrap();
            parsed.seconds("t", Duration::ZERO)
        };
        assert_eq!(seconds("0.25"), Ok(Duration::from_millis(250)));
        assert_eq!(seconds("86400"), Ok(Duration::from_secs(86_400)));
        for bad in ["0", "1e-10", "86401", "1e19", "-1", "NaN", "inf", "soon"] {
            assert!(seconds(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn help_is_recognised_anywhere() {
        let parsed = Args::parse(args(&["5", "-h"]), &syntax(0..=0, &[], &[]));
        assert!(parsed.unwrap().help);
    }

    #[test]
    fn flags_take_no_value_and_may_stand_anywhere() {
        let syntax = syntax(0..=usize::MAX, &["timeout"], &["-6"]);
        let parsed =
            Args::parse(args(&["--timeout", "-6", "5", "h"]), &syntax).unwrap();
        assert!(parsed.flag("-6"));
        assert!(!parsed.flag("--all"));
        assert_eq!(parsed.option("timeout"), Some("5"));
        assert_eq!(parsed.positional, ["h"]);
        let err = Args::parse(args(&["--all"]), &syntax).unwrap_err();
        assert_eq!(err, "unknown option --all");
    }

    #[test]
    fn the_count_of_positional_arguments_is_checked() {
        let count = |range: RangeInclusive<usize>, list: &[&str]| {
            let syntax = syntax(range, &[], &[]);
            Args::parse(args(list), &syntax).map(|a| a.positional.len())
        };
        assert_eq!(count(2..=2, &["a", "b"]), Ok(2));
        let err = count(2..=2, &["a"]).unwrap_err();
        assert_eq!(err, "expected 2 argument(s), got 1");
        assert_eq!(count(0..=1, &[]), Ok(0));
        let err = count(0..=1, &["a", "b"]).unwrap_err();
        assert_eq!(err, "expected at most 1 argument(s), got 2");
        assert_eq!(count(0..=usize::MAX, &["a", "b", "c"]), Ok(3));
        let err = count(1..=usize::MAX, &[]).unwrap_err();
        assert_eq!(err, "expected at least 1 argument(s), got 0");
    }
}

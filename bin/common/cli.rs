//! Argument checks shared by the programs in `bin/`.
//!
//! The Python originals check their arguments by hand: the right count
//! (else print the syntax and exit 1), and a port that matches
//! `^\s*\d+\s*$` (else exit 2). We keep those checks and exit statuses,
//! and add what a careful tool has: `--help`, options, and a port that
//! must also fit in 16 bits (Python would die with a traceback there).
// Every program includes this file and uses a part of it.
#![allow(dead_code)]

use std::collections::HashMap;
use std::ffi::OsString;
use std::fmt;
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use inet::net::parse_port;

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

/// What a program's command line may hold: options with a value, flags
/// without one, and between `min` and `max` positional arguments.
/// Built as a constant: `Syntax::at_most(1).options(&["timeout"])`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Syntax<'a> {
    /// Names (without `--`) of the options that take a value, as
    /// `--name value` or `--name=value`.
    pub options: &'a [&'a str],
    /// Flags that take no value, as typed: `-6`, `--debug`.
    pub flags: &'a [&'a str],
    /// The fewest positional arguments.
    pub min: usize,
    /// The most positional arguments.
    pub max: usize,
}

impl<'a> Syntax<'a> {
    /// Exactly `count` positional arguments, no options, no flags.
    pub const fn exactly(count: usize) -> Syntax<'a> {
        Syntax {
            options: &[],
            flags: &[],
            min: count,
            max: count,
        }
    }

    /// At most `max` positional arguments.
    pub const fn at_most(max: usize) -> Syntax<'a> {
        Syntax {
            min: 0,
            ..Syntax::exactly(max)
        }
    }

    /// Any number of positional arguments.
    pub const fn any() -> Syntax<'a> {
        Syntax::at_most(usize::MAX)
    }

    /// The same, with these value-taking options.
    pub const fn options(self, options: &'a [&'a str]) -> Syntax<'a> {
        Syntax { options, ..self }
    }

    /// The same, with these flags.
    pub const fn flags(self, flags: &'a [&'a str]) -> Syntax<'a> {
        Syntax { flags, ..self }
    }

    /// Why `got` positional arguments don't fit, if they don't.
    fn check_count(&self, got: usize) -> Result<(), UsageError> {
        let (min, max) = (self.min, self.max);
        let why = if min == max && got != min {
            format!("expected {min} argument(s), got {got}")
        } else if got > max {
            let noun = if max == 1 { "argument" } else { "arguments" };
            format!("expected at most {max} {noun}, got {got}")
        } else if got < min {
            format!("expected at least {min} argument(s), got {got}")
        } else {
            return Ok(());
        };
        Err(UsageError(why))
    }
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
        let mut parsed = Args::default();
        let (flags, rest): (Vec<OsString>, Vec<OsString>) = args
            .into_iter()
            .partition(|arg| syntax.flags.iter().any(|flag| arg == *flag));
        parsed.flags = flags.into_iter().map(utf8).collect::<Result<_, _>>()?;
        let mut args = rest.into_iter().map(utf8);
        while let Some(arg) = args.next() {
            let arg = arg?;
            if arg == "-h" || arg == "--help" {
                parsed.help = true;
            } else if let Some(option) = arg.strip_prefix("--") {
                let (name, value) = match option.split_once('=') {
                    Some((name, value)) => (name, Some(value.to_owned())),
                    None => (option, None),
                };
                if !syntax.options.contains(&name) {
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
        if !parsed.help {
            syntax.check_count(parsed.positional.len())?;
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
    /// The command line, as `syntax` says. `--help` prints the help and
    /// ends with status 0; a wrong command line, with [`EXIT_USAGE`].
    pub fn args(&self, syntax: &Syntax<'_>) -> Result<Args, ExitCode> {
        match Args::parse(std::env::args_os().skip(1), syntax) {
            Ok(args) if args.help => {
                say(self.help);
                Err(ExitCode::SUCCESS)
            }
            Ok(args) => Ok(args),
            Err(e) => Err(self.usage(&e.0)),
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
    fn options_take_values_in_both_spellings() {
        let syntax = Syntax::exactly(1).options(&["bind", "max-clients"]);
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
        let any = Syntax::any();
        assert!(Args::parse(args(&["--nope"]), &any).is_err());
        let bind = any.options(&["bind"]);
        assert!(Args::parse(args(&["--bind"]), &bind).is_err());
        let n = any.options(&["n"]);
        let zero = Args::parse(args(&["--n", "0"]), &n).unwrap();
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
        let parsed = Args::parse(args(&["5", "-h"]), &Syntax::exactly(0));
        assert!(parsed.unwrap().help);
    }

    #[test]
    fn flags_take_no_value_and_may_stand_anywhere() {
        let syntax = Syntax::any().options(&["timeout"]).flags(&["-6"]);
        let parsed =
            Args::parse(args(&["--timeout", "-6", "5", "h"]), &syntax).unwrap();
        assert!(parsed.flag("-6"));
        assert!(!parsed.flag("--all"));
        assert_eq!(parsed.option("timeout"), Some("5"));
        assert_eq!(parsed.positional, ["h"]);
        let err = Args::parse(args(&["--all"]), &syntax).unwrap_err();
        assert_eq!(err.0, "unknown option --all");
    }

    #[test]
    fn the_count_of_positional_arguments_is_checked() {
        let count = |syntax: Syntax<'_>, list: &[&str]| {
            Args::parse(args(list), &syntax).map(|a| a.positional.len())
        };
        assert_eq!(count(Syntax::exactly(2), &["a", "b"]), Ok(2));
        let err = count(Syntax::exactly(2), &["a"]).unwrap_err();
        assert_eq!(err.0, "expected 2 argument(s), got 1");
        assert_eq!(count(Syntax::at_most(1), &[]), Ok(0));
        let err = count(Syntax::at_most(1), &["a", "b"]).unwrap_err();
        assert_eq!(err.0, "expected at most 1 argument, got 2");
        let three = ["a", "b", "c"];
        assert_eq!(count(Syntax::any(), &three), Ok(3));
        let err = count(
            Syntax {
                min: 1,
                ..Syntax::any()
            },
            &[],
        )
        .unwrap_err();
        assert_eq!(err.0, "expected at least 1 argument(s), got 0");
    }
}

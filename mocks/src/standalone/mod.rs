//! What the `mock-dns`, `mock-http` and `mock-smtp` programs share: the
//! command line's words and options ([`Options`]: `--name value` or
//! `--name=value`), the port option, `KEY=VALUE` values ([`pair`]), the
//! exit statuses, the `listening on 127.0.0.1:PORT` line a reader (or a
//! test) waits for, and the [`Log`] of the lines after it, which no
//! session ever waits for.
//!
//! Not for tests: a test starts a mock in process (`DnsMock::builder`,
//! `HttpMock::start`, `smtp::Script::start`) and reads its address.

mod log;

pub use log::{Log, MAX_PENDING};

use std::io::{self, Write};
use std::net::SocketAddr;
use std::process::ExitCode;

/// Exit status for a command line the program does not understand.
pub const EXIT_USAGE: u8 = 1;
/// Exit status for a `--port` that is not a port number.
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
        // `writeln!`, not `eprintln!`: a standard error nobody reads (a
        // closed pipe) must not turn a clear exit status into a panic.
        let mut err = io::stderr().lock();
        let _ = writeln!(err, "{program}: {}", self.message);
        if self.status == EXIT_USAGE {
            let _ = writeln!(err, "try `{program} --help`");
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
        // `mock-dns --help | head -1` closes the pipe early: not a panic.
        let _ = writeln!(io::stdout(), "{}", usage.trim_end());
        return Err(ExitCode::SUCCESS);
    }
    Ok(args)
}

/// The options of a command line, one at a time, each as `--name value`
/// or `--name=value`:
///
/// ```
/// use inet_mocks::standalone::Options;
///
/// let words = ["--port=53", "--verbose", "--record", "a=1"];
/// let mut options = Options::new(words.map(String::from).to_vec());
/// let mut seen = Vec::new();
/// while let Some(option) = options.next_option().unwrap() {
///     match option.as_str() {
///         "--port" => seen.push(options.port().unwrap().to_string()),
///         "--record" => seen.push(options.value().unwrap()),
///         "--verbose" => seen.push("verbose".into()),
///         _ => panic!("{}", options.unknown().message),
///     }
/// }
/// assert_eq!(seen, ["53", "verbose", "a=1"]);
/// ```
#[derive(Debug)]
pub struct Options {
    args: std::vec::IntoIter<String>,
    /// The option being handled.
    current: String,
    /// Its `=value`, until [`value`](Self::value) takes it.
    inline: Option<String>,
}

impl Options {
    /// The arguments, without the program's name.
    pub fn new(args: Vec<String>) -> Self {
        Self {
            args: args.into_iter(),
            current: String::new(),
            inline: None,
        }
    }

    /// The next option's name, `None` after the last. A usage error for a
    /// word that is not an option, or if the previous option was given an
    /// `=value` it does not take.
    pub fn next_option(&mut self) -> Result<Option<String>, Failure> {
        if self.inline.is_some() {
            let option = &self.current;
            return Err(Failure::usage(format!("{option} takes no value")));
        }
        let Some(arg) = self.args.next() else {
            return Ok(None);
        };
        if !arg.starts_with("--") {
            return Err(Failure::usage(format!("unexpected argument {arg:?}")));
        }
        self.current = match arg.split_once('=') {
            Some((name, value)) => {
                self.inline = Some(value.to_owned());
                name.to_owned()
            }
            None => arg,
        };
        Ok(Some(self.current.clone()))
    }

    /// The current option's value: its `=value`, or the next argument.
    pub fn value(&mut self) -> Result<String, Failure> {
        self.inline
            .take()
            .or_else(|| self.args.next())
            .ok_or_else(|| {
                Failure::usage(format!("{} needs a value", self.current))
            })
    }

    /// The current option's value as a port; [`EXIT_BAD_PORT`] if it is
    /// not one.
    pub fn port(&mut self) -> Result<u16, Failure> {
        parse_port(&self.value()?).map_err(|message| Failure {
            status: EXIT_BAD_PORT,
            message,
        })
    }

    /// The current option's value as a whole number from 1 (a count, such
    /// as `--max-connections`); a usage error if it is not one.
    pub fn count(&mut self) -> Result<usize, Failure> {
        let value = self.value()?;
        let digits = value.trim();
        digits
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| digits.parse().ok())
            .flatten()
            .filter(|&n: &usize| n > 0)
            .ok_or_else(|| {
                let option = &self.current;
                Failure::usage(format!(
                    "{option} wants a whole number from 1, not {value:?}"
                ))
            })
    }

    /// The usage error for an option the program does not know.
    pub fn unknown(&self) -> Failure {
        Failure::usage(format!("unknown option {:?}", self.current))
    }
}

/// Splits an `option`'s `KEY=VALUE` at its first `=`; a usage error,
/// naming the expected `shape`, if there is none or the key is empty.
pub fn pair<'a>(
    option: &str,
    value: &'a str,
    shape: &str,
) -> Result<(&'a str, &'a str), Failure> {
    value
        .split_once('=')
        .filter(|(key, _)| !key.trim().is_empty())
        .ok_or_else(|| {
            Failure::usage(format!("{option} wants {shape}, not {value:?}"))
        })
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

/// Says `listening on ADDR`, then writes the `log` on this thread until
/// the process is killed. A closed standard output ends the log, not the
/// program: the mock serves on, silently.
pub fn log_until_killed(addr: SocketAddr, log: &Log) -> ! {
    if say_listening(addr).is_ok() {
        log.write_to(io::stdout());
    }
    log.close();
    serve_until_killed()
}

/// Blocks the calling thread for good: the connections are served on
/// the harness's threads, until the process is killed.
fn serve_until_killed() -> ! {
    loop {
        std::thread::park();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(words: &[&str]) -> Options {
        Options::new(words.iter().map(|w| w.to_string()).collect())
    }

    fn status<T>(got: Result<T, Failure>) -> Option<u8> {
        got.err().map(|failure| failure.status)
    }

    #[test]
    fn options_take_values_after_a_space_or_an_equals_sign() {
        let mut o = options(&["--a", "1", "--b=2=3", "--c="]);
        for (name, value) in [("--a", "1"), ("--b", "2=3"), ("--c", "")] {
            assert_eq!(o.next_option().unwrap().as_deref(), Some(name));
            assert_eq!(o.value().unwrap(), value);
        }
        assert!(o.next_option().unwrap().is_none());
    }

    #[test]
    fn options_refuse_what_they_cannot_take() {
        let mut flag = options(&["--flag=on"]);
        flag.next_option().unwrap();
        assert_eq!(status(flag.next_option()), Some(EXIT_USAGE));
        assert_eq!(status(options(&["extra"]).next_option()), Some(1));
        let mut bare = options(&["--port"]);
        bare.next_option().unwrap();
        assert_eq!(status(bare.value()), Some(EXIT_USAGE));
        let mut port = options(&["--port", "http"]);
        port.next_option().unwrap();
        assert_eq!(status(port.port()), Some(EXIT_BAD_PORT));
    }

    #[test]
    fn counts_are_whole_numbers_from_one() {
        let mut good = options(&["--n", " 12 "]);
        good.next_option().unwrap();
        assert_eq!(good.count().unwrap(), 12);
        for bad in ["0", "-1", "+3", "", "ten", "99999999999999999999999"] {
            let mut o = options(&["--n", bad]);
            o.next_option().unwrap();
            assert_eq!(status(o.count()), Some(EXIT_USAGE), "{bad:?}");
        }
    }

    #[test]
    fn pairs_need_an_equals_sign_and_a_key() {
        assert_eq!(pair("--r", "a=b=c", "K=V").unwrap(), ("a", "b=c"));
        assert_eq!(pair("--r", "a=", "K=V").unwrap(), ("a", ""));
        for bad in ["ab", "=b", " =b"] {
            assert!(pair("--r", bad, "K=V").is_err(), "{bad:?}");
        }
    }

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

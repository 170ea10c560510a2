//! `compare PATH/inet_NN.py [--python CMD] [--timeout SECS]`: a Python
//! original and its Rust port, run against the same mocks, side by side.
//!
//! # The idea
//!
//! The chapter's Python programs talk to hard-coded hosts: port 25 of a
//! university's mail server, port 80 of its web server, names looked up
//! through the machine's resolver. To see what the Rust port does
//! differently, we run *both* against the same in-process mock, and
//! compare what each printed and what each mock saw.
//!
//! The original runs **unmodified**. A small Python shim
//! (`bin/compare/shim.py`, embedded in the binary) is
//! loaded first, as `python SHIM ORIGINAL ARGS...`: it replaces a few
//! functions of Python's `socket` module so that connections to ports 25
//! and 80 of any host go to the mocks, name lookups are answered from the
//! mock's table, and nothing else leaves loopback; then it runs the
//! original as `__main__`. The Rust port needs no shim: its programs take
//! the mock's address on their command line.
//!
//! ```text
//!   inet_01.py ── shim.py ──> table (INET_COMPARE_HOSTS) ──┐ same table
//!   resolve --dns-server ───> DnsMock on 127.0.0.1:PORT ───┘
//!                     │                      │
//!                     └──── two Sides ───────┘──> diff ──> report
//! ```
//!
//! What each program did becomes a [`Side`]: named *channels* of lines
//! (`stdout`, `stderr`, `exit status`, `server received`...), normalised
//! so that what may differ from run to run (ports, temp dirs) does not.
//! Two sides make a [`Comparison`]; each channel is diffed line by line
//! ([`diff`]), and each *hunk* (a run of lines where they differ) is
//! looked up in the lesson's "Differences from the Python original"
//! table ([`table`]). A hunk some row explains is a documented
//! difference; any other is a discrepancy to fix, in the port or in the
//! lesson. [`report`] draws the two columns and the marks.
//!
//! # Exit status
//!
//! [`EXIT_DOCUMENTED`] (0) when every difference is documented,
//! [`EXIT_UNDOCUMENTED`] (1) when one is not, [`EXIT_CANNOT_RUN`] (2)
//! when the comparison could not be made at all: a wrong command line, a
//! file name that is no chapter's, a missing original, a Python that is
//! not 2.7 or can't be started, a shim that did not load, a Rust program
//! not built ([`CompareError`]).
//!
//! # A chapter
//!
//! Each chapter is one file under [`chapters`]: a [`Chapter`](chapters::Chapter) value whose
//! `scenario` starts the mocks, runs both programs (helpers in
//! [`python`]) and returns its comparisons. See [`chapters`] for how to
//! add one.

mod chapters;
mod diff;
mod python;
mod report;
mod table;

#[path = "../common/cli.rs"]
mod cli;
#[path = "../common/tempdir.rs"]
mod tempdir;

use std::fmt;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use inet_mocks::Transcript;

use cli::{Args, Syntax};
use python::{Finished, Job, Normaliser, Python, Running};

const HELP: &str = "\
usage: compare PATH/inet_NN.py [--python CMD] [--timeout SECS]

Runs a Python original of the chapter, unmodified, and its Rust port
against the same in-process mock servers, and shows both side by side:
each program's output, exit status, and what the mocks received and sent.
A small Python shim, loaded before the original, sends its connections
(ports 25 and 80 of any host) to the mocks and answers its name lookups
from the mock's table: nothing leaves the machine.

Each difference is marked with its reason from the lesson's \"Differences
from the Python original\" table (=N), or as undocumented (!!).

The chapter comes from the file name: inet_01.py (names), inet_02.py
(web client), inet_03.py (SMTP by hand), inet_04.py (SMTP library),
inet_06.py or inet_08.py (echo client and server), inet_10.py (generic
TCP server).

options:
  --python CMD    the Python 2.7 command, split on white space
                  (python2.7; e.g. --python \"env PYENV_VERSION=2.7.18 python\")
  --timeout SECS  kill a program that runs longer (20)
  -h, --help      this help

The Rust programs are the ones built next to compare (cargo build).

exit status: 0 every difference documented, 1 some difference
undocumented, 2 the comparison could not be made (wrong command line,
unknown chapter, missing original, Python not 2.7 or not found, a Rust
program not built)";

fn main() -> ExitCode {
    match compare_main() {
        Ok(status) => ExitCode::from(status),
        Err(e) => {
            let _ = writeln!(io::stderr().lock(), "compare: {e}");
            if matches!(e, CompareError::Usage(_)) {
                let _ = writeln!(
                    io::stderr().lock(),
                    "usage: compare PATH/inet_NN.py [--python CMD] [--timeout SECS] (see --help)"
                );
            }
            ExitCode::from(EXIT_CANNOT_RUN)
        }
    }
}

fn compare_main() -> Result<u8, CompareError> {
    let syntax = Syntax {
        count: 1..=1,
        options: &["python", "timeout"],
        flags: &[],
    };
    let args = Args::parse(std::env::args_os().skip(1), &syntax)
        .map_err(CompareError::Usage)?;
    if args.help {
        cli::say(HELP);
        return Ok(0);
    }
    let python = match args.option("python") {
        Some(cmd) => Python::parse(cmd)?,
        None => Python::default(),
    };
    let mut setup = Setup::new(Path::new(&args.positional[0]), python)?;
    setup.timeout = args
        .seconds("timeout", DEFAULT_TIMEOUT)
        .map_err(CompareError::Usage)?;
    let mut out = io::stdout().lock();
    run(&setup, &mut out)
}

/// Every difference is documented in the lesson.
pub const EXIT_DOCUMENTED: u8 = 0;
/// Some difference is not documented.
pub const EXIT_UNDOCUMENTED: u8 = 1;
/// The comparison could not be made (see [`CompareError`]).
pub const EXIT_CANNOT_RUN: u8 = 2;

/// How long one program may run before it is killed (and that is
/// reported as its exit status).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);

/// What one program did in a scenario: named channels of lines, already
/// normalised (ephemeral ports -> `PORT`, temp dirs -> `DIR`, ...), e.g.
/// `stdout`, `stderr`, `exit status`, `server received`, `server sent`,
/// `file 127.0.0.1.html`. The order of the channels is the order they are
/// shown in; a channel only one side has is compared with an empty one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Side {
    /// `(name, lines)`, in the order shown.
    pub channels: Vec<(String, Vec<String>)>,
}

impl Side {
    /// A side with no channel yet.
    pub fn new() -> Side {
        Side::default()
    }

    /// Adds (or replaces) the channel `name`.
    pub fn channel(mut self, name: &str, lines: Vec<String>) -> Side {
        match self.channels.iter_mut().find(|(n, _)| n == name) {
            Some((_, old)) => *old = lines,
            None => self.channels.push((name.to_owned(), lines)),
        }
        self
    }

    /// Adds the channel `name` from raw bytes: split into lines
    /// ([`python::lines_of`]), each normalised by `normaliser`.
    pub fn bytes(
        self,
        name: &str,
        bytes: &[u8],
        normaliser: &Normaliser,
    ) -> Side {
        self.channel(name, normaliser.lines(bytes))
    }

    /// Adds `server received` and `server sent`: the bytes a mock's
    /// connections received and sent (`MockServer::transcripts()`), as
    /// lines, normalised. With several connections, each gets its own pair
    /// of channels, `server received (connection 2)`...
    pub fn transcripts(
        mut self,
        transcripts: &[Transcript],
        normaliser: &Normaliser,
    ) -> Side {
        for (i, transcript) in transcripts.iter().enumerate() {
            let which = match i {
                0 => String::new(),
                i => format!(" (connection {})", i + 1),
            };
            self = self
                .bytes(
                    &format!("server received{which}"),
                    &transcript.bytes_from_client(),
                    normaliser,
                )
                .bytes(
                    &format!("server sent{which}"),
                    &transcript.bytes_to_client(),
                    normaliser,
                );
        }
        self
    }

    /// Adds the channel `compare`, saying why the scenario was not played
    /// to its end (`why`), if it was not.
    pub fn failed(self, why: Option<&str>) -> Side {
        match why {
            Some(why) => self.channel("compare", vec![why.to_owned()]),
            None => self,
        }
    }

    /// The lines of channel `name`; none if it has no such channel.
    pub fn lines(&self, name: &str) -> &[String] {
        self.channels
            .iter()
            .find(|(n, _)| n == name)
            .map_or(&[], |(_, lines)| lines)
    }
}

/// One side-by-side comparison inside a chapter (the echo chapter has
/// three).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    /// What was run: `inet_01.py and resolve --dns-server MOCK`.
    pub title: String,
    /// What the Python original did.
    pub python: Side,
    /// What the Rust port did.
    pub rust: Side,
}

/// Everything a scenario needs to run both sides.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The Python original, as given on the command line.
    pub original: PathBuf,
    /// The Python command (`--python`).
    pub python: Python,
    /// Where the Rust programs are: the directory of `compare` itself.
    pub programs: PathBuf,
    /// How long any one program may run.
    pub timeout: Duration,
}

impl Setup {
    /// A setup for `original` with `python`, the Rust programs beside
    /// the running executable.
    ///
    /// # Errors
    /// [`CompareError::Io`] if the running executable can't be found.
    pub fn new(original: &Path, python: Python) -> Result<Setup, CompareError> {
        let exe = std::env::current_exe()
            .map_err(|e| CompareError::Io(format!("where am I? {e}")))?;
        let programs = exe.parent().unwrap_or(Path::new(".")).to_path_buf();
        Ok(Setup {
            original: original.to_path_buf(),
            python,
            programs,
            timeout: DEFAULT_TIMEOUT,
        })
    }
}

/// Why a comparison could not be made: each is exit status 2.
#[derive(Debug)]
pub enum CompareError {
    /// The command line is wrong.
    Usage(String),
    /// The file name is no chapter's (`inet_NN.py` with a known NN).
    UnknownChapter(String),
    /// The original can't be read.
    Original(PathBuf, io::Error),
    /// The Python command could not be started.
    PythonNotFound(String, io::Error),
    /// The shim did not get to run the original: wrong Python version
    /// (the shim's exit 97), a shim that failed to load, a Python that
    /// failed to start. Holds what Python said.
    Shim(String),
    /// A Rust program is missing next to `compare`.
    ProgramMissing(PathBuf),
    /// The lesson's Differences table can't be read.
    Table(table::TableError),
    /// A local failure: a temp dir, a mock that would not start.
    Io(String),
}

impl fmt::Display for CompareError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Usage(why) => f.write_str(why),
            Self::UnknownChapter(why) => f.write_str(why),
            Self::Original(path, e) => {
                write!(f, "cannot read the original {}: {e}", path.display())
            }
            Self::PythonNotFound(cmd, e) => write!(
                f,
                "cannot run the Python command {cmd:?}: {e}; pass --python CMD \
                 (e.g. --python \"env PYENV_VERSION=2.7.18 python\")"
            ),
            Self::Shim(said) => write!(
                f,
                "Python did not run the original under the shim:\n{said}"
            ),
            Self::ProgramMissing(path) => write!(
                f,
                "{} is missing; build the programs first: cargo build",
                path.display()
            ),
            Self::Table(e) => write!(f, "the lesson's table: {e}"),
            Self::Io(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for CompareError {}

impl CompareError {
    /// For `map_err`: the mock `what` (`"DNS"`) would not start.
    pub fn mock(what: &str) -> impl FnOnce(io::Error) -> CompareError + '_ {
        move |e| {
            CompareError::Io(format!("the {what} mock would not start: {e}"))
        }
    }
}

impl From<table::TableError> for CompareError {
    fn from(e: table::TableError) -> Self {
        Self::Table(e)
    }
}

/// Runs the chapter of `setup.original` and writes the report to `out`.
/// Returns the exit status: [`EXIT_DOCUMENTED`] or [`EXIT_UNDOCUMENTED`].
///
/// # Errors
/// [`CompareError`] when the comparison can't be made (exit status 2).
pub fn run(setup: &Setup, out: &mut impl Write) -> Result<u8, CompareError> {
    let chapter = chapters::of_path(&setup.original)?;
    let rows = table::parse(chapter.lesson)?;
    std::fs::metadata(&setup.original)
        .and_then(|m| match m.is_file() {
            true => Ok(()),
            false => Err(io::Error::other("not a file")),
        })
        .map_err(|e| CompareError::Original(setup.original.clone(), e))?;
    let comparisons = (chapter.scenario)(setup)?;
    let summary =
        report::write(out, chapter, &comparisons, &rows).map_err(|e| {
            CompareError::Io(format!("cannot write the report: {e}"))
        })?;
    Ok(match summary.undocumented {
        0 => EXIT_DOCUMENTED,
        _ => EXIT_UNDOCUMENTED,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_side_gets_one_pair_of_channels_per_connection() {
        let (first, second) = (Transcript::new(), Transcript::new());
        first.record_from_client(b"HELO x\r\n");
        first.record_to_client(b"250 ok at 127.0.0.1:4321\r\n");
        second.record_from_client(b"QUIT\r\n");
        let normal = Normaliser::new().port(4321, "PORT");
        let side = Side::new().transcripts(&[first, second], &normal);
        assert_eq!(side.lines("server received"), ["HELO x\\r"]);
        assert_eq!(side.lines("server sent"), ["250 ok at 127.0.0.1:PORT\\r"]);
        assert_eq!(side.lines("server received (connection 2)"), ["QUIT\\r"]);
        assert!(side.lines("server sent (connection 2)").is_empty());
        assert_eq!(side.channels.len(), 4);
    }

    #[test]
    fn a_channel_added_twice_is_replaced() {
        let side = Side::new()
            .channel("stdout", vec!["a".into()])
            .channel("stdout", vec!["b".into()]);
        assert_eq!(
            side.channels,
            [("stdout".to_owned(), vec!["b".to_owned()])]
        );
        assert!(side.lines("nothing").is_empty());
    }
}

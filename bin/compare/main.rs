//! `compare ORIGINALS [--python CMD] [--timeout SECS]`: the chapter's
//! Python originals and their Rust ports, run against the same mocks,
//! and every line where they differ explained by the lesson's table, or
//! shown as undocumented.
//!
//! # The idea
//!
//! The chapter's Python programs talk to hard-coded hosts: port 25 of a
//! university's mail server, port 80 of its web server, names looked up
//! through the machine's resolver. To see what the Rust port does
//! differently, we run *both* against the same in-process mocks, and
//! compare what each printed and what each mock saw.
//!
//! The original runs **unmodified**. A small Python shim
//! (`bin/compare/shim.py`, embedded in the binary) is loaded first, as
//! `python SHIM ORIGINAL ARGS...`: it replaces a few functions of Python's
//! `socket` module so that connections to ports 25 and 80 of any host go
//! to the mocks, name lookups are answered from the mock's table, and
//! nothing else leaves loopback; then it runs the original as `__main__`
//! ([`python`]). The Rust port needs no shim: its programs take the
//! mock's address on their command line.
//!
//! ```text
//!   inet_01.py ── shim.py ──> table (INET_COMPARE_HOSTS) ──┐ same table
//!   resolve --dns-server ───> DnsMock on 127.0.0.1:PORT ───┘
//!                     │                      │
//!                     └──── two Sides ───────┘──> judge ──> report
//! ```
//!
//! What each program did becomes a [`side::Side`]: named *channels* of
//! lines (`stdout`, `stderr`, `exit status`, `server received`...),
//! normalised so that what may differ from run to run (ports, temp dirs)
//! does not ([`lines`]). Two sides make a comparison; each channel is
//! diffed ([`diff`]), and each line where they differ must be one of the
//! lines of a row of the lesson's "Differences from the Python original"
//! table ([`table`], [`judge`]). A line no row explains is a discrepancy
//! to fix, in the port or in the lesson. [`report`] shows it all.
//!
//! # Without Python 2.7
//!
//! Current systems no longer ship Python 2.7. `compare --record` keeps
//! what each original did as a text file beside the lessons
//! ([`recording`]); without Python 2.7, `compare` says so on its first
//! line and compares the port with the recording, if the original given
//! is the one recorded, byte for byte ([`sha256`]). `cargo test` does so
//! for every chapter ([`run`]).
//!
//! # Exit status
//!
//! 0 when every difference is documented, 1 when one is not (or, with
//! `--check-table`, when a changed line would go unnoticed: [`mutants`]),
//! 2 when the comparison could not be made at all ([`error`]).
//!
//! # A chapter
//!
//! Each chapter is one file under [`chapters`]; see there how to add one.

mod chapters;
mod diff;
mod error;
mod job;
mod judge;
mod lines;
mod mutants;
mod python;
mod record;
mod recording;
mod report;
mod run;
mod setup;
mod sha256;
mod side;
mod table;

#[path = "../common/cli.rs"]
mod cli;
#[path = "../common/tempdir.rs"]
mod tempdir;

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use cli::{Args, Syntax};
use error::CompareError;
use python::Python;
use run::Options;

const USAGE: &str = "usage: compare [--python CMD] [--timeout SECS] \
[--recordings DIR] [--check-table] ORIGINALS
       compare --record [--python CMD] [--recordings DIR] ORIGINALS";

const HELP: &str = "
Runs the chapter's Python originals, unmodified, and their Rust ports
against the same in-process mock servers, and shows what each did: its
output, exit status, and what the mocks received and sent. A small Python
shim, loaded before each original, sends its connections (ports 25 and 80
of any host) to the mocks and answers its name lookups from the mock's
table: nothing leaves the machine.

Every line where the two differ is marked with the row of the lesson's
\"Differences from the Python original\" table that explains it (=N), or
as undocumented (!!).

ORIGINALS is the folder of the originals (every chapter whose originals
are in it), one original (inet_01.py: names, inet_02.py: web client,
inet_03.py: SMTP by hand, inet_04.py: SMTP library, inet_06.py or
inet_08.py: echo client and server, inet_10.py: generic TCP server), or a
recording (lessons/recordings/inet_01.txt): the port against it, without
Python.

Without Python 2.7, compare says so on its first line, and uses the
recording of each original, if the original is the one recorded.

options:
  --python CMD      the Python 2.7 command, split on white space
                    (python2.7; e.g. --python \"env PYENV_VERSION=2.7.18 python\")
  --timeout SECS    kill a program that runs longer (20)
  --recordings DIR  where recordings are read, and written by --record
                    (reading: the copies built into compare; writing:
                    lessons/recordings, from the root of the clone)
  --check-table     then check that the table is strict: each line of the
                    original's side, changed, must show as undocumented
  --record          run the originals and record what they did
  -h, --help        this help

The Rust programs are the ones built next to compare (cargo build).

exit status: 0 every difference documented (or recorded, with --record),
1 some difference undocumented, or a change --check-table did not catch,
2 the comparison could not be made (wrong command line, unknown chapter,
missing original, no Python 2.7 where it is needed, a Rust program not
built)";

/// Some difference is not documented.
pub const EXIT_UNDOCUMENTED: u8 = 1;
/// The comparison could not be made (see [`CompareError`]).
pub const EXIT_CANNOT_RUN: u8 = 2;

fn main() -> ExitCode {
    match compare_main() {
        Ok(status) => ExitCode::from(status),
        Err(e) => {
            let mut err = io::stderr().lock();
            let _ = writeln!(err, "compare: {e}");
            if matches!(e, CompareError::Usage(_)) {
                let _ = writeln!(err, "{USAGE}\n(see --help)");
            }
            ExitCode::from(EXIT_CANNOT_RUN)
        }
    }
}

fn compare_main() -> Result<u8, CompareError> {
    let syntax = Syntax {
        count: 1..=1,
        options: &["python", "timeout", "recordings"],
        flags: &["--record", "--check-table"],
    };
    let args = Args::parse(std::env::args_os().skip(1), &syntax)
        .map_err(CompareError::Usage)?;
    if args.help {
        cli::say(&format!("{USAGE}\n{HELP}"));
        return Ok(0);
    }
    let options = Options {
        python: match args.option("python") {
            Some(cmd) => Python::parse(cmd)?,
            None => Python::default(),
        },
        timeout: args
            .seconds("timeout", setup::DEFAULT_TIMEOUT)
            .map_err(CompareError::Usage)?,
        recordings: args.option("recordings").map(PathBuf::from),
        check_table: args.flag("--check-table"),
    };
    let path = Path::new(&args.positional[0]);
    let mut out = io::stdout().lock();
    match args.flag("--record") {
        true if options.check_table => Err(CompareError::Usage(
            "--record and --check-table do not go together".into(),
        )),
        true => record::record(path, &options, &mut out),
        false => run::run(path, &options, &mut out),
    }
}

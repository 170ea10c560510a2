//! `compare PATH/inet_NN.py [--python CMD] [--timeout SECS]`: a Python
//! original and its Rust port, run against the same mocks, side by side.
//!
//! The chapter comes from the file's name. Read `src/compare/mod.rs`.

use std::io::{self, Write};
use std::path::Path;
use std::process::ExitCode;

use inet::cli::{self, Args, Syntax};
use inet::compare::{self, CompareError, EXIT_CANNOT_RUN, Python, Setup};

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
    match run() {
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

fn run() -> Result<u8, CompareError> {
    let syntax = Syntax::exactly(1).options(&["python", "timeout"]);
    let args = Args::parse(std::env::args_os().skip(1), &syntax)
        .map_err(|e| CompareError::Usage(e.0))?;
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
        .seconds("timeout", compare::DEFAULT_TIMEOUT)
        .map_err(|e| CompareError::Usage(e.0))?;
    let mut out = io::stdout().lock();
    compare::run(&setup, &mut out)
}

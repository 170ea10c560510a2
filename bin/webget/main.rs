//! `webget`: saves the index page of each site, raw head and body, in
//! `SITE.html` (inet_02).
//!
//! Lesson: `lessons/02-web-client.md`.

#[path = "../common/cli.rs"]
mod cli;
mod report;

use std::path::Path;
use std::process::ExitCode;

use cli::{EXIT_BAD_PORT, EXIT_CONNECTION, Program, Syntax};
use cli::{exit_status, say};
use inet::http::client::{FetchError, Options};
use inet::http::response::{Limits, ResponseError};
use inet::http::save::{SaveError, save_site};
use inet::http::site::Site;
use report::result_line;

const PROGRAM: Program = Program {
    name: "webget",
    synopsis: "[--timeout SECS] [--max-size BYTES] [--out-dir DIR] \
               [SITE[:PORT]...]",
    help: HELP,
};

const HELP: &str = "\
usage: webget [--timeout SECS] [--max-size BYTES] [--out-dir DIR]
              [SITE[:PORT]...]

Gets / from each site over HTTP/1.0 and saves the raw response, status
line, headers and body, byte for byte and whatever the status (a 404 or a
302 is saved too), in SITE.html, or SITE_PORT.html for a port other than
80. Prints one result line per site. With no SITE, uses the Python
original's list (istia.univ-angers.fr www.univ-angers.fr www.ibm.com xx),
which needs the Internet.

An interim reply (1xx, as 100 Continue or 103 Early Hints) is skipped,
not an error: the file holds every byte received, the interim heads
first, then the final head and body; the result line gives the final
status. 101 Switching Protocols is refused (status 7): we never ask to
switch, and what would follow is not HTTP.

A file is written whole or not at all: into a temporary file next to it,
.SITE.html.RANDOM.tmp, renamed when the response is complete. A failure
leaves no partial file and does not touch an existing one. A download
killed by a signal (Ctrl-C, kill) can't delete its temporary file: the
next run for the same site does, once no live download holds it (each
holds a lock on its file). A site name is a host name (letters, digits,
- . _, starting with a letter or a digit) or an IPv4 address: nothing
that could name a file elsewhere; a port is digits, 1 to 65535.

  --timeout SECS    the longest wait to connect and for each read
                    (default 10, fractions allowed); a whole site takes at
                    most 3 times that, once the system has found its address
  --max-size BYTES  refuse a body over BYTES bytes, at least 1 (curl's
                    --max-filesize): at once if its Content-Length says
                    so, else as soon as it grows past; nothing is saved
                    (the head is not counted: it is capped at 64 KiB)
  --out-dir DIR     where to save the files (default: the current
                    directory)
  -h, --help        show this help

Exit status (for several sites, that of the first failure):
  0  every page was saved
  1  bad command line
  2  bad site name (nothing was sent)
  3  connection refused or failed
  4  timed out
  5  empty reply: the server closed without answering
  6  truncated: the server closed before the end of the head or body
  7  not a valid HTTP/1.x reply (HTTP/0.9, bad header, too large...)
  8  the file could not be written
  9  the body is over --max-size";

/// The sites inet_02 fetches.
const ORIGINAL_SITES: [&str; 4] = [
    "istia.univ-angers.fr",
    "www.univ-angers.fr",
    "www.ibm.com",
    "xx",
];

fn main() -> ExitCode {
    exit_status(run())
}

fn run() -> Result<(), ExitCode> {
    let syntax = Syntax {
        count: 0..=usize::MAX,
        options: &["timeout", "max-size", "out-dir"],
        flags: &[],
    };
    let args = PROGRAM.args(&syntax)?;
    let defaults = Options::default();
    let timeout = args
        .seconds("timeout", defaults.timeout)
        .map_err(|e| PROGRAM.usage(&e))?;
    // 0, the default, is no cap: a cap given must be a count > 0.
    let max = args.count("max-size", 0).map_err(|e| PROGRAM.usage(&e))?;
    let out_dir = Path::new(args.option("out-dir").unwrap_or("."));
    let limits = Limits {
        max_body: (max > 0).then_some(max as u64),
        ..defaults.limits
    };
    let options = Options { timeout, limits };
    let sites: Vec<&str> = match args.positional.as_slice() {
        [] => ORIGINAL_SITES.to_vec(),
        given => given.iter().map(String::as_str).collect(),
    };
    // For several sites, the exit status of the first failure.
    let mut outcome = Ok(());
    for arg in sites {
        let (line, status) = get_one(arg, out_dir, &options);
        say(&line);
        if status != 0 && outcome.is_ok() {
            outcome = Err(ExitCode::from(status));
        }
    }
    outcome
}

/// Fetches one site; returns its result line and its exit status.
fn get_one(arg: &str, out_dir: &Path, options: &Options) -> (String, u8) {
    match Site::parse(arg) {
        Ok(site) => {
            let result = save_site(&site, out_dir, options);
            let status = result.as_ref().err().map_or(0, status_of);
            (result_line(&site, &result), status)
        }
        // A bad site name, like a bad port in the other programs.
        Err(e) => (format!("Site refused: {e}"), EXIT_BAD_PORT),
    }
}

/// Exit statuses past the shared ones of `cli` (see the help).
const EXIT_TIMEOUT: u8 = 4;
const EXIT_EMPTY: u8 = 5;
const EXIT_TRUNCATED: u8 = 6;
const EXIT_BAD_REPLY: u8 = 7;
const EXIT_FILE: u8 = 8;
const EXIT_TOO_LARGE: u8 = 9;

/// The exit status for a failed download, as listed in the help.
fn status_of(e: &SaveError) -> u8 {
    use FetchError as F;
    use ResponseError as R;
    match e {
        SaveError::Request(_) => EXIT_BAD_PORT,
        SaveError::File(_) | SaveError::Fetch(F::Output(_)) => EXIT_FILE,
        SaveError::Fetch(F::Refused | F::Connect(_) | F::Io(_)) => {
            EXIT_CONNECTION
        }
        SaveError::Fetch(F::Timeout { .. }) => EXIT_TIMEOUT,
        SaveError::Fetch(F::Response(R::EmptyReply)) => EXIT_EMPTY,
        SaveError::Fetch(F::Response(
            R::IncompleteHead { .. } | R::Truncated { .. },
        )) => EXIT_TRUNCATED,
        SaveError::Fetch(F::Response(R::BodyTooLarge { .. })) => EXIT_TOO_LARGE,
        SaveError::Fetch(F::Response(_)) => EXIT_BAD_REPLY,
    }
}

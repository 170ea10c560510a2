//! `cargo run`: the guided tour. Each chapter's program runs against
//! servers started in this process, on 127.0.0.1, and the tour prints
//! what each side saw. Nothing leaves the machine.
//!
//! Each chapter lives in its own file and is a function that writes its
//! story to `out`; a chapter that can't run returns the error, and the
//! tour stops with it.

use std::io::{self, Write};
use std::process::ExitCode;
use std::sync::mpsc::Receiver;
use std::time::Duration;

#[path = "../shared/cli.rs"]
mod cli;
#[path = "../shared/tempdir.rs"]
mod tempdir;

mod echo;
mod generic;
mod names;
mod smtp;
mod web;

use cli::{EXIT_CONNECTION, Program, Syntax};

const PROGRAM: Program = Program {
    name: "tour",
    synopsis: "",
    help: "\
usage: tour   (or simply: cargo run)

The guided tour: runs each chapter's program against servers started in
this process, on 127.0.0.1 only, and prints what each side saw: the
program's output, the bytes on the wire, and the server's console.

exit status: 0 when every chapter ran, 3 when one failed (it says why)",
};

fn main() -> ExitCode {
    cli::exit_status(tour_main())
}

fn tour_main() -> Result<(), ExitCode> {
    PROGRAM.args(&Syntax::exactly(0))?;
    let mut out = std::io::stdout().lock();
    run(&mut out).map_err(|e| PROGRAM.fail(EXIT_CONNECTION, &e.to_string()))
}

/// How long the tour waits for any one step before giving up.
const STEP_TIMEOUT: Duration = Duration::from_secs(5);

/// Runs every chapter, in order.
///
/// # Errors
/// The first chapter that fails says why.
fn run(out: &mut impl Write) -> io::Result<()> {
    writeln!(
        out,
        "inet: a tour of the chapter's programs, all on 127.0.0.1\n"
    )?;
    names::chapter(out)?;
    web::chapter(out)?;
    smtp::chapters(out)?;
    echo::chapter(out)?;
    generic::chapter(out)?;
    writeln!(out, "Read lessons/README.md next, then `cargo test`.")
}

fn heading(out: &mut impl Write, title: &str) -> io::Result<()> {
    writeln!(out, "== {title} ==\n")
}

/// Collects log lines until one satisfies `done` (that one included).
fn wait_for(
    log: &Receiver<String>,
    done: impl Fn(&str) -> bool,
) -> io::Result<Vec<String>> {
    let mut lines = Vec::new();
    loop {
        let line = log.recv_timeout(STEP_TIMEOUT).map_err(|_| {
            let seen = lines.join("\n");
            io::Error::new(
                io::ErrorKind::TimedOut,
                format!("stuck after:\n{seen}"),
            )
        })?;
        let finished = done(&line);
        lines.push(line);
        if finished {
            return Ok(lines);
        }
    }
}

/// `bytes` one line per line, each line's `\r` and other control bytes
/// shown escaped, as the transcripts show them.
fn escaped_lines(bytes: &[u8]) -> String {
    let lines = bytes.split_inclusive(|&b| b == b'\n');
    lines
        .map(|line| {
            let text = line.strip_suffix(b"\n").unwrap_or(line);
            inet::escape::escape(text) + "\n"
        })
        .collect()
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("    {l}\n")).collect()
}

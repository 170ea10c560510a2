//! `cargo run`: the guided tour. Each chapter's program runs against
//! servers started in this process, on 127.0.0.1, and the tour prints
//! what each side saw. Nothing leaves the machine.
//!
//! Each chapter lives in its own file and is a function that writes its
//! story to `out`; a chapter that can't run returns the error, and the
//! tour stops with it. `tour CHAPTER` runs one chapter only: each lesson
//! opens with it, as the quickest look at its bytes on the wire.

use std::io::{self, Write};
use std::process::ExitCode;
use std::sync::mpsc::Receiver;
use std::time::Duration;

#[path = "../common/cli.rs"]
mod cli;
#[path = "../common/tempdir.rs"]
mod tempdir;

mod bytes;
mod echo;
mod generic;
mod names;
mod smtp;
mod web;

use cli::{EXIT_CONNECTION, Program, Syntax};

const PROGRAM: Program = Program {
    name: "tour",
    synopsis: "[CHAPTER]",
    help: "\
usage: tour [CHAPTER]   (or simply: cargo run, or cargo run -- CHAPTER)

The guided tour: runs each chapter's program against servers started in
this process, on 127.0.0.1 only, and prints what each side saw: the
program's output, the bytes on the wire, and the server's console.

CHAPTER runs one chapter only, named or by the number of its lesson:
  bytes    0     three writes, the reads they gave, and the lines in them
  names    1     resolve, against a mock DNS server (inet_01)
  web      2     webget, against a mock web server (inet_02)
  smtp     3, 4  smtp-raw and smtp-send, against a mock SMTP server
                 (inet_03, inet_04)
  echo     5     echo-server and two echo-clients (inet_08, inet_06)
  generic  6     tcp-server, a web client, and a scripted keyboard
                 (inet_10)

exit status: 0 when every chapter asked for ran, 1 for an unknown
chapter, 3 when one failed (it says why)",
};

/// A chapter of the tour, by its name on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chapter {
    Bytes,
    Names,
    Web,
    Smtp,
    Echo,
    Generic,
}

/// Each chapter: its name, the lessons it belongs to, and their files.
const CHAPTERS: [(Chapter, &str, &[u8], &str); 6] = [
    (
        Chapter::Bytes,
        "bytes",
        &[0],
        "lessons/00-bytes-lines-deadlines.md",
    ),
    (Chapter::Names, "names", &[1], "lessons/01-names.md"),
    (Chapter::Web, "web", &[2], "lessons/02-web-client.md"),
    (
        Chapter::Smtp,
        "smtp",
        &[3, 4],
        "lessons/03-smtp-by-hand.md and lessons/04-smtp-library.md",
    ),
    (Chapter::Echo, "echo", &[5], "lessons/05-echo.md"),
    (
        Chapter::Generic,
        "generic",
        &[6],
        "lessons/06-generic-server.md",
    ),
];

impl Chapter {
    /// The chapter `arg` names, by name or lesson number, and its lessons.
    fn parse(arg: &str) -> Option<(Chapter, &'static str)> {
        let lesson: Option<u8> = arg.parse().ok();
        let found = CHAPTERS.iter().find(|(_, name, lessons, _)| {
            *name == arg || lesson.is_some_and(|n| lessons.contains(&n))
        });
        found.map(|&(chapter, _, _, lessons)| (chapter, lessons))
    }

    fn run(self, out: &mut impl Write) -> io::Result<()> {
        match self {
            Chapter::Bytes => bytes::chapter(out),
            Chapter::Names => names::chapter(out),
            Chapter::Web => web::chapter(out),
            Chapter::Smtp => smtp::chapters(out),
            Chapter::Echo => echo::chapter(out),
            Chapter::Generic => generic::chapter(out),
        }
    }
}

fn main() -> ExitCode {
    cli::exit_status(tour_main())
}

fn tour_main() -> Result<(), ExitCode> {
    let args = PROGRAM.args(&Syntax {
        count: 0..=1,
        options: &[],
        flags: &[],
    })?;
    let chapter = match args.positional.first() {
        None => None,
        Some(arg) => Some(Chapter::parse(arg).ok_or_else(|| {
            PROGRAM.usage(&format!(
                "no chapter {arg:?}: bytes, names, web, smtp, echo, generic, \
                 or a lesson from 0 to 6"
            ))
        })?),
    };
    let mut out = std::io::stdout().lock();
    let ran = match chapter {
        None => run(&mut out),
        Some((chapter, lessons)) => chapter
            .run(&mut out)
            .and_then(|()| writeln!(out, "Read {lessons} next.")),
    };
    ran.map_err(|e| PROGRAM.fail(EXIT_CONNECTION, &e.to_string()))
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
    for (chapter, ..) in CHAPTERS {
        chapter.run(out)?;
    }
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

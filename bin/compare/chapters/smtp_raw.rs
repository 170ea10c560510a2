//! SMTP by hand (inet_03): `inet_03.py` against `smtp-raw`.
//!
//! Both programs read `mail2.txt` from their working directory and send
//! it to a fresh [`SmtpMock`] with the same script ([`script`]). The
//! file is [`MESSAGE`] on both sides but for its first field: the
//! original knows only port 25, so its file names `127.0.0.1` and the
//! shim sends port 25 to the mock (`INET_COMPARE_SMTP`); the port takes
//! the mock's port on the line, `127.0.0.1:PORT` ([`mail_file`]).
//!
//! The original asks for its own name first
//! (`gethostbyaddr(gethostbyname("localhost"))`): the shim answers from
//! [`HOSTS`], as `/etc/hosts` would. Compared: standard output, standard
//! error, exit status, the bytes the mock received and sent, and the
//! message(s) the mock kept ([`Smtp::side`]).
//!
//! # One run like the next
//!
//! What inet_03 prints depends on how its `recv(1000)` calls cut the
//! server's replies, which depends on timing: run against a mock that
//! answers at once, it prints one of several stories. So the mock here
//! is a *slow* server: it waits [`REPLY_DELAY`] before each reply. Each
//! of inet_03's `recv` calls then returns exactly one reply, the one to
//! the command before (the greeting it never read shifts them all), the
//! same way every run. For the same reason the file has CRLF line ends
//! ([`mail_file`]): with Unix ones inet_03 sends bare LFs, the mock
//! refuses them with `421` at once after its `354`, and whether one
//! `recv` returns both changes from run to run (lesson 3 shows such a
//! run by hand).

use std::time::Duration;

use inet_mocks::SmtpMock;
use inet_mocks::smtp::{DOT, Message, Script};

use super::Chapter;
use crate::python::{Finished, lines_of};
use crate::{CompareError, Comparison, Job, Normaliser, Setup, Side};

/// The chapter.
pub const CHAPTER: Chapter = Chapter {
    title: "SMTP by hand (inet_03)",
    lesson_path: "lessons/03-smtp-by-hand.md",
    lesson: include_str!("../../../lessons/03-smtp-by-hand.md"),
    scenario,
};

// ANCHOR: scenario
/// The message both programs send, after the file's first line: the
/// seed's `mail2.txt`, with documentation addresses, and a line that
/// starts with a dot.
pub const MESSAGE: &str = "\
From: me@example.test
To: you@example.test
Subject: test

ligne1
.dot line

ligne3
";

/// The names the shim knows: `localhost`, for inet_03's own name.
pub const HOSTS: &str = "127.0.0.1 localhost\n";

/// How long the mock waits before each reply but the greeting: a slow
/// server, so that each of inet_03's `recv(1000)` returns one whole
/// reply, the same way every run (see the module doc).
pub const REPLY_DELAY: Duration = Duration::from_millis(100);

/// The mock's script, the same for both sides: the mock's defaults (a
/// server that takes every message, and lists PIPELINING as the
/// chapter's real server did), slow.
pub fn script() -> Script {
    ["EHLO", "MAIL", "RCPT", "DATA", DOT, "QUIT"]
        .iter()
        .fold(Script::new(), |script, verb| {
            script.delay(verb, REPLY_DELAY)
        })
}
// ANCHOR_END: scenario

/// How long to wait for the mock to see a session end once its client
/// has ended (the client's exit closed the socket, so this is quick).
const SESSION_END: Duration = Duration::from_secs(5);

/// `mail2.txt` for a program that sends to `server` (`127.0.0.1`, or
/// `127.0.0.1:PORT`), its lines ended by `line_end` (`"\n"`, `"\r\n"`).
pub fn mail_file(server: &str, line_end: &str) -> String {
    format!("{server}, me@example.test, you@example.test\n{MESSAGE}")
        .replace('\n', line_end)
}

/// The line end of this chapter's file (see the module doc).
const CRLF: &str = "\r\n";

/// A mock SMTP server for one side.
pub struct Smtp {
    mock: SmtpMock,
}

impl Smtp {
    /// Starts a fresh mock with `script`.
    ///
    /// # Errors
    /// [`CompareError::Io`] if it would not start.
    pub fn start(script: Script) -> Result<Smtp, CompareError> {
        let mock =
            SmtpMock::start(script).map_err(CompareError::mock("SMTP"))?;
        Ok(Smtp { mock })
    }

    /// Where it listens: `127.0.0.1:PORT`.
    pub fn addr(&self) -> std::net::SocketAddr {
        self.mock.addr()
    }

    /// What the program did, and what this mock saw: `stdout`, `stderr`,
    /// `exit status`, `server received`, `server sent` (a pair per
    /// connection), and `mock kept`.
    pub fn side(&self, finished: &Finished, normal: &Normaliser) -> Side {
        // The program has ended, so its connections are closed or
        // closing: wait for the mock to see that, so the transcripts are
        // whole. A session still open after SESSION_END shows as it is.
        let sessions = self.mock.transcripts().len();
        self.mock.wait_for_sessions(sessions, SESSION_END);
        finished
            .side(normal)
            .transcripts(&self.mock.transcripts(), normal)
            .channel("mock kept", kept(&self.mock.messages()))
    }
}

/// The messages a mock kept, as lines: `from <a> to <b>`, then the text
/// (CRLF line ends shown as `\r`, dots un-stuffed, as the server took it).
pub fn kept(messages: &[Message]) -> Vec<String> {
    let mut lines = Vec::new();
    for message in messages {
        let to: Vec<String> =
            message.rcpt_to.iter().map(|r| format!("<{r}>")).collect();
        lines.push(format!(
            "from <{}> to {}",
            message.mail_from,
            to.join(", ")
        ));
        lines.extend(lines_of(&message.data));
    }
    lines
}

fn scenario(setup: &Setup) -> Result<Vec<Comparison>, CompareError> {
    both_sides(
        setup,
        &Run {
            script,
            hosts: HOSTS.to_owned(),
            line_end: CRLF,
            program: "smtp-raw",
            args: &[],
            title: "inet_03.py | smtp-raw (mail2.txt), each against a mock \
                    SMTP server",
        },
    )
}

/// How an SMTP chapter runs its two sides.
pub struct Run {
    /// The mock's script, made afresh for each side.
    pub script: fn() -> Script,
    /// The shim's name table (`INET_COMPARE_HOSTS`).
    pub hosts: String,
    /// The line end of `mail2.txt`.
    pub line_end: &'static str,
    /// The Rust program.
    pub program: &'static str,
    /// Its arguments (it reads `mail2.txt` from its working directory).
    pub args: &'static [&'static str],
    /// The comparison's title.
    pub title: &'static str,
}

/// Runs the original, then the port, each against a fresh mock with
/// `run.script`, each with its `mail2.txt` (the original's names
/// `127.0.0.1`: port 25, which the shim sends to the mock).
pub fn both_sides(
    setup: &Setup,
    run: &Run,
) -> Result<Vec<Comparison>, CompareError> {
    let python_smtp = Smtp::start((run.script)())?;
    let python = Job::original(setup)
        .env("INET_COMPARE_SMTP", python_smtp.addr())
        .env("INET_COMPARE_HOSTS", &run.hosts)
        .file("mail2.txt", mail_file("127.0.0.1", run.line_end))
        .run()?;

    let rust_smtp = Smtp::start((run.script)())?;
    let rust_file = mail_file(&rust_smtp.addr().to_string(), run.line_end);
    let rust = Job::program(setup, run.program)?
        .args(run.args)
        .file("mail2.txt", rust_file)
        .run()?;

    let normal = Normaliser::new()
        .port(python_smtp.addr().port(), "PORT")
        .port(rust_smtp.addr().port(), "PORT");
    Ok(vec![Comparison {
        title: run.title.into(),
        python: python_smtp.side(&python, &normal),
        rust: rust_smtp.side(&rust, &normal),
    }])
}

#[cfg(test)]
mod tests {
    use super::*;
    use inet::smtp::mailfile::Envelope;

    #[test]
    fn the_files_differ_only_by_the_port_on_their_first_line() {
        let python = mail_file("127.0.0.1", CRLF);
        let rust = mail_file("127.0.0.1:2525", CRLF);
        let (p_first, p_rest) = python.split_once("\r\n").unwrap();
        let (r_first, r_rest) = rust.split_once("\r\n").unwrap();
        assert_eq!(p_rest, r_rest);
        assert_eq!(p_first, "127.0.0.1, me@example.test, you@example.test");
        assert_eq!(r_first.replace(":2525", ""), p_first);
        assert!(!python.replace("\r\n", "").contains('\n'));
    }

    #[test]
    fn the_port_reads_the_file_as_the_original_does() {
        for line_end in ["\n", CRLF] {
            let file = mail_file("127.0.0.1:2525", line_end);
            let (first, rest) = file.split_once('\n').unwrap();
            let parsed = Envelope::parse(first.as_bytes()).unwrap();
            assert_eq!(
                (parsed.server.as_str(), parsed.port),
                ("127.0.0.1", 2525)
            );
            assert_eq!(parsed.sender, "me@example.test");
            let message = MESSAGE.replace('\n', line_end);
            assert_eq!(rest, message);
        }
    }

    #[test]
    fn kept_messages_are_shown_whole_and_escaped() {
        let message = Message {
            mail_from: "me@x".into(),
            rcpt_to: vec!["a@y".into(), "b@y".into()],
            data: b"Subject: t\r\n\r\n.dot\r\n".to_vec(),
        };
        assert_eq!(
            kept(&[message]),
            [
                "from <me@x> to <a@y>, <b@y>",
                "Subject: t\\r",
                "\\r",
                ".dot\\r"
            ]
        );
        assert!(kept(&[]).is_empty());
    }
}

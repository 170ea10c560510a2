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
//! message(s) the mock kept ([`run_side`]). Two more comparisons give
//! both programs an empty `mail2.txt`, then none ([`Mail`]).
//!
//! # One run like the next
//!
//! What inet_03 prints depends on how its `recv(1000)` calls cut the
//! server's replies, which depends on timing: run against a server that
//! answers at once, it prints one of several conversations (lesson 3
//! shows those seen against Postfix's `smtp-sink`). A recording must be
//! the same at every run, so the mock here is a *slow* server: it waits
//! [`REPLY_DELAY`] before each reply. Each of inet_03's `recv` calls then
//! returns exactly one reply, the one to the command before (the greeting
//! it never read shifts them all), the same way every run: a real
//! conversation, the one a slow server gives, not the most common one. For the same reason the file has CRLF line ends
//! ([`mail_file`]): with Unix ones inet_03 sends bare LFs, the mock
//! refuses them with `421` at once after its `354`, and whether one
//! `recv` returns both changes from run to run (lesson 3 shows such a
//! run by hand).

use std::net::SocketAddr;
use std::time::Duration;

use inet_mocks::SmtpMock;
use inet_mocks::smtp::{DOT, Message, Script};

use super::{Chapter, Plan};
use crate::error::CompareError;
use crate::job::Job;
use crate::lines::{Normaliser, lines_of};
use crate::setup::Setup;
use crate::side::Side;

/// The chapter.
pub const CHAPTER: Chapter = Chapter {
    key: "inet_03",
    title: "SMTP by hand (inet_03)",
    originals: &["inet_03.py"],
    lesson_path: "lessons/03-smtp-by-hand.md",
    lesson: include_str!("../../../lessons/03-smtp-by-hand.md"),
    recording: include_str!("../../../lessons/recordings/inet_03.txt"),
    plans: &[
        Plan {
            title: "inet_03.py | smtp-raw (mail2.txt), each against a slow \
                    mock SMTP server",
            python: |setup| python(setup, Mail::Message("127.0.0.1", CRLF)),
            rust: |setup| rust(setup, Mail::Message("127.0.0.1:PORT", CRLF)),
            rust_needs_python: false,
        },
        Plan {
            title: "inet_03.py | smtp-raw, with an empty mail2.txt",
            python: |setup| python(setup, Mail::Empty),
            rust: |setup| rust(setup, Mail::Empty),
            rust_needs_python: false,
        },
        Plan {
            title: "inet_03.py | smtp-raw, with no mail2.txt",
            python: |setup| python(setup, Mail::Missing),
            rust: |setup| rust(setup, Mail::Missing),
            rust_needs_python: false,
        },
    ],
};

/// The original's side: `inet_03.py` under the shim, its port 25 sent to
/// a fresh slow mock, with `mail` as its `mail2.txt`.
fn python(setup: &Setup, mail: Mail) -> Result<Side, CompareError> {
    run_side(script(), &mail, |smtp| {
        Ok(Job::original(setup, "inet_03.py")
            .env("INET_COMPARE_SMTP", smtp)
            .env("INET_COMPARE_HOSTS", HOSTS))
    })
}

/// The port's side: `smtp-raw` against a fresh slow mock, with `mail`.
fn rust(setup: &Setup, mail: Mail) -> Result<Side, CompareError> {
    run_side(script(), &mail, |_| Job::program(setup, "smtp-raw"))
}

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

/// The `mail2.txt` a program reads.
#[derive(Debug, Clone, Copy)]
pub enum Mail {
    /// [`MESSAGE`] for `server` (`127.0.0.1`, the original's port 25; or
    /// `127.0.0.1:PORT`, the mock's port put in place of `PORT`), its
    /// lines ended by a line end (`"\n"`, `"\r\n"`).
    Message(&'static str, &'static str),
    /// An empty file.
    Empty,
    /// No file at all.
    Missing,
}

impl Mail {
    /// The file's text for a mock at `smtp`, if there is a file.
    pub fn text(self, smtp: SocketAddr) -> Option<String> {
        match self {
            Mail::Message(server, line_end) => {
                let server = server.replace("PORT", &smtp.port().to_string());
                Some(mail_file(&server, line_end))
            }
            Mail::Empty => Some(String::new()),
            Mail::Missing => None,
        }
    }
}

/// `mail2.txt` for a program that sends to `server` (`127.0.0.1`, or
/// `127.0.0.1:PORT`), its lines ended by `line_end` (`"\n"`, `"\r\n"`).
pub fn mail_file(server: &str, line_end: &str) -> String {
    format!("{server}, me@example.test, you@example.test\n{MESSAGE}")
        .replace('\n', line_end)
}

/// The line end of this chapter's file (see the module doc).
const CRLF: &str = "\r\n";

/// One side of an SMTP chapter: a fresh mock with `script`, the program
/// `job` makes for the mock's address, run with `mail` as its
/// `mail2.txt`. What the program did and what the mock saw: `stdout`,
/// `stderr`, `exit status`, `server received`, `server sent` (a pair per
/// connection), and `mock kept`.
///
/// # Errors
/// When the mock won't start or the program can't be run.
pub fn run_side(
    script: Script,
    mail: &Mail,
    job: impl FnOnce(SocketAddr) -> Result<Job, CompareError>,
) -> Result<Side, CompareError> {
    let mock = SmtpMock::start(script).map_err(CompareError::mock("SMTP"))?;
    let mut job = job(mock.addr())?;
    if let Some(text) = mail.text(mock.addr()) {
        job = job.file("mail2.txt", text);
    }
    let finished = job.run()?;
    // The program has ended, so its connections are closed or closing:
    // wait for the mock to see that, so the transcripts are whole. A
    // session still open after SESSION_END shows as it is.
    let sessions = mock.transcripts().len();
    mock.wait_for_sessions(sessions, SESSION_END);
    let normal = Normaliser::new().port(mock.addr().port());
    Ok(finished
        .side(&normal)
        .transcripts(&mock.transcripts(), &normal)
        .channel("mock kept", kept(&mock.messages())))
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

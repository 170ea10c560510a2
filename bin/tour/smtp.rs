//! Chapters 3 and 4: SMTP by hand (inet_03) and through a library
//! (inet_04), each against the mock SMTP server, started in this process.

use std::io::{self, Write};
use std::path::PathBuf;

use inet_mocks::smtp::{Script, SmtpMock};

use super::{STEP_TIMEOUT, escaped_lines, heading, indent};
use crate::tempdir::TempDir;

// The programs' own code, run here as the programs run it: reading
// mail2.txt, smtp-raw's conversation, smtp-send's use of the client, and
// the exit statuses they share. A program can't be called as a function;
// its files can.
#[path = "../smtp_raw/conversation.rs"]
mod conversation;
#[path = "../common/mail_args.rs"]
mod mail_args;
#[path = "../smtp_send/send.rs"]
mod send;

/// The message of both chapters: a line that starts with a dot, and
/// Unix line ends, as a file written on Linux has.
const MESSAGE: &[u8] =
    b"Subject: test\n\nligne1\n.ligne2 starts with a dot\n\nligne3\n";

/// Both chapters.
pub(super) fn chapters(out: &mut impl Write) -> io::Result<()> {
    by_hand(out)?;
    library(out)
}

fn by_hand(out: &mut impl Write) -> io::Result<()> {
    heading(out, "Chapter 3: SMTP by hand (inet_03)")?;
    let mock = Script::new().start()?;
    let dir = TempDir::new("inet-tour-smtp")?;
    let file = mail_file(&dir, &mock)?;
    let text = std::fs::read_to_string(&file)?;
    writeln!(out, "mail2.txt:\n{}", indent(&text))?;
    writeln!(out, "$ smtp-raw mail2.txt")?;
    let mut headers = conversation::Headers::default();
    let note = |line: &[u8]| headers.note(line);
    let (mail, message) =
        mail_args::read(&file, note).map_err(io::Error::other)?;
    let mut screen = Vec::new();
    let status =
        conversation::run(&mail, message, &headers, STEP_TIMEOUT, &mut screen);
    out.write_all(&screen)?;
    writeln!(out, "(exit status {status})")?;
    show_received(out, &mock)
}

fn library(out: &mut impl Write) -> io::Result<()> {
    heading(out, "Chapter 4: SMTP through a library (inet_04)")?;
    let mock = Script::new().start()?;
    writeln!(out, "The same mail2.txt, with the port of a new mock.\n")?;
    let status = smtp_send(out, &mock)?;
    writeln!(out, "(exit status {status})")?;
    show_received(out, &mock)?;

    let refusing = Script::new()
        .reply_rcpt("you", "550 5.1.1 no such user")
        .start()?;
    writeln!(out, "Against a mock that refuses the recipient:\n")?;
    let status = smtp_send(out, &refusing)?;
    writeln!(out, "(exit status {status}: refused at RCPT TO)\n")
}

/// `smtp-send mail2.txt` against `mock`; returns its exit status.
fn smtp_send(out: &mut impl Write, mock: &SmtpMock) -> io::Result<u8> {
    writeln!(out, "$ smtp-send mail2.txt")?;
    let dir = TempDir::new("inet-tour-smtp")?;
    let file = mail_file(&dir, mock)?;
    let (mail, message) =
        mail_args::read(&file, |_| {}).map_err(io::Error::other)?;
    let mut screen = Vec::new();
    let status = send::run(&mail, message, STEP_TIMEOUT, None, &mut screen);
    out.write_all(&screen)?;
    Ok(status)
}

/// Writes `mail2.txt` for `mock` in `dir`; returns its path.
fn mail_file(dir: &TempDir, mock: &SmtpMock) -> io::Result<PathBuf> {
    let port = mock.addr().port();
    let first =
        format!("127.0.0.1:{port}, me@example.test, you@example.test\n");
    let path = dir.path().join("mail2.txt");
    std::fs::write(&path, [first.as_bytes(), MESSAGE].concat())?;
    Ok(path)
}

/// The envelope and the text the mock kept, line ends shown.
fn show_received(out: &mut impl Write, mock: &SmtpMock) -> io::Result<()> {
    writeln!(out, "\nWhat the mock SMTP server received:")?;
    for message in mock.messages() {
        let mut text = format!(
            "MAIL FROM:<{}>  RCPT TO:<{}>\n",
            message.mail_from,
            message.rcpt_to.join(">, <")
        );
        text.push_str(&escaped_lines(&message.data));
        write!(out, "{}", indent(&text))?;
    }
    writeln!(out)
}

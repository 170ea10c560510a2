//! Chapters 3 and 4: SMTP by hand (inet_03) and through a library
//! (inet_04), each against the mock SMTP server, started in this process.

use std::io::{self, Write};

use inet_mocks::smtp::{Script, SmtpMock};

use super::{STEP_TIMEOUT, escaped_lines, heading, indent};
use inet::smtp::mailfile::MailFile;

// The programs' own code, run here as the programs run it: smtp-raw's
// conversation, smtp-send's use of the client, and the exit statuses
// they share. A program can't be called as a function; its files can.
#[path = "../smtp_raw/conversation.rs"]
mod conversation;
#[path = "../shared/mail_args.rs"]
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
    let mail = mail_file(&mock);
    show_file(out, &mail)?;
    writeln!(out, "$ smtp-raw mail2.txt")?;
    let mut screen = Vec::new();
    let status = conversation::run(&mail, STEP_TIMEOUT, &mut screen);
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
    let mut screen = Vec::new();
    let status = send::run(&mail_file(mock), STEP_TIMEOUT, None, &mut screen);
    out.write_all(&screen)?;
    Ok(status)
}

fn mail_file(mock: &SmtpMock) -> MailFile {
    MailFile {
        server: "127.0.0.1".to_owned(),
        port: mock.addr().port(),
        sender: "me@example.test".to_owned(),
        recipient: "you@example.test".to_owned(),
        message: MESSAGE.to_vec(),
    }
}

fn show_file(out: &mut impl Write, mail: &MailFile) -> io::Result<()> {
    writeln!(out, "mail2.txt:")?;
    let first = format!(
        "{}:{}, {}, {}\n",
        mail.server, mail.port, mail.sender, mail.recipient
    );
    let text = String::from_utf8_lossy(&mail.message);
    writeln!(out, "{}", indent(&format!("{first}{text}")))
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

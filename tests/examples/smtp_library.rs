//! inet_04's minimal port, `examples/inet_04_smtp_library.rs`, against
//! the mock SMTP server. The library does the SMTP right; what is left
//! to break is the program around it.

use std::fs;
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use inet_mocks::SmtpMock;
use inet_mocks::smtp::{Event, GREETING, Script};
use tempfile::TempDir;

use super::harness::{Example, Fault, Output, WAIT, run};

const NAME: &str = "inet_04_smtp_library";

// ANCHOR: faults
/// What breaks the minimal port of inet_04.
pub const FAULTS: &[Fault] = &[
    Fault {
        name: "Refused",
        staged_by: "Script::reply_rcpt, the recipient refused with 550",
        breaks: "any failure is printed as the result, and the program \
                 exits 0 all the same: a script cannot tell",
        test: "a_refused_recipient_still_exits_0",
    },
    Fault {
        name: "BadMailFile",
        staged_by: "a mail file that does not exist",
        breaks: "the error message names a variable that does not exist \
                 there: a NameError ends the program, and the reason is lost",
        test: "a_missing_mail_file_ends_with_a_name_error",
    },
    Fault {
        name: "SilentServer",
        staged_by: "Script::delay on the greeting, an hour",
        breaks: "smtplib's default is no timeout: the program waits for the \
                 greeting as long as the server keeps silent",
        test: "a_silent_server_holds_it_forever",
    },
];
// ANCHOR_END: faults

/// The chapter's `mail2.txt` after its first line, with a line that
/// starts with a dot, Unix line ends.
const MESSAGE: &str = "From: me@example.test\nTo: you@example.test\n\
                       Subject: test\n\nligne1\n.dot line\n\nligne3\n";

/// Writes the mail file for `server` in `dir`.
fn mail_file(dir: &TempDir, server: &str) -> PathBuf {
    let path = dir.path().join("mail2.txt");
    let first = format!("{server}, me@example.test, you@example.test\n");
    fs::write(&path, first + MESSAGE).unwrap();
    path
}

/// Runs the port against `mock`, to its end.
fn send(mock: &SmtpMock) -> Output {
    let dir = TempDir::new().unwrap();
    let path = mail_file(&dir, &mock.addr().to_string());
    let out = run(NAME, &[path.to_str().unwrap()]);
    assert!(mock.wait_for_sessions(1, WAIT));
    out
}

fn sending_line(mock: &SmtpMock) -> String {
    let addr = mock.addr();
    format!("Envoi du message [{addr},me@example.test,you@example.test]\n")
}

#[test]
fn a_message_is_delivered_as_written() {
    let mock = Script::new().start().unwrap();

    let out = send(&mock);

    let result = "Resultat de l'envoi : Message envoye\n";
    assert_eq!(out.stdout, sending_line(&mock) + result);
    assert_eq!(out.status, Some(0));
    // The library's debug lines, on stderr as smtplib's.
    assert!(out.stderr.contains("send: "), "{}", out.stderr);
    // CRLF line ends, and the dot kept: the library stuffed it.
    let messages = mock.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].rcpt_to, ["you@example.test"]);
    let kept = MESSAGE.replace('\n', "\r\n");
    assert_eq!(String::from_utf8_lossy(&messages[0].data), kept);
}

#[test]
fn a_refused_recipient_still_exits_0() {
    let refusal = "550 5.1.1 no such user";
    let mock = Script::new().reply_rcpt("you", refusal).start().unwrap();

    let out = send(&mock);

    let result = "Resultat de l'envoi : Erreur envoi du message : ";
    assert!(out.stdout.starts_with(&(sending_line(&mock) + result)));
    assert!(out.stdout.contains("no such user"), "{}", out.stdout);
    assert_eq!(out.status, Some(0));
    assert_eq!(mock.messages(), []);
}

#[test]
fn a_missing_mail_file_ends_with_a_name_error() {
    let dir = TempDir::new().unwrap();
    let missing = dir.path().join("no-such-mail.txt");

    let out = run(NAME, &[missing.to_str().unwrap()]);

    assert_eq!(out.stdout, "");
    assert_eq!(out.status, Some(1));
    assert!(out.stderr.contains("NameError"), "{}", out.stderr);
    assert!(!out.stderr.contains("no-such-mail"), "the reason is lost");
}

#[test]
fn a_silent_server_holds_it_forever() {
    let (connected, sessions) = mpsc::channel();
    let mock = Script::new()
        .delay(GREETING, Duration::from_secs(3600))
        .on_event(move |event| {
            let _ = connected.send(event.clone());
        })
        .start()
        .unwrap();
    let dir = TempDir::new().unwrap();
    let path = mail_file(&dir, &mock.addr().to_string());

    let mut example = Example::start(NAME, &[path.to_str().unwrap()]);

    assert_eq!(example.next_line() + "\n", sending_line(&mock));
    let event = sessions.recv_timeout(WAIT).expect("a connection");
    assert!(matches!(event, Event::Connected { .. }), "{event:?}");
    example.assert_hangs();
}

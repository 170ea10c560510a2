//! inet_03's minimal port, `examples/inet_03_smtp_by_hand.rs`, against
//! the mock SMTP server, and against a peer that splits a reply.
//!
//! What the port prints depends on how its one `read` per command cuts
//! the server's replies, which depends on timing. Against a server that
//! answers at once, only what does not depend on it is asserted: the
//! commands, the first reply, the result, and what the server got. The
//! whole conversation is asserted against a *slow* server (the mock
//! waits [`REPLY_DELAY`] before each reply), where each read returns
//! one whole reply, the one to the command before, the same way every
//! run.

use std::fs;
use std::io::{BufReader, Write};
use std::path::PathBuf;
use std::time::Duration;

use inet_mocks::SmtpMock;
use inet_mocks::smtp::{DOT, GREETING, Script};
use tempfile::TempDir;

use super::harness::{Example, Fault, WAIT, peer, read_line, run};

const NAME: &str = "inet_03_smtp_by_hand";

// ANCHOR: faults
/// What breaks the minimal port of inet_03.
pub const FAULTS: &[Fault] = &[
    Fault {
        name: "OneCommandLate",
        staged_by: "Script::delay before each reply (a slow server)",
        breaks: "the greeting is never read, so each reply is read after \
                 the next command: every `<--` line shows the reply to the \
                 command before, and QUIT's is never read",
        test: "each_reply_is_read_one_command_late",
    },
    Fault {
        name: "SplitReply",
        staged_by: "a peer in the test: a multi-line reply in two writes, \
                    cut in the middle of a line",
        breaks: "one read is taken for one reply: the next read starts in \
                 the middle of a line, and `int()` of `0 S` ends the \
                 program with an error",
        test: "a_reply_split_in_two_ends_it_with_an_error",
    },
    Fault {
        name: "NoDotStuffing",
        staged_by: "Script::new, a message with the lines `.dot line` and `.`",
        breaks: "lines that start with a dot go out as they are: the server \
                 takes the dot of `.dot line` away, and the lone `.` ends \
                 the message there",
        test: "a_line_with_a_dot_cuts_the_message_short",
    },
    Fault {
        name: "UnixLineEnds",
        staged_by: "Script::new, a mail file with LF line ends",
        breaks: "the message goes out with the file's bare LFs, which the \
                 server refuses (421, SMTP smuggling): nothing is delivered",
        test: "a_unix_mail_file_is_refused",
    },
    Fault {
        name: "SilentServer",
        staged_by: "Script::delay on the greeting, an hour",
        breaks: "no timeout: after EHLO the program waits for a reply as \
                 long as the server keeps silent",
        test: "a_silent_server_holds_it_forever",
    },
];
// ANCHOR_END: faults

/// How long the slow server waits before each reply: each read of the
/// port then returns one reply (as in `compare`'s run of inet_03).
const REPLY_DELAY: Duration = Duration::from_millis(100);

/// The chapter's `mail2.txt` after its first line, CRLF line ends.
const MESSAGE: &str = "From: me@example.test\r\nTo: you@example.test\r\n\
                       Subject: test\r\n\r\nligne1\r\nligne2\r\n\r\nligne3\r\n";

/// The DATA the port sends for `message`: headers it adds, the message,
/// then CRLF, dot, CRLF.
fn data(message: &str) -> String {
    format!(
        "From: me@example.test\r\nTo: you@example.test\r\n{message}\r\n.\r\n"
    )
}

/// Writes the mail file for `server` and `message` in `dir`.
fn mail_file(dir: &TempDir, server: &str, message: &str) -> PathBuf {
    let path = dir.path().join("mail2.txt");
    let first = format!("{server}, me@example.test , you@example.test\n");
    fs::write(&path, first + message).unwrap();
    path
}

/// Runs the port on `message` against `mock`, to its end.
fn send(mock: &SmtpMock, message: &str) -> super::harness::Output {
    let dir = TempDir::new().unwrap();
    let path = mail_file(&dir, &mock.addr().to_string(), message);
    let out = run(NAME, &[path.to_str().unwrap()]);
    assert!(mock.wait_for_sessions(1, WAIT));
    out
}

#[test]
fn a_message_is_delivered_and_the_exchange_shown() {
    let mock = Script::new().start().unwrap();
    let out = send(&mock, MESSAGE);

    let first = format!(
        "Envoi du message [{},me@example.test,you@example.test]\n\
         --> [EHLO localhost]\n<-- [220 ",
        mock.addr()
    );
    assert!(out.stdout.starts_with(&first), "{}", out.stdout);
    let commands: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("--> ["))
        .collect();
    let sent = [
        "--> [EHLO localhost]",
        "--> [MAIL FROM: <me@example.test>]",
        "--> [RCPT TO: <you@example.test>]",
        "--> [DATA]",
        "--> [From: me@example.test",
        "--> [QUIT]",
    ];
    assert_eq!(commands, sent);
    assert!(
        out.stdout
            .ends_with("Resultat de l'envoi : Message envoye\n")
    );
    assert_eq!(out.status, Some(0));

    let wire = format!(
        "EHLO localhost\r\nMAIL FROM: <me@example.test>\r\n\
         RCPT TO: <you@example.test>\r\nDATA\r\n{}QUIT\r\n",
        data(MESSAGE)
    );
    let received = mock.transcripts()[0].bytes_from_client();
    assert_eq!(String::from_utf8_lossy(&received), wire);
    let messages = mock.messages();
    assert_eq!(messages.len(), 1);
    // All but the final dot: the message, and an empty line more (the
    // CRLF the original puts before the dot, line 96).
    let data = data(MESSAGE);
    let kept = data.strip_suffix(".\r\n").unwrap();
    assert_eq!(String::from_utf8_lossy(&messages[0].data), kept);
}

#[test]
fn each_reply_is_read_one_command_late() {
    let script = Script::new()
        .greeting("220 slow.test hello")
        .reply("EHLO", "250-slow.test\n250 SIZE 1000")
        .reply("MAIL", "250 sender ok")
        .reply("RCPT", "250 recipient ok")
        .reply("DATA", "354 go on")
        .reply(DOT, "250 queued")
        .reply("QUIT", "221 bye");
    let script = ["EHLO", "MAIL", "RCPT", "DATA", DOT, "QUIT"]
        .iter()
        .fold(script, |script, verb| script.delay(verb, REPLY_DELAY));
    let mock = script.start().unwrap();

    let out = send(&mock, MESSAGE);

    let expected = format!(
        "Envoi du message [{},me@example.test,you@example.test]\n\
         --> [EHLO localhost]\n<-- [220 slow.test hello]\n\
         --> [MAIL FROM: <me@example.test>]\n\
         <-- [250-slow.test\r\n250 SIZE 1000]\n\
         --> [RCPT TO: <you@example.test>]\n<-- [250 sender ok]\n\
         --> [DATA]\n<-- [250 recipient ok]\n\
         --> [{}]\n<-- [354 go on]\n\
         --> [QUIT]\n<-- [250 queued]\n\
         Resultat de l'envoi : Message envoye\n",
        mock.addr(),
        data(MESSAGE)
    );
    assert_eq!(out.stdout, expected);
}

#[test]
fn a_reply_split_in_two_ends_it_with_an_error() {
    let (addr, peer) = peer(|stream| {
        let mut commands = BufReader::new(stream.try_clone().unwrap());
        let mut replies = stream;
        replies.write_all(b"220 peer.test hello\r\n").unwrap();
        let ehlo = read_line(&mut commands); // the greeting answers it
        let mail = read_line(&mut commands);
        // EHLO's reply, cut in the middle of its last line...
        replies.write_all(b"250-peer.test\r\n25").unwrap();
        let rcpt = read_line(&mut commands);
        // ... and the rest, a moment later.
        replies.write_all(b"0 SIZE 1000\r\n").unwrap();
        [ehlo, mail, rcpt]
    });
    let dir = TempDir::new().unwrap();
    let path = mail_file(&dir, &addr.to_string(), MESSAGE);

    let out = run(NAME, &[path.to_str().unwrap()]);

    let expected = format!(
        "Envoi du message [{addr},me@example.test,you@example.test]\n\
         --> [EHLO localhost]\n<-- [220 peer.test hello]\n\
         --> [MAIL FROM: <me@example.test>]\n<-- [250-peer.test\r\n]\n\
         --> [RCPT TO: <you@example.test>]\n<-- [0 SIZE 1000]\n",
    );
    assert_eq!(out.stdout, expected);
    assert_eq!(out.status, Some(1), "{}", out.stderr);
    let error = "invalid literal for int() with base 10: '0 S'";
    assert!(out.stderr.contains(error), "{}", out.stderr);
    let commands = peer.recv_timeout(WAIT).expect("the peer's commands");
    assert_eq!(commands[2], "RCPT TO: <you@example.test>\r\n");
}

#[test]
fn a_line_with_a_dot_cuts_the_message_short() {
    let mock = Script::new().start().unwrap();
    let message = "Subject: dots\r\n\r\n.dot line\r\n.\r\nnever sent\r\n";

    send(&mock, message);

    let messages = mock.messages();
    assert_eq!(messages.len(), 1);
    let kept = "From: me@example.test\r\nTo: you@example.test\r\n\
                Subject: dots\r\n\r\ndot line\r\n";
    assert_eq!(String::from_utf8_lossy(&messages[0].data), kept);
    // The rest of the message reached the server as commands.
    let replies = mock.transcripts()[0].bytes_to_client();
    let unknown = "500 5.5.2 Error: command not recognized";
    assert!(String::from_utf8_lossy(&replies).contains(unknown));
}

#[test]
fn a_unix_mail_file_is_refused() {
    let mock = Script::new().start().unwrap();

    send(&mock, &MESSAGE.replace("\r\n", "\n"));

    assert_eq!(mock.messages(), []);
    let replies = mock.transcripts()[0].bytes_to_client();
    let refused = "Error: bare <LF> received";
    assert!(String::from_utf8_lossy(&replies).contains(refused));
}

#[test]
fn a_silent_server_holds_it_forever() {
    let hour = Duration::from_secs(3600);
    let mock = Script::new().delay(GREETING, hour).start().unwrap();
    let dir = TempDir::new().unwrap();
    let path = mail_file(&dir, &mock.addr().to_string(), MESSAGE);

    let mut example = Example::start(NAME, &[path.to_str().unwrap()]);

    example.next_line(); // Envoi du message [...]
    assert_eq!(example.next_line(), "--> [EHLO localhost]");
    example.assert_hangs();
}

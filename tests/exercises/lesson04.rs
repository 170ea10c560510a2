//! Lesson 4's exercises.

#[path = "../../lessons/answers/after_the_group.rs"]
mod after_the_group_answer;
#[path = "../../lessons/exercises/after_the_group.rs"]
mod after_the_group_start;
#[path = "../../lessons/answers/drive_session.rs"]
mod drive_session_answer;
#[path = "../../lessons/exercises/drive_session.rs"]
mod drive_session_start;
#[path = "../../lessons/answers/py_repr.rs"]
mod py_repr_answer;
#[path = "../../lessons/exercises/py_repr.rs"]
mod py_repr_start;

use inet::smtp::Reply;
use inet::smtp::session::{Refused, Session, Stop};

/// A reply of one line.
fn reply(code: u16, text: &str) -> Reply {
    let lines = vec![text.to_owned()];
    Reply { code, lines }
}

/// An EHLO reply that lists `extensions`.
fn ehlo(extensions: &[&str]) -> Reply {
    let mut lines = vec!["s.test".to_owned()];
    lines.extend(extensions.iter().map(|&e| e.to_owned()));
    Reply { code: 250, lines }
}

/// A session that sends a message of 10 octets from `a@x` to `to`.
fn sending(to: &[&str]) -> Session {
    let mut session = Session::new("me");
    session.sendmail("a@x", to, 10);
    session
}

/// Lesson 4, exercise 1: a driver of the session over a list of replies.
mod drive_session {
    use super::{Refused, Reply, Session, Stop, ehlo, reply, sending};
    use super::{drive_session_answer as answer, drive_session_start as start};

    #[test]
    #[ignore = "exercise: `cargo test --test inet -- --ignored drive_session`"]
    fn start() {
        check(|s, r| {
            let driven = start::drive(s, r);
            (driven.log, driven.outcome)
        });
    }

    #[test]
    fn answer() {
        check(|s, r| {
            let driven = answer::drive(s, r);
            (driven.log, driven.outcome)
        });
    }

    /// What a driver gives: its log and the outcome.
    type Driven = (Vec<String>, Option<Result<Refused, Stop>>);

    fn check(drive: impl Fn(&mut Session, Vec<Reply>) -> Driven) {
        let log = |lines: &[&str]| -> Vec<String> {
            lines.iter().map(|&l| l.to_owned()).collect()
        };

        // Pipelined: the envelope in one group, then its replies.
        let replies = vec![
            ehlo(&["PIPELINING", "SIZE 1000"]),
            reply(250, "sender ok"),
            reply(250, "recipient ok"),
            reply(354, "go ahead"),
            reply(250, "queued"),
        ];
        let want = log(&[
            "--> ehlo me",
            "<-- 250",
            "--> mail FROM:<a@x> size=10",
            "--> rcpt TO:<b@y>",
            "--> data",
            "<-- 250",
            "<-- 250",
            "<-- 354",
            "--> <message>",
            "<-- 250",
        ]);
        let got = drive(&mut sending(&["b@y"]), replies);
        assert_eq!(
            got,
            (want, Some(Ok(Refused::new()))),
            "pipelined (left: your driver's, right: expected)"
        );

        // Lockstep: no PIPELINING listed, so a reply after each command;
        // an EHLO refused falls back to HELO.
        let replies = vec![
            reply(502, "no EHLO here"),
            reply(250, "hello"),
            reply(250, "sender ok"),
            reply(550, "no such user"),
            reply(250, "recipient ok"),
            reply(354, "go ahead"),
            reply(250, "queued"),
        ];
        let want = log(&[
            "--> ehlo me",
            "<-- 502",
            "--> helo me",
            "<-- 250",
            "--> mail FROM:<a@x>",
            "<-- 250",
            "--> rcpt TO:<b@y>",
            "<-- 550",
            "--> rcpt TO:<c@y>",
            "<-- 250",
            "--> data",
            "<-- 354",
            "--> <message>",
            "<-- 250",
        ]);
        let got = drive(&mut sending(&["b@y", "c@y"]), replies);
        let refused = vec![("b@y".to_owned(), reply(550, "no such user"))];
        assert_eq!(
            got,
            (want, Some(Ok(refused))),
            "lockstep (left: your driver's, right: expected)"
        );

        // The trap: every RCPT refused, DATA answered 354 all the same.
        let replies = vec![
            ehlo(&["PIPELINING"]),
            reply(250, "sender ok"),
            reply(550, "no such user"),
            reply(354, "go ahead"),
            reply(250, "empty message"),
            reply(250, "reset"),
        ];
        let want = log(&[
            "--> ehlo me",
            "<-- 250",
            "--> mail FROM:<a@x>",
            "--> rcpt TO:<b@y>",
            "--> data",
            "<-- 250",
            "<-- 550",
            "<-- 354",
            "--> .",
            "<-- 250",
            "--> rset",
            "<-- 250",
        ]);
        let got = drive(&mut sending(&["b@y"]), replies);
        let refused = vec![("b@y".to_owned(), reply(550, "no such user"))];
        let outcome = Some(Err(Stop::Recipients(refused)));
        assert_eq!(
            got,
            (want, outcome),
            "the trap (left: your driver's, right: expected)"
        );

        // The replies run out: a connection that broke, no outcome.
        let replies = vec![ehlo(&["PIPELINING"]), reply(250, "sender ok")];
        let want = log(&[
            "--> ehlo me",
            "<-- 250",
            "--> mail FROM:<a@x>",
            "--> rcpt TO:<b@y>",
            "--> data",
            "<-- 250",
        ]);
        let got = drive(&mut sending(&["b@y"]), replies);
        assert_eq!(
            got,
            (want, None),
            "replies that run out (left: your driver's, right: expected)"
        );
    }
}

/// Lesson 4, exercise 2: what follows the replies to a pipelined group.
mod after_the_group {
    use super::{Reply, ehlo, reply, sending};
    use super::{
        after_the_group_answer as answer, after_the_group_start as start,
    };
    use inet::smtp::session::Next;

    #[test]
    #[ignore = "exercise: `cargo test --test inet -- --ignored after_the_group`"]
    fn start() {
        check(start::after_the_group);
    }

    #[test]
    fn answer() {
        check(answer::after_the_group);
    }

    const MAIL: [u16; 4] = [250, 451, 550, 421];
    const RCPT: [u16; 5] = [250, 251, 450, 550, 421];
    const DATA: [u16; 4] = [354, 451, 554, 421];

    /// Every combination of codes, one to three recipients: the answer
    /// must be the session's.
    fn check(after: impl Fn(u16, &[u16], u16) -> Vec<&'static str>) {
        for rcpts in all_rcpts() {
            for (mail, data) in MAIL.iter().flat_map(|&m| DATA.map(|d| (m, d)))
            {
                let want = session_after(mail, &rcpts, data);
                let got = after(mail, &rcpts, data);
                assert_eq!(
                    got, want,
                    "MAIL answered {mail}, RCPT {rcpts:?}, DATA {data} \
                     (left: yours, right: the session's)"
                );
            }
        }
    }

    /// Every list of one to three RCPT codes.
    fn all_rcpts() -> Vec<Vec<u16>> {
        let mut all: Vec<Vec<u16>> = RCPT.iter().map(|&c| vec![c]).collect();
        let mut last = all.clone();
        for _ in 1..3 {
            let longer: Vec<Vec<u16>> = last
                .iter()
                .flat_map(|l| RCPT.map(|c| [l.clone(), vec![c]].concat()))
                .collect();
            all.extend(longer.iter().cloned());
            last = longer;
        }
        all
    }

    /// What the library's session writes after the group's replies, up
    /// to the message.
    fn session_after(mail: u16, rcpts: &[u16], data: u16) -> Vec<&'static str> {
        let to: Vec<String> =
            (0..rcpts.len()).map(|i| format!("r{i}@y")).collect();
        let to: Vec<&str> = to.iter().map(String::as_str).collect();
        let mut session = sending(&to);
        let mut replies: Vec<Reply> =
            vec![ehlo(&["PIPELINING"]), reply(mail, "x")];
        replies.extend(rcpts.iter().map(|&code| reply(code, "x")));
        replies.push(reply(data, "x"));
        let group_replies = replies.len() - 1;
        let mut replies = replies.into_iter();
        let (mut read, mut written) = (0, Vec::new());
        loop {
            match session.poll() {
                Next::Send(lines) if read > group_replies => {
                    for line in lines {
                        written.push(match &line.bytes[..] {
                            b".\r\n" => ".",
                            b"rset\r\n" => "rset",
                            other => panic!("unexpected {other:?}"),
                        });
                    }
                }
                Next::Send(_) => {}
                Next::Message { .. } => {
                    written.push("<message>");
                    return written;
                }
                Next::Read(_) => {
                    read += 1;
                    // After the group, each reply says yes.
                    let reply =
                        replies.next().unwrap_or_else(|| reply(250, "ok"));
                    session.receive(reply);
                }
                Next::Done(_) => return written,
            }
        }
    }
}

/// Lesson 4, exercise 3: Python 2's `repr()` of a byte string.
mod py_repr {
    use super::{py_repr_answer as answer, py_repr_start as start};
    use crate::exercises::{for_all, unsaved};
    use proptest::prelude::*;

    #[test]
    #[ignore = "exercise: `cargo test --test inet -- --ignored py_repr`"]
    fn start() {
        check(start::py_repr);
    }

    #[test]
    fn answer() {
        check(answer::py_repr);
    }

    /// Byte strings and what Python 2.7's `repr()` printed for each.
    const PYTHON: [(&[u8], &str); 13] = [
        (b"", "''"),
        (b"ehlo [127.0.0.1]\r\n", r"'ehlo [127.0.0.1]\r\n'"),
        (b"it's", r#""it's""#),
        (b"say \"hi\"", r#"'say "hi"'"#),
        (b"it's \"both\"", r#"'it\'s "both"'"#),
        (b"back\\slash", r"'back\\slash'"),
        (b"\t\x00\x7f\xff\xe9", r"'\t\x00\x7f\xff\xe9'"),
        (b"caf\xc3\xa9", r"'caf\xc3\xa9'"),
        (b"'", r#""'""#),
        (b"\"", r#"'"'"#),
        (b"'\"", r#"'\'"'"#),
        (b"\x1b[0m", r"'\x1b[0m'"),
        (b"~ !", "'~ !'"),
    ];

    fn check(py_repr: impl Fn(&[u8]) -> String) {
        for (bytes, python) in PYTHON {
            let shown = String::from_utf8_lossy(bytes);
            let why = "left: yours, right: Python's";
            assert_eq!(py_repr(bytes), python, "repr of {shown:?} ({why})");
        }
        // Any bytes, quotes and escapes often.
        let byte = prop_oneof![
            3 => any::<u8>(),
            1 => prop::sample::select(b"'\"\\\r\n\t ~".to_vec()),
        ];
        let bytes = prop::collection::vec(byte, 0..40);
        let what = "py_repr differs from the library's: ";
        for_all(what, unsaved(), &bytes, |bytes| {
            let library = inet::smtp::debug::py_repr(&bytes);
            prop_assert_eq!(py_repr(&bytes), library);
            Ok(())
        });
    }
}

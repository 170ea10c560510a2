//! Lesson 3's exercises.

#[path = "../../lessons/answers/smtp_reply.rs"]
mod smtp_reply_answer;
#[path = "../../lessons/exercises/smtp_reply.rs"]
mod smtp_reply_start;

#[path = "../../lessons/answers/data_lines.rs"]
mod data_lines_answer;
#[path = "../../lessons/exercises/data_lines.rs"]
mod data_lines_start;

#[path = "../../lessons/answers/mail_command.rs"]
mod mail_command_answer;
#[path = "../../lessons/exercises/mail_command.rs"]
mod mail_command_start;

/// Lesson 3, exercise 1: one SMTP reply, whole, however its bytes come.
mod smtp_reply {
    use super::{smtp_reply_answer as answer, smtp_reply_start as start};
    use crate::common::Chunked;
    use std::io::{self, BufRead, BufReader};

    #[test]
    #[ignore = "exercise: `cargo test --test inet -- --ignored smtp_reply`"]
    fn start() {
        check(|mut input| {
            let reply = start::read_reply(&mut input)?;
            Ok((reply.code, reply.lines))
        });
    }

    #[test]
    fn answer() {
        check(|mut input| {
            let reply = answer::read_reply(&mut input)?;
            Ok((reply.code, reply.lines))
        });
    }

    /// A reply as the check sees it: its code and its lines' text.
    type Got = io::Result<(u16, Vec<String>)>;

    /// Every reply in `wire`, read in pieces of `size` bytes, then what
    /// the next read gave (an error: the stream has ended).
    fn replies(
        read: &impl Fn(&mut dyn BufRead) -> Got,
        wire: &[u8],
        size: usize,
        count: usize,
    ) -> Vec<Got> {
        let mut input = BufReader::new(Chunked::new(wire, &[size]));
        (0..count).map(|_| read(&mut input)).collect()
    }

    fn reply(code: u16, lines: &[&str]) -> (u16, Vec<String>) {
        (code, lines.iter().map(|&l| l.to_owned()).collect())
    }

    fn check(read: impl Fn(&mut dyn BufRead) -> Got) {
        let wire =
            b"220 mock.test ESMTP\r\n250-mock.test\r\n250-PIPELINING\r\n\
                     250 SIZE 10240000\r\n250 2.1.0 Ok\n354\r\n";
        let want = [
            reply(220, &["mock.test ESMTP"]),
            reply(250, &["mock.test", "PIPELINING", "SIZE 10240000"]),
            reply(250, &["2.1.0 Ok"]),
            reply(354, &[""]),
        ];
        for size in [wire.len(), 1, 2, 3, 5, 7, 16] {
            let got = replies(&read, wire, size, 5);
            for (i, want) in want.iter().enumerate() {
                match &got[i] {
                    Ok(got) => assert_eq!(
                        got,
                        want,
                        "reply {} of {wire:?} read in pieces of {size}",
                        i + 1
                    ),
                    Err(e) => {
                        panic!("reply {} read in pieces of {size}: {e}", i + 1)
                    }
                }
            }
            let end = got[4].as_ref().err().map(io::Error::kind);
            assert_eq!(
                end,
                Some(io::ErrorKind::UnexpectedEof),
                "after the last reply, the stream has ended"
            );
        }
        refuses_what_is_no_reply(&read);
    }

    fn refuses_what_is_no_reply(read: &impl Fn(&mut dyn BufRead) -> Got) {
        let kind = |wire: &[u8]| -> Option<io::ErrorKind> {
            replies(read, wire, 1, 1)[0]
                .as_ref()
                .err()
                .map(io::Error::kind)
        };
        let invalid = Some(io::ErrorKind::InvalidData);
        for bad in [
            &b"2x0 oops\r\n"[..],
            b"hello\r\n",
            b"25\r\n",
            b"650 no\r\n",
            b"250x\r\n",
        ] {
            assert_eq!(
                kind(bad),
                invalid,
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
        assert_eq!(
            kind(b"250-mock.test\r\n550 no\r\n"),
            invalid,
            "a reply whose code changes"
        );
        let long = [&b"250 "[..], &[b'x'; 600], b"\r\n"].concat();
        assert_eq!(kind(&long), invalid, "a line over 512 octets");
        let fits = [&b"250 "[..], &[b'x'; 506], b"\r\n"].concat();
        let got = replies(read, &fits, 64, 1).remove(0);
        assert!(got.is_ok(), "a line of 512 octets is allowed: {got:?}");
        let eof = Some(io::ErrorKind::UnexpectedEof);
        assert_eq!(
            kind(b"250-mock.test\r\n"),
            eof,
            "the stream ends mid-reply"
        );
        assert_eq!(kind(b"250 mock"), eof, "the stream ends mid-line");
        assert_eq!(kind(b""), eof, "nothing at all");
    }
}

/// Lesson 3, exercise 2: the message as it goes after `354`.
mod data_lines {
    use super::{data_lines_answer as answer, data_lines_start as start};
    use crate::exercises::for_all;
    use proptest::prelude::*;
    use proptest::test_runner::Config;

    #[test]
    #[ignore = "exercise: `cargo test --test inet -- --ignored data_lines`"]
    fn start() {
        check(start::data);
    }

    #[test]
    fn answer() {
        check(answer::data);
    }

    /// What a server keeps of `wire`: its lines up to the first lone dot,
    /// each unstuffed, and what came after that line (written here, not
    /// taken from the library, so that one bug can't hide on both sides).
    fn server_reads(wire: &[u8]) -> Option<(Vec<Vec<u8>>, Vec<u8>)> {
        let mut kept = Vec::new();
        let mut rest = wire;
        loop {
            let end = rest.windows(2).position(|w| w == b"\r\n")?;
            let line = &rest[..end];
            rest = &rest[end + 2..];
            if line == b"." {
                return Some((kept, rest.to_vec()));
            }
            kept.push(line.strip_prefix(b".").unwrap_or(line).to_vec());
        }
    }

    /// The lines of `message`, cut at `\r\n`, `\n` or a lone `\r`; a
    /// last line without a line end is a line too.
    fn lines(message: &[u8]) -> Vec<Vec<u8>> {
        let (mut lines, mut line) = (Vec::new(), Vec::new());
        let mut bytes = message.iter().peekable();
        while let Some(&byte) = bytes.next() {
            match byte {
                b'\r' | b'\n' => {
                    lines.push(std::mem::take(&mut line));
                    if byte == b'\r' {
                        bytes.next_if_eq(&&b'\n');
                    }
                }
                _ => line.push(byte),
            }
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines
    }

    fn check(data: impl Fn(&[u8]) -> Vec<u8>) {
        let cases: [(&[u8], &[u8]); 8] = [
            (
                b"Subject: x\n\n.a dot\n",
                b"Subject: x\r\n\r\n..a dot\r\n.\r\n",
            ),
            (b"", b".\r\n"),
            (b"a", b"a\r\n.\r\n"),
            (b"a\r\n", b"a\r\n.\r\n"),
            (b".\n", b"..\r\n.\r\n"),
            (b"a\r\r\n", b"a\r\n\r\n.\r\n"),
            // smtplib's own test of quotedata, with the final dot.
            (
                b"abc\n.jkl\rfoo\r\n..blue",
                b"abc\r\n..jkl\r\nfoo\r\n...blue\r\n.\r\n",
            ),
            (b"\n", b"\r\n.\r\n"),
        ];
        for (message, want) in cases {
            let got = data(message);
            assert_eq!(
                String::from_utf8_lossy(&got),
                String::from_utf8_lossy(want),
                "the message {:?}",
                String::from_utf8_lossy(message)
            );
        }
        let message = proptest::collection::vec(
            prop_oneof![
                Just(b'.'),
                Just(b'\r'),
                Just(b'\n'),
                Just(b'a'),
                any::<u8>()
            ],
            0..40,
        );
        for_all("", Config::with_cases(500), &message, |message| {
            let wire = data(&message);
            let Some((kept, after)) = server_reads(&wire) else {
                panic!("no final dot line in {wire:?}");
            };
            prop_assert_eq!(after, Vec::<u8>::new(), "bytes after the dot");
            prop_assert_eq!(kept, lines(&message));
            Ok(())
        });
    }
}

/// Lesson 3, exercise 3: a MAIL command that can't carry a second one.
mod mail_command {
    use super::{mail_command_answer as answer, mail_command_start as start};

    #[test]
    #[ignore = "exercise: `cargo test --test inet -- --ignored mail_command`"]
    fn start() {
        check(start::mail_from);
    }

    #[test]
    fn answer() {
        check(answer::mail_from);
    }

    fn check(mail_from: impl Fn(&str) -> Result<Vec<u8>, String>) {
        let line = |sender: &str| {
            let got = mail_from(sender);
            got.map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        };
        assert_eq!(
            line("me@x.test").as_deref(),
            Ok("MAIL FROM:<me@x.test>\r\n")
        );
        assert_eq!(
            line("").as_deref(),
            Ok("MAIL FROM:<>\r\n"),
            "the null path"
        );
        for smuggler in [
            "me@x.test>\r\nRCPT TO:<victim@y.test",
            "me@x.test\nRSET",
            "me@x.test\r",
            "me\0@x.test",
        ] {
            assert!(line(smuggler).is_err(), "{smuggler:?} must be refused");
        }
        assert!(line("josé@x.test").is_err(), "beyond ASCII");
        // `<` + 254 octets + `>` is 256: the longest path allowed.
        let longest = format!("{}@x.test", "a".repeat(247));
        assert_eq!(longest.len() + 2, 256);
        assert!(line(&longest).is_ok(), "a path of 256 octets is allowed");
        let over = format!("a{longest}");
        assert!(line(&over).is_err(), "a path of 257 octets");
    }
}

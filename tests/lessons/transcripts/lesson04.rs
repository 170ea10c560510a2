//! The scenes of lesson 4, SMTP through a library.

use super::super::scene::{Play, Scene, Stop};

/// Lesson 4's scenes, by the name its markers give.
pub const SCENES: &[(&str, Play)] = &[
    ("mock-smtp-dump", mock_smtp_dump),
    ("smtp-send-debug", smtp_send_debug),
    ("smtp-send-beside-inet-04", smtp_send_beside_inet_04),
];

/// The port of lesson 4's mock SMTP server.
const SMTP_PORT: u16 = 2526;

/// Lesson 3's `mail2.txt`, for the mock on [`SMTP_PORT`].
const MAIL2: &str = "\
127.0.0.1:2526, me@x.test , you@y.test
From: me@x.test
To: you@y.test
Subject: test

ligne1
.dot line
..two dots

ligne3
";

/// The mock SMTP server of lesson 4, which keeps each message in `dump/`.
fn mock_smtp_dump(s: &mut Scene) -> Result<(), Stop> {
    s.server("mock-smtp --port 2526 --dump-dir dump", SMTP_PORT)
}

/// `smtp-send --debug`, with the mock started in another terminal.
fn smtp_send_debug(s: &mut Scene) -> Result<(), Stop> {
    s.quietly(|s| {
        mock_smtp_dump(s)?;
        s.file("mail2.txt", MAIL2)
    })?;
    s.run("smtp-send --debug mail2.txt")?;
    Ok(())
}

/// inet_04.py and `smtp-send --debug`, after the run above, against the
/// same mock: their debug lines side by side, and the messages kept.
fn smtp_send_beside_inet_04(s: &mut Scene) -> Result<(), Stop> {
    s.needs_python()?;
    s.quietly(smtp_send_debug)?;
    s.run("python2.7 $ORIGINALS/inet_04.py 2> py.err")?;
    s.run("smtp-send --debug mail2.txt 2> rs.err")?;
    s.run("diff py.err rs.err")?;
    s.run("cmp dump/msg-0002.eml dump/msg-0003.eml && echo same")?;
    Ok(())
}

//! The scenes behind the lessons' transcripts. A block of commands and
//! their output in a lesson is marked with the name of its scene,
//!
//! ````text
//! <!-- transcript: smtp-send-debug -->
//! ```text
//! $ smtp-send --debug mail2.txt
//! ...
//! ```
//! ````
//!
//! and `cargo test --test lessons` fails when the block differs from what
//! the scene prints; `BLESS=1 cargo test --test lessons` rewrites it. A
//! scene plays the commands the block shows, on a stage of its own
//! (`scene.rs`): a scratch directory, the programs on `PATH`, servers on
//! free ports shown as the ports the lesson chose.
//!
//! To add one: write a function that plays the commands (`s.run` for a
//! command shown with its output, `s.server` for a server started in
//! another terminal, `s.quietly` for what the reader did earlier and the
//! block does not show), add it to [`SCENES`] under a new name, and put the
//! marker before the block.

use super::scene::{Play, Scene, Stop};

/// Every scene, by the name its lesson's marker gives.
pub const SCENES: &[(&str, Play)] = &[
    // Lesson 4, SMTP through a library.
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

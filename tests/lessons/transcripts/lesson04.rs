//! The scenes of lesson 4, SMTP through a library.

use super::super::scene::{Play, Scene, Stop};

/// Lesson 4's scenes, by the name its markers give.
pub const SCENES: &[(&str, Play)] = &[
    // Lesson 4, SMTP through a library.
    ("mock-smtp-dump", mock_smtp_dump),
    ("smtp-send-debug", smtp_send_debug),
    ("smtp-send-beside-inet-04", smtp_send_beside_inet_04),
    // Lessons 1 to 6, "Side by side with the original": each port against
    // the recording of its original.
    ("compare-inet-01", compare_inet_01),
    ("compare-inet-02", compare_inet_02),
    ("compare-inet-03", compare_inet_03),
    ("compare-inet-04", compare_inet_04),
    ("compare-inet-06-08", compare_inet_06_08),
    ("compare-inet-10", compare_inet_10),
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

/// `compare` on a recording (`lessons/recordings/NAME.txt`), from the
/// root of a clone: the port's live run against what the original did
/// when it was recorded. No Python needed, so the lessons show this run.
fn compare_recording(
    s: &mut Scene,
    name: &str,
    recording: &str,
) -> Result<(), Stop> {
    let path = format!("lessons/recordings/{name}.txt");
    s.file(&path, recording)?;
    s.run(&format!("compare {path}"))?;
    Ok(())
}

fn compare_inet_01(s: &mut Scene) -> Result<(), Stop> {
    let recording = include_str!("../../lessons/recordings/inet_01.txt");
    compare_recording(s, "inet_01", recording)
}

fn compare_inet_02(s: &mut Scene) -> Result<(), Stop> {
    let recording = include_str!("../../lessons/recordings/inet_02.txt");
    compare_recording(s, "inet_02", recording)
}

fn compare_inet_03(s: &mut Scene) -> Result<(), Stop> {
    let recording = include_str!("../../lessons/recordings/inet_03.txt");
    compare_recording(s, "inet_03", recording)
}

fn compare_inet_04(s: &mut Scene) -> Result<(), Stop> {
    let recording = include_str!("../../lessons/recordings/inet_04.txt");
    compare_recording(s, "inet_04", recording)
}

fn compare_inet_06_08(s: &mut Scene) -> Result<(), Stop> {
    let recording = include_str!("../../lessons/recordings/inet_06_08.txt");
    compare_recording(s, "inet_06_08", recording)
}

fn compare_inet_10(s: &mut Scene) -> Result<(), Stop> {
    let recording = include_str!("../../lessons/recordings/inet_10.txt");
    compare_recording(s, "inet_10", recording)
}

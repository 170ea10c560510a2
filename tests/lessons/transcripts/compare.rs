//! The scenes of the "Side by side with the original" sections of
//! lessons 1 to 6: each port against the recording of its original, so
//! the reports run offline and can't go stale.

use super::super::scene::{Play, Scene, Stop};

/// The compare reports' scenes, by the name their markers give.
pub const SCENES: &[(&str, Play)] = &[
    ("compare-inet-01", compare_inet_01),
    ("compare-inet-02", compare_inet_02),
    ("compare-inet-03", compare_inet_03),
    ("compare-inet-04", compare_inet_04),
    ("compare-inet-06-08", compare_inet_06_08),
    ("compare-inet-10", compare_inet_10),
];

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
    let recording = include_str!("../../../lessons/recordings/inet_01.txt");
    compare_recording(s, "inet_01", recording)
}

fn compare_inet_02(s: &mut Scene) -> Result<(), Stop> {
    let recording = include_str!("../../../lessons/recordings/inet_02.txt");
    compare_recording(s, "inet_02", recording)
}

fn compare_inet_03(s: &mut Scene) -> Result<(), Stop> {
    let recording = include_str!("../../../lessons/recordings/inet_03.txt");
    compare_recording(s, "inet_03", recording)
}

fn compare_inet_04(s: &mut Scene) -> Result<(), Stop> {
    let recording = include_str!("../../../lessons/recordings/inet_04.txt");
    compare_recording(s, "inet_04", recording)
}

fn compare_inet_06_08(s: &mut Scene) -> Result<(), Stop> {
    let recording = include_str!("../../../lessons/recordings/inet_06_08.txt");
    compare_recording(s, "inet_06_08", recording)
}

fn compare_inet_10(s: &mut Scene) -> Result<(), Stop> {
    let recording = include_str!("../../../lessons/recordings/inet_10.txt");
    compare_recording(s, "inet_10", recording)
}

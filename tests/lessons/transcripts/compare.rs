//! The scenes of the "Side by side with the original" sections of
//! lessons 1 to 6: each port against the recording of its original, so
//! the reports run offline and can't go stale.

use std::fs;
use std::path::Path;

use super::super::scene::{Play, Scene, Stop};

/// The compare reports' scenes, by the name their markers give.
pub const SCENES: &[(&str, Play)] = &[
    ("compare-inet-01", |s| compare_recording(s, "inet_01")),
    ("compare-inet-02", |s| compare_recording(s, "inet_02")),
    ("compare-inet-03", |s| compare_recording(s, "inet_03")),
    ("compare-inet-04", |s| compare_recording(s, "inet_04")),
    ("compare-inet-06-08", |s| compare_recording(s, "inet_06_08")),
    ("compare-inet-10", |s| compare_recording(s, "inet_10")),
];

/// `compare` on a recording (`lessons/recordings/NAME.txt`), from the
/// root of a clone: the port's live run against what the original did
/// when it was recorded. No Python needed, so the lessons show this run.
fn compare_recording(s: &mut Scene, name: &str) -> Result<(), Stop> {
    let path = format!("lessons/recordings/{name}.txt");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let recording = fs::read_to_string(root.join(&path))
        .map_err(|e| Stop::Fail(format!("cannot read {path}: {e}")))?;
    s.file(&path, &recording)?;
    s.run(&format!("compare {path}"))?;
    Ok(())
}

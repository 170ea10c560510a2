//! The scenes of the "Side by side with the original" sections of
//! lessons 1 to 6: each port against the recording of its original, so
//! the reports run offline and can't go stale.

use super::super::scene::{Play, Scene, Stop};

/// The scene of [`compare_recording`] on `lessons/recordings/NAME.txt`,
/// the recording read in when the tests are built.
macro_rules! compare {
    ($name:literal) => {
        |s: &mut Scene| {
            let recording = include_str!(concat!(
                "../../../lessons/recordings/",
                $name,
                ".txt"
            ));
            compare_recording(s, $name, recording)
        }
    };
}

/// The compare reports' scenes, by the name their markers give.
pub const SCENES: &[(&str, Play)] = &[
    ("compare-inet-01", compare!("inet_01")),
    ("compare-inet-02", compare!("inet_02")),
    ("compare-inet-03", compare!("inet_03")),
    ("compare-inet-04", compare!("inet_04")),
    ("compare-inet-06-08", compare!("inet_06_08")),
    ("compare-inet-10", compare!("inet_10")),
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

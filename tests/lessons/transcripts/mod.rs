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
//! and `cargo test --test inet lessons::` fails when the block differs from what
//! the scene prints; `BLESS=1 cargo test --test inet lessons::` rewrites it. A
//! scene plays the commands the block shows, on a stage of its own
//! (`scene.rs`): a scratch directory, the programs on `PATH`, servers on
//! free ports shown as the ports the lesson chose.
//!
//! To add one: write a function that plays the commands (`s.run` for a
//! command shown with its output, `s.server` for a server started in
//! another terminal, `s.start` and `s.finish` for a client started in
//! another terminal and shown when it ends, `s.quietly` for what the
//! reader did earlier and the block does not show; a command typed as
//! `cargo run ...` runs the program cargo would run), add it to its lesson's
//! `SCENES` (one file per lesson, `lessonNN.rs`) under a new name, and put
//! the marker before the block.

use super::scene::{Play, Scene, Stop};

mod compare;
mod lesson00;
mod lesson01;
mod lesson02;
mod lesson03;
mod lesson04;
mod lesson05;
mod lesson06;
mod lesson07;

/// Every lesson's scenes.
const LESSONS: &[&[(&str, Play)]] = &[
    lesson00::SCENES,
    lesson01::SCENES,
    lesson02::SCENES,
    lesson03::SCENES,
    lesson04::SCENES,
    lesson05::SCENES,
    lesson06::SCENES,
    lesson07::SCENES,
    compare::SCENES,
];

/// With `server` started in another terminal: the mail files `files`
/// write, then `copy`, the one that names `server` (shown when the reader
/// makes it, not when it was made earlier). The lesson's first mock is
/// not started: the copy names another port, and nothing else is sent.
fn against(
    s: &mut Scene,
    files: &[&str],
    server: Play,
    (copy, shown): (&str, bool),
) -> Result<(), Stop> {
    s.quietly(|s| {
        for file in files {
            s.run(file)?;
        }
        server(s)
    })?;
    match shown {
        true => s.run(copy)?,
        false => s.quietly(|s| s.run(copy))?,
    };
    Ok(())
}

/// Every scene, by the name its lesson's marker gives.
pub fn scenes() -> impl Iterator<Item = &'static (&'static str, Play)> {
    LESSONS.iter().flat_map(|scenes| scenes.iter())
}

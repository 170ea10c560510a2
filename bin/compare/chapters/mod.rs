//! The chapters `compare` knows, one file each, and which one a file
//! name means.
//!
//! # A chapter
//!
//! A [`Chapter`] is a constant: its originals' file names, the lesson
//! (embedded with `include_str!`, so the table `compare` reads *is* the
//! lesson's), the recording of its originals (embedded too, for a
//! machine without Python 2.7), and its [`Plan`]s, one per comparison.
//! A plan runs each side on its own, so that the original's side can come
//! from a recording instead: `python` runs the original, `rust` the port,
//! each returning a [`Side`]. In its usual shape (read `names.rs`, the
//! first one), a side's function
//!
//! 1. starts the mocks, fresh, from the chapter's script
//!    (`inet_mocks::{DnsMock, HttpMock, SmtpMock}`);
//! 2. runs its program: the original under the shim with
//!    [`Job::original`](super::job::Job::original), telling the shim where
//!    the mocks are with `.env("INET_COMPARE_SMTP", mock.addr())` (or
//!    `_HTTP`, `_HOSTS`; see `shim.py`), or the port with
//!    [`Job::program`](super::job::Job::program)`(setup, "webget")?` and
//!    the mock's address on its command line; its input with
//!    `.stdin(...)`, its files with `.file(...)`, then `.run()?` (a client)
//!    or `.spawn_server(timeout)?` / `.spawn()?` (a server: talk to it,
//!    then `.stop()?`);
//! 3. turns what it did into a [`Side`] with `finished.side(&normaliser)`
//!    (stdout, stderr, exit status) and the mock's channels with
//!    `.transcripts(&mock.transcripts(), &normaliser)` (`server
//!    received`, `server sent`), normalising what changes from run to run
//!    ([`Normaliser`](super::lines::Normaliser): the mock's port becomes
//!    `PORT`).
//!
//! The server chapters (`echo.rs`, `generic.rs`) play a script against a
//! server instead, with the pieces in `scripted.rs`.
//!
//! # Adding one
//!
//! Write `chapters/NAME.rs` with `pub const CHAPTER: Chapter = ...` (copy
//! `names.rs`), add `mod NAME;` below and its chapter to [`ALL`], make
//! an empty recording (`recording 1`, `chapter KEY`) for `include_str!`,
//! then `compare --record ORIGINALS` with Python 2.7. The lesson's
//! "Differences from the Python original" table must explain every line
//! where the two differ (see `lessons/01-names.md`).

use std::path::Path;

use super::error::CompareError;
use super::setup::Setup;
use super::side::Side;

mod echo;
mod generic;
mod names;
mod scripted;
mod smtp_lib;
mod smtp_raw;
mod web;

/// Runs one side of a comparison and returns what it did.
pub type Run = fn(&Setup) -> Result<Side, CompareError>;

/// One comparison of a chapter: how to run each side.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// What is compared: `inet_01.py | resolve --dns-server MOCK`.
    pub title: &'static str,
    /// Runs the original (under the shim).
    pub python: Run,
    /// Runs the port.
    pub rust: Run,
    /// The port's side runs an original too (the echo client against the
    /// original server): without Python 2.7 it can't be run, and it is
    /// not recorded.
    pub rust_needs_python: bool,
}

/// One chapter of the comparison.
#[derive(Debug, Clone, Copy)]
pub struct Chapter {
    /// Its key: `inet_01`, `inet_06_08`, also its recording's file name
    /// (`lessons/recordings/inet_01.txt`).
    pub key: &'static str,
    /// What it is about, for the report's heading: `names (inet_01)`.
    pub title: &'static str,
    /// Its originals' file names, all in one folder.
    pub originals: &'static [&'static str],
    /// The lesson, from the repository root: `lessons/01-names.md`.
    pub lesson_path: &'static str,
    /// The lesson's text (`include_str!`).
    pub lesson: &'static str,
    /// The recording of its originals, as built into `compare`
    /// (`include_str!`).
    pub recording: &'static str,
    /// Its comparisons.
    pub plans: &'static [Plan],
}

/// Every chapter, in the lessons' order.
pub const ALL: [&Chapter; 6] = [
    &names::CHAPTER,
    &web::CHAPTER,
    &smtp_raw::CHAPTER,
    &smtp_lib::CHAPTER,
    &echo::CHAPTER,
    &generic::CHAPTER,
];

/// The chapter whose key is `key` (`inet_01`), if there is one.
pub fn by_key(key: &str) -> Option<&'static Chapter> {
    ALL.into_iter().find(|chapter| chapter.key == key)
}

/// The chapter whose originals include the file `path` names:
/// `PATH/inet_NN.py`.
///
/// # Errors
/// [`CompareError::UnknownChapter`] for any other name.
pub fn of_path(path: &Path) -> Result<&'static Chapter, CompareError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    ALL.into_iter()
        .find(|chapter| chapter.originals.contains(&&*name))
        .ok_or_else(|| {
            let known: Vec<&str> = ALL
                .iter()
                .flat_map(|chapter| chapter.originals)
                .copied()
                .collect();
            CompareError::UnknownChapter(format!(
                "{name:?} is not one of the chapter's originals ({}), nor a \
                 recording",
                known.join(", ")
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recording::Recording;
    use crate::table;

    /// The numbers of the chapter's originals (06 and 08 are both the echo
    /// chapter).
    const NUMBERS: [&str; 7] = ["01", "02", "03", "04", "06", "08", "10"];

    #[test]
    fn the_chapter_comes_from_the_file_name() {
        let names = of_path(Path::new("originals/inet_01.py")).unwrap();
        assert_eq!(names.lesson_path, "lessons/01-names.md");
        for bad in [
            "inet_05.py",
            "inet_1.py",
            "inet_01.txt",
            "inet_01.py.bak",
            "",
        ] {
            let err = of_path(Path::new(bad));
            assert!(
                matches!(err, Err(CompareError::UnknownChapter(_))),
                "{bad}"
            );
        }
        for nn in NUMBERS {
            let chapter = of_path(Path::new(&format!("inet_{nn}.py"))).unwrap();
            assert!(
                chapter
                    .originals
                    .contains(&format!("inet_{nn}.py").as_str())
            );
            assert_eq!(by_key(chapter.key).unwrap().key, chapter.key);
        }
    }

    /// Every chapter's lesson has a table `compare` can read, and its
    /// recording is its own and has a side for each plan that is run
    /// without Python.
    #[test]
    fn every_chapter_has_a_table_and_a_recording_of_its_plans() {
        for chapter in ALL {
            let rows = table::parse(chapter.lesson).unwrap();
            assert!(!rows.is_empty(), "{}", chapter.lesson_path);
            let recording = Recording::parse(chapter.recording).unwrap();
            assert_eq!(recording.chapter, chapter.key);
            for name in chapter.originals {
                assert!(recording.hash_of(name).is_some(), "{name}");
            }
            for plan in chapter.plans {
                // The report heads it `== TITLE ==`, in WIDTH columns.
                let width = plan.title.chars().count() + 6;
                assert!(width <= crate::report::WIDTH, "{}", plan.title);
            }
            for plan in chapter.plans.iter().filter(|p| !p.rust_needs_python) {
                let side = recording.side(plan.title);
                assert!(side.is_some(), "{}: {}", chapter.key, plan.title);
            }
        }
    }
}

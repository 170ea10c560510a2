//! The chapters `compare` knows, one file each, and which one a file
//! name means.
//!
//! # A chapter
//!
//! A [`Chapter`] is a constant: the original's file name, the lesson
//! (embedded with `include_str!`, so the table `compare` reads *is* the
//! lesson's), and a [`Scenario`]: a function that runs both sides and
//! returns one [`Comparison`] or more. A scenario, in its usual shape
//! (read `names.rs`, the first one):
//!
//! 1. start the mocks for the Python side, fresh, from the chapter's
//!    script (`inet_mocks::{DnsMock, HttpMock, SmtpMock}`);
//! 2. run the original under the shim: [`Job::original`](super::Job::original),
//!    telling the shim where the mocks are with `.env("INET_COMPARE_SMTP",
//!    mock.addr())` (or `_HTTP`, `_HOSTS`; see `shim.py`), its input with
//!    `.stdin(...)`, its files with `.file(...)`, then `.run()?` (a client)
//!    or `.spawn_server(timeout)?` (a server, started on the port it
//!    reports: [`Job::spawn_server`](super::Job::spawn_server); talk to
//!    it; `.stop()?`);
//! 3. start the same mocks afresh for the Rust side and run the port
//!    likewise: [`Job::program`](super::Job::program)`(setup, "webget")?`,
//!    with the mock's address on its command line;
//! 4. turn each [`Finished`](super::Finished) into a [`Side`](super::Side)
//!    with `.side(&normaliser)` (stdout, stderr, exit status), add the
//!    mock's channels with `.transcripts(&mock.transcripts(), &normaliser)`
//!    (`server received`, `server sent`), normalising what changes from
//!    run to run ([`Normaliser`](super::Normaliser): the mock's port
//!    becomes `PORT`);
//! 5. return `vec![Comparison { title, python, rust }]`.
//!
//! The server chapters (`echo.rs`, `generic.rs`) play a script against a
//! server instead, with the pieces in `scripted.rs`.
//!
//! # Adding one
//!
//! Write `chapters/NAME.rs` with `pub const CHAPTER: Chapter = ...` (copy
//! `names.rs`), add `mod NAME;` below and its arm in [`by_number`]. The
//! lesson's "Differences from the Python original" table must list what
//! the run shows (and only that: see `lessons/01-names.md`).

use std::path::Path;

use super::{CompareError, Comparison, Setup};

mod echo;
mod generic;
mod names;
mod scripted;
mod smtp_lib;
mod smtp_raw;
mod web;

/// Runs both sides of a chapter and returns what each did.
pub type Scenario = fn(&Setup) -> Result<Vec<Comparison>, CompareError>;

/// One chapter of the comparison.
#[derive(Debug, Clone, Copy)]
pub struct Chapter {
    /// What it is about, for the report's heading: `names (inet_01)`.
    pub title: &'static str,
    /// The lesson, from the repository root: `lessons/01-names.md`.
    pub lesson_path: &'static str,
    /// The lesson's text (`include_str!`).
    pub lesson: &'static str,
    /// Runs it.
    pub scenario: Scenario,
}

/// The numbers of the chapter's originals (06 and 08 are both the echo
/// chapter).
pub const NUMBERS: [&str; 7] = ["01", "02", "03", "04", "06", "08", "10"];

/// The chapter of original number `nn` (`"01"`), if there is one.
pub fn by_number(nn: &str) -> Option<&'static Chapter> {
    match nn {
        "01" => Some(&names::CHAPTER),
        "02" => Some(&web::CHAPTER),
        "03" => Some(&smtp_raw::CHAPTER),
        "04" => Some(&smtp_lib::CHAPTER),
        "06" | "08" => Some(&echo::CHAPTER),
        "10" => Some(&generic::CHAPTER),
        _ => None,
    }
}

/// The chapter the original's file name means: `PATH/inet_NN.py`.
///
/// # Errors
/// [`CompareError::UnknownChapter`] for any other name.
pub fn of_path(path: &Path) -> Result<&'static Chapter, CompareError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    name.strip_prefix("inet_")
        .and_then(|rest| rest.strip_suffix(".py"))
        .and_then(by_number)
        .ok_or_else(|| {
            let known: Vec<String> =
                NUMBERS.iter().map(|n| format!("inet_{n}.py")).collect();
            CompareError::UnknownChapter(format!(
                "{name:?} is not one of the chapter's originals ({})",
                known.join(", ")
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }

    /// Every chapter's lesson has a table `compare` can read.
    #[test]
    fn every_chapter_lesson_has_a_readable_table() {
        for nn in NUMBERS {
            if let Some(chapter) = by_number(nn) {
                let rows = super::super::table::parse(chapter.lesson).unwrap();
                assert!(!rows.is_empty(), "{}", chapter.lesson_path);
            }
        }
    }
}

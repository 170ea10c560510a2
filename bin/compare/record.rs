//! `compare --record ORIGINALS`: runs each original's side of every
//! comparison of its chapter, with Python 2.7, and keeps it as a
//! recording ([`super::recording`]) in `lessons/recordings` (or
//! `--recordings DIR`), so that readers without Python 2.7, and `cargo
//! test`, can compare the ports with it.
//!
//! Only the original's side is recorded, never the port's (it is run
//! each time), and no comparison whose port's side needs Python too.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::chapters::{self, Chapter};
use super::error::CompareError;
use super::python::Found;
use super::recording::Recording;
use super::run::{Options, originals};
use super::setup::Setup;
use super::sha256::hex_digest;

/// Where recordings go, from the root of the clone.
pub const DEFAULT_DIR: &str = "lessons/recordings";

/// Records the chapter(s) `path` names (an original, or a folder of
/// them) into the recordings' folder; says what it wrote on `out`.
///
/// # Errors
/// [`CompareError`]: no Python 2.7, no such folder, an original that
/// can't be read or run.
pub fn record(
    path: &Path,
    options: &Options,
    out: &mut impl Write,
) -> Result<u8, CompareError> {
    let found = python_27(options)?;
    let into = options
        .recordings
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_DIR));
    if !into.is_dir() {
        return Err(CompareError::Io(format!(
            "no folder {} to record into: run compare from the root of the \
             clone, or pass --recordings DIR",
            into.display()
        )));
    }
    let (folder, chapters) = match path.is_dir() {
        true => (path, present(path)),
        false => (
            path.parent().unwrap_or(Path::new(".")),
            vec![chapters::of_path(path)?],
        ),
    };
    if chapters.is_empty() {
        return Err(CompareError::Io(format!(
            "no original of the chapter in {}",
            path.display()
        )));
    }
    let version = found.version.clone();
    let mut setup = Setup::new(folder, options)?;
    setup.found = Some(found);
    for chapter in chapters {
        let recording = one(chapter, &setup, &version)?;
        let file = into.join(format!("{}.txt", chapter.key));
        std::fs::write(&file, recording.to_text()).map_err(|e| {
            CompareError::Io(format!("cannot write {}: {e}", file.display()))
        })?;
        let said = format!(
            "recorded {} ({} comparisons) in {}\n",
            chapter.originals.join(" and "),
            recording.comparisons.len(),
            file.display()
        );
        out.write_all(said.as_bytes())
            .map_err(|e| CompareError::Io(format!("cannot write: {e}")))?;
    }
    Ok(0)
}

/// The chapters whose originals are all in `dir`.
fn present(dir: &Path) -> Vec<&'static Chapter> {
    chapters::ALL
        .into_iter()
        .filter(|c| c.originals.iter().all(|name| dir.join(name).is_file()))
        .collect()
}

/// The Python 2.7 that `options` names, or why there is none: recording
/// must run the originals.
///
/// # Errors
/// [`CompareError::NeedsPython`] without one.
fn python_27(options: &Options) -> Result<Found, CompareError> {
    options.python.probe().map_err(|why| {
        CompareError::NeedsPython(format!("--record needs Python 2.7: {why}"))
    })
}

/// The recording of `chapter` made by Python `version`: its originals'
/// hashes, and the original's side of each comparison that can be
/// compared without Python.
fn one(
    chapter: &Chapter,
    setup: &Setup,
    version: &str,
) -> Result<Recording, CompareError> {
    let originals = originals(chapter, &setup.folder)?;
    let mut comparisons = Vec::new();
    for plan in chapter.plans.iter().filter(|p| !p.rust_needs_python) {
        comparisons.push((plan.title.to_owned(), (plan.python)(setup)?));
    }
    Ok(Recording {
        chapter: chapter.key.into(),
        originals: originals
            .iter()
            .map(|(name, bytes)| (name.to_string(), hex_digest(bytes)))
            .collect(),
        python: version.to_owned(),
        comparisons,
    })
}

//! What `compare ORIGINALS` does: for each chapter, find where the
//! original's side comes from (Python 2.7 running it, or its recording),
//! run the port, judge, report.
//!
//! ```text
//!   a folder ───> each chapter whose originals are in it ──┐
//!   inet_NN.py ─> its chapter ─────────────────────────────┤
//!                                                          v
//!                          Python 2.7? yes: run both sides
//!                                      no: the recording, if the
//!                                          original is the one recorded
//!   a recording ─> its chapter, the original's side ──> run the port
//!                                   then: judge by the lesson's table,
//!                                         report
//! ```

use std::cell::OnceCell;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::chapters::{self, Chapter};
use super::error::CompareError;
use super::judge::judge;
use super::mutants;
use super::python::{Found, Python};
use super::recording::Recording;
use super::report::{self, Report};
use super::setup::Setup;
use super::side::Comparison;
use super::table::{self, Row};
use super::{EXIT_CANNOT_RUN, EXIT_UNDOCUMENTED};

/// What the command line asked for.
#[derive(Debug, Clone)]
pub struct Options {
    /// The Python 2.7 command.
    pub python: Python,
    /// How long any one program may run.
    pub timeout: Duration,
    /// Where recordings are read and written, if not the default.
    pub recordings: Option<PathBuf>,
    /// Check, after the comparison, that the table is strict.
    pub check_table: bool,
}

/// Compares what `path` names (a folder of originals, one original, or
/// a recording), writes the report(s) to `out`, and returns the exit
/// status: 0 all documented, 1 not.
///
/// # Errors
/// [`CompareError`] when the comparison can't be made (exit status 2).
pub fn run(
    path: &Path,
    options: &Options,
    out: &mut impl Write,
) -> Result<u8, CompareError> {
    if path.is_dir() {
        return folder(path, options, out);
    }
    let bytes = std::fs::read(path)
        .map_err(|e| CompareError::Original(path.to_path_buf(), e))?;
    let text = String::from_utf8_lossy(&bytes);
    if Recording::looks_like(&text) {
        return recorded(path, &text, options, out);
    }
    let chapter = chapters::of_path(path)?;
    let folder = path.parent().unwrap_or(Path::new("."));
    one_chapter(chapter, folder, options, &OnceCell::new(), out)
}

/// Every chapter whose originals are in `dir`, one report after the
/// other; the worst exit status.
fn folder(
    dir: &Path,
    options: &Options,
    out: &mut impl Write,
) -> Result<u8, CompareError> {
    let present = |name: &&str| dir.join(name).is_file();
    // One Python for every chapter: asked once what it is.
    let probed = OnceCell::new();
    let mut status = None;
    for chapter in chapters::ALL {
        if !chapter.originals.iter().any(present) {
            let _ = writeln!(
                std::io::stderr(),
                "compare: no {} in {}: skipped",
                chapter.originals.join(" or "),
                dir.display()
            );
            continue;
        }
        if status.is_some() {
            writeln!(out).map_err(cannot_write)?;
        }
        let this = match one_chapter(chapter, dir, options, &probed, out) {
            Ok(this) => this,
            Err(e) => {
                let _ = writeln!(
                    std::io::stderr(),
                    "compare: {}: {e}",
                    chapter.key
                );
                EXIT_CANNOT_RUN
            }
        };
        status = Some(status.unwrap_or(0).max(this));
    }
    status.ok_or_else(|| {
        CompareError::Io(format!(
            "no original of the chapter in {} (inet_01.py ... inet_10.py)",
            dir.display()
        ))
    })
}

/// The chapter's originals in `folder`: their names and bytes.
///
/// # Errors
/// [`CompareError::Original`] for one that can't be read.
pub fn originals(
    chapter: &Chapter,
    folder: &Path,
) -> Result<Vec<(&'static str, Vec<u8>)>, CompareError> {
    let read = |name: &&'static str| {
        let path = folder.join(name);
        match std::fs::read(&path) {
            Ok(bytes) => Ok((*name, bytes)),
            Err(e) if chapter.originals.len() > 1 => {
                let why = format!(
                    "{e}; this chapter runs {}, from one folder",
                    chapter.originals.join(" and ")
                );
                Err(CompareError::Original(
                    path,
                    std::io::Error::new(e.kind(), why),
                ))
            }
            Err(e) => Err(CompareError::Original(path, e)),
        }
    };
    chapter.originals.iter().map(read).collect()
}

/// One chapter whose originals are in `folder`: run by Python 2.7 if
/// there is one, else from its recording. `probed` keeps what the
/// Python command said it is, the first time it is asked.
fn one_chapter(
    chapter: &Chapter,
    folder: &Path,
    options: &Options,
    probed: &OnceCell<Result<Found, String>>,
    out: &mut impl Write,
) -> Result<u8, CompareError> {
    let originals = originals(chapter, folder)?;
    let rows = table::parse(chapter.lesson)?;
    let mut setup = Setup::new(folder, options)?;
    let (heading, comparisons) = match probed
        .get_or_init(|| options.python.probe())
    {
        Ok(found) => {
            let heading = vec![format!(
                "compare: {}, the original run by Python {} ({})",
                chapter.title, found.version, options.python
            )];
            setup.found = Some(found.clone());
            (heading, run_plans(chapter, &setup, None)?)
        }
        Err(why) => without_python(chapter, &setup, &originals, options, why)?,
    };
    finish(chapter, heading, &comparisons, &rows, options, out)
}

/// Without Python 2.7 (`why` not): the report's heading and the
/// comparisons, the original's side from its recording, if `originals`
/// are the ones recorded.
///
/// # Errors
/// [`CompareError::NeedsPython`] when they are not.
fn without_python(
    chapter: &Chapter,
    setup: &Setup,
    originals: &[(&'static str, Vec<u8>)],
    options: &Options,
    why: &str,
) -> Result<(Vec<String>, Vec<Comparison>), CompareError> {
    let (recording, from) = recording_of(chapter, options)?;
    let given: Vec<(&str, &[u8])> =
        originals.iter().map(|(n, b)| (*n, b.as_slice())).collect();
    if let Err(m) = recording.stands_for(&given) {
        return Err(CompareError::NeedsPython(format!(
            "no Python 2.7 ({why}), and {} is not the original recorded in \
             {from} (its SHA-256 is {}, the recording's {}): an original \
             that is not the one recorded must be run",
            m.name,
            m.given.as_deref().unwrap_or("unknown"),
            m.recorded.as_deref().unwrap_or("unknown"),
        )));
    }
    let heading = vec![
        format!(
            "compare: no Python 2.7 ({why}): the original's side is its \
             recording"
        ),
        as_recorded(chapter, &recording, &from),
    ];
    let comparisons = run_plans(chapter, setup, Some((&recording, &from)))?;
    Ok((heading, comparisons))
}

/// `compare RECORDING`: the port against a recording given by its path,
/// without looking for Python.
fn recorded(
    path: &Path,
    text: &str,
    options: &Options,
    out: &mut impl Write,
) -> Result<u8, CompareError> {
    let from = path.display().to_string();
    let recording = Recording::parse(text)
        .map_err(|e| CompareError::Recording(from.clone(), e))?;
    let chapter = chapters::by_key(&recording.chapter).ok_or_else(|| {
        CompareError::UnknownChapter(format!(
            "{from} is a recording of {:?}, which is no chapter's",
            recording.chapter
        ))
    })?;
    let rows = table::parse(chapter.lesson)?;
    let setup = Setup::new(Path::new("."), options)?;
    let heading = vec![as_recorded(chapter, &recording, &from)];
    let comparisons = run_plans(chapter, &setup, Some((&recording, &from)))?;
    finish(chapter, heading, &comparisons, &rows, options, out)
}

/// The report's heading line for a comparison with `recording`, read
/// `from` a file or the copy built into `compare`.
fn as_recorded(chapter: &Chapter, recording: &Recording, from: &str) -> String {
    format!(
        "compare: {}, {} as recorded by Python {} ({from})",
        chapter.title,
        chapter.originals.join(" and "),
        recording.python
    )
}

/// The chapter's recording, and where it comes from: `--recordings DIR`,
/// or the copy built into `compare`.
///
/// # Errors
/// [`CompareError::Recording`] when it can't be read.
pub fn recording_of(
    chapter: &Chapter,
    options: &Options,
) -> Result<(Recording, String), CompareError> {
    let name = format!("{}.txt", chapter.key);
    let (text, from) = match &options.recordings {
        Some(dir) => {
            let path = dir.join(&name);
            let text = std::fs::read_to_string(&path).map_err(|e| {
                CompareError::Io(format!(
                    "no recording {}: {e}",
                    path.display()
                ))
            })?;
            (text, path.display().to_string())
        }
        None => (
            chapter.recording.to_owned(),
            format!("lessons/recordings/{name}, as built into compare"),
        ),
    };
    let recording = Recording::parse(&text)
        .map_err(|e| CompareError::Recording(from.clone(), e))?;
    Ok((recording, from))
}

/// Every comparison: the port's side run, and the original's run too or,
/// given a `recording` (and where it was read from), taken from it. With
/// a recording, one whose port's side runs an original too is skipped.
fn run_plans(
    chapter: &Chapter,
    setup: &Setup,
    recording: Option<(&Recording, &str)>,
) -> Result<Vec<Comparison>, CompareError> {
    let mut comparisons = Vec::new();
    for plan in chapter.plans {
        let python = match recording {
            None => (plan.python)(setup)?,
            Some(_) if plan.rust_needs_python => {
                comparisons.push(Comparison {
                    title: plan.title.into(),
                    python: Default::default(),
                    rust: Default::default(),
                    skipped: Some(
                        "the port's side runs an original too, which needs \
                         Python 2.7"
                            .into(),
                    ),
                });
                continue;
            }
            Some((recording, from)) => recording
                .side(plan.title)
                .ok_or_else(|| {
                    CompareError::NeedsPython(format!(
                        "the recording {from} has no comparison \"{}\": it \
                         was made before the chapter's script changed, and \
                         must be made again (compare --record ORIGINALS)",
                        plan.title
                    ))
                })?
                .clone(),
        };
        comparisons.push(Comparison {
            title: plan.title.into(),
            python,
            rust: (plan.rust)(setup)?,
            skipped: None,
        });
    }
    Ok(comparisons)
}

/// Judges `comparisons`, writes the report, and, if asked, checks that
/// the table is strict; returns the exit status.
fn finish(
    chapter: &Chapter,
    heading: Vec<String>,
    comparisons: &[Comparison],
    rows: &[Row],
    options: &Options,
    out: &mut impl Write,
) -> Result<u8, CompareError> {
    let mut notes: Vec<String> = Vec::new();
    for note in comparisons.iter().flat_map(|c| &c.python.notes) {
        if !notes.contains(note) {
            notes.push(note.clone());
        }
    }
    let report = Report {
        heading,
        lesson_path: chapter.lesson_path,
        notes,
        rows,
    };
    let judged = judge(comparisons, rows);
    let summary = report::write(out, &report, &judged).map_err(cannot_write)?;
    let mut status = match summary.undocumented {
        0 => 0,
        _ => EXIT_UNDOCUMENTED,
    };
    if options.check_table {
        let strict = mutants::check(comparisons, rows);
        report::strictness(out, &strict).map_err(cannot_write)?;
        if !strict.escaped.is_empty() {
            status = EXIT_UNDOCUMENTED;
        }
    }
    Ok(status)
}

/// Why the report could not be written.
fn cannot_write(e: io::Error) -> CompareError {
    CompareError::Io(format!("cannot write the report: {e}"))
}

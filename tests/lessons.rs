//! Keeps `lessons/` true to the code, and keeps the book it builds whole.
//!
//! **Snippets.** A lesson never shows code from memory: it *refers* to a
//! region of a source file (any `*.rs` under `src/`, `bin/`, `mocks/`,
//! `benches/`, `examples/` or `lessons/`), marked with mdBook's anchor
//! comments,
//!
//! ````text
//! impl<R: Read> LineReader<R> {
//!     // ANCHOR: read_line
//!     pub fn read_line(&mut self) -> io::Result<String> {
//!         self.take_line()
//!     }
//!     // ANCHOR_END: read_line
//! }
//! ````
//!
//! and carries a caption naming the file and lines, then a copy of the
//! region, right after the reference (a path relative to the lesson, `:`,
//! the anchor name):
//!
//! ````text
//! <!-- include: ../src/line.rs:read_line -->
//! From [`src/line.rs`](code/src/line.rs.md), lines 3–5:
//! ```rust
//! pub fn read_line(&mut self) -> io::Result<String> {
//!     self.take_line()
//! }
//! ```
//! ````
//!
//! The copy must equal the lines strictly between the two markers, minus any
//! line holding another marker (nested regions, as mdBook does), dedented by
//! the leading whitespace common to the non-blank lines: hence column 0
//! above, although the method sits inside an `impl`. The test also reports
//! anchors that no lesson shows, and duplicate or unpaired markers.
//!
//! **Transcripts.** A block of commands and their output is marked
//! `<!-- transcript: NAME -->` on the line before its fence; `NAME` is a
//! scene in `tests/lessons/transcripts/` (a file per lesson), which runs those commands and
//! returns what they printed, with ports and temporary paths masked. The
//! block must equal it.
//!
//! **Reading maps.** A table marked `<!-- reading-map: PROGRAM -->` on the
//! line before it lists the files a reader of `PROGRAM` (a `[[bin]]` of
//! `Cargo.toml`) must read, in the order the lesson advises, each with its
//! size in code lines, then their total:
//!
//! ````text
//! <!-- reading-map: echo-server -->
//! | File | Lines | On a first read |
//! |---|--:|---|
//! | [`bin/echo_server/main.rs`](code/bin/echo_server/main.rs.md) | 56 | All |
//! | ...
//! | All 14 files | 872 | |
//! ````
//!
//! Its rows must be the program's reading path (`lessons/reading_paths.rs`
//! says what that holds and how lines are counted), each file once; the
//! sizes and the total are generated. A table marked `<!-- file-sizes -->`
//! lists files of no one program (lesson 0's shared pieces): any `.rs`
//! files, with no total; its sizes are generated the same way.
//!
//! **Comments.** A comment in a page is one of these markers, a
//! `<!-- figures: BENCH -->` above a table that `cargo bench --bench BENCH`
//! printed (benches do not run in tests: nothing checks its figures), or
//! the note on a generated page. Any other comment is reported: a marker
//! misspelt is an ordinary comment, and would check nothing.
//!
//! **The book** (when `lessons/book.toml` exists). Every page is listed in
//! `SUMMARY.md`. A lesson that shows or links to a file outside `lessons/`
//! reaches it through a page of its own, `lessons/code/PATH.md`, which
//! includes the whole file with `{{#include}}`; those pages and the "Source
//! files" part of `SUMMARY.md` are generated. Every relative link resolves
//! as mdBook resolves it: to a page of the book (and a heading `id` in it,
//! computed as mdBook computes them) or to a file under `lessons/`. No code
//! block line is wider than [`MAX_WIDTH`] unless its fence says `wide`, no
//! `rust` block holds a line mdBook would hide, and `book.toml` turns off the
//! Run button and the renaming of `README.md`.
//!
//! `BLESS=1 cargo test --test inet lessons::` rewrites everything generated (copies,
//! captions, transcripts, the sizes in reading maps, links to source files,
//! source pages, the "Source files" part), then fails only for problems that
//! a human has to fix.

#[path = "lessons/markdown.rs"]
mod markdown;
#[path = "lessons/reading_paths.rs"]
mod reading_paths;
#[path = "lessons/scene.rs"]
mod scene;
#[path = "lessons/transcripts/mod.rs"]
mod transcripts;

use Kind::*;
use markdown::Fence;
use reading_paths::ReadingPath;
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;
use std::time::Instant;
use std::{fmt, fs, io, thread};

/// Where the code lives that lessons may show (searched recursively).
const SOURCE_DIRS: [&str; 6] =
    ["src", "bin", "mocks", "benches", "examples", "lessons"];
/// The pages of the source files, under `lessons/`.
const CODE_DIR: &str = "code";
/// The widest line a code block may hold: two 48-column halves of a
/// side-by-side report and their gutter fit a laptop's book page.
const MAX_WIDTH: usize = 100;
/// The fence word that allows a block to be wider.
const WIDE: &str = "wide";
/// The heading of the generated part of `SUMMARY.md`.
const SOURCE_PART: &str = "# Source files";
/// How many scenes play at once (each runs programs and servers).
const SCENES_AT_ONCE: usize = 16;
const BLESS_HINT: &str = "run `BLESS=1 cargo test --test inet lessons::` to regenerate what is stale";
const GENERATED: &str =
    "<!-- Written by `BLESS=1 cargo test --test inet lessons::`";
/// The options of `cargo test` that take a value, as the next word.
const TAKES_VALUE: [&str; 5] =
    ["-p", "--package", "--test", "--bin", "--example"];
/// The marker of a snippet: `<!-- include: PATH:ANCHOR -->`.
const INCLUDE: &str = "include:";
/// The marker of a transcript: `<!-- transcript: NAME -->`.
const TRANSCRIPT: &str = "transcript:";
/// The marker of a reading map: `<!-- reading-map: PROGRAM -->`.
const READING_MAP: &str = "reading-map:";
/// The marker of a table of files with their sizes, for no one program:
/// `<!-- file-sizes -->`.
const FILE_SIZES: &str = "file-sizes";
/// How every comment in a page may begin: the markers above, a bench's
/// table, and the note on a generated page. Any other comment is most
/// likely a misspelt marker, which would check nothing.
const COMMENTS: [&str; 6] = [
    INCLUDE,
    TRANSCRIPT,
    READING_MAP,
    FILE_SIZES,
    "figures:",
    "Written by",
];

/// What went wrong; tests match on this rather than on message wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Malformed, or naming a missing file, or an anchor that is missing,
    /// duplicated or unpaired in that file.
    BrokenReference,
    /// No fence right after a reference, a fence never closed, or a region
    /// holding a line that would close its copy's fence.
    BadFence,
    /// A copy that differs from its region.
    StaleCopy,
    /// A snippet's caption missing, or naming the wrong lines.
    StaleCaption,
    OrphanAnchor,
    DuplicateAnchor,
    /// An `ANCHOR:` without its `ANCHOR_END:`, or the other way round.
    UnpairedAnchor,
    /// A relative link that leads nowhere, in the book or on disk.
    BrokenLink,
    /// A link to a file outside the book, which has a page of its own.
    StaleLink,
    /// A source page or the "Source files" part missing or out of date.
    StalePage,
    /// A page under `lessons/` that `SUMMARY.md` does not list.
    NotInBook,
    /// A code block line wider than `MAX_WIDTH`.
    TooWide,
    /// A line that mdBook would hide in a `rust` block.
    HiddenLine,
    /// `book.toml` lacks a setting the book needs.
    BookConfig,
    /// A transcript that differs from what its scene printed.
    StaleTranscript,
    /// An unknown scene, one that failed, or a marker with no block.
    BrokenTranscript,
    /// A scene that no lesson shows.
    UnusedScene,
    /// A reading map that names no program, has no table, or a row
    /// without its three cells or its file (or a file-sizes table with no
    /// table, or a row naming no file or a missing one).
    BrokenMap,
    /// A reading map whose files are not its program's reading path: one
    /// left out, one not on it or listed twice, a link to another file.
    MapOffPath,
    /// A reading map's (or a file-sizes table's) sizes or total out of
    /// date.
    StaleMap,
    /// A comment that begins with none of [`COMMENTS`].
    UnknownComment,
    /// A file or directory that could not be read (or, blessing, written).
    Unreadable,
    /// A `cargo test` command that cargo would refuse: a test target
    /// that does not exist, or two test names before `--`.
    BadCommand,
}

impl Kind {
    /// The problems that blessing fixes.
    fn is_generated(self) -> bool {
        matches!(
            self,
            StaleCopy
                | StaleCaption
                | StaleLink
                | StalePage
                | StaleTranscript
                | StaleMap
        )
    }
}

/// One problem, at a 1-based line (0: the whole file) of a file whose path
/// is relative to the root.
#[derive(Debug)]
struct Problem {
    kind: Kind,
    file: PathBuf,
    line: usize,
    message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = self.file.display();
        match self.line {
            0 => write!(f, "{file}: {}", self.message),
            line => write!(f, "{file}:{line}: {}", self.message),
        }
    }
}

// --- Transcripts: the scenes that print them --------------------------------

/// What a scene gave: its text, or why it did not run.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Played {
    Text(String),
    /// It needs what this machine lacks (Python 2.7, say): not checked.
    Skipped(String),
    Failed(String),
}

/// The scenes that lessons may show.
trait Stage: Sync {
    fn names(&self) -> Vec<&str>;
    fn play(&self, name: &str) -> Played;
    /// Where the scenes are registered, for problems.
    fn registry(&self) -> &str;
    /// Whether the scenes' times are kept from run to run (see
    /// [`SceneTimes`]): the lessons' scenes, not a test's fixtures.
    fn keeps_times(&self) -> bool {
        false
    }
}

/// The lessons' scenes, in `tests/lessons/transcripts/`.
struct Scenes;

impl Stage for Scenes {
    fn names(&self) -> Vec<&str> {
        transcripts::scenes().map(|(name, _)| *name).collect()
    }

    fn play(&self, name: &str) -> Played {
        let scene = transcripts::scenes().find(|(n, _)| *n == name);
        match scene.map(|(_, play)| scene::play(*play)) {
            Some(Ok(text)) => Played::Text(text),
            Some(Err(scene::Stop::Skip(why))) => Played::Skipped(why),
            Some(Err(scene::Stop::Fail(why))) => Played::Failed(why),
            None => Played::Failed(format!("no scene named {name:?}")),
        }
    }

    fn registry(&self) -> &str {
        "tests/lessons/transcripts/"
    }

    fn keeps_times(&self) -> bool {
        true
    }
}

/// A stage that plays each scene once, however often it is asked, and
/// plays the scenes asked together in parallel.
struct Memo {
    stage: Box<dyn Stage>,
    played: Mutex<BTreeMap<String, Played>>,
}

impl Memo {
    fn new(stage: impl Stage + 'static) -> Memo {
        let played = Mutex::default();
        Memo {
            stage: Box::new(stage),
            played,
        }
    }

    fn play_all(&self, names: &BTreeSet<String>) -> BTreeMap<String, Played> {
        let mut played = self.played.lock().unwrap_or_else(|e| e.into_inner());
        let mut new: Vec<&String> =
            names.iter().filter(|n| !played.contains_key(*n)).collect();
        if new.is_empty() {
            return played.clone();
        }
        // The slowest first (as the last run timed them; a scene never
        // timed counts as slow): the long waits then overlap each other
        // and the short scenes fill in around them.
        let keeps_times = self.stage.keeps_times();
        let last = match keeps_times {
            true => SceneTimes::load(),
            false => SceneTimes(BTreeMap::new()),
        };
        new.sort_by(|a, b| last.of(b).total_cmp(&last.of(a)));
        let threads = SCENES_AT_ONCE.min(new.len());
        // A few scenes at a time: all hundred at once would load the
        // machine so much that a scene's one-second timeout could lose
        // its race against the scheduler.
        let queue = Mutex::new(new.into_iter());
        let next = || queue.lock().unwrap_or_else(|e| e.into_inner()).next();
        let done = Mutex::new(Vec::new());
        thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    while let Some(name) = next() {
                        let start = Instant::now();
                        let play = std::panic::catch_unwind(
                            std::panic::AssertUnwindSafe(|| {
                                self.stage.play(name)
                            }),
                        );
                        let panicked =
                            |_| Played::Failed("the scene panicked".into());
                        let result = (
                            name.to_string(),
                            play.unwrap_or_else(panicked),
                            start.elapsed(),
                        );
                        done.lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push(result);
                    }
                });
            }
        });
        let done = done.into_inner().unwrap_or_else(|e| e.into_inner());
        let mut times = last;
        for (name, result, took) in done {
            times.0.insert(name.clone(), took.as_secs_f64());
            played.insert(name, result);
        }
        if keeps_times {
            times.save();
        }
        played.clone()
    }
}

/// How long each scene took when last played, kept in Cargo's scratch
/// directory for tests: only the order scenes start in depends on it.
struct SceneTimes(BTreeMap<String, f64>);

impl SceneTimes {
    fn file() -> PathBuf {
        Path::new(env!("CARGO_TARGET_TMPDIR")).join("lesson-scene-times.txt")
    }

    /// The times of the last run; none when there was none.
    fn load() -> SceneTimes {
        let text = fs::read_to_string(Self::file()).unwrap_or_default();
        let times = text.lines().filter_map(|line| {
            let (secs, name) = line.split_once(' ')?;
            Some((name.to_string(), secs.parse().ok()?))
        });
        SceneTimes(times.collect())
    }

    /// The seconds `name` took last time; a scene never timed, as long as
    /// any.
    fn of(&self, name: &str) -> f64 {
        self.0.get(name).copied().unwrap_or(f64::INFINITY)
    }

    /// Best effort: without the file, the next run starts alphabetically.
    fn save(&self) {
        let lines: String = self
            .0
            .iter()
            .map(|(name, s)| format!("{s:.3} {name}\n"))
            .collect();
        let _ = fs::write(Self::file(), lines);
    }
}

// --- A review of the tree ----------------------------------------------------

/// What `check` finds, and what blessing would write.
struct Review {
    problems: Vec<Problem>,
    /// Files to write (`Some`) or delete (`None`), for the generated parts.
    writes: BTreeMap<PathBuf, Option<String>>,
    /// Scenes that did not run here, and why.
    notes: Vec<String>,
}

/// Checks the lessons and the book under `root`. Reads files, never writes
/// them.
fn check(root: &Path, stage: &Memo) -> Review {
    let mut checker = Checker::new(root);
    let lessons = root.join("lessons");
    let pages = checker.md_files(&lessons);
    // Until the first lesson is written there is nothing to check: anchors
    // may go into the code before the lessons that will show them.
    if !pages.is_empty() {
        checker.review(&lessons, &pages, stage);
    }
    let Checker {
        mut problems,
        writes,
        notes,
        ..
    } = checker;
    // Sorting by file then line reads like a compiler's error list.
    problems.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    let mut notes = notes;
    notes.sort_by_cached_key(|note| {
        let mut parts = note.splitn(3, ':');
        let file = parts.next().unwrap_or_default().to_string();
        (
            file,
            parts.next().and_then(|line| line.parse::<usize>().ok()),
        )
    });
    Review {
        problems,
        writes,
        notes,
    }
}

/// Writes every generated part that is stale, then returns what `check`
/// still finds: the problems that blessing cannot fix.
fn bless(root: &Path, stage: &Memo) -> Review {
    let first = check(root, stage);
    let mut failed = Vec::new();
    for (path, text) in &first.writes {
        let done = match text {
            Some(text) => fs::create_dir_all(path.parent().unwrap_or(root))
                .and_then(|()| fs::write(path, text)),
            None => fs::remove_file(path).map(|()| remove_empty_dirs(path)),
        };
        if let Err(err) = done {
            failed.push(Problem {
                kind: Unreadable,
                file: shown(root, path),
                line: 0,
                message: format!("cannot write the generated text: {err}"),
            });
        }
    }
    let mut review = check(root, stage);
    failed.append(&mut review.problems);
    review.problems = failed;
    review
}

/// Removes the directories above a deleted page that it left empty.
fn remove_empty_dirs(deleted: &Path) {
    let mut dir = deleted.parent();
    while let Some(empty) = dir {
        if empty.ends_with(CODE_DIR) || fs::remove_dir(empty).is_err() {
            break;
        }
        dir = empty.parent();
    }
}

/// A replacement of `lines[start..end]` of a lesson by `lines`.
#[derive(Debug)]
struct Edit {
    start: usize,
    end: usize,
    lines: Vec<String>,
}

/// A relative link found in a page, to check once the book is known.
struct Link {
    line: usize,
    target: String,
    /// The page it leads to (normalized), or `None` for the same page.
    page: Option<PathBuf>,
    fragment: Option<String>,
}

/// A reading map being checked: its program, the program's path, and
/// the files its rows have listed so far.
struct ReadingMap<'a> {
    name: &'a str,
    path: &'a ReadingPath,
    listed: BTreeSet<PathBuf>,
}

/// A transcript marker and its block.
struct Transcript {
    name: String,
    /// 0-based indices of the marker line and of the closing fence.
    marker: usize,
    close: usize,
    fence: Fence,
}

/// What one page holds that the book-wide checks need.
#[derive(Default)]
struct PageScan {
    path: PathBuf,
    text: String,
    edits: Vec<Edit>,
    links: Vec<Link>,
    transcripts: Vec<Transcript>,
    /// The files (relative to the root) this page shows or links to.
    shows: BTreeSet<PathBuf>,
}

/// A page of the book as `SUMMARY.md` lists it.
struct Entry {
    title: String,
    /// Normalized path.
    path: PathBuf,
}

/// The problems found so far in the tree at `root`.
#[derive(Default)]
struct Checker {
    root: PathBuf,
    problems: Vec<Problem>,
    writes: BTreeMap<PathBuf, Option<String>>,
    notes: Vec<String>,
    /// (normalized source path, anchor) of every well-formed reference.
    referenced: BTreeSet<(PathBuf, String)>,
    /// Whether `lessons/book.toml` exists: the book-wide checks apply.
    book: bool,
    /// The reading paths that maps have asked for, by program.
    reading_paths: BTreeMap<String, Result<ReadingPath, String>>,
}

impl Checker {
    fn new(root: &Path) -> Checker {
        let root = root.to_path_buf();
        Checker {
            root,
            ..Checker::default()
        }
    }

    fn report(&mut self, kind: Kind, file: &Path, line: usize, why: String) {
        let (file, message) = (shown(&self.root, file), why);
        self.problems.push(Problem {
            kind,
            file,
            line,
            message,
        });
    }

    fn read(&mut self, path: &Path) -> Option<String> {
        let text = fs::read_to_string(path);
        let why = |err| format!("cannot read: {err}");
        text.map_err(|err| self.report(Unreadable, path, 0, why(err)))
            .ok()
    }

    /// Everything: the pages, their transcripts, the book, the anchors.
    fn review(&mut self, lessons: &Path, pages: &[PathBuf], stage: &Memo) {
        let code = lessons.join(CODE_DIR);
        self.book = lessons.join("book.toml").exists();
        // `SUMMARY.md` is no page of the book: `check_listing` reads it.
        let summary = lessons.join("SUMMARY.md");
        let book = self.book;
        let generated = |page: &&PathBuf| {
            page.starts_with(&code) || (book && **page == summary)
        };
        let mut scans = Vec::new();
        for page in pages.iter().filter(|page| !generated(page)) {
            if let Some(text) = self.read(page) {
                scans.push(self.scan_page(page, text));
            }
        }
        self.check_transcripts(&mut scans, stage);
        if self.book {
            self.check_book_toml(&lessons.join("book.toml"));
            self.check_book(lessons, pages, &scans);
        }
        for scan in &scans {
            self.write_edits(scan);
        }
        for dir in SOURCE_DIRS {
            for source in self.source_files(&self.root.join(dir)) {
                if let Some(text) = self.read(&source) {
                    self.check_markers(&source, &text);
                }
            }
        }
    }

    /// The `*.md` files under `dir`, sorted; none if `dir` does not exist.
    fn md_files(&mut self, dir: &Path) -> Vec<PathBuf> {
        self.files_in(dir, "md")
    }

    /// The `*.rs` files under `dir`, sorted; none if `dir` does not exist.
    fn source_files(&mut self, dir: &Path) -> Vec<PathBuf> {
        self.files_in(dir, "rs")
    }

    /// The `*.{ext}` files under `dir`, sorted, outside hidden and `target`
    /// directories; none if `dir` does not exist (yet).
    fn files_in(&mut self, dir: &Path, ext: &str) -> Vec<PathBuf> {
        let entries = match fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return vec![],
            Err(err) => {
                self.report(Unreadable, dir, 0, format!("cannot read: {err}"));
                return vec![];
            }
        };
        let mut files = Vec::new();
        for entry in entries.filter_map(Result::ok) {
            let (name, path) = (entry.file_name(), entry.path());
            // Build output and hidden files are not anything anyone wrote.
            if name.to_string_lossy().starts_with('.') || name == "target" {
                continue;
            }
            // `file_type` does not follow symlinks, so a link cannot loop us.
            match entry.file_type() {
                Ok(kind) if kind.is_dir() => {
                    files.extend(self.files_in(&path, ext));
                }
                Ok(_) if has_extension(&path, ext) => files.push(path),
                _ => {}
            }
        }
        files.sort();
        files
    }

    /// Reports duplicate and unpaired markers, and anchors no lesson shows.
    fn check_markers(&mut self, source: &Path, text: &str) {
        for (name, (starts, ends)) in markers(text) {
            for (tag, lines) in [("ANCHOR", &starts), ("ANCHOR_END", &ends)] {
                for &line in lines.iter().skip(1) {
                    let why = format!(
                        "duplicate `{tag}: {name}` (first at line {}); \
                         anchor names must be unique within a file",
                        lines[0]
                    );
                    self.report(DuplicateAnchor, source, line, why);
                }
            }
            let (start, end) = (starts.first(), ends.first());
            let unpaired = match (start, end) {
                (Some(_), None) => {
                    format!("is never closed by `ANCHOR_END: {name}`")
                }
                (None, Some(_)) => format!("has no `ANCHOR: {name}`"),
                (Some(start), Some(end)) if end < start => {
                    format!("comes after its `ANCHOR_END` (line {end})")
                }
                _ => String::new(),
            };
            if !unpaired.is_empty() {
                let (tag, line) = match start {
                    Some(&start) => ("ANCHOR", start),
                    None => ("ANCHOR_END", ends[0]),
                };
                let why = format!("`{tag}: {name}` {unpaired}");
                self.report(UnpairedAnchor, source, line, why);
            }
            let key = (normalize(source), name.to_string());
            if let Some(&start) = start
                && !self.referenced.contains(&key)
            {
                let path = shown(&self.root, source);
                let why = format!(
                    "anchor `{name}` is not shown in any lesson; refer to it \
                     with `<!-- include: ../{}:{name} -->` or remove it",
                    path.display()
                );
                self.report(OrphanAnchor, source, start, why);
            }
        }
    }

    /// Reads a page line by line: code blocks, references with the caption
    /// and copy that must follow each, transcript markers, and prose, where
    /// links are collected.
    fn scan_page(&mut self, page: &Path, text: String) -> PageScan {
        let mut scan = PageScan {
            path: page.to_path_buf(),
            ..PageScan::default()
        };
        let lines: Vec<&str> = text.lines().collect();
        let mut at = 0;
        while let Some(&line) = lines.get(at) {
            self.check_cargo_test(page, at, line);
            at = if let Some(fence) = Fence::open(line) {
                // Code is not prose: `handlers[i](request)` is not a link,
                // and an include line shown as an example is no reference.
                match self.closing_line(page, &lines, at, fence) {
                    Some(close) => {
                        let inside = lines.iter().enumerate();
                        for (i, line) in inside.take(close).skip(at + 1) {
                            self.check_cargo_test(page, i, line);
                        }
                        self.check_block(page, &lines, at, close, fence);
                        let marked = scan.transcripts.last();
                        if marked.is_none_or(|t| t.marker + 1 != at) {
                            self.note_unmarked(page, &lines[at..close], at);
                        }
                        close + 1
                    }
                    None => break,
                }
            } else if let Some(parsed) = parse_reference(line) {
                self.check_copy(&mut scan, &lines, at, parsed)
            } else if let Some(name) = parse_marker(TRANSCRIPT, line) {
                self.mark_transcript(&mut scan, &lines, at, name)
            } else if let Some(name) = parse_marker(READING_MAP, line) {
                // Its rows are then read as prose, for their links.
                self.check_reading_map(&mut scan, &lines, at, name);
                at + 1
            } else if is_file_sizes(line) {
                self.check_file_sizes(&mut scan, &lines, at);
                at + 1
            } else if let Some(why) = unknown_comment(line) {
                self.report(UnknownComment, page, at + 1, why);
                at + 1
            } else {
                self.scan_links(&mut scan, at, line);
                at + 1
            };
        }
        scan.text = text;
        scan
    }

    /// Checks each `cargo test` command on `line` the way cargo reads it:
    /// `--test NAME` must name a test target (`inet`, or `mocks` with
    /// `-p inet-mocks`), and before `--` there is room for one test name
    /// only (cargo refuses a second).
    fn check_cargo_test(&mut self, page: &Path, at: usize, line: &str) {
        for (start, _) in line.match_indices("cargo test") {
            let rest = &line[start + "cargo test".len()..];
            let end =
                rest.find(['`', ';', '|', '&', '#']).unwrap_or(rest.len());
            let words: Vec<&str> = rest[..end].split_whitespace().collect();
            let mocks = words.windows(2).any(|w| w == ["-p", "inet-mocks"]);
            let (mut names, mut i) = (0, 0);
            while let Some(&word) = words.get(i) {
                let value = words.get(i + 1).copied().unwrap_or("");
                match word {
                    "--" => break,
                    w if TAKES_VALUE.contains(&w) => {
                        let target =
                            value == "inet" || mocks && value == "mocks";
                        if w == "--test" && !target {
                            let why = format!(
                                "`cargo test{}`: no test target `{value}` (the \
                                 tests are `--test inet`, and `-p inet-mocks \
                                 --test mocks`)",
                                &rest[..end]
                            );
                            self.report(BadCommand, page, at + 1, why);
                        }
                        i += 1;
                    }
                    w if !w.starts_with('-') => names += 1,
                    _ => {}
                }
                i += 1;
            }
            if names > 1 {
                let why = format!(
                    "`cargo test{}`: cargo takes one test name before `--`",
                    &rest[..end]
                );
                self.report(BadCommand, page, at + 1, why);
            }
        }
    }

    /// Notes a block of commands (`$ ...`) and their output that no scene
    /// produces: the output may drift from what the programs print.
    fn note_unmarked(&mut self, page: &Path, block: &[&str], open: usize) {
        let body = &block[1..];
        let command = |line: &&str| line.trim_start().starts_with("$ ");
        // Neither a command, nor its continuation, nor a blank line.
        let output = |line: &&str| {
            !command(line) && line.starts_with(|c: char| !c.is_whitespace())
        };
        if body.iter().any(command) && body.iter().any(output) {
            let page = shown(&self.root, page);
            let note = format!(
                "{}:{}: commands with no transcript marker",
                page.display(),
                open + 1
            );
            self.notes.push(note);
        }
    }

    /// The index of the line that closes the block opening at index `open`.
    fn closing_line(
        &mut self,
        page: &Path,
        lines: &[&str],
        open: usize,
        fence: Fence,
    ) -> Option<usize> {
        let close = (open + 1..lines.len()).find(|&i| fence.closes(lines[i]));
        if close.is_none() {
            let why = format!(
                "this {} code block is never closed, so the rest of the \
                 page reads as code",
                fence.text()
            );
            self.report(BadFence, page, open + 1, why);
        }
        close
    }

    /// The lines of a code block must fit a laptop's page, and a `rust`
    /// block must not hold a line that mdBook hides.
    fn check_block(
        &mut self,
        page: &Path,
        lines: &[&str],
        open: usize,
        close: usize,
        fence: Fence,
    ) {
        let words = markdown::info_words(lines[open]);
        if !words.contains(&WIDE) {
            self.check_width(page, lines, (open, close), fence);
        }
        if words.first() == Some(&"rust") {
            for (index, line) in
                lines.iter().enumerate().take(close).skip(open + 1)
            {
                if markdown::hidden_in_rust(line) {
                    let why = "mdBook hides this line of a `rust` block (a \
                               `#` then a space, `#` or nothing); open the \
                               block with ```rs, which mdBook leaves alone";
                    self.report(HiddenLine, page, index + 1, why.to_string());
                }
            }
        }
    }

    /// Reports the lines between fences `open` and `close` that are wider
    /// than [`MAX_WIDTH`] (once for the block).
    fn check_width(
        &mut self,
        page: &Path,
        lines: &[&str],
        (open, close): (usize, usize),
        fence: Fence,
    ) {
        let width =
            |line: &str| line.chars().count().saturating_sub(fence.indent);
        let wide: Vec<(usize, usize)> = (open + 1..close)
            .map(|i| (i, width(lines[i])))
            .filter(|&(_, width)| width > MAX_WIDTH)
            .collect();
        let Some(&(first, first_width)) = wide.first() else {
            return;
        };
        let widest = wide.iter().map(|&(_, w)| w).max().unwrap_or(0);
        let opening = lines[open].trim_start();
        let why = format!(
            "{} line(s) of this block are wider than {MAX_WIDTH} columns (the \
             first has {first_width}, the widest {widest}): a laptop's page \
             cuts them; shorten them, or open the block with `{opening} \
             {WIDE}` if it must be wide",
            wide.len()
        );
        self.report(TooWide, page, first + 1, why);
    }

    /// Checks the reference at index `at`, the caption and the copy that
    /// follow it; stale ones get an edit. Returns the index of the next
    /// line to read.
    fn check_copy(
        &mut self,
        scan: &mut PageScan,
        lines: &[&str],
        at: usize,
        parsed: Result<(&str, &str), String>,
    ) -> usize {
        let page = scan.path.clone();
        let number = at + 1;
        let (path, anchor) = match parsed {
            Ok(parts) => parts,
            Err(why) => {
                self.report(BrokenReference, &page, number, why);
                return at + 1;
            }
        };
        let name = format!("{path}:{anchor}");
        let dir = page.parent().unwrap_or(&self.root);
        let source = normalize(&dir.join(path));
        self.referenced.insert((source.clone(), anchor.to_string()));
        let region = match fs::read_to_string(&source) {
            Ok(text) => anchored_region(&text, anchor),
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                Err("that file does not exist".to_string())
            }
            Err(err) => Err(format!("cannot read that file: {err}")),
        };
        if let Err(why) = &region {
            let why = format!("broken reference `{name}`: {why}");
            self.report(BrokenReference, &page, number, why);
        }
        // The caption, then the copy's opening fence at index `open`.
        let caption = lines.get(at + 1).filter(is_caption);
        let open = at + 1 + usize::from(caption.is_some());
        let next = lines.get(open);
        let Some(fence) = next.and_then(|line| Fence::open(line)) else {
            let found = next.map_or("the end of the file".into(), |line| {
                format!("{line:?}")
            });
            let why = format!(
                "`{name}` must be followed on the very next lines by its \
                 caption (`From ...`, which BLESS=1 writes) and a fenced code \
                 block (```rust), found {found}"
            );
            self.report(BadFence, &page, number, why);
            return open;
        };
        let Some(close) = self.closing_line(&page, lines, open, fence) else {
            return lines.len();
        };
        self.check_block(&page, lines, open, close, fence);
        let Ok(region) = region else {
            return close + 1;
        };
        if let Ok(file) = source.strip_prefix(&self.root) {
            scan.shows.insert(file.to_path_buf());
            let wanted = caption_line(&page, &self.root, file, &region, fence);
            self.check_caption(scan, at + 1, caption.copied(), wanted);
        }
        let code: Vec<&str> = region.lines.iter().map(|(_, l)| &**l).collect();
        // A region line that looks like the closing fence would end the
        // block early: no copy could match, and blessing would break it.
        if code.iter().any(|line| fence.closes(line)) {
            let why = format!(
                "the code of `{name}` holds a line that closes this {} \
                 fence; open the block with more {} characters",
                fence.text(),
                fence.mark
            );
            self.report(BadFence, &page, open + 1, why);
            return close + 1;
        }
        let copy = block_lines(lines, open, close, fence);
        let longest = copy.len().max(code.len());
        let Some(diff) = (0..longest).find(|&i| copy.get(i) != code.get(i))
        else {
            return close + 1;
        };
        let lesson_side = match copy.get(diff) {
            Some(line) => format!("{line:?}"),
            None => "(end of block)".to_string(),
        };
        let source = shown(&self.root, &source);
        let source = source.display();
        let code_side = match region.lines.get(diff) {
            Some((number, line)) => format!("{line:?}  ({source}:{number})"),
            None => format!("(end of region)  ({source}:{})", region.end),
        };
        let why = format!(
            "copy of `{name}` differs from the code\n    \
             lesson: {lesson_side}\n    code:   {code_side}"
        );
        // Point at the differing line (the closing fence if the copy is too
        // short), so an editor jumps right to it.
        self.report(StaleCopy, &page, open + 2 + diff, why);
        let lines = indented(code.iter().copied(), fence.indent);
        scan.edits.push(Edit {
            start: open + 1,
            end: close,
            lines,
        });
        close + 1
    }

    /// Compares a snippet's caption (at index `at`, if there is one) with
    /// the one it must have.
    fn check_caption(
        &mut self,
        scan: &mut PageScan,
        at: usize,
        caption: Option<&str>,
        wanted: String,
    ) {
        if caption == Some(wanted.as_str()) {
            return;
        }
        let why = match caption {
            Some(found) => format!(
                "stale caption\n    lesson: {:?}\n    wanted: {wanted:?}",
                found.trim()
            ),
            None => format!("no caption before the copy; wanted {wanted:?}"),
        };
        self.report(StaleCaption, &scan.path, at + 1, why);
        scan.edits.push(Edit {
            start: at,
            end: at + usize::from(caption.is_some()),
            lines: vec![wanted],
        });
    }

    /// Records the transcript marked at index `at`, whose block must follow
    /// on the next line. Returns the index of the next line to read: the
    /// block's fence, so that it is checked as any block.
    fn mark_transcript(
        &mut self,
        scan: &mut PageScan,
        lines: &[&str],
        at: usize,
        name: Result<&str, String>,
    ) -> usize {
        let page = scan.path.clone();
        let name = match name {
            Ok(name) => name,
            Err(why) => {
                self.report(BrokenTranscript, &page, at + 1, why);
                return at + 1;
            }
        };
        let next = lines.get(at + 1);
        let Some(fence) = next.and_then(|line| Fence::open(line)) else {
            let why = format!(
                "transcript `{name}` must be followed on the very next line \
                 by a fenced code block (```text)"
            );
            self.report(BrokenTranscript, &page, at + 1, why);
            return at + 1;
        };
        let close = (at + 2..lines.len()).find(|&i| fence.closes(lines[i]));
        if let Some(close) = close {
            scan.transcripts.push(Transcript {
                name: name.to_string(),
                marker: at,
                close,
                fence,
            });
        }
        at + 1
    }

    /// Plays the scenes that the pages show, and compares each block with
    /// what its scene printed.
    fn check_transcripts(&mut self, scans: &mut [PageScan], stage: &Memo) {
        let names: BTreeSet<String> = scans
            .iter()
            .flat_map(|scan| scan.transcripts.iter().map(|t| t.name.clone()))
            .collect();
        let known: BTreeSet<&str> = stage.stage.names().into_iter().collect();
        let registry = PathBuf::from(stage.stage.registry());
        for unused in known.iter().filter(|n| !names.contains(**n)) {
            let why = format!(
                "scene `{unused}` is shown in no lesson; mark a block with \
                 `<!-- transcript: {unused} -->` or remove the scene"
            );
            self.report(UnusedScene, &self.root.join(&registry), 0, why);
        }
        let playable = names.iter().filter(|n| known.contains(n.as_str()));
        let played = stage.play_all(&playable.cloned().collect());
        for scan in scans.iter_mut() {
            for t in std::mem::take(&mut scan.transcripts) {
                let number = t.marker + 1;
                let name = &t.name;
                let why = match played.get(name) {
                    Some(Played::Text(text)) => {
                        self.compare_transcript(scan, &t, text);
                        continue;
                    }
                    Some(Played::Skipped(why)) => {
                        let page = shown(&self.root, &scan.path);
                        let page = page.display();
                        let note = format!(
                            "{page}:{number}: `{name}` not checked: {why}"
                        );
                        self.notes.push(note);
                        continue;
                    }
                    Some(Played::Failed(why)) => {
                        format!("scene `{name}` failed: {why}")
                    }
                    None => {
                        format!("no scene `{name}` in {}", registry.display())
                    }
                };
                self.report(BrokenTranscript, &scan.path, number, why);
            }
        }
    }

    /// Compares a transcript's block with what its scene printed.
    fn compare_transcript(
        &mut self,
        scan: &mut PageScan,
        t: &Transcript,
        text: &str,
    ) {
        let open = t.marker + 1;
        let wanted: Vec<&str> = text.lines().collect();
        if wanted.iter().any(|line| t.fence.closes(line)) {
            let why = format!(
                "scene `{}` printed a line that closes this {} fence; open \
                 the block with more {} characters",
                t.name,
                t.fence.text(),
                t.fence.mark
            );
            self.report(BadFence, &scan.path, open + 1, why);
            return;
        }
        let lines: Vec<&str> = scan.text.lines().collect();
        let now = block_lines(&lines, open, t.close, t.fence);
        let longest = now.len().max(wanted.len());
        let Some(diff) = (0..longest).find(|&i| now.get(i) != wanted.get(i))
        else {
            return;
        };
        let side = |line: Option<&&str>| {
            line.map_or("(end of block)".into(), |l| format!("{l:?}"))
        };
        let why = format!(
            "transcript `{}` differs from what its scene printed\n    \
             lesson: {}\n    scene:  {}",
            t.name,
            side(now.get(diff)),
            side(wanted.get(diff)),
        );
        self.report(StaleTranscript, &scan.path, open + 2 + diff, why);
        let lines = indented(wanted.into_iter(), t.fence.indent);
        scan.edits.push(Edit {
            start: open + 1,
            end: t.close,
            lines,
        });
    }

    /// Collects the links on a prose line. A link to a file outside the
    /// book is rewritten to that file's page (in a book).
    fn scan_links(&mut self, scan: &mut PageScan, at: usize, line: &str) {
        let page = scan.path.clone();
        for target in markdown::link_targets(line) {
            let Some((path, fragment)) = markdown::local_target(&target) else {
                continue;
            };
            let fragment = fragment.map(str::to_string);
            if path.is_empty() {
                let (line, page) = (at + 1, None);
                scan.links.push(Link {
                    line,
                    target,
                    page,
                    fragment,
                });
                continue;
            }
            // A leading `/` means the book's root, which is `lessons/`.
            let base = match path.starts_with('/') {
                true => self.root.join("lessons"),
                false => page.parent().unwrap_or(&self.root).to_path_buf(),
            };
            let file = normalize(&base.join(path.trim_start_matches('/')));
            let in_book = file.starts_with(self.root.join("lessons"));
            // The book is `lessons/` alone: a link that climbs above it
            // and comes back in works on GitHub, not in the book.
            if self.book && in_book && climbs_out(&self.root, &base, path) {
                let why = format!(
                    "broken link `{target}`: it leaves the book (`lessons/`) \
                     and comes back; link to `{}` from inside it",
                    shown(&self.root, &file).display()
                );
                self.report(BrokenLink, &page, at + 1, why);
                continue;
            }
            if self.book && !in_book && file.is_file() {
                self.link_to_page(scan, (at, line), &target, &file);
            } else if self.book && in_book && has_extension(&file, "md") {
                // A link to a source page keeps that page in the book.
                if let Some(source) = page_source(&self.root, &file) {
                    scan.shows.insert(source);
                }
                let (line, page) = (at + 1, Some(file));
                scan.links.push(Link {
                    line,
                    target,
                    page,
                    fragment,
                });
            } else if !file.exists() || (self.book && !in_book) {
                let missing = shown(&self.root, &file);
                let why = match file.exists() {
                    true => format!(
                        "broken link `{target}`: `{}` is a folder outside the \
                         book; link to a page or a file in it",
                        missing.display()
                    ),
                    false => format!(
                        "broken link `{target}`: `{}` does not exist",
                        missing.display()
                    ),
                };
                self.report(BrokenLink, &page, at + 1, why);
            }
        }
    }

    /// A link to `file`, outside the book: rewritten to the file's page.
    fn link_to_page(
        &mut self,
        scan: &mut PageScan,
        (at, line): (usize, &str),
        target: &str,
        file: &Path,
    ) {
        let Ok(file) = file.strip_prefix(&self.root) else {
            let why = format!("broken link `{target}`: outside the repository");
            self.report(BrokenLink, &scan.path, at + 1, why);
            return;
        };
        scan.shows.insert(file.to_path_buf());
        let dir = scan.path.parent().unwrap_or(&self.root);
        let to_page = relative(dir, &source_page(&self.root, file));
        let destination = markdown::link_destination(target).unwrap_or(target);
        let after = target.trim().trim_start_matches('<');
        let title = after.strip_prefix(destination).unwrap_or("");
        let wanted =
            format!("{}{}", to_page.display(), title.trim_start_matches('>'));
        let why = format!(
            "link `{target}` leaves the book: mdBook builds no page for \
             `{}`; its page is `{wanted}`",
            file.display()
        );
        self.report(StaleLink, &scan.path, at + 1, why);
        // A line with two such links is rewritten once, with both.
        let edits = &mut scan.edits;
        let edit =
            match edits.iter().position(|e| (e.start, e.end) == (at, at + 1)) {
                Some(index) => &mut edits[index],
                None => {
                    let lines = vec![line.to_string()];
                    edits.push(Edit {
                        start: at,
                        end: at + 1,
                        lines,
                    });
                    edits.last_mut().expect("just pushed")
                }
            };
        let (from, to) = (format!("]({target})"), format!("]({wanted})"));
        edit.lines[0] = edit.lines[0].replacen(&from, &to, 1);
    }

    /// Checks the reading map marked at index `at`: the table on the next
    /// lines lists the files of the program's reading path, with their
    /// code lines, and ends with their total. Stale sizes get an edit.
    fn check_reading_map(
        &mut self,
        scan: &mut PageScan,
        lines: &[&str],
        at: usize,
        name: Result<&str, String>,
    ) {
        let page = scan.path.clone();
        let rows = table_rows(lines, at);
        let name = match (name, rows.len()) {
            (Err(why), _) => return self.report(BrokenMap, &page, at + 1, why),
            (Ok(name), 0..=1) => {
                let why = format!(
                    "reading map `{name}` must be followed on the very next \
                     line by a table: | File | Lines | On a first read |"
                );
                return self.report(BrokenMap, &page, at + 1, why);
            }
            (Ok(name), _) => name,
        };
        let path = match self.reading_path_of(name) {
            Ok(path) => path,
            Err(why) => {
                let why = format!("reading map `{name}`: {why}");
                return self.report(BrokenMap, &page, at + 1, why);
            }
        };
        let mut map = ReadingMap {
            name,
            path: &path,
            listed: BTreeSet::new(),
        };
        let (head, body) = rows.split_at(2);
        for &row in head {
            self.map_cells(&page, (row, lines[row]));
        }
        // The last row is the total, unless it names a file.
        let total = body.last().filter(|&&row| !names_file(lines[row]));
        for &row in body.iter().filter(|&row| Some(row) != total) {
            self.check_map_row(scan, &mut map, (row, lines[row]));
        }
        let left_out: Vec<String> = (path.biggest_first().iter())
            .filter(|(file, _)| !map.listed.contains(file))
            .map(|(file, lines)| {
                format!("`{}` ({lines} lines)", file.display())
            })
            .collect();
        if !left_out.is_empty() {
            let why = format!(
                "reading map `{name}` leaves out {} file(s) of the program's \
                 reading path: {}; add a row for each where a reader should \
                 read it",
                left_out.len(),
                left_out.join(", ")
            );
            self.report(MapOffPath, &page, at + 1, why);
        }
        let total = total.map(|&row| (row, lines[row]));
        self.check_map_total(scan, &path, rows[rows.len() - 1], total);
    }

    /// Checks the table of files marked `<!-- file-sizes -->` at index
    /// `at`: each row names a Rust file of the repository and gives its
    /// size in code lines, counted as a reading map counts them; stale
    /// sizes get an edit. Unlike a reading map, it may list any `.rs`
    /// files, and has no total.
    fn check_file_sizes(
        &mut self,
        scan: &mut PageScan,
        lines: &[&str],
        at: usize,
    ) {
        let page = scan.path.clone();
        let rows = table_rows(lines, at);
        if rows.len() < 3 {
            let why = "a file-sizes marker must be followed on the very next \
                       line by a table: | File | Lines | ... |";
            return self.report(BrokenMap, &page, at + 1, why.to_string());
        }
        for &row in &rows[2..] {
            let line = lines[row];
            let named = self.row_file(&page, (row, line), "file-sizes table");
            let Some((cells, file)) = named else {
                continue;
            };
            if file.extension().is_none_or(|ext| ext != "rs") {
                let why = format!(
                    "`{}`: sizes are counted in Rust code lines; list `.rs` \
                     files only",
                    file.display()
                );
                self.report(BrokenMap, &page, row + 1, why);
                continue;
            }
            match fs::read_to_string(self.root.join(&file)) {
                Ok(text) => {
                    let size = reading_paths::code_lines(&text);
                    self.expect_row_size(
                        scan,
                        (row, line),
                        &cells,
                        &file,
                        size,
                    );
                }
                Err(e) => {
                    let why = format!("`{}`: {e}", file.display());
                    self.report(BrokenMap, &page, row + 1, why);
                }
            }
        }
    }

    /// The cells of a row of a table of files and the file its first cell
    /// names in a code span; `None` (reported) if it has no three cells or
    /// names no file. `what` names the table in the report: a reading map
    /// or a file-sizes table.
    fn row_file(
        &mut self,
        page: &Path,
        (row, line): (usize, &str),
        what: &str,
    ) -> Option<(Vec<Range<usize>>, PathBuf)> {
        let cells = self.map_cells(page, (row, line))?;
        let Some(file) = markdown::first_code_span(&line[cells[0].clone()])
        else {
            let why = format!(
                "this row of a {what} names no file: write its path from \
                 the repository's root in a code span, as \
                 [`src/line.rs`](../src/line.rs)"
            );
            self.report(BrokenMap, page, row + 1, why);
            return None;
        };
        Some((cells, PathBuf::from(file.trim())))
    }

    /// A row naming `file` (see [`row_file`](Self::row_file)): its link,
    /// if any, must lead to that file, and its second cell must say
    /// `size`, which blessing writes.
    fn expect_row_size(
        &mut self,
        scan: &mut PageScan,
        (row, line): (usize, &str),
        cells: &[Range<usize>],
        file: &Path,
        size: usize,
    ) {
        let page = scan.path.clone();
        self.check_map_link(&page, (row, &line[cells[0].clone()]), file);
        let edit = [(cells[1].clone(), size.to_string())];
        self.expect_cells(scan, (row, line), &edit);
    }

    /// The three cells of a reading map's row, or `None` (reported).
    fn map_cells(
        &mut self,
        page: &Path,
        (row, line): (usize, &str),
    ) -> Option<Vec<Range<usize>>> {
        let cells = markdown::table_cells(line);
        if cells.len() == 3 {
            return Some(cells);
        }
        let why = format!(
            "a reading map's row has three cells: the file, its code lines \
             (which BLESS=1 writes) and what to read or skip; this one has {}",
            cells.len()
        );
        self.report(BrokenMap, page, row + 1, why);
        None
    }

    /// A row of a reading map: a file on the path, listed once, its link
    /// (if any) to that file, and its size.
    fn check_map_row(
        &mut self,
        scan: &mut PageScan,
        map: &mut ReadingMap,
        (row, line): (usize, &str),
    ) {
        let page = scan.path.clone();
        let Some((cells, file)) =
            self.row_file(&page, (row, line), "reading map")
        else {
            return;
        };
        let lines = map.path.files.iter().find(|(f, _)| *f == file);
        let why = match (lines, map.listed.insert(file.clone())) {
            (None, _) => format!(
                "`{}` is not on `{}`'s reading path; remove its row",
                file.display(),
                map.name
            ),
            (Some(_), false) => format!("lists `{}` twice", file.display()),
            (Some(&(_, lines)), true) => {
                return self.expect_row_size(
                    scan,
                    (row, line),
                    &cells,
                    &file,
                    lines,
                );
            }
        };
        self.report(MapOffPath, &page, row + 1, why);
    }

    /// A link in a reading map's file cell must lead to that file (or to
    /// its page in the book).
    fn check_map_link(
        &mut self,
        page: &Path,
        (row, cell): (usize, &str),
        file: &Path,
    ) {
        let targets = markdown::link_targets(cell);
        let Some((path, _)) =
            targets.first().and_then(|t| markdown::local_target(t))
        else {
            return;
        };
        let dir = page.parent().unwrap_or(&self.root);
        let linked = normalize(&dir.join(path));
        let linked = page_source(&self.root, &linked)
            .unwrap_or_else(|| shown(&self.root, &linked));
        if linked != file {
            let why = format!(
                "the row of `{}` links to `{}`",
                file.display(),
                linked.display()
            );
            self.report(MapOffPath, page, row + 1, why);
        }
    }

    /// The total row of a reading map, its last: the number of files and
    /// their code lines. Written after the table's `last` row if missing.
    fn check_map_total(
        &mut self,
        scan: &mut PageScan,
        path: &ReadingPath,
        last: usize,
        total: Option<(usize, &str)>,
    ) {
        let files = format!("All {} files", path.files.len());
        let lines = path.lines().to_string();
        let Some((row, line)) = total else {
            let why = format!(
                "no total at the end of the reading map; wanted \
                 \"{files}\", {lines}"
            );
            self.report(StaleMap, &scan.path, last + 2, why);
            let lines = vec![format!("| {files} | {lines} | |")];
            let (start, end) = (last + 1, last + 1);
            return scan.edits.push(Edit { start, end, lines });
        };
        if let Some(cells) = self.map_cells(&scan.path.clone(), (row, line)) {
            let wanted = [(cells[0].clone(), files), (cells[1].clone(), lines)];
            self.expect_cells(scan, (row, line), &wanted);
        }
    }

    /// Each cell of a table row (a range of `line`) must hold its text;
    /// a stale row gets an edit.
    fn expect_cells(
        &mut self,
        scan: &mut PageScan,
        (row, line): (usize, &str),
        wanted: &[(Range<usize>, String)],
    ) {
        let stale = |(cell, text): &&(Range<usize>, String)| {
            line[cell.clone()].trim() != text
        };
        let Some((cell, text)) = wanted.iter().find(stale) else {
            return;
        };
        let why = format!(
            "stale reading map: {:?} where the code says {text:?}",
            line[cell.clone()].trim()
        );
        self.report(StaleMap, &scan.path, row + 1, why);
        let mut fixed = line.to_string();
        // From the right, so that the ranges to the left still hold.
        for (cell, text) in wanted.iter().rev() {
            fixed.replace_range(cell.clone(), &format!(" {text} "));
        }
        scan.edits.push(Edit {
            start: row,
            end: row + 1,
            lines: vec![fixed],
        });
    }

    /// The reading path of program `name`, worked out once.
    fn reading_path_of(&mut self, name: &str) -> Result<ReadingPath, String> {
        if let Some(path) = self.reading_paths.get(name) {
            return path.clone();
        }
        let path = program_path(&self.root, name);
        self.reading_paths.insert(name.to_string(), path.clone());
        path
    }

    /// `book.toml` must switch off what breaks the book: the Run button on
    /// code that cannot run, and the renaming of `README.md` to `index.md`
    /// (which breaks every link to `README.md`, on GitHub the name to use).
    fn check_book_toml(&mut self, path: &Path) {
        let Some(text) = self.read(path) else { return };
        let settings = toml_settings(&text);
        let wanted = [
            ("build", "use-default-preprocessors", "false"),
            ("output.html.playground", "runnable", "false"),
        ];
        for (table, key, value) in wanted {
            let found = settings.get(&(table.to_string(), key.to_string()));
            if found.map(String::as_str) != Some(value) {
                let why = format!("needs `{key} = {value}` under `[{table}]`");
                self.report(BookConfig, path, 0, why);
            }
        }
        if !settings
            .keys()
            .any(|(table, _)| table == "preprocessor.links")
        {
            let why = "needs `[preprocessor.links]`, for `{{#include}}`, once \
                       the default preprocessors are off"
                .to_string();
            self.report(BookConfig, path, 0, why);
        }
    }

    /// The book as a whole: `SUMMARY.md`, the source pages, and the links.
    fn check_book(
        &mut self,
        lessons: &Path,
        pages: &[PathBuf],
        scans: &[PageScan],
    ) {
        let summary_path = lessons.join("SUMMARY.md");
        let Some(summary) = self.read(&summary_path) else {
            return;
        };
        let (hand, entries) = summary_entries(lessons, &summary);
        self.check_listing(&summary_path, pages, &entries);
        let texts = self.source_pages(scans, &entries);
        let part = source_part(texts.keys().map(|p| relative(lessons, p)));
        let wanted = format!("{}\n\n{part}", hand.trim_end());
        self.expect_file(&summary_path, &summary, wanted);
        let code = lessons.join(CODE_DIR);
        for page in pages.iter().filter(|p| p.starts_with(&code)) {
            if !texts.contains_key(page) {
                let why = "shows a file that no lesson shows or links to any \
                           more";
                self.report(StalePage, page, 0, why.to_string());
                self.writes.insert(page.clone(), None);
            }
        }
        // The links, against the pages the book will have.
        let mut book: BTreeMap<PathBuf, BTreeSet<String>> = BTreeMap::new();
        for entry in &entries {
            if let Ok(text) = fs::read_to_string(&entry.path) {
                book.insert(entry.path.clone(), markdown::page_ids(&text));
            }
        }
        for (page, text) in &texts {
            let now = fs::read_to_string(page).unwrap_or_default();
            self.expect_file(page, &now, text.clone());
            book.insert(page.clone(), markdown::page_ids(text));
        }
        for scan in scans {
            self.check_links(scan, &book);
        }
    }

    /// `SUMMARY.md` must list every page written by hand, and only pages
    /// that exist (mdBook stops on a missing one).
    fn check_listing(
        &mut self,
        summary: &Path,
        pages: &[PathBuf],
        entries: &[Entry],
    ) {
        let code = summary.with_file_name(CODE_DIR);
        let listed: BTreeSet<&PathBuf> =
            entries.iter().map(|e| &e.path).collect();
        for page in pages {
            let generated = page.starts_with(&code) || page == summary;
            if !generated && !listed.contains(page) {
                let why = "not in SUMMARY.md, so mdBook leaves it out of the \
                           book; list it there";
                self.report(NotInBook, page, 0, why.to_string());
            }
        }
        for entry in entries {
            if !entry.path.exists() && !entry.path.starts_with(&code) {
                let missing = shown(&self.root, &entry.path);
                let why = format!(
                    "lists `{}`, which does not exist",
                    missing.display()
                );
                self.report(BrokenLink, summary, 0, why);
            }
        }
    }

    /// The text of the page of each file that a page shows or links to,
    /// by the page's path.
    fn source_pages(
        &mut self,
        scans: &[PageScan],
        entries: &[Entry],
    ) -> BTreeMap<PathBuf, String> {
        // Each page lists the lessons that show its file.
        let mut shown_in: BTreeMap<PathBuf, Vec<&Entry>> = BTreeMap::new();
        for scan in scans {
            let entry = entries.iter().find(|e| e.path == scan.path);
            for file in &scan.shows {
                let list = shown_in.entry(file.clone()).or_default();
                list.extend(entry);
            }
        }
        let mut texts = BTreeMap::new();
        for (file, entries) in &shown_in {
            if let Some(text) = self.source_page_text(file, entries) {
                texts.insert(source_page(&self.root, file), text);
            }
        }
        texts
    }

    /// The page of `file`, shown in `entries`; `None` if it cannot be one.
    fn source_page_text(
        &mut self,
        file: &Path,
        entries: &[&Entry],
    ) -> Option<String> {
        let text = self.read(&self.root.join(file))?;
        if text.contains("{{#") {
            let why = "holds `{{#`, which mdBook would expand in its page; \
                       show a region of it instead of linking to it whole"
                .to_string();
            self.report(BrokenReference, &self.root.join(file), 0, why);
            return None;
        }
        let page = source_page(&self.root, file);
        let dir = page.parent().unwrap_or(&self.root);
        let include = relative(dir, &self.root.join(file));
        let lessons: Vec<String> = entries
            .iter()
            .map(|e| {
                format!("[{}]({})", e.title, relative(dir, &e.path).display())
            })
            .collect();
        let fence = markdown::fence_for(&text);
        let language = match file.extension().and_then(|e| e.to_str()) {
            // Not `rust`: mdBook would add a Run button and hide lines.
            Some("rs") => "rs",
            Some("toml") => "toml",
            Some("py") => "python",
            Some("sh") => "bash",
            Some("md") => "markdown",
            _ => "text",
        };
        Some(format!(
            "# `{}`\n\n{GENERATED}, for each file that a lesson shows or \
             links to. -->\n\nShown in {}.\n\n{fence}{language}\n\
             {{{{#include {}}}}}\n{fence}\n",
            file.display(),
            lessons.join(", "),
            include.display(),
        ))
    }

    /// `path` must hold `wanted`; `now` is what it holds.
    fn expect_file(&mut self, path: &Path, now: &str, wanted: String) {
        if now == wanted {
            return;
        }
        let line = now
            .lines()
            .zip(wanted.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(now.lines().count().min(wanted.lines().count()));
        let why = match now.is_empty() {
            true => "missing: it is generated".to_string(),
            false => format!(
                "generated text out of date\n    file:   {:?}\n    wanted: {:?}",
                now.lines().nth(line).unwrap_or("(end of file)"),
                wanted.lines().nth(line).unwrap_or("(end of file)"),
            ),
        };
        self.report(StalePage, path, line + 1, why);
        self.writes.insert(path.to_path_buf(), Some(wanted));
    }

    /// Each link of a page leads to a page of the book, and its fragment
    /// to an `id` in that page.
    fn check_links(
        &mut self,
        scan: &PageScan,
        book: &BTreeMap<PathBuf, BTreeSet<String>>,
    ) {
        for link in &scan.links {
            let page = link.page.as_ref().unwrap_or(&scan.path);
            let Some(ids) = book.get(page) else {
                let why = format!(
                    "broken link `{}`: `{}` is not a page of the book (not in \
                     SUMMARY.md, or missing)",
                    link.target,
                    shown(&self.root, page).display()
                );
                self.report(BrokenLink, &scan.path, link.line, why);
                continue;
            };
            if let Some(fragment) = &link.fragment
                && !ids.contains(fragment)
            {
                let why = format!(
                    "broken link `{}`: no heading or id `{fragment}` in `{}`",
                    link.target,
                    shown(&self.root, page).display()
                );
                self.report(BrokenLink, &scan.path, link.line, why);
            }
        }
    }

    /// Queues the page with its edits applied, if it has any.
    fn write_edits(&mut self, scan: &PageScan) {
        if scan.edits.is_empty() {
            return; // nothing stale: leave the file alone, byte for byte
        }
        let text = edited_text(&scan.text, &scan.edits);
        self.writes.insert(scan.path.clone(), Some(text));
    }
}

/// The lines of the block between fences `open` and `close`, without the
/// fence's indent, as CommonMark reads them.
fn block_lines<'a>(
    lines: &[&'a str],
    open: usize,
    close: usize,
    fence: Fence,
) -> Vec<&'a str> {
    (lines[open + 1..close].iter())
        .map(|line| {
            let spaces = line.len() - line.trim_start_matches(' ').len();
            &line[spaces.min(fence.indent)..]
        })
        .collect()
}

/// `lines`, indented as the block that holds them.
fn indented<'a>(
    lines: impl Iterator<Item = &'a str>,
    indent: usize,
) -> Vec<String> {
    let indent = " ".repeat(indent);
    let line = |line: &str| match line {
        "" => String::new(),
        line => format!("{indent}{line}"),
    };
    lines.map(line).collect()
}

/// A snippet's caption starts so; the rest is generated.
const CAPTION_START: &str = "From [`";

fn is_caption(line: &&&str) -> bool {
    line.trim_start().starts_with(CAPTION_START)
}

/// The caption of a snippet of `file` (relative to `root`) in `page`:
/// the file, linked to its page, and the lines the copy shows.
fn caption_line(
    page: &Path,
    root: &Path,
    file: &Path,
    region: &Region,
    fence: Fence,
) -> String {
    let dir = page.parent().unwrap_or(root);
    let to_page = relative(dir, &source_page(root, file));
    let first = region.lines.first().map_or(region.end, |(n, _)| *n);
    let last = region.lines.last().map_or(region.end, |(n, _)| *n);
    let lines = match first == last {
        true => format!("line {first}"),
        false => format!("lines {first}–{last}"),
    };
    let indent = " ".repeat(fence.indent);
    format!(
        "{indent}{CAPTION_START}{}`]({}), {lines}:",
        file.display(),
        to_page.display()
    )
}

/// The page that shows `file` (relative to `root`) whole.
fn source_page(root: &Path, file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_os_string();
    name.push(".md");
    root.join("lessons").join(CODE_DIR).join(name)
}

/// The file a source page under `root` shows (the other way from
/// [`source_page`]), or `None` for a page that is not a source page.
fn page_source(root: &Path, page: &Path) -> Option<PathBuf> {
    let code = root.join("lessons").join(CODE_DIR);
    let file = page.strip_prefix(code).ok()?.to_string_lossy();
    Some(PathBuf::from(file.strip_suffix(".md").unwrap_or(&file)))
}

/// The "Source files" part of `SUMMARY.md`, listing `pages` (relative to
/// `lessons/`).
fn source_part(pages: impl Iterator<Item = PathBuf>) -> String {
    let mut part = format!(
        "{SOURCE_PART}\n\n{GENERATED}: a page for each file that a lesson \
         shows or links to. -->\n\n"
    );
    for page in pages {
        let page = page.to_string_lossy().replace('\\', "/");
        let file = page
            .strip_prefix(&format!("{CODE_DIR}/"))
            .and_then(|p| p.strip_suffix(".md"))
            .unwrap_or(&page);
        part.push_str(&format!("[`{file}`]({page})\n"));
    }
    part
}

/// The hand-written part of `SUMMARY.md` (before [`SOURCE_PART`]), and
/// every page it lists (both parts), with its title.
fn summary_entries(lessons: &Path, summary: &str) -> (String, Vec<Entry>) {
    let hand_end = summary
        .lines()
        .position(|line| line.trim_end() == SOURCE_PART)
        .unwrap_or(usize::MAX);
    let mut hand = String::new();
    let mut entries = Vec::new();
    for (index, line) in summary.lines().enumerate() {
        if index < hand_end {
            hand.push_str(line);
            hand.push('\n');
        }
        let Some((title, target)) = line.split_once("](") else {
            continue;
        };
        let title = title.rsplit_once('[').map_or(title, |(_, t)| t);
        let target = target.split(')').next().unwrap_or_default();
        if let Some((path, _)) = markdown::local_target(target)
            && !path.is_empty()
        {
            let path = normalize(&lessons.join(path));
            let title = title.replace('`', "");
            entries.push(Entry { title, path });
        }
    }
    (hand, entries)
}

/// `key = value` settings of a TOML file, by (table, key). Enough for
/// `book.toml`: no inline tables, no multi-line values.
fn toml_settings(text: &str) -> BTreeMap<(String, String), String> {
    let mut settings = BTreeMap::new();
    let mut table = String::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap_or_default().trim();
        if let Some(name) =
            line.strip_prefix('[').and_then(|l| l.strip_suffix(']'))
        {
            table = name.trim().to_string();
            // A table with no keys is still there.
            settings.insert((table.clone(), String::new()), String::new());
        } else if let Some((key, value)) = line.split_once('=') {
            let key = (table.clone(), key.trim().to_string());
            settings.insert(key, value.trim().to_string());
        }
    }
    settings
}

/// The anchor name after `tag` on a line, if any. Like mdBook, the tag may
/// appear anywhere on the line, so it works after `//`, `#` or any comment
/// syntax. The name is taken whole: `abc` never matches `ANCHOR: abcd`.
fn anchor_after<'a>(tag: &str, line: &'a str) -> Option<&'a str> {
    let after = line.split_once(tag)?.1.trim_start();
    let len = after.find(|c| !is_name_char(c)).unwrap_or(after.len());
    (len > 0).then(|| &after[..len])
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Each anchor name in a source text, with the 1-based lines of its
/// `ANCHOR:` markers and of its `ANCHOR_END:` markers.
fn markers(text: &str) -> BTreeMap<&str, (Vec<usize>, Vec<usize>)> {
    let mut markers: BTreeMap<_, (Vec<_>, Vec<_>)> = BTreeMap::new();
    for (index, line) in text.lines().enumerate() {
        if let Some(name) = anchor_after("ANCHOR:", line) {
            markers.entry(name).or_default().0.push(index + 1);
        } else if let Some(name) = anchor_after("ANCHOR_END:", line) {
            markers.entry(name).or_default().1.push(index + 1);
        }
    }
    markers
}

/// The lines a lesson must copy for one anchor.
struct Region {
    /// (1-based line number in the source, the line after dedenting)
    lines: Vec<(usize, String)>,
    /// 1-based line number of the `ANCHOR_END` marker.
    end: usize,
}

/// The region of anchor `name` in a source text, or why there is none.
fn anchored_region(text: &str, name: &str) -> Result<Region, String> {
    let (starts, ends) = markers(text).remove(name).unwrap_or_default();
    let (start, end) = match (&starts[..], &ends[..]) {
        (&[start], &[end]) if start < end => (start, end),
        ([], []) => return Err(format!("no `ANCHOR: {name}` in that file")),
        // `check_markers` says, in that file, what is wrong.
        _ => return Err(format!("anchor `{name}` is duplicated or unpaired")),
    };
    let lines: Vec<&str> = text.lines().collect();
    let is_marker = |line: &str| {
        let tags = ["ANCHOR:", "ANCHOR_END:"];
        tags.iter().any(|tag| anchor_after(tag, line).is_some())
    };
    let kept: Vec<(usize, &str)> = (start + 1..end)
        .map(|number| (number, lines[number - 1]))
        .filter(|(_, line)| !is_marker(line))
        .collect();
    // Blank lines do not count: an empty line in a method must not cancel
    // the dedent. Comparing chars never cuts a multi-byte space in half.
    let non_blank = kept.iter().filter(|(_, line)| !line.trim().is_empty());
    let indents = non_blank.map(|(_, l)| &l[..l.len() - l.trim_start().len()]);
    let indent = indents.reduce(|common, indent| {
        let same = common
            .chars()
            .zip(indent.chars())
            .take_while(|(a, b)| a == b);
        &common[..same.map(|(c, _)| c.len_utf8()).sum()]
    });
    let dedent = |line: &str| match line.trim() {
        "" => String::new(),
        _ => line[indent.map_or(0, str::len)..].to_string(),
    };
    let lines = kept.iter().map(|&(number, line)| (number, dedent(line)));
    Ok(Region {
        lines: lines.collect(),
        end,
    })
}

/// `Some(Ok((path, anchor)))` for `<!-- include: PATH:ANCHOR -->`, `None`
/// for a line that is no reference at all, and `Some(Err(why))` for one that
/// starts like a reference but is malformed: a typo is reported, not ignored.
fn parse_reference(line: &str) -> Option<Result<(&str, &str), String>> {
    let inner = parse_marker(INCLUDE, line)?;
    // The anchor follows the *last* colon, so a path may contain colons.
    let parts = inner.ok().and_then(|inner| inner.rsplit_once(':'));
    let parts = parts.map(|(path, anchor)| (path.trim(), anchor.trim()));
    let parts = parts.filter(|(path, anchor)| {
        !path.is_empty()
            && !anchor.is_empty()
            && anchor.chars().all(is_name_char)
    });
    Some(parts.ok_or_else(|| {
        "malformed reference: expected `<!-- include: PATH:ANCHOR -->` on one \
         line, where ANCHOR uses only letters, digits, `_` and `-`"
            .to_string()
    }))
}

/// For a line that opens a comment beginning with none of [`COMMENTS`]:
/// why that is a problem.
fn unknown_comment(line: &str) -> Option<String> {
    let body = comment_body(line)?;
    if COMMENTS.iter().any(|known| body.starts_with(known)) {
        return None;
    }
    let known: Vec<String> = (COMMENTS.iter())
        .map(|known| format!("`<!-- {known}`"))
        .collect();
    Some(format!(
        "a comment that is no marker (a misspelt one checks nothing): a \
         comment in a lesson begins with one of {}",
        known.join(", ")
    ))
}

/// What follows `<!--` on a line that opens a comment.
fn comment_body(line: &str) -> Option<&str> {
    Some(line.trim().strip_prefix("<!--")?.trim_start())
}

/// Whether `line` is the marker of a file-sizes table, `<!-- file-sizes
/// -->` (its spaces as the writer likes).
fn is_file_sizes(line: &str) -> bool {
    let rest = comment_body(line).and_then(|b| b.strip_prefix(FILE_SIZES));
    let rest = rest.and_then(|r| r.trim_end().strip_suffix("-->"));
    rest.is_some_and(|r| r.trim().is_empty())
}

/// For a `<!-- TAG VALUE -->` line: `Some(Ok(VALUE))`, or `Some(Err(why))`
/// if it is malformed (not closed on the line, or empty); `None` for any
/// other line.
fn parse_marker<'a>(
    tag: &str,
    line: &'a str,
) -> Option<Result<&'a str, String>> {
    let body = comment_body(line)?;
    let inner = body.strip_prefix(tag)?.trim_end().strip_suffix("-->");
    let value = inner.map(str::trim).filter(|value| !value.is_empty());
    Some(value.ok_or_else(|| {
        format!("malformed marker: expected `<!-- {tag} VALUE -->` on one line")
    }))
}

/// The indices of the table that starts on the line after `at`: every
/// line from there that starts with `|`.
fn table_rows(lines: &[&str], at: usize) -> Vec<usize> {
    (at + 1..lines.len())
        .take_while(|&i| lines[i].trim_start().starts_with('|'))
        .collect()
}

/// Whether the first cell of a table row names a file, in a code span.
fn names_file(row: &str) -> bool {
    let cells = markdown::table_cells(row);
    let first = cells.first().map(|cell| &row[cell.clone()]);
    first.and_then(markdown::first_code_span).is_some()
}

/// The page with each edit applied. Every other line is kept, and so are
/// the line endings and the final newline (or its absence).
fn edited_text(text: &str, edits: &[Edit]) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|edit| (edit.start, edit.end));
    let mut edited: Vec<&str> = Vec::new();
    let mut next = 0; // the first line not yet copied into `edited`
    for edit in sorted {
        edited.extend(&lines[next..edit.start.max(next)]);
        edited.extend(edit.lines.iter().map(String::as_str));
        next = edit.end.max(next);
    }
    edited.extend(&lines[next.min(lines.len())..]);
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut edited = edited.join(newline);
    if text.ends_with('\n') {
        edited.push_str(newline);
    }
    edited
}

fn has_extension(path: &Path, extension: &str) -> bool {
    path.extension().is_some_and(|ext| ext == extension)
}

/// A path as shown in problems: relative to the root when it is inside.
fn shown(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

/// The path from directory `from` to `to`, both normalized and absolute
/// (or both relative to the same place).
fn relative(from: &Path, to: &Path) -> PathBuf {
    let (from, to) = (normalize(from), normalize(to));
    let common = from
        .components()
        .zip(to.components())
        .take_while(|(a, b)| a == b)
        .count();
    let ups = from.components().count() - common;
    let mut path: PathBuf = std::iter::repeat_n("..", ups).collect();
    path.extend(to.components().skip(common));
    path
}

/// Whether `path`, followed from the folder `base` inside `lessons/`,
/// goes above `lessons/` on its way.
fn climbs_out(root: &Path, base: &Path, path: &str) -> bool {
    let book = root.join("lessons");
    let Ok(inside) = normalize(base).strip_prefix(&book).map(Path::to_path_buf)
    else {
        return false;
    };
    let mut depth = inside.components().count();
    for part in Path::new(path).components() {
        match part {
            Component::ParentDir if depth == 0 => return true,
            Component::ParentDir => depth -= 1,
            Component::Normal(_) => depth += 1,
            _ => {}
        }
    }
    false
}

/// Resolves `.` and `..` without touching the disk, so that
/// `lessons/../src/a.rs` and `src/a.rs` compare equal even when the file
/// does not exist (`canonicalize` would fail) or sits behind a symlink.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        let last = out.components().next_back();
        match component {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(last, Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            // Nothing is above the root directory.
            Component::ParentDir if out.has_root() => {}
            other => out.push(other),
        }
    }
    out
}

#[test]
fn lessons_are_in_sync_with_the_code() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let blessing = std::env::var("BLESS").is_ok_and(|value| value == "1");
    let stage = Memo::new(Scenes);
    let review = match blessing {
        true => bless(root, &stage),
        false => check(root, &stage),
    };
    for note in &review.notes {
        eprintln!("note: {note}");
    }
    let problems = &review.problems;
    assert!(problems.is_empty(), "{}", report(problems, blessing));
}

fn report(problems: &[Problem], blessing: bool) -> String {
    let list: String = problems.iter().map(|p| format!("{p}\n")).collect();
    let advice = match blessing {
        true => "BLESS=1 rewrote what is generated; the rest needs a human",
        false => &format!("for what is generated, {BLESS_HINT}"),
    };
    let count = problems.len();
    format!(
        "{count} problem(s) between lessons/ and the code:\n\n{list}\n{advice}"
    )
}

// --- The catalogue of faults ----------------------------------------------

/// Every test the catalogue of faults (`tests/README.md`) names in a row
/// is a function of the repository: a reader follows the name to the
/// code, and a test renamed or removed must take its row along.
#[test]
fn the_catalogue_names_only_tests_that_exist() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut checker = Checker::new(root);
    let mut defined = BTreeSet::new();
    for dir in ["src", "bin", "mocks", "tests"] {
        for file in checker.source_files(&root.join(dir)) {
            let text = fs::read_to_string(&file).unwrap_or_default();
            defined.extend(fn_names(&text).map(str::to_owned));
        }
    }
    let catalogue = fs::read_to_string(root.join("tests/README.md"))
        .expect("the catalogue, tests/README.md");
    let named = catalogue_tests(&catalogue);
    assert!(named.len() > 100, "only {} test names found", named.len());
    let missing: Vec<&str> = (named.iter())
        .filter(|name| {
            let function = name.rsplit("::").next().unwrap_or(name);
            !defined.contains(function)
        })
        .map(String::as_str)
        .collect();
    assert!(missing.is_empty(), "no such test: {missing:?}");
}

/// The names of the functions defined in `text` (`fn NAME`).
fn fn_names(text: &str) -> impl Iterator<Item = &str> {
    text.match_indices("fn ").filter_map(|(at, _)| {
        let before = text[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            return None;
        }
        let name = &text[at + 3..];
        let end = name.find(|c: char| !(c.is_alphanumeric() || c == '_'));
        Some(&name[..end.unwrap_or(name.len())])
    })
}

/// The tests the rows of the catalogue name: each code span of a row's
/// last cell (`module::test_name`).
fn catalogue_tests(catalogue: &str) -> Vec<String> {
    let rows = catalogue.lines().filter(|line| {
        let id = line.strip_prefix("| ").unwrap_or_default();
        let mut id = id.chars();
        id.next().is_some_and(|c| c.is_ascii_uppercase())
            && id.next().is_some_and(|c| c.is_ascii_digit())
    });
    let last_cells = rows.filter_map(|row| {
        let last = markdown::table_cells(row).pop()?;
        Some(&row[last])
    });
    let spans = last_cells.flat_map(markdown::code_spans);
    spans.map(str::to_owned).collect()
}

// --- Reading paths ----------------------------------------------------------

/// Each program a lesson teaches, and the most code lines its reading path
/// may hold: what a reader can follow beside a Python original of 30 to
/// 200 lines. A program keeps under it by reaching only what it uses.
const READING_LIMITS: [(&str, usize); 7] = [
    ("resolve", 1_500),
    ("webget", 1_400),
    ("smtp-raw", 1_400),
    ("smtp-send", 1_800),
    ("echo-server", 900),
    ("echo-client", 750),
    ("tcp-server", 800),
];

/// The reading path of program `name` (a `[[bin]]` of `Cargo.toml`) in
/// the tree at `root`.
fn program_path(root: &Path, name: &str) -> Result<ReadingPath, String> {
    let cargo_toml = fs::read_to_string(root.join("Cargo.toml"))
        .map_err(|err| format!("cannot read Cargo.toml: {err}"))?;
    let programs = reading_paths::programs(&cargo_toml);
    let Some(bin) = programs.get(name) else {
        let names: Vec<&str> = programs.keys().map(String::as_str).collect();
        return Err(format!(
            "no program `{name}` in Cargo.toml, whose [[bin]] tables name {}",
            names.join(", ")
        ));
    };
    reading_paths::reading_path(root, bin)
}

/// The reading path of each program of [`READING_LIMITS`] in this tree,
/// with its limit.
fn lesson_paths() -> Vec<(&'static str, usize, ReadingPath)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let path =
        |name| program_path(root, name).unwrap_or_else(|e| panic!("{e}"));
    (READING_LIMITS.iter())
        .map(|&(name, limit)| (name, limit, path(name)))
        .collect()
}

/// A program's reading path as a table: its total, then each file, biggest
/// first.
fn path_listing(name: &str, limit: usize, path: &ReadingPath) -> String {
    let (lines, files) = (path.lines(), path.files.len());
    let over = match lines > limit {
        true => format!(", {} over its limit of {limit}", lines - limit),
        false => format!(" (limit {limit})"),
    };
    let mut listing =
        format!("{name}: {lines} code lines in {files} files{over}\n");
    for (file, lines) in path.biggest_first() {
        listing.push_str(&format!("{lines:>7}  {}\n", file.display()));
    }
    listing
}

/// `cargo test --test inet -- --nocapture reading_paths` prints each
/// program's reading path (see `tests/lessons/reading_paths.rs` for what
/// it takes in and how lines are counted).
#[test]
fn reading_paths_of_the_programs() {
    let paths = lesson_paths();
    println!("program       files  code lines  limit");
    for (name, limit, path) in &paths {
        let (files, lines) = (path.files.len(), path.lines());
        println!("{name:<12} {files:>6} {lines:>11} {limit:>6}");
    }
    for (name, limit, path) in &paths {
        println!("\n{}", path_listing(name, *limit, path));
        let root = &path.files[0].0;
        assert!(
            root.starts_with("bin"),
            "{name} starts at {}",
            root.display()
        );
    }
}

// Ignored until the programs that are over their limit today have been
// shrunk: then it becomes a plain test.
#[test]
#[ignore = "some programs are still over their reading limits"]
fn reading_paths_are_within_their_limits() {
    let over: Vec<String> = (lesson_paths().iter())
        .filter(|(_, limit, path)| path.lines() > *limit)
        .map(|(name, limit, path)| path_listing(name, *limit, path))
        .collect();
    assert!(
        over.is_empty(),
        "{} program(s) over their reading limits:\n\n{}",
        over.len(),
        over.join("\n")
    );
}

// --- Tests of the checker, on tiny trees in a temporary directory ----------

/// A method in an `impl`, so its region is dedented. Its blank line holds a
/// tab, which must not cancel the dedent; `new_line` is nested in it.
const LINE_RS: &str = "\
impl Reader {
    // ANCHOR: read_line
    pub fn read_line(&self) -> String {
        // ANCHOR: new_line
        let line = String::new();
        // ANCHOR_END: new_line
\t
        line
    }
    // ANCHOR_END: read_line
}
";

/// A lesson whose copies of `LINE_RS` are up to date.
const LESSON: &str = "\
# Reading lines

<!-- include: ../src/line.rs:read_line -->
From [`src/line.rs`](code/src/line.rs.md), lines 3–9:
```rust
pub fn read_line(&self) -> String {
    let line = String::new();

    line
}
```

<!-- include: ../src/line.rs:new_line -->
From [`src/line.rs`](code/src/line.rs.md), line 5:
~~~
let line = String::new();
~~~
";

/// A tree's files: (path from the root, contents).
type Files = Vec<(&'static str, String)>;

fn files(list: &[(&'static str, &str)]) -> Files {
    let owned = list.iter().map(|&(path, text)| (path, text.to_string()));
    owned.collect()
}

/// A fixture tree, and what the checker must make of it.
#[derive(Default)]
struct Case {
    name: &'static str,
    files: Files,
    /// (kind, file, line) of each problem that `check` finds, in order.
    problems: Vec<(Kind, &'static str, usize)>,
    /// Text that the report of these problems must hold.
    mentions: Vec<&'static str>,
    /// The files that BLESS=1 rewrites, as they must then read. It must
    /// touch no other file, and leave all problems but the generated ones.
    blessed: Files,
    /// The notes: scenes not played, commands with no transcript.
    notes: Vec<&'static str>,
    /// The files that BLESS=1 deletes.
    deleted: Vec<&'static str>,
    /// The scenes of the transcripts, and what each plays.
    scenes: Vec<(&'static str, Played)>,
}

/// A stage of scenes that play fixed text, for the checker's own tests.
struct Fixed(Vec<(&'static str, Played)>);

impl Fixed {
    fn scenes(scenes: &[(&'static str, Played)]) -> Memo {
        Memo::new(Fixed(scenes.to_vec()))
    }
}

impl Stage for Fixed {
    fn names(&self) -> Vec<&str> {
        self.0.iter().map(|(name, _)| *name).collect()
    }

    fn play(&self, name: &str) -> Played {
        let scene = self.0.iter().find(|(n, _)| *n == name);
        scene.map_or(Played::Failed("unknown".into()), |(_, p)| p.clone())
    }

    fn registry(&self) -> &str {
        "tests/scenes.rs"
    }
}

/// When every fixture file was last modified, so that a test can tell
/// whether BLESS=1 rewrote it.
const LONG_AGO: std::time::SystemTime = std::time::SystemTime::UNIX_EPOCH;

fn tree(files: &Files) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("cannot create a temporary dir");
    for (path, text) in files {
        let path = dir.path().join(path);
        fs::create_dir_all(path.parent().unwrap()).expect("cannot make a dir");
        fs::write(&path, text).expect("cannot write a fixture file");
        let file = fs::File::options().write(true).open(&path).unwrap();
        file.set_modified(LONG_AGO).expect("cannot set the time");
    }
    dir
}

/// (kind, file, line) of each problem: what the tests compare.
fn found(problems: &[Problem]) -> Vec<(Kind, &str, usize)> {
    let mut found = Vec::new();
    for Problem {
        kind, file, line, ..
    } in problems
    {
        found.push((*kind, file.to_str().unwrap_or("?"), *line));
    }
    found
}

#[test]
fn check_finds_each_problem_on_its_line_and_bless_fixes_the_stale_copies() {
    let stale = |text: &str| text.replace("    line", "    line.trim()");
    // `LESSON` in a list item; and with CRLF line endings and no final
    // newline, which a careless rewrite would change.
    let listed = LESSON.replace("\n<", "\n   <").replace("\n`", "\n   `");
    let listed = listed.replacen("\nFrom", "\n   From", 1);
    let listed = listed.replace("\npub", "\n   pub").replace("\n}", "\n   }");
    let listed = listed.replace("\n    ", "\n       ");
    let crlf = LESSON.trim_end().replace('\n', "\r\n");
    // References to anchors of `src/a.rs`, each with an empty copy.
    let refer = |names: &[&str]| -> String {
        let refer = |name| format!("<!-- include: ../src/a.rs:{name} -->\n");
        names
            .iter()
            .map(|name| refer(name) + "```\n```\n")
            .collect()
    };
    let markers = "// ANCHOR: open\n// ANCHOR_END: closed\n\
        // ANCHOR_END: late\n// ANCHOR: late\n// ANCHOR: twice\n\
        // ANCHOR_END: twice\n// ANCHOR: twice\n// ANCHOR_END: twice\n";
    let references = "<!-- include: ../src/gone.rs:read_line -->\n```\n```\n\
        <!-- include: ../src/line.rs:read -->\n```\n```\n\
        <!-- include: ../src/line.rs -->\n<!-- include: :x -->\n<!-- include:";
    let fence_rs = "// ANCHOR: a\nlet a = \"\n```\n\";\n// ANCHOR_END: a\n";
    let longer = "<!-- include: ../src/a.rs:a -->\n\
        From [`src/a.rs`](code/src/a.rs.md), lines 2–4:\n\
        ````\nlet a = \"\n```\n\";\n````";
    let orphan = "fn main() {\n    // ANCHOR: main\n    run();\n    \
        // ANCHOR_END: main\n}\n";
    let links = "\
See [the code](../src/line.rs), [the next lesson](02.md#start), [the
book](https://doc.rust-lang.org/book/), [mail](mailto:a@example.org),
[this section](#links), [root](/02.md), ![a picture](<img/a b.png> \"A\").

Broken: [gone](03-gone.md) and [also gone](../src/gone.rs#L3 \"Gone\").
Not links: `table[i](x)`, ``a `[b](c)` d``, [dangling](, ![](

````markdown
<!-- include: ../src/gone.rs:nothing -->
```rust
let reply = handlers[i](request);
```
````
```a``` is inline code, not a fence, so this link counts: [x](x.md)
`unclosed code [y](y.md)
";
    // (So that the problems which blessing cannot fix keep their lines, a
    // copy that blessing lengthens or shortens ends its lesson.)
    let cases = [
        Case {
            name: "up-to-date copies: dedented, nested, listed, CRLF, ````",
            files: files(&[
                ("src/line.rs", LINE_RS),
                ("lessons/01.md", LESSON),
                ("lessons/02.md", &listed),
                ("lessons/03.md", &crlf),
                ("src/a.rs", fence_rs),
                ("lessons/04.md", longer),
            ]),
            ..Case::default()
        },
        Case {
            name: "no lessons yet",
            files: files(&[("src/line.rs", LINE_RS)]),
            ..Case::default()
        },
        Case {
            name: "no lessons yet, so no orphans either",
            files: files(&[("src/line.rs", LINE_RS), ("lessons/a.txt", "")]),
            ..Case::default()
        },
        Case {
            name: "broken and malformed references",
            files: files(&[
                ("src/line.rs", LINE_RS),
                ("lessons/01.md", references),
            ]),
            problems: vec![
                (BrokenReference, "lessons/01.md", 1),
                (BrokenReference, "lessons/01.md", 4),
                (BrokenReference, "lessons/01.md", 7),
                (BrokenReference, "lessons/01.md", 8),
                (BrokenReference, "lessons/01.md", 9),
                (OrphanAnchor, "src/line.rs", 2),
                (OrphanAnchor, "src/line.rs", 4),
            ],
            mentions: vec![
                "lessons/01.md:1: broken reference `../src/gone.rs:read_line`: \
                 that file does not exist",
                "`../src/line.rs:read`: no `ANCHOR: read` in that file",
                "lessons/01.md:7: malformed reference",
            ],
            ..Case::default()
        },
        Case {
            name: "duplicate and unpaired markers",
            files: files(&[
                ("src/a.rs", markers),
                (
                    "lessons/01.md",
                    &refer(&["open", "closed", "late", "twice"]),
                ),
            ]),
            problems: vec![
                (BrokenReference, "lessons/01.md", 1),
                (BrokenReference, "lessons/01.md", 4),
                (BrokenReference, "lessons/01.md", 7),
                (BrokenReference, "lessons/01.md", 10),
                (UnpairedAnchor, "src/a.rs", 1),
                (UnpairedAnchor, "src/a.rs", 2),
                (UnpairedAnchor, "src/a.rs", 4),
                (DuplicateAnchor, "src/a.rs", 7),
                (DuplicateAnchor, "src/a.rs", 8),
            ],
            mentions: vec![
                "anchor `twice` is duplicated or unpaired",
                "`ANCHOR: open` is never closed by `ANCHOR_END: open`",
                "`ANCHOR_END: closed` has no `ANCHOR: closed`",
                "`ANCHOR: late` comes after its `ANCHOR_END` (line 3)",
                "duplicate `ANCHOR: twice` (first at line 5)",
                "duplicate `ANCHOR_END: twice` (first at line 6)",
            ],
            ..Case::default()
        },
        Case {
            name: "bad fences",
            files: files(&[
                ("src/line.rs", LINE_RS),
                ("src/a.rs", fence_rs),
                (
                    "lessons/01.md",
                    &LESSON.replacen("-->\nFrom", "-->\n\nFrom", 1),
                ),
                ("lessons/02.md", LESSON.strip_suffix("~~~\n").unwrap()),
                ("lessons/03.md", &LESSON.replace("\n```\n", "\n")),
                ("lessons/04.md", "Intro\n\n```text\n[hidden](gone.md)\n"),
                (
                    "lessons/05.md",
                    "<!-- include: ../src/line.rs:read_line -->",
                ),
                (
                    "lessons/06.md",
                    "<!-- include: ../src/a.rs:a -->\n\
                     From [`src/a.rs`](code/src/a.rs.md), lines 2–4:\n```\n```\n",
                ),
            ]),
            problems: vec![
                (BadFence, "lessons/01.md", 3),
                // The caption, read as prose: its page is not there.
                (BrokenLink, "lessons/01.md", 5),
                (BadFence, "lessons/02.md", 15),
                (BadFence, "lessons/03.md", 5),
                (BadFence, "lessons/04.md", 3),
                (BadFence, "lessons/05.md", 1),
                (BadFence, "lessons/06.md", 3),
            ],
            mentions: vec![
                "and a fenced code block (```rust), found \"\"",
                "lessons/02.md:15: this ~~~ code block is never closed",
                "found the end of the file",
                "closes this ``` fence; open the block with more ` characters",
            ],
            ..Case::default()
        },
        Case {
            name: "stale copies, beside problems that blessing cannot fix",
            files: files(&[
                ("src/line.rs", LINE_RS),
                ("src/a.rs", orphan),
                (
                    "lessons/01.md",
                    &LESSON.replace("new()", "with_capacity(8)"),
                ),
                ("lessons/02.md", &LESSON.replace("    line\n}\n", "")),
                ("lessons/03.md", &LESSON.replace("}\n```", "}\n}\n```")),
                ("lessons/04.md", &(stale(LESSON) + &refer(&["gone"]))),
                (
                    "lessons/05.md",
                    &stale(&LESSON.replace("rust", "rust,no_run")),
                ),
                ("lessons/06.md", &stale(&listed)),
                ("lessons/07.md", &stale(&crlf)),
            ]),
            problems: vec![
                (StaleCopy, "lessons/01.md", 7),
                (StaleCopy, "lessons/01.md", 16),
                (StaleCopy, "lessons/02.md", 9),
                (StaleCopy, "lessons/03.md", 11),
                (StaleCopy, "lessons/04.md", 9),
                (BrokenReference, "lessons/04.md", 18),
                (StaleCopy, "lessons/05.md", 9),
                (StaleCopy, "lessons/06.md", 9),
                (StaleCopy, "lessons/07.md", 9),
                (OrphanAnchor, "src/a.rs", 2),
            ],
            mentions: vec![
                "lessons/01.md:7: copy of `../src/line.rs:read_line` differs \
                 from the code\n    \
                 lesson: \"    let line = String::with_capacity(8);\"\n    \
                 code:   \"    let line = String::new();\"  (src/line.rs:5)",
                "lesson: (end of block)\n    \
                 code:   \"    line\"  (src/line.rs:8)",
                "lesson: \"}\"\n    code:   (end of region)  (src/line.rs:10)",
                "src/a.rs:2: anchor `main` is not shown in any lesson; refer \
                 to it with `<!-- include: ../src/a.rs:main -->`",
                BLESS_HINT,
            ],
            blessed: files(&[
                ("lessons/01.md", LESSON),
                ("lessons/02.md", LESSON),
                ("lessons/03.md", LESSON),
                ("lessons/04.md", &(LESSON.to_string() + &refer(&["gone"]))),
                ("lessons/05.md", &LESSON.replace("rust", "rust,no_run")),
                ("lessons/06.md", &listed),
                ("lessons/07.md", &crlf),
            ]),
            ..Case::default()
        },
        Case {
            name: "orphaned anchors, in the code, the examples and the lessons",
            files: files(&[
                ("src/line.rs", LINE_RS),
                ("lessons/01.md", LESSON),
                ("bin/tour.rs", orphan),
                ("mocks/src/deep/echo.rs", orphan),
                ("benches/echo.rs", orphan),
                ("examples/echo.rs", orphan),
                ("lessons/answers/echo.rs", orphan),
                ("mocks/target/debug/build/out.rs", orphan),
                ("src/.hidden/old.rs", orphan),
                ("tests/other.rs", orphan),
                ("src/notes.txt", orphan),
            ]),
            problems: vec![
                (OrphanAnchor, "benches/echo.rs", 2),
                (OrphanAnchor, "bin/tour.rs", 2),
                (OrphanAnchor, "examples/echo.rs", 2),
                (OrphanAnchor, "lessons/answers/echo.rs", 2),
                (OrphanAnchor, "mocks/src/deep/echo.rs", 2),
            ],
            ..Case::default()
        },
        Case {
            name: "relative links to missing files, outside code only",
            files: files(&[
                ("src/line.rs", "\n"),
                ("lessons/01.md", links),
                ("lessons/02.md", ""),
                ("lessons/img/a b.png", ""),
            ]),
            problems: vec![
                (BrokenLink, "lessons/01.md", 5),
                (BrokenLink, "lessons/01.md", 5),
                (BrokenLink, "lessons/01.md", 14),
                (BrokenLink, "lessons/01.md", 15),
            ],
            mentions: vec![
                "lessons/01.md:5: broken link `03-gone.md`: \
                 `lessons/03-gone.md` does not exist",
                "`src/gone.rs` does not exist",
            ],
            ..Case::default()
        },
    ];
    for case in cases {
        run_case(case);
    }
}

/// Checks a case's tree, then blesses it: see [`Case`].
fn run_case(case: Case) {
    let (name, dir) = (case.name, tree(&case.files));
    let stage = Fixed::scenes(&case.scenes);
    let review = check(dir.path(), &stage);
    let problems = review.problems;
    assert_eq!(found(&problems), case.problems, "{name}");
    assert_eq!(review.notes, case.notes, "{name}: notes");
    let report = report(&problems, false);
    for text in case.mentions {
        assert!(report.contains(text), "{name}: no {text:?} in:\n{report}");
    }
    let mut unfixable = case.problems.clone();
    unfixable.retain(|problem| !problem.0.is_generated());
    let blessed = bless(dir.path(), &stage).problems;
    assert_eq!(found(&blessed), unfixable, "{name}, blessed");
    for (path, wanted) in &case.blessed {
        let now = fs::read_to_string(dir.path().join(path));
        assert_eq!(now.ok().as_ref(), Some(wanted), "{name}: {path}");
    }
    for (path, before) in &case.files {
        let path_in_tree = dir.path().join(path);
        if case.deleted.contains(path) {
            assert!(!path_in_tree.exists(), "{name}: {path} not deleted");
            continue;
        }
        if case.blessed.iter().any(|(blessed, _)| blessed == path) {
            continue;
        }
        let now = fs::read_to_string(&path_in_tree).unwrap();
        let modified = fs::metadata(&path_in_tree).unwrap().modified();
        let untouched = (&now, modified.unwrap()) == (before, LONG_AGO);
        assert!(untouched, "{name}: BLESS=1 rewrote {path}");
    }
}

#[test]
fn a_file_that_is_not_utf8_is_reported_as_unreadable() {
    let dir = tree(&files(&[("lessons/01.md", "")]));
    fs::write(dir.path().join("lessons/01.md"), [0xff, 0xfe]).unwrap();
    let problems = check(dir.path(), &Fixed::scenes(&[])).problems;
    assert_eq!(found(&problems), [(Unreadable, "lessons/01.md", 0)]);
    let report = report(&problems, false);
    assert!(report.contains("\nlessons/01.md: cannot read:"), "{report}");
}

#[test]
fn a_cargo_test_command_cargo_would_refuse_is_reported() {
    let page = "\
Run `cargo test --test inet smtp::` or `cargo test --test inet -- --ignored a`.
Bad: `cargo test --test prop_smtp`, `cargo test --test inet examples:: echo_`.
```text
$ cargo test -p inet-mocks --test mocks dns:: && cargo test --test mocks x
```
";
    let dir = tree(&files(&[("lessons/01.md", page)]));
    let problems = check(dir.path(), &Fixed::scenes(&[])).problems;
    let commands: Vec<_> = (found(&problems).into_iter())
        .filter(|(kind, ..)| *kind == BadCommand)
        .collect();
    let expected = [
        (BadCommand, "lessons/01.md", 2),
        (BadCommand, "lessons/01.md", 2),
        (BadCommand, "lessons/01.md", 4),
    ];
    assert_eq!(commands, expected);
}

#[test]
fn a_caption_names_the_file_and_lines_of_its_copy() {
    let stale = LESSON.replace("lines 3–9", "lines 3–8");
    let missing = LESSON.replacen(
        "From [`src/line.rs`](code/src/line.rs.md), lines 3–9:\n",
        "",
        1,
    );
    run_case(Case {
        name: "stale and missing captions",
        files: files(&[
            ("src/line.rs", LINE_RS),
            ("lessons/01.md", &stale),
            ("lessons/02.md", &missing),
        ]),
        problems: vec![
            (StaleCaption, "lessons/01.md", 4),
            (StaleCaption, "lessons/02.md", 4),
        ],
        mentions: vec![
            "lessons/01.md:4: stale caption\n    lesson: \"From \
             [`src/line.rs`](code/src/line.rs.md), lines 3–8:\"",
            "lessons/02.md:4: no caption before the copy; wanted \"From \
             [`src/line.rs`](code/src/line.rs.md), lines 3–9:\"",
        ],
        blessed: files(&[("lessons/01.md", LESSON), ("lessons/02.md", LESSON)]),
        ..Case::default()
    });
}

/// A `book.toml` with the settings the book needs.
const BOOK_TOML: &str = "\
[book]
src = \".\"

[build]
use-default-preprocessors = false # README.md stays README.html

[preprocessor.links]

[output.html.playground]
runnable = false
";

/// A book's summary, before its generated part.
const SUMMARY: &str = "\
# Summary

[Introduction](README.md)

- [Reading lines](01.md)
";

/// A book's `SUMMARY.md` as blessing writes it: the part written by
/// hand, then a page for each of `files`.
fn summary_listing(hand: &str, files: &[&str]) -> String {
    let pages: String = files
        .iter()
        .map(|f| format!("[`{f}`](code/{f}.md)\n"))
        .collect();
    format!(
        "{hand}\n# Source files\n\n<!-- Written by `BLESS=1 cargo test \
         --test inet lessons::`: a page for each file that a lesson shows or links \
         to. -->\n\n{pages}"
    )
}

/// The page of `file` (a path from the root) as blessing writes it, in
/// a book whose one lesson is `01.md`, "Reading lines".
fn page_of(file: &str) -> String {
    let up = "../".repeat(file.matches('/').count() + 1);
    format!(
        "# `{file}`\n\n<!-- Written by `BLESS=1 cargo test --test inet lessons::`, \
         for each file that a lesson shows or links to. -->\n\n\
         Shown in [Reading lines]({up}01.md).\n\n\
         ```rs\n{{{{#include {up}../{file}}}}}\n```\n"
    )
}

/// `lessons/exercises/x.rs` is in the book, but a link from a lesson
/// that reaches it through `../lessons/` goes above the book's root: in
/// the book, that is nowhere.
#[test]
fn a_link_that_leaves_the_book_and_comes_back_is_told_apart() {
    let root = Path::new("/repo");
    let lessons = root.join("lessons");
    assert!(climbs_out(root, &lessons, "../lessons/exercises/x.rs"));
    assert!(!climbs_out(root, &lessons, "exercises/x.rs"));
    let code = lessons.join("code");
    assert!(!climbs_out(root, &code.join("src"), "../../01.md"));
    assert!(climbs_out(root, &code, "../../lessons/01.md"));
}

#[test]
fn the_book_has_a_page_per_shown_file_and_no_broken_link() {
    let lesson = LESSON.to_string()
        + "\n## Links: `here`\n\n\
           See [the reader](../src/line.rs#L3), [again](<../src/line.rs> \"It\"), \
           [the intro](README.md#start), \
           [this part](#links-here) and [a picture](img/a.png).\n\
           Broken: [not in the book](02.md), [no such part](README.md#end), \
           [no such page](03.md), [a folder](../src/) and [gone](../src/gone.rs).\n";
    let fixed = lesson.replace("(../src/line.rs#L3)", "(code/src/line.rs.md)");
    let fixed = fixed
        .replace("(<../src/line.rs> \"It\")", "(code/src/line.rs.md \"It\")");
    let page = page_of("src/line.rs");
    let hand = SUMMARY.replace("- [Reading", "- [Gone](gone.md)\n- [Reading");
    let summary = summary_listing(&hand, &["src/line.rs"]);
    run_case(Case {
        name: "a book",
        files: files(&[
            ("src/line.rs", LINE_RS),
            ("lessons/book.toml", BOOK_TOML),
            ("lessons/SUMMARY.md", &hand),
            ("lessons/README.md", "# Intro\n\n## Start\n"),
            ("lessons/01.md", &lesson),
            ("lessons/02.md", "# Not listed\n"),
            ("lessons/img/a.png", ""),
            ("lessons/code/src/old.rs.md", "# `src/old.rs`\n"),
        ]),
        problems: vec![
            (StaleLink, "lessons/01.md", 21),
            (StaleLink, "lessons/01.md", 21),
            (BrokenLink, "lessons/01.md", 22),
            (BrokenLink, "lessons/01.md", 22),
            (BrokenLink, "lessons/01.md", 22),
            (BrokenLink, "lessons/01.md", 22),
            (BrokenLink, "lessons/01.md", 22),
            (NotInBook, "lessons/02.md", 0),
            (BrokenLink, "lessons/SUMMARY.md", 0),
            (StalePage, "lessons/SUMMARY.md", 7),
            (StalePage, "lessons/code/src/line.rs.md", 1),
            (StalePage, "lessons/code/src/old.rs.md", 0),
        ],
        mentions: vec![
            "lessons/01.md:21: link `../src/line.rs#L3` leaves the book: \
             mdBook builds no page for `src/line.rs`; its page is \
             `code/src/line.rs.md`",
            "broken link `02.md`: `lessons/02.md` is not a page of the book",
            "broken link `README.md#end`: no heading or id `end` in \
             `lessons/README.md`",
            "broken link `03.md`: `lessons/03.md` is not a page",
            "broken link `../src/`: `src` is a folder outside the book",
            "broken link `../src/gone.rs`: `src/gone.rs` does not exist",
            "lessons/02.md: not in SUMMARY.md",
            "lessons/SUMMARY.md: lists `lessons/gone.md`, which does not exist",
        ],
        blessed: files(&[
            ("lessons/01.md", &fixed),
            ("lessons/SUMMARY.md", &summary),
            ("lessons/code/src/line.rs.md", &page),
        ]),
        deleted: vec!["lessons/code/src/old.rs.md"],
        ..Case::default()
    });
}

#[test]
fn book_toml_turns_off_the_run_button_and_the_renaming_of_readme() {
    let lesson = "# Reading lines\n";
    let summary = summary_listing(SUMMARY, &[]);
    run_case(Case {
        name: "the default book.toml",
        files: files(&[
            ("lessons/book.toml", "[book]\nsrc = \".\"\n"),
            ("lessons/SUMMARY.md", &summary),
            ("lessons/README.md", "# Intro\n"),
            ("lessons/01.md", lesson),
        ]),
        problems: vec![
            (BookConfig, "lessons/book.toml", 0),
            (BookConfig, "lessons/book.toml", 0),
            (BookConfig, "lessons/book.toml", 0),
        ],
        mentions: vec![
            "needs `use-default-preprocessors = false` under `[build]`",
            "needs `runnable = false` under `[output.html.playground]`",
            "needs `[preprocessor.links]`",
        ],
        ..Case::default()
    });
}

#[test]
fn code_blocks_fit_a_laptop_and_hide_no_rust_line() {
    let long = "x".repeat(MAX_WIDTH + 1);
    let page = format!(
        "```text\n{}\n{long}\n{long}x\n```\n\n```text wide\n{long}\n```\n\n\
         ```rust\nlet a = 1;\n# hidden\n    #\n##[derive]\n#[derive(Debug)]\n```\n\n\
         ```rs\n# shown\n```\n",
        "x".repeat(MAX_WIDTH)
    );
    run_case(Case {
        name: "wide blocks and hidden lines",
        files: files(&[("lessons/01.md", &page)]),
        problems: vec![
            (TooWide, "lessons/01.md", 3),
            (HiddenLine, "lessons/01.md", 13),
            (HiddenLine, "lessons/01.md", 14),
            (HiddenLine, "lessons/01.md", 15),
        ],
        mentions: vec![
            "lessons/01.md:3: 2 line(s) of this block are wider than 100 \
             columns (the first has 101, the widest 102)",
            "open the block with ````text wide` if it must be wide",
            "lessons/01.md:13: mdBook hides this line of a `rust` block",
        ],
        ..Case::default()
    });
}

#[test]
fn transcripts_are_what_their_scenes_print() {
    let page = "\
# By hand

<!-- transcript: fresh -->
```text
$ hello
hi
```

<!-- transcript: broken -->
```text
```

<!-- transcript: skipped -->
```text
anything
```

<!-- transcript: unknown -->
```text
```

<!-- transcript: nothing -->

<!-- transcript: -->

<!-- transcript: fenced -->
```text
```

<!-- transcript: stale -->
   ```text
   $ hello
   hi
   ```

```text
$ unmarked
output
```

```text
$ commands
$ alone
```
";
    let blessed = page.replacen("   hi\n", "   hello\n   world\n", 1);
    run_case(Case {
        name: "transcripts",
        files: files(&[("lessons/01.md", page)]),
        problems: vec![
            (BrokenTranscript, "lessons/01.md", 9),
            (BrokenTranscript, "lessons/01.md", 18),
            (BrokenTranscript, "lessons/01.md", 22),
            (BrokenTranscript, "lessons/01.md", 24),
            (BadFence, "lessons/01.md", 27),
            (StaleTranscript, "lessons/01.md", 33),
            (UnusedScene, "tests/scenes.rs", 0),
        ],
        mentions: vec![
            "lessons/01.md:33: transcript `stale` differs from what its \
             scene printed\n    lesson: \"hi\"\n    scene:  \"hello\"",
            "lessons/01.md:9: scene `broken` failed: no server",
            "lessons/01.md:18: no scene `unknown` in tests/scenes.rs",
            "transcript `nothing` must be followed on the very next line by \
             a fenced code block",
            "lessons/01.md:24: malformed marker",
            "scene `unused` is shown in no lesson",
            "lessons/01.md:27: scene `fenced` printed a line that closes this \
             ``` fence",
        ],
        notes: vec![
            "lessons/01.md:13: `skipped` not checked: no Python",
            "lessons/01.md:36: commands with no transcript marker",
        ],
        blessed: files(&[("lessons/01.md", &blessed)]),
        scenes: vec![
            ("fresh", Played::Text("$ hello\nhi\n".into())),
            ("stale", Played::Text("$ hello\nhello\nworld\n".into())),
            ("broken", Played::Failed("no server".into())),
            ("skipped", Played::Skipped("no Python".into())),
            ("unused", Played::Text(String::new())),
            ("fenced", Played::Text("```\n".into())),
        ],
        ..Case::default()
    });
}

/// The ids of headings, as mdBook 0.5 gave them to these headings of the
/// lessons (read from its HTML).
#[test]
fn heading_ids_are_mdbooks() {
    let page = "\
# 1. Names and addresses (inet_01)
## Side by side with the original: `compare`
## sendmail, with smtplib's rules
### Medians and percentiles, not means
## The [linked](x.md) *part* \\#1 {#own-id}
## Exercises
## Exercises
```text
# not a heading
```
<a id=\"raw\"></a>
";
    let ids = markdown::page_ids(page);
    let want = [
        "1-names-and-addresses-inet_01",
        "side-by-side-with-the-original-compare",
        "sendmail-with-smtplibs-rules",
        "medians-and-percentiles-not-means",
        "own-id",
        "exercises",
        "exercises-1",
        "raw",
    ];
    assert_eq!(ids, want.iter().map(|s| s.to_string()).collect());
    let linked = markdown::page_ids("## The [linked](x.md) *part* \\#1\n");
    assert_eq!(
        linked.into_iter().collect::<Vec<_>>(),
        ["the-linked-part-1"]
    );
}

/// A program whose reading path is `bin/hello.rs` (4 code lines) and
/// `src/greet.rs` (3); `src/unused.rs` is not on it.
const HELLO: &[(&str, &str)] = &[
    (
        "Cargo.toml",
        "[package]\nname = \"x\"\n\n[[bin]]\nname = \"hello\"\n\
         path = \"bin/hello.rs\"\n",
    ),
    (
        "bin/hello.rs",
        "use inet::greet;\n\nfn main() {\n    greet::hi();\n}\n",
    ),
    ("src/lib.rs", "pub mod greet;\npub mod unused;\n"),
    (
        "src/greet.rs",
        "//! Greetings.\n\npub fn hi() {\n    println!(\"hi\");\n}\n",
    ),
    ("src/unused.rs", "pub fn unused() {}\n"),
];

/// A lesson with an up-to-date reading map of `hello`.
const HELLO_MAP: &str = "\
# Hello

<!-- reading-map: hello -->
| File | Lines | On a first read |
|---|--:|---|
| [`bin/hello.rs`](../bin/hello.rs) | 4 | The program. |
| `src/greet.rs` | 3 | Skip \\| it. |
| All 2 files | 7 | |
";

#[test]
fn a_reading_map_lists_the_path_with_its_sizes_and_total() {
    run_case(Case {
        name: "an up-to-date reading map",
        files: files(&[HELLO, &[("lessons/01.md", HELLO_MAP)]].concat()),
        ..Case::default()
    });
    let stale = HELLO_MAP
        .replace("| 4 |", "|  |")
        .replace("| 3 |", "| 30 |")
        .replace("| All 2 files | 7 | |\n", "");
    run_case(Case {
        name: "stale sizes, and no total",
        files: files(&[HELLO, &[("lessons/01.md", &stale)]].concat()),
        problems: vec![
            (StaleMap, "lessons/01.md", 6),
            (StaleMap, "lessons/01.md", 7),
            (StaleMap, "lessons/01.md", 8),
        ],
        mentions: vec![
            "lessons/01.md:6: stale reading map: \"\" where the code says \"4\"",
            "lessons/01.md:8: no total at the end of the reading map; wanted \
             \"All 2 files\", 7",
            BLESS_HINT,
        ],
        blessed: files(&[("lessons/01.md", HELLO_MAP)]),
        ..Case::default()
    });
}

/// A lesson with an up-to-date table of file sizes, for no one program.
const SIZES: &str = "\
# Shared

<!-- file-sizes -->
| File | Lines | On a first read |
|---|--:|---|
| [`src/unused.rs`](../src/unused.rs) | 1 | All of it. |
| `src/greet.rs` | 3 | |
";

#[test]
fn a_comment_that_is_no_marker_is_reported() {
    let known = format!(
        "{SIZES}\n<!-- figures: echo -->\n| a | b |\n|---|---|\n\
         <!-- Written by hand -->\n"
    );
    run_case(Case {
        name: "a bench's figures and a generated page's note",
        files: files(&[HELLO, &[("lessons/00.md", &known)]].concat()),
        ..Case::default()
    });
    let misspelt = SIZES.replace("file-sizes", "file-size")
        + "\n<!-- inclde: ../src/greet.rs:hi -->\n<!--\na note\n-->\n";
    run_case(Case {
        name: "misspelt markers, and a comment of several lines",
        files: files(&[HELLO, &[("lessons/00.md", &misspelt)]].concat()),
        problems: vec![
            (UnknownComment, "lessons/00.md", 3),
            (UnknownComment, "lessons/00.md", 9),
            (UnknownComment, "lessons/00.md", 10),
        ],
        mentions: vec![
            "lessons/00.md:3: a comment that is no marker (a misspelt one \
             checks nothing)",
            "`<!-- include:`, `<!-- transcript:`",
        ],
        ..Case::default()
    });
}

#[test]
fn a_file_sizes_table_has_its_sizes_blessed_and_names_real_files() {
    run_case(Case {
        name: "an up-to-date table of file sizes",
        files: files(&[HELLO, &[("lessons/00.md", SIZES)]].concat()),
        ..Case::default()
    });
    let stale = SIZES.replace("| 1 |", "| 2 |").replace("| 3 |", "|  |");
    run_case(Case {
        name: "stale sizes",
        files: files(&[HELLO, &[("lessons/00.md", &stale)]].concat()),
        problems: vec![
            (StaleMap, "lessons/00.md", 6),
            (StaleMap, "lessons/00.md", 7),
        ],
        mentions: vec!["stale reading map: \"2\" where the code says \"1\""],
        blessed: files(&[("lessons/00.md", SIZES)]),
        ..Case::default()
    });
    let wrong = format!(
        "{SIZES}| `src/gone.rs` | 5 | |\n| No file | 1 | |\n\
         | `Cargo.toml` | 4 | |\n\
         | [`src/greet.rs`](../src/unused.rs) | 3 | |\n"
    );
    run_case(Case {
        name: "a missing file, a row naming none, a file not of Rust, a \
               link to another file",
        files: files(&[HELLO, &[("lessons/00.md", &wrong)]].concat()),
        problems: vec![
            (BrokenMap, "lessons/00.md", 8),
            (BrokenMap, "lessons/00.md", 9),
            (BrokenMap, "lessons/00.md", 10),
            (MapOffPath, "lessons/00.md", 11),
        ],
        mentions: vec![
            "`src/gone.rs`: ",
            "`Cargo.toml`: sizes are counted in Rust code lines",
            "the row of `src/greet.rs` links to `src/unused.rs`",
        ],
        ..Case::default()
    });
}

#[test]
fn a_reading_map_is_blessed_with_its_links_in_a_book() {
    let lesson = HELLO_MAP.replace("../bin/hello.rs", "code/bin/hello.rs.md");
    let stale = HELLO_MAP.replace("| 4 |", "| 5 |");
    let summary = summary_listing(SUMMARY, &["bin/hello.rs"]);
    let page = page_of("bin/hello.rs");
    let book = [
        ("lessons/book.toml", BOOK_TOML),
        ("lessons/SUMMARY.md", &summary),
        ("lessons/README.md", "# Intro\n"),
        ("lessons/code/bin/hello.rs.md", &page),
    ];
    run_case(Case {
        name: "a stale size and a link to a source file, on one row",
        files: files(&[HELLO, &book, &[("lessons/01.md", &stale)]].concat()),
        problems: vec![
            (StaleMap, "lessons/01.md", 6),
            (StaleLink, "lessons/01.md", 6),
        ],
        blessed: files(&[("lessons/01.md", &lesson)]),
        ..Case::default()
    });
}

#[test]
fn a_reading_map_lists_every_file_of_the_path_and_no_other() {
    let lesson = "\
# Hello

<!-- reading-map: hello -->
| File | Lines | On a first read |
|---|--:|---|
| [`src/greet.rs`](../src/unused.rs) | 3 | Links elsewhere. |
| `src/unused.rs` | 1 | Not on the path. |
| `src/greet.rs` | 3 | Twice. |
| No file | 1 | |
| `src/greet.rs` | 3 |
| All 2 files | 7 | |

<!-- reading-map: goodbye -->
| File | Lines | Read |
|---|---|---|

<!-- reading-map: hello -->

<!-- reading-map: -->
";
    run_case(Case {
        name: "files left out, not on the path, twice; broken maps",
        files: files(&[HELLO, &[("lessons/01.md", lesson)]].concat()),
        problems: vec![
            (MapOffPath, "lessons/01.md", 3),
            (MapOffPath, "lessons/01.md", 6),
            (MapOffPath, "lessons/01.md", 7),
            (MapOffPath, "lessons/01.md", 8),
            (BrokenMap, "lessons/01.md", 9),
            (BrokenMap, "lessons/01.md", 10),
            (BrokenMap, "lessons/01.md", 13),
            (BrokenMap, "lessons/01.md", 17),
            (BrokenMap, "lessons/01.md", 19),
        ],
        mentions: vec![
            "lessons/01.md:3: reading map `hello` leaves out 1 file(s) of the \
             program's reading path: `bin/hello.rs` (4 lines)",
            "lessons/01.md:6: the row of `src/greet.rs` links to \
             `src/unused.rs`",
            "lessons/01.md:7: `src/unused.rs` is not on `hello`'s reading \
             path; remove its row",
            "lessons/01.md:8: lists `src/greet.rs` twice",
            "lessons/01.md:9: this row of a reading map names no file",
            "lessons/01.md:10: a reading map's row has three cells",
            "lessons/01.md:13: reading map `goodbye`: no program `goodbye` in \
             Cargo.toml, whose [[bin]] tables name hello",
            "lessons/01.md:17: reading map `hello` must be followed on the \
             very next line by a table",
        ],
        ..Case::default()
    });
}

#[test]
fn table_cells_split_at_pipes_but_escaped_ones() {
    let row = "| [`a.rs`](a.rs) | 3 | x \\| y |  ";
    let cells: Vec<&str> = (markdown::table_cells(row).into_iter())
        .map(|cell| row[cell].trim())
        .collect();
    assert_eq!(cells, ["[`a.rs`](a.rs)", "3", "x \\| y"]);
    let bare = markdown::table_cells("a | | c");
    assert_eq!(bare, [0..2, 3..4, 5..7]);
}

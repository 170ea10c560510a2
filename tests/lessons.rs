//! Keeps the code shown in `lessons/*.md` in sync with the real code.
//!
//! A lesson never shows code from memory: it *refers* to a region of a
//! source file, and carries a copy of that region that this test checks.
//!
//! In the source (any `*.rs` under `src/`, `bin/` or `mocks/`), a region is
//! marked with mdBook's anchor comments:
//!
//! ````text
//! impl<R: Read> LineReader<R> {
//!     // ANCHOR: read_line
//!     pub fn read_line(&mut self) -> io::Result<String> {
//!         self.fill()?;
//!         self.take_line()
//!     }
//!     // ANCHOR_END: read_line
//! }
//! ````
//!
//! In the lesson, a reference line (the path is relative to the lesson, then
//! `:` and the anchor name) is immediately followed by a fenced copy:
//!
//! ````text
//! <!-- include: ../src/line.rs:read_line -->
//! ```rust
//! pub fn read_line(&mut self) -> io::Result<String> {
//!     self.fill()?;
//!     self.take_line()
//! }
//! ```
//! ````
//!
//! The copy must equal the *anchored region*: the lines strictly between the
//! two markers, minus any line holding another `ANCHOR:`/`ANCHOR_END:` marker
//! (nested regions, as mdBook does), dedented by the leading whitespace
//! common to the non-blank lines. That is why the copy above starts at
//! column 0 although the method sits inside an `impl`.
//!
//! The test also reports anchors that no lesson shows, an anchor defined
//! twice in one file, and relative markdown links whose target is missing.
//! Until `lessons/` holds a first `*.md` file, there is nothing to check.
//!
//! When the code changes on purpose, refresh the copies with
//! `BLESS=1 cargo test --test lessons`: it rewrites stale copies in place
//! (keeping each opening fence line), then fails only for problems that a
//! human has to fix. The reference syntax is mdBook's anchor syntax, so the
//! lessons can later switch to `{{#include ../src/line.rs:read_line}}`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

/// Where the code lives that lessons may show (searched recursively).
const SOURCE_DIRS: [&str; 3] = ["src", "bin", "mocks"];

/// Where the lessons live (only the `*.md` files directly inside).
const LESSON_DIR: &str = "lessons";

const BLESS_HINT: &str =
    "run `BLESS=1 cargo test --test lessons` to refresh the copies";

// ---------------------------------------------------------------------------
// Problems
// ---------------------------------------------------------------------------

/// What went wrong; tests match on this rather than on message wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A reference that is malformed, or names a missing file or anchor, or
    /// an anchor that is duplicated or unpaired in that file.
    BrokenReference,
    /// A reference not followed by a fenced block, or a fence never closed.
    BadFence,
    /// A copy that differs from its region: the only kind BLESS=1 fixes.
    StaleCopy,
    /// An anchor in the code that no lesson refers to.
    OrphanAnchor,
    /// The same anchor name marked twice in one source file.
    DuplicateAnchor,
    /// An `ANCHOR:` without its `ANCHOR_END:` (or the other way round).
    UnpairedAnchor,
    /// A relative markdown link to a file that does not exist.
    BrokenLink,
    /// A file or directory that could not be read.
    Unreadable,
}

/// One problem, located at a line of a file (paths relative to the root).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Problem {
    kind: Kind,
    file: PathBuf,
    /// 1-based; 0 when the problem concerns the whole file.
    line: usize,
    message: String,
}

impl Problem {
    fn new(kind: Kind, file: &Path, line: usize, message: String) -> Self {
        let file = file.to_path_buf();
        Problem {
            kind,
            file,
            line,
            message,
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            let (file, line) = (self.file.display(), self.line);
            write!(f, "{file}:{line}: {}", self.message)
        }
    }
}

// ---------------------------------------------------------------------------
// The two entry points
// ---------------------------------------------------------------------------

/// Checks every lesson under `root` against the code, and the code's anchors
/// against the lessons. Reads files, never writes them.
fn check(root: &Path) -> Vec<Problem> {
    let mut problems = Vec::new();
    // Every (source file, anchor) some lesson refers to, for orphan checks.
    let mut referenced = BTreeSet::new();
    let lessons = lesson_files(root, &mut problems);
    // Until the first lesson is written there is nothing to check: anchors
    // may go into the code before the lessons that will show them.
    if lessons.is_empty() {
        return problems;
    }
    for lesson in lessons {
        let Some(text) = read_text(root, &lesson, &mut problems) else {
            continue;
        };
        let scan = scan_lesson(root, &lesson, &text);
        problems.extend(scan.problems);
        referenced.extend(scan.referenced);
        for copy in &scan.copies {
            problems.extend(copy.problem(root, &lesson));
        }
    }
    check_sources(root, &referenced, &mut problems);
    // Sorting by file then line reads like a compiler's error list.
    problems.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    problems
}

/// Rewrites every stale copy with its current region, then returns what
/// `check` still finds: the problems that blessing cannot fix.
fn bless(root: &Path) -> Vec<Problem> {
    let mut problems = Vec::new();
    // Listing and reading errors are reported by `check` below; collecting
    // them here as well would list them twice.
    let mut reported_later = Vec::new();
    for lesson in lesson_files(root, &mut reported_later) {
        let Some(text) = read_text(root, &lesson, &mut reported_later) else {
            continue;
        };
        let scan = scan_lesson(root, &lesson, &text);
        let Some(blessed) = blessed_text(&text, &scan.copies) else {
            continue; // nothing stale: leave the file alone, byte for byte
        };
        if let Err(err) = fs::write(&lesson, blessed) {
            let message = format!("cannot write the refreshed copy: {err}");
            let file = shown(root, &lesson);
            problems.push(Problem::new(Kind::Unreadable, &file, 0, message));
        }
    }
    problems.extend(check(root));
    problems
}

// ---------------------------------------------------------------------------
// Finding and reading files
// ---------------------------------------------------------------------------

/// The `*.md` files directly inside `lessons/`, sorted (none if there is
/// no such directory yet).
fn lesson_files(root: &Path, problems: &mut Vec<Problem>) -> Vec<PathBuf> {
    let dir = root.join(LESSON_DIR);
    let entries = match fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return vec![],
        Err(err) => {
            problems.push(unreadable(root, &dir, &err));
            return vec![];
        }
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.path())
        .filter(|path| path.is_file() && has_extension(path, "md"))
        .collect();
    files.sort();
    files
}

/// Every `*.rs` file under the source directories, sorted.
fn source_files(root: &Path, problems: &mut Vec<Problem>) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in SOURCE_DIRS {
        collect_rust_files(root, &root.join(dir), &mut files, problems);
    }
    files.sort();
    files
}

fn collect_rust_files(
    root: &Path,
    dir: &Path,
    files: &mut Vec<PathBuf>,
    problems: &mut Vec<Problem>,
) {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return,
        Err(err) => return problems.push(unreadable(root, dir, &err)),
    };
    for entry in entries.filter_map(|entry| entry.ok()) {
        let path = entry.path();
        let name = entry.file_name();
        // Build output and hidden directories are not code anyone wrote.
        if name == "target" || name.to_string_lossy().starts_with('.') {
            continue;
        }
        // `file_type` does not follow symlinks, so a link cannot loop us.
        let Ok(file_type) = entry.file_type() else {
            continue;
        };
        if file_type.is_dir() {
            collect_rust_files(root, &path, files, problems);
        } else if has_extension(&path, "rs") {
            files.push(path);
        }
    }
}

fn has_extension(path: &Path, extension: &str) -> bool {
    path.extension().is_some_and(|ext| ext == extension)
}

/// Reads a UTF-8 file, or records why it could not be read.
fn read_text(
    root: &Path,
    path: &Path,
    problems: &mut Vec<Problem>,
) -> Option<String> {
    match fs::read_to_string(path) {
        Ok(text) => Some(text),
        Err(err) => {
            problems.push(unreadable(root, path, &err));
            None
        }
    }
}

fn unreadable(root: &Path, path: &Path, err: &io::Error) -> Problem {
    let message = format!("cannot read: {err}");
    Problem::new(Kind::Unreadable, &shown(root, path), 0, message)
}

/// A path as shown in problems: relative to the root when it is inside.
fn shown(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

/// Resolves `.` and `..` without touching the disk, so that
/// `lessons/../src/a.rs` and `src/a.rs` compare equal even when the file
/// does not exist (`canonicalize` would fail) or sits behind a symlink.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                // Nothing is above the root directory.
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            other => out.push(other),
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Anchors in source files
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Marker<'a> {
    Start(&'a str),
    End(&'a str),
}

/// The anchor marker on a line, if any. Like mdBook, the tag may appear
/// anywhere on the line, so it works after `//`, `#` or any comment syntax.
fn marker(line: &str) -> Option<Marker<'_>> {
    if let Some(name) = name_after(line, "ANCHOR:") {
        return Some(Marker::Start(name));
    }
    name_after(line, "ANCHOR_END:").map(Marker::End)
}

/// The anchor name that follows `tag` (after optional spaces) on a line.
/// The whole name is taken, so `abc` never matches `ANCHOR: abcd`.
fn name_after<'a>(line: &'a str, tag: &str) -> Option<&'a str> {
    let (_, after) = line.split_once(tag)?;
    let after = after.trim_start();
    let len = after.find(|c| !is_name_char(c)).unwrap_or(after.len());
    (len > 0).then(|| &after[..len])
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// One line of an anchored region, remembering where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RegionLine {
    /// 1-based line number in the source file.
    number: usize,
    /// The line after dedenting.
    text: String,
}

/// The lines a lesson must copy for one anchor.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Region {
    lines: Vec<RegionLine>,
    /// 1-based line number of the `ANCHOR_END` marker.
    end: usize,
}

/// Extracts the region of anchor `name`, or says why it cannot.
fn anchored_region(text: &str, name: &str) -> Result<Region, String> {
    let lines: Vec<&str> = text.lines().collect();
    let find = |wanted: Marker| -> Vec<usize> {
        let hits = lines.iter().enumerate();
        let hits = hits.filter(|(_, line)| marker(line) == Some(wanted));
        hits.map(|(index, _)| index).collect()
    };
    let starts = find(Marker::Start(name));
    let ends = find(Marker::End(name));
    match (starts.as_slice(), ends.as_slice()) {
        ([start], [end]) if start < end => Ok(region(&lines, *start, *end)),
        ([], []) => Err(format!("no `ANCHOR: {name}` in that file")),
        ([_], []) => Err(format!(
            "`ANCHOR: {name}` has no `ANCHOR_END: {name}` in that file"
        )),
        ([], [_]) => Err(format!(
            "`ANCHOR_END: {name}` has no `ANCHOR: {name}` in that file"
        )),
        ([_], [_]) => Err(format!(
            "`ANCHOR_END: {name}` comes before `ANCHOR: {name}`"
        )),
        _ => Err(format!("anchor `{name}` is marked more than once")),
    }
}

/// The lines strictly between two marker lines (0-based indices), without
/// nested markers, dedented.
fn region(lines: &[&str], start: usize, end: usize) -> Region {
    let kept: Vec<(usize, &str)> = (start + 1..end)
        .filter_map(|index| Some((index, *lines.get(index)?)))
        .filter(|(_, line)| marker(line).is_none())
        .collect();
    let indent = common_indent(kept.iter().map(|(_, line)| *line));
    let lines = kept
        .iter()
        .map(|(index, line)| RegionLine {
            number: index + 1,
            text: dedent(line, indent),
        })
        .collect();
    Region {
        lines,
        end: end + 1,
    }
}

/// The leading whitespace shared by all non-blank lines. Blank lines do not
/// count: an empty line inside a method must not cancel the dedent.
fn common_indent<'a>(lines: impl Iterator<Item = &'a str>) -> &'a str {
    let mut common: Option<&str> = None;
    for line in lines.filter(|line| !line.trim().is_empty()) {
        let indent = &line[..line.len() - line.trim_start().len()];
        common = Some(match common {
            None => indent,
            Some(common) => common_prefix(common, indent),
        });
    }
    common.unwrap_or("")
}

/// The longest common prefix, compared char by char so that a multi-byte
/// whitespace character is never cut in half.
fn common_prefix<'a>(a: &'a str, b: &str) -> &'a str {
    let same = a.chars().zip(b.chars()).take_while(|(x, y)| x == y);
    let len = same.map(|(x, _)| x.len_utf8()).sum();
    &a[..len]
}

/// A line without the common indent; a blank line becomes empty.
fn dedent(line: &str, indent: &str) -> String {
    if line.trim().is_empty() {
        return String::new();
    }
    line.strip_prefix(indent).unwrap_or(line).to_string()
}

/// Checks the anchors of every source file against the lessons' references.
fn check_sources(
    root: &Path,
    referenced: &BTreeSet<(PathBuf, String)>,
    problems: &mut Vec<Problem>,
) {
    for path in source_files(root, problems) {
        let Some(text) = read_text(root, &path, problems) else {
            continue;
        };
        let file = shown(root, &path);
        let is_referenced = |name: &str| {
            referenced.contains(&(normalize(&path), name.to_string()))
        };
        problems.extend(check_markers(&file, &text, is_referenced));
    }
}

/// Checks the markers of one source file: duplicates, unpaired markers, and
/// anchors that no lesson refers to.
fn check_markers(
    file: &Path,
    text: &str,
    is_referenced: impl Fn(&str) -> bool,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    let problem = |kind, line, message| Problem::new(kind, file, line, message);
    // First line (1-based) of each `ANCHOR:` and each `ANCHOR_END:` name.
    let mut starts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut ends: BTreeMap<&str, usize> = BTreeMap::new();
    for (index, line) in text.lines().enumerate() {
        let (seen, tag, name) = match marker(line) {
            Some(Marker::Start(name)) => (&mut starts, "ANCHOR", name),
            Some(Marker::End(name)) => (&mut ends, "ANCHOR_END", name),
            None => continue,
        };
        if let Some(first) = seen.get(name) {
            let message = format!(
                "duplicate `{tag}: {name}` (first at line {first}); \
                 anchor names must be unique within a file"
            );
            problems.push(problem(Kind::DuplicateAnchor, index + 1, message));
        } else {
            seen.insert(name, index + 1);
        }
    }
    for (&name, &line) in &starts {
        match ends.get(name) {
            None => {
                let message = format!(
                    "`ANCHOR: {name}` is never closed by `ANCHOR_END: {name}`"
                );
                problems.push(problem(Kind::UnpairedAnchor, line, message));
            }
            Some(&end) if end < line => {
                let message = format!(
                    "`ANCHOR: {name}` comes after its `ANCHOR_END` (line {end})"
                );
                problems.push(problem(Kind::UnpairedAnchor, line, message));
            }
            Some(_) => {}
        }
        if !is_referenced(name) {
            let path = file.display();
            let message = format!(
                "anchor `{name}` is not shown in any lesson; refer to it \
                 with `<!-- include: ../{path}:{name} -->` or remove it"
            );
            problems.push(problem(Kind::OrphanAnchor, line, message));
        }
    }
    for (&name, &line) in &ends {
        if !starts.contains_key(name) {
            let message =
                format!("`ANCHOR_END: {name}` has no `ANCHOR: {name}`");
            problems.push(problem(Kind::UnpairedAnchor, line, message));
        }
    }
    problems
}

// ---------------------------------------------------------------------------
// Lessons: references, fences and links
// ---------------------------------------------------------------------------

/// `<!-- include: PATH:ANCHOR -->`, as written in a lesson.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Reference {
    path: String,
    anchor: String,
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.path, self.anchor)
    }
}

/// `None` if the line is no reference at all; `Some(Err(why))` if it starts
/// like one but is malformed, so a typo is reported instead of ignored.
fn parse_reference(line: &str) -> Option<Result<Reference, String>> {
    let body = line.trim().strip_prefix("<!--")?.trim_start();
    let body = body.strip_prefix("include:")?;
    Some(reference_parts(body))
}

fn reference_parts(body: &str) -> Result<Reference, String> {
    let malformed = "malformed reference: expected \
        `<!-- include: PATH:ANCHOR -->` on one line, where ANCHOR uses only \
        letters, digits, `_` and `-`";
    let inner = body.trim_end().strip_suffix("-->").ok_or(malformed)?;
    // The anchor follows the *last* colon, so a path may contain colons.
    let (path, anchor) = inner.trim().rsplit_once(':').ok_or(malformed)?;
    let (path, anchor) = (path.trim(), anchor.trim());
    if path.is_empty() || anchor.is_empty() || !anchor.chars().all(is_name_char)
    {
        return Err(malformed.to_string());
    }
    let (path, anchor) = (path.to_string(), anchor.to_string());
    Ok(Reference { path, anchor })
}

/// The opening line of a fenced code block: three or more backticks (or
/// tildes), possibly indented, e.g. inside a list item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Fence {
    /// Spaces before the fence; CommonMark strips as many from the content.
    indent: usize,
    mark: char,
    len: usize,
}

impl Fence {
    fn open(line: &str) -> Option<Fence> {
        let rest = line.trim_start_matches(' ');
        let indent = line.len() - rest.len();
        let mark = rest.chars().next().filter(|c| *c == '`' || *c == '~')?;
        let info = rest.trim_start_matches(mark);
        let len = rest.len() - info.len();
        // "```a```" is inline code, not a fence: CommonMark forbids
        // backticks in the info string of a backtick fence.
        let inline_code = mark == '`' && info.contains('`');
        (len >= 3 && !inline_code).then_some(Fence { indent, mark, len })
    }

    /// A closing fence is only fence characters, at least as many as the
    /// opening: a ```` block may then contain ``` lines.
    fn is_closed_by(self, line: &str) -> bool {
        let line = line.trim();
        line.len() >= self.len && line.chars().all(|c| c == self.mark)
    }

    /// The index of the closing line, searching from index `from`.
    fn closing_line(self, lines: &[&str], from: usize) -> Option<usize> {
        (from..lines.len()).find(|&index| self.is_closed_by(lines[index]))
    }

    fn text(self) -> String {
        self.mark.to_string().repeat(self.len)
    }
}

/// A fenced copy in a lesson, together with the region it must equal.
#[derive(Debug, Clone)]
struct FencedCopy {
    reference: Reference,
    /// The referenced file, as shown in problems.
    source: PathBuf,
    fence: Fence,
    /// 0-based indices of the opening and closing fence lines.
    open: usize,
    close: usize,
    /// The block's content, without the fence's indent.
    actual: Vec<String>,
    region: Region,
}

impl FencedCopy {
    /// Index (in the block) of the first line that differs, if any.
    fn first_difference(&self) -> Option<usize> {
        let expected = self.region.lines.iter().map(|line| &line.text);
        let same = self.actual.iter().zip(expected);
        let same = same.take_while(|(actual, expected)| actual == expected);
        let common = same.count();
        let longest = self.actual.len().max(self.region.lines.len());
        (common < longest).then_some(common)
    }

    /// A region line that looks like this block's closing fence would end
    /// the block early: no copy could ever match, and blessing would break
    /// the lesson.
    fn region_closes_fence(&self) -> bool {
        let mut lines = self.region.lines.iter();
        lines.any(|line| self.fence.is_closed_by(&line.text))
    }

    fn needs_blessing(&self) -> bool {
        !self.region_closes_fence() && self.first_difference().is_some()
    }

    /// The block's content as it should be, with the fence's indent.
    fn rendered(&self) -> Vec<String> {
        let indent = " ".repeat(self.fence.indent);
        let lines = self.region.lines.iter().map(|line| match &*line.text {
            "" => String::new(),
            text => format!("{indent}{text}"),
        });
        lines.collect()
    }

    fn problem(&self, root: &Path, lesson: &Path) -> Option<Problem> {
        let file = shown(root, lesson);
        let reference = &self.reference;
        if self.region_closes_fence() {
            let fence = self.fence.text();
            let message = format!(
                "the code of `{reference}` contains a line that closes this \
                 {fence} fence; open the block with more {} characters",
                self.fence.mark
            );
            return Some(Problem::new(
                Kind::BadFence,
                &file,
                self.open + 1,
                message,
            ));
        }
        let index = self.first_difference()?;
        let lesson_side = match self.actual.get(index) {
            Some(text) => format!("{text:?}"),
            None => "(end of block)".to_string(),
        };
        let source = self.source.display();
        let source_side = match self.region.lines.get(index) {
            Some(line) => {
                format!("{:?}  ({source}:{})", line.text, line.number)
            }
            None => format!("(end of region)  ({source}:{})", self.region.end),
        };
        let message = format!(
            "copy of `{reference}` differs from the code\n    \
             lesson: {lesson_side}\n    \
             code:   {source_side}"
        );
        // Point at the differing line (the closing fence if the block is
        // too short), so an editor jumps right to it.
        let line = self.open + 1 + index + 1;
        Some(Problem::new(Kind::StaleCopy, &file, line, message))
    }
}

/// What reading one lesson found.
#[derive(Debug, Default)]
struct LessonScan {
    problems: Vec<Problem>,
    /// (normalized source path, anchor) of every well-formed reference.
    referenced: Vec<(PathBuf, String)>,
    copies: Vec<FencedCopy>,
}

/// A lesson being read.
struct Lesson<'a> {
    root: &'a Path,
    /// The lesson's directory: references and links are relative to it.
    dir: &'a Path,
    /// The lesson's path as shown in problems.
    file: PathBuf,
    lines: Vec<&'a str>,
}

impl Lesson<'_> {
    /// A problem at a 0-based line index of this lesson.
    fn problem(&self, kind: Kind, index: usize, message: String) -> Problem {
        Problem::new(kind, &self.file, index + 1, message)
    }
}

/// Reads a lesson line by line: code blocks, references with their copies,
/// and prose (where links are checked).
fn scan_lesson(root: &Path, path: &Path, text: &str) -> LessonScan {
    let lesson = Lesson {
        root,
        dir: path.parent().unwrap_or(root),
        file: shown(root, path),
        lines: text.lines().collect(),
    };
    let mut scan = LessonScan::default();
    let mut index = 0;
    while let Some(line) = lesson.lines.get(index) {
        index = if let Some(fence) = Fence::open(line) {
            // Code is not prose: `handlers[i](request)` is not a link, and
            // an include line shown as an example is not a reference.
            skip_code_block(&lesson, fence, index, &mut scan)
        } else if let Some(parsed) = parse_reference(line) {
            scan_reference(&lesson, index, parsed, &mut scan)
        } else {
            scan.problems.extend(broken_links(&lesson, index, line));
            index + 1
        };
    }
    scan
}

/// Returns the index after the block that opens at `open`.
fn skip_code_block(
    lesson: &Lesson,
    fence: Fence,
    open: usize,
    scan: &mut LessonScan,
) -> usize {
    match fence.closing_line(&lesson.lines, open + 1) {
        Some(close) => close + 1,
        None => {
            scan.problems.push(unclosed_fence(lesson, fence, open));
            lesson.lines.len()
        }
    }
}

fn unclosed_fence(lesson: &Lesson, fence: Fence, open: usize) -> Problem {
    let message = format!(
        "this {} code block is never closed, so the rest of the lesson \
         reads as code",
        fence.text()
    );
    lesson.problem(Kind::BadFence, open, message)
}

/// Handles the reference at `index` and the fenced copy that must follow.
/// Returns the index of the next line to read.
fn scan_reference(
    lesson: &Lesson,
    index: usize,
    parsed: Result<Reference, String>,
    scan: &mut LessonScan,
) -> usize {
    let reference = match parsed {
        Ok(reference) => reference,
        Err(message) => {
            let problem = lesson.problem(Kind::BrokenReference, index, message);
            scan.problems.push(problem);
            return index + 1;
        }
    };
    let source = normalize(&lesson.dir.join(&reference.path));
    scan.referenced
        .push((source.clone(), reference.anchor.clone()));
    let region = load_region(&source, &reference.anchor);
    if let Err(reason) = &region {
        let message = format!("broken reference `{reference}`: {reason}");
        let problem = lesson.problem(Kind::BrokenReference, index, message);
        scan.problems.push(problem);
    }

    let open = index + 1;
    let next_line = lesson.lines.get(open);
    let Some(fence) = next_line.and_then(|line| Fence::open(line)) else {
        let found = match next_line {
            Some(line) => format!("{line:?}"),
            None => "the end of the file".to_string(),
        };
        let message = format!(
            "`{reference}` must be followed on the very next line by a \
             fenced code block (```rust), found {found}"
        );
        scan.problems
            .push(lesson.problem(Kind::BadFence, index, message));
        return open;
    };
    let Some(close) = fence.closing_line(&lesson.lines, open + 1) else {
        scan.problems.push(unclosed_fence(lesson, fence, open));
        return lesson.lines.len();
    };
    if let Ok(region) = region {
        let content = lesson.lines.get(open + 1..close).unwrap_or_default();
        let without_indent = |line: &&str| unindent(line, fence.indent);
        scan.copies.push(FencedCopy {
            reference,
            source: shown(lesson.root, &source),
            fence,
            open,
            close,
            actual: content.iter().map(without_indent).collect(),
            region,
        });
    }
    close + 1
}

fn load_region(source: &Path, anchor: &str) -> Result<Region, String> {
    let text = fs::read_to_string(source).map_err(|err| match err.kind() {
        io::ErrorKind::NotFound => "that file does not exist".to_string(),
        _ => format!("cannot read that file: {err}"),
    })?;
    anchored_region(&text, anchor)
}

/// Removes up to `indent` leading spaces, as CommonMark does for the
/// content of an indented fence.
fn unindent(line: &str, indent: usize) -> String {
    let spaces = line.len() - line.trim_start_matches(' ').len();
    line[spaces.min(indent)..].to_string()
}

/// Relative links on a prose line whose target does not exist.
fn broken_links(lesson: &Lesson, index: usize, line: &str) -> Vec<Problem> {
    let mut problems = Vec::new();
    for target in link_targets(line) {
        let Some(path) = local_path(&target) else {
            continue;
        };
        // A leading `/` means the book's root, which is the lessons folder.
        let resolved =
            normalize(&lesson.dir.join(path.trim_start_matches('/')));
        if !resolved.exists() {
            let missing = shown(lesson.root, &resolved);
            let message = format!(
                "broken link `{target}`: `{}` does not exist",
                missing.display()
            );
            problems.push(lesson.problem(Kind::BrokenLink, index, message));
        }
    }
    problems
}

/// The targets of the `[text](target)` links on a line, outside `code`.
fn link_targets(line: &str) -> Vec<String> {
    let prose = without_code_spans(line);
    let mut targets = Vec::new();
    let mut rest = prose.as_str();
    while let Some(start) = rest.find("](") {
        let after = &rest[start + 2..];
        let Some(end) = closing_paren(after) else {
            break;
        };
        targets.push(after[..end].to_string());
        rest = &after[end + 1..];
    }
    targets
}

/// The index of the `)` that closes a link, allowing `(...)` inside it.
fn closing_paren(text: &str) -> Option<usize> {
    let mut depth = 0_usize;
    for (index, c) in text.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return Some(index),
            ')' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// The line with its `code spans` removed. A span opens with a run of
/// backticks and closes with a run of the same length; an unmatched run is
/// ordinary text, as in CommonMark.
fn without_code_spans(line: &str) -> String {
    let mut prose = String::new();
    let mut rest = line;
    while let Some(start) = rest.find('`') {
        prose.push_str(&rest[..start]);
        let (ticks, after) = rest[start..].split_at(tick_run(&rest[start..]));
        match find_tick_run(after, ticks.len()) {
            Some(end) => rest = &after[end + ticks.len()..],
            None => {
                prose.push_str(ticks);
                rest = after;
            }
        }
    }
    prose.push_str(rest);
    prose
}

/// How many backticks `text` starts with.
fn tick_run(text: &str) -> usize {
    text.len() - text.trim_start_matches('`').len()
}

/// Where a run of exactly `len` backticks starts in `text`.
fn find_tick_run(text: &str, len: usize) -> Option<usize> {
    let mut offset = 0;
    while let Some(found) = text[offset..].find('`') {
        let start = offset + found;
        let run = tick_run(&text[start..]);
        if run == len {
            return Some(start);
        }
        offset = start + run;
    }
    None
}

/// The file part of a link target, or `None` for links that do not point
/// at a local file: `#fragment`, `https://…`, `mailto:…` and other schemes.
fn local_path(target: &str) -> Option<&str> {
    let target = target.trim();
    let target = match target.strip_prefix('<') {
        // `[text](<path with spaces>)`
        Some(rest) => rest.split('>').next()?,
        // `[text](path "title")`
        None => target.split_whitespace().next()?,
    };
    if target.starts_with('#') || has_scheme(target) {
        return None;
    }
    let path = target.split(['#', '?']).next()?;
    (!path.is_empty()).then_some(path)
}

/// Whether a link starts with a URL scheme such as `https:` or `mailto:`.
fn has_scheme(target: &str) -> bool {
    let Some((scheme, _)) = target.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    let starts_with_letter =
        chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    starts_with_letter
        && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
}

// ---------------------------------------------------------------------------
// Blessing
// ---------------------------------------------------------------------------

/// The lesson with every stale copy replaced by its region, or `None` if no
/// copy is stale. Every other line, the opening fences included, is kept.
fn blessed_text(text: &str, copies: &[FencedCopy]) -> Option<String> {
    let stale: Vec<&FencedCopy> =
        copies.iter().filter(|copy| copy.needs_blessing()).collect();
    if stale.is_empty() {
        return None;
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut blessed: Vec<String> = Vec::new();
    let mut next = 0; // the first line not yet copied into `blessed`
    for copy in stale {
        let kept = lines.get(next..=copy.open)?;
        blessed.extend(kept.iter().map(|line| line.to_string()));
        blessed.extend(copy.rendered());
        next = copy.close;
    }
    let rest = lines.get(next..)?;
    blessed.extend(rest.iter().map(|line| line.to_string()));

    // Keep the file's line endings and its final newline (or lack of one).
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut blessed = blessed.join(newline);
    if text.ends_with('\n') {
        blessed.push_str(newline);
    }
    (blessed != text).then_some(blessed)
}

// ---------------------------------------------------------------------------
// The test on the real tree
// ---------------------------------------------------------------------------

#[test]
fn lessons_are_in_sync_with_the_code() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let blessing = std::env::var("BLESS").is_ok_and(|value| value == "1");
    let problems = if blessing { bless(root) } else { check(root) };
    assert!(
        problems.is_empty(),
        "{}",
        failure_report(&problems, blessing)
    );
}

fn failure_report(problems: &[Problem], blessing: bool) -> String {
    let list: String = problems.iter().map(|p| format!("{p}\n")).collect();
    let advice = if blessing {
        "BLESS=1 refreshed the stale copies; the problems above need a human"
            .to_string()
    } else {
        format!("for stale copies, {BLESS_HINT}")
    };
    let count = problems.len();
    format!(
        "{count} problem(s) between lessons/ and the code:\n\n{list}\n{advice}"
    )
}

// ---------------------------------------------------------------------------
// Tests of the checker itself, on tiny trees in a temporary directory
// ---------------------------------------------------------------------------

/// A temporary tree holding `files` (path relative to the root, contents).
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("cannot create a temporary directory");
    for (path, text) in files {
        let path = dir.path().join(path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("cannot create a directory");
        }
        fs::write(&path, text).expect("cannot write a fixture file");
    }
    dir
}

fn read(dir: &tempfile::TempDir, path: &str) -> String {
    fs::read_to_string(dir.path().join(path)).expect("cannot read back a file")
}

/// Shorthand for the assertions: (kind, file, line) of each problem.
fn found(problems: &[Problem]) -> Vec<(Kind, String, usize)> {
    let found = problems.iter().map(|problem| {
        let file = problem.file.display().to_string();
        (problem.kind, file, problem.line)
    });
    found.collect()
}

fn expect(kind: Kind, file: &str, line: usize) -> (Kind, String, usize) {
    (kind, file.to_string(), line)
}

/// A method inside an `impl`: its region is indented and holds a blank line.
const LINE_RS: &str = "\
pub struct Reader;

impl Reader {
    // ANCHOR: read_line
    pub fn read_line(&self) -> String {
        let line = String::new();

        line
    }
    // ANCHOR_END: read_line
}
";

/// A lesson whose copy of `read_line` is up to date (dedented).
const LESSON: &str = "\
# Reading lines

<!-- include: ../src/line.rs:read_line -->
```rust
pub fn read_line(&self) -> String {
    let line = String::new();

    line
}
```

That is all.
";

#[test]
fn a_lesson_whose_copy_matches_the_dedented_region_has_no_problems() {
    let dir =
        tree(&[("src/line.rs", LINE_RS), ("lessons/01-lines.md", LESSON)]);
    assert_eq!(check(dir.path()), vec![]);
}

#[test]
fn a_tree_without_lessons_has_nothing_to_check() {
    // Even anchors waiting for their lesson are fine until lessons exist.
    let no_lessons_dir = tree(&[("src/line.rs", LINE_RS)]);
    assert_eq!(check(no_lessons_dir.path()), vec![]);

    let no_markdown =
        tree(&[("src/line.rs", LINE_RS), ("lessons/notes.txt", "")]);
    assert_eq!(check(no_markdown.path()), vec![]);
    assert_eq!(bless(no_markdown.path()), vec![]);
}

#[test]
fn a_reference_to_a_missing_file_is_reported() {
    let lesson = LESSON.replace("../src/line.rs", "../src/lines.rs");
    let dir = tree(&[("src/lib.rs", "\n"), ("lessons/01.md", &lesson)]);
    let problems = check(dir.path());
    let broken = expect(Kind::BrokenReference, "lessons/01.md", 3);
    assert_eq!(found(&problems), vec![broken]);
    assert!(problems[0].message.contains("../src/lines.rs:read_line"));
    assert!(problems[0].message.contains("does not exist"));
}

#[test]
fn a_reference_to_a_missing_anchor_is_reported() {
    // `read` is a prefix of `read_line`, but names must match whole.
    let lesson = LESSON.replace(":read_line", ":read");
    let dir = tree(&[("src/line.rs", LINE_RS), ("lessons/01.md", &lesson)]);
    let problems = check(dir.path());
    assert_eq!(
        found(&problems),
        vec![
            expect(Kind::BrokenReference, "lessons/01.md", 3),
            expect(Kind::OrphanAnchor, "src/line.rs", 4),
        ]
    );
    assert!(problems[0].message.contains("no `ANCHOR: read`"));
}

#[test]
fn an_anchor_marked_twice_is_reported_in_the_lesson_and_the_source() {
    let twice = format!("{LINE_RS}{LINE_RS}");
    let dir = tree(&[("src/line.rs", &twice), ("lessons/01.md", LESSON)]);
    let problems = check(dir.path());
    assert_eq!(
        found(&problems),
        vec![
            expect(Kind::BrokenReference, "lessons/01.md", 3),
            expect(Kind::DuplicateAnchor, "src/line.rs", 15),
            expect(Kind::DuplicateAnchor, "src/line.rs", 21),
        ]
    );
    assert!(problems[0].message.contains("more than once"));
    assert!(problems[1].message.contains("first at line 4"));
}

#[test]
fn an_anchor_without_its_end_marker_is_reported() {
    let open = LINE_RS.replace("// ANCHOR_END: read_line", "// the end");
    let dir = tree(&[("src/line.rs", &open), ("lessons/01.md", LESSON)]);
    let problems = check(dir.path());
    assert_eq!(
        found(&problems),
        vec![
            expect(Kind::BrokenReference, "lessons/01.md", 3),
            expect(Kind::UnpairedAnchor, "src/line.rs", 4),
        ]
    );
    assert!(
        problems[0]
            .message
            .contains("has no `ANCHOR_END: read_line`")
    );
}

#[test]
fn an_end_marker_without_its_anchor_is_reported() {
    let closed = LINE_RS.replace("// ANCHOR: read_line", "// the start");
    let dir = tree(&[("src/line.rs", &closed), ("lessons/01.md", LESSON)]);
    let problems = check(dir.path());
    assert_eq!(
        found(&problems),
        vec![
            expect(Kind::BrokenReference, "lessons/01.md", 3),
            expect(Kind::UnpairedAnchor, "src/line.rs", 10),
        ]
    );
}

#[test]
fn a_malformed_reference_is_reported() {
    let lesson = "<!-- include: ../src/line.rs -->\n```rust\n```\n";
    let dir = tree(&[("src/lib.rs", "\n"), ("lessons/01.md", lesson)]);
    let problems = check(dir.path());
    let malformed = expect(Kind::BrokenReference, "lessons/01.md", 1);
    assert_eq!(found(&problems), vec![malformed]);
    assert!(problems[0].message.starts_with("malformed reference"));
}

#[test]
fn a_reference_not_immediately_followed_by_a_fence_is_reported() {
    let gap = LESSON.replace("-->\n```rust", "-->\n\n```rust");
    let dir = tree(&[("src/line.rs", LINE_RS), ("lessons/01.md", &gap)]);
    let problems = check(dir.path());
    let no_fence = expect(Kind::BadFence, "lessons/01.md", 3);
    assert_eq!(found(&problems), vec![no_fence]);
    assert!(problems[0].message.contains("very next line"));

    let at_the_end = "<!-- include: ../src/line.rs:read_line -->";
    let dir = tree(&[("src/line.rs", LINE_RS), ("lessons/01.md", at_the_end)]);
    let problems = check(dir.path());
    let no_fence = expect(Kind::BadFence, "lessons/01.md", 1);
    assert_eq!(found(&problems), vec![no_fence]);
    assert!(problems[0].message.contains("the end of the file"));
}

#[test]
fn a_fence_that_is_never_closed_is_reported() {
    let unclosed = LESSON.replace("}\n```\n", "}\n");
    let dir = tree(&[("src/line.rs", LINE_RS), ("lessons/01.md", &unclosed)]);
    let problems = check(dir.path());
    let unclosed = expect(Kind::BadFence, "lessons/01.md", 4);
    assert_eq!(found(&problems), vec![unclosed]);
    assert!(problems[0].message.contains("never closed"));

    // Also when the block is not a copy: it would hide the rest.
    let lesson = "Intro\n\n```text\n[hidden](missing.md)\n";
    let dir = tree(&[("lessons/01.md", lesson)]);
    let unclosed = expect(Kind::BadFence, "lessons/01.md", 3);
    assert_eq!(found(&check(dir.path())), vec![unclosed]);
}

#[test]
fn a_stale_copy_is_reported_with_the_first_differing_line_of_each_side() {
    let source = LINE_RS.replace("String::new()", "String::with_capacity(80)");
    let dir = tree(&[("src/line.rs", &source), ("lessons/01.md", LESSON)]);
    let problems = check(dir.path());
    let stale = expect(Kind::StaleCopy, "lessons/01.md", 6);
    assert_eq!(found(&problems), vec![stale]);
    let message = &problems[0].message;
    assert!(message.contains("`../src/line.rs:read_line`"), "{message}");
    assert!(message.contains(r#"lesson: "    let line = String::new();""#));
    let code = r#"code:   "    let line = String::with_capacity(80);""#;
    assert!(message.contains(code), "{message}");
    assert!(message.contains("(src/line.rs:6)"), "{message}");
}

#[test]
fn a_copy_missing_its_last_lines_is_reported_at_the_closing_fence() {
    let short = LESSON.replace("    line\n}\n", "");
    let dir = tree(&[("src/line.rs", LINE_RS), ("lessons/01.md", &short)]);
    let problems = check(dir.path());
    let stale = expect(Kind::StaleCopy, "lessons/01.md", 8);
    assert_eq!(found(&problems), vec![stale]);
    assert!(problems[0].message.contains("lesson: (end of block)"));
    assert!(problems[0].message.contains(r#"code:   "    line""#));
}

#[test]
fn an_anchor_that_no_lesson_refers_to_is_reported_as_orphaned() {
    let marked = "\
fn main() {
    // ANCHOR: main
    run();
    // ANCHOR_END: main
}
";
    let dir = tree(&[
        ("src/line.rs", LINE_RS),
        ("lessons/01.md", LESSON),
        ("bin/tour.rs", marked),
        ("mocks/src/deep/echo.rs", marked),
        // Neither build output nor files outside src/, bin/ and mocks/.
        ("mocks/target/debug/build/out.rs", marked),
        ("tests/other.rs", marked),
        ("src/notes.txt", marked),
    ]);
    let problems = check(dir.path());
    assert_eq!(
        found(&problems),
        vec![
            expect(Kind::OrphanAnchor, "bin/tour.rs", 2),
            expect(Kind::OrphanAnchor, "mocks/src/deep/echo.rs", 2),
        ]
    );
    let hint = "<!-- include: ../bin/tour.rs:main -->";
    assert!(problems[0].message.contains(hint), "{}", problems[0]);
}

#[test]
fn a_relative_link_to_a_missing_file_is_reported() {
    let lesson = "\
# Links

See [the code](../src/line.rs), [the next lesson](02.md#start),
[the book](https://doc.rust-lang.org/book/), [mail](mailto:a@example.org),
[this section](#links) and ![a picture](<img/a b.png> \"A title\").

Broken: [gone](03-gone.md) and [also gone](../src/gone.rs#L3 \"Gone\").

Code is not checked: `table[i](x)` and

```rust
let reply = handlers[i](request);
```
";
    let dir = tree(&[
        ("src/line.rs", "\n"),
        ("lessons/01.md", lesson),
        ("lessons/02.md", "# Next\n"),
        ("lessons/img/a b.png", ""),
    ]);
    let problems = check(dir.path());
    assert_eq!(
        found(&problems),
        vec![
            expect(Kind::BrokenLink, "lessons/01.md", 7),
            expect(Kind::BrokenLink, "lessons/01.md", 7),
        ]
    );
    assert!(
        problems[0]
            .message
            .contains("`lessons/03-gone.md` does not")
    );
    assert!(problems[1].message.contains("`src/gone.rs` does not exist"));
}

#[test]
fn code_blocks_and_inline_code_are_not_read_as_references_or_links() {
    let lesson = "\
A lesson may show the convention itself:

````markdown
<!-- include: ../src/gone.rs:nothing -->
```rust
let reply = handlers[i](request);
```
````

```a``` is inline code, not a fence, so this link is still checked:
[gone](gone.md)
";
    let dir = tree(&[("lessons/01.md", lesson)]);
    let broken = expect(Kind::BrokenLink, "lessons/01.md", 11);
    assert_eq!(found(&check(dir.path())), vec![broken]);
}

#[test]
fn nested_anchor_markers_are_left_out_of_the_copy() {
    let source = "\
// ANCHOR: serve
fn serve() {
    // ANCHOR: accept
    let client = accept();
    // ANCHOR_END: accept
    reply(client);
}
// ANCHOR_END: serve
";
    let lesson = "\
<!-- include: ../src/server.rs:serve -->
```rust
fn serve() {
    let client = accept();
    reply(client);
}
```

<!-- include: ../src/server.rs:accept -->
```rust
let client = accept();
```
";
    let dir = tree(&[("src/server.rs", source), ("lessons/01.md", lesson)]);
    assert_eq!(check(dir.path()), vec![]);
}

#[test]
fn dedenting_keeps_relative_indentation_and_empties_blank_lines() {
    let source = "\
mod outer {
    impl A {
        // ANCHOR: body
        fn f() {
\t
            g();
        }
        // ANCHOR_END: body
    }
}
";
    let region = anchored_region(source, "body").expect("the anchor exists");
    let text: Vec<&str> = region.lines.iter().map(|l| &*l.text).collect();
    assert_eq!(text, ["fn f() {", "", "    g();", "}"]);
    let numbers: Vec<usize> = region.lines.iter().map(|l| l.number).collect();
    assert_eq!((numbers, region.end), (vec![4, 5, 6, 7], 8));
}

#[test]
fn a_copy_indented_in_a_list_item_is_compared_without_that_indent() {
    let lesson = "\
1. Read a line:

   <!-- include: ../src/line.rs:read_line -->
   ```rust
   pub fn read_line(&self) -> String {
       let line = String::new();

       line
   }
   ```
";
    let dir = tree(&[("src/line.rs", LINE_RS), ("lessons/01.md", lesson)]);
    assert_eq!(check(dir.path()), vec![]);

    // Blessing a stale copy keeps the list item's indent.
    let source = LINE_RS.replace("String::new()", "String::from(\"\")");
    fs::write(dir.path().join("src/line.rs"), source).expect("rewrite");
    assert_eq!(bless(dir.path()), vec![]);
    let blessed = lesson.replace("String::new()", "String::from(\"\")");
    assert_eq!(read(&dir, "lessons/01.md"), blessed);
}

#[test]
fn a_region_holding_a_closing_fence_is_reported_and_not_blessed() {
    let source = "\
// ANCHOR: doc
const DOC: &str = r#\"
```
\"#;
// ANCHOR_END: doc
";
    let lesson = "<!-- include: ../src/doc.rs:doc -->\n```rust\n```\n";
    let dir = tree(&[("src/doc.rs", source), ("lessons/01.md", lesson)]);
    let clash = expect(Kind::BadFence, "lessons/01.md", 2);
    assert_eq!(found(&check(dir.path())), vec![clash.clone()]);
    assert_eq!(found(&bless(dir.path())), vec![clash]);
    assert_eq!(read(&dir, "lessons/01.md"), lesson);

    // A longer fence is the fix.
    let longer = "<!-- include: ../src/doc.rs:doc -->\n````rust\n````\n";
    fs::write(dir.path().join("lessons/01.md"), longer).expect("rewrite");
    assert_eq!(bless(dir.path()), vec![]);
    assert_eq!(check(dir.path()), vec![]);
}

#[test]
fn bless_rewrites_a_stale_copy_and_keeps_its_opening_fence_line() {
    let stale = LESSON
        .replace("```rust\n", "```rust,ignore\n")
        .replace("    let line = String::new();\n\n", "    todo!()\n");
    let dir = tree(&[("src/line.rs", LINE_RS), ("lessons/01.md", &stale)]);
    assert_eq!(found(&check(dir.path()))[0].0, Kind::StaleCopy);

    assert_eq!(bless(dir.path()), vec![]);
    let blessed = LESSON.replace("```rust\n", "```rust,ignore\n");
    assert_eq!(read(&dir, "lessons/01.md"), blessed);
    assert_eq!(check(dir.path()), vec![]);
}

#[test]
fn bless_leaves_an_up_to_date_lesson_untouched_byte_for_byte() {
    // CRLF line endings and no final newline: a careless rewrite would
    // change both.
    let up_to_date = LESSON.replace('\n', "\r\n") + "The end.";
    let stale = LESSON.replace("    line\n", "    line.trim()\n");
    let dir = tree(&[
        ("src/line.rs", LINE_RS),
        ("lessons/01.md", &up_to_date),
        ("lessons/02.md", &stale),
    ]);
    let path = dir.path().join("lessons/01.md");
    let long_ago = std::time::SystemTime::UNIX_EPOCH
        + std::time::Duration::from_secs(1_000_000_000);
    let file = fs::File::options().write(true).open(&path).expect("open");
    file.set_modified(long_ago).expect("cannot set the time");
    drop(file);

    assert_eq!(bless(dir.path()), vec![]);
    assert_eq!(read(&dir, "lessons/01.md"), up_to_date);
    let modified = fs::metadata(&path).and_then(|meta| meta.modified());
    assert_eq!(modified.expect("mtime"), long_ago, "01.md was rewritten");
    assert_eq!(read(&dir, "lessons/02.md"), LESSON);
}

#[test]
fn bless_cannot_fix_orphans_or_broken_references_and_still_fails() {
    let orphan = "// ANCHOR: unused\nfn unused() {}\n// ANCHOR_END: unused\n";
    let stale = LESSON.replace("    line\n", "    line.trim()\n")
        + "\n<!-- include: ../src/gone.rs:x -->\n```rust\n```\n";
    let dir = tree(&[
        ("src/line.rs", LINE_RS),
        ("src/unused.rs", orphan),
        ("lessons/01.md", &stale),
    ]);
    let problems = bless(dir.path());
    assert_eq!(
        found(&problems),
        vec![
            expect(Kind::BrokenReference, "lessons/01.md", 14),
            expect(Kind::OrphanAnchor, "src/unused.rs", 1),
        ]
    );
    let fixed = LESSON.to_string()
        + "\n<!-- include: ../src/gone.rs:x -->\n```rust\n```\n";
    assert_eq!(read(&dir, "lessons/01.md"), fixed);
}

#[test]
fn odd_input_is_reported_without_panicking() {
    let odd = "\
<!-- include:
<!-- include: :x -->
[dangling](
`unclosed code [x](nope.md)
![](
<!-- include: ../src/line.rs:read_line -->";
    let dir = tree(&[("src/line.rs", LINE_RS), ("lessons/01.md", odd)]);
    let problems = check(dir.path());
    assert_eq!(
        found(&problems),
        vec![
            expect(Kind::BrokenReference, "lessons/01.md", 1),
            expect(Kind::BrokenReference, "lessons/01.md", 2),
            expect(Kind::BrokenLink, "lessons/01.md", 4),
            expect(Kind::BadFence, "lessons/01.md", 6),
        ]
    );

    let not_utf8 = tree(&[("lessons/01.md", "")]);
    let path = not_utf8.path().join("lessons/01.md");
    fs::write(&path, [0xff, 0xfe, b'\n']).expect("write");
    let unreadable = expect(Kind::Unreadable, "lessons/01.md", 0);
    assert_eq!(found(&check(not_utf8.path())), vec![unreadable]);
}

#[test]
fn problems_read_as_file_colon_line_then_message() {
    let problem = Problem::new(
        Kind::BrokenLink,
        Path::new("lessons/01.md"),
        7,
        "broken link".to_string(),
    );
    assert_eq!(problem.to_string(), "lessons/01.md:7: broken link");
    let report = failure_report(&[problem], false);
    assert!(report.contains("lessons/01.md:7: broken link\n"));
    assert!(report.contains(BLESS_HINT));
}

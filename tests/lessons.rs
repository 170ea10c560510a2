//! Keeps the code shown in `lessons/*.md` in sync with the real code.
//!
//! A lesson never shows code from memory: it *refers* to a region of a
//! source file (any `*.rs` under `src/`, `bin/` or `mocks/`), marked with
//! mdBook's anchor comments,
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
//! and carries a copy of it, fenced on the line right after the reference
//! (a path relative to the lesson, then `:` and the anchor name):
//!
//! ````text
//! <!-- include: ../src/line.rs:read_line -->
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
//! anchors that no lesson shows, duplicate or unpaired markers, and relative
//! links to missing files. Until `lessons/` holds a first `*.md` file, there
//! is nothing to check.
//!
//! When the code changes on purpose, `BLESS=1 cargo test --test lessons`
//! rewrites the stale copies in place (keeping each opening fence line), then
//! fails only for problems that a human has to fix. The syntax is mdBook's,
//! so the lessons can later switch to `{{#include ../src/line.rs:read_line}}`.

use Kind::*;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};
use std::{fmt, fs, io};

/// Where the code lives that lessons may show (searched recursively).
const SOURCE_DIRS: [&str; 4] = ["src", "bin", "mocks", "benches"];
const BLESS_HINT: &str =
    "run `BLESS=1 cargo test --test lessons` to refresh the copies";

/// What went wrong; tests match on this rather than on message wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Malformed, or naming a missing file, or an anchor that is missing,
    /// duplicated or unpaired in that file.
    BrokenReference,
    /// No fence right after a reference, a fence never closed, or a region
    /// holding a line that would close its copy's fence.
    BadFence,
    /// A copy that differs from its region: the only kind BLESS=1 fixes.
    StaleCopy,
    OrphanAnchor,
    DuplicateAnchor,
    /// An `ANCHOR:` without its `ANCHOR_END:`, or the other way round.
    UnpairedAnchor,
    /// A relative markdown link to a file that does not exist.
    BrokenLink,
    /// A file or directory that could not be read (or, blessing, written).
    Unreadable,
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

/// Checks every lesson under `root` against the code, and the code's anchors
/// against the lessons. Reads files, never writes them.
fn check(root: &Path) -> Vec<Problem> {
    let mut checker = Checker::new(root);
    let lessons = checker.files_in(&root.join("lessons"), "md");
    // Until the first lesson is written there is nothing to check: anchors
    // may go into the code before the lessons that will show them.
    if !lessons.is_empty() {
        for lesson in lessons {
            if let Some(text) = checker.read(&lesson) {
                checker.scan_lesson(&lesson, &text);
            }
        }
        for dir in SOURCE_DIRS {
            for source in checker.files_in(&root.join(dir), "rs") {
                if let Some(text) = checker.read(&source) {
                    checker.check_markers(&source, &text);
                }
            }
        }
    }
    let mut problems = checker.problems;
    // Sorting by file then line reads like a compiler's error list.
    problems.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
    problems
}

/// Rewrites every stale copy with its current region, then returns what
/// `check` still finds: the problems that blessing cannot fix.
fn bless(root: &Path) -> Vec<Problem> {
    // This checker only finds the stale copies: `check` reports the rest,
    // after the lessons that could not be written.
    let mut checker = Checker::new(root);
    let mut failed = Checker::new(root);
    for lesson in checker.files_in(&root.join("lessons"), "md") {
        let Some(text) = checker.read(&lesson) else {
            continue;
        };
        let fixes = checker.scan_lesson(&lesson, &text);
        if fixes.is_empty() {
            continue; // nothing stale: leave the file alone, byte for byte
        }
        if let Err(err) = fs::write(&lesson, blessed_text(&text, &fixes)) {
            let why = format!("cannot write the refreshed copy: {err}");
            failed.report(Unreadable, &lesson, 0, why);
        }
    }
    failed.problems.extend(check(root));
    failed.problems
}

/// The problems found so far in the tree at `root`.
#[derive(Default)]
struct Checker {
    root: PathBuf,
    problems: Vec<Problem>,
    /// (normalized source path, anchor) of every well-formed reference.
    referenced: BTreeSet<(PathBuf, String)>,
}

/// A stale copy: the 0-based indices of its fence lines in the lesson, and
/// the lines that belong between them.
type Fix = (usize, usize, Vec<String>);

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

    /// The `*.{ext}` files in `dir`, sorted; none if `dir` does not exist
    /// (yet). Only source files (`rs`) are searched for in subdirectories.
    fn files_in(&mut self, dir: &Path, ext: &str) -> Vec<PathBuf> {
        let entries = match fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return vec![],
            Err(err) => {
                self.report(Unreadable, dir, 0, format!("cannot read: {err}"));
                return vec![];
            }
        };
        let recurse = ext == "rs";
        let mut files = Vec::new();
        for entry in entries.filter_map(Result::ok) {
            let (name, path) = (entry.file_name(), entry.path());
            // Build output and hidden files are not code anyone wrote.
            let hidden = name.to_string_lossy().starts_with('.');
            if recurse && (hidden || name == "target") {
                continue;
            }
            // `file_type` does not follow symlinks, so a link cannot loop us.
            match entry.file_type() {
                Ok(kind) if kind.is_dir() && recurse => {
                    files.extend(self.files_in(&path, ext));
                }
                Ok(kind) if !kind.is_dir() && has_extension(&path, ext) => {
                    files.push(path);
                }
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

    /// Reads a lesson line by line: code blocks, references with the copy
    /// that must follow each, and prose, where links are checked. Returns
    /// the stale copies.
    fn scan_lesson(&mut self, lesson: &Path, text: &str) -> Vec<Fix> {
        let lines: Vec<&str> = text.lines().collect();
        let mut fixes = Vec::new();
        let mut at = 0;
        while let Some(&line) = lines.get(at) {
            at = if let Some(fence) = Fence::open(line) {
                // Code is not prose: `handlers[i](request)` is not a link,
                // and an include line shown as an example is no reference.
                match self.closing_line(lesson, &lines, at, fence) {
                    Some(close) => close + 1,
                    None => break,
                }
            } else if let Some(parsed) = parse_reference(line) {
                self.check_copy(lesson, &lines, at, parsed, &mut fixes)
            } else {
                self.check_links(lesson, at + 1, line);
                at + 1
            };
        }
        fixes
    }

    /// The index of the line that closes the block opening at index `open`.
    fn closing_line(
        &mut self,
        lesson: &Path,
        lines: &[&str],
        open: usize,
        fence: Fence,
    ) -> Option<usize> {
        let close = (open + 1..lines.len()).find(|&i| fence.closes(lines[i]));
        if close.is_none() {
            let why = format!(
                "this {} code block is never closed, so the rest of the \
                 lesson reads as code",
                fence.text()
            );
            self.report(BadFence, lesson, open + 1, why);
        }
        close
    }

    /// Checks the reference at index `at`, and the copy that must follow it
    /// on the next line; a stale copy's fix goes to `fixes`. Returns the
    /// index of the next line to read.
    fn check_copy(
        &mut self,
        lesson: &Path,
        lines: &[&str],
        at: usize,
        parsed: Result<(&str, &str), String>,
        fixes: &mut Vec<Fix>,
    ) -> usize {
        // The copy's opening fence must follow, at index `open`, which is
        // also the reference's 1-based line `number`.
        let (number, open) = (at + 1, at + 1);
        let (path, anchor) = match parsed {
            Ok(parts) => parts,
            Err(why) => {
                self.report(BrokenReference, lesson, number, why);
                return open;
            }
        };
        let name = format!("{path}:{anchor}");
        let dir = lesson.parent().unwrap_or(&self.root);
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
            self.report(BrokenReference, lesson, number, why);
        }
        let next = lines.get(open);
        let Some(fence) = next.and_then(|line| Fence::open(line)) else {
            let found = next.map_or("the end of the file".into(), |line| {
                format!("{line:?}")
            });
            let why = format!(
                "`{name}` must be followed on the very next line by a fenced \
                 code block (```rust), found {found}"
            );
            self.report(BadFence, lesson, number, why);
            return open;
        };
        let Some(close) = self.closing_line(lesson, lines, open, fence) else {
            return lines.len();
        };
        let Ok(region) = region else {
            return close + 1;
        };
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
            self.report(BadFence, lesson, open + 1, why);
            return close + 1;
        }
        // The copy without the fence's indent, as CommonMark reads it.
        let copy: Vec<&str> = (lines[open + 1..close].iter())
            .map(|line| {
                let spaces = line.len() - line.trim_start_matches(' ').len();
                &line[spaces.min(fence.indent)..]
            })
            .collect();
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
        self.report(StaleCopy, lesson, open + 2 + diff, why);
        let indent = " ".repeat(fence.indent);
        let fixed = code.iter().map(|line| match *line {
            "" => String::new(),
            line => format!("{indent}{line}"),
        });
        fixes.push((open, close, fixed.collect()));
        close + 1
    }

    fn check_links(&mut self, lesson: &Path, number: usize, line: &str) {
        for target in link_targets(line) {
            let Some(path) = local_path(&target) else {
                continue;
            };
            // A leading `/` means the book's root, which is `lessons/`.
            let dir = lesson.parent().unwrap_or(&self.root);
            let path = normalize(&dir.join(path.trim_start_matches('/')));
            if !path.exists() {
                let missing = shown(&self.root, &path);
                let why = format!(
                    "broken link `{target}`: `{}` does not exist",
                    missing.display()
                );
                self.report(BrokenLink, lesson, number, why);
            }
        }
    }
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
    let body = line.trim().strip_prefix("<!--")?.trim_start();
    let inner = body
        .strip_prefix("include:")?
        .trim_end()
        .strip_suffix("-->");
    // The anchor follows the *last* colon, so a path may contain colons.
    let parts = inner.and_then(|inner| inner.trim().rsplit_once(':'));
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

/// The opening line of a fenced code block: three or more backticks or
/// tildes, possibly indented (in a list item, say).
#[derive(Clone, Copy)]
struct Fence {
    /// Spaces before the fence; CommonMark strips as many from the content.
    indent: usize,
    mark: char,
    len: usize,
}

impl Fence {
    fn open(line: &str) -> Option<Fence> {
        let rest = line.trim_start_matches(' ');
        let mark = rest.chars().next().filter(|c| *c == '`' || *c == '~')?;
        let info = rest.trim_start_matches(mark);
        let len = rest.len() - info.len();
        // "```a```" is inline code, not a fence: CommonMark forbids
        // backticks in the info string of a backtick fence.
        let inline_code = mark == '`' && info.contains('`');
        let indent = line.len() - rest.len();
        (len >= 3 && !inline_code).then_some(Fence { indent, mark, len })
    }

    /// A closing fence is only fence characters, at least as many as the
    /// opening: a ```` block may then contain ``` lines.
    fn closes(self, line: &str) -> bool {
        let line = line.trim();
        line.len() >= self.len && line.chars().all(|c| c == self.mark)
    }

    fn text(self) -> String {
        self.mark.to_string().repeat(self.len)
    }
}

/// The targets of the `[text](target)` links on a line, outside `code`.
fn link_targets(line: &str) -> Vec<String> {
    let prose = without_code_spans(line);
    let mut targets = Vec::new();
    let mut rest = prose.as_str();
    while let Some(start) = rest.find("](") {
        rest = &rest[start + 2..];
        // The `)` that closes the link, allowing `(...)` inside it.
        let mut depth = 0;
        let end = rest.find(|c| {
            depth += match c {
                '(' => 1,
                ')' => -1,
                _ => 0,
            };
            depth < 0
        });
        let Some(end) = end else {
            break;
        };
        targets.push(rest[..end].to_string());
        rest = &rest[end + 1..];
    }
    targets
}

/// The line without its `code spans`. As in CommonMark, a span opens with a
/// run of backticks and closes with a run of the same length; a run that
/// nothing closes is ordinary text.
fn without_code_spans(line: &str) -> String {
    let mut prose = String::new();
    let mut rest = line;
    while let Some(start) = rest.find('`') {
        prose.push_str(&rest[..start]);
        let after = rest[start..].trim_start_matches('`');
        let ticks = &rest[start..rest.len() - after.len()];
        let mut runs = after.match_indices(ticks).map(|(end, _)| end);
        let close = runs.find(|&end| {
            !after[..end].ends_with('`')
                && !after[end + ticks.len()..].starts_with('`')
        });
        rest = match close {
            Some(end) => &after[end + ticks.len()..],
            None => {
                prose.push_str(ticks);
                after
            }
        };
    }
    prose + rest
}

/// The file part of a link target, or `None` for links that do not point
/// at a local file: `#fragment`, `https://…`, `mailto:…` and other schemes.
fn local_path(target: &str) -> Option<&str> {
    let target = target.trim();
    let target = match target.strip_prefix('<') {
        Some(rest) => rest.split('>').next()?, // `[text](<path with spaces>)`
        None => target.split_whitespace().next()?, // `[text](path "title")`
    };
    let scheme = target.split_once(':').map_or("", |(scheme, _)| scheme);
    let scheme_char = |c: char| c.is_ascii_alphanumeric() || "+-.".contains(c);
    let has_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme.chars().all(scheme_char);
    if target.starts_with('#') || has_scheme {
        return None;
    }
    let path = target.split(['#', '?']).next()?;
    (!path.is_empty()).then_some(path)
}

/// The lesson with each stale copy replaced. Every other line, opening fences
/// included, is kept, and so are the line endings and the final newline (or
/// its absence).
fn blessed_text(text: &str, fixes: &[Fix]) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut blessed: Vec<&str> = Vec::new();
    let mut next = 0; // the first line not yet copied into `blessed`
    for (open, close, fixed) in fixes {
        blessed.extend(&lines[next..=*open]);
        blessed.extend(fixed.iter().map(String::as_str));
        next = *close;
    }
    blessed.extend(&lines[next..]);
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut blessed = blessed.join(newline);
    if text.ends_with('\n') {
        blessed.push_str(newline);
    }
    blessed
}

fn has_extension(path: &Path, extension: &str) -> bool {
    path.extension().is_some_and(|ext| ext == extension)
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
    let problems = if blessing { bless(root) } else { check(root) };
    assert!(problems.is_empty(), "{}", report(&problems, blessing));
}

fn report(problems: &[Problem], blessing: bool) -> String {
    let list: String = problems.iter().map(|p| format!("{p}\n")).collect();
    let advice = match blessing {
        true => "BLESS=1 refreshed the stale copies; the rest needs a human",
        false => &format!("for stale copies, {BLESS_HINT}"),
    };
    let count = problems.len();
    format!(
        "{count} problem(s) between lessons/ and the code:\n\n{list}\n{advice}"
    )
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
```rust
pub fn read_line(&self) -> String {
    let line = String::new();

    line
}
```

<!-- include: ../src/line.rs:new_line -->
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
    /// touch no other file, and leave all problems but the stale copies.
    blessed: Files,
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
    let longer =
        "<!-- include: ../src/a.rs:a -->\n````\nlet a = \"\n```\n\";\n````";
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
                ("lessons/01.md", &LESSON.replace("-->\n```", "-->\n\n```")),
                ("lessons/02.md", LESSON.strip_suffix("~~~\n").unwrap()),
                ("lessons/03.md", &LESSON.replace("\n```\n", "\n")),
                ("lessons/04.md", "Intro\n\n```text\n[hidden](gone.md)\n"),
                (
                    "lessons/05.md",
                    "<!-- include: ../src/line.rs:read_line -->",
                ),
                ("lessons/06.md", &refer(&["a"])),
            ]),
            problems: vec![
                (BadFence, "lessons/01.md", 3),
                (BadFence, "lessons/02.md", 13),
                (BadFence, "lessons/03.md", 4),
                (BadFence, "lessons/04.md", 3),
                (BadFence, "lessons/05.md", 1),
                (BadFence, "lessons/06.md", 2),
            ],
            mentions: vec![
                "must be followed on the very next line by a fenced code \
                 block (```rust), found \"\"",
                "lessons/02.md:13: this ~~~ code block is never closed",
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
                (StaleCopy, "lessons/01.md", 6),
                (StaleCopy, "lessons/01.md", 14),
                (StaleCopy, "lessons/02.md", 8),
                (StaleCopy, "lessons/03.md", 10),
                (StaleCopy, "lessons/04.md", 8),
                (BrokenReference, "lessons/04.md", 16),
                (StaleCopy, "lessons/05.md", 8),
                (StaleCopy, "lessons/06.md", 8),
                (StaleCopy, "lessons/07.md", 8),
                (OrphanAnchor, "src/a.rs", 2),
            ],
            mentions: vec![
                "lessons/01.md:6: copy of `../src/line.rs:read_line` differs \
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
        },
        Case {
            name: "orphaned anchors, in src/, bin/, mocks/ and benches/ only",
            files: files(&[
                ("src/line.rs", LINE_RS),
                ("lessons/01.md", LESSON),
                ("bin/tour.rs", orphan),
                ("mocks/src/deep/echo.rs", orphan),
                ("benches/echo.rs", orphan),
                ("mocks/target/debug/build/out.rs", orphan),
                ("src/.hidden/old.rs", orphan),
                ("tests/other.rs", orphan),
                ("src/notes.txt", orphan),
            ]),
            problems: vec![
                (OrphanAnchor, "benches/echo.rs", 2),
                (OrphanAnchor, "bin/tour.rs", 2),
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
        let (name, dir) = (case.name, tree(&case.files));
        let problems = check(dir.path());
        assert_eq!(found(&problems), case.problems, "{name}");
        let report = report(&problems, false);
        for text in case.mentions {
            assert!(report.contains(text), "{name}: no {text:?} in:\n{report}");
        }
        let mut unfixable = case.problems.clone();
        unfixable.retain(|problem| problem.0 != StaleCopy);
        assert_eq!(found(&bless(dir.path())), unfixable, "{name}, blessed");
        for (path, before) in &case.files {
            let path_in_tree = dir.path().join(path);
            let now = fs::read_to_string(&path_in_tree).unwrap();
            let modified = fs::metadata(&path_in_tree).unwrap().modified();
            match case.blessed.iter().find(|(blessed, _)| blessed == path) {
                Some((_, blessed)) => {
                    assert_eq!(&now, blessed, "{name}: {path}")
                }
                None => {
                    let untouched =
                        (&now, modified.unwrap()) == (before, LONG_AGO);
                    assert!(untouched, "{name}: BLESS=1 rewrote {path}");
                }
            }
        }
    }
}

#[test]
fn a_file_that_is_not_utf8_is_reported_as_unreadable() {
    let dir = tree(&files(&[("lessons/01.md", "")]));
    fs::write(dir.path().join("lessons/01.md"), [0xff, 0xfe]).unwrap();
    let problems = check(dir.path());
    assert_eq!(found(&problems), [(Unreadable, "lessons/01.md", 0)]);
    let report = report(&problems, false);
    assert!(report.contains("\nlessons/01.md: cannot read:"), "{report}");
}

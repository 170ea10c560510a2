//! A recording: what the Python originals of a chapter did in each of
//! its comparisons, kept as a text file beside the lessons
//! (`lessons/recordings/inet_01.txt`), so that a reader without Python
//! 2.7 can still compare the port with the original.
//!
//! ```text
//! # (a comment saying what the file is)
//! recording 1
//! chapter inet_01
//! original inet_01.py 951cde166c1a...
//! python 2.7.18
//!
//! == inet_01.py | resolve --dns-server MOCK
//! -- stdout
//! | ip[istia.univ-angers.fr]=192.0.2.10
//! -- stderr
//! -- exit status
//! | 0
//! ```
//!
//! The header names the chapter, and each original by its file name and
//! the SHA-256 of its bytes: the recording stands in for an original only
//! if the file has exactly those bytes ([`Recording::stands_for`]). Then
//! come the comparisons (`== TITLE`), each with its notes (`note TEXT`,
//! what was done to run the original) and channels (`-- NAME`), each line
//! of a channel after `| ` as the report shows it (every character
//! visible, so no editor can change a line without it showing). The
//! originals' text is not in it: only what they printed and sent.

use std::fmt::{self, Write as _};

use super::sha256::hex_digest;
use super::side::Side;

/// The version of the format, the first word after `recording`.
pub const VERSION: &str = "1";

/// What a recording file says about itself, in its first lines.
const ABOUT: &str = "\
# A recording made by `compare --record`: what the Python 2.7 original(s)
# named below did in each comparison of their chapter, under compare's
# mocks, as compare shows it. compare uses it when it finds no Python 2.7,
# if the original given has the SHA-256 below. Record again rather than
# edit it: `compare --record ORIGINALS` (needs Python 2.7).
";

/// A recording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recording {
    /// The chapter's key: `inet_01`, `inet_06_08`.
    pub chapter: String,
    /// Each original: its file name and the SHA-256 of its bytes.
    pub originals: Vec<(String, String)>,
    /// The Python that ran them: `2.7.18`.
    pub python: String,
    /// Each comparison's title, and the original's side of it.
    pub comparisons: Vec<(String, Side)>,
}

/// A recording that can't be read: where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordingError {
    /// The line, from 1 (0: the file as a whole).
    pub line: usize,
    /// What is wrong.
    pub why: String,
}

impl fmt::Display for RecordingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            0 => f.write_str(&self.why),
            n => write!(f, "line {n}: {}", self.why),
        }
    }
}

impl std::error::Error for RecordingError {}

/// Why a recording does not stand in for the originals given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The original that differs.
    pub name: String,
    /// The SHA-256 of the file given (`None`: the recording has no such
    /// original).
    pub given: Option<String>,
    /// The SHA-256 the recording has for it.
    pub recorded: Option<String>,
}

impl Recording {
    /// Whether the files `originals` (name, bytes) are the recorded
    /// originals, byte for byte: the same names, the same SHA-256.
    ///
    /// # Errors
    /// The first one that is not.
    pub fn stands_for(
        &self,
        originals: &[(&str, &[u8])],
    ) -> Result<(), Mismatch> {
        for (name, bytes) in originals {
            let recorded = self.hash_of(name);
            let given = hex_digest(bytes);
            if recorded != Some(given.as_str()) {
                return Err(Mismatch {
                    name: name.to_string(),
                    given: Some(given),
                    recorded: recorded.map(str::to_owned),
                });
            }
        }
        let unmatched = self
            .originals
            .iter()
            .find(|(name, _)| !originals.iter().any(|(n, _)| n == name));
        match unmatched {
            Some((name, hash)) => Err(Mismatch {
                name: name.clone(),
                given: None,
                recorded: Some(hash.clone()),
            }),
            None => Ok(()),
        }
    }

    /// The recorded SHA-256 of the original `name`.
    pub fn hash_of(&self, name: &str) -> Option<&str> {
        self.originals
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, hash)| hash.as_str())
    }

    /// The original's side of the comparison `title`.
    pub fn side(&self, title: &str) -> Option<&Side> {
        self.comparisons
            .iter()
            .find(|(t, _)| t == title)
            .map(|(_, side)| side)
    }

    /// The recording as the text of its file.
    pub fn to_text(&self) -> String {
        let mut text = String::from(ABOUT);
        let _ = writeln!(text, "recording {VERSION}");
        let _ = writeln!(text, "chapter {}", self.chapter);
        for (name, hash) in &self.originals {
            let _ = writeln!(text, "original {name} {hash}");
        }
        let _ = writeln!(text, "python {}", self.python);
        for (title, side) in &self.comparisons {
            let _ = writeln!(text, "\n== {title}");
            for note in &side.notes {
                let _ = writeln!(text, "note {note}");
            }
            for (name, lines) in &side.channels {
                let _ = writeln!(text, "-- {name}");
                for line in lines {
                    let _ = writeln!(text, "| {line}");
                }
            }
        }
        text
    }

    /// Reads a recording from the text of its file.
    ///
    /// # Errors
    /// [`RecordingError`] for a line it does not expect, or a header
    /// that lacks its chapter, an original or the Python version.
    pub fn parse(text: &str) -> Result<Recording, RecordingError> {
        let mut parser = Parser::default();
        for (i, line) in text.lines().enumerate() {
            parser
                .line(line)
                .map_err(|why| RecordingError { line: i + 1, why })?;
        }
        parser.finish()
    }

    /// Whether `text` looks like a recording (its first line that is not
    /// a comment or blank says `recording`): how a file given on the
    /// command line is told from an original.
    pub fn looks_like(text: &str) -> bool {
        text.lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'))
            .is_some_and(|l| l.starts_with("recording "))
    }
}

/// A recording being read, a line at a time.
#[derive(Debug, Default)]
struct Parser {
    version: Option<String>,
    chapter: Option<String>,
    originals: Vec<(String, String)>,
    python: Option<String>,
    comparisons: Vec<(String, Side)>,
}

impl Parser {
    fn line(&mut self, line: &str) -> Result<(), String> {
        if let Some(text) = line.strip_prefix("| ").or(line.strip_prefix('|')) {
            return self.channel_line(text);
        }
        if line.trim().is_empty() || line.starts_with('#') {
            return Ok(());
        }
        let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
        match (word, self.comparisons.last_mut()) {
            ("==", _) => self.comparisons.push((rest.to_owned(), Side::new())),
            ("--", Some((_, side))) => {
                *side = std::mem::take(side).channel(rest, Vec::new());
            }
            ("note", Some((_, side))) => side.notes.push(rest.to_owned()),
            ("recording", None) => self.version = Some(rest.to_owned()),
            ("chapter", None) => self.chapter = Some(rest.to_owned()),
            ("python", None) => self.python = Some(rest.to_owned()),
            ("original", None) => {
                let (name, hash) = rest
                    .split_once(' ')
                    .ok_or("`original` wants a file name and its SHA-256")?;
                self.originals.push((name.to_owned(), hash.to_owned()));
            }
            _ => return Err(format!("unexpected line {line:?}")),
        }
        Ok(())
    }

    /// Adds `text` to the last channel of the last comparison.
    fn channel_line(&mut self, text: &str) -> Result<(), String> {
        let last = self.comparisons.last_mut();
        match last.and_then(|(_, side)| side.channels.last_mut()) {
            Some((_, lines)) => {
                lines.push(text.to_owned());
                Ok(())
            }
            None => Err("a line `| ...` before any `-- CHANNEL`".into()),
        }
    }

    fn finish(self) -> Result<Recording, RecordingError> {
        let missing = |what: &str| RecordingError {
            line: 0,
            why: format!("the recording has no `{what}` line"),
        };
        match self.version.as_deref() {
            Some(VERSION) => {}
            Some(other) => {
                return Err(RecordingError {
                    line: 0,
                    why: format!(
                        "a recording of version {other}; this compare reads \
                         version {VERSION}"
                    ),
                });
            }
            None => return Err(missing("recording")),
        }
        if self.originals.is_empty() {
            return Err(missing("original"));
        }
        Ok(Recording {
            chapter: self.chapter.ok_or_else(|| missing("chapter"))?,
            originals: self.originals,
            python: self.python.ok_or_else(|| missing("python"))?,
            comparisons: self.comparisons,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::testing::strings;

    fn sample() -> Recording {
        let mut side = Side::new()
            .channel("stdout", strings(&["ip[]=0.0.0.0", "| a bar", ""]))
            .channel("stderr", vec![])
            .channel("exit status", strings(&["0"]));
        side.notes.push("read as utf-8".into());
        Recording {
            chapter: "inet_01".into(),
            originals: vec![("inet_01.py".into(), hex_digest(b"print 1\n"))],
            python: "2.7.18".into(),
            comparisons: vec![("inet_01.py | resolve".into(), side)],
        }
    }

    #[test]
    fn a_recording_reads_back_as_it_was_written() {
        let recording = sample();
        let text = recording.to_text();
        assert!(Recording::looks_like(&text));
        assert!(!Recording::looks_like("import sys\n"));
        assert_eq!(Recording::parse(&text), Ok(recording));
        assert!(
            text.contains("\n== inet_01.py | resolve\nnote read as utf-8\n")
        );
        assert!(text.contains("-- stdout\n| ip[]=0.0.0.0\n| | a bar\n| \n"));
    }

    #[test]
    fn it_stands_for_the_same_bytes_only() {
        let recording = sample();
        assert_eq!(
            recording.stands_for(&[("inet_01.py", b"print 1\n")]),
            Ok(())
        );
        let edited = recording.stands_for(&[("inet_01.py", b"print 2\n")]);
        let mismatch = edited.unwrap_err();
        assert_eq!(mismatch.name, "inet_01.py");
        assert_eq!(
            mismatch.given.as_deref(),
            Some(hex_digest(b"print 2\n").as_str())
        );
        let other = recording.stands_for(&[("inet_02.py", b"print 1\n")]);
        assert_eq!(other.unwrap_err().recorded, None);
        // Every recorded original must be given.
        let none = recording.stands_for(&[]);
        assert_eq!(none.unwrap_err().given, None);
    }

    #[test]
    fn a_bad_recording_says_where() {
        let e = Recording::parse("recording 1\n| stray\n").unwrap_err();
        assert_eq!(e.line, 2);
        let e = Recording::parse("recording 1\nwhat is this\n").unwrap_err();
        assert!(e.why.contains("unexpected line"), "{e}");
        let e = Recording::parse("recording 9\nchapter x\n").unwrap_err();
        assert!(e.why.contains("version 9"), "{e}");
        let e = Recording::parse("recording 1\nchapter x\npython 2.7\n");
        assert!(e.unwrap_err().why.contains("`original`"));
    }
}

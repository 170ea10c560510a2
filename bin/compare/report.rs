//! The report: each channel's two columns side by side, a mark on each
//! line where they differ, the reasons, and a summary.
//!
//! ```text
//! -- stdout --
//!      Python original                | Rust port
//!      ip[localhost]=127.0.0.1        | ip[localhost]=127.0.0.1
//! =5   ip[]=0.0.0.0                   | ip[]=empty host name
//! !!   oops                           |
//! ```
//!
//! A blank mark: the same line. `=N`: a documented difference, explained
//! by row N of the lesson's table (the footnote `[N] What: Why`; a hunk
//! that several rows explain gets them all, `=5,6`). `!!`: a difference
//! no row explains. Lines are never cut: a Python line too long for its
//! column is shown on a line of its own, its Rust line on the next.

use std::collections::BTreeSet;
use std::io::{self, Write};

use super::Comparison;
use super::chapters::Chapter;
use super::diff::{Piece, diff};
use super::table::Row;

/// The widest the Python column gets; longer lines get a line of their
/// own.
pub const MAX_COLUMN: usize = 40;

/// What the report found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// How many hunks, in every channel of every comparison.
    pub differences: usize,
    /// How many of them no row documents.
    pub undocumented: usize,
    /// The numbers of the rows that documented some hunk.
    pub seen: BTreeSet<usize>,
}

/// The numbers of the rows that document the hunk, in table order.
pub fn reasons(rows: &[Row], python: &[String], rust: &[String]) -> Vec<usize> {
    rows.iter()
        .filter(|row| row.documents(python, rust))
        .map(|row| row.number)
        .collect()
}

/// The mark of a hunk's lines: `=N[,M...]`, or `!!`.
pub fn mark(reasons: &[usize]) -> String {
    if reasons.is_empty() {
        return "!!".into();
    }
    let numbers: Vec<String> = reasons.iter().map(usize::to_string).collect();
    format!("={}", numbers.join(","))
}

/// Writes the report of `comparisons` to `out`, marking hunks with the
/// `rows` of `chapter`'s table, and returns what it found.
///
/// # Errors
/// Only when `out` fails.
pub fn write(
    out: &mut impl Write,
    chapter: &Chapter,
    comparisons: &[Comparison],
    rows: &[Row],
) -> io::Result<Summary> {
    let mut summary = Summary::default();
    writeln!(out, "compare: {}", chapter.title)?;
    for comparison in comparisons {
        writeln!(out, "\n== {} ==", comparison.title)?;
        for name in channel_names(comparison) {
            let python = comparison.python.lines(&name);
            let rust = comparison.rust.lines(&name);
            channel(out, &name, &diff(python, rust), rows, &mut summary)?;
        }
    }
    footer(out, chapter, rows, &summary)?;
    Ok(summary)
}

/// The channels of both sides: the Python side's order, then any only
/// the Rust side has.
fn channel_names(comparison: &Comparison) -> Vec<String> {
    let mut names: Vec<String> = comparison
        .python
        .channels
        .iter()
        .map(|(n, _)| n.clone())
        .collect();
    for (name, _) in &comparison.rust.channels {
        if !names.contains(name) {
            names.push(name.clone());
        }
    }
    names
}

/// One channel: its heading, then each line with its mark.
fn channel(
    out: &mut impl Write,
    name: &str,
    pieces: &[Piece],
    rows: &[Row],
    summary: &mut Summary,
) -> io::Result<()> {
    if pieces.is_empty() {
        return writeln!(out, "-- {name}: empty on both sides --");
    }
    writeln!(out, "-- {name} --")?;
    // The width of the Python column: its longest line, up to MAX_COLUMN.
    let python_lines = pieces.iter().flat_map(|piece| match piece {
        Piece::Same(line) => std::slice::from_ref(line),
        Piece::Hunk { python, .. } => python.as_slice(),
    });
    let width = python_lines
        .map(|l| l.chars().count())
        .filter(|&w| w <= MAX_COLUMN)
        .chain([PYTHON_HEADING.len()])
        .max()
        .unwrap_or(0);
    // Each hunk's reasons and mark, found once, and the mark column as
    // wide as the widest mark (at least 4), so every line of the channel
    // stays in line.
    let hunks: Vec<(Vec<usize>, String)> = pieces
        .iter()
        .filter_map(|piece| match piece {
            Piece::Same(_) => None,
            Piece::Hunk { python, rust } => {
                let found = reasons(rows, python, rust);
                let mark = mark(&found);
                Some((found, mark))
            }
        })
        .collect();
    let mark_width = hunks.iter().map(|(_, m)| m.len()).chain([4]).max();
    let lines = Lines {
        mark_width: mark_width.unwrap_or(4),
        width,
    };
    lines.row(out, "", PYTHON_HEADING, RUST_HEADING)?;
    let mut hunks = hunks.into_iter();
    for piece in pieces {
        match piece {
            Piece::Same(line) => lines.row(out, "", line, line)?,
            Piece::Hunk { python, rust } => {
                let (found, mark) = hunks.next().expect("one per hunk");
                summary.differences += 1;
                if found.is_empty() {
                    summary.undocumented += 1;
                }
                summary.seen.extend(&found);
                for i in 0..python.len().max(rust.len()) {
                    let p = python.get(i).map_or("", String::as_str);
                    let r = rust.get(i).map_or("", String::as_str);
                    lines.row(out, &mark, p, r)?;
                }
            }
        }
    }
    Ok(())
}

const PYTHON_HEADING: &str = "Python original";
const RUST_HEADING: &str = "Rust port";

/// Writes rows of three columns: mark, Python, Rust.
struct Lines {
    /// The mark column's width: the channel's widest mark, at least 4.
    mark_width: usize,
    /// The Python column's width.
    width: usize,
}

impl Lines {
    fn row(
        &self,
        out: &mut impl Write,
        mark: &str,
        python: &str,
        rust: &str,
    ) -> io::Result<()> {
        let (m, width) = (self.mark_width, self.width);
        let line = if python.chars().count() > width && rust.is_empty() {
            format!("{mark:<m$} {python}")
        } else if python.chars().count() > width {
            // Too long for its column: whole, on its own line.
            format!("{mark:<m$} {python}\n{mark:<m$} {:width$} | {rust}", "")
        } else {
            format!("{mark:<m$} {python:width$} | {rust}")
        };
        writeln!(out, "{}", line.trim_end())
    }
}

/// The reasons of the hunks seen, the summary line, then the rows no
/// hunk matched.
fn footer(
    out: &mut impl Write,
    chapter: &Chapter,
    rows: &[Row],
    summary: &Summary,
) -> io::Result<()> {
    let in_table = format!(
        "{}, \"Differences from the Python original\"",
        chapter.lesson_path
    );
    if !summary.seen.is_empty() {
        writeln!(out, "\nWhy (from {in_table}):")?;
        for row in rows.iter().filter(|r| summary.seen.contains(&r.number)) {
            writeln!(out, "[{}] {}: {}", row.number, row.what, row.why)?;
        }
    }
    let (k, u) = (summary.differences, summary.undocumented);
    let plural = if k == 1 { "difference" } else { "differences" };
    writeln!(out)?;
    match (k, u) {
        (0, _) => writeln!(out, "no differences")?,
        (_, 0) => writeln!(out, "{k} {plural}, all documented")?,
        _ => writeln!(out, "{k} {plural}, {u} undocumented (marked !!)")?,
    }
    let unseen: Vec<&Row> = rows
        .iter()
        .filter(|r| !summary.seen.contains(&r.number))
        .collect();
    if !unseen.is_empty() {
        writeln!(out, "documented but not seen in this run:")?;
        for row in unseen {
            writeln!(out, "[{}] {}", row.number, row.what)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Side;

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    fn row(number: usize, python: &[&str], rust: &[&str]) -> Row {
        Row {
            number,
            what: format!("What {number}"),
            why: format!("Why {number}"),
            python: strings(python),
            rust: strings(rust),
        }
    }

    const CHAPTER: Chapter = Chapter {
        title: "test",
        lesson_path: "lessons/test.md",
        lesson: "",
        scenario: |_| Ok(vec![]),
    };

    fn report(python: Side, rust: Side, rows: &[Row]) -> (String, Summary) {
        let comparison = Comparison {
            title: "t".into(),
            python,
            rust,
        };
        let mut out = Vec::new();
        let summary = write(&mut out, &CHAPTER, &[comparison], rows).unwrap();
        (String::from_utf8(out).unwrap(), summary)
    }

    #[test]
    fn marks_name_every_matching_row_or_say_undocumented() {
        assert_eq!(mark(&[]), "!!");
        assert_eq!(mark(&[3]), "=3");
        assert_eq!(mark(&[3, 5]), "=3,5");
        let rows = [
            row(1, &["a"], &[]),
            row(2, &["zz"], &[]),
            row(3, &[], &["b"]),
        ];
        assert_eq!(reasons(&rows, &strings(&["a"]), &strings(&["b"])), [1, 3]);
    }

    #[test]
    fn a_documented_hunk_is_marked_and_explained() {
        let python = Side::new().channel("stdout", strings(&["same", "py"]));
        let rust = Side::new().channel("stdout", strings(&["same", "rs"]));
        let rows = [row(1, &["py"], &["rs"]), row(2, &["never"], &[])];
        let (text, summary) = report(python, rust, &rows);
        assert_eq!(summary.differences, 1);
        assert_eq!(summary.undocumented, 0);
        assert!(text.contains("=1   py              | rs\n"), "{text}");
        assert!(text.contains("\n[1] What 1: Why 1\n"), "{text}");
        assert!(text.contains("1 difference, all documented\n"), "{text}");
        assert!(
            text.contains("documented but not seen in this run:\n[2] What 2\n"),
            "{text}"
        );
    }

    #[test]
    fn a_hunk_on_one_side_only_and_a_channel_only_one_side_has() {
        let python = Side::new().channel("stdout", strings(&["a", "extra"]));
        let rust = Side::new()
            .channel("stdout", strings(&["a"]))
            .channel("server received", strings(&["HELO"]));
        let (text, summary) = report(python, rust, &[]);
        assert_eq!((summary.differences, summary.undocumented), (2, 2));
        assert!(text.contains("!!   extra           |\n"), "{text}");
        assert!(text.contains("-- server received --\n"), "{text}");
        assert!(text.contains("!!                   | HELO\n"), "{text}");
        assert!(
            text.contains("2 differences, 2 undocumented (marked !!)"),
            "{text}"
        );
    }

    #[test]
    fn empty_channels_and_no_difference() {
        let side = Side::new().channel("stderr", vec![]);
        let (text, summary) = report(side.clone(), side, &[]);
        assert_eq!(summary, Summary::default());
        assert!(text.contains("-- stderr: empty on both sides --"), "{text}");
        assert!(text.ends_with("no differences\n"), "{text}");
    }

    #[test]
    fn long_lines_are_shown_whole() {
        let long = "x".repeat(MAX_COLUMN + 10);
        let python = Side::new().channel("stdout", vec![long.clone()]);
        let rust = Side::new().channel("stdout", strings(&["short"]));
        let (text, _) = report(python, rust, &[]);
        assert!(
            text.contains(&format!("!!   {long}\n!!   {:15} | short\n", "")),
            "{text}"
        );
    }

    #[test]
    fn a_wide_mark_widens_the_mark_column_of_its_channel() {
        let python = Side::new().channel("stdout", strings(&["same", "py"]));
        let rust = Side::new().channel("stdout", strings(&["same", "rs"]));
        let rows = [
            row(1, &["py"], &[]),
            row(2, &["py"], &[]),
            row(3, &[], &["rs"]),
        ];
        let (text, _) = report(python, rust, &rows);
        // `=1,2,3` is 6 wide: every line of the channel, the heading and
        // the same lines too, starts its Python column at the 8th.
        assert!(
            text.contains("\n       Python original | Rust port\n"),
            "{text}"
        );
        assert!(text.contains("\n       same            | same\n"), "{text}");
        assert!(text.contains("\n=1,2,3 py              | rs\n"), "{text}");
    }

    #[test]
    fn escaped_non_utf8_lines_are_compared_as_text() {
        let bytes = crate::python::lines_of(b"caf\xe9\n");
        let python = Side::new().channel("stdout", bytes);
        let rust = Side::new().channel("stdout", strings(&["café"]));
        let (text, summary) =
            report(python, rust, &[row(1, &["caf\\xe9"], &["café"])]);
        assert_eq!(summary.undocumented, 0, "{text}");
        assert!(text.contains("=1   caf\\xe9"), "{text}");
    }
}

//! The report: for each comparison, each channel's lines in the order of
//! a diff, a mark on each line where the programs differ, then the
//! reasons and a summary. At most [`WIDTH`] columns, so that it fits a
//! laptop's screen and a lesson's page.
//!
//! ```text
//! -- stdout --
//!       ip[localhost]=127.0.0.1
//! =2 py ip[]=0.0.0.0
//! !! py oops
//! =2 rs ip[]=empty host name
//! ```
//!
//! A line both programs printed is shown once, unmarked. Where they
//! differ, the original's lines (`py`) come first, then the port's
//! (`rs`), as a diff shows a change; each is marked `=N` with the rows of
//! the lesson's table that explain it ([`super::judge`]), or `!!` when no
//! row does. A line too long for the page goes on in the next, after a
//! `+`, cut before a space near the end of the page if there is one (the
//! space starts the next piece), else where the page ends: the pieces
//! put together are the line.

use std::io::{self, Write};

use super::judge::{Judged, Line, Summary, summary};
use super::mutants::Strictness;
use super::table::Row;

/// The widest line of a report.
pub const WIDTH: usize = 100;

/// How to read a report: the legend at its top, once.
pub const LEGEND: &str = concat!(
    "How to read it: each channel shows the lines of both programs in order. ",
    "A line both printed is shown once; where they differ, the Python ",
    "original's lines (py) come first, then the Rust port's (rs), each marked ",
    "with the rows of the table in LESSON that explain it (=N), or !! when no ",
    "row does. Lines are shown as text, with nothing hidden: \\r is a ",
    "carriage return, \\t a tab, \\\\ a backslash, \\xNN a byte that is not ",
    "UTF-8 text or a space that ends a line; [empty line] is an empty line, ",
    "and [no newline at end] ends a last line that has none. A line too ",
    "long for the page goes on in the next, after a +.",
);

/// What a report shows, besides the judged comparisons.
#[derive(Debug, Clone)]
pub struct Report<'a> {
    /// Its first lines: what was compared, and how the original's side
    /// was obtained (run, or recorded).
    pub heading: Vec<String>,
    /// The lesson whose table explains the differences:
    /// `lessons/01-names.md`.
    pub lesson_path: &'a str,
    /// What was done to an original so that it runs at all.
    pub notes: Vec<String>,
    /// The table's rows.
    pub rows: &'a [Row],
}

/// Writes the report of `judged` to `out`, and returns what it found.
///
/// # Errors
/// Only when `out` fails.
pub fn write(
    out: &mut impl Write,
    report: &Report<'_>,
    judged: &[Judged],
) -> io::Result<Summary> {
    for line in &report.heading {
        prose(out, line, 0)?;
    }
    prose(out, &LEGEND.replace("LESSON", report.lesson_path), 0)?;
    for note in &report.notes {
        prose(out, &format!("Adapted to run: {note}"), 0)?;
    }
    for comparison in judged {
        writeln!(out, "\n== {} ==", comparison.title)?;
        if let Some(why) = &comparison.skipped {
            prose(out, &format!("(not run: {why})"), 0)?;
        }
        for channel in &comparison.channels {
            channel_lines(out, &channel.name, &channel.lines)?;
        }
    }
    let summary = summary(judged);
    footer(out, report, &summary)?;
    Ok(summary)
}

/// Writes the verdict of `--check-table` after the report: an empty
/// line, then each line of [`Strictness::verdict`] wrapped as prose.
///
/// # Errors
/// Only when `out` fails.
pub fn strictness(out: &mut impl Write, strict: &Strictness) -> io::Result<()> {
    writeln!(out)?;
    for line in strict.verdict().lines() {
        prose(out, line, 4)?;
    }
    Ok(())
}

/// One channel: its heading, then each line with its mark.
fn channel_lines(
    out: &mut impl Write,
    name: &str,
    lines: &[Line],
) -> io::Result<()> {
    if lines.is_empty() {
        return writeln!(out, "-- {name}: empty on both sides --");
    }
    writeln!(out, "-- {name} --")?;
    let marked: Vec<(String, &str, &str)> = lines
        .iter()
        .map(|line| match line {
            Line::Same(text) => (String::new(), "", text.as_str()),
            Line::Differs { who, text, rows } => {
                (mark(rows), who.tag(), text.as_str())
            }
        })
        .collect();
    // As wide as the channel's widest mark, so its lines stay in line.
    let width = marked.iter().map(|(m, _, _)| m.len()).max().unwrap_or(0);
    let width = width.max(2);
    for (mark, tag, text) in &marked {
        for shown in pieces(mark, width, tag, text) {
            writeln!(out, "{shown}")?;
        }
    }
    Ok(())
}

/// The mark of a differing line: `=N[,M...]` for the rows that explain
/// it, or `!!` when none does.
pub fn mark(rows: &[usize]) -> String {
    if rows.is_empty() {
        return "!!".into();
    }
    let numbers: Vec<String> = rows.iter().map(usize::to_string).collect();
    format!("={}", numbers.join(","))
}

/// `text` as the report's lines: the mark, the tag (`py`, `rs`, or none),
/// then the text, cut to fit [`WIDTH`]; each further piece tagged with a
/// `+`.
fn pieces(mark: &str, width: usize, tag: &str, text: &str) -> Vec<String> {
    let room = WIDTH - width - 5; // the mark, a space, the tag, a space
    let chars: Vec<char> = text.chars().collect();
    let mut shown = Vec::new();
    let mut start = 0;
    loop {
        let mut end = (start + room).min(chars.len());
        // Cut before a space near the end of the page, if there is one,
        // so that words stay whole; the space starts the next piece.
        if end < chars.len()
            && let Some(space) =
                (start + room / 2..end).rev().find(|&i| chars[i] == ' ')
        {
            end = space;
        }
        // A piece must not end with a space: it would look like none.
        while end < chars.len() && end > start + 1 && chars[end - 1] == ' ' {
            end -= 1;
        }
        let piece: String = chars[start..end].iter().collect();
        let tag = match start {
            0 => tag.to_owned(),
            _ => format!("{tag}+"),
        };
        let line = format!("{mark:<width$} {tag:<3} {piece}");
        shown.push(line.trim_end().to_owned());
        if end >= chars.len() {
            return shown;
        }
        start = end;
    }
}

/// Writes `text` as lines of at most [`WIDTH`] columns, cut between
/// words; lines after the first are indented by `indent`.
fn prose(out: &mut impl Write, text: &str, indent: usize) -> io::Result<()> {
    for line in wrap(text, indent) {
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// `text` cut between words into lines of at most [`WIDTH`] columns (a
/// word longer than that stands alone), the lines after the first
/// indented by `indent` spaces.
fn wrap(text: &str, indent: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let used = line.chars().count();
        if used > 0 && used + 1 + word.chars().count() > WIDTH {
            lines.push(std::mem::take(&mut line));
        }
        if line.is_empty() {
            if !lines.is_empty() {
                line.push_str(&" ".repeat(indent));
            }
        } else {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// The reasons of the rows seen, the summary line, then the rows no line
/// matched.
fn footer(
    out: &mut impl Write,
    report: &Report<'_>,
    summary: &Summary,
) -> io::Result<()> {
    let in_table = format!(
        "{}, \"Differences from the Python original\"",
        report.lesson_path
    );
    if !summary.seen.is_empty() {
        writeln!(out, "\nWhy (from {in_table}):")?;
        let seen = report
            .rows
            .iter()
            .filter(|r| summary.seen.contains(&r.number));
        for row in seen {
            prose(
                out,
                &format!("[{}] {}: {}", row.number, row.what, row.why),
                4,
            )?;
        }
    }
    writeln!(out)?;
    writeln!(out, "{}", verdict(summary))?;
    let unseen: Vec<&Row> = report
        .rows
        .iter()
        .filter(|r| !summary.seen.contains(&r.number))
        .collect();
    if !unseen.is_empty() {
        writeln!(out, "documented but not seen in this run:")?;
        for row in unseen {
            prose(out, &format!("[{}] {}", row.number, row.what), 4)?;
        }
    }
    Ok(())
}

/// The summary line: `no differences`, `N differing lines, all
/// documented`, or how many are not.
pub fn verdict(summary: &Summary) -> String {
    let (k, u) = (summary.differing, summary.undocumented);
    let lines = if k == 1 {
        "differing line"
    } else {
        "differing lines"
    };
    match (k, u) {
        (0, _) => "no differences".into(),
        (_, 0) => format!("{k} {lines}, all documented"),
        _ => format!("{k} {lines}, {u} undocumented (marked !!)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judge::judge;
    use crate::side::Side;
    use crate::table::testing::{comparison_of, row, strings};

    fn report(python: Side, rust: Side, rows: &[Row]) -> (String, Summary) {
        let judged = judge(&[comparison_of(python, rust)], rows);
        let report = Report {
            heading: vec!["compare: test".into()],
            lesson_path: "lessons/test.md",
            notes: vec![],
            rows,
        };
        let mut out = Vec::new();
        let summary = write(&mut out, &report, &judged).unwrap();
        (String::from_utf8(out).unwrap(), summary)
    }

    #[test]
    fn marks_name_every_row_or_say_undocumented() {
        assert_eq!(mark(&[]), "!!");
        assert_eq!(mark(&[3]), "=3");
        assert_eq!(mark(&[3, 5]), "=3,5");
    }

    #[test]
    fn a_documented_line_is_marked_and_explained() {
        let python = Side::new().channel("stdout", strings(&["same", "py"]));
        let rust = Side::new().channel("stdout", strings(&["same", "rs"]));
        let rows = [row(1, &["py"], &["rs"]), row(2, &["never"], &[])];
        let (text, summary) = report(python, rust, &rows);
        assert_eq!((summary.differing, summary.undocumented), (2, 0));
        assert!(
            text.contains("-- stdout --\n       same\n=1 py  py\n=1 rs  rs\n"),
            "{text}"
        );
        assert!(text.contains("\n[1] What 1: Why 1\n"), "{text}");
        assert!(
            text.contains("2 differing lines, all documented\n"),
            "{text}"
        );
        assert!(
            text.contains("documented but not seen in this run:\n[2] What 2\n"),
            "{text}"
        );
        assert!(text.contains("table in lessons/test.md"), "{text}");
    }

    #[test]
    fn a_line_on_one_side_only_and_a_channel_only_one_side_has() {
        let python = Side::new().channel("stdout", strings(&["a", "extra"]));
        let rust = Side::new()
            .channel("stdout", strings(&["a"]))
            .channel("server received", strings(&["HELO"]));
        let (text, summary) = report(python, rust, &[]);
        assert_eq!((summary.differing, summary.undocumented), (2, 2));
        assert!(text.contains("!! py  extra\n"), "{text}");
        assert!(
            text.contains("-- server received --\n!! rs  HELO\n"),
            "{text}"
        );
        assert!(
            text.contains("2 differing lines, 2 undocumented (marked !!)"),
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
    fn no_line_is_wider_than_the_page_and_long_ones_go_on() {
        let long = format!("{}  {}", "x".repeat(92), "y".repeat(150));
        let python = Side::new().channel("stdout", vec![long.clone()]);
        let (text, _) = report(python, Side::new(), &[]);
        assert!(text.lines().all(|l| l.chars().count() <= WIDTH), "{text}");
        // The pieces, put together, are the line: nothing lost, not the
        // two spaces either.
        let pieces: String = text
            .lines()
            .filter(|l| l.starts_with("!! py"))
            .map(|l| &l[7..])
            .collect();
        assert_eq!(pieces, long, "{text}");
        assert!(text.contains("\n!! py+ "), "{text}");
    }

    #[test]
    fn a_wide_mark_widens_the_mark_column_of_its_channel() {
        let python = Side::new().channel("stdout", strings(&["same", "py"]));
        let rust = Side::new().channel("stdout", strings(&["same"]));
        let rows = [row(1, &["py"], &[]), row(12, &["py"], &[])];
        let (text, _) = report(python, rust, &rows);
        assert!(text.contains("\n          same\n=1,12 py  py\n"), "{text}");
    }

    #[test]
    fn prose_is_wrapped_between_words() {
        let text = "word ".repeat(50);
        let lines = wrap(&text, 4);
        assert!(lines.iter().all(|l| l.len() <= WIDTH));
        assert!(lines[1].starts_with("    word"));
        assert_eq!(wrap("", 0), [""]);
    }
}

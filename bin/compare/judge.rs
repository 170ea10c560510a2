//! Which row of the lesson's table explains which differing line.
//!
//! Each channel of a comparison is diffed ([`diff`]): the lines both
//! programs printed, in order, and the lines only one of them did, the
//! *differing lines*. Each differing line must be explained by a row of
//! the table ([`table`](super::table)), under one rule:
//!
//! > A row explains a differing line when the row is about its channel
//! > (the row's Where cell), the line is one of the row's lines for the
//! > program that printed it, word for word, and, in the same
//! > comparison, every program the row gives lines for printed at least
//! > one of them among its differing lines.
//!
//! The last clause makes a row a pair: "where the original prints these,
//! the port prints those". Without it, a port that stopped printing its
//! half would leave the original's half explained, and its silence
//! unseen. A line no row explains is undocumented.

use std::collections::BTreeSet;

use super::diff::{Piece, diff};
use super::side::Comparison;
use super::table::{Row, Who};

/// One line of a channel, as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// A line both programs printed here.
    Same(String),
    /// A line only `who` printed here, and the rows that explain it
    /// (none: undocumented).
    Differs {
        /// The program that printed it.
        who: Who,
        /// The line.
        text: String,
        /// The numbers of the rows that explain it, in table order.
        rows: Vec<usize>,
    },
}

/// A channel of a comparison, judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Channel {
    /// Its name: `stdout`, `server received`...
    pub name: String,
    /// Its lines in order: in each run of differing lines, the
    /// original's first, then the port's.
    pub lines: Vec<Line>,
}

/// A comparison, judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judged {
    /// Its title.
    pub title: String,
    /// Why it was not run, if it was not.
    pub skipped: Option<String>,
    /// Its channels, in the order shown.
    pub channels: Vec<Channel>,
}

/// What the judging found, over every comparison of a chapter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// How many differing lines.
    pub differing: usize,
    /// How many of them no row explains.
    pub undocumented: usize,
    /// The numbers of the rows that explained some line.
    pub seen: BTreeSet<usize>,
}

/// Judges every channel of every comparison by `rows`.
pub fn judge(comparisons: &[Comparison], rows: &[Row]) -> Vec<Judged> {
    comparisons
        .iter()
        .map(|comparison| one(comparison, rows))
        .collect()
}

/// Judges one comparison: the diff of each channel, then the rule of
/// the module doc.
fn one(comparison: &Comparison, table: &[Row]) -> Judged {
    let mut channels: Vec<Channel> = comparison
        .channel_names()
        .into_iter()
        .map(|name| {
            let python = comparison.python.lines(&name);
            let rust = comparison.rust.lines(&name);
            Channel {
                lines: lines(python, rust),
                name,
            }
        })
        .collect();
    // Each differing line's rows about its channel with it among their
    // lines, as places in `table` until the rule's last clause is
    // applied; and which row printed a line of which program.
    let mut printed: BTreeSet<(usize, Who)> = BTreeSet::new();
    for channel in &mut channels {
        for line in &mut channel.lines {
            if let Line::Differs { who, text, rows } = line {
                *rows = (0..table.len())
                    .filter(|&r| table[r].is_about(&channel.name))
                    .filter(|&r| table[r].has_line(*who, text))
                    .collect();
                printed.extend(rows.iter().map(|&r| (r, *who)));
            }
        }
    }
    let kept = |r: usize| {
        Who::BOTH.iter().all(|&who| {
            table[r].lines(who).is_empty() || printed.contains(&(r, who))
        })
    };
    for line in channels.iter_mut().flat_map(|c| &mut c.lines) {
        if let Line::Differs { rows, .. } = line {
            *rows = rows
                .iter()
                .filter(|&&r| kept(r))
                .map(|&r| table[r].number)
                .collect();
        }
    }
    Judged {
        title: comparison.title.clone(),
        skipped: comparison.skipped.clone(),
        channels,
    }
}

/// A channel's lines in the order of their diff: in each run of
/// differing lines, the original's first, then the port's, not yet
/// explained.
fn lines(python: &[String], rust: &[String]) -> Vec<Line> {
    let mut lines = Vec::new();
    for piece in diff(python, rust) {
        match piece {
            Piece::Same(text) => lines.push(Line::Same(text)),
            Piece::Hunk { python, rust } => {
                for (who, texts) in [(Who::Python, python), (Who::Rust, rust)] {
                    lines.extend(texts.into_iter().map(|text| Line::Differs {
                        who,
                        text,
                        rows: Vec::new(),
                    }));
                }
            }
        }
    }
    lines
}

/// What `judged` found.
pub fn summary(judged: &[Judged]) -> Summary {
    let mut summary = Summary::default();
    let lines = judged
        .iter()
        .flat_map(|j| &j.channels)
        .flat_map(|c| &c.lines);
    for line in lines {
        if let Line::Differs { rows, .. } = line {
            summary.differing += 1;
            if rows.is_empty() {
                summary.undocumented += 1;
            }
            summary.seen.extend(rows);
        }
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::side::Side;
    use crate::table::testing::{comparison, comparison_of, row, strings};

    fn judged(python: &[&str], rust: &[&str], rows: &[Row]) -> Vec<Line> {
        let mut all = judge(&[comparison(python, rust)], rows);
        all.remove(0).channels.remove(0).lines
    }

    fn differs(who: Who, text: &str, rows: &[usize]) -> Line {
        Line::Differs {
            who,
            text: text.into(),
            rows: rows.to_vec(),
        }
    }

    #[test]
    fn a_row_explains_its_own_lines_on_its_own_side() {
        let rows = [row(1, &["py"], &["rs"])];
        let lines = judged(&["same", "py"], &["same", "rs"], &rows);
        assert_eq!(
            lines,
            [
                Line::Same("same".into()),
                differs(Who::Python, "py", &[1]),
                differs(Who::Rust, "rs", &[1]),
            ]
        );
        // The same text on the other side is not explained by it.
        let lines = judged(&["rs"], &["py"], &rows);
        assert_eq!(
            lines,
            [
                differs(Who::Python, "rs", &[]),
                differs(Who::Rust, "py", &[])
            ]
        );
    }

    #[test]
    fn a_row_explains_whole_lines_only() {
        let rows = [row(1, &["0"], &["3"])];
        let lines = judged(&["10"], &["3"], &rows);
        assert_eq!(lines[0], differs(Who::Python, "10", &[]));
    }

    #[test]
    fn a_row_explains_nothing_when_one_of_its_halves_is_missing() {
        let rows = [row(1, &["py"], &["rs"])];
        // The port printed nothing instead of its half: the original's
        // half alone is not explained.
        let lines = judged(&["same", "py"], &["same"], &rows);
        assert_eq!(lines[1], differs(Who::Python, "py", &[]));
        // A row with one half only needs only that one.
        let rows = [row(1, &[], &["extra"])];
        let lines = judged(&["same"], &["same", "extra"], &rows);
        assert_eq!(lines[1], differs(Who::Rust, "extra", &[1]));
    }

    /// A server that went on after Ctrl-C, and one that ended.
    fn ctrl_c() -> Comparison {
        comparison_of(
            Side::new()
                .channel("stdout", strings(&["served"]))
                .channel("after", strings(&["still running"])),
            Side::new().channel("after", strings(&["ended"])),
        )
    }

    #[test]
    fn a_row_s_halves_may_be_in_different_channels_of_a_comparison() {
        let mut row = row(1, &["still running"], &["ended"]);
        row.channels = strings(&["stdout", "after"]);
        let all = judge(&[ctrl_c()], std::slice::from_ref(&row));
        // `served` is not one of its lines: undocumented still.
        let served = &all[0].channels[0].lines[0];
        assert_eq!(*served, differs(Who::Python, "served", &[]));
        assert_eq!(summary(&all).undocumented, 1);
        row.python.push("served".into());
        let all = judge(&[ctrl_c()], &[row]);
        assert_eq!(summary(&all).undocumented, 0);
    }

    #[test]
    fn a_row_about_another_channel_explains_nothing_here() {
        let mut other = row(1, &["py"], &["rs"]);
        other.channels = strings(&["stderr"]);
        let lines = judged(&["py"], &["rs"], &[other]);
        assert!(lines.iter().all(|l| matches!(l,
            Line::Differs { rows, .. } if rows.is_empty())));
    }

    #[test]
    fn several_rows_may_explain_one_line_and_the_summary_counts_lines() {
        let rows = [row(1, &["a"], &[]), row(2, &["a", "b"], &[])];
        let python = Side::new().channel("stdout", strings(&["a", "b", "c"]));
        let all = judge(&[comparison_of(python, Side::new())], &rows);
        let lines = &all[0].channels[0].lines;
        assert_eq!(lines[0], differs(Who::Python, "a", &[1, 2]));
        assert_eq!(lines[1], differs(Who::Python, "b", &[2]));
        let summary = summary(&all);
        assert_eq!((summary.differing, summary.undocumented), (3, 1));
        assert_eq!(summary.seen, BTreeSet::from([1, 2]));
    }
}

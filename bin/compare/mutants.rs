//! `--check-table`: is the table strict? A row must explain the lines it
//! lists and nothing else, so that any change to what an original prints
//! shows. This checks it the direct way: each line of the original's
//! side, changed in one place, must become a line no row explains.
//!
//! Each line is changed at its start, its middle and its end, one place
//! at a time, to a character found nowhere in the comparison or the
//! table (so the changed line can be no other line either); the
//! comparison is judged again each time. A change that leaves it "all
//! documented" is an *escape*: a row that would hide a real difference.

use super::judge::{judge, summary};
use super::side::Comparison;
use super::table::Row;

/// The characters a line may be changed to, the first one found nowhere
/// being used.
const MARKERS: [char; 6] = ['~', '^', '@', '¤', '§', '¦'];

/// What the check found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Strictness {
    /// How many lines of the original's side were changed.
    pub lines: usize,
    /// How many changes were judged.
    pub changes: usize,
    /// The changes no line showed as undocumented: comparison, channel,
    /// the line, and what it was changed to.
    pub escaped: Vec<[String; 4]>,
    /// Why there was nothing to check, if there was not.
    pub unchecked: Option<String>,
}

impl Strictness {
    /// The check's result, in a sentence or a list.
    pub fn verdict(&self) -> String {
        if let Some(why) = &self.unchecked {
            return format!("table not checked: {why}");
        }
        if self.escaped.is_empty() {
            return format!(
                "table checked: each of the {} lines of the original's side, \
                 changed in one place ({} changes), shows as undocumented",
                self.lines, self.changes
            );
        }
        let mut text = format!(
            "table NOT strict: {} of {} changes went unnoticed:",
            self.escaped.len(),
            self.changes
        );
        for [title, channel, line, changed] in &self.escaped {
            text.push_str(&format!(
                "\n  {title}, {channel}: {line:?} changed to {changed:?}"
            ));
        }
        text
    }
}

/// Checks that every one-place change of a line of the original's side
/// of `comparisons` makes some line undocumented under `rows`.
pub fn check(comparisons: &[Comparison], rows: &[Row]) -> Strictness {
    let unchecked = |why: &str| Strictness {
        unchecked: Some(why.into()),
        ..Strictness::default()
    };
    if summary(&judge(comparisons, rows)).undocumented > 0 {
        return unchecked("some line is undocumented already");
    }
    let Some(marker) = marker(comparisons, rows) else {
        return unchecked("no character is free to change a line to");
    };
    let mut strictness = Strictness::default();
    for comparison in comparisons.iter().filter(|c| c.skipped.is_none()) {
        let mut mutant = comparison.clone();
        for (c, i) in comparison.python.places() {
            strictness.lines += 1;
            let (channel, lines) = &comparison.python.channels[c];
            for changed in changes(&lines[i], marker) {
                strictness.changes += 1;
                mutant.python.channels[c].1[i] = changed.clone();
                let judged = judge(std::slice::from_ref(&mutant), rows);
                if summary(&judged).undocumented == 0 {
                    strictness.escaped.push([
                        comparison.title.clone(),
                        channel.clone(),
                        lines[i].clone(),
                        changed,
                    ]);
                }
            }
            // One place changed at a time: the next line's changes see
            // this one as it was.
            mutant.python.channels[c].1[i] = lines[i].clone();
        }
    }
    strictness
}

/// The first of [`MARKERS`] in no line of `comparisons` and no line of
/// `rows`.
fn marker(comparisons: &[Comparison], rows: &[Row]) -> Option<char> {
    let sides = comparisons.iter().flat_map(|c| [&c.python, &c.rust]);
    let lines = sides.flat_map(|s| s.channels.iter().flat_map(|(_, l)| l));
    let listed = rows.iter().flat_map(|r| r.python.iter().chain(&r.rust));
    let all: Vec<&String> = lines.chain(listed).collect();
    MARKERS
        .into_iter()
        .find(|&m| !all.iter().any(|line| line.contains(m)))
}

/// `line` with its first, middle and last character each replaced by
/// `marker`, one at a time (fewer for a short line; `marker` alone for
/// an empty one).
pub fn changes(line: &str, marker: char) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    if chars.is_empty() {
        return vec![marker.to_string()];
    }
    let mut places = vec![0, chars.len() / 2, chars.len() - 1];
    places.dedup();
    places
        .into_iter()
        .map(|at| {
            let mut changed = chars.clone();
            changed[at] = marker;
            changed.into_iter().collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::testing::{self, comparison};

    fn row(python: &[&str], rust: &[&str]) -> Row {
        testing::row(1, python, rust)
    }

    #[test]
    fn a_line_is_changed_at_its_start_middle_and_end() {
        assert_eq!(changes("abcde", '~'), ["~bcde", "ab~de", "abcd~"]);
        assert_eq!(changes("ab", '~'), ["~b", "a~"]);
        assert_eq!(changes("a", '~'), ["~"]);
        assert_eq!(changes("", '~'), ["~"]);
    }

    #[test]
    fn a_strict_table_catches_every_change() {
        let comparisons = [comparison(&["same", "py"], &["same", "rs"])];
        let strict = check(&comparisons, &[row(&["py"], &["rs"])]);
        assert_eq!((strict.lines, strict.changes), (2, 5));
        assert!(strict.escaped.is_empty(), "{}", strict.verdict());
        assert!(strict.verdict().starts_with("table checked"));
    }

    #[test]
    fn a_changed_line_is_never_one_a_row_lists() {
        // The row lists the line as it would be changed with `~`: then
        // `~` is not used.
        let comparisons = [comparison(&["py"], &["rs"])];
        let strict = check(&comparisons, &[row(&["py", "p~"], &["rs"])]);
        assert!(strict.escaped.is_empty(), "{}", strict.verdict());
        assert_eq!(marker(&comparisons, &[row(&["p~"], &[])]), Some('^'));
    }

    #[test]
    fn an_escape_is_shown_with_its_line() {
        let strict = Strictness {
            lines: 1,
            changes: 2,
            escaped: vec![["t", "stdout", "py", "p~"].map(String::from)],
            unchecked: None,
        };
        let verdict = strict.verdict();
        assert!(verdict.starts_with("table NOT strict: 1 of 2"), "{verdict}");
        assert!(verdict.contains("t, stdout: \"py\" changed to \"p~\""));
    }

    #[test]
    fn nothing_is_checked_until_every_line_is_explained() {
        let comparisons = [comparison(&["py"], &["rs"])];
        let strict = check(&comparisons, &[]);
        assert!(strict.unchecked.is_some());
        assert!(strict.verdict().starts_with("table not checked"));
    }
}

//! A lesson's "Differences from the Python original" table: which lines
//! of a comparison each row explains.
//!
//! The table is Markdown, five columns:
//!
//! ```text
//! | What | Where | Python original | Rust port | Why |
//! |---|---|---|---|---|
//! | Empty name | `stdout` | `ip[]=0.0.0.0` | `ip[]=empty host name` | ... |
//! ```
//!
//! - **Where** names the channels of the report the row is about, each as
//!   a code span, as the report heads them (`stdout`, `exit status`,
//!   `server received (connection 2)`).
//! - **Python original** and **Rust port**: each code span is one whole
//!   line, exactly as the report shows it (so `\r` is a backslash and an
//!   `r`, and an empty line is `[empty line]`). Text outside the code
//!   spans is for the reader only. A cell without code spans gives no
//!   line on that side (the program prints nothing there).
//! - What and Why are for the reader; their code spans mean nothing.
//!
//! No pattern, no wildcard: a line is explained by a row only when it is
//! one of the row's lines for its side, word for word. So changing any
//! printed string of an original makes its line unexplained. The rule
//! that ties rows to the lines of a comparison is in [`super::judge`].

use std::fmt;

/// The heading of the table `compare` reads.
pub const HEADING: &str = "## Differences from the Python original";

/// The header row the table must have, cell by cell.
pub const COLUMNS: [&str; 5] =
    ["What", "Where", "Python original", "Rust port", "Why"];

/// Which program a line comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Who {
    /// The Python original.
    Python,
    /// The Rust port.
    Rust,
}

impl Who {
    /// Both, the original first.
    pub const BOTH: [Who; 2] = [Who::Python, Who::Rust];

    /// How the report marks its lines: `py`, `rs`.
    pub fn tag(self) -> &'static str {
        match self {
            Who::Python => "py",
            Who::Rust => "rs",
        }
    }
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Its place in the table, from 1: the `N` of the `=N` marks.
    pub number: usize,
    /// The What cell, as written.
    pub what: String,
    /// The channels it is about (the Where cell's code spans).
    pub channels: Vec<String>,
    /// The original's lines it explains.
    pub python: Vec<String>,
    /// The port's lines it explains.
    pub rust: Vec<String>,
    /// The Why cell, as written.
    pub why: String,
}

impl Row {
    /// The lines it gives for `who`.
    pub fn lines(&self, who: Who) -> &[String] {
        match who {
            Who::Python => &self.python,
            Who::Rust => &self.rust,
        }
    }

    /// Whether it is about the channel `name`.
    pub fn is_about(&self, channel: &str) -> bool {
        self.channels.iter().any(|c| c == channel)
    }

    /// Whether `line`, printed by `who`, is one of its lines.
    pub fn has_line(&self, who: Who, line: &str) -> bool {
        self.lines(who).iter().any(|l| l == line)
    }
}

/// A lesson whose table can't be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableError {
    /// No line is the heading [`HEADING`].
    NoHeading,
    /// The header row is not [`COLUMNS`].
    BadHeader(String),
    /// A row has not the five cells.
    BadRow {
        /// The row as written.
        line: String,
        /// How many cells it has.
        cells: usize,
    },
    /// A row names no channel, or no line on either side: it could
    /// explain nothing.
    Empty(usize),
}

impl fmt::Display for TableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoHeading => write!(f, "the lesson has no \"{HEADING}\""),
            Self::BadHeader(line) => write!(
                f,
                "the table under \"{HEADING}\" must have the columns {}, \
                 not: {line}",
                COLUMNS.join(" | ")
            ),
            Self::BadRow { line, cells } => write!(
                f,
                "a row of \"{HEADING}\" has {cells} cells, not 5: {line}"
            ),
            Self::Empty(n) => write!(
                f,
                "row {n} of \"{HEADING}\" names no channel in `code`, or no \
                 line on either side: it explains nothing"
            ),
        }
    }
}

impl std::error::Error for TableError {}

/// The rows of the table under [`HEADING`] in `lesson` (Markdown): the
/// lines starting with `|` that follow it, less the header and its
/// `|---|` line. The table ends at the first other line after it began.
///
/// # Errors
/// [`TableError`] when the heading is missing, the header is not
/// [`COLUMNS`], or a row has not 5 cells or explains nothing.
pub fn parse(lesson: &str) -> Result<Vec<Row>, TableError> {
    let mut lines = lesson.lines().skip_while(|l| l.trim_end() != HEADING);
    if lines.next().is_none() {
        return Err(TableError::NoHeading);
    }
    let mut table = lines
        .skip_while(|l| !l.trim_start().starts_with('|'))
        .take_while(|l| l.trim_start().starts_with('|'));
    let Some(header) = table.next() else {
        return Ok(Vec::new());
    };
    if cells(header) != COLUMNS {
        return Err(TableError::BadHeader(header.to_owned()));
    }
    let mut rows = Vec::new();
    for line in table.skip(1) {
        rows.push(row(line, rows.len() + 1)?);
    }
    Ok(rows)
}

/// The row `line`, the `number`th of its table.
fn row(line: &str, number: usize) -> Result<Row, TableError> {
    let cells = cells(line);
    let [what, channels, python, rust, why] = &cells[..] else {
        return Err(TableError::BadRow {
            line: line.into(),
            cells: cells.len(),
        });
    };
    let row = Row {
        number,
        what: what.clone(),
        channels: code_spans(channels),
        python: code_spans(python),
        rust: code_spans(rust),
        why: why.clone(),
    };
    if row.channels.is_empty() || (row.python.is_empty() && row.rust.is_empty())
    {
        return Err(TableError::Empty(number));
    }
    Ok(row)
}

/// The cells of a table line, trimmed. Every `|` is a cell border but one
/// written `\|`, inside a code span too (GFM, "Tables", the example with
/// `` `\|` ``): a table is read as GitHub shows it. `\|` stays as
/// written; [`code_spans`] unescapes it.
fn cells(line: &str) -> Vec<String> {
    let line = line.trim();
    let line = line.strip_prefix('|').unwrap_or(line);
    let line = line.strip_suffix('|').unwrap_or(line);
    let mut cells = vec![String::new()];
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        let cell = cells.last_mut().expect("never empty");
        match c {
            '\\' if chars.peek() == Some(&'|') => {
                cell.push('\\');
                cell.push(chars.next().expect("peeked"));
            }
            '|' => cells.push(String::new()),
            c => cell.push(c),
        }
    }
    cells.iter().map(|c| c.trim().to_owned()).collect()
}

/// The contents of the code spans in `cell`: text between two runs of
/// the same number of backticks, one space stripped from each end when
/// both are spaces (CommonMark §6.1), `\|` read as `|`.
pub fn code_spans(cell: &str) -> Vec<String> {
    let mut spans = Vec::new();
    let mut rest = cell;
    while let Some(start) = rest.find('`') {
        let run =
            rest[start..].len() - rest[start..].trim_start_matches('`').len();
        let fence = &rest[start..start + run];
        let after = &rest[start + run..];
        // The closing run: the same length, not part of a longer run.
        let close = after.match_indices(fence).find(|&(at, _)| {
            !after[at + run..].starts_with('`')
                && (at == 0 || !after[..at].ends_with('`'))
        });
        let Some((at, _)) = close else { break };
        let mut text = &after[..at];
        // Not when it is all spaces: `  ` is two spaces, not an empty
        // span.
        if text.starts_with(' ')
            && text.ends_with(' ')
            && !text.trim_matches(' ').is_empty()
        {
            text = &text[1..text.len() - 1];
        }
        spans.push(text.replace("\\|", "|"));
        rest = &after[at + run..];
    }
    spans
}

/// Helpers for the tests of the modules that judge and show rows.
#[cfg(test)]
pub mod testing {
    use super::Row;
    use crate::side::{Comparison, Side};

    /// `list` as owned strings.
    pub fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    /// Row `number`, about `stdout`, with these lines.
    pub fn row(number: usize, python: &[&str], rust: &[&str]) -> Row {
        Row {
            number,
            what: format!("What {number}"),
            channels: strings(&["stdout"]),
            python: strings(python),
            rust: strings(rust),
            why: format!("Why {number}"),
        }
    }

    /// A comparison whose sides have only a `stdout`, with these lines.
    pub fn comparison(python: &[&str], rust: &[&str]) -> Comparison {
        comparison_of(
            Side::new().channel("stdout", strings(python)),
            Side::new().channel("stdout", strings(rust)),
        )
    }

    /// A comparison of these two sides, titled `t`, nothing skipped.
    pub fn comparison_of(python: Side, rust: Side) -> Comparison {
        Comparison {
            title: "t".into(),
            python,
            rust,
            skipped: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::strings;
    use super::*;

    const LESSON: &str = "\
# A lesson

## Differences from the Python original

| What | Where | Python original | Rust port | Why |
|---|---|---|---|---|
| Empty name `\"\"` | `stdout` | `ip[]=0.0.0.0`,<br>`name[0.0.0.0]=[Errno 1] Unknown host` | `ip[]=empty host name` | The empty string is not a host. |
| Exit status | `exit status` | always `0` | `3` | A script can tell. |
| Pipes | `stdout`, `stderr` | `a \\| b` | `` x`y `` | Escapes. |
| Only ours | `stdout` | nothing | `extra` | Why not. |

## Design differences compare cannot see

| What | Python original | Rust port | Why |
|---|---|---|---|
| Later | `z` | `z` | Not in the first table. |
";

    #[test]
    fn the_rows_of_the_first_table_only_with_their_lines() {
        let rows = parse(LESSON).unwrap();
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[0].number, 1);
        assert_eq!(rows[0].what, "Empty name `\"\"`");
        assert_eq!(rows[0].channels, ["stdout"]);
        assert_eq!(
            rows[0].python,
            strings(&["ip[]=0.0.0.0", "name[0.0.0.0]=[Errno 1] Unknown host"])
        );
        assert_eq!(rows[0].rust, strings(&["ip[]=empty host name"]));
        assert_eq!(rows[1].python, strings(&["0"]));
        assert_eq!(rows[2].channels, ["stdout", "stderr"]);
        assert_eq!(rows[2].python, strings(&["a | b"]));
        assert_eq!(rows[2].rust, strings(&["x`y"]));
        assert!(rows[3].python.is_empty());
        assert_eq!(rows[3].why, "Why not.");
    }

    #[test]
    fn a_row_has_its_lines_word_for_word_in_its_channels() {
        let rows = parse(LESSON).unwrap();
        assert!(rows[0].has_line(Who::Python, "ip[]=0.0.0.0"));
        // Not a part of a line, not a line with more around it, not the
        // other side's line.
        assert!(!rows[0].has_line(Who::Python, "ip[]=0.0.0"));
        assert!(!rows[0].has_line(Who::Python, "ip[]=0.0.0.0 "));
        assert!(!rows[0].has_line(Who::Rust, "ip[]=0.0.0.0"));
        assert!(rows[1].is_about("exit status"));
        assert!(!rows[1].is_about("stdout"));
    }

    #[test]
    fn a_table_that_is_not_the_right_shape_is_an_error() {
        assert_eq!(parse("# nothing\n"), Err(TableError::NoHeading));
        let old = format!(
            "{HEADING}\n\n| What | Python original | Rust port | Why |\n\
             |---|---|---|---|\n| a | `b` | `c` | d |\n"
        );
        assert!(matches!(parse(&old), Err(TableError::BadHeader(_))));
        let header = COLUMNS.join(" | ");
        let short = format!(
            "{HEADING}\n\n| {header} |\n|---|---|---|---|---|\n| 1 | 2 |\n"
        );
        assert!(matches!(
            parse(&short),
            Err(TableError::BadRow { cells: 2, .. })
        ));
        // A `|` not written `\|` ends a cell inside a code span too, as
        // on GitHub: this row has 6 cells there.
        let split = format!(
            "{HEADING}\n\n| {header} |\n|---|---|---|---|---|\n\
             | w | `stdout` | `x|y` | z | why |\n"
        );
        assert!(matches!(
            parse(&split),
            Err(TableError::BadRow { cells: 6, .. })
        ));
        let no_channel = format!(
            "{HEADING}\n\n| {header} |\n|---|---|---|---|---|\n\
             | w | stdout | `x` | `y` | why |\n"
        );
        assert_eq!(parse(&no_channel), Err(TableError::Empty(1)));
        let no_line = format!(
            "{HEADING}\n\n| {header} |\n|---|---|---|---|---|\n\
             | w | `stdout` | x | y | why |\n"
        );
        assert_eq!(parse(&no_line), Err(TableError::Empty(1)));
        let empty = format!("{HEADING}\n\nNo table.\n");
        assert_eq!(parse(&empty), Ok(vec![]));
    }

    #[test]
    fn code_spans_follow_commonmark() {
        assert_eq!(code_spans("no spans"), Vec::<String>::new());
        assert_eq!(code_spans("`a` and `b`"), strings(&["a", "b"]));
        assert_eq!(code_spans("`` `x` ``"), strings(&["`x`"]));
        assert_eq!(code_spans("`unclosed"), Vec::<String>::new());
        assert_eq!(code_spans("` `"), strings(&[" "]));
        assert_eq!(code_spans("`  `"), strings(&["  "]));
        assert_eq!(code_spans("` a `"), strings(&["a"]));
        assert_eq!(code_spans("`<-- `"), strings(&["<-- "]));
    }
}

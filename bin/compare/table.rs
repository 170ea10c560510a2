//! A lesson's "Differences from the Python original" table, and which of
//! its rows explains a difference `compare` found.
//!
//! The table is Markdown, four columns:
//!
//! ```text
//! | What | Python original | Rust port | Why |
//! |---|---|---|---|
//! | Empty name `""` | `ip[]=0.0.0.0` | `ip[]=empty host name` | ... |
//! ```
//!
//! The rule that ties a row to a hunk (python lines P, rust lines R) uses
//! the row's `code spans`: the row documents the hunk when it has at least
//! one code span in its Python or Rust cell, every code span of its Python
//! cell occurs in P (lines joined with `\n`), and every code span of its
//! Rust cell occurs in R. A cell without code spans (`—`, prose) adds no
//! condition; code spans in What and Why are ignored.
//!
//! A table cell can't hold a line break, so a code span writes one as
//! [`LINE_BREAK`] (`⏎`), and each side of a hunk is taken to start and
//! end with one: `⏎\r⏎` is a line that holds only `\r` (an empty line
//! of CRLF text), `a⏎b` the line `a` followed by the line `b`.

use std::fmt;

/// The heading of the table `compare` reads.
pub const HEADING: &str = "## Differences from the Python original";

/// How a code span writes a line break (module doc).
pub const LINE_BREAK: char = '⏎';

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Its place in the table, from 1: the `N` of the `=N` marks.
    pub number: usize,
    /// The What cell, as written.
    pub what: String,
    /// The Why cell, as written.
    pub why: String,
    /// The code spans of the Python original cell.
    pub python: Vec<String>,
    /// The code spans of the Rust port cell.
    pub rust: Vec<String>,
}

impl Row {
    /// Whether this row documents the hunk `python` / `rust` (module doc).
    pub fn documents(&self, python: &[String], rust: &[String]) -> bool {
        if self.python.is_empty() && self.rust.is_empty() {
            return false;
        }
        // Framed by line breaks, so a span may say where a line starts
        // or ends.
        let side = |lines: &[String]| format!("\n{}\n", lines.join("\n"));
        let (p, r) = (side(python), side(rust));
        self.python.iter().all(|span| p.contains(span.as_str()))
            && self.rust.iter().all(|span| r.contains(span.as_str()))
    }
}

/// A lesson whose table can't be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableError {
    /// No line is the heading [`HEADING`].
    NoHeading,
    /// A row has not the four cells.
    BadRow {
        /// The row as written.
        line: String,
        /// How many cells it has.
        cells: usize,
    },
}

impl fmt::Display for TableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoHeading => write!(f, "the lesson has no \"{HEADING}\""),
            Self::BadRow { line, cells } => write!(
                f,
                "a row of \"{HEADING}\" has {cells} cells, not 4: {line}"
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
/// [`TableError`] when the heading is missing or a row has not 4 cells.
pub fn parse(lesson: &str) -> Result<Vec<Row>, TableError> {
    let mut lines = lesson.lines().skip_while(|l| l.trim_end() != HEADING);
    if lines.next().is_none() {
        return Err(TableError::NoHeading);
    }
    let table = lines
        .skip_while(|l| !l.trim_start().starts_with('|'))
        .take_while(|l| l.trim_start().starts_with('|'))
        .skip(2); // the header and the |---| line
    let mut rows = Vec::new();
    for line in table {
        let cells = cells(line);
        let [what, python, rust, why] = &cells[..] else {
            return Err(TableError::BadRow {
                line: line.into(),
                cells: cells.len(),
            });
        };
        rows.push(Row {
            number: rows.len() + 1,
            what: what.clone(),
            why: why.clone(),
            python: code_spans(python),
            rust: code_spans(rust),
        });
    }
    Ok(rows)
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
/// both are spaces (CommonMark §6.1), `\|` read as `|`, [`LINE_BREAK`]
/// as a line break.
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
        // span (which would occur in every hunk).
        if text.starts_with(' ')
            && text.ends_with(' ')
            && !text.trim_matches(' ').is_empty()
        {
            text = &text[1..text.len() - 1];
        }
        spans.push(text.replace("\\|", "|").replace(LINE_BREAK, "\n"));
        rest = &after[at + run..];
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    const LESSON: &str = "\
# A lesson

## Differences from the Python original

| What | Python original | Rust port | Why |
|---|---|---|---|
| Empty name `\"\"` | `ip[]=0.0.0.0`, then `name[0.0.0.0]=[Errno 1] Unknown host` | `ip[]=empty host name` | The empty string is not a host. |
| Exit status | always `0` | `3` when a lookup failed | A script can tell. |
| Pipes | `a \\| b` | `` x`y `` | Escapes. |
| Design | prose only | — | Not visible. |

## Design differences compare cannot see

| What | Python original | Rust port | Why |
|---|---|---|---|
| Later | `z` | `z` | Not in the first table. |
";

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn the_rows_of_the_first_table_only_with_their_code_spans() {
        let rows = parse(LESSON).unwrap();
        assert_eq!(rows.len(), 4);
        assert_eq!(rows[0].number, 1);
        assert_eq!(rows[0].what, "Empty name `\"\"`");
        assert_eq!(
            rows[0].python,
            strings(&["ip[]=0.0.0.0", "name[0.0.0.0]=[Errno 1] Unknown host"])
        );
        assert_eq!(rows[0].rust, strings(&["ip[]=empty host name"]));
        assert_eq!(rows[1].python, strings(&["0"]));
        assert_eq!(rows[2].python, strings(&["a | b"]));
        assert_eq!(rows[2].rust, strings(&["x`y"]));
        assert!(rows[3].python.is_empty() && rows[3].rust.is_empty());
        assert_eq!(rows[3].why, "Not visible.");
    }

    #[test]
    fn a_lesson_without_the_heading_or_with_a_short_row_is_an_error() {
        assert_eq!(parse("# nothing\n"), Err(TableError::NoHeading));
        let short = format!("{HEADING}\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
        assert!(matches!(
            parse(&short),
            Err(TableError::BadRow { cells: 2, .. })
        ));
        // A `|` not written `\|` ends a cell inside a code span too, as
        // on GitHub: this row has 5 cells there.
        let split = format!(
            "{HEADING}\n\n| a | b | c | d |\n|---|---|---|---|\n| w | `x|y` | z | why |\n"
        );
        assert!(matches!(
            parse(&split),
            Err(TableError::BadRow { cells: 5, .. })
        ));
        let empty = format!("{HEADING}\n\nNo table.\n");
        assert_eq!(parse(&empty), Ok(vec![]));
    }

    #[test]
    fn a_row_documents_a_hunk_when_every_span_of_each_side_occurs() {
        let rows = parse(LESSON).unwrap();
        let p =
            strings(&["ip[]=0.0.0.0", "name[0.0.0.0]=[Errno 1] Unknown host"]);
        let r = strings(&["ip[]=empty host name"]);
        assert!(rows[0].documents(&p, &r));
        // One Python span missing: not documented.
        assert!(!rows[0].documents(&p[..1], &r));
        // The spans are looked for in the other side's lines: no.
        assert!(!rows[0].documents(&r, &p));
        // A row without code spans documents nothing.
        assert!(!rows[3].documents(&p, &r));
        // Every Rust span too, not only the first.
        let row = Row {
            rust: strings(&["ip[]=", "empty host name"]),
            ..rows[0].clone()
        };
        assert!(row.documents(&p, &r));
        assert!(!row.documents(&p, &strings(&["ip[]=nothing"])));
    }

    #[test]
    fn a_side_without_spans_adds_no_condition() {
        let row = Row {
            number: 1,
            what: "w".into(),
            why: "y".into(),
            python: vec![],
            rust: strings(&["only rust"]),
        };
        assert!(row.documents(&[], &strings(&["only rust here"])));
        assert!(
            row.documents(&strings(&["anything"]), &strings(&["only rust"]))
        );
        assert!(!row.documents(&strings(&["only rust"]), &[]));
    }

    #[test]
    fn spans_may_cross_lines_of_a_hunk() {
        let row = Row {
            number: 1,
            what: "w".into(),
            why: "y".into(),
            python: strings(&["a\nb"]),
            rust: vec![],
        };
        assert!(row.documents(&strings(&["a", "b"]), &[]));
    }

    #[test]
    fn a_line_break_in_a_span_matches_whole_lines() {
        let spans = code_spans("`⏎\\r⏎` and `a⏎b`");
        assert_eq!(spans, strings(&["\n\\r\n", "a\nb"]));
        let row = Row {
            number: 1,
            what: "w".into(),
            why: "y".into(),
            python: spans[..1].to_vec(),
            rust: vec![],
        };
        // A line that is only `\r`, alone or among others.
        assert!(row.documents(&strings(&["\\r"]), &[]));
        assert!(row.documents(&strings(&["x\\r", "\\r", "y"]), &[]));
        // `\r` at the end of a longer line is not such a line.
        assert!(!row.documents(&strings(&["x\\r", "y\\r"]), &[]));
        let crossing = Row {
            python: spans[1..].to_vec(),
            ..row
        };
        assert!(crossing.documents(&strings(&["a", "b"]), &[]));
        assert!(!crossing.documents(&strings(&["a", "c", "b"]), &[]));
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
    }
}

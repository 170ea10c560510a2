//! Just enough of CommonMark, as mdBook reads it, to check the lessons:
//! fenced code blocks, links outside code, and the `id` mdBook gives each
//! heading.

use std::collections::BTreeSet;
use std::ops::Range;

/// The opening line of a fenced code block: three or more backticks or
/// tildes, possibly indented (in a list item, say), then the info string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fence {
    /// Spaces before the fence; CommonMark strips as many from the content.
    pub indent: usize,
    pub mark: char,
    pub len: usize,
}

impl Fence {
    pub fn open(line: &str) -> Option<Fence> {
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
    pub fn closes(self, line: &str) -> bool {
        let line = line.trim();
        line.len() >= self.len && line.chars().all(|c| c == self.mark)
    }

    pub fn text(self) -> String {
        self.mark.to_string().repeat(self.len)
    }
}

/// The words of a fence's info string (` ```text wide` gives `text`,
/// `wide`), split as mdBook splits them into classes.
pub fn info_words(line: &str) -> Vec<&str> {
    let rest = line.trim_start_matches(' ');
    let info = rest.trim_start_matches(['`', '~']);
    info.split([' ', '\t', ','])
        .filter(|w| !w.is_empty())
        .collect()
}

/// The shortest backtick fence that no line of `text` can close.
pub fn fence_for(text: &str) -> String {
    let longest = text
        .lines()
        .map(|line| line.trim_start().chars().take_while(|&c| c == '`'))
        .map(Iterator::count)
        .max()
        .unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

/// Would mdBook hide this line of a `rust` block? It hides `#` alone or
/// followed by a space (rustdoc's hidden lines), and turns `##` into `#`.
pub fn hidden_in_rust(line: &str) -> bool {
    let rest = line.trim_start();
    let mut chars = rest.chars();
    chars.next() == Some('#') && matches!(chars.next(), None | Some(' ' | '#'))
}

/// The targets of the `[text](target)` links on a line, outside `code`.
pub fn link_targets(line: &str) -> Vec<String> {
    let prose = without_code_spans(line);
    let mut targets = Vec::new();
    let mut rest = prose.as_str();
    while let Some(start) = rest.find("](") {
        rest = &rest[start + 2..];
        let Some(end) = closing_paren(rest) else {
            break;
        };
        targets.push(rest[..end].to_string());
        rest = &rest[end + 1..];
    }
    targets
}

/// The index of the `)` that closes a link's `(`, allowing `(...)` inside.
fn closing_paren(text: &str) -> Option<usize> {
    let mut depth = 0;
    text.find(|c| {
        depth += match c {
            '(' => 1,
            ')' => -1,
            _ => 0,
        };
        depth < 0
    })
}

/// The line without its `code spans`. As in CommonMark, a span opens with a
/// run of backticks and closes with a run of the same length; a run that
/// nothing closes is ordinary text.
pub fn without_code_spans(line: &str) -> String {
    let mut prose = String::new();
    let mut rest = line;
    while let Some((before, _, after)) = next_code_span(rest) {
        prose.push_str(before);
        rest = after;
    }
    prose + rest
}

/// The content of the first code span of `text`, if it has one.
pub fn first_code_span(text: &str) -> Option<&str> {
    code_spans(text).next()
}

/// The code spans of `text`, in order.
pub fn code_spans(mut text: &str) -> impl Iterator<Item = &str> {
    std::iter::from_fn(move || {
        let (_, code, rest) = next_code_span(text)?;
        text = rest;
        Some(code)
    })
}

/// The cells of a table row, as byte ranges of `line` between its pipes.
/// As in GitHub's tables, only `\|` is a pipe within a cell, even in a
/// code span.
pub fn table_cells(line: &str) -> Vec<Range<usize>> {
    let pipes = (line.match_indices('|').map(|(at, _)| at))
        .filter(|&at| !line[..at].ends_with('\\'));
    let mut cells = Vec::new();
    let mut start = 0;
    for pipe in pipes {
        cells.push(start..pipe);
        start = pipe + 1;
    }
    cells.push(start..line.len());
    // The pipes at either end of the row leave nothing outside them.
    let blank = |cell: &Range<usize>| line[cell.clone()].trim().is_empty();
    if cells.len() > 1 && cells.first().is_some_and(blank) {
        cells.remove(0);
    }
    if cells.len() > 1 && cells.last().is_some_and(blank) {
        cells.pop();
    }
    cells
}

/// The text before the first code span of `line`, the span's content, and
/// the text after it; `None` if no span closes.
fn next_code_span(line: &str) -> Option<(&str, &str, &str)> {
    let mut from = 0;
    while let Some(start) = line[from..].find('`').map(|i| i + from) {
        let after = line[start..].trim_start_matches('`');
        let ticks = &line[start..line.len() - after.len()];
        let mut runs = after.match_indices(ticks).map(|(end, _)| end);
        let close = runs.find(|&end| {
            !after[..end].ends_with('`')
                && !after[end + ticks.len()..].starts_with('`')
        });
        match close {
            Some(end) => {
                let rest = &after[end + ticks.len()..];
                return Some((&line[..start], &after[..end], rest));
            }
            // An unclosed run is text: look for a span after it.
            None => from = line.len() - after.len(),
        }
    }
    None
}

/// The file part of a link target and its `#fragment`, or `None` for links
/// that do not point into the book: `https://…`, `mailto:…` and other
/// schemes. The path is empty for a link within the page (`#fragment`).
pub fn local_target(target: &str) -> Option<(&str, Option<&str>)> {
    let target = link_destination(target)?;
    let scheme = target.split_once(':').map_or("", |(scheme, _)| scheme);
    let scheme_char = |c: char| c.is_ascii_alphanumeric() || "+-.".contains(c);
    let has_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme.chars().all(scheme_char);
    if has_scheme || target.starts_with("//") {
        return None;
    }
    let (path, fragment) = match target.split_once('#') {
        Some((path, fragment)) => (path, Some(fragment)),
        None => (target, None),
    };
    let path = path.split('?').next().unwrap_or_default();
    Some((path, fragment))
}

/// The destination of a link target, without its title:
/// `<path with spaces>` or `path "title"`.
pub fn link_destination(target: &str) -> Option<&str> {
    let target = target.trim();
    match target.strip_prefix('<') {
        Some(rest) => rest.split('>').next(),
        None => target.split_whitespace().next(),
    }
}

/// The `id`s of a page, as mdBook gives them: one per heading (from its
/// text, made unique with `-1`, `-2`...), or the heading's own `{#id}`;
/// and every `id="..."` written in HTML.
pub fn page_ids(text: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    let mut fence: Option<Fence> = None;
    for line in text.lines() {
        if let Some(open) = fence {
            if open.closes(line) {
                fence = None;
            }
            continue;
        }
        fence = Fence::open(line);
        if fence.is_some() {
            continue;
        }
        if let Some(heading) = atx_heading(line) {
            let id = match explicit_id(heading) {
                Some(id) => id.to_string(),
                None => {
                    unique_id(id_from_content(&heading_text(heading)), &ids)
                }
            };
            ids.insert(id);
        }
        ids.extend(html_ids(&without_code_spans(line)));
    }
    ids
}

/// The content of an ATX heading (`## Title ##` gives `Title`).
fn atx_heading(line: &str) -> Option<&str> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let rest = line[indent..].trim_end();
    let level = rest.len() - rest.trim_start_matches('#').len();
    let after = &rest[level..];
    let starts = indent <= 3 && (1..=6).contains(&level);
    if !starts || !(after.is_empty() || after.starts_with([' ', '\t'])) {
        return None;
    }
    let content = after.trim();
    // A closing run of `#` counts only after a space, or alone.
    let closed = content.trim_end_matches('#');
    Some(match closed.is_empty() || closed.ends_with([' ', '\t']) {
        true => closed.trim_end(),
        false => content,
    })
}

/// `id` in a heading's trailing `{#id}` attribute, if any.
fn explicit_id(heading: &str) -> Option<&str> {
    let attrs = heading.strip_suffix('}')?.rsplit_once('{')?.1;
    attrs
        .split_whitespace()
        .find_map(|attr| attr.strip_prefix('#'))
}

/// The text of a heading as the reader sees it: code spans' contents kept,
/// link targets, emphasis marks, escapes and HTML tags dropped.
fn heading_text(heading: &str) -> String {
    let mut text = String::new();
    let mut rest = heading;
    while let Some((before, code, after)) = next_code_span(rest) {
        text.push_str(&inline_text(before));
        text.push_str(code.strip_prefix(' ').unwrap_or(code));
        rest = after;
    }
    text + &inline_text(rest)
}

fn inline_text(markdown: &str) -> String {
    let mut text = String::new();
    let mut rest = markdown;
    while let Some(c) = rest.chars().next() {
        rest = &rest[c.len_utf8()..];
        match c {
            '\\' => {
                let escaped = rest.chars().next();
                text.extend(escaped);
                rest = &rest[escaped.map_or(0, char::len_utf8)..];
            }
            // `[text](target)`: the text stays, the target goes.
            ']' if rest.starts_with('(') => {
                let end =
                    closing_paren(&rest[1..]).map_or(rest.len(), |e| e + 2);
                rest = &rest[end..];
            }
            '!' if rest.starts_with('[') => {}
            '*' | '[' | ']' => {}
            '<' if rest.contains('>') => {
                rest = rest.split_once('>').map_or("", |(_, after)| after);
            }
            _ => text.push(c),
        }
    }
    text
}

/// mdBook's `id_from_content`: lower case, letters, digits, `_` and `-`
/// kept, white space turned into `-`, the rest dropped.
pub fn id_from_content(content: &str) -> String {
    let lower = content.trim().to_lowercase();
    let keep = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    lower
        .chars()
        .filter_map(|c| match c {
            c if keep(c) => Some(c),
            c if c.is_whitespace() => Some('-'),
            _ => None,
        })
        .collect()
}

fn unique_id(id: String, used: &BTreeSet<String>) -> String {
    if !used.contains(&id) {
        return id;
    }
    let numbered = (1..).map(|n| format!("{id}-{n}"));
    numbered
        .into_iter()
        .find(|c| !used.contains(c))
        .unwrap_or(id)
}

/// The values of the `id="..."` attributes on a line of HTML.
fn html_ids(line: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find(" id=") {
        rest = &rest[at + 4..];
        let quote = rest.chars().next().filter(|&c| c == '"' || c == '\'');
        let Some(quote) = quote else { continue };
        let value = rest[1..].split(quote).next().unwrap_or_default();
        ids.push(value.to_string());
        rest = &rest[1 + value.len()..];
    }
    ids
}

//! Reading paths: what a reader must read to follow one program, and how
//! long that is.
//!
//! A program's path starts at its crate root (`bin/NAME.rs` or
//! `bin/NAME/main.rs`, as `Cargo.toml` says) and takes in
//!
//! - every bin-side module it declares, `mod x;` or
//!   `#[path = "..."] mod x;`, and the modules those declare, and so on;
//! - every library file it names: a path starting with `inet::` in a
//!   bin-side file (there `crate::`, `self::` and `super::` name the
//!   program's own modules, reached by their `mod`); in a library file, a
//!   path starting with `crate::`, `self::` or `super::`, and a `use` of a
//!   child module (each `use` tree expanded, `a::{b, c::{d, self}}` naming
//!   `a::b`, `a::c::d` and `a::c`). A path names the file of its longest
//!   prefix that is a module, so `inet::smtp::Reply` names
//!   `src/smtp/mod.rs`, and its `pub use` leads on;
//! - for each library file, the files of the modules around it
//!   (`src/deadline.rs` for `src/deadline/calls.rs`): their doc explains it.
//!
//! `src/lib.rs` is followed (its `use`s count) but not counted: it is the
//! library's table of contents. A `mod x;` in the library reaches nothing
//! by itself, or every program would reach the whole library.
//!
//! The size of a file is its code lines: not blank, not only comments
//! (`//`, `///`, `/* */`), and not in an item marked `#[cfg(test)]`. Paths
//! and `mod`s in comments, strings and tests do not count either.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fs;
use std::path::{Path, PathBuf};

/// A program's reading path: each file (relative to the root) and its code
/// lines, in the order they were reached from the crate root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadingPath {
    pub files: Vec<(PathBuf, usize)>,
}

impl ReadingPath {
    pub fn lines(&self) -> usize {
        self.files.iter().map(|(_, lines)| lines).sum()
    }

    /// The files, biggest first (then by path).
    pub fn biggest_first(&self) -> Vec<(PathBuf, usize)> {
        let mut files = self.files.clone();
        files.sort_by(|(a, x), (b, y)| y.cmp(x).then(a.cmp(b)));
        files
    }
}

/// The crate root of each program in the `[[bin]]` tables of a
/// `Cargo.toml`, by name. A table without `path` gets Cargo's default.
pub fn programs(cargo_toml: &str) -> BTreeMap<String, PathBuf> {
    let mut programs = BTreeMap::new();
    let mut bin: Option<(Option<String>, Option<String>)> = None;
    let mut finish = |bin: Option<(Option<String>, Option<String>)>| {
        if let Some((Some(name), path)) = bin {
            let path = path.unwrap_or_else(|| format!("src/bin/{name}.rs"));
            programs.insert(name, PathBuf::from(path));
        }
    };
    for line in cargo_toml.lines() {
        let line = line.split('#').next().unwrap_or_default().trim();
        if line.starts_with('[') {
            finish(bin.take());
            bin = (line == "[[bin]]").then_some((None, None));
        } else if let (Some((name, path)), Some((key, value))) =
            (&mut bin, line.split_once('='))
        {
            let value = Some(value.trim().trim_matches('"').to_string());
            match key.trim() {
                "name" => *name = value,
                "path" => *path = value,
                _ => {}
            }
        }
    }
    finish(bin);
    programs
}

/// The reading path of the program whose crate root is `bin` (relative to
/// `root`), or why there is none: a file it declares that cannot be read.
pub fn reading_path(root: &Path, bin: &Path) -> Result<ReadingPath, String> {
    let mut seen = BTreeSet::new();
    let mut queue = VecDeque::from([(bin.to_path_buf(), Side::BinRoot)]);
    let mut files = Vec::new();
    while let Some((file, side)) = queue.pop_front() {
        if !seen.insert(file.clone()) {
            continue;
        }
        let text = fs::read_to_string(root.join(&file)).map_err(|err| {
            format!("cannot read `{}`: {err}", file.display())
        })?;
        let tokens = without_tests(lex(&text));
        let reached = match side {
            Side::Lib => lib_reaches(root, &file, &tokens),
            _ => bin_reaches(root, &file, side, &tokens)?,
        };
        queue.extend(reached);
        if file != Path::new(LIB_ROOT) {
            files.push((file, lines_holding(&text, &tokens)));
        }
    }
    Ok(ReadingPath { files })
}

const LIB_ROOT: &str = "src/lib.rs";

/// Which crate a file belongs to: a program's root, another file of the
/// program, or the library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Side {
    BinRoot,
    Bin,
    Lib,
}

/// What a bin-side file reaches: the modules it declares, and the library
/// files its `inet::` paths name.
fn bin_reaches(
    root: &Path,
    file: &Path,
    side: Side,
    tokens: &[Token],
) -> Result<Vec<(PathBuf, Side)>, String> {
    let items = items(tokens);
    let mut reached = Vec::new();
    for module in &items.mods {
        let declared = declared_file(root, file, side, module)?;
        reached.push((declared, Side::Bin));
    }
    for path in &items.paths {
        if let Some((first, rest)) = path.segments.split_first()
            && first == "inet"
        {
            reached.push((lib_file(root, rest), Side::Lib));
        }
    }
    Ok(reached)
}

/// What a library file reaches: the files of the modules around it, and
/// those its paths name.
fn lib_reaches(
    root: &Path,
    file: &Path,
    tokens: &[Token],
) -> Vec<(PathBuf, Side)> {
    let module = lib_module(file);
    let around = (0..module.len()).map(|len| lib_file(root, &module[..len]));
    let mut reached: Vec<PathBuf> = around.collect();
    for path in items(tokens).paths {
        let mut here = module.clone();
        here.extend(path.inline);
        let segments = &path.segments;
        let absolute = match segments.first().map(String::as_str) {
            Some("crate" | "$crate" | "inet") => segments[1..].to_vec(),
            Some("self" | "super") => relative(&here, segments),
            // A `use` may start at a child module (or at another crate,
            // which names no file here).
            Some(_) if path.in_use => [&here[..], segments].concat(),
            _ => continue,
        };
        reached.push(lib_file(root, &absolute));
    }
    reached.into_iter().map(|file| (file, Side::Lib)).collect()
}

/// The module path of `segments` (starting with `self` or `super`) in
/// module `here`.
fn relative(here: &[String], segments: &[String]) -> Vec<String> {
    let mut module = here.to_vec();
    let mut rest = segments;
    while let Some((first, after)) = rest.split_first() {
        match first.as_str() {
            "self" => {}
            "super" => {
                module.pop();
            }
            _ => break,
        }
        rest = after;
    }
    module.extend_from_slice(rest);
    module
}

/// The module of a library file: `src/a/b.rs` and `src/a/b/mod.rs` are
/// `a::b`, `src/lib.rs` the root.
fn lib_module(file: &Path) -> Vec<String> {
    let inside = file.strip_prefix("src").unwrap_or(file).with_extension("");
    let mut module: Vec<String> = (inside.iter())
        .map(|part| part.to_string_lossy().into_owned())
        .collect();
    if matches!(module.last().map(String::as_str), Some("mod" | "lib")) {
        module.pop();
    }
    module
}

/// The library file of the longest prefix of `path` that is a module:
/// `src/a/b.rs` or `src/a/b/mod.rs` for `a::b::Item`; `src/lib.rs` at
/// worst.
fn lib_file(root: &Path, path: &[String]) -> PathBuf {
    for len in (1..=path.len()).rev() {
        let module: PathBuf = path[..len].iter().collect();
        let candidates = [
            Path::new("src").join(&module).with_extension("rs"),
            Path::new("src").join(&module).join("mod.rs"),
        ];
        if let Some(found) =
            candidates.into_iter().find(|c| root.join(c).is_file())
        {
            return found;
        }
    }
    PathBuf::from(LIB_ROOT)
}

/// The file of a `mod` declared in bin-side `file`, as rustc finds it.
/// A `#[path]` is relative to the declaring file's folder; otherwise the
/// module sits in the declaring module's folder: that folder for a crate
/// root or a `mod.rs`, `folder/stem/` for any other file. Inline modules
/// add their names.
fn declared_file(
    root: &Path,
    file: &Path,
    side: Side,
    module: &ModDecl,
) -> Result<PathBuf, String> {
    let folder = file.parent().unwrap_or(Path::new(""));
    let mod_rs = side == Side::BinRoot || file.ends_with("mod.rs");
    let mut module_folder = match mod_rs {
        true => folder.to_path_buf(),
        false => folder.join(file.file_stem().unwrap_or_default()),
    };
    module_folder.extend(&module.inline);
    let candidates = match (&module.path, module.inline.is_empty()) {
        (Some(path), true) => vec![folder.join(path)],
        (Some(path), false) => vec![module_folder.join(path)],
        (None, _) => vec![
            module_folder.join(format!("{}.rs", module.name)),
            module_folder.join(&module.name).join("mod.rs"),
        ],
    };
    let candidates: Vec<PathBuf> =
        candidates.iter().map(|c| super::normalize(c)).collect();
    (candidates.iter().find(|c| root.join(c).is_file()).cloned()).ok_or_else(
        || {
            let tried: Vec<String> = (candidates.iter())
                .map(|c| format!("`{}`", c.display()))
                .collect();
            format!(
                "`{}` declares `mod {}`, but there is no {}",
                file.display(),
                module.name,
                tried.join(" or ")
            )
        },
    )
}

// --- Counting ---------------------------------------------------------------

/// The code lines of a Rust source: lines that hold a token (strings
/// included) outside comments and `#[cfg(test)]` items, and are not blank.
pub fn code_lines(text: &str) -> usize {
    lines_holding(text, &without_tests(lex(text)))
}

/// The lines of `text` that hold one of its `tokens` and are not blank.
fn lines_holding(text: &str, tokens: &[Token]) -> usize {
    let lines: Vec<&str> = text.lines().collect();
    let blank =
        |line: usize| lines.get(line).is_none_or(|l| l.trim().is_empty());
    let mut code = BTreeSet::new();
    for token in tokens {
        // A string may span lines; its blank lines are blank all the same.
        let spanned = token.first_line..=token.last_line;
        code.extend(spanned.filter(|&line| !blank(line)));
    }
    code.len()
}

// --- Tokens -----------------------------------------------------------------

/// A token of Rust source: enough of one to find items and paths, and the
/// lines that hold code.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Token {
    kind: TokenKind,
    /// The identifier, the punctuation (`::` or one character), or a
    /// string literal's content.
    text: String,
    /// 0-based lines where the token starts and ends.
    first_line: usize,
    last_line: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokenKind {
    Ident,
    Punct,
    Str,
    /// Numbers, characters, lifetimes.
    Other,
}

impl Token {
    fn is(&self, text: &str) -> bool {
        self.kind != TokenKind::Str && self.text == text
    }
}

/// The tokens of a Rust source, without its comments.
fn lex(text: &str) -> Vec<Token> {
    let mut lexer = Lexer {
        chars: text.chars().collect(),
        at: 0,
        line: 0,
    };
    std::iter::from_fn(|| lexer.token()).collect()
}

struct Lexer {
    chars: Vec<char>,
    at: usize,
    line: usize,
}

impl Lexer {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.at + ahead).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek(0)?;
        self.at += 1;
        self.line += usize::from(c == '\n');
        Some(c)
    }

    fn bump_while(&mut self, keep: impl Fn(char) -> bool) -> String {
        let mut taken = String::new();
        while let Some(c) = self.peek(0).filter(|&c| keep(c)) {
            taken.push(c);
            self.bump();
        }
        taken
    }

    fn token(&mut self) -> Option<Token> {
        self.skip_blanks_and_comments();
        let first_line = self.line;
        let (kind, text) = self.token_text(self.peek(0)?);
        let last_line = self.line;
        Some(Token {
            kind,
            text,
            first_line,
            last_line,
        })
    }

    fn token_text(&mut self, c: char) -> (TokenKind, String) {
        let next = self.peek(1);
        match c {
            '"' => (TokenKind::Str, self.string()),
            'b' | 'c' | 'r' if self.starts_string() => {
                self.bump_while(|c| c == 'b' || c == 'c');
                match self.peek(0) {
                    Some('r') => (TokenKind::Str, self.raw_string()),
                    Some('\'') => (TokenKind::Other, self.char_or_lifetime()),
                    _ => (TokenKind::Str, self.string()),
                }
            }
            'r' if next == Some('#') => {
                // A raw identifier, `r#type`.
                self.bump();
                self.bump();
                (TokenKind::Ident, self.bump_while(is_ident_char))
            }
            '\'' => (TokenKind::Other, self.char_or_lifetime()),
            c if c.is_alphabetic() || c == '_' => {
                (TokenKind::Ident, self.bump_while(is_ident_char))
            }
            c if c.is_ascii_digit() => {
                (TokenKind::Other, self.bump_while(is_ident_char))
            }
            ':' if next == Some(':') => {
                self.bump();
                self.bump();
                (TokenKind::Punct, "::".to_string())
            }
            _ => {
                self.bump();
                (TokenKind::Punct, c.to_string())
            }
        }
    }

    /// Whether a literal starts here: `b"`, `b'`, `br"`, `br#"`, `c"`,
    /// `cr#"`, `r"`, `r#"`...
    fn starts_string(&self) -> bool {
        let prefix = (0..).map_while(|i| {
            self.peek(i).filter(|c| matches!(c, 'b' | 'c' | 'r'))
        });
        let len = prefix.count();
        let raw = self.peek(len - 1) == Some('r');
        let hashes = (len..).take_while(|&i| self.peek(i) == Some('#')).count();
        match (self.peek(len + hashes), raw) {
            (Some('"'), _) => len <= 2,
            (Some('\''), false) => len == 1 && self.peek(0) == Some('b'),
            _ => false,
        }
    }

    /// A `"..."` string from its opening quote; its content.
    fn string(&mut self) -> String {
        self.bump();
        let mut content = String::new();
        while let Some(c) = self.bump() {
            match c {
                '"' => break,
                '\\' => content.extend([c].into_iter().chain(self.bump())),
                _ => content.push(c),
            }
        }
        content
    }

    /// An `r#"..."#` string from its `r`; its content.
    fn raw_string(&mut self) -> String {
        self.bump();
        let hashes = self.bump_while(|c| c == '#').len();
        self.bump();
        let closing: String =
            "\"".chars().chain("#".repeat(hashes).chars()).collect();
        let mut content = String::new();
        while let Some(c) = self.bump() {
            content.push(c);
            if content.ends_with(&closing) {
                content.truncate(content.len() - closing.len());
                break;
            }
        }
        content
    }

    /// `'a'`, `'\n'`, `'\u{2014}'` (a character) or `'a` (a lifetime or a
    /// label), from the quote.
    fn char_or_lifetime(&mut self) -> String {
        let is_char = self.peek(1) == Some('\\') || self.peek(2) == Some('\'');
        let mut text = String::from(self.bump().unwrap_or('\''));
        if !is_char {
            return text + &self.bump_while(is_ident_char);
        }
        while let Some(c) = self.bump() {
            text.push(c);
            match c {
                '\\' => text.extend(self.bump()),
                '\'' if text.len() > 1 => break,
                _ => {}
            }
        }
        text
    }

    fn skip_blanks_and_comments(&mut self) {
        loop {
            self.bump_while(char::is_whitespace);
            match (self.peek(0), self.peek(1)) {
                (Some('/'), Some('/')) => {
                    self.bump_while(|c| c != '\n');
                }
                (Some('/'), Some('*')) => self.block_comment(),
                _ => return,
            }
        }
    }

    /// A `/* */` comment, which may nest.
    fn block_comment(&mut self) {
        let mut depth = 0;
        while let Some(c) = self.bump() {
            match (c, self.peek(0)) {
                ('/', Some('*')) => depth += 1,
                ('*', Some('/')) => depth -= 1,
                _ => continue,
            }
            self.bump();
            if depth == 0 {
                return;
            }
        }
    }
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

// --- Items ------------------------------------------------------------------

/// The tokens without the items marked `#[cfg(test)]`: their attributes,
/// and the item up to its `;` or the `}` that closes its body.
fn without_tests(tokens: Vec<Token>) -> Vec<Token> {
    let mut kept = Vec::with_capacity(tokens.len());
    let mut at = 0;
    while at < tokens.len() {
        match attribute_end(&tokens, at) {
            Some(end) if is_cfg_test(&tokens[at..end]) => {
                at = item_end(&tokens, end);
            }
            _ => {
                kept.push(tokens[at].clone());
                at += 1;
            }
        }
    }
    kept
}

/// The index after the attribute `#[...]` that starts at `at`, if one does.
fn attribute_end(tokens: &[Token], at: usize) -> Option<usize> {
    let opens = tokens.get(at)?.is("#") && tokens.get(at + 1)?.is("[");
    opens.then(|| matching(tokens, at + 1))
}

/// The index after the bracket that closes the one at `open`.
fn matching(tokens: &[Token], open: usize) -> usize {
    let mut depth = 0;
    for (at, token) in tokens.iter().enumerate().skip(open) {
        depth += nesting(token);
        if depth == 0 {
            return at + 1;
        }
    }
    tokens.len()
}

/// +1 for an opening bracket, -1 for a closing one, 0 otherwise.
fn nesting(token: &Token) -> i32 {
    match token.kind {
        TokenKind::Punct => match token.text.as_str() {
            "(" | "[" | "{" => 1,
            ")" | "]" | "}" => -1,
            _ => 0,
        },
        _ => 0,
    }
}

fn is_cfg_test(attribute: &[Token]) -> bool {
    let words: Vec<&str> = attribute.iter().map(|t| t.text.as_str()).collect();
    words == ["#", "[", "cfg", "(", "test", ")", "]"]
}

/// The index after the item that starts at `start` (its other attributes
/// first): after the `;` that ends it outside brackets, or the `}` that
/// closes its body. An item with a value (`const`, `static`, `let`,
/// `type`) ends only at its `;`; what is no item (a field, a variant, a
/// statement) also at a `,`, or before the bracket that closes what holds
/// it.
fn item_end(tokens: &[Token], start: usize) -> usize {
    let mut at = start;
    while let Some(end) = attribute_end(tokens, at) {
        at = end;
    }
    let ends: &[&str] = match item_word(&tokens[at..]) {
        Some("const" | "static" | "let" | "type") => &[";"],
        Some(_) => &[";", "}"],
        None => &[";", "}", ","],
    };
    let mut depth = 0;
    while let Some(token) = tokens.get(at) {
        depth += nesting(token);
        if depth < 0 {
            return at;
        }
        at += 1;
        if depth == 0 && ends.iter().any(|end| token.is(end)) {
            return at;
        }
    }
    at
}

/// The keyword that says what an item is (`fn` for a `const fn`), after
/// its visibility; `None` for what is no item.
fn item_word(item: &[Token]) -> Option<&str> {
    let head = item.iter().take_while(|t| {
        t.kind == TokenKind::Ident || t.is("(") || t.is(")") || t.is("::")
    });
    let words: Vec<&str> = (head.filter(|t| t.kind == TokenKind::Ident))
        .map(|t| t.text.as_str())
        .filter(|word| ITEM_WORDS.contains(word))
        .collect();
    match words.contains(&"fn") {
        true => Some("fn"),
        false => words.first().copied(),
    }
}

/// The keywords that start items (after `pub`, `unsafe`, `async`...).
const ITEM_WORDS: [&str; 14] = [
    "fn",
    "mod",
    "impl",
    "trait",
    "struct",
    "enum",
    "union",
    "const",
    "static",
    "let",
    "type",
    "use",
    "extern",
    "macro_rules",
];

/// A `mod NAME;` declaration: its `#[path]`, and the inline modules
/// (`mod a { ... }`) around it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ModDecl {
    name: String,
    path: Option<String>,
    inline: Vec<String>,
}

/// A path named in code: `use` trees expanded, and other paths that start
/// with `crate`, `self`, `super` or `inet`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct NamedPath {
    segments: Vec<String>,
    in_use: bool,
    /// The inline modules around it.
    inline: Vec<String>,
}

/// What a file declares and names.
#[derive(Debug, Default)]
struct Items {
    mods: Vec<ModDecl>,
    paths: Vec<NamedPath>,
}

/// The `mod` declarations and the paths of a file's tokens.
fn items(tokens: &[Token]) -> Items {
    let mut items = Items::default();
    // The inline modules we are in, with the brace depth of their bodies.
    let mut inline: Vec<(String, i32)> = Vec::new();
    let mut depth = 0;
    let mut at = 0;
    while let Some(token) = tokens.get(at) {
        let names = || inline.iter().map(|(name, _)| name.clone()).collect();
        at = match token.text.as_str() {
            "{" | "}" if token.kind == TokenKind::Punct => {
                if token.is("}") && inline.last().is_some_and(|m| m.1 == depth)
                {
                    inline.pop();
                }
                depth += nesting(token);
                at + 1
            }
            "mod" if token.kind == TokenKind::Ident => {
                let name = tokens.get(at + 1).map(|t| t.text.clone());
                match (name, tokens.get(at + 2)) {
                    (Some(name), Some(next)) if next.is(";") => {
                        let path = path_attribute(tokens, at);
                        let inline = names();
                        items.mods.push(ModDecl { name, path, inline });
                    }
                    (Some(name), Some(next)) if next.is("{") => {
                        inline.push((name, depth + 1));
                    }
                    _ => {}
                }
                at + 2
            }
            "use" if token.kind == TokenKind::Ident => {
                let mut segments = Vec::new();
                let mut end = at + 1;
                use_tree(tokens, &mut end, &mut segments);
                for segments in segments {
                    let inline = names();
                    let in_use = true;
                    items.paths.push(NamedPath {
                        segments,
                        in_use,
                        inline,
                    });
                }
                end
            }
            _ => match path_at(tokens, at) {
                Some((segments, end)) => {
                    let (inline, in_use) = (names(), false);
                    items.paths.push(NamedPath {
                        segments,
                        in_use,
                        inline,
                    });
                    end
                }
                None => at + 1,
            },
        };
    }
    items
}

/// A path that starts at `at` with `crate`, `self`, `super` or `inet`
/// (`$crate` in a macro) and goes on with `::`, and the index after it.
fn path_at(tokens: &[Token], at: usize) -> Option<(Vec<String>, usize)> {
    let first = &tokens[at];
    let starts = ["crate", "self", "super", "inet"]
        .iter()
        .any(|w| first.is(w));
    let after_path_sep = at > 0 && tokens[at - 1].is("::");
    let dollar = at > 0 && tokens[at - 1].is("$");
    if !starts || after_path_sep || !tokens.get(at + 1)?.is("::") {
        return None;
    }
    let mut segments = vec![first.text.clone()];
    if dollar {
        segments[0] = "$crate".to_string();
    }
    let mut end = at + 1;
    while tokens.get(end).is_some_and(|t| t.is("::"))
        && let Some(next) = tokens.get(end + 1)
        && next.kind == TokenKind::Ident
    {
        segments.push(next.text.clone());
        end += 2;
    }
    Some((segments, end))
}

/// Expands the `use` tree at `*at` (after `use`, up to its `;`) into the
/// paths it names. A group's `self` names the group's module; a `*` names
/// the module whose items it imports.
fn use_tree(tokens: &[Token], at: &mut usize, out: &mut Vec<Vec<String>>) {
    use_subtree(tokens, at, &[], out);
    while tokens.get(*at).is_some_and(|t| !t.is(";")) {
        *at += 1;
    }
    *at += 1;
}

fn use_subtree(
    tokens: &[Token],
    at: &mut usize,
    prefix: &[String],
    out: &mut Vec<Vec<String>>,
) {
    let mut path = prefix.to_vec();
    while let Some(token) = tokens.get(*at) {
        *at += 1;
        match token.text.as_str() {
            "::" => continue,
            "{" => return use_group(tokens, at, &path, out),
            "*" => break,
            "self" if !path.is_empty() => {}
            _ if token.kind == TokenKind::Ident => {
                path.push(token.text.clone())
            }
            _ => {
                *at -= 1; // a `,`, `}` or `;`: the caller's
                break;
            }
        }
        if tokens.get(*at).is_some_and(|t| !t.is("::")) {
            break;
        }
    }
    // `a as b`: the path is `a`.
    if tokens.get(*at).is_some_and(|t| t.is("as")) {
        *at += 2;
    }
    out.push(path);
}

/// The trees of a group `{a, b::c}`, after its `{`, with their `prefix`.
fn use_group(
    tokens: &[Token],
    at: &mut usize,
    prefix: &[String],
    out: &mut Vec<Vec<String>>,
) {
    while let Some(token) = tokens.get(*at) {
        if token.is("}") {
            *at += 1;
            return;
        }
        use_subtree(tokens, at, prefix, out);
        match tokens.get(*at) {
            Some(token) if token.is(",") => *at += 1,
            Some(token) if token.is("}") => {}
            // Malformed: the caller goes on to the `;`.
            _ => return,
        }
    }
}

/// The `#[path = "..."]` among the attributes of the item whose keyword is
/// at `item` (after any visibility: `pub`, `pub(crate)`...).
fn path_attribute(tokens: &[Token], item: usize) -> Option<String> {
    let visibility = ["pub", "(", ")", "crate", "in", "self", "super"];
    let mut at = item;
    while at > 0 && visibility.iter().any(|w| tokens[at - 1].is(w)) {
        at -= 1;
    }
    while at > 0 && tokens[at - 1].is("]") {
        let open = (0..at - 1)
            .rev()
            .find(|&i| tokens[i].is("[") && matching(tokens, i) == at)?;
        if !tokens[open.checked_sub(1)?].is("#") {
            return None;
        }
        let inner = &tokens[open + 1..at - 1];
        if let [key, equals, value] = inner
            && key.is("path")
            && equals.is("=")
            && value.kind == TokenKind::Str
        {
            return Some(value.text.clone());
        }
        at = open.checked_sub(1)?;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tree of files in a temporary folder: (path, text).
    fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let path = dir.path().join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        dir
    }

    /// The path's files as `path lines` strings, in order.
    fn listed(path: &ReadingPath) -> Vec<String> {
        let file = |(file, lines): &(PathBuf, usize)| {
            format!("{} {lines}", file.display())
        };
        path.files.iter().map(file).collect()
    }

    #[test]
    fn code_lines_leave_out_blanks_comments_and_tests() {
        let text = r#"//! A module doc.

/// A function.
pub fn one() -> &'static str { /* inline */ "//" }
/* A block
   comment */
/* nested /* comments */ end */ const TWO: char = '"';
const HELP: &str = "a line

/* not a comment";
#[cfg(test)]
#[allow(unused)]
const ALSO_TEST: [u8; 2] = [0, { 1 }];
#[cfg(test)]
mod tests {
    fn brace() -> char { '}' }
}
fn three<'a>(x: &'a str) -> &'a str { x }
"#;
        // `one`, the line after the nested comment, `HELP`'s two lines
        // with text, and `three`.
        assert_eq!(code_lines(text), 5);
    }

    #[test]
    fn raw_strings_and_byte_strings_hide_what_they_hold() {
        let text = "const A: &str = r#\"use crate::x; \"mod z;\" \"#;\n\
                    const B: &[u8] = br\"mod y;\";\n\
                    const C: u8 = b'\\'';\n\
                    use crate::z;\n";
        let items = items(&without_tests(lex(text)));
        assert!(items.mods.is_empty(), "{:?}", items.mods);
        let paths: Vec<_> = items.paths.iter().map(|p| &p.segments).collect();
        assert_eq!(paths, [&["crate", "z"]]);
        assert_eq!(code_lines(text), 4);
    }

    #[test]
    fn use_trees_expand_to_every_path_they_name() {
        let text = "pub(crate) use a::{b, c::{d as e, self}, f::*};\n\
                    use self::g;\n\
                    fn h() { crate::i::j(); x::crate::k(); super::super::l; }\n";
        let items = items(&lex(text));
        let paths: Vec<(String, bool)> = (items.paths.iter())
            .map(|p| (p.segments.join("::"), p.in_use))
            .collect();
        let want = [
            ("a::b", true),
            ("a::c::d", true),
            ("a::c", true),
            ("a::f", true),
            ("self::g", true),
            ("crate::i::j", false),
            ("super::super::l", false),
        ];
        let want: Vec<(String, bool)> =
            want.iter().map(|&(p, u)| (p.to_string(), u)).collect();
        assert_eq!(paths, want);
    }

    #[test]
    fn mod_declarations_keep_their_path_and_inline_modules() {
        let text = "#[path = \"../common/cli.rs\"]\nmod cli;\n\
                    #[allow(dead_code)]\npub(crate) mod report;\n\
                    mod outer { #[path = \"x.rs\"] mod inner; }\n\
                    #[cfg(test)]\nmod tests;\n";
        let items = items(&without_tests(lex(text)));
        let module =
            |name: &str, path: Option<&str>, inline: &[&str]| ModDecl {
                name: name.to_string(),
                path: path.map(str::to_string),
                inline: inline.iter().map(|s| s.to_string()).collect(),
            };
        assert_eq!(
            items.mods,
            [
                module("cli", Some("../common/cli.rs"), &[]),
                module("report", None, &[]),
                module("inner", Some("x.rs"), &["outer"]),
            ]
        );
    }

    /// A program with a module of its own beside it (a `#[path]`, as
    /// `bin/smtp_raw.rs` has), a shared one, and a library whose files
    /// reach each other every way a path can.
    const TREE: &[(&str, &str)] = &[
        (
            "bin/prog.rs",
            "#[path = \"prog/talk.rs\"]\nmod talk;\n\
             #[path = \"common/cli.rs\"]\nmod cli;\n\
             use inet::{deadline::calls::wait, smtp};\n\
             fn main() { talk::go(); crate::cli::parse(); }\n",
        ),
        (
            "bin/prog/talk.rs",
            "pub fn go() {\n    inet::line::read();\n}\n",
        ),
        // `crate::` in a program names the program's modules, not the
        // library's: no `src/cli.rs` on the path.
        ("bin/common/cli.rs", "use crate::talk;\npub fn parse() {}\n"),
        ("src/cli.rs", "pub fn parse() {}\n"),
        (
            "src/lib.rs",
            "pub mod cli;\npub mod deadline;\npub mod line;\n",
        ),
        // The module around `calls` is on the path; `mod`s reach nothing.
        ("src/deadline.rs", "pub mod calls;\npub mod unused;\n"),
        ("src/deadline/calls.rs", "pub fn wait() {}\n"),
        ("src/deadline/unused.rs", "pub fn never() {}\n"),
        (
            "src/line.rs",
            "use crate::blocking::Stop;\npub fn read() {}\n",
        ),
        ("src/blocking.rs", "pub struct Stop;\n"),
        // A re-export leads on from the module file.
        ("src/smtp/mod.rs", "mod reply;\npub use reply::Reply;\n"),
        ("src/smtp/reply.rs", "use super::super::port::Port;\n"),
        (
            "src/port.rs",
            "pub struct Port;\n#[cfg(test)]\nmod tests {\n}\n",
        ),
    ];

    #[test]
    fn a_path_takes_in_declared_modules_named_files_and_their_modules() {
        let dir = tree(TREE);
        let path = reading_path(dir.path(), Path::new("bin/prog.rs")).unwrap();
        assert_eq!(
            listed(&path),
            [
                "bin/prog.rs 6",
                "bin/prog/talk.rs 3",
                "bin/common/cli.rs 2",
                "src/deadline/calls.rs 1",
                "src/smtp/mod.rs 2",
                "src/line.rs 2",
                "src/deadline.rs 2",
                "src/smtp/reply.rs 1",
                "src/blocking.rs 1",
                "src/port.rs 1",
            ]
        );
        assert_eq!(path.lines(), 21);
        let biggest = path.biggest_first();
        assert_eq!(biggest[0], (PathBuf::from("bin/prog.rs"), 6));
        assert_eq!(biggest[1], (PathBuf::from("bin/prog/talk.rs"), 3));
    }

    #[test]
    fn a_module_is_found_beside_a_root_and_under_any_other_file() {
        let dir = tree(&[
            ("bin/app/main.rs", "mod a;\nmod b;\n"),
            ("bin/app/a.rs", "mod inner;\n"),
            ("bin/app/a/inner.rs", "mod deep { mod deeper; }\n"),
            ("bin/app/a/inner/deep/deeper.rs", "\n"),
            ("bin/app/b/mod.rs", "mod c;\n"),
            ("bin/app/b/c.rs", "pub fn c() {}\n"),
            // Beside `a.rs` rather than under `a/`: not the module.
            ("bin/app/inner.rs", "\n"),
        ]);
        let path = reading_path(dir.path(), Path::new("bin/app/main.rs"));
        assert_eq!(
            listed(&path.unwrap()),
            [
                "bin/app/main.rs 2",
                "bin/app/a.rs 1",
                "bin/app/b/mod.rs 1",
                "bin/app/a/inner.rs 1",
                "bin/app/b/c.rs 1",
                "bin/app/a/inner/deep/deeper.rs 0",
            ]
        );
    }

    #[test]
    fn a_missing_module_is_an_error_that_names_it() {
        let dir = tree(&[("bin/app.rs", "mod gone;\n")]);
        let path = reading_path(dir.path(), Path::new("bin/app.rs"));
        assert_eq!(
            path,
            Err("`bin/app.rs` declares `mod gone`, but there is no \
                 `bin/gone.rs` or `bin/gone/mod.rs`"
                .to_string())
        );
    }

    #[test]
    fn programs_are_the_bin_tables_of_cargo_toml() {
        let toml = "[package]\nname = \"x\"\n\n[[bin]]\nname = \"a-b\"\n\
                    path = \"bin/a_b.rs\" # the root\ntest = false\n\n\
                    [[bin]]\nname = \"c\"\n\n[[example]]\nname = \"e\"\n";
        let programs = programs(toml);
        let want = [("a-b", "bin/a_b.rs"), ("c", "src/bin/c.rs")];
        let want = want.map(|(n, p)| (n.to_string(), PathBuf::from(p)));
        assert_eq!(programs, BTreeMap::from(want));
    }
}

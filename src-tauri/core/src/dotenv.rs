//! Reading and writing `.env` files the way python-dotenv 1.2 reads them.
//!
//! `.env` has no standard; python-dotenv's `dotenv_values()` is the reference most tools follow,
//! so [`parse`] reproduces its grammar (`dotenv/parser.py`) and its `${VAR}` expansion
//! (`dotenv/variables.py`) rule for rule, and [`emit`] writes text that python-dotenv and
//! [`parse`] both read back unchanged.
//!
//! Deliberate differences from python-dotenv:
//! - Where python-dotenv logs a warning and skips a statement, [`parse`] refuses the whole file: an
//!   import that silently drops a secret is worse than one that stops and names the line.
//! - A key with no `=` (python-dotenv: value `None`) is an error too: there is nothing to store.
//! - The text is read as Python reads a file (`dotenv_values(path)`): inside quotes, `\r\n` and a
//!   lone `\r` become `\n`. (`dotenv_values(stream=...)` would keep them.)
//! - `${}` and `${:-default}` never consult `lookup`: no environment variable has an empty name,
//!   and [`emit`] relies on `${:-$}` always meaning `$`.
//!
//! No secret reaches an error, a `Debug` output or a panic: errors carry the line number and, when
//! it is a plain name, the key; never the text of a value.

use std::collections::HashMap;
use std::fmt;

use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// One assignment read from a .env file.
#[derive(Clone, PartialEq, Eq)]
pub struct Entry {
    pub key: String,
    pub value: Zeroizing<String>,
    /// 1-based line where the assignment starts.
    pub line: usize,
}

/// Redacts the value: entries end up in logs and test failure output.
impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Entry")
            .field("key", &self.key)
            .field("line", &self.line)
            .finish_non_exhaustive()
    }
}

/// Parses .env text as python-dotenv's `dotenv_values(interpolate=True)` reads it.
///
/// `lookup` resolves `${VAR}` names not defined earlier in the file (the caller passes the process
/// environment, or `|_| None`).
///
/// Every assignment is returned, in file order. A key may repeat: as in python-dotenv's dict, the
/// later assignment overrides the earlier one, so callers apply the entries in order (or keep the
/// last of each key). A `${KEY}` sees the value KEY has at that point of the file.
///
/// # Errors
///
/// All or nothing: the first malformed statement is `Error::Dotenv { line, reason }` naming the
/// 1-based line where it starts and what is wrong; no entries are returned.
pub fn parse(input: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<Vec<Entry>> {
    // Python strips one leading byte-order mark before parsing.
    let text = input.strip_prefix('\u{feff}').unwrap_or(input);
    let mut cursor = Cursor { rest: text, line: 1 };
    let mut entries: Vec<Entry> = Vec::new();
    let mut defined: HashMap<String, usize> = HashMap::new();
    while let Some(statement) = cursor.statement()? {
        let value = expand(statement.value, &entries, &defined, lookup);
        defined.insert(statement.key.clone(), entries.len());
        entries.push(Entry {
            key: statement.key,
            value,
            line: statement.line,
        });
    }
    Ok(entries)
}

/// Writes entries so that python-dotenv (and `parse`) read back exactly the same keys and values.
///
/// Each entry becomes one `KEY='value'` line. Inside the quotes `\` and `'` are escaped and
/// newlines are kept as they are. python-dotenv expands `${...}` even in single quotes, so every
/// `${` is written as `${:-$}{` (an empty name, hence the default `$`). A value holding a carriage
/// return is double-quoted with `\r` and `\n` escapes instead, because Python reads files with
/// universal newlines and would turn a raw `\r` into `\n`.
///
/// # Errors
///
/// Values are bytes; a value that is not UTF-8 is `Error::DotenvValueNotText { key }`. A key that
/// cannot be written as is (empty, holding whitespace, `=`, `#` or `'`, or starting with a
/// byte-order mark) is `Error::InvalidName`.
pub fn emit<'a>(entries: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Result<Zeroizing<String>> {
    let mut checked: Vec<(&str, &str)> = Vec::new();
    for (key, bytes) in entries {
        check_key(key)?;
        let value = std::str::from_utf8(bytes).map_err(|_| Error::DotenvValueNotText { key: key.to_owned() })?;
        checked.push((key, value));
    }
    // Sized once up front: a growing String would leave copies of earlier values in freed memory.
    // Escaping at most quadruples a value (`${` becomes 7 bytes); see MAX_EXTRA_PER_ENTRY.
    let capacity = checked.iter().fold(0usize, |sum, (key, value)| {
        sum.saturating_add(key.len())
            .saturating_add(value.len().saturating_mul(4))
            .saturating_add(MAX_EXTRA_PER_ENTRY)
    });
    let mut out = Zeroizing::new(String::with_capacity(capacity));
    for (key, value) in checked {
        out.push_str(key);
        out.push('=');
        push_quoted(&mut out, value);
        out.push('\n');
    }
    Ok(out)
}

/// Bytes an entry takes beyond its key and four times its value: `=`, two quotes, `\n`, and the 3
/// more that a final backslash costs (7 bytes for 1).
const MAX_EXTRA_PER_ENTRY: usize = 7;

/// Refuses keys that python-dotenv would read back differently when written unquoted.
fn check_key(key: &str) -> Result<()> {
    let reason = if key.is_empty() {
        "it is empty"
    } else if key.starts_with('\u{feff}') {
        "it starts with a byte-order mark, which a .env reader drops"
    } else if key.chars().any(|c| is_space(c) || matches!(c, '=' | '#' | '\'')) {
        "a .env key cannot contain whitespace, '=', '#' or a single quote"
    } else {
        return Ok(());
    };
    Err(Error::InvalidName {
        what: ".env key",
        name: key.to_owned(),
        reason,
    })
}

/// Appends `value` as a quoted .env value (see [`emit`] for the rules).
fn push_quoted(out: &mut String, value: &str) {
    let double = value.contains('\r');
    let quote = if double { '"' } else { '\'' };
    out.push(quote);
    let mut chars = value.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // python-dotenv before 1.2 would take `\\'` at the end for an escaped quote and read on
            // into the next line; `${:-\\}` decodes to `${:-\}`, which expands to `\`.
            '\\' if chars.peek().is_none() => out.push_str("${:-\\\\}"),
            '\\' => out.push_str("\\\\"),
            '\r' if double => out.push_str("\\r"),
            '\n' if double => out.push_str("\\n"),
            // The `{` that follows is written by the next turn of the loop.
            '$' if chars.peek() == Some(&'{') => out.push_str("${:-$}"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
}

/// Python's `str.isspace()`, which is also what `\s` matches in its `re`: Unicode `White_Space`
/// plus the separators U+001C..U+001F, which Rust's `char::is_whitespace` leaves out.
fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// python-dotenv's "horizontal" whitespace, `[^\S\r\n]`: any `\s` but the two line-break chars.
fn is_blank(c: char) -> bool {
    is_space(c) && c != '\r' && c != '\n'
}

fn fail(line: usize, reason: impl Into<String>) -> Error {
    Error::Dotenv {
        line,
        reason: reason.into(),
    }
}

/// How an error names a key: as written when it is a plain name, otherwise by its place only,
/// because a quoted key can run over several lines and take in text that was meant as a value.
fn key_label(key: &str) -> String {
    let plain = key.len() <= 100 && !key.chars().any(|c| c.is_control() || is_space(c));
    if plain && !key.is_empty() {
        key.to_owned()
    } else {
        "the key on this line".to_owned()
    }
}

/// A statement's value before `${...}` expansion.
enum Raw<'a> {
    /// An unquoted value, still a slice of the input.
    Text(&'a str),
    /// A quoted value with its escapes decoded.
    Decoded(Zeroizing<String>),
}

impl Raw<'_> {
    fn as_str(&self) -> &str {
        match self {
            Raw::Text(text) => text,
            Raw::Decoded(text) => text.as_str(),
        }
    }
}

/// One `KEY=VALUE` statement.
struct Statement<'a> {
    line: usize,
    key: String,
    value: Raw<'a>,
}

/// The unread part of the input and the line it starts on.
struct Cursor<'a> {
    rest: &'a str,
    line: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<char> {
        self.rest.chars().next()
    }

    /// Consumes the next `len` bytes (ending on a char boundary) and returns them.
    fn advance(&mut self, len: usize) -> &'a str {
        let (taken, rest) = self.rest.split_at_checked(len).unwrap_or((self.rest, ""));
        self.line += line_breaks(taken, rest);
        self.rest = rest;
        taken
    }

    /// Consumes chars while `keep` holds; returns how many bytes that was.
    fn skip_while(&mut self, keep: impl Fn(char) -> bool) -> usize {
        let len = self.rest.find(|c| !keep(c)).unwrap_or(self.rest.len());
        self.advance(len);
        len
    }

    fn eat(&mut self, c: char) -> bool {
        if self.rest.starts_with(c) {
            self.advance(c.len_utf8());
            true
        } else {
            false
        }
    }

    fn skip_to_line_end(&mut self) {
        let len = self.rest.find(['\r', '\n']).unwrap_or(self.rest.len());
        self.advance(len);
    }

    /// Optional blanks and `# comment`.
    fn skip_comment(&mut self) {
        self.skip_while(is_blank);
        if self.peek() == Some('#') {
            self.skip_to_line_end();
        }
    }

    /// Blanks then a line break or the end of the input; `false` if something else is there.
    fn end_of_line(&mut self) -> bool {
        self.skip_while(is_blank);
        for newline in ["\r\n", "\n", "\r"] {
            if self.rest.starts_with(newline) {
                self.advance(newline.len());
                return true;
            }
        }
        self.rest.is_empty()
    }

    /// The next assignment, skipping blank lines and comments; `None` at the end of the input.
    fn statement(&mut self) -> Result<Option<Statement<'a>>> {
        loop {
            self.skip_while(is_space);
            if self.rest.is_empty() {
                return Ok(None);
            }
            let line = self.line;
            self.skip_export();
            if self.peek() == Some('#') {
                // A comment line; python-dotenv also skips `export # ...`.
                self.skip_to_line_end();
                self.end_of_line();
                continue;
            }
            return self.assignment(line).map(Some);
        }
    }

    /// `export` is a prefix only when blanks follow it: `export=1` sets a key named `export`.
    fn skip_export(&mut self) {
        if let Some(after) = self.rest.strip_prefix("export") {
            if after.starts_with(is_blank) {
                self.advance("export".len());
                self.skip_while(is_blank);
            }
        }
    }

    fn assignment(&mut self, line: usize) -> Result<Statement<'a>> {
        let key = self.key(line)?;
        self.skip_while(is_blank);
        if !self.eat('=') {
            // A bare word is not named: it may be a secret pasted on a line of its own.
            self.skip_comment();
            let reason = if self.end_of_line() {
                "the statement has no '=' (a key without a value)"
            } else {
                "expected '=' after the key"
            };
            return Err(fail(line, reason));
        }
        let spaced = self.skip_while(is_blank) > 0;
        // `KEY= # note` is an empty value, but `KEY=#x` is the value `#x`.
        let value = if spaced && self.peek() == Some('#') {
            Raw::Text("")
        } else {
            self.value(line, &key)?
        };
        self.skip_comment();
        if !self.end_of_line() {
            return Err(fail(
                line,
                format!(
                    "unexpected text after the closing quote of the value of {}",
                    key_label(&key)
                ),
            ));
        }
        Ok(Statement { line, key, value })
    }

    /// A key: `'quoted'` (any chars but `'`, newlines included) or a run of chars other than
    /// whitespace, `=` and `#`.
    fn key(&mut self, line: usize) -> Result<String> {
        let rest = self.rest;
        if let Some(body) = rest.strip_prefix('\'') {
            return match body.find('\'') {
                Some(0) => Err(fail(line, "the quoted key '' is empty")),
                Some(len) => {
                    self.advance(len + 2);
                    Ok(universal_newlines(body.get(..len).unwrap_or("")).collect())
                }
                None => Err(fail(line, "unterminated quoted key (no closing ')")),
            };
        }
        let len = rest.find(|c| c == '=' || c == '#' || is_space(c)).unwrap_or(rest.len());
        if len > 0 {
            Ok(self.advance(len).to_owned())
        } else if self.peek() == Some('=') {
            Err(fail(line, "expected KEY=VALUE, but there is no key before '='"))
        } else {
            Err(fail(line, "expected KEY=VALUE after 'export'"))
        }
    }

    fn value(&mut self, line: usize, key: &str) -> Result<Raw<'a>> {
        let (quote, kind, escape): (u8, &str, Escape) = match self.peek() {
            Some('\'') => (b'\'', "single", single_quote_escape),
            Some('"') => (b'"', "double", double_quote_escape),
            None | Some('\r' | '\n') => return Ok(Raw::Text("")),
            Some(_) => return Ok(Raw::Text(self.unquoted())),
        };
        let rest = self.rest;
        let body = rest.get(1..).unwrap_or("");
        let Some(content) = closing_quote(body, quote).and_then(|len| body.get(..len)) else {
            let reason = format!("unterminated {kind}-quoted value for {}", key_label(key));
            return Err(fail(line, reason));
        };
        self.advance(content.len() + 2);
        Ok(Raw::Decoded(unescape(content, escape)))
    }

    /// The rest of the line, cut at the first `#` that follows whitespace, trailing space trimmed.
    fn unquoted(&mut self) -> &'a str {
        let len = self.rest.find(['\r', '\n']).unwrap_or(self.rest.len());
        let text = self.advance(len);
        let mut blank_from = None;
        let mut cut = text.len();
        for (i, c) in text.char_indices() {
            if is_space(c) {
                blank_from.get_or_insert(i);
            } else if let (Some(from), '#') = (blank_from, c) {
                cut = from;
                break;
            } else {
                blank_from = None;
            }
        }
        text.get(..cut).unwrap_or(text).trim_end_matches(is_space)
    }
}

/// Counts line breaks in `taken`; `\r\n` is one break even when `after` holds its `\n`.
fn line_breaks(taken: &str, after: &str) -> usize {
    let bytes = taken.as_bytes();
    let mut count = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let next = bytes.get(i + 1).or_else(|| after.as_bytes().first());
        if b == b'\n' || (b == b'\r' && next != Some(&b'\n')) {
            count += 1;
        }
    }
    count
}

/// Byte length of a quoted value's content: up to the first `quote` not escaped by a backslash.
/// A backslash always takes the next char with it, as in python-dotenv's `(?:\\.|[^"\\])*`.
fn closing_quote(body: &str, quote: u8) -> Option<usize> {
    let bytes = body.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == quote {
            return Some(i);
        }
        // Skipping one byte after `\` is enough: the rest of a multi-byte char is never ASCII.
        i += if b == b'\\' { 2 } else { 1 };
    }
    None
}

/// Maps the char after a backslash to what the pair decodes to; `None` keeps both chars.
type Escape = fn(char) -> Option<char>;

/// `\\` and `\'` are the only escapes decoded inside single quotes.
fn single_quote_escape(c: char) -> Option<char> {
    matches!(c, '\\' | '\'').then_some(c)
}

/// The escapes decoded inside double quotes; any other `\x` is kept as the two chars.
fn double_quote_escape(c: char) -> Option<char> {
    Some(match c {
        '\\' | '\'' | '"' => c,
        'a' => '\u{7}',
        'b' => '\u{8}',
        'f' => '\u{c}',
        'n' => '\n',
        'r' => '\r',
        't' => '\t',
        'v' => '\u{b}',
        _ => return None,
    })
}

/// Decodes a quoted value's escapes. Never longer than `content`, so the buffer never regrows.
fn unescape(content: &str, escape: Escape) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(content.len()));
    let mut chars = universal_newlines(content);
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some(e) => match escape(e) {
                Some(decoded) => out.push(decoded),
                None => {
                    out.push('\\');
                    out.push(e);
                }
            },
            None => out.push('\\'),
        }
    }
    out
}

/// The chars of `text` with `\r\n` and a lone `\r` read as `\n`, as Python's universal-newline
/// file reading hands them to python-dotenv.
fn universal_newlines(text: &str) -> impl Iterator<Item = char> + '_ {
    let mut chars = text.chars().peekable();
    std::iter::from_fn(move || {
        let c = chars.next()?;
        if c == '\r' {
            chars.next_if_eq(&'\n');
            return Some('\n');
        }
        Some(c)
    })
}

/// Part of a value being expanded.
enum Piece<'a> {
    Text(&'a str),
    Found(Zeroizing<String>),
}

impl Piece<'_> {
    fn as_str(&self) -> &str {
        match self {
            Piece::Text(text) => text,
            Piece::Found(text) => text.as_str(),
        }
    }
}

/// Expands `${NAME}` and `${NAME:-default}` in a value, as python-dotenv does for every value,
/// quoted or not. A name resolves to the latest earlier assignment in the file, else `lookup`,
/// else the default, else "". The result is not expanded again.
fn expand(
    raw: Raw<'_>,
    entries: &[Entry],
    defined: &HashMap<String, usize>,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Zeroizing<String> {
    if !raw.as_str().contains("${") {
        return match raw {
            Raw::Text(text) => Zeroizing::new(text.to_owned()),
            Raw::Decoded(text) => text,
        };
    }
    let mut pieces = Vec::new();
    for part in split_references(raw.as_str()) {
        pieces.push(match part {
            Part::Literal(text) => Piece::Text(text),
            Part::Variable { name, default } => {
                if let Some(entry) = defined.get(name).and_then(|&i| entries.get(i)) {
                    Piece::Text(entry.value.as_str())
                } else if let Some(found) = lookup_named(name, lookup) {
                    Piece::Found(found)
                } else {
                    Piece::Text(default.unwrap_or(""))
                }
            }
        });
    }
    // Sized once: a growing String would leave copies of the value in freed memory.
    let len = pieces.iter().map(|p| p.as_str().len()).sum();
    let mut out = Zeroizing::new(String::with_capacity(len));
    for piece in &pieces {
        out.push_str(piece.as_str());
    }
    out
}

/// `lookup`, except for the empty name: no environment holds one, and `emit` relies on `${:-$}`
/// always giving `$`.
fn lookup_named(name: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Option<Zeroizing<String>> {
    if name.is_empty() {
        return None;
    }
    lookup(name).map(Zeroizing::new)
}

/// A value split at its `${...}` references.
#[derive(Debug, PartialEq)]
enum Part<'a> {
    Literal(&'a str),
    Variable { name: &'a str, default: Option<&'a str> },
}

/// Splits `raw` the way python-dotenv's `\$\{(?P<name>[^\}:]*)(?::-(?P<default>[^\}]*))?\}`
/// finds references, in linear time: when a reference fails to close, no later `${` can close
/// before the same point, so the scan never goes back over it.
fn split_references(raw: &str) -> Vec<Part<'_>> {
    let mut parts = Vec::new();
    let mut literal_from = 0;
    let mut at = 0;
    while let Some(found) = raw.get(at..).and_then(|rest| rest.find("${")) {
        let start = at + found;
        let body = raw.get(start + 2..).unwrap_or("");
        match reference(body) {
            Reference::Variable { name, default, len } => {
                if let Some(text) = raw.get(literal_from..start).filter(|t| !t.is_empty()) {
                    parts.push(Part::Literal(text));
                }
                parts.push(Part::Variable { name, default });
                at = start + 2 + len;
                literal_from = at;
            }
            Reference::NoneBefore(stop) => at = start + 2 + stop,
            Reference::NoneAtAll => break,
        }
    }
    if let Some(text) = raw.get(literal_from..).filter(|t| !t.is_empty()) {
        parts.push(Part::Literal(text));
    }
    parts
}

/// What follows a `${`.
enum Reference<'a> {
    /// A reference `len` bytes long (after the `${`).
    Variable {
        name: &'a str,
        default: Option<&'a str>,
        len: usize,
    },
    /// Not a reference, and neither is any `${` that starts before byte `stop` of the body.
    NoneBefore(usize),
    /// Not a reference, and no later `${` is one either.
    NoneAtAll,
}

/// Reads a reference body: the name runs to the first `}` or `:`; `:-` starts a default that
/// runs to the next `}`.
fn reference(body: &str) -> Reference<'_> {
    let Some(stop) = body.find(['}', ':']) else {
        // No `}` or `:` left, so nothing after this point can close either.
        return Reference::NoneAtAll;
    };
    let name = body.get(..stop).unwrap_or("");
    let after = body.get(stop..).unwrap_or("");
    if after.starts_with('}') {
        return Reference::Variable {
            name,
            default: None,
            len: stop + 1,
        };
    }
    let Some(default_text) = after.strip_prefix(":-") else {
        // A `:` without `-`: every `${` before it stops its name here and fails the same way.
        return Reference::NoneBefore(stop);
    };
    match default_text.find('}') {
        Some(end) => Reference::Variable {
            name,
            default: default_text.get(..end),
            len: stop + 2 + end + 1,
        },
        // No `}` after this point: no later `${` can close.
        None => Reference::NoneAtAll,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The process environment the differential harness gave python-dotenv.
    fn test_env(name: &str) -> Option<String> {
        match name {
            "ENV_SET" => Some("from-env".to_owned()),
            "ENV_EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    fn no_env(_: &str) -> Option<String> {
        None
    }

    /// Folds entries the way python-dotenv's dict does: first position, last value.
    fn as_dict(entries: &[Entry]) -> Vec<(String, String)> {
        let mut dict: Vec<(String, String)> = Vec::new();
        for entry in entries {
            let value = entry.value.as_str().to_owned();
            match dict.iter_mut().find(|(key, _)| *key == entry.key) {
                Some(slot) => slot.1 = value,
                None => dict.push((entry.key.clone(), value)),
            }
        }
        dict
    }

    fn pairs(entries: &[Entry]) -> Vec<(String, String)> {
        entries
            .iter()
            .map(|e| (e.key.clone(), e.value.as_str().to_owned()))
            .collect()
    }

    fn parse_err(input: &str) -> (usize, String) {
        match parse(input, &no_env) {
            Err(Error::Dotenv { line, reason }) => (line, reason),
            other => panic!("expected a Dotenv error for {input:?}, got {other:?}"),
        }
    }

    type Dict = &'static [(&'static str, &'static str)];

    /// Input, and what python-dotenv 1.2.4's `dotenv_values(path, interpolate=True)` returned for
    /// it with the environment of `test_env` (generated by a differential harness, not by hand).
    /// `None` where python-dotenv warned about a statement or gave a key the value `None`: `parse`
    /// refuses those files. The `\r` cases inside quotes follow Python's universal-newline file
    /// reading; `dotenv_values(stream=...)` would keep the `\r`.
    #[rustfmt::skip]
    const PYTHON_DOTENV: &[(&str, Option<Dict>)] = &[
    ("A=1", Some(&[("A", "1")])),
    ("A=1\nB=2", Some(&[("A", "1"), ("B", "2")])),
    ("A=1\r\nB=2\r\n", Some(&[("A", "1"), ("B", "2")])),
    ("A=1\rB=2\r", Some(&[("A", "1"), ("B", "2")])),
    ("\n\n  A=1\n\n", Some(&[("A", "1")])),
    ("", Some(&[])),
    ("\n", Some(&[])),
    ("   \n\t\n", Some(&[])),
    ("# only a comment", Some(&[])),
    ("  # indented comment\nA=1", Some(&[("A", "1")])),
    ("#A=1", Some(&[])),
    ("A=1 # comment", Some(&[("A", "1")])),
    ("A=1# not a comment", Some(&[("A", "1# not a comment")])),
    ("A=1 #", Some(&[("A", "1")])),
    ("A= # comment", Some(&[("A", "")])),
    ("A=#novalue", Some(&[("A", "#novalue")])),
    ("A=\t#c", Some(&[("A", "")])),
    ("A=", Some(&[("A", "")])),
    ("A=   ", Some(&[("A", "")])),
    ("A=\nB=", Some(&[("A", ""), ("B", "")])),
    ("A=  \r\nB=x", Some(&[("A", ""), ("B", "x")])),
    ("A =1", Some(&[("A", "1")])),
    ("A= 1", Some(&[("A", "1")])),
    ("A = 1 ", Some(&[("A", "1")])),
    ("  A=1", Some(&[("A", "1")])),
    ("\tA=1", Some(&[("A", "1")])),
    ("A=a b c", Some(&[("A", "a b c")])),
    ("A=a  b   ", Some(&[("A", "a  b")])),
    ("A=a\tb\t#c", Some(&[("A", "a\tb")])),
    ("A=a\u{a0}#c", Some(&[("A", "a")])),
    ("A=a\u{a0}", Some(&[("A", "a")])),
    ("A=a\u{3000}#c", Some(&[("A", "a")])),
    ("A=a\u{1c}#c", Some(&[("A", "a")])),
    ("A=a\u{b}", Some(&[("A", "a")])),
    ("A=\u{b}b", Some(&[("A", "b")])),
    ("A=a\u{85}b", Some(&[("A", "a\u{85}b")])),
    ("A=a\u{2028}b", Some(&[("A", "a\u{2028}b")])),
    ("export A=1", Some(&[("A", "1")])),
    ("export  A=1", Some(&[("A", "1")])),
    ("export\tA=1", Some(&[("A", "1")])),
    ("export A =1", Some(&[("A", "1")])),
    ("export=1", Some(&[("export", "1")])),
    ("export =1", None),
    ("exportA=1", Some(&[("exportA", "1")])),
    ("export", None),
    ("export ", None),
    ("export A", None),
    ("export # c", Some(&[])),
    ("export\nA=1", None),
    ("export export=1", Some(&[("export", "1")])),
    ("'A'=1", Some(&[("A", "1")])),
    ("'A B'=1", Some(&[("A B", "1")])),
    ("'a=b'=1", Some(&[("a=b", "1")])),
    ("'#x'=1", Some(&[("#x", "1")])),
    ("''=1", None),
    ("'A=1", None),
    ("'A\nB'=1", Some(&[("A\nB", "1")])),
    ("'A\r\nB'=1", Some(&[("A\nB", "1")])),
    ("a'b=1", Some(&[("a'b", "1")])),
    ("A.B-c/d=1", Some(&[("A.B-c/d", "1")])),
    ("=1", None),
    (" =1", None),
    ("A", None),
    ("A # comment", None),
    ("A\nB=1", None),
    ("A B=1", None),
    ("A B", None),
    ("A 'x'", None),
    ("\u{e9}=1", Some(&[("\u{e9}", "1")])),
    ("K\u{e9}y=v\u{e9}", Some(&[("K\u{e9}y", "v\u{e9}")])),
    ("\u{feff}A=1", Some(&[("A", "1")])),
    ("\u{feff}\u{feff}A=1", Some(&[("\u{feff}A", "1")])),
    (" \u{feff}A=1", Some(&[("\u{feff}A", "1")])),
    ("A\u{1c}B=1", None),
    ("A\u{a0}B=1", None),
    ("A='x'", Some(&[("A", "x")])),
    ("A=''", Some(&[("A", "")])),
    ("A='a b'", Some(&[("A", "a b")])),
    ("A=' a '", Some(&[("A", " a ")])),
    ("A='a#b'", Some(&[("A", "a#b")])),
    ("A='a' # c", Some(&[("A", "a")])),
    ("A='a'#c", Some(&[("A", "a")])),
    ("A='a'x", None),
    ("A='a' x", None),
    ("A='a", None),
    ("A='a\nb'", Some(&[("A", "a\nb")])),
    ("A='a\r\nb'", Some(&[("A", "a\nb")])),
    ("A='a\rb'", Some(&[("A", "a\nb")])),
    ("A='\\''", Some(&[("A", "'")])),
    ("A='\\\\'", Some(&[("A", "\\")])),
    ("A='\\n'", Some(&[("A", "\\n")])),
    ("A='\\\"'", Some(&[("A", "\\\"")])),
    ("A='a\\'", None),
    ("A='a\\\\' # c", Some(&[("A", "a\\")])),
    ("A='\\", None),
    ("A='\\x'", Some(&[("A", "\\x")])),
    ("A='it\\'s'", Some(&[("A", "it's")])),
    ("A='\"'", Some(&[("A", "\"")])),
    ("A='a'  ", Some(&[("A", "a")])),
    ("A='a'\t#c\nB=2", Some(&[("A", "a"), ("B", "2")])),
    ("A='x'\nB='y'", Some(&[("A", "x"), ("B", "y")])),
    ("A='a\\\nb'", Some(&[("A", "a\\\nb")])),
    ("A='a\\\r\nb'", Some(&[("A", "a\\\nb")])),
    ("A=\"x\"", Some(&[("A", "x")])),
    ("A=\"\"", Some(&[("A", "")])),
    ("A=\"a b\"", Some(&[("A", "a b")])),
    ("A=\"a\\nb\"", Some(&[("A", "a\nb")])),
    ("A=\"a\\tb\"", Some(&[("A", "a\tb")])),
    ("A=\"\\a\\b\\f\\n\\r\\t\\v\"", Some(&[("A", "\u{7}\u{8}\u{c}\n\r\t\u{b}")])),
    ("A=\"\\\\\"", Some(&[("A", "\\")])),
    ("A=\"\\'\"", Some(&[("A", "'")])),
    ("A=\"\\\"\"", Some(&[("A", "\"")])),
    ("A=\"\\x\"", Some(&[("A", "\\x")])),
    ("A=\"\\u0041\"", Some(&[("A", "\\u0041")])),
    ("A=\"\\0\"", Some(&[("A", "\\0")])),
    ("A=\"\\$\"", Some(&[("A", "\\$")])),
    ("A=\"a", None),
    ("A=\"a\nb\"", Some(&[("A", "a\nb")])),
    ("A=\"a\r\nb\"", Some(&[("A", "a\nb")])),
    ("A=\"a\rb\"", Some(&[("A", "a\nb")])),
    ("A=\"a\"b", None),
    ("A=\"a\" # c", Some(&[("A", "a")])),
    ("A=\"a\"#c", Some(&[("A", "a")])),
    ("A=\"\\", None),
    ("A=\"a\\\"", None),
    ("A=\"a\\\\\"", Some(&[("A", "a\\")])),
    ("A=\"a\\\\\"x", None),
    ("A=\"x\"\nB=\"y\"", Some(&[("A", "x"), ("B", "y")])),
    ("A=\"a\\\nb\"", Some(&[("A", "a\\\nb")])),
    ("A=\"a\\\rb\"", Some(&[("A", "a\\\nb")])),
    ("A=\"a\\\r\nb\"", Some(&[("A", "a\\\nb")])),
    ("A=\"'\"", Some(&[("A", "'")])),
    ("A=\"a'b\"", Some(&[("A", "a'b")])),
    ("A=a'b", Some(&[("A", "a'b")])),
    ("A=a\"b", Some(&[("A", "a\"b")])),
    ("A=a'", Some(&[("A", "a'")])),
    ("A=\\n", Some(&[("A", "\\n")])),
    ("A=a\\ b", Some(&[("A", "a\\ b")])),
    ("A=\"", None),
    ("A='", None),
    ("A=a=b", Some(&[("A", "a=b")])),
    ("A==", Some(&[("A", "=")])),
    ("A=a #b #c", Some(&[("A", "a")])),
    ("A=#a #b", Some(&[("A", "#a")])),
    ("A=1\nB=${A}", Some(&[("A", "1"), ("B", "1")])),
    ("B=${A}\nA=1", Some(&[("B", ""), ("A", "1")])),
    ("A=1\nB='${A}'", Some(&[("A", "1"), ("B", "1")])),
    ("A=1\nB=\"${A}\"", Some(&[("A", "1"), ("B", "1")])),
    ("A=1\nB=$A", Some(&[("A", "1"), ("B", "$A")])),
    ("B=${UNDEFINED}", Some(&[("B", "")])),
    ("B=${UNDEFINED:-dflt}", Some(&[("B", "dflt")])),
    ("B=${ENV_SET}", Some(&[("B", "from-env")])),
    ("B=${ENV_SET:-d}", Some(&[("B", "from-env")])),
    ("B=${ENV_EMPTY:-d}", Some(&[("B", "")])),
    ("A=\nB=${A:-d}", Some(&[("A", ""), ("B", "")])),
    ("A=file\nB=${ENV_SET}\nENV_SET=over\nC=${ENV_SET}", Some(&[("A", "file"), ("B", "from-env"), ("ENV_SET", "over"), ("C", "over")])),
    ("A=1\nA=${A}2\nA=${A}3", Some(&[("A", "123")])),
    ("A=${A}", Some(&[("A", "")])),
    ("B=${}", Some(&[("B", "")])),
    ("B=${:-x}", Some(&[("B", "x")])),
    ("B=${:-$}{A}", Some(&[("B", "${A}")])),
    ("A=1\nB=${:-$}{A}", Some(&[("A", "1"), ("B", "${A}")])),
    ("B=${A", Some(&[("B", "${A")])),
    ("B=${A:x}", Some(&[("B", "${A:x}")])),
    ("B=${A:-x", Some(&[("B", "${A:-x")])),
    ("B=${A:-a:-b}", Some(&[("B", "a:-b")])),
    ("B=${A:-{}}", Some(&[("B", "{}")])),
    ("B=${A}}", Some(&[("B", "}")])),
    ("B=${${A}}", Some(&[("B", "}")])),
    ("A=1\nB=${${A}}", Some(&[("A", "1"), ("B", "}")])),
    ("B=$${A}", Some(&[("B", "$")])),
    ("A=1\nB=$${A}", Some(&[("A", "1"), ("B", "$1")])),
    ("B=${A:}", Some(&[("B", "${A:}")])),
    ("B=${A:-}", Some(&[("B", "")])),
    ("B=${ A }", Some(&[("B", "")])),
    ("' A '=1\nB=${ A }", Some(&[(" A ", "1"), ("B", "1")])),
    ("B=x${A:-d}y${ENV_SET}z", Some(&[("B", "xdyfrom-envz")])),
    ("B=${A:-${ENV_SET}}", Some(&[("B", "${ENV_SET}")])),
    ("B=${:x}${ENV_SET}", Some(&[("B", "${:x}from-env")])),
    ("B=${a:b${ENV_SET}", Some(&[("B", "${a:bfrom-env")])),
    ("B=${a:b}${ENV_SET}", Some(&[("B", "${a:b}from-env")])),
    ("B=${a${ENV_SET}", Some(&[("B", "")])),
    ("B=${a:-b${ENV_SET}", Some(&[("B", "b${ENV_SET")])),
    ("A=1\nB='x'\nC=${B}${A}", Some(&[("A", "1"), ("B", "x"), ("C", "x1")])),
    ("A='${ENV_SET}'", Some(&[("A", "from-env")])),
    ("A=\"\\${ENV_SET}\"", Some(&[("A", "\\from-env")])),
    ("A=${ENV_SET} # c", Some(&[("A", "from-env")])),
    ("A=${ENV_SET# c}", Some(&[("A", "")])),
    ("A=1 # ${B}", Some(&[("A", "1")])),
    ("A=\"a\" # ${B}", Some(&[("A", "a")])),
    ("A=1\nB=\"${A:-x}\"", Some(&[("A", "1"), ("B", "1")])),
    ("A=${ENV_SET:-}", Some(&[("A", "from-env")])),
    ("A=${\nENV_SET}", None),
    ("A=\"${\nENV_SET}\"", Some(&[("A", "")])),
    ("A=\"${A\n}\"", Some(&[("A", "")])),
    ("A='$'\nB=${A}{A}", Some(&[("A", "$"), ("B", "${A}")])),
    ("A=1 B=2", Some(&[("A", "1 B=2")])),
    ("A='1' B=2", None),
    ("A=1\n\n\n# c\nB=2\n   \nC=3", Some(&[("A", "1"), ("B", "2"), ("C", "3")])),
    ("A=1\r\n\r\nB='x\r\ny'\r\nC=3", Some(&[("A", "1"), ("B", "x\ny"), ("C", "3")])),
    ("A=\"multi\nline\nvalue\"\nB=2", Some(&[("A", "multi\nline\nvalue"), ("B", "2")])),
    ("A='multi\nline' # c\nB=2", Some(&[("A", "multi\nline"), ("B", "2")])),
    ];

    #[test]
    fn matches_python_dotenv() {
        for &(input, expected) in PYTHON_DOTENV {
            let got = parse(input, &test_env);
            match (expected, got) {
                (Some(want), Ok(entries)) => {
                    let want: Vec<(String, String)> = want.iter().map(|&(k, v)| (k.to_owned(), v.to_owned())).collect();
                    assert_eq!(as_dict(&entries), want, "input {input:?}");
                }
                (None, Err(Error::Dotenv { .. })) => {}
                (want, got) => panic!("input {input:?}: expected {want:?}, got {got:?}"),
            }
        }
    }

    /// A value, and the statement body `emit` writes for it (after `K=`). python-dotenv 1.0.1,
    /// 1.1.1 and 1.2.4 all read each of these back to the value, from a file and from a stream.
    #[rustfmt::skip]
    const EMITTED: &[(&str, &str)] = &[
    ("", "''"),
    (" ", "' '"),
    ("  lead", "'  lead'"),
    ("trail  ", "'trail  '"),
    (" both ", "' both '"),
    ("plain", "'plain'"),
    ("it's", "'it\\'s'"),
    ("'", "'\\''"),
    ("''", "'\\'\\''"),
    ("\"", "'\"'"),
    ("say \"hi\"", "'say \"hi\"'"),
    ("\\", "'${:-\\\\}'"),
    ("\\\\", "'\\\\${:-\\\\}'"),
    ("a\\", "'a${:-\\\\}'"),
    ("a\\\\", "'a\\\\${:-\\\\}'"),
    ("\\'", "'\\\\\\''"),
    ("\\\"", "'\\\\\"'"),
    ("\\n", "'\\\\n'"),
    ("${X}", "'${:-$}{X}'"),
    ("${HOME}", "'${:-$}{HOME}'"),
    ("$${X}", "'$${:-$}{X}'"),
    ("${", "'${:-$}{'"),
    ("${:-$}", "'${:-$}{:-$}'"),
    ("$", "'$'"),
    ("$$", "'$$'"),
    ("${X:-y}", "'${:-$}{X:-y}'"),
    ("${}", "'${:-$}{}'"),
    ("a${b}c${d:-e}f", "'a${:-$}{b}c${:-$}{d:-e}f'"),
    ("line1\nline2", "'line1\nline2'"),
    ("a\n", "'a\n'"),
    ("\n", "'\n'"),
    ("\r", "\"\\r\""),
    ("a\r\nb", "\"a\\r\\nb\""),
    ("crlf\r\n", "\"crlf\\r\\n\""),
    ("\r\r\n\n", "\"\\r\\r\\n\\n\""),
    ("#", "'#'"),
    (" # not a comment", "' # not a comment'"),
    ("a #b", "'a #b'"),
    ("#x", "'#x'"),
    ("unicode \u{e9} \u{fc} \u{6f22}\u{5b57} \u{1f642}", "'unicode \u{e9} \u{fc} \u{6f22}\u{5b57} \u{1f642}'"),
    ("\u{a0}nbsp\u{a0}", "'\u{a0}nbsp\u{a0}'"),
    ("\u{2028}", "'\u{2028}'"),
    ("\u{85}", "'\u{85}'"),
    ("\u{1c}", "'\u{1c}'"),
    ("\u{b}\u{c}", "'\u{b}\u{c}'"),
    ("\t", "'\t'"),
    ("\ttab\t", "'\ttab\t'"),
    ("\u{0}nul", "'\u{0}nul'"),
    ("=", "'='"),
    ("a=b", "'a=b'"),
    ("export X=1", "'export X=1'"),
    ("'quoted'", "'\\'quoted\\''"),
    ("\"dq\"", "'\"dq\"'"),
    ("\\${X}", "'\\\\${:-$}{X}'"),
    ("$\\{X}", "'$\\\\{X}'"),
    ("x'${A}'y", "'x\\'${:-$}{A}\\'y'"),
    ("\u{feff}", "'\u{feff}'"),
    ("\u{feff}bom", "'\u{feff}bom'"),
    ("sk-SECRET123", "'sk-SECRET123'"),
    ("\\\r\n", "\"\\\\\\r\\n\""),
    ("'\n'", "'\\'\n\\''"),
    ("\\\n", "'\\\\\n'"),
    ("${A}\r", "\"${:-$}{A}\\r\""),
    ];

    #[test]
    fn emit_writes_what_python_dotenv_reads_back() {
        for &(value, written) in EMITTED {
            let text = emit([("K", value.as_bytes())]).unwrap();
            assert_eq!(text.as_str(), format!("K={written}\n"), "value {value:?}");
            let back = parse(&text, &|_| Some("from-env".to_owned())).unwrap();
            assert_eq!(pairs(&back), [("K".to_owned(), value.to_owned())]);
        }
    }

    #[test]
    fn emit_writes_entries_in_order_one_statement_each() {
        let entries: [(&str, &[u8]); 3] = [("B", b"2"), ("A", b"it's"), ("B", b"")];
        let text = emit(entries).unwrap();
        assert_eq!(text.as_str(), "B='2'\nA='it\\'s'\nB=''\n");
        assert_eq!(emit(std::iter::empty()).unwrap().as_str(), "");
    }

    #[test]
    fn emit_refuses_a_value_that_is_not_text() {
        let err = emit([("OK", b"fine".as_slice()), ("BIN", b"\xffsk-SECRET123")]).unwrap_err();
        assert!(matches!(&err, Error::DotenvValueNotText { key } if key == "BIN"));
        assert!(!format!("{err} {err:?}").contains("SECRET123"));
    }

    #[test]
    fn emit_refuses_keys_it_cannot_write() {
        for key in [
            "",
            "A B",
            "A=B",
            "#A",
            "A#",
            "'A",
            "A'B",
            "A\u{1c}B",
            "A\u{a0}",
            "\u{feff}A",
        ] {
            let err = emit([(key, b"v".as_slice())]).unwrap_err();
            assert!(
                matches!(&err, Error::InvalidName { name, .. } if name == key),
                "key {key:?}: {err:?}"
            );
        }
        for key in ["A", "a.b-c/d", "\"A", "K\u{e9}y", "A\u{feff}", "$A{", "export"] {
            let text = emit([(key, b"v".as_slice())]).unwrap();
            assert_eq!(
                pairs(&parse(&text, &no_env).unwrap()),
                [(key.to_owned(), "v".to_owned())]
            );
        }
    }

    #[test]
    fn errors_name_the_line_and_the_problem() {
        let cases: &[(&str, usize, &str)] = &[
            ("A=1\n\nB=\"x\n", 3, "unterminated double-quoted value for B"),
            ("A='x", 1, "unterminated single-quoted value for A"),
            ("A=1\r\nB\r\n", 2, "the statement has no '=' (a key without a value)"),
            ("A=1\n  export \n", 2, "expected KEY=VALUE after 'export'"),
            ("A=1\n=1", 2, "expected KEY=VALUE, but there is no key before '='"),
            ("A='x'y", 1, "unexpected text after the closing quote of the value of A"),
            (
                "A=\"x\" y",
                1,
                "unexpected text after the closing quote of the value of A",
            ),
            ("'A=1", 1, "unterminated quoted key (no closing ')"),
            ("''=1", 1, "the quoted key '' is empty"),
            ("A B=1", 1, "expected '=' after the key"),
            ("A='a\nb\nc'\nB", 4, "the statement has no '=' (a key without a value)"),
            ("A='a\r\nb'\r\nB", 3, "the statement has no '=' (a key without a value)"),
            ("A=1\rB", 2, "the statement has no '=' (a key without a value)"),
            ("# c\r\n\r\n\rB", 4, "the statement has no '=' (a key without a value)"),
            (
                "'A\nB'=\"x",
                1,
                "unterminated double-quoted value for the key on this line",
            ),
        ];
        for &(input, line, reason) in cases {
            assert_eq!(parse_err(input), (line, reason.to_owned()), "input {input:?}");
        }
    }

    #[test]
    fn a_bad_statement_rejects_the_whole_file() {
        let (line, _) = parse_err("A=1\nB=2\nC='3\n");
        assert_eq!(line, 3);
    }

    #[test]
    fn entries_carry_the_line_they_start_on() {
        let entries = parse("\n\nA=1\nB='x\ny'\r\n# c\nC=2\r\rD=3", &no_env).unwrap();
        let lines: Vec<(&str, usize)> = entries.iter().map(|e| (e.key.as_str(), e.line)).collect();
        assert_eq!(lines, [("A", 3), ("B", 4), ("C", 7), ("D", 9)]);
    }

    #[test]
    fn errors_never_contain_a_value() {
        let inputs = [
            "OPENAI_API_KEY=\"sk-SECRET123",
            "OPENAI_API_KEY='sk-SECRET123",
            "OPENAI_API_KEY=\"sk-SECRET123\\",
            "OPENAI_API_KEY='sk-SECRET123'x",
            "OPENAI_API_KEY=\"a\" sk-SECRET123",
            "OPENAI_API_KEY='sk-SECRET123' sk-SECRET123",
            "sk-SECRET123",
            "sk-SECRET123 # note",
            "sk-SECRET123 trailing",
            "export sk-SECRET123",
            "'sk-SECRET123",
            "=sk-SECRET123",
            "A=1\n'sk-SECRET123\n=x'='y",
            "'k sk-SECRET123'=\"unterminated",
            "OPENAI_API_KEY=sk-SECRET123\nBROKEN",
        ];
        for input in inputs {
            let err = parse(input, &no_env).unwrap_err();
            let shown = format!("{err} / {err:?}");
            assert!(!shown.contains("SECRET123"), "{input:?} leaked: {shown}");
        }
    }

    #[test]
    fn debug_redacts_the_value() {
        let entries = parse("OPENAI_API_KEY=sk-SECRET123", &no_env).unwrap();
        let shown = format!("{entries:?} {:#?}", entries[0]);
        assert!(shown.contains("OPENAI_API_KEY") && shown.contains("line: 1"));
        assert!(!shown.contains("SECRET123"), "{shown}");
    }

    #[test]
    fn expansion_prefers_the_file_then_lookup_then_the_default() {
        let lookup = |name: &str| (name == "HOST").then(|| "env-host".to_owned());
        let text = "A=${HOST}\nHOST=file-host\nB=${HOST}\nC=${PORT:-5432}\nD='${HOST}'\nE=$HOST";
        let got = pairs(&parse(text, &lookup).unwrap());
        let want = [
            ("A", "env-host"),
            ("HOST", "file-host"),
            ("B", "file-host"),
            ("C", "5432"),
            ("D", "file-host"),
            ("E", "$HOST"),
        ];
        let want: Vec<(String, String)> = want.iter().map(|&(k, v)| (k.to_owned(), v.to_owned())).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn an_empty_name_is_never_looked_up() {
        let everything = |_: &str| Some("X".to_owned());
        let got = pairs(&parse("A=${}\nB=${:-$}{A}\nC=${:-d}", &everything).unwrap());
        let want = [("A", ""), ("B", "${A}"), ("C", "d")];
        let want: Vec<(String, String)> = want.iter().map(|&(k, v)| (k.to_owned(), v.to_owned())).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn split_references_follows_the_regex() {
        use Part::{Literal, Variable};
        let var = |name, default| Variable { name, default };
        assert_eq!(split_references("a${B}c"), [Literal("a"), var("B", None), Literal("c")]);
        assert_eq!(split_references("${B:-x:-y}"), [var("B", Some("x:-y"))]);
        assert_eq!(split_references("${a:b}${C}"), [Literal("${a:b}"), var("C", None)]);
        assert_eq!(split_references("${a${C}"), [var("a${C", None)]);
        assert_eq!(split_references("${a:-${C}"), [var("a", Some("${C"))]);
        assert_eq!(split_references("${a:-x${C"), [Literal("${a:-x${C")]);
        assert_eq!(split_references("${a${b"), [Literal("${a${b")]);
        assert_eq!(split_references(""), []);
    }

    #[test]
    fn expansion_stays_linear_on_unclosed_references() {
        for unit in ["${", "${a:", "${a:-", "${:${"] {
            let value = unit.repeat(100_000);
            let text = format!("A='{value}'");
            let entries = parse(&text, &no_env).unwrap();
            assert_eq!(entries[0].value.as_str(), value);
        }
    }

    #[test]
    fn parses_a_100k_line_file() {
        let mut text = String::new();
        for i in 0..100_000 {
            match i % 4 {
                0 => text.push_str(&format!("KEY_{i}=value_{i} # note\n")),
                1 => text.push_str(&format!("export KEY_{i}='it\\'s {i}'\n")),
                2 => text.push_str(&format!("KEY_{i}=\"${{KEY_{}}}\\n\"\r\n", i - 1)),
                _ => text.push_str(&format!("# comment\nKEY_{i}=\n")),
            }
        }
        let entries = parse(&text, &no_env).unwrap();
        assert_eq!(entries.len(), 100_000);
        assert_eq!(entries[2].value.as_str(), "it's 1\n");
        assert_eq!(entries[99_999].line, 125_000);
    }

    #[test]
    fn strips_one_byte_order_mark() {
        let got = pairs(&parse("\u{feff}\u{feff}A=1", &no_env).unwrap());
        assert_eq!(got, [("\u{feff}A".to_owned(), "1".to_owned())]);
    }

    /// What `str.isspace()` is true for, as printed by Python 3.11.
    const PYTHON_SPACE: &[u32] = &[
        0x9, 0xa, 0xb, 0xc, 0xd, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003,
        0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
    ];

    #[test]
    fn whitespace_is_pythons() {
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            assert_eq!(is_space(c), PYTHON_SPACE.contains(&(c as u32)), "{:#x}", c as u32);
        }
    }

    /// A key `emit` accepts, checked against Python's whitespace table rather than `is_space`.
    fn writable_key(c: char) -> char {
        let bad = PYTHON_SPACE.contains(&(c as u32)) || matches!(c, '=' | '#' | '\'');
        if bad {
            '_'
        } else {
            c
        }
    }

    fn key_strategy() -> impl Strategy<Value = String> {
        let any_key = prop::collection::vec(any::<char>(), 1..10).prop_map(|chars| {
            let key: String = chars.into_iter().map(writable_key).collect();
            if key.starts_with('\u{feff}') {
                format!("K{key}")
            } else {
                key
            }
        });
        prop_oneof!["[A-Za-z_][A-Za-z0-9_]{0,12}", any_key]
    }

    /// Strings built from the characters that matter to the grammar, plus arbitrary ones.
    fn tricky(pieces: &'static [&'static str]) -> impl Strategy<Value = String> {
        let built = prop::collection::vec(prop::sample::select(pieces), 0..24).prop_map(|parts| parts.concat());
        prop_oneof![built, any::<String>()]
    }

    const VALUE_PIECES: &[&str] = &[
        "\\", "'", "\"", "$", "{", "}", ":-", ":", "#", " ", "\n", "\r", "\r\n", "\t", "a", "=", "\u{e9}", "\u{2028}",
        "\u{85}", "\u{feff}", "\u{0}", "${X}", "\\'", "\\n",
    ];

    const TEXT_PIECES: &[&str] = &[
        "\\", "'", "\"", "$", "{", "}", ":-", ":", "#", " ", " #", "\n", "\r", "\r\n", "\t", "a", "=", "=", "A", "B",
        "export ", "${A}", "${B:-x}", "\\'", "\\\"", "\\n", "\u{a0}", "\u{1c}", "\u{b}", "\u{feff}", "\u{e9}",
    ];

    proptest! {
        #[test]
        fn emit_then_parse_gives_back_the_entries(
            entries in prop::collection::vec((key_strategy(), tricky(VALUE_PIECES)), 0..8),
        ) {
            let text = emit(entries.iter().map(|(k, v)| (k.as_str(), v.as_bytes()))).unwrap();
            // The escapes of `${` must hold whatever the environment holds.
            let back = parse(&text, &|_| Some("from-env".to_owned())).unwrap();
            prop_assert_eq!(pairs(&back), entries.clone());
            let bound: usize = entries.iter().map(|(k, v)| k.len() + 4 * v.len() + 7).sum();
            prop_assert!(text.len() <= bound);
        }

        #[test]
        fn parse_never_panics_and_what_it_reads_survives_emit(text in tricky(TEXT_PIECES)) {
            if let Ok(entries) = parse(&text, &no_env) {
                let writable: Vec<(String, String)> = pairs(&entries)
                    .into_iter()
                    .filter(|(k, _)| emit([(k.as_str(), b"".as_slice())]).is_ok())
                    .collect();
                let again = emit(writable.iter().map(|(k, v)| (k.as_str(), v.as_bytes()))).unwrap();
                prop_assert_eq!(pairs(&parse(&again, &no_env).unwrap()), writable);
            }
        }
    }
}

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
/// environment, or `|_| None`). All or nothing: the first malformed statement is an error
/// `Error::Dotenv { line, reason }` naming the 1-based line and what is wrong; no entries are
/// returned.
///
/// Every assignment is returned, in file order. A key may repeat: as in python-dotenv's dict,
/// the later assignment overrides the earlier one, so a caller that imports the entries in order
/// ends up with the right value. (Later `${KEY}` references see the value current at that point.)
pub fn parse(input: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<Vec<Entry>> {
    // Python strips one leading byte-order mark before parsing.
    let text = input.strip_prefix('\u{feff}').unwrap_or(input);
    let mut cursor = Cursor {
        rest: text,
        line: 1,
    };
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
/// Values are bytes; a value that is not UTF-8 is `Error::DotenvValueNotText { key }`.
///
/// Each entry becomes one `KEY='value'` statement. Inside the quotes `\` and `'` are escaped and
/// newlines are kept as they are. python-dotenv expands `${...}` even in single quotes, so every
/// `${` is written as `${:-$}{` (an empty name, hence the default `$`). A value holding a carriage
/// return is double-quoted with `\r` and `\n` escapes instead, because Python reads files with
/// universal newlines and would turn a raw `\r` into `\n`. A key must be non-empty and free of
/// whitespace, `=`, `#` and `'`, and must not start with a byte-order mark; otherwise the error is
/// `Error::InvalidName`.
pub fn emit<'a>(
    entries: impl IntoIterator<Item = (&'a str, &'a [u8])>,
) -> Result<Zeroizing<String>> {
    let mut checked: Vec<(&str, &str)> = Vec::new();
    for (key, bytes) in entries {
        check_key(key)?;
        let value = std::str::from_utf8(bytes).map_err(|_| Error::DotenvValueNotText {
            key: key.to_owned(),
        })?;
        checked.push((key, value));
    }
    // Sized once up front: a growing String would leave copies of earlier values in freed memory.
    // Escaping at most quadruples a value (`${` becomes 7 bytes); add `=`, two quotes and `\n`.
    let capacity = checked.iter().fold(0usize, |sum, (key, value)| {
        sum.saturating_add(key.len())
            .saturating_add(value.len().saturating_mul(4))
            .saturating_add(4)
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

/// Refuses keys that python-dotenv would read back differently when written unquoted.
fn check_key(key: &str) -> Result<()> {
    let reason = if key.is_empty() {
        "it is empty"
    } else if key.starts_with('\u{feff}') {
        "it starts with a byte-order mark, which a .env reader drops"
    } else if key
        .chars()
        .any(|c| is_space(c) || matches!(c, '=' | '#' | '\''))
    {
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

/// Python's `str.isspace()`, which is also what `\s` matches in its `re`: Unicode White_Space
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
        let len = rest
            .find(|c| c == '=' || c == '#' || is_space(c))
            .unwrap_or(rest.len());
        if len > 0 {
            Ok(self.advance(len).to_owned())
        } else if self.peek() == Some('=') {
            Err(fail(line, "expected KEY=VALUE, but there is no key before '='"))
        } else {
            Err(fail(line, "expected KEY=VALUE after 'export'"))
        }
    }

    fn value(&mut self, line: usize, key: &str) -> Result<Raw<'a>> {
        let (kind, escape): (&str, fn(char) -> Option<char>) = match self.peek() {
            Some('\'') => ("single", single_quote_escape),
            Some('"') => ("double", double_quote_escape),
            None | Some('\r' | '\n') => return Ok(Raw::Text("")),
            Some(_) => return Ok(Raw::Text(self.unquoted())),
        };
        let rest = self.rest;
        let body = rest.get(1..).unwrap_or("");
        let len = closing_quote(body, if kind == "single" { b'\'' } else { b'"' });
        match len.and_then(|len| Some((len, body.get(..len)?))) {
            Some((len, content)) => {
                self.advance(len + 2);
                Ok(Raw::Decoded(unescape(content, escape)))
            }
            None => Err(fail(
                line,
                format!(
                    "unterminated {kind}-quoted value for {}",
                    key_label(key)
                ),
            )),
        }
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
fn unescape(content: &str, escape: fn(char) -> Option<char>) -> Zeroizing<String> {
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

fn lookup_named(
    name: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Option<Zeroizing<String>> {
    if name.is_empty() {
        return None;
    }
    lookup(name).map(Zeroizing::new)
}

/// A value split at its `${...}` references.
#[derive(Debug, PartialEq)]
enum Part<'a> {
    Literal(&'a str),
    Variable {
        name: &'a str,
        default: Option<&'a str>,
    },
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

//! python-dotenv's grammar (`dotenv/parser.py`): statements, keys, quoting and escapes.

use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// Python's `str.isspace()`, which is also what `\s` matches in its `re`: Unicode `White_Space`
/// plus the separators U+001C..U+001F, which Rust's `char::is_whitespace` leaves out.
pub(super) fn is_space(c: char) -> bool {
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
pub(super) enum Raw<'a> {
    /// An unquoted value, still a slice of the input.
    Text(&'a str),
    /// A quoted value with its escapes decoded.
    Decoded(Zeroizing<String>),
}

impl Raw<'_> {
    pub(super) fn as_str(&self) -> &str {
        match self {
            Raw::Text(text) => text,
            Raw::Decoded(text) => text.as_str(),
        }
    }
}

/// One `KEY=VALUE` statement.
pub(super) struct Statement<'a> {
    pub(super) line: usize,
    pub(super) key: String,
    pub(super) value: Raw<'a>,
}

/// The unread part of the input and the line it starts on.
pub(super) struct Cursor<'a> {
    rest: &'a str,
    line: usize,
}

impl<'a> Cursor<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        Cursor { rest: text, line: 1 }
    }

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
    pub(super) fn statement(&mut self) -> Result<Option<Statement<'a>>> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dotenv::parse;
    use crate::dotenv::testing::{no_env, pairs, vectors};

    fn parse_err(input: &str) -> (usize, String) {
        match parse(input, &no_env) {
            Err(Error::Dotenv { line, reason }) => (line, reason),
            other => panic!("expected a Dotenv error for {input:?}, got {other:?}"),
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

    /// `is_space` is true exactly where Python's `str.isspace()` is (`python_isspace` in the vectors).
    #[test]
    fn whitespace_is_pythons() {
        let python = &vectors().python_isspace;
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            assert_eq!(is_space(c), python.contains(&(c as u32)), "{:#x}", c as u32);
        }
    }
}

//! Writing `.env` text that python-dotenv and [`parse`](super::parse) read back unchanged.

use zeroize::Zeroizing;

use super::grammar::is_space;
use crate::error::{Error, Result};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dotenv::parse;
    use crate::dotenv::testing::{no_env, pairs, vectors};

    /// Each value's statement body is python-dotenv-verified data (see `testdata/gen_vectors.py`).
    #[test]
    fn emit_writes_what_python_dotenv_reads_back() {
        for case in &vectors().emit {
            let value = case.value.as_str();
            let text = emit([("K", value.as_bytes())]).unwrap();
            assert_eq!(text.as_str(), format!("K={}\n", case.written), "value {value:?}");
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
}

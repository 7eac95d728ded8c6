//! Reading and writing `.env` files the way python-dotenv 1.2 reads them.
//!
//! `.env` has no standard; python-dotenv's `dotenv_values()` is the reference most tools follow,
//! so [`parse`] reproduces its grammar (`dotenv/parser.py`) and its `${VAR}` expansion
//! (`dotenv/variables.py`) rule for rule, and [`emit()`] writes text that python-dotenv and
//! [`parse`] both read back unchanged.
//!
//! Deliberate differences from python-dotenv:
//! - Where python-dotenv logs a warning and skips a statement, [`parse`] refuses the whole file: an
//!   import that silently drops a secret is worse than one that stops and names the line.
//! - A key with no `=` (python-dotenv: value `None`) is an error too: there is nothing to store.
//! - The text is read as Python reads a file (`dotenv_values(path)`): inside quotes, `\r\n` and a
//!   lone `\r` become `\n`. (`dotenv_values(stream=...)` would keep them.)
//! - `${}` and `${:-default}` never consult `lookup`: no environment variable has an empty name,
//!   and [`emit()`] relies on `${:-$}` always meaning `$`.
//!
//! No secret reaches an error, a `Debug` output or a panic: errors carry the line number and, when
//! it is a plain name, the key; never the text of a value.
//!
//! `grammar` reads statements, `expand` resolves references, `emit` writes. The python-dotenv
//! cases the tests check are data, `testdata/vectors.json`, written by `testdata/gen_vectors.py`.

mod emit;
mod expand;
mod grammar;

use std::collections::HashMap;
use std::fmt;

use zeroize::Zeroizing;

pub use self::emit::emit;
use self::expand::expand;
use self::grammar::Cursor;
use crate::error::Result;

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
    let mut cursor = Cursor::new(text);
    let mut entries: Vec<Entry> = Vec::new();
    let mut defined: HashMap<String, usize> = HashMap::new();
    let mut budget = expand::Budget {
        growth_left: expand::MAX_GROWTH,
    };
    while let Some(statement) = cursor.statement()? {
        let value = expand(statement.value, &entries, &defined, lookup, &mut budget).map_err(|reason| {
            crate::Error::Dotenv {
                line: statement.line,
                reason,
            }
        })?;
        defined.insert(statement.key.clone(), entries.len());
        entries.push(Entry {
            key: statement.key,
            value,
            line: statement.line,
        });
    }
    Ok(entries)
}

/// What the tests of every part share.
#[cfg(test)]
mod testing {
    use std::collections::HashMap;
    use std::sync::OnceLock;

    use serde::Deserialize;

    use super::Entry;

    /// `testdata/vectors.json`, which `testdata/gen_vectors.py` writes from what python-dotenv
    /// reads (see there).
    #[derive(Deserialize)]
    pub(super) struct Vectors {
        /// The whole process environment python-dotenv read the parse cases in.
        pub(super) env: HashMap<String, String>,
        pub(super) parse: Vec<ParseCase>,
        pub(super) emit: Vec<EmitCase>,
        /// The code points for which Python's `str.isspace()` is true.
        pub(super) python_isspace: Vec<u32>,
    }

    /// An input and what python-dotenv's `dotenv_values(path)` made of it: the entries of its dict,
    /// or, where it warned about a statement or gave a key the value `None` (`parse` refuses such
    /// files), the line where that statement starts.
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub(super) struct ParseCase {
        pub(super) input: String,
        pub(super) entries: Option<Vec<(String, String)>>,
        pub(super) error_line: Option<usize>,
    }

    /// A value, and the statement body (after `K=`) `emit` writes for it and python-dotenv reads
    /// back as the value.
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    pub(super) struct EmitCase {
        pub(super) value: String,
        pub(super) written: String,
    }

    pub(super) fn vectors() -> &'static Vectors {
        static VECTORS: OnceLock<Vectors> = OnceLock::new();
        VECTORS.get_or_init(|| {
            serde_json::from_str(include_str!("testdata/vectors.json")).expect("testdata/vectors.json is malformed")
        })
    }

    pub(super) fn no_env(_: &str) -> Option<String> {
        None
    }

    pub(super) fn pairs(entries: &[Entry]) -> Vec<(String, String)> {
        entries
            .iter()
            .map(|e| (e.key.clone(), e.value.as_str().to_owned()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::testing::{no_env, pairs, vectors};
    use super::*;
    use crate::error::Error;

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

    /// python-dotenv's reading of each input (see `testdata/gen_vectors.py`): the same entries, or
    /// an error naming the line of the statement python-dotenv rejected.
    #[test]
    fn matches_python_dotenv() {
        let vectors = vectors();
        let env = |name: &str| vectors.env.get(name).cloned();
        for case in &vectors.parse {
            let input = case.input.as_str();
            match (&case.entries, case.error_line, parse(input, &env)) {
                (Some(want), None, Ok(entries)) => assert_eq!(&as_dict(&entries), want, "input {input:?}"),
                (None, Some(want), Err(Error::Dotenv { line, .. })) => assert_eq!(line, want, "input {input:?}"),
                (entries, line, got) => {
                    panic!("input {input:?}: expected {entries:?} or an error on line {line:?}, got {got:?}")
                }
            }
        }
    }

    #[test]
    fn debug_redacts_the_value() {
        let entries = parse("OPENAI_API_KEY=sk-SECRET123", &no_env).unwrap();
        let shown = format!("{entries:?} {:#?}", entries[0]);
        assert!(shown.contains("OPENAI_API_KEY") && shown.contains("line: 1"));
        assert!(!shown.contains("SECRET123"), "{shown}");
    }

    /// A key `emit` accepts, checked against Python's whitespace table rather than `is_space`.
    fn writable_key(c: char) -> char {
        let bad = vectors().python_isspace.contains(&(c as u32)) || matches!(c, '=' | '#' | '\'');
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

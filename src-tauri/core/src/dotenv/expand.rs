//! python-dotenv's `${VAR}` and `${VAR:-default}` expansion (`dotenv/variables.py`).

use std::collections::HashMap;

use zeroize::Zeroizing;

use super::grammar::Raw;
use super::Entry;

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

/// How far expansion may take an untrusted file: each reference can copy a value already grown by
/// others, so a few lines would otherwise double their way to gigabytes.
pub(super) struct Budget {
    /// What expansion may add to the file's own text, over all values.
    pub(super) growth_left: usize,
}

/// Largest value expansion may produce: the vault's limit on a value (`vault::MAX_VALUE_BYTES`).
pub(super) const MAX_EXPANDED_VALUE: usize = 1024 * 1024;
/// Largest total growth: far above any real file's references, far below exhausting memory.
pub(super) const MAX_GROWTH: usize = 64 * 1024 * 1024;

/// Expands `${NAME}` and `${NAME:-default}` in a value, as python-dotenv does for every value,
/// quoted or not. A name resolves to the latest earlier assignment in the file, else `lookup`,
/// else the default, else "". The result is not expanded again. Sized before it is built: a value
/// past [`MAX_EXPANDED_VALUE`], or growth past what `budget` has left, is refused with why.
pub(super) fn expand(
    raw: Raw<'_>,
    entries: &[Entry],
    defined: &HashMap<String, usize>,
    lookup: &dyn Fn(&str) -> Option<String>,
    budget: &mut Budget,
) -> Result<Zeroizing<String>, String> {
    if !raw.as_str().contains("${") {
        return Ok(match raw {
            Raw::Text(text) => Zeroizing::new(text.to_owned()),
            Raw::Decoded(text) => text,
        });
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
    let len: usize = pieces.iter().map(|p| p.as_str().len()).sum();
    if len > MAX_EXPANDED_VALUE {
        return Err(format!(
            "its ${{...}} references expand it past the {MAX_EXPANDED_VALUE}-byte limit of a value"
        ));
    }
    let growth = len.saturating_sub(raw.as_str().len());
    budget.growth_left = budget.growth_left.checked_sub(growth).ok_or_else(|| {
        format!("${{...}} references expand the file by more than {MAX_GROWTH} bytes in all, up to this line")
    })?;
    let mut out = Zeroizing::new(String::with_capacity(len));
    for piece in &pieces {
        out.push_str(piece.as_str());
    }
    Ok(out)
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
    use crate::dotenv::parse;
    use crate::dotenv::testing::{no_env, pairs};

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

    fn refused_at(text: &str) -> (usize, String) {
        match parse(text, &no_env) {
            Err(crate::Error::Dotenv { line, reason }) => (line, reason),
            other => panic!("expected a refusal, got {:?}", other.map(|e| e.len())),
        }
    }

    #[test]
    fn references_that_multiply_a_value_are_refused_at_the_line_that_passes_the_value_limit() {
        // Each line ten times the one before: 10 B, 100 B, ... 10 MB at line 7, 10 GB at line 10.
        let mut text = String::from("L1=0123456789\n");
        for i in 2..=10 {
            text.push_str(&format!("L{i}={}\n", format!("${{L{}}}", i - 1).repeat(10)));
        }
        let (line, reason) = refused_at(&text);
        assert_eq!(line, 7, "1 MB at line 6 is allowed, 10 MB at line 7 is not");
        assert!(reason.contains("limit of a value"), "{reason}");
    }

    #[test]
    fn a_value_may_expand_to_exactly_the_limit() {
        let half = "x".repeat(MAX_EXPANDED_VALUE / 2);
        let entries = parse(&format!("A={half}\nB=${{A}}${{A}}"), &no_env).expect("at the limit");
        assert_eq!(entries[1].value.len(), MAX_EXPANDED_VALUE);
        let (line, _) = refused_at(&format!("A={half}\nB=${{A}}${{A}}x"));
        assert_eq!(line, 2);
    }

    #[test]
    fn growth_over_the_whole_file_is_bounded_too() {
        // Every line stays under the value limit, but together they would grow without end.
        let mut text = format!("A={}\n", "x".repeat(MAX_EXPANDED_VALUE / 2));
        let per_line = MAX_EXPANDED_VALUE - 32;
        for i in 0..200 {
            text.push_str(&format!("B{i}=${{A}}${{A}}\n"));
        }
        let (line, reason) = refused_at(&text);
        let lines_allowed = MAX_GROWTH / per_line;
        assert!((lines_allowed..=lines_allowed + 2).contains(&line), "line {line}");
        assert!(reason.contains("in all"), "{reason}");
    }

    #[test]
    fn the_value_limit_is_the_vaults() {
        assert_eq!(MAX_EXPANDED_VALUE as u64, crate::vault::MAX_VALUE_BYTES);
    }
}

//! Well-known provider key formats, for keys that leaked but are not (or not yet) in the vault.
//!
//! One combined regex finds candidates in a single pass (its literal prefixes let the regex crate
//! skip ahead with SIMD); each hit is then named by the first pattern that matches it exactly.
//! A key must start a word: after a non-word byte, or after an escape as it appears in raw JSON
//! (`\n`, `\u001b[31m` from a coloured traceback). Inside a base64 run a prefix like `hf_` is
//! usually preceded by a letter and so ignored; notebooks also exclude their image payloads.

use regex::bytes::{Regex, RegexBuilder};

/// A provider format: its name in findings and the regex of one key.
struct Pattern {
    kind: &'static str,
    regex: &'static str,
    /// The key is this capture group, when the regex also matches context (W&B).
    group: usize,
}

/// The kind of a Keyshelf machine token's finding.
pub const MACHINE_TOKEN: &str = "keyshelf-machine-token";

const PATTERNS: &[Pattern] = &[
    Pattern {
        kind: "anthropic-key",
        regex: r"sk-ant-[A-Za-z0-9_-]{20,}",
        group: 0,
    },
    Pattern {
        kind: "openai-key",
        regex: r"sk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{20,}",
        group: 0,
    },
    Pattern {
        kind: "hugging-face-token",
        regex: r"hf_[A-Za-z0-9]{30,}",
        group: 0,
    },
    Pattern {
        kind: "aws-access-key-id",
        regex: r"(?:AKIA|ASIA)[A-Z0-9]{16}\b",
        group: 0,
    },
    Pattern {
        kind: "github-token",
        regex: r"(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})",
        group: 0,
    },
    Pattern {
        kind: "slack-token",
        regex: r"xox[abposr]-[A-Za-z0-9-]{10,}",
        group: 0,
    },
    Pattern {
        kind: "private-key",
        // In JSON (notebooks, service-account files) the line breaks are `\n` escapes.
        regex: r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----(?s:.){0,8192}?-----END (?:[A-Z]+ )?PRIVATE KEY-----",
        group: 0,
    },
    Pattern {
        kind: "gcp-service-account",
        regex: r#"\\?"type\\?"\s*:\s*\\?"service_account\\?""#,
        group: 0,
    },
    Pattern {
        // Keyshelf's own machine tokens (crypto/token.rs: `ksm1_` and 114 base64url characters):
        // a token in a notebook or CI log is a machine whose token must be rotated.
        kind: MACHINE_TOKEN,
        regex: r"ksm1_[A-Za-z0-9_-]{100,}",
        group: 0,
    },
    Pattern {
        kind: "wandb-key",
        regex: r"(?i:wandb)[^\n]{0,48}?\b([0-9a-f]{40})\b",
        group: 1,
    },
];

/// An AWS secret access key: 40 base64 characters, looked for near an access key id.
const AWS_SECRET: &str = r"(?:^|[^A-Za-z0-9/+])([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)";
/// How far around an access key id its secret key may sit.
const AWS_NEIGHBOURHOOD: usize = 400;

/// A key found by format: byte range in the scanned text and the format's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatternHit {
    pub start: usize,
    pub end: usize,
    pub kind: &'static str,
}

/// Whether a key may start at `start`: the start of the text, a non-word byte before it, or a
/// JSON escape (`\n`, `\t`, `\r`) or an ANSI colour sequence (raw `ESC[..m` or JSON `\u001b[..m`)
/// right before it.
fn starts_a_word(text: &[u8], start: usize) -> bool {
    let before = &text[..start];
    let Some(&last) = before.last() else { return true };
    if !(last.is_ascii_alphanumeric() || last == b'_') {
        return true;
    }
    if before.len() >= 2 && before[before.len() - 2] == b'\\' && matches!(last, b'n' | b't' | b'r') {
        return true;
    }
    if last == b'm' {
        let params = before[..before.len() - 1]
            .iter()
            .rev()
            .take_while(|b| b.is_ascii_digit() || **b == b';')
            .count();
        let head = &before[..before.len() - 1 - params];
        return head.ends_with(b"\x1b[") || head.ends_with(b"\\u001b[");
    }
    false
}

pub struct Patterns {
    combined: Regex,
    each: Vec<Regex>,
    aws_secret: Regex,
}

fn build(pattern: &str) -> Regex {
    RegexBuilder::new(pattern)
        .unicode(false)
        .size_limit(32 << 20)
        .build()
        .unwrap_or_else(|e| unreachable!("built-in pattern {pattern}: {e}"))
}

impl Default for Patterns {
    fn default() -> Self {
        let combined = PATTERNS
            .iter()
            .map(|p| format!("(?:{})", p.regex))
            .collect::<Vec<_>>()
            .join("|");
        Patterns {
            combined: build(&combined),
            each: PATTERNS.iter().map(|p| build(&format!("^(?:{})", p.regex))).collect(),
            aws_secret: build(AWS_SECRET),
        }
    }
}

impl Patterns {
    /// Every provider key in `text`, in order, without overlaps.
    pub fn find(&self, text: &[u8]) -> Vec<PatternHit> {
        let mut hits = Vec::new();
        let mut at = 0;
        while let Some(m) = self.combined.find_at(text, at) {
            // By default go on after this candidate's first byte, so a rejected one hides nothing.
            at = m.start() + 1;
            let Some((i, caps)) = self
                .each
                .iter()
                .enumerate()
                .find_map(|(i, re)| re.captures(&text[m.start()..]).map(|c| (i, c)))
            else {
                continue;
            };
            let pattern = &PATTERNS[i];
            let Some(key) = caps.get(pattern.group) else { continue };
            let (start, end) = (m.start() + key.start(), m.start() + key.end());
            if pattern.group == 0 && !starts_a_word(text, start) {
                continue;
            }
            hits.push(PatternHit {
                start,
                end,
                kind: pattern.kind,
            });
            // After a key, go on from its end; after a key found through its context (W&B), from
            // just inside that context, which may hold other keys.
            if pattern.group == 0 {
                at = end;
            }
            if pattern.kind == "aws-access-key-id" {
                self.aws_secret_near(text, start, end, &mut hits);
            }
        }
        hits.sort_by_key(|h| (h.start, h.end));
        hits.dedup_by(|later, earlier| later.start < earlier.end);
        hits
    }

    fn aws_secret_near(&self, text: &[u8], start: usize, end: usize, hits: &mut Vec<PatternHit>) {
        let from = start.saturating_sub(AWS_NEIGHBOURHOOD);
        let to = (end + AWS_NEIGHBOURHOOD).min(text.len());
        for caps in self.aws_secret.captures_iter(&text[from..to]) {
            let Some(key) = caps.get(1) else { continue };
            let bytes = key.as_bytes();
            // A real secret key mixes cases and digits; a run of one class is prose or padding.
            let mixed = bytes.iter().any(u8::is_ascii_lowercase)
                && bytes.iter().any(u8::is_ascii_uppercase)
                && bytes.iter().any(u8::is_ascii_digit);
            if mixed {
                hits.push(PatternHit {
                    start: from + key.start(),
                    end: from + key.end(),
                    kind: "aws-secret-access-key",
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(&'static str, String)> {
        Patterns::default()
            .find(text.as_bytes())
            .into_iter()
            .map(|h| (h.kind, text[h.start..h.end].to_owned()))
            .collect()
    }

    #[test]
    fn names_each_provider() {
        let text = "OPENAI=sk-proj-abcdefghijklmnopqrstuvwx\n\
                    ANTHROPIC=sk-ant-api03-abcdefghijklmnopqrstuv\n\
                    hf = 'hf_abcdefghijklmnopqrstuvwxyzABCDEFGH'\n\
                    gh: ghp_abcdefghijklmnopqrstuvwxyzABCDEFGHIJ\n\
                    slack xoxb-1234567890-abcdefghij\n\
                    wandb login 0123456789abcdef0123456789abcdef01234567\n";
        let found: Vec<&str> = kinds(text).into_iter().map(|(k, _)| k).collect();
        assert_eq!(
            found,
            [
                "openai-key",
                "anthropic-key",
                "hugging-face-token",
                "github-token",
                "slack-token",
                "wandb-key"
            ]
        );
        assert_eq!(kinds(text)[5].1, "0123456789abcdef0123456789abcdef01234567");
    }

    #[test]
    fn finds_a_keyshelf_machine_token_whole() {
        let id = uuid::Uuid::new_v4().to_string();
        let token = crate::crypto::MachineToken::generate(&id, &id, b"owner key").expect("token");
        let shown = token.display();
        let text = format!("env:\n  KEYSHELF_TOKEN: {}\n", &*shown);
        let found = kinds(&text);
        assert_eq!(found.len(), 1, "{:?}", found.iter().map(|(k, _)| k).collect::<Vec<_>>());
        assert_eq!(found[0].0, "keyshelf-machine-token");
        assert!(found[0].1 == *shown, "the whole token, not a part");
        assert!(kinds("ksm1_short").is_empty());
    }

    #[test]
    fn aws_pairs_and_private_keys_in_json() {
        let text = r#"{"id": "AKIAIOSFODNN7EXAMPLE", "secret": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}"#;
        let found = kinds(text);
        assert_eq!(found[0], ("aws-access-key-id", "AKIAIOSFODNN7EXAMPLE".into()));
        assert_eq!(
            found[1],
            (
                "aws-secret-access-key",
                "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY".into()
            )
        );
        let sa = r#"{\"type\": \"service_account\", \"private_key\": \"-----BEGIN PRIVATE KEY-----\nMIIEv\n-----END PRIVATE KEY-----\n\"}"#;
        let found: Vec<&str> = kinds(sa).into_iter().map(|(k, _)| k).collect();
        assert_eq!(found, ["gcp-service-account", "private-key"]);
    }

    #[test]
    fn keys_after_json_escapes_and_colour_codes_are_found() {
        let key = "sk-proj-abcdefghijklmnopqrstuvwx";
        for text in [
            format!("line\\n{key}"),
            format!("\\u001b[38;5;124m{key}\\u001b[0m"),
            format!("\x1b[31m{key}"),
        ] {
            assert_eq!(kinds(&text), vec![("openai-key", key.to_owned())], "{text}");
        }
        assert!(kinds(&format!("task{key}")).is_empty());
    }

    #[test]
    fn context_around_a_wandb_key_hides_nothing() {
        let text = "wandb AKIAIOSFODNN7EXAMPLE 0123456789abcdef0123456789abcdef01234567";
        let found: Vec<&str> = kinds(text).into_iter().map(|(k, _)| k).collect();
        assert_eq!(found, ["aws-access-key-id", "wandb-key"]);
    }

    #[test]
    fn no_hit_inside_base64_or_on_short_prefixes() {
        // `hf_` in the middle of a base64 run has no word boundary before it.
        let image = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkhf_abcdefghijklmnopqrstuvwxyzABCDEFGH";
        assert!(kinds(image).is_empty(), "{:?}", kinds(image));
        assert!(kinds("the task-ask and hf_short and sk-12").is_empty());
    }
}

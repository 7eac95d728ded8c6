//! Well-known provider key formats, for keys that leaked but are not (or not yet) in the vault.
//!
//! One combined regex finds candidates in a single pass (its literal prefixes let the regex crate
//! skip ahead with SIMD); each hit is then named by the first pattern that matches it exactly.
//! Patterns start at a word boundary, so base64 runs (embedded images) rarely qualify.

use regex::bytes::{Regex, RegexBuilder};

/// A provider format: its name in findings and the regex of one key.
struct Pattern {
    kind: &'static str,
    regex: &'static str,
    /// The key is this capture group, when the regex also matches context (W&B).
    group: usize,
}

const PATTERNS: &[Pattern] = &[
    Pattern {
        kind: "anthropic-key",
        regex: r"\bsk-ant-[A-Za-z0-9_-]{20,}",
        group: 0,
    },
    Pattern {
        kind: "openai-key",
        regex: r"\bsk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{20,}",
        group: 0,
    },
    Pattern {
        kind: "hugging-face-token",
        regex: r"\bhf_[A-Za-z0-9]{30,}",
        group: 0,
    },
    Pattern {
        kind: "aws-access-key-id",
        regex: r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b",
        group: 0,
    },
    Pattern {
        kind: "github-token",
        regex: r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})",
        group: 0,
    },
    Pattern {
        kind: "slack-token",
        regex: r"\bxox[abposr]-[A-Za-z0-9-]{10,}",
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
        for m in self.combined.find_iter(text) {
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
            hits.push(PatternHit {
                start: m.start() + key.start(),
                end: m.start() + key.end(),
                kind: pattern.kind,
            });
            if pattern.kind == "aws-access-key-id" {
                self.aws_secret_near(text, m.start(), m.end(), &mut hits);
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
    fn no_hit_inside_base64_or_on_short_prefixes() {
        // `hf_` in the middle of a base64 run has no word boundary before it.
        let image = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkhf_abcdefghijklmnopqrstuvwxyzABCDEFGH";
        assert!(kinds(image).is_empty(), "{:?}", kinds(image));
        assert!(kinds("the task-ask and hf_short and sk-12").is_empty());
    }
}

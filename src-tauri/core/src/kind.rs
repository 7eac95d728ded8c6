//! Kinds of secret ML teams keep, with the environment variable each is conventionally read
//! from and its default rotation interval (rotation policy, DESIGN.md).

use std::fmt;
use std::str::FromStr;

use crate::duration::Duration;
use crate::error::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub enum SecretKind {
    Openai,
    Anthropic,
    HuggingFace,
    Wandb,
    Aws,
    GcpServiceAccount,
    DatabaseUrl,
    Generic,
}

impl SecretKind {
    pub const ALL: [SecretKind; 8] = [
        SecretKind::Openai,
        SecretKind::Anthropic,
        SecretKind::HuggingFace,
        SecretKind::Wandb,
        SecretKind::Aws,
        SecretKind::GcpServiceAccount,
        SecretKind::DatabaseUrl,
        SecretKind::Generic,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SecretKind::Openai => "openai",
            SecretKind::Anthropic => "anthropic",
            SecretKind::HuggingFace => "hugging-face",
            SecretKind::Wandb => "wandb",
            SecretKind::Aws => "aws",
            SecretKind::GcpServiceAccount => "gcp-service-account",
            SecretKind::DatabaseUrl => "database-url",
            SecretKind::Generic => "generic",
        }
    }

    /// How people name it.
    pub fn label(self) -> &'static str {
        match self {
            SecretKind::Openai => "OpenAI",
            SecretKind::Anthropic => "Anthropic",
            SecretKind::HuggingFace => "Hugging Face",
            SecretKind::Wandb => "Weights & Biases",
            SecretKind::Aws => "AWS",
            SecretKind::GcpServiceAccount => "GCP service account",
            SecretKind::DatabaseUrl => "Database URL",
            SecretKind::Generic => "Generic",
        }
    }

    /// The environment variable the provider's SDKs read.
    pub fn env_var(self) -> Option<&'static str> {
        match self {
            SecretKind::Openai => Some("OPENAI_API_KEY"),
            SecretKind::Anthropic => Some("ANTHROPIC_API_KEY"),
            SecretKind::HuggingFace => Some("HF_TOKEN"),
            SecretKind::Wandb => Some("WANDB_API_KEY"),
            SecretKind::Aws => Some("AWS_SECRET_ACCESS_KEY"),
            SecretKind::GcpServiceAccount => Some("GOOGLE_APPLICATION_CREDENTIALS"),
            SecretKind::DatabaseUrl => Some("DATABASE_URL"),
            SecretKind::Generic => None,
        }
    }

    /// Default rotation interval: LLM provider tokens 90 days, cloud and database credentials
    /// 30 days, anything else manual (`None`).
    pub fn default_rotation(self) -> Option<Duration> {
        match self {
            SecretKind::Openai | SecretKind::Anthropic | SecretKind::HuggingFace | SecretKind::Wandb => {
                Some(Duration::days(90))
            }
            SecretKind::Aws | SecretKind::GcpServiceAccount | SecretKind::DatabaseUrl => Some(Duration::days(30)),
            SecretKind::Generic => None,
        }
    }

    /// For a file secret of this kind, the variable its SDKs read the file's path from.
    pub fn path_env_var(self) -> Option<&'static str> {
        match self {
            SecretKind::GcpServiceAccount => Some("GOOGLE_APPLICATION_CREDENTIALS"),
            SecretKind::Aws => Some("AWS_SHARED_CREDENTIALS_FILE"),
            _ => None,
        }
    }

    /// The provider page where keys of this kind are created and revoked, for rotating by hand.
    pub fn console_url(self) -> Option<&'static str> {
        match self {
            SecretKind::Openai => Some("https://platform.openai.com/api-keys"),
            SecretKind::Anthropic => Some("https://console.anthropic.com/settings/keys"),
            SecretKind::HuggingFace => Some("https://huggingface.co/settings/tokens"),
            SecretKind::Wandb => Some("https://wandb.ai/authorize"),
            SecretKind::Aws => Some("https://console.aws.amazon.com/iam/home#/security_credentials"),
            SecretKind::GcpServiceAccount => Some("https://console.cloud.google.com/iam-admin/serviceaccounts"),
            SecretKind::DatabaseUrl | SecretKind::Generic => None,
        }
    }

    /// Where the provider's format is public, why `value` does not look like a key of this kind
    /// (a likely paste of the wrong thing). A hint, not a rule: formats change. The reason never
    /// quotes the value.
    pub fn format_problem(self, value: &[u8]) -> Option<&'static str> {
        let text = std::str::from_utf8(value).ok()?.trim();
        let ok = match self {
            SecretKind::Anthropic => text.starts_with("sk-ant-"),
            // Anthropic keys also start with sk-: an OpenAI key is sk- but not sk-ant-.
            SecretKind::Openai => text.starts_with("sk-") && !text.starts_with("sk-ant-"),
            SecretKind::HuggingFace => text.starts_with("hf_"),
            SecretKind::Aws => {
                let id = text.len() == 20 && (text.starts_with("AKIA") || text.starts_with("ASIA"));
                let secret = text.len() == 40
                    && text
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'/' || b == b'+');
                id || secret
            }
            SecretKind::GcpServiceAccount => serde_json::from_str::<serde_json::Value>(text)
                .map(|json| json["type"] == "service_account" && json["private_key"].is_string())
                .unwrap_or(false),
            SecretKind::DatabaseUrl => text.contains("://"),
            SecretKind::Wandb | SecretKind::Generic => true,
        };
        (!ok).then_some(match self {
            SecretKind::Openai => "OpenAI keys start with sk- (or sk-proj-)",
            SecretKind::Anthropic => "Anthropic keys start with sk-ant-",
            SecretKind::HuggingFace => "Hugging Face tokens start with hf_",
            SecretKind::Aws => "AWS access key ids are 20 characters starting AKIA or ASIA; secret keys are 40",
            SecretKind::GcpServiceAccount => {
                "a GCP service-account key is JSON with \"type\": \"service_account\" and a private_key"
            }
            SecretKind::DatabaseUrl => "a database URL looks like scheme://user:password@host/db",
            SecretKind::Wandb | SecretKind::Generic => "",
        })
    }

    /// Guesses the kind from a conventional variable name, for imports.
    pub fn guess(name: &str) -> SecretKind {
        let upper = name.to_ascii_uppercase();
        SecretKind::ALL
            .into_iter()
            .find(|k| k.env_var() == Some(upper.as_str()))
            .unwrap_or(match upper.as_str() {
                "HUGGING_FACE_HUB_TOKEN" | "HUGGINGFACEHUB_API_TOKEN" => SecretKind::HuggingFace,
                "AWS_ACCESS_KEY_ID" | "AWS_SESSION_TOKEN" => SecretKind::Aws,
                _ => SecretKind::Generic,
            })
    }
}

impl fmt::Display for SecretKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SecretKind {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        let wanted = s.trim().to_ascii_lowercase().replace('_', "-");
        let alias = match wanted.as_str() {
            "hf" | "huggingface" => "hugging-face",
            "gcp" => "gcp-service-account",
            "database" | "db" => "database-url",
            other => other,
        };
        SecretKind::ALL
            .into_iter()
            .find(|k| k.as_str() == alias)
            .ok_or_else(|| Error::UnknownKind {
                kind: s.to_owned(),
                known: SecretKind::ALL.map(|k| k.as_str()).join(", "),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_aliases() {
        for k in SecretKind::ALL {
            assert_eq!(k.as_str().parse::<SecretKind>().expect("kind"), k);
        }
        assert_eq!("HF".parse::<SecretKind>().expect("alias"), SecretKind::HuggingFace);
        assert!("vault"
            .parse::<SecretKind>()
            .expect_err("unknown")
            .to_string()
            .contains("openai"));
    }

    #[test]
    fn defaults_follow_the_policy() {
        assert_eq!(SecretKind::Openai.default_rotation(), Some(Duration::days(90)));
        assert_eq!(SecretKind::Aws.default_rotation(), Some(Duration::days(30)));
        assert_eq!(SecretKind::Generic.default_rotation(), None);
        assert_eq!(SecretKind::guess("openai_api_key"), SecretKind::Openai);
        assert_eq!(SecretKind::guess("MY_TOKEN"), SecretKind::Generic);
    }

    #[test]
    fn format_hints_catch_the_wrong_paste() {
        assert_eq!(SecretKind::Openai.format_problem(b"sk-proj-abc"), None);
        assert!(SecretKind::Openai.format_problem(b"sk-ant-abc").is_some());
        assert_eq!(SecretKind::Anthropic.format_problem(b"sk-ant-api03-x"), None);
        assert!(SecretKind::HuggingFace.format_problem(b"sk-abc").is_some());
        assert_eq!(SecretKind::Aws.format_problem(b"AKIAIOSFODNN7EXAMPLE"), None);
        assert_eq!(
            SecretKind::Aws.format_problem(b"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
            None
        );
        assert_eq!(
            SecretKind::GcpServiceAccount.format_problem(br#"{"type":"service_account","private_key":"k"}"#),
            None
        );
        assert!(SecretKind::GcpServiceAccount.format_problem(b"{}").is_some());
        assert_eq!(SecretKind::Generic.format_problem(b"anything"), None);
        // Binary values are not judged.
        assert_eq!(SecretKind::Openai.format_problem(&[0xff, 0xfe]), None);
    }
}

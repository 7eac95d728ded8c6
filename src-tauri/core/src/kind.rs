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
}

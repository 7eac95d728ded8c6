//! Names and the `PROJECT/ENV[/NAME]` paths that address scopes and secrets.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// `PROJECT/ENV`: one scope.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ScopePath {
    pub project: String,
    pub environment: String,
}

/// `PROJECT/ENV/NAME`: one secret.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SecretPath {
    pub scope: ScopePath,
    pub name: String,
}

/// Project and environment names: letters, digits, `.`, `_`, `-`; 1 to 64 characters.
pub fn check_label(what: &'static str, name: &str) -> Result<()> {
    let invalid = |reason| Error::InvalidName {
        what,
        name: name.to_owned(),
        reason,
    };
    if name.is_empty() || name.len() > 64 {
        return Err(invalid("use 1 to 64 characters"));
    }
    if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err(invalid("start with a letter or digit"));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    {
        return Err(invalid("use only letters, digits, '.', '_' and '-'"));
    }
    Ok(())
}

/// Secret names are environment variable names, so `keyshelf run` can export them as they are:
/// a letter or `_`, then letters, digits or `_`; at most 128 characters.
pub fn check_secret_name(name: &str) -> Result<()> {
    let invalid = |reason| Error::InvalidName {
        what: "secret",
        name: name.to_owned(),
        reason,
    };
    if name.is_empty() || name.len() > 128 {
        return Err(invalid("use 1 to 128 characters"));
    }
    if !name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        return Err(invalid(
            "start with a letter or '_' (it becomes an environment variable)",
        ));
    }
    if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(invalid(
            "use only letters, digits and '_' (it becomes an environment variable)",
        ));
    }
    Ok(())
}

impl ScopePath {
    pub fn new(project: &str, environment: &str) -> Result<Self> {
        check_label("project", project)?;
        check_label("environment", environment)?;
        Ok(Self {
            project: project.to_owned(),
            environment: environment.to_owned(),
        })
    }
}

impl FromStr for ScopePath {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.split('/').collect::<Vec<_>>()[..] {
            [project, environment] => ScopePath::new(project, environment),
            _ => Err(Error::InvalidPath {
                what: "scope",
                input: s.to_owned(),
                expected: "PROJECT/ENV, e.g. llm-eval/dev",
            }),
        }
    }
}

impl FromStr for SecretPath {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.split('/').collect::<Vec<_>>()[..] {
            [project, environment, name] => {
                check_secret_name(name)?;
                Ok(SecretPath {
                    scope: ScopePath::new(project, environment)?,
                    name: name.to_owned(),
                })
            }
            _ => Err(Error::InvalidPath {
                what: "secret path",
                input: s.to_owned(),
                expected: "PROJECT/ENV/NAME, e.g. llm-eval/dev/OPENAI_API_KEY",
            }),
        }
    }
}

impl fmt::Display for ScopePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.project, self.environment)
    }
}

impl fmt::Display for SecretPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.scope, self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_paths() {
        let p: SecretPath = "llm-eval/dev/OPENAI_API_KEY".parse().expect("path");
        assert_eq!(p.scope.project, "llm-eval");
        assert_eq!(p.to_string(), "llm-eval/dev/OPENAI_API_KEY");
        assert!("llm-eval/dev".parse::<SecretPath>().is_err());
        assert!("a/b/c/d".parse::<SecretPath>().is_err());
        assert!("llm-eval/dev/openai-key".parse::<SecretPath>().is_err());
        assert!("llm eval/dev".parse::<ScopePath>().is_err());
        assert!("/dev".parse::<ScopePath>().is_err());
        let err = "x".parse::<ScopePath>().expect_err("bad");
        assert!(err.to_string().contains("PROJECT/ENV"), "{err}");
    }
}

//! Names and the `PROJECT/ENV[/NAME]` paths that address scopes and secrets.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// A scope as the vault holds it, resolved from its path: what encryption and grants refer to.
/// `label` (`project/env`) is bound into every ciphertext and grant of the scope, so re-pointing
/// rows in the file fails authentication.
#[derive(Clone)]
pub(crate) struct ScopeRow {
    pub id: String,
    pub epoch: i64,
    pub label: String,
}

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

/// Secret names are environment variable names as `.env` files write them, so `keyshelf run`
/// can export them as they are: a letter or `_`, then letters, digits, `_`, `.` or `-`; at most
/// 128 characters. Dotted and dashed names (`spring.datasource.password`, which python-dotenv
/// and Java read) reach programs through the environment, but no shell can expand them
/// ([`is_shell_name`]).
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
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
    {
        return Err(invalid(
            "use only letters, digits, '_', '.' and '-' (it becomes an environment variable)",
        ));
    }
    Ok(())
}

/// Whether a shell can expand `name` as a variable (`$NAME`): no `.` or `-` in it.
pub fn is_shell_name(name: &str) -> bool {
    name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Names that steer how programs load code, find files or reach the network rather than carry
/// a credential. A member who can write one scope could otherwise make a teammate's
/// `run --scope dev --scope prod` execute their code with the prod keys in reach. Compared
/// without case (tools read `http_proxy` as well as `HTTP_PROXY`). The one list: set and import
/// refuse these names, `run` skips them with a warning (a name can come from an edited file).
const RESERVED_PREFIXES: &[(&str, &str)] = &[
    ("LD_", "steers the dynamic loader"),
    ("DYLD_", "steers the dynamic loader"),
    ("BASH_FUNC_", "defines shell functions"),
    ("PYTHON", "steers the Python interpreter"),
    ("PERL5", "steers the Perl interpreter"),
    ("PERL_", "steers the Perl interpreter"),
    ("RUBY", "steers the Ruby interpreter"),
    ("GIT_", "steers git"),
    ("SSH_", "steers ssh"),
    ("KEYSHELF_", "steers Keyshelf itself"),
    ("MALLOC_", "steers the C library"),
    ("NPM_CONFIG_", "steers npm"),
    ("PIP_", "steers pip"),
    ("CONDA_", "steers conda"),
    ("R_LIBS", "steers R's library path"),
    ("R_PROFILE", "runs R code at start"),
    ("R_ENVIRON", "steers R's start-up"),
    ("JULIA_", "steers Julia"),
];
const RESERVED_NAMES: &[(&str, &str)] = &[
    ("PATH", "decides which programs run"),
    ("BASH_ENV", "runs shell code at start"),
    ("ENV", "runs shell code at start"),
    ("IFS", "changes how shells split words"),
    ("CDPATH", "steers shells"),
    ("PS4", "runs shell code"),
    ("PROMPT_COMMAND", "runs shell code"),
    ("SHELLOPTS", "steers shells"),
    ("BASHOPTS", "steers shells"),
    ("GLOBIGNORE", "steers shells"),
    ("ZDOTDIR", "runs shell code at start"),
    ("SHELL", "decides which shell runs"),
    ("HOME", "decides where programs read their configuration"),
    ("XDG_CONFIG_HOME", "decides where programs read their configuration"),
    ("XDG_DATA_HOME", "decides where programs read their data"),
    ("TMPDIR", "decides where programs write temporary files"),
    ("EDITOR", "decides which program runs"),
    ("VISUAL", "decides which program runs"),
    ("PAGER", "decides which program runs"),
    ("NODE_OPTIONS", "steers Node.js"),
    ("NODE_PATH", "steers Node.js module loading"),
    ("NODE_EXTRA_CA_CERTS", "changes which TLS certificates are trusted"),
    ("JAVA_TOOL_OPTIONS", "steers the JVM"),
    ("_JAVA_OPTIONS", "steers the JVM"),
    ("JDK_JAVA_OPTIONS", "steers the JVM"),
    ("CLASSPATH", "steers the JVM's class loading"),
    ("GCONV_PATH", "steers the C library"),
    ("GLIBC_TUNABLES", "steers the C library"),
    ("LOCPATH", "steers the C library"),
    ("NLSPATH", "steers the C library"),
    ("HOSTALIASES", "redirects host names"),
    ("RES_OPTIONS", "steers name resolution"),
    ("LUA_PATH", "steers Lua module loading"),
    ("LUA_CPATH", "steers Lua module loading"),
    ("TCLLIBPATH", "steers Tcl"),
    ("GEM_PATH", "steers Ruby gems"),
    ("GEM_HOME", "steers Ruby gems"),
    ("BUNDLE_GEMFILE", "steers Ruby's bundler"),
    ("HTTP_PROXY", "sends network traffic through another host"),
    ("HTTPS_PROXY", "sends network traffic through another host"),
    ("ALL_PROXY", "sends network traffic through another host"),
    ("NO_PROXY", "changes which traffic uses a proxy"),
    ("SSL_CERT_FILE", "changes which TLS certificates are trusted"),
    ("SSL_CERT_DIR", "changes which TLS certificates are trusted"),
    ("REQUESTS_CA_BUNDLE", "changes which TLS certificates are trusted"),
    ("CURL_CA_BUNDLE", "changes which TLS certificates are trusted"),
];

/// Why `name` is not a secret name (`None`: it may be one). See [`RESERVED_NAMES`].
pub fn reserved_name(name: &str) -> Option<&'static str> {
    let upper = name.to_ascii_uppercase();
    RESERVED_NAMES
        .iter()
        .find(|(n, _)| *n == upper)
        .or_else(|| RESERVED_PREFIXES.iter().find(|(p, _)| upper.starts_with(p)))
        .map(|(_, why)| *why)
}

/// A name to store a secret under: a valid name that steers no program.
pub fn check_new_secret_name(name: &str) -> Result<()> {
    check_secret_name(name)?;
    match reserved_name(name) {
        Some(reason) => Err(Error::ReservedName {
            name: name.to_owned(),
            reason,
        }),
        None => Ok(()),
    }
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
    fn names_that_steer_programs_are_refused_others_pass() {
        for name in [
            "LD_PRELOAD",
            "BASH_ENV",
            "PATH",
            "PYTHONPATH",
            "NODE_OPTIONS",
            "path",
            "GIT_SSH_COMMAND",
            "KEYSHELF_PASSPHRASE",
            "https_proxy",
            "ENV",
            "IFS",
            "PERL5OPT",
            "DYLD_INSERT_LIBRARIES",
        ] {
            let err = check_new_secret_name(name).expect_err(name).to_string();
            assert!(err.contains(name) && err.contains("not allowed"), "{err}");
        }
        for name in [
            "OPENAI_API_KEY",
            "ENVIRONMENT",
            "PATH_TO_MODEL",
            "HF_TOKEN",
            "DATABASE_URL",
            "NODE_ENV",
            "GOOGLE_APPLICATION_CREDENTIALS",
        ] {
            assert!(check_new_secret_name(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn parses_paths() {
        let p: SecretPath = "llm-eval/dev/OPENAI_API_KEY".parse().expect("path");
        assert_eq!(p.scope.project, "llm-eval");
        assert_eq!(p.to_string(), "llm-eval/dev/OPENAI_API_KEY");
        assert!("llm-eval/dev".parse::<SecretPath>().is_err());
        assert!("a/b/c/d".parse::<SecretPath>().is_err());
        // .env names as python-dotenv and Spring read them; still no leading digit or dash.
        assert!("llm-eval/dev/openai-key".parse::<SecretPath>().is_ok());
        assert!("llm-eval/dev/spring.datasource.url".parse::<SecretPath>().is_ok());
        assert!("llm-eval/dev/9KEY".parse::<SecretPath>().is_err());
        assert!("llm-eval/dev/-KEY".parse::<SecretPath>().is_err());
        assert!("llm-eval/dev/KEY=X".parse::<SecretPath>().is_err());
        assert!("llm eval/dev".parse::<ScopePath>().is_err());
        assert!("/dev".parse::<ScopePath>().is_err());
        let err = "x".parse::<ScopePath>().expect_err("bad");
        assert!(err.to_string().contains("PROJECT/ENV"), "{err}");
    }
}

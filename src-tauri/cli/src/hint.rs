//! What the CLI adds to a core error: the command that gets the user further. The core says
//! what went wrong in words any shell can show; the command syntax is this shell's.

use keyshelf_core::Error;

/// What a command was working on, when a hint depends on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    /// The vault of --vault or KEYSHELF_VAULT: every command but `vault copy`.
    TheVault,
    /// The two locations given to `vault copy`.
    CopyLocations,
}

/// The hint for `error`, if the CLI has one.
pub fn for_error(error: &Error, subject: Subject) -> Option<String> {
    if subject == Subject::CopyLocations {
        match error {
            Error::VaultNotFound { .. } => {
                return Some("SRC must be an existing vault, and a postgres:// DST an existing, empty database".into())
            }
            Error::VaultExists { .. } => {
                return Some("a copy never overwrites a vault: give a new file or an empty database as DST".into())
            }
            _ => {}
        }
    }
    Some(match error {
        Error::VaultNotFound { .. } => "run `keyshelf init` to create one, or pass --vault PATH".into(),
        Error::NotAMember { .. } => "run `keyshelf member join --name NAME` to join it from this device".into(),
        Error::Locked | Error::NoPassphraseSource | Error::LockedNoKeychain { .. } => {
            "run `keyshelf unlock`, or set KEYSHELF_PASSPHRASE for non-interactive use".into()
        }
        Error::UnknownRequest { .. } => "see `keyshelf access ls`".into(),
        Error::NoPending { path } => format!("stage one with `keyshelf rotate {path}` (new value on stdin)"),
        Error::CheckFailed { path, .. } => {
            format!("check it again with `keyshelf rotate --promote {path} --check 'CMD'`")
        }
        Error::CheckRequired { path, .. } => format!("`keyshelf rotate --promote {path}` runs it"),
        Error::NoCheck { .. } => "give one with --check 'CMD'".into(),
        Error::CheckUntrusted { path } => {
            format!("replace it with `keyshelf rotate {path} --check 'CMD' --save-check`")
        }
        Error::ValueHasNul { .. } => "store binary data as a file secret: `keyshelf set P/E/NAME --file PATH`".into(),
        Error::LoginRefused { .. } => {
            "keep the login's password in the OS keychain with `keyshelf vault password` (or in PGPASSWORD or ~/.pgpass)".into()
        }
        Error::ValueNotText { .. } => "read it with `keyshelf get`, which prints the exact bytes".into(),
        _ => return None,
    })
}

/// The line printed for a failed command.
pub fn line(error: &Error, subject: Subject) -> String {
    match for_error(error, subject) {
        Some(hint) => format!("{error}: {hint}"),
        None => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cli_adds_its_command_and_the_core_names_none() {
        let locked = line(&Error::Locked, Subject::TheVault);
        assert!(
            locked.starts_with("the vault is locked: ") && locked.contains("keyshelf unlock"),
            "{locked}"
        );
        assert!(!Error::Locked.to_string().contains("keyshelf"));
        assert_eq!(line(&Error::EmptyPassphrase, Subject::TheVault), "passphrase is empty");
        // `vault copy` names its own locations, not --vault.
        let missing = line(
            &Error::VaultNotFound {
                path: "/tmp/nope.db".into(),
            },
            Subject::CopyLocations,
        );
        assert!(
            missing.starts_with("no vault at /tmp/nope.db: ") && !missing.contains("--vault"),
            "{missing}"
        );
    }
}

//! The one error shape the UI sees: a stable code to branch on and a message to show. Built from
//! the core error's `Display`, which never carries a secret.

use keyshelf_core::Error;
use serde::Serialize;

#[derive(Debug, Serialize, ts_rs::TS)]
#[ts(export)]
pub struct CommandError {
    pub code: &'static str,
    pub message: String,
}

impl From<Error> for CommandError {
    fn from(error: Error) -> Self {
        let code = match &error {
            Error::Locked | Error::NoPassphraseSource => "locked",
            Error::LockedNoKeychain { .. } | Error::Keychain { .. } => "keychain",
            Error::WrongPassphrase | Error::WrongRecoveryKey | Error::EmptyPassphrase => "wrong_passphrase",
            Error::VaultNotFound { .. } | Error::NotAMember { .. } => "no_vault",
            Error::UnknownProject { .. }
            | Error::UnknownEnvironment { .. }
            | Error::UnknownSecret { .. }
            | Error::UnknownMember { .. }
            | Error::UnknownRequest { .. }
            | Error::NoPending { .. }
            | Error::NoPrevious { .. } => "not_found",
            Error::CheckFailed { .. } | Error::CheckRequired { .. } => "check_failed",
            Error::ProjectExists { .. }
            | Error::EnvironmentExists { .. }
            | Error::VaultExists { .. }
            | Error::MemberExists { .. } => "exists",
            Error::NotAllowed { .. } | Error::NoAccess { .. } | Error::CheckUnconfirmed { .. } => "not_allowed",
            Error::SecretTampered { .. }
            | Error::NoteTampered { .. }
            | Error::StateTampered { .. }
            | Error::ScopeSetTampered { .. }
            | Error::GrantTampered { .. }
            | Error::IdentityTampered { .. }
            | Error::EnvelopeTampered { .. }
            | Error::AuditBroken { .. }
            | Error::RequestForged { .. }
            | Error::CheckUntrusted { .. }
            | Error::KeyRecordTampered { .. }
            | Error::KeyRecordMissing { .. }
            | Error::Corrupt { .. } => "tampered",
            Error::RolledBack { .. } => "rolled_back",
            Error::Removed { .. } => "removed",
            Error::InvalidName { .. }
            | Error::ReservedName { .. }
            | Error::InvalidPath { .. }
            | Error::InvalidDuration { .. }
            | Error::InvalidRotation { .. }
            | Error::NoCheck { .. }
            | Error::UnknownKind { .. }
            | Error::EmptyValue { .. }
            | Error::FileTooLarge { .. }
            | Error::ValueTooLarge { .. }
            | Error::InvalidFile { .. }
            | Error::InvalidSetting { .. }
            | Error::MalformedRecoveryKey { .. }
            | Error::PassphraseMismatch
            | Error::KdfTooWeak { .. } => "invalid",
            _ => "internal",
        };
        CommandError {
            code,
            message: error.to_string(),
        }
    }
}

pub type CommandResult<T> = Result<T, CommandError>;

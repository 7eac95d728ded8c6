//! The one error type of keyshelf-core.
//!
//! Every message names what was wrong so that a user can act on it, and none carries a secret:
//! variants hold names, paths, positions and counts, never a value, a key or a passphrase.
//! Adapters (CLI, desktop) print `Display` as is.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // --- the vault file ---
    #[error("no vault at {path}")]
    VaultNotFound { path: PathBuf },
    #[error("a vault already exists at {path}")]
    VaultExists { path: PathBuf },
    #[error("{path} is not a Keyshelf vault")]
    NotAVault { path: PathBuf },
    #[error(
        "{path} was written by a newer Keyshelf (vault format {found}, this build reads up to {supported}): upgrade Keyshelf"
    )]
    NewerFormat { path: PathBuf, found: i64, supported: i64 },
    #[error("the vault database is busy ({holder} holds the write lock): nothing was changed; try again")]
    Busy { holder: String },
    #[error("the disk is full: nothing was changed")]
    DiskFull,
    #[error("the vault's file or folder is read-only here, so {context} cannot write to it: nothing was changed")]
    ReadOnlyVault { context: String },
    #[error("the disk failed while {context} (it may be full or failing): nothing was changed")]
    StorageIo { context: String },
    #[error("the vault database is corrupt ({context})")]
    Corrupt { context: String },
    #[error("database error while {context}: {message}")]
    Database { context: String, message: String },
    #[error("the vault's database server {server} cannot be reached ({problem}): nothing was changed")]
    ServerUnreachable { server: String, problem: String },
    #[error(
        "the vault's database server ended the connection while {context} ({problem}): nothing was changed; try again"
    )]
    ServerGone { context: String, problem: String },
    #[error("the database server {server} refused the login of {user}: {why}")]
    LoginRefused { server: String, user: String, why: String },
    #[error("{location} is a vault file: only a database server has a login password")]
    NoLogin { location: String },
    #[error("{location} is not a vault location this build can open (a file path or postgres://)")]
    UnsupportedLocation { location: String },

    // --- unlocking ---
    #[error("wrong passphrase")]
    WrongPassphrase,
    #[error("wrong recovery key")]
    WrongRecoveryKey,
    #[error("recovery key is malformed: {reason}")]
    MalformedRecoveryKey { reason: &'static str },
    /// `reason` is a whole sentence ("the machine token is truncated"), never the token.
    #[error("{reason}")]
    MalformedToken { reason: &'static str },
    #[error("the machine token is refused: {reason}")]
    TokenRefused { reason: String },
    #[error("a machine token only reads values: it may not {action}")]
    MachineReadOnly { action: String },
    #[error("machine {name}'s access expired")]
    MachineExpired { name: String },
    #[error(
        "key derivation parameters m={m_kib} KiB, t={t}, p={p} are below the floor (m={min_m_kib} KiB, t={min_t}, p={min_p}): refusing to use them"
    )]
    KdfTooWeak {
        m_kib: u32,
        t: u32,
        p: u32,
        min_m_kib: u32,
        min_t: u32,
        min_p: u32,
    },
    #[error(
        "key derivation parameters m={m_kib} KiB, t={t}, p={p} are beyond what this build will run (the vault file was altered?)"
    )]
    KdfTooCostly { m_kib: u32, t: u32, p: u32 },
    #[error("passphrase is empty")]
    EmptyPassphrase,
    #[error("the two passphrases differ; nothing was changed")]
    PassphraseMismatch,
    #[error("no passphrase was given, and there is no way to ask for one")]
    NoPassphraseSource,
    #[error("the key envelope for member {member} failed authentication (the vault file was altered)")]
    EnvelopeTampered { member: String },
    #[error("the identity keys of member {member} failed authentication (the vault file was altered)")]
    IdentityTampered { member: String },
    #[error("this device is not a member of vault {vault}")]
    NotAMember { vault: String },
    #[error("member {member} is not in this vault")]
    UnknownMember { member: String },
    #[error("two current members are named {name}, which Keyshelf never writes (the vault file was altered?): nothing was done")]
    AmbiguousMember { name: String },
    #[error("a member named {name:?} already exists in this vault: choose another name")]
    MemberExists { name: String },
    #[error("cannot {action}: {reason}")]
    NotAllowed { action: String, reason: String },
    #[error("no access request {id}")]
    UnknownRequest { id: String },
    #[error("access request {id} failed verification ({problem}): the vault file was altered; refusing it")]
    RequestForged { id: String, problem: String },
    #[error("the vault is locked")]
    Locked,
    #[error("the vault is locked and the OS keychain is unavailable ({problem})")]
    LockedNoKeychain { problem: String },
    #[error("OS keychain unavailable: {reason}")]
    Keychain { reason: String },

    // --- names and paths ---
    #[error("invalid {what} name {name:?}: {reason}")]
    InvalidName {
        what: &'static str,
        name: String,
        reason: &'static str,
    },
    #[error("invalid {what} {input:?}: expected {expected}")]
    InvalidPath {
        what: &'static str,
        input: String,
        expected: &'static str,
    },
    #[error("invalid duration {input:?}: use a number and a unit, e.g. 30s, 15m, 24h, 7d, 12w")]
    InvalidDuration { input: String },
    #[error("invalid rotation policy {input:?}: use an interval (e.g. 90d, 12w), default, on-deploy or manual")]
    InvalidRotation { input: String },
    #[error("unknown secret kind {kind:?}: one of {known}")]
    UnknownKind { kind: String, known: String },
    #[error("no project named {project:?}")]
    UnknownProject { project: String },
    #[error("project {project:?} has no environment {environment:?}")]
    UnknownEnvironment { project: String, environment: String },
    #[error("no secret {path}")]
    UnknownSecret { path: String },
    #[error("project {project:?} already exists")]
    ProjectExists { project: String },
    #[error("environment {project}/{environment} already exists")]
    EnvironmentExists { project: String, environment: String },

    // --- access and integrity ---
    #[error("you have no access to {scope}")]
    NoAccess { scope: String },
    #[error("the grant for {scope} failed verification (the vault file was altered)")]
    GrantTampered { scope: String },
    #[error("secret {path} version {version} failed authentication (the vault file was altered)")]
    SecretTampered { path: String, version: i64 },
    #[error("the state of secret {path} (which version is current, checks, exposure) failed authentication (the vault file was altered)")]
    StateTampered { path: String },
    #[error("the secrets of {scope} do not match their sealed set (a secret was written back, removed or re-inserted in the vault file)")]
    ScopeSetTampered { scope: String },
    #[error("{scope} holds secrets but no sealed set of them: the vault file was altered, or the vault was made by a pre-release build (export its scopes with that build and import them into a new vault)")]
    ScopeUnsealed { scope: String },
    #[error("the note of secret {path} failed authentication (the vault file was altered)")]
    NoteTampered { path: String },
    #[error("secret {path} has no current version")]
    NoCurrentVersion { path: String },
    #[error("audit log entry {position} {problem}")]
    AuditBroken { position: i64, problem: String },
    #[error(
        "the signed key record of {scope} does not hold: {problem} (the vault file was altered); refusing the scope"
    )]
    KeyRecordTampered { scope: String, problem: String },
    #[error("{scope} has no signed key record: the vault file was altered, or the vault was made by a pre-release build (export its scopes with that build and import them into a new vault)")]
    KeyRecordMissing { scope: String },
    #[error("the vault went back to an older state than this device has seen: {what}. Restore the newer copy; until then nothing is read or written")]
    RolledBack { what: String },
    #[error("you were removed from vault {vault}")]
    Removed { vault: String },
    #[error("{name} is not allowed as a secret name: it {reason}")]
    ReservedName { name: String, reason: &'static str },

    // --- rotation ---
    #[error("{path} has no pending version: stage a new value first")]
    NoPending { path: String },
    #[error("{path} has no previous version inside its overlap window: nothing to {action}")]
    NoPrevious { path: String, action: &'static str },
    #[error(
        "the check of {path} version {version} failed: not promoting it (stage a value that passes, or check it again)"
    )]
    CheckFailed { path: String, version: i64 },
    #[error("{path} has a saved check that version {version} has not passed: run it first")]
    CheckRequired { path: String, version: i64 },
    #[error("the saved check of {path} was saved by {by} and has not been confirmed on this device: read it and confirm it before it runs with the new value")]
    CheckUnconfirmed { path: String, by: String },
    #[error("{path} has no saved check: give a check command")]
    NoCheck { path: String },
    #[error("the saved check of {path} is not signed by a member this device trusts (the vault file was altered?): not running it; save a check of your own to replace it")]
    CheckUntrusted { path: String },

    // --- input ---
    #[error("line {line}: {reason}")]
    Dotenv { line: usize, reason: String },
    #[error("{key} is not valid UTF-8 text, so it cannot be written as a .env line")]
    DotenvValueNotText { key: String },
    #[error("{key} is binary (not UTF-8 text), so it cannot be shown or copied as text")]
    ValueNotText { key: String },
    #[error("{path}: {size} bytes is larger than the {limit}-byte limit for a file secret")]
    FileTooLarge { path: PathBuf, size: u64, limit: u64 },
    #[error("file {name}: {reason}")]
    InvalidFile { name: String, reason: String },
    #[error("{what} is larger than the {limit}-byte limit")]
    ValueTooLarge { what: String, limit: u64 },
    #[error("{what} is empty")]
    EmptyValue { what: String },
    #[error("{what} contains a NUL byte, which an environment variable cannot hold")]
    ValueHasNul { what: String },
    #[error("{path} changed since it was read: it is now version {version}, by {by} at {at}; read it again before changing it")]
    Conflict {
        path: String,
        version: i64,
        by: String,
        at: String,
    },
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot tell where {what} goes (no home directory): set {variable}")]
    NoDefaultPath { what: &'static str, variable: &'static str },
    #[error("device config {path} is unreadable: {reason}")]
    Config { path: PathBuf, reason: String },
    #[error("invalid {setting} setting: {reason}")]
    InvalidSetting { setting: &'static str, reason: String },
}

/// What kind of failure an [`Error`] is: what a shell branches on (the desktop's UI receives it
/// with the message). Every variant maps to exactly one, with no fallback, so a new error must
/// be given its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// Unlock first (or the keys are gone: the vault was locked).
    Locked,
    /// The OS keychain could not be used.
    Keychain,
    WrongPassphrase,
    /// No vault here, or this device is not a member of it.
    NoVault,
    NotFound,
    Exists,
    NotAllowed,
    /// Input that cannot be used as given (a name, a duration, a file, a setting).
    Invalid,
    /// Someone else changed it since it was read: read it again, then decide.
    Conflict,
    /// The staged value's check failed or has not run.
    CheckFailed,
    /// The vault file was altered: something failed authentication or verification.
    Tampered,
    /// The vault is older than what this device has seen.
    RolledBack,
    /// This member was removed from the vault.
    Removed,
    /// Busy or full: nothing changed; trying again later may work.
    Unavailable,
    /// The vault's database server cannot be reached (down, or the network): nothing changed;
    /// the same call may work once it answers.
    ServerUnreachable,
    /// The vault's database server refused this login: its password is missing or wrong.
    LoginRefused,
    /// A machine token that is malformed, or that this vault does not accept.
    BadToken,
    /// Anything else (an I/O or database failure); the message says what.
    Internal,
}

impl Error {
    pub fn code(&self) -> ErrorCode {
        use ErrorCode as C;
        match self {
            Error::Locked | Error::NoPassphraseSource => C::Locked,
            Error::LockedNoKeychain { .. } | Error::Keychain { .. } => C::Keychain,
            Error::WrongPassphrase | Error::WrongRecoveryKey | Error::EmptyPassphrase => C::WrongPassphrase,
            Error::VaultNotFound { .. } | Error::NotAMember { .. } | Error::NotAVault { .. } => C::NoVault,
            Error::UnknownProject { .. }
            | Error::UnknownEnvironment { .. }
            | Error::UnknownSecret { .. }
            | Error::UnknownMember { .. }
            | Error::UnknownRequest { .. }
            | Error::NoPending { .. }
            | Error::NoPrevious { .. }
            | Error::NoCurrentVersion { .. } => C::NotFound,
            Error::Conflict { .. } => C::Conflict,
            Error::ProjectExists { .. }
            | Error::EnvironmentExists { .. }
            | Error::VaultExists { .. }
            | Error::MemberExists { .. } => C::Exists,
            Error::NotAllowed { .. }
            | Error::NoAccess { .. }
            | Error::CheckUnconfirmed { .. }
            | Error::MachineReadOnly { .. }
            | Error::MachineExpired { .. } => C::NotAllowed,
            Error::MalformedToken { .. } | Error::TokenRefused { .. } => C::BadToken,
            Error::CheckFailed { .. } | Error::CheckRequired { .. } => C::CheckFailed,
            Error::SecretTampered { .. }
            | Error::NoteTampered { .. }
            | Error::StateTampered { .. }
            | Error::ScopeSetTampered { .. }
            | Error::ScopeUnsealed { .. }
            | Error::GrantTampered { .. }
            | Error::IdentityTampered { .. }
            | Error::AmbiguousMember { .. }
            | Error::EnvelopeTampered { .. }
            | Error::AuditBroken { .. }
            | Error::RequestForged { .. }
            | Error::CheckUntrusted { .. }
            | Error::KeyRecordTampered { .. }
            | Error::KeyRecordMissing { .. }
            | Error::KdfTooCostly { .. }
            | Error::Corrupt { .. } => C::Tampered,
            Error::RolledBack { .. } => C::RolledBack,
            Error::Removed { .. } => C::Removed,
            Error::InvalidName { .. }
            | Error::ReservedName { .. }
            | Error::InvalidPath { .. }
            | Error::InvalidDuration { .. }
            | Error::InvalidRotation { .. }
            | Error::NoCheck { .. }
            | Error::UnknownKind { .. }
            | Error::EmptyValue { .. }
            | Error::ValueHasNul { .. }
            | Error::FileTooLarge { .. }
            | Error::ValueTooLarge { .. }
            | Error::InvalidFile { .. }
            | Error::InvalidSetting { .. }
            | Error::MalformedRecoveryKey { .. }
            | Error::PassphraseMismatch
            | Error::KdfTooWeak { .. }
            | Error::Dotenv { .. }
            | Error::DotenvValueNotText { .. }
            | Error::ValueNotText { .. }
            | Error::NewerFormat { .. } => C::Invalid,
            Error::Busy { .. } | Error::DiskFull | Error::StorageIo { .. } | Error::ServerGone { .. } => C::Unavailable,
            Error::ReadOnlyVault { .. } => C::NotAllowed,
            Error::ServerUnreachable { .. } => C::ServerUnreachable,
            Error::LoginRefused { .. } => C::LoginRefused,
            Error::UnsupportedLocation { .. } | Error::NoLogin { .. } => C::Invalid,
            Error::Database { .. } | Error::Io { .. } | Error::Config { .. } | Error::NoDefaultPath { .. } => {
                C::Internal
            }
        }
    }

    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }
}

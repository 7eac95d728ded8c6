//! The vault: one SQLite file holding projects, environments (scopes), secrets and their
//! versions, members and the audit log. [`Vault`] is the locked view (metadata only);
//! [`Session`] is a member's unlocked view, which can decrypt what they were granted.

mod deadlines;
mod exposure;
mod listing;
pub(crate) mod path;
pub(crate) mod projects;
pub(crate) mod secrets;
mod staged;
pub(crate) mod state;
mod transfer;

use std::path::Path;

use serde::Serialize;
use zeroize::Zeroizing;

pub use deadlines::{Deployment, RotationOverride, ScopeFilter};
pub use listing::{SecretSummary, VersionSummary};
pub use path::{
    check_label, check_new_secret_name, check_secret_name, is_shell_name, reserved_name, ScopePath, SecretPath,
};
pub use projects::{EnvironmentSummary, ProjectSummary};
pub use secrets::{SecretOptions, SetOutcome, MAX_VALUE_BYTES};
pub use staged::{Promoted, Staged};
pub use transfer::{ExportFormat, ImportSummary, ScopeSecret};

use crate::audit::{self, AuditEntry};
use crate::crypto::KdfParams;
use crate::error::{Error, Result};
use crate::store::{CopySummary, Store};
use crate::team::members::{self, Member};

/// A vault opened but not unlocked: it can list names and metadata, never values.
#[derive(Debug, Clone)]
pub struct Vault {
    pub(crate) store: Store,
    pub(crate) id: String,
    pub(crate) name: String,
}

/// What `init` needs to create a vault and its owner.
pub struct NewVault {
    pub team: String,
    pub owner: String,
    pub passphrase: Zeroizing<Vec<u8>>,
    pub kdf: KdfParams,
}

#[derive(Debug, Clone, Serialize)]
pub struct VaultInfo {
    pub id: String,
    pub name: String,
    pub path: String,
}

impl Vault {
    pub async fn open(path: &Path) -> Result<Vault> {
        let store = Store::open(path).await?;
        let (id, name) = store
            .read()
            .await?
            .vault_identity()
            .await?
            .ok_or_else(|| Error::NotAVault { path: path.into() })?;
        Ok(Vault { store, id, name })
    }

    /// The vault at `location`, or `None` when there is none yet (no file; an empty database).
    pub async fn find(location: &Path) -> Result<Option<Vault>> {
        match Vault::open(location).await {
            Ok(vault) => Ok(Some(vault)),
            Err(Error::VaultNotFound { .. }) => Ok(None),
            Err(other) => Err(other),
        }
    }

    /// Copies the vault at `src` into a new vault at `dst` (a file or an empty `postgres://`
    /// database): the same vault row for row, readable by the same members with the same
    /// passphrases, recovery keys and keychain entries. Needs no unlock; see [`crate::store::copy`].
    pub async fn copy(src: &Path, dst: &Path) -> Result<CopySummary> {
        let source = Vault::open(src).await?;
        let copied = crate::store::copy(&source.store, dst).await;
        source.close().await;
        copied
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn path(&self) -> &Path {
        self.store.path()
    }

    pub fn info(&self) -> VaultInfo {
        VaultInfo {
            id: self.id.clone(),
            name: self.name.clone(),
            path: self.path().display().to_string(),
        }
    }

    pub async fn members(&self) -> Result<Vec<Member>> {
        members::list(&mut *acquire(self).await?).await
    }

    pub async fn member_by_name(&self, name: &str) -> Result<Member> {
        self.members()
            .await?
            .into_iter()
            .find(|m| m.name == name)
            .ok_or_else(|| Error::UnknownMember {
                member: name.to_owned(),
            })
    }

    /// Checks the audit chain (hashes, order, signatures); with the owner key this device pinned,
    /// also that every actor is vouched for through it; with what this device saw (`seen`),
    /// that the log still holds the newest entry it recorded. The number of intact entries.
    pub async fn verify_audit(&self, pinned_owner: Option<&[u8]>, seen: Option<&crate::seen::Seen>) -> Result<i64> {
        let count = audit::verify(&mut *acquire(self).await?).await?;
        if let Some(seen) = seen {
            audit::check_still_holds(&mut *acquire(self).await?, seen).await?;
        }
        if let Some(pinned) = pinned_owner {
            let mut conn = acquire(self).await?;
            let vouched = crate::team::roster::vouched(&mut *conn, &self.id, pinned).await?;
            audit::verify_actors(&mut *conn, &vouched).await?;
        }
        Ok(count)
    }

    /// A number that grows with every change anyone makes to the vault (every write and every
    /// read of a value appends an audit entry): one cheap query, for noticing other members'
    /// changes without reading the vault again.
    pub async fn change_mark(&self) -> Result<i64> {
        Ok(acquire(self).await?.audit_head().await?.map_or(0, |(seq, _)| seq))
    }

    pub async fn recent_audit(&self, limit: i64) -> Result<Vec<AuditEntry>> {
        audit::recent(&mut *acquire(self).await?, limit).await
    }

    pub async fn close(&self) {
        self.store.close().await;
    }

    /// Deletes the vault file (and its WAL). Only for undoing a creation that did not complete.
    pub async fn destroy(&self) {
        self.store.destroy().await;
    }
}

pub(crate) async fn acquire(vault: &Vault) -> Result<crate::store::ReadConn> {
    vault.store.read().await
}

//! The vault: one SQLite file holding projects, environments (scopes), secrets and their
//! versions, members and the audit log. [`Vault`] is the locked view (metadata only);
//! [`Session`] is a member's unlocked view, which can decrypt what they were granted.

mod deadlines;
mod path;
pub(crate) mod projects;
pub(crate) mod secrets;
mod staged;
pub(crate) mod state;

use std::path::Path;

use serde::Serialize;
use zeroize::Zeroizing;

pub use deadlines::{Deployment, RotationOverride, ScopeFilter};
pub use path::{check_label, check_new_secret_name, check_secret_name, reserved_name, ScopePath, SecretPath};
pub use projects::{EnvironmentSummary, ProjectSummary};
pub use secrets::{
    ExportFormat, ImportSummary, ScopeSecret, SecretOptions, SecretSummary, SetOutcome, VersionSummary, MAX_VALUE_BYTES,
};
pub use staged::{Promoted, Staged};

use crate::audit::{self, AuditEntry};
use crate::crypto::{AccountKey, Identity, KdfParams, RecoveryKey};
use crate::error::{Error, Result};
use crate::members::{self, Member, Role};
use crate::session::Session;
use crate::store::{self, Store};

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

/// The result of `init`: the owner's session and the recovery key to show once.
pub struct Created {
    pub session: Session,
    pub recovery_key: RecoveryKey,
}

#[derive(Debug, Clone, Serialize)]
pub struct VaultInfo {
    pub id: String,
    pub name: String,
    pub path: String,
}

impl Vault {
    /// Creates the file, the owner (identity keys, passphrase and recovery envelopes), and the
    /// first audit entry, in one transaction.
    pub async fn create(path: &Path, new: NewVault, device: &str) -> Result<Created> {
        check_label("team", &new.team)?;
        check_label("user", &new.owner)?;
        if new.passphrase.is_empty() {
            return Err(Error::EmptyPassphrase);
        }
        new.kdf.check()?;
        let store = Store::create(path).await?;
        let result = Self::populate(&store, new, device).await;
        if result.is_err() {
            // Nothing of a half-made vault may stay behind to be mistaken for a real one.
            store.close().await;
            remove_files(path);
        }
        result
    }

    async fn populate(store: &Store, new: NewVault, device: &str) -> Result<Created> {
        let vault_id = uuid::Uuid::new_v4().to_string();
        let member_id = uuid::Uuid::new_v4().to_string();
        let account_key = AccountKey::generate();
        let identity = Identity::generate();
        let recovery_key = RecoveryKey::generate();

        let mut tx = store.write().await?;
        sqlx::query("INSERT INTO vault (singleton, id, name, format, created_at) VALUES (1, ?, ?, ?, ?)")
            .bind(&vault_id)
            .bind(&new.team)
            .bind(store::FORMAT)
            .bind(crate::clock::now())
            .execute(&mut *tx)
            .await
            .map_err(|e| Error::db("creating the vault", e))?;
        members::insert(
            &mut tx,
            &vault_id,
            &member_id,
            &new.owner,
            Role::Owner,
            "active",
            &identity,
            &account_key,
        )
        .await?;
        members::write_passphrase_envelope(&mut tx, &vault_id, &member_id, &account_key, new.passphrase, new.kdf)
            .await?;
        members::write_recovery_envelope(&mut tx, &vault_id, &member_id, &account_key, &recovery_key).await?;
        let actor = audit::Actor {
            member_id: &member_id,
            device,
            identity: &identity,
        };
        audit::append(&mut tx, &actor, "vault.create", &new.team, None).await?;
        store::commit(tx, "creating the vault").await?;

        let vault = Vault {
            store: store.clone(),
            id: vault_id,
            name: new.team,
        };
        let member = members::by_id(&mut *acquire(&vault).await?, &member_id).await?;
        // The creator is the owner: their session trusts their own key as the owner's.
        let owner_key = identity.signing_public().to_vec();
        Ok(Created {
            session: Session::new(vault, member, identity, account_key, device).with_pinned_owner(owner_key),
            recovery_key,
        })
    }

    pub async fn open(path: &Path) -> Result<Vault> {
        let store = Store::open(path).await?;
        let (id, name): (String, String) = sqlx::query_as("SELECT id, name FROM vault")
            .fetch_one(store.pool())
            .await
            .map_err(|_| Error::NotAVault { path: path.into() })?;
        Ok(Vault { store, id, name })
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

    /// Unlocks with an account key from the keychain.
    pub async fn unlock_with_key(self, member_id: &str, account_key: AccountKey, device: &str) -> Result<Session> {
        let mut conn = acquire(&self).await?;
        let (member, identity) = members::open_identity(&mut conn, &self.id, member_id, &account_key).await?;
        drop(conn);
        Ok(Session::new(self, member, identity, account_key, device))
    }

    /// Unlocks with the passphrase (Argon2id). Nothing changes on a wrong passphrase.
    pub async fn unlock_with_passphrase(
        self,
        member_id: &str,
        passphrase: Zeroizing<Vec<u8>>,
        device: &str,
    ) -> Result<Session> {
        let account_key = {
            let mut conn = acquire(&self).await?;
            let opened = members::open_with_passphrase(&mut conn, &self.id, member_id, passphrase).await;
            self.removed_or(&mut conn, member_id, opened).await?
        };
        self.unlock_with_key(member_id, account_key, device).await
    }

    /// Unlocks with the printable recovery key, for when keychain and passphrase are both lost.
    pub async fn unlock_with_recovery(self, member_id: &str, recovery: &RecoveryKey, device: &str) -> Result<Session> {
        let account_key = {
            let mut conn = acquire(&self).await?;
            let opened = members::open_with_recovery(&mut conn, &self.id, member_id, recovery).await;
            self.removed_or(&mut conn, member_id, opened).await?
        };
        self.unlock_with_key(member_id, account_key, device).await
    }

    /// A removal deletes the member's envelopes: say "removed", not "altered", when that is why
    /// one is missing.
    async fn removed_or(
        &self,
        conn: &mut sqlx::SqliteConnection,
        member_id: &str,
        opened: Result<AccountKey>,
    ) -> Result<AccountKey> {
        if let Err(Error::EnvelopeTampered { .. }) = &opened {
            // For the message only: what decides is the signed removal, checked at attach.
            let removed: Option<bool> = sqlx::query_scalar(
                "SELECT status = 'removed' OR EXISTS (SELECT 1 FROM removals WHERE member_id = id) FROM members WHERE id = ?",
            )
            .bind(member_id)
            .fetch_optional(conn)
            .await
            .map_err(|e| Error::db("reading a member", e))?;
            if removed == Some(true) {
                return Err(Error::Removed {
                    vault: self.name.clone(),
                });
            }
        }
        opened
    }

    /// Checks the audit chain (hashes, order, signatures); with the owner key this device pinned,
    /// also that every actor is vouched for through it; with what this device saw (`seen`),
    /// that the log still holds the newest entry it recorded. The number of intact entries.
    pub async fn verify_audit(&self, pinned_owner: Option<&[u8]>, seen: Option<&crate::seen::Seen>) -> Result<i64> {
        let count = audit::verify(self.store.pool()).await?;
        if let Some(seen) = seen {
            audit::check_still_holds(&mut *acquire(self).await?, seen).await?;
        }
        if let Some(pinned) = pinned_owner {
            let mut conn = acquire(self).await?;
            let vouched = crate::roster::vouched(&mut conn, &self.id, pinned).await?;
            audit::verify_actors(&mut conn, &vouched).await?;
        }
        Ok(count)
    }

    pub async fn recent_audit(&self, limit: i64) -> Result<Vec<AuditEntry>> {
        audit::recent(self.store.pool(), limit).await
    }

    pub async fn close(&self) {
        self.store.close().await;
    }

    /// Deletes the vault file (and its WAL). Only for undoing a creation that did not complete.
    pub async fn destroy(&self) {
        self.store.close().await;
        remove_files(self.path());
    }
}

fn remove_files(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
}

pub(crate) async fn acquire(vault: &Vault) -> Result<sqlx::pool::PoolConnection<sqlx::Sqlite>> {
    vault
        .store
        .pool()
        .acquire()
        .await
        .map_err(|e| Error::db("connecting to the vault", e))
}

/// For unit tests: a fresh vault file in `dir` whose owner "ada" is unlocked, with default KDF
/// parameters.
#[cfg(test)]
pub(crate) async fn test_owner_session(dir: &Path) -> Session {
    Vault::create(
        &dir.join("v.db"),
        NewVault {
            team: "t".into(),
            owner: "ada".into(),
            passphrase: Zeroizing::new(b"unit test passphrase".to_vec()),
            kdf: KdfParams::default(),
        },
        "device-1",
    )
    .await
    .expect("create a test vault")
    .session
}

/// For unit tests: `name` joins the vault of `owner` (in `dir`), is admitted with `role`, and is
/// unlocked on their own "device", trusting the owner's key.
#[cfg(test)]
pub(crate) async fn test_member(dir: &Path, owner: &Session, name: &str, role: Role, lead_of: &[String]) -> Session {
    let passphrase = format!("{name}'s unit test passphrase").into_bytes();
    let vault = Vault::open(&dir.join("v.db")).await.expect("open");
    let joined = vault
        .join(name, Zeroizing::new(passphrase.clone()), &format!("{name}-device"))
        .await
        .expect("join");
    owner
        .admit(name, role, lead_of, &joined.fingerprint)
        .await
        .expect("admit");
    vault
        .unlock_with_passphrase(&joined.member_id, Zeroizing::new(passphrase), &format!("{name}-device"))
        .await
        .expect("unlock")
        .with_pinned_owner(joined.owner_signing_key)
}

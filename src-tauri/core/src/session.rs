//! An unlocked vault: a member's identity in memory, and the scope keys opened so far.
//! Dropping the session zeroizes every key it holds.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sqlx::SqliteConnection;
use zeroize::Zeroizing;

use crate::audit::{self, Actor};
use crate::crypto::{AccountKey, Identity, KdfParams, ScopeKey};
use crate::error::{Error, Result};
use crate::keychain::KeyCache;
use crate::members::{self, Member};
use crate::vault::Vault;

/// Opened scope keys by (scope id, key epoch), with their grant's expiry.
type ScopeKeyCache = HashMap<(String, i64), (Arc<ScopeKey>, Option<i64>)>;

pub struct Session {
    pub(crate) vault: Vault,
    pub(crate) member: Member,
    pub(crate) identity: Identity,
    account_key: AccountKey,
    pub(crate) device: String,
    /// Opened scope keys with their grant's expiry, re-checked on every use.
    scope_keys: Mutex<ScopeKeyCache>,
    /// The owner key this device trusts. Without it only grants this member issued to
    /// themselves are trusted; with it, also those of trusted owners and leads (see `roster`).
    pinned_owner: Option<Vec<u8>>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("vault", &self.vault.id)
            .field("member", &self.member.name)
            .finish_non_exhaustive()
    }
}

impl Session {
    pub(crate) fn new(vault: Vault, member: Member, identity: Identity, account_key: AccountKey, device: &str) -> Self {
        Self {
            vault,
            member,
            identity,
            account_key,
            device: device.to_owned(),
            scope_keys: Mutex::new(HashMap::new()),
            pinned_owner: None,
        }
    }

    /// Trusts the roster rooted in this owner key (pinned on the device at init or join).
    pub fn with_pinned_owner(mut self, key: Vec<u8>) -> Self {
        self.pinned_owner = Some(key);
        self
    }

    pub fn pinned_owner(&self) -> Option<&[u8]> {
        self.pinned_owner.as_deref()
    }

    pub fn vault(&self) -> &Vault {
        &self.vault
    }

    /// This member's signing key, hex: what a device pins when its own member is the owner.
    pub fn signing_key_hex(&self) -> String {
        hex::encode(self.identity.signing_public())
    }

    pub fn member(&self) -> &Member {
        &self.member
    }

    /// Caches the account key in the OS keychain so later commands unlock without asking.
    pub fn remember(&self, cache: &dyn KeyCache) -> Result<()> {
        cache.store(&self.vault.id, &self.member.id, &self.account_key)
    }

    /// Re-wraps the account key under a new passphrase (after a recovery-key unlock, or by choice).
    pub async fn change_passphrase(&self, passphrase: Zeroizing<Vec<u8>>, kdf: KdfParams) -> Result<()> {
        kdf.check()?;
        let mut tx = self.vault.store.write().await?;
        members::write_passphrase_envelope(
            &mut tx,
            &self.vault.id,
            &self.member.id,
            &self.account_key,
            passphrase,
            kdf,
        )
        .await?;
        self.audit(&mut tx, "member.passphrase", &self.member.name).await?;
        crate::store::commit(tx, "changing the passphrase").await
    }

    pub(crate) fn actor(&self) -> Actor<'_> {
        Actor {
            member_id: &self.member.id,
            device: &self.device,
            identity: &self.identity,
        }
    }

    pub(crate) async fn audit(&self, conn: &mut SqliteConnection, action: &str, target: &str) -> Result<()> {
        audit::append(conn, &self.actor(), action, target).await
    }

    /// The key of a scope at its current epoch, from this member's grant (opened once per session).
    pub(crate) async fn scope_key(
        &self,
        conn: &mut SqliteConnection,
        scope_id: &str,
        epoch: i64,
        label: &str,
    ) -> Result<Arc<ScopeKey>> {
        let cache_key = (scope_id.to_owned(), epoch);
        if let Some((key, expires_at)) = self.lock_cache()?.get(&cache_key) {
            // Grants can expire while a session (the desktop app's) stays open.
            if expires_at.is_some_and(|at| at <= crate::clock::now()) {
                return Err(Error::NoAccess {
                    scope: label.to_owned(),
                });
            }
            return Ok(Arc::clone(key));
        }
        // Who may have granted this scope: trusted owners, and trusted leads of its project.
        let project = label.split('/').next().unwrap_or(label);
        // Only a grant from someone else needs the roster (the common case, one's own grant, does not).
        let granted_by: Option<String> =
            sqlx::query_scalar("SELECT granted_by FROM grants WHERE scope_id = ? AND member_id = ? AND key_epoch = ?")
                .bind(scope_id)
                .bind(&self.member.id)
                .bind(epoch)
                .fetch_optional(&mut *conn)
                .await
                .map_err(|e| Error::db("reading a grant", e))?;
        let from_someone_else = granted_by.is_some_and(|by| by != self.member.id);
        let granters: Vec<String> = match &self.pinned_owner {
            Some(pinned) if from_someone_else => crate::roster::load(conn, &self.vault.id, pinned)
                .await?
                .into_iter()
                .filter(|e| e.may_grant(project))
                .map(|e| e.id)
                .collect(),
            _ => Vec::new(),
        };
        let (key, expires_at) = members::open_grant(
            conn,
            &self.vault.id,
            scope_id,
            epoch,
            &self.member.id,
            &self.identity,
            label,
            &granters,
        )
        .await?;
        let key = Arc::new(key);
        self.lock_cache()?.insert(cache_key, (Arc::clone(&key), expires_at));
        Ok(key)
    }

    fn lock_cache(&self) -> Result<std::sync::MutexGuard<'_, ScopeKeyCache>> {
        self.scope_keys.lock().map_err(|_| Error::Locked)
    }
}

/// How a session was opened, and what went wrong with the keychain on the way, if anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnlockReport {
    pub via: UnlockedVia,
    /// Why the keychain could not be used (one line), when it could not.
    pub keychain_problem: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnlockedVia {
    Keychain,
    Passphrase,
}

/// Where a passphrase comes from when the keychain has no key: an environment variable, a
/// prompt, a dialog. `Ok(None)` means there is no way to ask.
pub type PassphraseSource<'a> = &'a mut (dyn FnMut() -> Result<Option<Zeroizing<Vec<u8>>>> + Send);

/// Opens a session the way every adapter does: the account key from the keychain if it is
/// there, otherwise the passphrase. A keychain failure is reported, not fatal.
pub async fn unlock(
    vault: Vault,
    member_id: &str,
    device: &str,
    cache: &dyn KeyCache,
    passphrase: PassphraseSource<'_>,
) -> Result<(Session, UnlockReport)> {
    let keychain_problem = match cache.load(vault.id(), member_id) {
        Ok(Some(key)) => match vault.clone().unlock_with_key(member_id, key, device).await {
            Ok(session) => {
                let report = UnlockReport {
                    via: UnlockedVia::Keychain,
                    keychain_problem: None,
                };
                return Ok((session, report));
            }
            // A stale entry (say, from a vault re-created at the same path) must not lock the
            // user out: fall back to the passphrase and say why.
            Err(Error::IdentityTampered { .. }) => {
                Some("the key cached in the OS keychain does not open this vault".to_owned())
            }
            Err(other) => return Err(other),
        },
        Ok(None) => None,
        Err(e) => Some(e.to_string()),
    };
    let secret = passphrase()?.ok_or_else(|| match &keychain_problem {
        Some(problem) => Error::LockedNoKeychain {
            problem: problem.clone(),
        },
        None => Error::Locked,
    })?;
    let session = vault.unlock_with_passphrase(member_id, secret, device).await?;
    Ok((
        session,
        UnlockReport {
            via: UnlockedVia::Passphrase,
            keychain_problem,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keychain::{MemoryKeychain, NoKeychain};
    use crate::vault::NewVault;

    const PASS: &[u8] = b"unit test passphrase";

    async fn new_vault(dir: &std::path::Path) -> (Vault, String, MemoryKeychain) {
        let created = Vault::create(
            &dir.join("v.db"),
            NewVault {
                team: "t".into(),
                owner: "ada".into(),
                passphrase: Zeroizing::new(PASS.to_vec()),
                kdf: KdfParams::default(),
            },
            "device-1",
        )
        .await
        .expect("create");
        let cache = MemoryKeychain::default();
        created.session.remember(&cache).expect("remember");
        let member = created.session.member().id.clone();
        (created.session.vault().clone(), member, cache)
    }

    fn no_prompt() -> Result<Option<Zeroizing<Vec<u8>>>> {
        Ok(None)
    }

    #[tokio::test]
    async fn keychain_first_then_passphrase_then_a_clear_refusal() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (vault, member, cache) = new_vault(dir.path()).await;

        let (_, report) = unlock(vault.clone(), &member, "d", &cache, &mut no_prompt)
            .await
            .expect("cached");
        assert_eq!(report.via, UnlockedVia::Keychain);

        let mut asked = 0;
        let mut prompt = || {
            asked += 1;
            Ok(Some(Zeroizing::new(PASS.to_vec())))
        };
        let (_, report) = unlock(vault.clone(), &member, "d", &NoKeychain, &mut prompt)
            .await
            .expect("passphrase");
        assert_eq!((report.via, asked), (UnlockedVia::Passphrase, 1));

        let err = unlock(vault.clone(), &member, "d", &NoKeychain, &mut no_prompt)
            .await
            .expect_err("locked");
        assert!(matches!(err, Error::Locked), "{err}");

        let mut wrong = || Ok(Some(Zeroizing::new(b"nope".to_vec())));
        let err = unlock(vault, &member, "d", &NoKeychain, &mut wrong)
            .await
            .expect_err("wrong");
        assert!(matches!(err, Error::WrongPassphrase), "{err}");
    }

    #[tokio::test]
    async fn a_stale_cached_key_falls_back_to_the_passphrase_and_says_why() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (vault, member, _) = new_vault(dir.path()).await;
        let stale = MemoryKeychain::default();
        stale
            .store(vault.id(), &member, &AccountKey::generate())
            .expect("store");
        let mut prompt = || Ok(Some(Zeroizing::new(PASS.to_vec())));
        let (_, report) = unlock(vault, &member, "d", &stale, &mut prompt)
            .await
            .expect("fallback");
        assert_eq!(report.via, UnlockedVia::Passphrase);
        assert!(report.keychain_problem.is_some_and(|p| p.contains("does not open")));
    }
}

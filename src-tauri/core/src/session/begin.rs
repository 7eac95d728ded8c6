//! How a session begins: a vault created with its owner unlocked, or an existing one unlocked
//! (through the keychain, a passphrase or the recovery key).

use std::path::Path;

use zeroize::Zeroizing;

use super::Session;
use crate::audit;
use crate::crypto::{AccountKey, Identity, RecoveryKey};
use crate::error::{Error, Result};
use crate::keychain::KeyCache;
use crate::store::Conn;
use crate::store::Store;
use crate::team::members::{self, Role};
use crate::vault::{acquire, check_label, NewVault, Vault};

/// The result of `init`: the owner's session and the recovery key to show once.
pub struct Created {
    pub session: Session,
    pub recovery_key: RecoveryKey,
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
            store.destroy().await;
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
        tx.insert_vault(&vault_id, &new.team, crate::clock::now()).await?;
        members::insert(
            &mut *tx,
            &vault_id,
            &member_id,
            &new.owner,
            Role::Owner,
            "active",
            &identity,
            &account_key,
        )
        .await?;
        members::write_passphrase_envelope(&mut *tx, &vault_id, &member_id, &account_key, new.passphrase, new.kdf)
            .await?;
        members::write_recovery_envelope(&mut *tx, &vault_id, &member_id, &account_key, &recovery_key).await?;
        let actor = audit::Actor {
            member_id: &member_id,
            device,
            identity: &identity,
        };
        audit::append(&mut *tx, &actor, "vault.create", &new.team, None).await?;
        tx.commit("creating the vault").await?;

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

    /// Unlocks with an account key from the keychain.
    pub async fn unlock_with_key(self, member_id: &str, account_key: AccountKey, device: &str) -> Result<Session> {
        let mut conn = acquire(&self).await?;
        let (member, identity) = members::open_identity(&mut *conn, &self.id, member_id, &account_key).await?;
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
            let opened = members::open_with_passphrase(&mut *conn, &self.id, member_id, passphrase).await;
            self.removed_or(&mut *conn, member_id, opened).await?
        };
        self.unlock_with_key(member_id, account_key, device).await
    }

    /// Unlocks with the printable recovery key, for when keychain and passphrase are both lost.
    pub async fn unlock_with_recovery(self, member_id: &str, recovery: &RecoveryKey, device: &str) -> Result<Session> {
        let account_key = {
            let mut conn = acquire(&self).await?;
            let opened = members::open_with_recovery(&mut *conn, &self.id, member_id, recovery).await;
            self.removed_or(&mut *conn, member_id, opened).await?
        };
        self.unlock_with_key(member_id, account_key, device).await
    }

    /// A removal deletes the member's envelopes: say "removed", not "altered", when that is why
    /// one is missing.
    async fn removed_or(&self, conn: &mut dyn Conn, member_id: &str, opened: Result<AccountKey>) -> Result<AccountKey> {
        if let Err(Error::EnvelopeTampered { .. }) = &opened {
            // For the message only: what decides is the signed removal, checked at attach.
            if conn.member_looks_removed(member_id).await? {
                return Err(Error::Removed {
                    vault: self.name.clone(),
                });
            }
        }
        opened
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
    use crate::crypto::KdfParams;
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

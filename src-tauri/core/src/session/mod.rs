//! An unlocked vault: a member's identity in memory, and the scope keys opened so far.
//! Dropping the session zeroizes every key it holds. How a session begins (a vault created, an
//! existing one unlocked) is `begin`.

mod begin;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

pub use begin::{unlock, Created, PassphraseSource, UnlockReport, UnlockedVia};

use zeroize::Zeroizing;

use crate::audit::{self, Actor};
use crate::crypto::{AccountKey, Identity, KdfParams, ScopeKey};
use crate::error::{Error, Result};
use crate::keychain::KeyCache;
use crate::seen::DeviceMemory;
use crate::store::Conn;
use crate::store::Tx as WriteTx;
use crate::team::members::{self, Member};
use crate::vault::path::ScopeRow;
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
    /// What this device has seen of the vault (`seen`): checked before use, advanced on commit.
    pub(crate) memory: Option<DeviceMemory>,
    /// Facts this session wrote that the device remembers once they are committed.
    written: Mutex<Vec<Written>>,
    /// The audit entry this transaction appended last: the head a commit records.
    appended: Mutex<Option<(i64, Vec<u8>)>>,
    /// A machine's session (`team::machine`): it reads, and writes nothing but its reads' audit
    /// entries.
    machine: bool,
}

/// A fact a write of this session created: remembered by the device only if its commit holds it.
#[derive(Debug, Clone)]
pub(crate) enum Written {
    /// A scope's new key: (scope id, epoch, key id).
    Epoch(String, i64, [u8; 32]),
    /// A member's signed removal.
    Removal(String),
    /// A scope's sealed set of secret states: (scope id, key epoch, seal number, seal).
    ScopeState(String, i64, i64, Vec<u8>),
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
            memory: None,
            written: Mutex::new(Vec::new()),
            appended: Mutex::new(None),
            machine: false,
        }
    }

    /// Makes this a machine's session: every change is refused ([`Session::audit_seq`]).
    pub(crate) fn machine_session(mut self) -> Self {
        self.machine = true;
        self
    }

    /// Whether this session is a machine's (opened with a machine token).
    pub fn is_machine(&self) -> bool {
        self.machine
    }

    /// Refuses `action` in a machine's session, before anything is read or written.
    pub(crate) fn refuse_machine(&self, action: &str) -> Result<()> {
        if self.machine {
            return Err(Error::MachineReadOnly {
                action: action.to_owned(),
            });
        }
        Ok(())
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
        if passphrase.is_empty() {
            return Err(Error::EmptyPassphrase);
        }
        kdf.check()?;
        let mut tx = self.begin().await?;
        members::write_passphrase_envelope(
            &mut *tx,
            &self.vault.id,
            &self.member.id,
            &self.account_key,
            passphrase,
            kdf,
        )
        .await?;
        self.audit(&mut *tx, "member.passphrase", &self.member.name).await?;
        self.commit(tx, "changing the passphrase").await
    }

    pub(crate) fn actor(&self) -> Actor<'_> {
        Actor {
            member_id: &self.member.id,
            device: &self.device,
            identity: &self.identity,
        }
    }

    pub(crate) async fn audit(&self, conn: &mut dyn Conn, action: &str, target: &str) -> Result<()> {
        self.audit_seq(conn, action, target).await.map(|_| ())
    }

    /// As [`Session::audit`], returning the entry's sequence number. With this device's memory,
    /// the append first checks (in the same query) that the log still holds the entry the device
    /// saw last: nothing is written on top of a rolled-back vault.
    pub(crate) async fn audit_seq(&self, conn: &mut dyn Conn, action: &str, target: &str) -> Result<i64> {
        // Every change is audited in its own transaction, so refusing a machine every entry but
        // a read's refuses every change it could make: the transaction rolls back unwritten.
        if !action.starts_with("secret.read") {
            self.refuse_machine(&format!("change the vault ({action})"))?;
        }
        let seen = self.memory.as_ref().map(DeviceMemory::snapshot);
        let (seq, hash) = audit::append(conn, &self.actor(), action, target, seen.as_ref()).await?;
        *self.appended.lock().map_err(|_| Error::Locked)? = Some((seq, hash));
        Ok(seq)
    }

    /// Opens a write transaction of this session.
    pub(crate) async fn begin(&self) -> Result<WriteTx> {
        *self.appended.lock().map_err(|_| Error::Locked)? = None;
        self.vault.store.write().await
    }

    /// The key of a scope at its current epoch, from this member's grant (opened once per
    /// session), used only when it is the scope's newest signed key (`epochs`) and not older
    /// than what this device saw.
    pub(crate) async fn scope_key(&self, conn: &mut dyn Conn, scope: &ScopeRow) -> Result<Arc<ScopeKey>> {
        let (scope_id, epoch, label) = (scope.id.as_str(), scope.epoch, scope.label.as_str());
        let seen = self
            .memory
            .as_ref()
            .and_then(|m| m.snapshot().epochs.get(scope_id).cloned())
            .and_then(|(e, id)| hex::decode(id).ok().map(|id| (e, id)));
        if let Some((seen_epoch, _)) = &seen {
            if epoch < *seen_epoch {
                return Err(Error::RolledBack {
                    what: format!("{label} is back at key epoch {epoch}; this device has used epoch {seen_epoch}"),
                });
            }
        }
        let cache_key = (scope_id.to_owned(), epoch);
        let cached = self.lock_cache()?.get(&cache_key).cloned();
        if let Some((key, expires_at)) = cached {
            // Grants can expire while a session (the desktop app's) stays open.
            if expires_at.is_some_and(|at| at <= crate::clock::now()) {
                return Err(Error::NoAccess {
                    scope: label.to_owned(),
                });
            }
            self.verify_scope_set(conn, scope_id, epoch, label, &key).await?;
            return Ok(key);
        }
        // Who may have granted this scope: trusted owners, and trusted leads of its project.
        let project = label.split('/').next().unwrap_or(label);
        let grant = match members::read_grant(conn, scope_id, epoch, &self.member.id, label).await {
            // Only a rekey (which moves the epoch) takes a grant away: this member's grant gone
            // at the epoch this device used is an edit of the file, not a revocation.
            Err(Error::NoAccess { .. }) if seen.as_ref().is_some_and(|(e, _)| *e == epoch) => {
                return Err(Error::GrantTampered {
                    scope: label.to_owned(),
                })
            }
            other => other?,
        };
        // Only a grant from someone else needs the roster (the common case, one's own grant, does not).
        let granters: Vec<String> = match &self.pinned_owner {
            Some(pinned) if grant.granted_by != self.member.id => {
                let roster = crate::team::roster::load(conn, &self.vault.id, pinned).await?;
                crate::team::roster::granters(&roster, project)
            }
            _ => Vec::new(),
        };
        let (key, expires_at) = grant.open(
            &self.vault.id,
            scope_id,
            epoch,
            &self.member.id,
            &self.identity,
            label,
            &granters,
        )?;
        let key_id = self
            .verify_scope_key(conn, scope_id, epoch, label, &key, seen.clone())
            .await?;
        if let Some(memory) = self
            .memory
            .as_ref()
            .filter(|_| seen.as_ref().is_none_or(|(e, _)| *e < epoch))
        {
            // A record that was already in the vault, verified: remembered at once.
            memory.update(|s| {
                s.epochs.insert(scope_id.to_owned(), (epoch, hex::encode(key_id)));
            });
        }
        let key = Arc::new(key);
        self.verify_scope_set(conn, scope_id, epoch, label, &key).await?;
        self.lock_cache()?.insert(cache_key, (Arc::clone(&key), expires_at));
        Ok(key)
    }

    /// Checks the scope's signed key records against `key`. A scope without any is refused
    /// (`epochs::verify`): records are never made up after the fact, since whoever wrote the first
    /// one would seal whatever state the file holds.
    async fn verify_scope_key(
        &self,
        conn: &mut dyn Conn,
        scope_id: &str,
        epoch: i64,
        label: &str,
        key: &ScopeKey,
        seen: Option<(i64, Vec<u8>)>,
    ) -> Result<[u8; 32]> {
        let pinned = self.pinned_owner.clone().unwrap_or_default();
        let vault_id = self.vault.id.clone();
        let signing_key = self.identity.signing_public();
        let check = crate::epochs::Check {
            vault_id: &vault_id,
            scope_id,
            label,
            epoch,
            seen,
            me: &self.member.id,
            my_signing_key: &signing_key,
        };
        crate::epochs::verify(conn, &check, key, &pinned).await
    }

    pub(crate) fn signer(&self) -> crate::epochs::Signer<'_> {
        crate::epochs::Signer {
            member_id: &self.member.id,
            identity: &self.identity,
        }
    }

    /// Commits a write transaction of this session. With this device's memory, it first checks
    /// that the vault still holds the newest audit entry this device saw (else nothing is
    /// written on top of a rolled-back vault), and afterwards remembers the new head.
    pub(crate) async fn commit(&self, mut tx: WriteTx, what: &str) -> Result<()> {
        let written = std::mem::take(&mut *self.written.lock().map_err(|_| Error::Locked)?);
        if !written.is_empty() {
            // New keys, removals and seals are changes: never a machine's.
            self.refuse_machine("change the vault")?;
        }
        let Some(memory) = &self.memory else {
            return tx.commit(what).await;
        };
        // An append of this transaction already checked the log and knows the head.
        let appended = self.appended.lock().map_err(|_| Error::Locked)?.take();
        let head = match appended {
            Some(head) => Some(head),
            None => crate::audit::check_still_holds(&mut *tx, &memory.snapshot()).await?,
        };
        // Only facts this transaction holds (a failed earlier write left marks that it does not).
        let mut held = Vec::new();
        for fact in written {
            if held_by(&mut *tx, &fact).await? {
                held.push(fact);
            }
        }
        tx.commit(what).await?;
        memory.update(|s| {
            if let Some((seq, hash)) = head {
                if seq > s.audit_seq {
                    s.audit_seq = seq;
                    s.audit_hash = hex::encode(hash);
                }
            }
            for fact in held {
                match fact {
                    Written::Epoch(scope, epoch, key_id) => {
                        let mark = s.epochs.entry(scope).or_insert((0, String::new()));
                        if epoch > mark.0 {
                            *mark = (epoch, hex::encode(key_id));
                        }
                    }
                    Written::Removal(member) => {
                        s.removed.insert(member);
                    }
                    Written::ScopeState(scope, epoch, seq, seal) => {
                        s.see_scope_state(scope, (epoch, seq, hex::encode(seal)));
                    }
                }
            }
        });
        memory.save()
    }

    /// Notes a fact this session wrote, for the device to remember at commit.
    pub(crate) fn wrote(&self, fact: Written) {
        if let Ok(mut written) = self.written.lock() {
            written.push(fact);
        }
    }

    /// Takes this device's memory of the vault: refuses a vault that went back from it (a cut
    /// audit log, an undone removal or admission) and a member who was removed, then records
    /// what it sees now. Called once, when a shell makes the session this device's.
    pub(crate) async fn remember_on_device(mut self, memory: DeviceMemory) -> Result<Session> {
        let seen = memory.snapshot();
        let mut conn = crate::vault::acquire(&self.vault).await?;
        let head = crate::audit::check_still_holds(&mut *conn, &seen).await?;
        let roster =
            crate::team::roster::load(&mut *conn, &self.vault.id, self.pinned_owner().unwrap_or_default()).await?;
        let me_removed = roster.iter().any(|e| e.id == self.member.id && e.status == "removed");
        if me_removed || seen.removed.contains(&self.member.id) {
            return Err(Error::Removed {
                vault: self.vault.name.clone(),
            });
        }
        refuse_undone_membership(&seen, &roster)?;
        drop(conn);
        let before = memory.snapshot();
        memory.update(|s| {
            if let Some((seq, hash)) = head {
                if seq > s.audit_seq {
                    s.audit_seq = seq;
                    s.audit_hash = hex::encode(hash);
                }
            }
            for entry in &roster {
                if entry.removed_at_seq.is_some() {
                    s.removed.insert(entry.id.clone());
                }
                if let (Some(at), true) = (entry.admitted_at, entry.trusted) {
                    let mark = s.admitted.entry(entry.id.clone()).or_insert(at);
                    *mark = (*mark).max(at);
                }
            }
        });
        // The new head is saved with the next commit; removals and admissions now, since a
        // read-only command may have no commit.
        let after = memory.snapshot();
        if after.removed != before.removed || after.admitted != before.admitted {
            memory.save()?;
        }
        self.memory = Some(memory);
        Ok(self)
    }

    /// The roster, refused when it undoes a removal or admission this device saw: a long-lived
    /// session (the desktop's) checks at every look, not only at unlock.
    pub(crate) fn checked_roster(
        &self,
        roster: Vec<crate::team::roster::RosterEntry>,
    ) -> Result<Vec<crate::team::roster::RosterEntry>> {
        if let Some(memory) = &self.memory {
            refuse_undone_membership(&memory.snapshot(), &roster)?;
        }
        Ok(roster)
    }

    /// What this device has seen of the vault, for `audit verify`.
    pub fn seen(&self) -> Option<crate::seen::Seen> {
        self.memory.as_ref().map(DeviceMemory::snapshot)
    }

    fn lock_cache(&self) -> Result<std::sync::MutexGuard<'_, ScopeKeyCache>> {
        self.scope_keys.lock().map_err(|_| Error::Locked)
    }
}

/// Refuses a roster in which a removal this device saw is gone, or an admission is older than
/// the newest this device saw.
fn refuse_undone_membership(seen: &crate::seen::Seen, roster: &[crate::team::roster::RosterEntry]) -> Result<()> {
    for entry in roster {
        if seen.removed.contains(&entry.id) && entry.status != "removed" {
            return Err(Error::RolledBack {
                what: format!("{}'s removal is gone", entry.name),
            });
        }
        let seen_admission = seen.admitted.get(&entry.id).copied();
        if seen_admission.is_some_and(|at| entry.admitted_at.unwrap_or(0) < at) {
            return Err(Error::RolledBack {
                what: format!("{}'s admission is older than the one this device saw", entry.name),
            });
        }
    }
    Ok(())
}

async fn held_by(conn: &mut dyn Conn, fact: &Written) -> Result<bool> {
    match fact {
        Written::Epoch(scope, epoch, key_id) => conn.has_key_record(scope, *epoch, key_id).await,
        Written::Removal(member) => Ok(conn.removal_audit_seq(member).await?.is_some()),
        Written::ScopeState(scope, _, seq, seal) => conn.has_state_seal(scope, *seq, seal).await,
    }
}

/// For unit tests: a fresh vault file in `dir` whose owner "ada" is unlocked, with default KDF
/// parameters.
#[cfg(test)]
pub(crate) async fn test_owner_session(dir: &std::path::Path) -> Session {
    use crate::vault::NewVault;
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
pub(crate) async fn test_member(
    dir: &std::path::Path,
    owner: &Session,
    name: &str,
    role: members::Role,
    lead_of: &[String],
) -> Session {
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

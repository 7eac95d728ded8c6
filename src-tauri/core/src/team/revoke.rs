//! Revocation and removal by rekeying, and the rekey of grants that expired: a new scope key,
//! every version and note re-encrypted, re-granted to those who keep access, and a new signed
//! key record linked to the old key, in one transaction; what the member who lost access read is
//! flagged exposed.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::session::Session;
use crate::store::Conn;
use crate::team::members;
use crate::team::roster::{self, RosterEntry};
use crate::vault::projects::resolve_scope;
use crate::vault::ScopePath;

/// What a revocation did (or, previewed, would do), for the person who runs it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct Revoked {
    pub scope: String,
    pub member: String,
    /// Versions re-encrypted under the new scope key.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub versions: usize,
    /// Members who keep access (re-granted the new key).
    pub kept: Vec<String>,
    /// Secrets the member read, now flagged "exposed".
    pub exposed: Vec<String>,
}

impl Session {
    /// Takes `member`'s access to a scope away for real: a new scope key, every version and note
    /// re-encrypted under it, re-granted to everyone else who holds a valid grant, and the
    /// secrets the member read (from the audit log) flagged exposed. One transaction, audited.
    /// With `preview`, everything runs and is rolled back: the answer says what would happen.
    pub async fn revoke_access(&self, member: &str, scope_path: &ScopePath, preview: bool) -> Result<Revoked> {
        let refuse = |why: String| Error::NotAllowed {
            action: format!("revoke {member}'s access to {scope_path}"),
            reason: why,
        };
        let mut tx = self.begin().await?;
        let scope = resolve_scope(&mut *tx, scope_path).await?;
        let roster = self
            .checked_roster(roster::load(&mut *tx, &self.vault.id, self.pinned_owner().unwrap_or_default()).await?)?;
        let me = roster.iter().find(|e| e.id == self.member.id);
        if !me.is_some_and(|e| e.may_grant(&scope_path.project)) {
            return Err(refuse(format!(
                "only the owner or a lead of {} revokes access",
                scope_path.project
            )));
        }
        let target = roster::by_name(&roster, member)?;
        if target.id == self.member.id {
            return Err(refuse(
                "you cannot revoke your own access; ask another lead or the owner".into(),
            ));
        }
        if target.role == members::Role::Owner {
            return Err(refuse("the owner keeps access to every scope they hold".into()));
        }
        if !tx.has_grant_row(&scope.id, &target.id, scope.epoch).await? {
            return Err(refuse(format!("{member} has no access to {scope_path}")));
        }
        let rekeyed = self.rekey(&mut *tx, &scope, &roster, &target.id).await?;
        let exposed = self.mark_exposed(&mut *tx, &rekeyed, &target.id, member).await?;
        let (versions, kept) = (rekeyed.versions, rekeyed.kept);
        self.audit(
            &mut *tx,
            "access.revoke",
            &format!("{} from {member}: rekeyed {versions} versions", scope.label),
        )
        .await?;
        if preview {
            // Rolled back whole: the new key never existed, nothing was flagged or audited.
            tx.rollback("rolling back a revocation preview").await?;
        } else {
            self.commit(tx, "revoking access").await?;
        }
        Ok(Revoked {
            scope: scope.label,
            member: member.to_owned(),
            versions,
            kept,
            exposed,
        })
    }

    /// Removes a member from the vault (owner only): every scope they can open is rekeyed as by
    /// a revocation, what they read is flagged exposed, and their row is marked removed, so no
    /// device trusts them again. Two current rows of the name (which only an edit of the file
    /// makes) are both removed. One transaction, audited. With `preview`, everything runs and
    /// is rolled back: the answer says what would happen.
    pub async fn remove_member(&self, name: &str, preview: bool) -> Result<Vec<Revoked>> {
        let mut tx = self.begin().await?;
        let roster = self.owner_roster(&mut *tx, &format!("remove {name}")).await?;
        // Every current row of that name goes: a row slipped in beside a member cannot stand in
        // for them (see `roster::by_name`).
        let mut targets = roster::current_named(&roster, name);
        if targets.is_empty() {
            targets.push(roster::by_name(&roster, name)?);
        }
        let mut revoked = Vec::new();
        for target in targets {
            revoked.extend(self.remove_in(&mut *tx, &roster, target).await?);
        }
        if preview {
            tx.rollback("rolling back a removal preview").await?;
        } else {
            self.commit(tx, "removing a member").await?;
        }
        Ok(revoked)
    }

    /// The roster, when this device's member is its trusted owner: removals are the owner's.
    pub(crate) async fn owner_roster(&self, conn: &mut dyn Conn, action: &str) -> Result<Vec<RosterEntry>> {
        let roster =
            self.checked_roster(roster::load(conn, &self.vault.id, self.pinned_owner().unwrap_or_default()).await?)?;
        if !roster
            .iter()
            .any(|e| e.id == self.member.id && e.trusted && e.role == members::Role::Owner)
        {
            return Err(Error::NotAllowed {
                action: action.to_owned(),
                reason: "only the owner removes members and machines".into(),
            });
        }
        Ok(roster)
    }

    /// The removal itself, inside the caller's transaction: rekeys, exposure flags, the removed
    /// row, the audit entry and the owner's signed removal.
    pub(crate) async fn remove_in(
        &self,
        tx: &mut dyn Conn,
        roster: &[RosterEntry],
        target: &RosterEntry,
    ) -> Result<Vec<Revoked>> {
        let name = &target.name;
        let refuse = |reason: &str| Error::NotAllowed {
            action: format!("remove {name}"),
            reason: reason.to_owned(),
        };
        if target.id == self.member.id || target.role == members::Role::Owner {
            return Err(refuse("the owner stays; a vault needs one"));
        }
        // A second signed removal would move the first one's audit position later, vouching for
        // entries signed after it.
        if target.removed_at_seq.is_some() {
            return Err(refuse(&format!("{name} was already removed")));
        }
        let held = tx.granted_scope_names(&target.id).await?;
        let mut revoked = Vec::new();
        for (project, environment) in held {
            let scope = resolve_scope(&mut *tx, &ScopePath::new(&project, &environment)?).await?;
            let rekeyed = self.rekey(&mut *tx, &scope, roster, &target.id).await?;
            let exposed = self.mark_exposed(&mut *tx, &rekeyed, &target.id, name).await?;
            let (versions, kept) = (rekeyed.versions, rekeyed.kept);
            revoked.push(Revoked {
                scope: scope.label,
                member: name.to_owned(),
                versions,
                kept,
                exposed,
            });
        }
        tx.mark_member_removed(&target.id).await?;
        // Their envelopes go, so their passphrase and recovery key open nothing here.
        tx.delete_key_envelopes(&target.id).await?;
        let seq = self.audit_seq(&mut *tx, "member.remove", name).await?;
        // The signed removal is what every device believes, not the status column above.
        let at = crate::clock::now();
        let message = roster::removal_message(
            &self.vault.id,
            &target.id,
            target.signing_key(),
            &self.member.id,
            at,
            seq,
        );
        tx.write_removal(&crate::store::members::NewRemoval {
            member_id: &target.id,
            removed_by: &self.member.id,
            removed_at: at,
            audit_seq: seq,
            signature: &crate::crypto::signing::sign(&self.identity, &message),
        })
        .await?;
        self.wrote(crate::session::Written::Removal(target.id.clone()));
        Ok(revoked)
    }

    /// Rekeys away grants that have expired, in every scope this member may grant and holds:
    /// the expired members' old keys then open nothing current, and what they read is flagged
    /// exposed. Until this runs an expired member is refused by the client only. Cheap when
    /// nothing expired (one query), so it runs at every owner's and lead's unlock.
    pub async fn rekey_expired(&self) -> Result<Vec<Revoked>> {
        let now = crate::clock::now();
        let any = crate::vault::acquire(&self.vault).await?.expired_grants(now).await?;
        if any.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.begin().await?;
        let roster = self
            .checked_roster(roster::load(&mut *tx, &self.vault.id, self.pinned_owner().unwrap_or_default()).await?)?;
        let expired = tx.expired_grants(now).await?;
        let mut done = Vec::new();
        let mut scopes: Vec<(String, String)> = expired
            .iter()
            .map(|r| (r.project.clone(), r.environment.clone()))
            .collect();
        scopes.dedup();
        for (project, environment) in scopes {
            if !roster.iter().any(|e| e.id == self.member.id && e.may_grant(&project)) {
                continue;
            }
            let scope = resolve_scope(&mut *tx, &ScopePath::new(&project, &environment)?).await?;
            if self.scope_key(&mut *tx, &scope).await.is_err() {
                continue;
            }
            // valid_grants leaves the expired ones out; nobody still valid is dropped.
            let rekeyed = self.rekey(&mut *tx, &scope, &roster, "").await?;
            for grant in expired
                .iter()
                .filter(|r| r.project == project && r.environment == environment)
            {
                let (member_id, member) = (&grant.member_id, &grant.member_name);
                if drop_checks_by(&mut *tx, &scope.id, member_id).await? {
                    self.seal_states(&mut *tx, &rekeyed.key, &rekeyed.scope, None).await?;
                }
                let exposed = self.mark_exposed(&mut *tx, &rekeyed, member_id, member).await?;
                self.audit(&mut *tx, "access.expire", &format!("{} from {member}", scope.label))
                    .await?;
                done.push(Revoked {
                    scope: scope.label.clone(),
                    member: member.clone(),
                    versions: rekeyed.versions,
                    kept: rekeyed.kept.clone(),
                    exposed,
                });
            }
        }
        self.commit(tx, "rekeying expired grants").await?;
        Ok(done)
    }

    /// Replaces a scope's key: re-encrypts under a new one at the next epoch and re-grants it to
    /// the members whose grants still count, except `dropped`.
    async fn rekey(
        &self,
        conn: &mut dyn Conn,
        scope: &crate::vault::path::ScopeRow,
        roster: &[RosterEntry],
        dropped: &str,
    ) -> Result<Rekeyed> {
        let project = scope.label.split('/').next().unwrap_or_default();
        let old_key = match self.scope_key(conn, scope).await {
            Ok(key) => key,
            Err(Error::NoAccess { .. }) => {
                return Err(Error::NotAllowed {
                    action: format!("rekey {}", scope.label),
                    reason: "you do not hold its key yourself".into(),
                })
            }
            Err(e) => return Err(e),
        };
        let granters = roster::granters(roster, project);
        let keepers =
            members::valid_grants(conn, &self.vault.id, &scope.id, &scope.label, scope.epoch, &granters).await?;
        if roster.iter().any(|e| e.id == dropped && e.role == members::Role::Owner) {
            return Err(Error::NotAllowed {
                action: format!("rekey {} without the owner", scope.label),
                reason: "the owner keeps access to every scope they hold".into(),
            });
        }
        let new_key = crate::crypto::ScopeKey::generate();
        let new_epoch = scope.epoch + 1;
        let versions = self.reencrypt_scope(conn, scope, &old_key, &new_key, new_epoch).await?;
        conn.set_scope_epoch(&scope.id, new_epoch).await?;
        // The new key's signed record, linked to the old key (which only a holder could do).
        crate::epochs::write(
            conn,
            &self.vault.id,
            &scope.id,
            &scope.label,
            new_epoch,
            &new_key,
            Some(&old_key),
            &self.signer(),
        )
        .await?;
        self.wrote(crate::session::Written::Epoch(
            scope.id.clone(),
            new_epoch,
            new_key.id(),
        ));
        let rekeyed_scope = crate::vault::path::ScopeRow {
            epoch: new_epoch,
            ..scope.clone()
        };
        if !dropped.is_empty() && drop_checks_by(conn, &scope.id, dropped).await? {
            self.seal_states(conn, &new_key, &rekeyed_scope, None).await?;
        }
        // Superseded grants open only the old key: gone, so nobody can be handed it again.
        conn.delete_grants_before(&scope.id, new_epoch).await?;
        let mut kept = Vec::new();
        for (member_id, expires_at) in keepers {
            let trusted = roster
                .iter()
                .any(|e| e.id == member_id && e.trusted && e.status == "active");
            if member_id == dropped || !trusted {
                continue;
            }
            let member = members::by_id(conn, &member_id).await?;
            members::write_grant(
                conn,
                &self.vault.id,
                &scope.id,
                &scope.label,
                new_epoch,
                &new_key,
                &member,
                &self.member.id,
                &self.identity,
                expires_at,
            )
            .await?;
            kept.push(member.name);
        }
        kept.sort();
        Ok(Rekeyed {
            versions,
            kept,
            scope: rekeyed_scope,
            key: new_key,
        })
    }
}

/// A check runs with every new value: one saved by whoever loses the scope goes with them.
/// Whether any was dropped (the states then need sealing again).
async fn drop_checks_by(conn: &mut dyn Conn, scope_id: &str, member_id: &str) -> Result<bool> {
    Ok(conn.clear_checks_saved_by(scope_id, member_id).await? > 0)
}

/// A scope just rekeyed: how many versions were re-encrypted, who kept access, and the new key
/// and epoch (what the exposure flags that follow are sealed under).
struct Rekeyed {
    versions: usize,
    kept: Vec<String>,
    scope: crate::vault::path::ScopeRow,
    key: crate::crypto::ScopeKey,
}

impl Session {
    /// Flags the secrets of the rekeyed scope that `member_id` read (per the audit log) as exposed,
    /// and seals their state under the new key.
    async fn mark_exposed(
        &self,
        conn: &mut dyn Conn,
        rekeyed: &Rekeyed,
        member_id: &str,
        member: &str,
    ) -> Result<Vec<String>> {
        let scope = &rekeyed.scope;
        let names = crate::audit::names_read(conn, member_id, &scope.label).await?;
        let reason = format!("read by {member} before their access to {} ended", scope.label);
        self.flag_exposed(conn, &rekeyed.key, scope, &names, &reason).await
    }
}

#[cfg(test)]
mod tests {
    use zeroize::Zeroizing;

    use super::*;
    use crate::crypto::KdfParams;
    use crate::team::members::Role;
    use crate::vault::{NewVault, SecretOptions, SecretPath, Vault};

    const ADA: &[u8] = b"ada's unit test passphrase";
    const ALICE: &[u8] = b"alice's unit test passphrase";

    /// After a revocation, the revoked member's old grant is gone from the file, and the old key
    /// (which she may have kept, with a copy of the file) decrypts none of the scope's current
    /// ciphertexts: read straight from the file.
    #[tokio::test]
    async fn an_old_grant_opens_nothing_after_revocation() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("v.db");
        let new = NewVault {
            team: "t".into(),
            owner: "ada".into(),
            passphrase: Zeroizing::new(ADA.to_vec()),
            kdf: KdfParams::default(),
        };
        let ada = Vault::create(&path, new, "d1").await.expect("create").session;
        let owner_key = ada.vault().owner_signing_key().await.expect("owner key");
        let ada = ada.with_pinned_owner(owner_key.clone());
        ada.add_project("llm", &["prod".into()]).await.expect("project");
        let secret: SecretPath = "llm/prod/OPENAI_API_KEY".parse().expect("path");
        ada.set_secret(&secret, b"sk-before-revocation", SecretOptions::default())
            .await
            .expect("set");

        let joined = Vault::open(&path)
            .await
            .expect("open")
            .join("alice", Zeroizing::new(ALICE.to_vec()), "d2")
            .await
            .expect("join");
        ada.admit("alice", Role::Member, &[], &joined.fingerprint)
            .await
            .expect("admit");
        let alice = Vault::open(&path)
            .await
            .expect("open")
            .unlock_with_passphrase(&joined.member_id, Zeroizing::new(ALICE.to_vec()), "d2")
            .await
            .expect("alice unlocks")
            .with_pinned_owner(owner_key);
        let scope = secret.scope.clone();
        let request = alice.request_access(&scope, "eval", None).await.expect("request");
        ada.approve_access(&request.id, None).await.expect("approve");
        assert_eq!(
            alice.get_secret(&secret).await.expect("read").expose(),
            b"sk-before-revocation"
        );

        let preview = ada.revoke_access("alice", &scope, true).await.expect("preview");
        assert_eq!(preview.exposed, ["OPENAI_API_KEY".to_owned()]);
        assert_eq!(
            alice
                .get_secret(&secret)
                .await
                .expect("a preview changes nothing")
                .expose(),
            b"sk-before-revocation"
        );
        // What alice could keep: her epoch-1 grant, opened with her own keys.
        let ada_id = ada.member().id.clone();
        let scope_id: String = sqlx::query_scalar("SELECT id FROM scopes")
            .fetch_one(alice.vault().store.sqlite_pool())
            .await
            .expect("scope");
        let (old_key, _) = members::read_grant(
            &mut *crate::vault::acquire(alice.vault()).await.expect("conn"),
            &scope_id,
            1,
            &joined.member_id,
            "llm/prod",
        )
        .await
        .expect("alice's grant")
        .open(
            alice.vault().id(),
            &scope_id,
            1,
            &joined.member_id,
            &alice.identity,
            "llm/prod",
            std::slice::from_ref(&ada_id),
        )
        .expect("the grant opens before revocation");
        let revoked = ada.revoke_access("alice", &scope, false).await.expect("revoke");
        assert_eq!(
            (revoked.versions, revoked.exposed.as_slice()),
            (1, ["OPENAI_API_KEY".to_owned()].as_slice())
        );
        assert!(matches!(alice.get_secret(&secret).await, Err(Error::NoAccess { .. })));

        let mut conn = crate::vault::acquire(alice.vault()).await.expect("conn");
        let (scope_id, epoch): (String, i64) = sqlx::query_as("SELECT id, key_epoch FROM scopes")
            .fetch_one(conn.sqlite())
            .await
            .expect("scope");
        assert_eq!(epoch, 2);
        let superseded: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM grants WHERE scope_id = ? AND key_epoch = 1")
            .bind(&scope_id)
            .fetch_one(conn.sqlite())
            .await
            .expect("grants");
        assert_eq!(superseded, 0, "a rekey deletes the grants of the old key");
        let scope_row = resolve_scope(&mut *conn, &scope).await.expect("scope row");
        type VersionRow = (String, String, i64, Vec<u8>, Vec<u8>);
        let versions: Vec<VersionRow> = sqlx::query_as(
            "SELECT s.id, s.name, v.version, v.nonce, v.ciphertext FROM secret_versions v JOIN secrets s ON s.id = v.secret_id",
        )
        .fetch_all(conn.sqlite())
        .await
        .expect("versions");
        assert!(!versions.is_empty());
        let opened = versions
            .into_iter()
            .filter(|(id, name, version, nonce, ciphertext)| {
                let aad = crate::vault::secrets::value_aad(alice.vault().id(), &scope_row, id, name, *version);
                let sealed = crate::crypto::Sealed {
                    nonce: nonce.clone(),
                    ciphertext: ciphertext.clone(),
                };
                old_key.open(&sealed, &aad).is_some()
            })
            .count();
        assert_eq!(opened, 0, "the old key must open no current version");
    }
}

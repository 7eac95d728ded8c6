//! Signed key records: which key is current for each scope.
//!
//! `scopes.key_epoch` is a column anyone who can write the file can set back; a client that
//! trusted it would encrypt new values under a key a revoked member still holds. So every key a
//! scope ever had is a signed record (migration 0004): its epoch, its public id, who made it, and
//! (after the first) a link that only a holder of the previous key could write
//! ([`crate::crypto::lineage`]). A client opens its grant for the scope's epoch and uses the key
//! only when it is the newest record's key, every link back to what this device saw last checks
//! out, and whoever signed the newest record may decide the scope's keys (a trusted owner, a
//! trusted lead of the project, or this member). A lead who never held a scope cannot link a key
//! of their own to it; an older record written back is caught by this device's memory.

use crate::crypto::{self, signing, Identity, KeyToken, ScopeKey, Sealed};
use crate::error::{Error, Result};
use crate::store::epochs::KeyRecordRow;
use crate::store::Conn;
use crate::team::roster::RosterEntry;

#[allow(clippy::too_many_arguments)]
fn record_message(
    vault_id: &str,
    scope_id: &str,
    label: &str,
    epoch: i64,
    key_id: &[u8],
    link: Option<&Sealed>,
    signed_by: &str,
    signed_at: i64,
) -> Vec<u8> {
    let (nonce, ciphertext) = link.map_or((&[][..], &[][..]), |l| (&l.nonce[..], &l.ciphertext[..]));
    crypto::aad(
        "keyshelf/v1/scope-key-record",
        &[
            vault_id.as_bytes(),
            scope_id.as_bytes(),
            label.as_bytes(),
            &epoch.to_be_bytes(),
            key_id,
            nonce,
            ciphertext,
            signed_by.as_bytes(),
            &signed_at.to_be_bytes(),
        ],
    )
}

/// A scope's id is derived from its first key record (the key's public id and its maker), so a
/// first record written later for an existing scope, with a key of someone's own, names another
/// scope: the secrets of this one, bound to its id, would not open under it.
pub(crate) fn scope_id_for(vault_id: &str, label: &str, key_id: &[u8], creator: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(crypto::aad(
        "keyshelf/v1/scope-id",
        &[vault_id.as_bytes(), label.as_bytes(), key_id, creator.as_bytes()],
    ));
    hex::encode(&digest[..16])
}

fn link_aad(vault_id: &str, scope_id: &str, label: &str, epoch: i64) -> Vec<u8> {
    crypto::aad(
        "keyshelf/v1/scope-key-link",
        &[
            vault_id.as_bytes(),
            scope_id.as_bytes(),
            label.as_bytes(),
            &epoch.to_be_bytes(),
        ],
    )
}

/// Who writes a record: the member and their identity.
pub(crate) struct Signer<'a> {
    pub member_id: &'a str,
    pub identity: &'a Identity,
}

/// Records `key` as the scope's key at `epoch`, linked to `previous` (the key it replaces; `None`
/// for a new scope, or the first record of a scope made before records existed).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn write(
    conn: &mut dyn Conn,
    vault_id: &str,
    scope_id: &str,
    label: &str,
    epoch: i64,
    key: &ScopeKey,
    previous: Option<&ScopeKey>,
    signer: &Signer<'_>,
) -> Result<()> {
    let key_id = key.id();
    let link = previous.map(|p| {
        key.token()
            .link(&p.token(), &link_aad(vault_id, scope_id, label, epoch))
    });
    let at = crate::clock::now();
    let message = record_message(
        vault_id,
        scope_id,
        label,
        epoch,
        &key_id,
        link.as_ref(),
        signer.member_id,
        at,
    );
    let signature = signing::sign(signer.identity, &message);
    let (link_nonce, link_ciphertext) = link.map(|l| (l.nonce, l.ciphertext)).unzip();
    conn.insert_key_record(
        scope_id,
        &KeyRecordRow {
            epoch,
            key_id: key_id.to_vec(),
            link_nonce,
            link_ciphertext,
            signed_by: signer.member_id.to_owned(),
            signed_at: at,
            signature,
        },
    )
    .await
}

struct Record {
    epoch: i64,
    key_id: Vec<u8>,
    link: Option<Sealed>,
    signed_by: String,
    signed_at: i64,
    signature: Vec<u8>,
}

/// What one verification needs to know about the scope and the verifier.
pub(crate) struct Check<'a> {
    pub vault_id: &'a str,
    pub scope_id: &'a str,
    pub label: &'a str,
    /// The epoch the file's scope row names (the grant opened was for it).
    pub epoch: i64,
    /// The newest key this device saw for the scope: (epoch, key id).
    pub seen: Option<(i64, Vec<u8>)>,
    /// This member: records they signed need no roster.
    pub me: &'a str,
    pub my_signing_key: &'a [u8],
}

/// Checks that `key` (opened from this member's grant) is the scope's current key. The roster
/// (trusting `pinned_owner`) is read only when a record was signed by someone else. Returns the
/// key's id.
pub(crate) async fn verify(
    conn: &mut dyn Conn,
    check: &Check<'_>,
    key: &ScopeKey,
    pinned_owner: &[u8],
) -> Result<[u8; 32]> {
    let tampered = |problem: String| Error::KeyRecordTampered {
        scope: check.label.to_owned(),
        problem,
    };
    let from = check.seen.as_ref().map_or(0, |(epoch, _)| *epoch);
    let records: Vec<Record> = conn
        .key_records_from(check.scope_id, from)
        .await?
        .into_iter()
        .map(|r| Record {
            epoch: r.epoch,
            key_id: r.key_id,
            link: r
                .link_nonce
                .zip(r.link_ciphertext)
                .map(|(nonce, ciphertext)| Sealed { nonce, ciphertext }),
            signed_by: r.signed_by,
            signed_at: r.signed_at,
            signature: r.signature,
        })
        .collect();
    if let Some((seen_epoch, seen_id)) = &check.seen {
        match records.first() {
            Some(first) if first.epoch == *seen_epoch && &first.key_id == seen_id => {}
            _ => {
                return Err(Error::RolledBack {
                    what: format!(
                        "{} no longer has the key (epoch {seen_epoch}) this device used last",
                        check.label
                    ),
                })
            }
        }
    }
    let newest = records.last().ok_or_else(|| Error::KeyRecordMissing {
        scope: check.label.to_owned(),
    })?;
    if newest.epoch != check.epoch {
        return Err(tampered(format!(
            "the file names key epoch {} but the newest signed key is epoch {}",
            check.epoch, newest.epoch
        )));
    }
    if newest.key_id[..] != key.id()[..] {
        return Err(tampered(format!(
            "the key granted for epoch {} is not the one its record names",
            newest.epoch
        )));
    }
    // The newest record is the one this device verified before (same epoch, same key id, and
    // the key opened is that key): its signature and links were checked then.
    if records.len() == 1
        && check
            .seen
            .as_ref()
            .is_some_and(|(epoch, id)| *epoch == newest.epoch && *id == newest.key_id)
    {
        return Ok(key.id());
    }
    if check.seen.is_none() {
        // From the first record: it must be the scope's own (its id derives from it).
        let first = &records[0];
        if first.epoch != 1 || first.link.is_some() {
            return Err(tampered("the records before it were deleted".into()));
        }
        if scope_id_for(check.vault_id, check.label, &first.key_id, &first.signed_by) != check.scope_id {
            return Err(tampered(
                "its first key record is not the one the scope was made with".into(),
            ));
        }
    }
    // Walk back from the newest key: each link must open, under the later key's token, to the
    // token whose id the earlier record names.
    let mut token: KeyToken = key.token();
    for pair in records.windows(2).rev() {
        let (earlier, later) = (&pair[0], &pair[1]);
        if later.epoch != earlier.epoch + 1 {
            return Err(tampered(format!("key epoch {} is missing", earlier.epoch + 1)));
        }
        let link = later.link.as_ref().ok_or_else(|| {
            tampered(format!(
                "epoch {} does not show its maker held the key before it",
                later.epoch
            ))
        })?;
        let previous = token
            .follow(
                link,
                &link_aad(check.vault_id, check.scope_id, check.label, later.epoch),
            )
            .filter(|t| t.id()[..] == earlier.key_id[..])
            .ok_or_else(|| {
                tampered(format!(
                    "epoch {} was made by someone who did not hold the key before it",
                    later.epoch
                ))
            })?;
        token = previous;
    }
    // Signatures: this member's own records need no roster.
    let entries: Vec<RosterEntry> = if records.iter().any(|r| r.signed_by != check.me) {
        crate::team::roster::load(conn, check.vault_id, pinned_owner).await?
    } else {
        Vec::new()
    };
    let project = check.label.split('/').next().unwrap_or(check.label);
    for (i, record) in records.iter().enumerate() {
        let is_newest = i + 1 == records.len();
        let public = if record.signed_by == check.me {
            check.my_signing_key.to_vec()
        } else {
            let signer = entries
                .iter()
                .find(|e| e.id == record.signed_by)
                .ok_or_else(|| tampered(format!("epoch {} is signed by someone not in the roster", record.epoch)))?;
            // The newest key decides what this member encrypts under: its maker must be entitled
            // now. Older ones need only have been made by a member this device vouched for.
            let entitled = if is_newest {
                signer.may_grant(project)
            } else {
                signer.trusted || signer.removed_at_seq.is_some()
            };
            if !entitled {
                return Err(tampered(format!(
                    "epoch {} is signed by {}, who may not decide {}'s keys",
                    record.epoch, signer.name, check.label
                )));
            }
            signer.signing_key().to_vec()
        };
        let message = record_message(
            check.vault_id,
            check.scope_id,
            check.label,
            record.epoch,
            &record.key_id,
            record.link.as_ref(),
            &record.signed_by,
            record.signed_at,
        );
        if !signing::verify(&public, &message, &record.signature) {
            return Err(tampered(format!(
                "the signature of epoch {} does not verify",
                record.epoch
            )));
        }
    }
    Ok(key.id())
}

#[cfg(test)]
mod tests {
    use zeroize::Zeroizing;

    use super::*;
    use crate::team::members::Role;
    use crate::vault::projects::resolve_scope;
    use crate::vault::{SecretOptions, SecretPath, Vault};
    use crate::Session;

    const BOB: &[u8] = b"bob's unit test passphrase";

    /// ada (owner) with llm/prod holding a value; bob, a lead of llm who was never granted prod.
    async fn owner_and_lead(dir: &std::path::Path) -> (Session, Session, SecretPath) {
        let ada = crate::session::test_owner_session(dir).await;
        ada.add_project("llm", &["prod".into()]).await.expect("project");
        let path: SecretPath = "llm/prod/OPENAI_API_KEY".parse().expect("path");
        ada.set_secret(&path, b"sk-before", SecretOptions::default())
            .await
            .expect("set");
        let vault = Vault::open(&dir.join("v.db")).await.expect("open");
        let joined = vault
            .join("bob", Zeroizing::new(BOB.to_vec()), "d2")
            .await
            .expect("join");
        ada.admit("bob", Role::Lead, &["llm".into()], &joined.fingerprint)
            .await
            .expect("admit");
        let bob = vault
            .unlock_with_passphrase(&joined.member_id, Zeroizing::new(BOB.to_vec()), "d2")
            .await
            .expect("bob unlocks")
            .with_pinned_owner(joined.owner_signing_key);
        (ada, bob, path)
    }

    /// What bob writes with a client of his own: `forged` as prod's key at epoch 2, recorded and
    /// signed by him as a lead (linked to `claimed_previous`, a key he does not hold, if given),
    /// granted to ada and himself under his signature, and the scope row pointed at it.
    async fn substitute_key(bob: &Session, ada: &Session, forged: &ScopeKey, claimed_previous: Option<&ScopeKey>) {
        let mut conn = crate::vault::acquire(bob.vault()).await.expect("conn");
        let scope = resolve_scope(&mut *conn, &"llm/prod".parse().expect("scope"))
            .await
            .expect("scope");
        sqlx::raw_sql("DELETE FROM scope_epochs WHERE epoch = 2; DELETE FROM grants WHERE key_epoch = 2;")
            .execute(conn.sqlite())
            .await
            .expect("clear");
        write(
            &mut *conn,
            bob.vault().id(),
            &scope.id,
            "llm/prod",
            2,
            forged,
            claimed_previous,
            &bob.signer(),
        )
        .await
        .expect("forged record");
        for member in [ada.member(), bob.member()] {
            crate::team::members::write_grant(
                &mut *conn,
                bob.vault().id(),
                &scope.id,
                "llm/prod",
                2,
                forged,
                member,
                &bob.member().id,
                &bob.identity,
                None,
            )
            .await
            .expect("forged grant");
        }
        sqlx::query("UPDATE scopes SET key_epoch = 2")
            .execute(conn.sqlite())
            .await
            .expect("epoch");
    }

    #[tokio::test]
    async fn a_lead_who_never_held_a_scope_cannot_give_it_a_key_of_their_own() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (ada, bob, path) = owner_and_lead(dir.path()).await;
        let forged = ScopeKey::generate();

        // Without a link: nothing shows bob held the key of epoch 1.
        substitute_key(&bob, &ada, &forged, None).await;
        let err = ada
            .set_secret(&path, b"sk-after", SecretOptions::default())
            .await
            .expect_err("refused");
        assert!(
            matches!(&err, Error::KeyRecordTampered { problem, .. } if problem.contains("does not show its maker held the key before it")),
            "{err}"
        );

        // With a link made from a key of his choosing: it does not lead to epoch 1's key.
        substitute_key(&bob, &ada, &forged, Some(&ScopeKey::generate())).await;
        let err = ada.get_secret(&path).await.expect_err("refused");
        assert!(
            matches!(&err, Error::KeyRecordTampered { problem, .. } if problem.contains("did not hold the key before it")),
            "{err}"
        );
        // Nothing was encrypted under bob's key.
        let mut conn = crate::vault::acquire(ada.vault()).await.expect("conn");
        let epochs: Vec<i64> = sqlx::query_scalar("SELECT key_epoch FROM secret_versions")
            .fetch_all(conn.sqlite())
            .await
            .expect("versions");
        assert_eq!(epochs, [1]);
    }

    /// bob deletes every record of prod and starts its chain again with a key of his own, as an
    /// unlinked record at epoch 2 or as a new first record at epoch 1: a device that never opened
    /// prod (ada's here has no memory) refuses both, and a scope with no record at all is refused
    /// rather than given a record now.
    /// ada again on a device that never opened the vault: nothing cached, no memory.
    async fn fresh_session(dir: &std::path::Path, ada: &Session) -> Session {
        Vault::open(&dir.join("v.db"))
            .await
            .expect("open")
            .unlock_with_passphrase(&ada.member().id, Zeroizing::new(b"unit test passphrase".to_vec()), "d9")
            .await
            .expect("unlock")
            .with_pinned_owner(ada.pinned_owner().expect("pinned").to_vec())
    }

    #[tokio::test]
    async fn a_lead_cannot_restart_a_scopes_chain_with_a_key_of_their_own() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (ada, bob, path) = owner_and_lead(dir.path()).await;
        let forged = ScopeKey::generate();
        for epoch in [2, 1] {
            let mut conn = crate::vault::acquire(bob.vault()).await.expect("conn");
            let scope = resolve_scope(&mut *conn, &path.scope).await.expect("scope");
            sqlx::raw_sql("DELETE FROM scope_epochs; DELETE FROM grants;")
                .execute(conn.sqlite())
                .await
                .expect("clear");
            write(
                &mut *conn,
                bob.vault().id(),
                &scope.id,
                "llm/prod",
                epoch,
                &forged,
                None,
                &bob.signer(),
            )
            .await
            .expect("forged record");
            crate::team::members::write_grant(
                &mut *conn,
                bob.vault().id(),
                &scope.id,
                "llm/prod",
                epoch,
                &forged,
                ada.member(),
                &bob.member().id,
                &bob.identity,
                None,
            )
            .await
            .expect("forged grant");
            sqlx::query("UPDATE scopes SET key_epoch = ?")
                .bind(epoch)
                .execute(conn.sqlite())
                .await
                .expect("epoch");
            drop(conn);
            let fresh = fresh_session(dir.path(), &ada).await;
            let err = fresh
                .set_secret(&path, b"sk-after", SecretOptions::default())
                .await
                .expect_err("refused");
            assert!(matches!(err, Error::KeyRecordTampered { .. }), "epoch {epoch}: {err}");
        }
        let mut conn = crate::vault::acquire(bob.vault()).await.expect("conn");
        sqlx::raw_sql("DELETE FROM scope_epochs")
            .execute(conn.sqlite())
            .await
            .expect("clear");
        drop(conn);
        let fresh = fresh_session(dir.path(), &ada).await;
        let err = fresh.get_secret(&path).await.expect_err("refused");
        assert!(matches!(err, Error::KeyRecordMissing { .. }), "{err}");
    }

    #[tokio::test]
    async fn a_lead_who_holds_the_scope_rekeys_it_and_everyone_follows() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (ada, bob, path) = owner_and_lead(dir.path()).await;
        let request = bob.request_access(&path.scope, "leading", None).await.expect("request");
        ada.approve_access(&request.id, None).await.expect("approve");
        // alice gets prod from bob; bob revokes her: his rekey links to the key he holds.
        let vault = Vault::open(&dir.path().join("v.db")).await.expect("open");
        let joined = vault
            .join("alice", Zeroizing::new(b"alice's passphrase".to_vec()), "d3")
            .await
            .expect("join");
        ada.admit("alice", Role::Member, &[], &joined.fingerprint)
            .await
            .expect("admit");
        let alice = vault
            .unlock_with_passphrase(&joined.member_id, Zeroizing::new(b"alice's passphrase".to_vec()), "d3")
            .await
            .expect("alice unlocks")
            .with_pinned_owner(joined.owner_signing_key);
        let request = alice.request_access(&path.scope, "eval", None).await.expect("request");
        bob.approve_access(&request.id, None).await.expect("bob approves");
        bob.revoke_access("alice", &path.scope, false)
            .await
            .expect("bob revokes");
        assert!(matches!(alice.get_secret(&path).await, Err(Error::NoAccess { .. })));
        assert_eq!(ada.get_secret(&path).await.expect("ada reads").expose(), b"sk-before");
        assert_eq!(bob.get_secret(&path).await.expect("bob reads").expose(), b"sk-before");
    }

    /// The desktop keeps one session open for hours: a removal undone meanwhile is refused at the
    /// next look at the roster, not only at the next unlock.
    #[tokio::test]
    async fn a_removal_undone_while_a_session_stays_open_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (ada, _bob, _) = owner_and_lead(dir.path()).await;
        let memory = crate::seen::DeviceMemory::load(&dir.path().join("config"), ada.vault().id()).expect("memory");
        let ada = ada.remember_on_device(memory).await.expect("attach");
        ada.remove_member("bob", false).await.expect("remove");
        ada.roster().await.expect("the roster as it is");
        let mut conn = crate::vault::acquire(ada.vault()).await.expect("conn");
        sqlx::raw_sql("DELETE FROM removals; UPDATE members SET status = 'active' WHERE name = 'bob';")
            .execute(conn.sqlite())
            .await
            .expect("undo the removal");
        drop(conn);
        let err = ada.roster().await.expect_err("refused");
        assert!(
            matches!(&err, Error::RolledBack { what } if what.contains("bob's removal is gone")),
            "{err}"
        );
    }

    #[tokio::test]
    async fn entries_a_member_signs_after_their_removal_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (ada, bob, _) = owner_and_lead(dir.path()).await;
        let pinned = ada.pinned_owner().expect("pinned").to_vec();
        ada.remove_member("bob", false).await.expect("remove");
        ada.vault()
            .verify_audit(Some(&pinned), None)
            .await
            .expect("intact before");
        // bob's client, unlocked before, keeps signing.
        let mut tx = bob.vault().store.write().await.expect("tx");
        bob.audit(&mut *tx, "member.admit", "mallory as lead of llm")
            .await
            .expect("append");
        tx.commit("forging").await.expect("commit");
        let err = ada
            .vault()
            .verify_audit(Some(&pinned), None)
            .await
            .expect_err("refused");
        assert!(
            matches!(&err, Error::AuditBroken { problem, .. } if problem.contains("after their removal")),
            "{err}"
        );
    }
}

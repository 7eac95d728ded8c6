//! One secret and its versions: write (with the rules a value must meet), edit, read (audited),
//! remove, and how each version is sealed and opened.
//!
//! Each version's value is XChaCha20-Poly1305 under its scope's key with AAD binding vault,
//! scope, secret and version, so a ciphertext copied to another row fails to decrypt.

use serde::Serialize;
use zeroize::Zeroizing;

use super::path::ScopeRow;
use super::path::{check_new_secret_name, check_secret_name, SecretPath};
use crate::crypto::{self, Plaintext, ScopeKey};
use crate::error::{Error, Result};
use crate::kind::SecretKind;
use crate::rotation::{self, RotationPolicy};
use crate::session::Session;
pub(super) use crate::store::secrets::VersionRow;
use crate::store::secrets::{NewSecret, NewVersionRow};
use crate::store::Conn;

/// Largest value or file a secret may hold.
pub const MAX_VALUE_BYTES: u64 = 1024 * 1024;

/// The rules a value meets whichever way it comes in (set, a rotation, import): not empty, at most
/// [`MAX_VALUE_BYTES`], and for a text secret no NUL byte, which no environment variable can hold
/// (`run` would refuse the whole scope). `what` names the value in the error ("the value for P/E/N").
pub(crate) fn check_value(what: &dyn Fn() -> String, value: &[u8], is_file: bool) -> Result<()> {
    if value.is_empty() {
        return Err(Error::EmptyValue { what: what() });
    }
    if value.len() as u64 > MAX_VALUE_BYTES {
        return Err(Error::ValueTooLarge {
            what: what(),
            limit: MAX_VALUE_BYTES,
        });
    }
    if !is_file && value.contains(&0) {
        return Err(Error::ValueHasNul { what: what() });
    }
    Ok(())
}

/// Secrets per step of an import (its progress is reported after each).
pub(super) const BATCH: usize = 1000;

/// Metadata given with `set`. `None` fields keep what the secret had (or the kind's default).
#[derive(Default)]
pub struct SecretOptions {
    pub kind: Option<SecretKind>,
    pub note: Option<Zeroizing<String>>,
    pub rotation: Option<RotationPolicy>,
    /// Set for file secrets: the original file name, used when the file is materialised.
    pub file_name: Option<String>,
    /// The current version the change was made against (what the person saw; 0: the secret did
    /// not exist yet). Someone else's change since is refused, never silently overwritten.
    pub based_on: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SetOutcome {
    pub version: i64,
    pub created: bool,
}

/// Binds a value to everything that names it: vault, scope (id, `project/env` and key epoch),
/// secret (id and name) and version. Swapping ciphertexts, names, or a scope's environment in
/// the file, or presenting a value sealed under another key epoch, makes decryption fail
/// instead of handing one secret out under another's name.
pub(crate) fn value_aad(vault_id: &str, scope: &ScopeRow, secret_id: &str, name: &str, version: i64) -> Vec<u8> {
    crypto::aad(
        "keyshelf/v2/secret",
        &[
            vault_id.as_bytes(),
            scope.id.as_bytes(),
            scope.label.as_bytes(),
            &scope.epoch.to_be_bytes(),
            secret_id.as_bytes(),
            name.as_bytes(),
            &version.to_be_bytes(),
        ],
    )
}

fn note_aad(vault_id: &str, scope: &ScopeRow, secret_id: &str, name: &str) -> Vec<u8> {
    crypto::aad(
        "keyshelf/v2/note",
        &[
            vault_id.as_bytes(),
            scope.id.as_bytes(),
            scope.label.as_bytes(),
            &scope.epoch.to_be_bytes(),
            secret_id.as_bytes(),
            name.as_bytes(),
        ],
    )
}

fn open_note(
    vault_id: &str,
    key: &ScopeKey,
    scope: &ScopeRow,
    secret_id: &str,
    name: &str,
    sealed: &crypto::Sealed,
) -> Option<Zeroizing<Vec<u8>>> {
    key.open(sealed, &note_aad(vault_id, scope, secret_id, name))
}

/// The existing secret of that name in the scope, if any: id and latest version number.
pub(super) async fn existing(conn: &mut dyn Conn, scope_id: &str, name: &str) -> Result<Option<(String, i64)>> {
    conn.secret_id_and_latest_version(scope_id, name).await
}

/// A value about to be written: a new secret (version 1) or a new version of an existing one.
pub(super) struct NewVersion<'a> {
    pub(super) secret_id: String,
    pub(super) name: &'a str,
    pub(super) version: i64,
    pub(super) kind: SecretKind,
    pub(super) value: &'a [u8],
}

impl Session {
    /// Stores a value as the new current version (the old current becomes previous), creating
    /// the secret if needed. One transaction, audited.
    pub async fn set_secret(&self, path: &SecretPath, value: &[u8], options: SecretOptions) -> Result<SetOutcome> {
        check_new_secret_name(&path.name)?;
        check_value(&|| format!("the value for {path}"), value, options.file_name.is_some())?;
        let mut tx = self.begin().await?;
        let (scope, key) = self.open_scope(&mut *tx, &path.scope).await?;
        let found = existing(&mut *tx, &scope.id, &path.name).await?;
        if let Some((id, _)) = &found {
            super::state::verify(&mut *tx, &self.vault.id, &key, &scope, Some(std::slice::from_ref(id))).await?;
        }
        self.check_based_on(
            &mut *tx,
            path,
            found.as_ref().map(|(id, _)| id.as_str()),
            options.based_on,
        )
        .await?;
        let created = found.is_none();
        let (secret_id, version) = match found {
            None => (uuid::Uuid::new_v4().to_string(), 1),
            Some((id, v)) => (id, next_version(v, path)?),
        };
        let kind = options.kind.unwrap_or_else(|| SecretKind::guess(&path.name));
        let item = NewVersion {
            secret_id: secret_id.clone(),
            name: &path.name,
            version,
            kind,
            value,
        };
        let items = [item];
        if created {
            let policy = options.rotation.unwrap_or(RotationPolicy::Default);
            self.insert_secrets(&mut *tx, &scope, &key, &items, policy, options.file_name.as_deref())
                .await?;
        } else {
            self.supersede(&mut *tx, &[secret_id.as_str()], overlap_end(), true)
                .await?;
            update_metadata(&mut *tx, &secret_id, &options).await?;
            // The new value decides: a file replaces text and typed text replaces a file.
            tx.set_secret_file(&secret_id, options.file_name.is_some(), options.file_name.as_deref())
                .await?;
        }
        self.insert_versions(&mut *tx, &scope, &key, &items, "current").await?;
        if let Some(note) = &options.note {
            self.store_note(&mut *tx, &key, &scope, &secret_id, &path.name, note)
                .await?;
        }
        if created && options.note.is_none() {
            // A new secret was sealed as it was inserted: only the scope's set changed.
            self.seal_scope_set(&mut *tx, &key, &scope).await?;
        } else {
            self.seal_states(&mut *tx, &key, &scope, Some(std::slice::from_ref(&secret_id)))
                .await?;
        }
        self.audit(&mut *tx, "secret.set", &format!("{path} v{version}"))
            .await?;
        self.commit(tx, "storing a secret").await?;
        Ok(SetOutcome { version, created })
    }

    /// Refuses a change made against `based_on` when the secret's current version is another one
    /// (someone else wrote it since), naming who and when.
    async fn check_based_on(
        &self,
        conn: &mut dyn Conn,
        path: &SecretPath,
        secret_id: Option<&str>,
        based_on: Option<i64>,
    ) -> Result<()> {
        let Some(expected) = based_on else {
            return Ok(());
        };
        let current = match secret_id {
            Some(id) => conn.current_version_by(id).await?,
            None => None,
        };
        match current {
            None if expected == 0 => Ok(()),
            Some((version, _, _)) if version == expected => Ok(()),
            Some((version, by, at)) => Err(Error::Conflict {
                path: path.to_string(),
                version,
                by,
                at: crate::clock::rfc3339(at),
            }),
            // Removed since it was read: the change would bring it back.
            None => Err(Error::UnknownSecret { path: path.to_string() }),
        }
    }

    /// Changes a secret's kind, note or rotation interval without a new version of its value
    /// (`None` fields stay as they are; an empty note removes it). One transaction, audited.
    pub async fn edit_secret(&self, path: &SecretPath, options: SecretOptions) -> Result<()> {
        let mut tx = self.begin().await?;
        // Editing needs access to the scope (the note is sealed under its key), not just the file.
        let (scope, key) = self.open_scope(&mut *tx, &path.scope).await?;
        let (secret_id, _) = existing(&mut *tx, &scope.id, &path.name)
            .await?
            .ok_or_else(|| Error::UnknownSecret { path: path.to_string() })?;
        let this = [secret_id.clone()];
        super::state::verify(&mut *tx, &self.vault.id, &key, &scope, Some(&this)).await?;
        self.check_based_on(&mut *tx, path, Some(&secret_id), options.based_on)
            .await?;
        update_metadata(&mut *tx, &secret_id, &options).await?;
        if let Some(note) = &options.note {
            self.store_note(&mut *tx, &key, &scope, &secret_id, &path.name, note)
                .await?;
        }
        tx.set_secret_updated_at(&secret_id, crate::clock::now()).await?;
        self.seal_states(&mut *tx, &key, &scope, Some(&this)).await?;
        self.audit(&mut *tx, "secret.edit", &path.to_string()).await?;
        self.commit(tx, "editing a secret").await
    }

    /// Re-encrypts every version (current, previous, pending, retired) and every note of a scope
    /// from `old` to `new` at `new_epoch`, inside the caller's transaction, under the AAD of the
    /// new epoch; each value gets a fresh nonce. Returns the number of versions.
    pub(crate) async fn reencrypt_scope(
        &self,
        conn: &mut dyn Conn,
        scope: &ScopeRow,
        old: &ScopeKey,
        new: &ScopeKey,
        new_epoch: i64,
    ) -> Result<usize> {
        // A rekey re-seals every state: it must not launder one that was tampered with.
        super::state::verify(conn, &self.vault.id, old, scope, None).await?;
        let rows = conn.all_versions_of_scope(&scope.id).await?;
        let count = rows.len();
        let rekeyed = ScopeRow {
            epoch: new_epoch,
            ..scope.clone()
        };
        let mut resealed: Vec<(String, i64, crypto::Sealed)> = Vec::with_capacity(rows.len());
        for row in rows {
            let (secret_id, name, version) = (row.secret_id.clone(), row.name.clone(), row.version);
            let value = self.open_value(old, scope, row)?;
            let aad = value_aad(&self.vault.id, &rekeyed, &secret_id, &name, version);
            resealed.push((secret_id, version, new.seal(value.expose(), &aad)));
        }
        conn.reseal_versions(new_epoch, &resealed).await?;
        let notes = conn.sealed_notes_of_scope(&scope.id).await?;
        for (secret_id, name, nonce, ciphertext) in notes {
            let sealed = crypto::Sealed { nonce, ciphertext };
            let note = open_note(&self.vault.id, old, scope, &secret_id, &name, &sealed).ok_or_else(|| {
                Error::NoteTampered {
                    path: format!("{}/{name}", scope.label),
                }
            })?;
            let note = Zeroizing::new(String::from_utf8_lossy(&note).into_owned());
            self.store_note(conn, new, &rekeyed, &secret_id, &name, &note).await?;
        }
        self.seal_states(conn, new, &rekeyed, None).await?;
        Ok(count)
    }

    /// Seals a note under the scope key, or removes the note when it is empty.
    async fn store_note(
        &self,
        conn: &mut dyn Conn,
        key: &ScopeKey,
        scope: &ScopeRow,
        secret_id: &str,
        name: &str,
        note: &str,
    ) -> Result<()> {
        let sealed =
            (!note.is_empty()).then(|| key.seal(note.as_bytes(), &note_aad(&self.vault.id, scope, secret_id, name)));
        conn.set_secret_note(
            secret_id,
            sealed.as_ref().map(|s| (s.nonce.as_slice(), s.ciphertext.as_slice())),
        )
        .await
    }

    /// Decrypts the current value. The read is audited in the same transaction; if the audit
    /// entry cannot be written, no value is returned.
    pub async fn get_secret(&self, path: &SecretPath) -> Result<Plaintext> {
        let mut tx = self.begin().await?;
        let (scope, key) = self.open_scope(&mut *tx, &path.scope).await?;
        let (secret_id, current) = tx
            .secret_with_current_version(&scope.id, &path.name)
            .await?
            .ok_or_else(|| Error::UnknownSecret { path: path.to_string() })?;
        let Some(current) = current else {
            return Err(Error::NoCurrentVersion { path: path.to_string() });
        };
        let version = current.version;
        super::state::verify(
            &mut *tx,
            &self.vault.id,
            &key,
            &scope,
            Some(std::slice::from_ref(&secret_id)),
        )
        .await?;
        let row = VersionRow {
            secret_id,
            name: path.name.clone(),
            version,
            epoch: current.epoch,
            nonce: current.nonce,
            ciphertext: current.ciphertext,
        };
        let value = self.open_value(&key, &scope, row)?;
        self.audit(&mut *tx, "secret.read", &format!("{path} v{version}"))
            .await?;
        self.commit(tx, "recording the read (the value was withheld)").await?;
        Ok(value)
    }

    /// The current value as text, for a shell that shows or copies it: a value that is not UTF-8
    /// (a binary file secret) is refused rather than shown mangled. Audited like `get_secret`.
    pub async fn get_text(&self, path: &SecretPath) -> Result<Zeroizing<String>> {
        let value = self.get_secret(path).await?;
        std::str::from_utf8(value.expose())
            .map(|text| Zeroizing::new(text.to_owned()))
            .map_err(|_| Error::ValueNotText { key: path.to_string() })
    }

    /// The decrypted note of a secret, if it has one. Audited like a value read.
    pub async fn get_note(&self, path: &SecretPath) -> Result<Option<Zeroizing<String>>> {
        let mut tx = self.begin().await?;
        let (scope, key) = self.open_scope(&mut *tx, &path.scope).await?;
        let (secret_id, note) = tx
            .secret_note_by_name(&scope.id, &path.name)
            .await?
            .ok_or_else(|| Error::UnknownSecret { path: path.to_string() })?;
        // The note is part of the sealed state: an older one written back, or none, is refused.
        super::state::verify(
            &mut *tx,
            &self.vault.id,
            &key,
            &scope,
            Some(std::slice::from_ref(&secret_id)),
        )
        .await?;
        let Some((nonce, ciphertext)) = note else {
            return Ok(None);
        };
        let bytes = open_note(
            &self.vault.id,
            &key,
            &scope,
            &secret_id,
            &path.name,
            &crypto::Sealed { nonce, ciphertext },
        )
        .ok_or_else(|| Error::NoteTampered { path: path.to_string() })?;
        let note = String::from_utf8(bytes.to_vec()).map_err(|_| Error::NoteTampered { path: path.to_string() })?;
        self.audit(&mut *tx, "secret.read-note", &path.to_string()).await?;
        self.commit(tx, "recording the read (the note was withheld)").await?;
        Ok(Some(Zeroizing::new(note)))
    }

    /// Deletes a secret and every version of it. One transaction, audited.
    pub async fn remove_secret(&self, path: &SecretPath) -> Result<()> {
        let mut tx = self.begin().await?;
        // Removing needs access to the scope, not just write access to the file.
        let (scope, key) = self.open_scope(&mut *tx, &path.scope).await?;
        if !tx.delete_secret_by_name(&scope.id, &path.name).await? {
            return Err(Error::UnknownSecret { path: path.to_string() });
        }
        self.seal_scope_set(&mut *tx, &key, &scope).await?;
        self.audit(&mut *tx, "secret.remove", &path.to_string()).await?;
        self.commit(tx, "removing a secret").await
    }

    /// Decrypts one version. A version under another key epoch than the scope's, or whose
    /// ciphertext does not authenticate for this exact row, is reported as tampered.
    pub(super) fn open_value(&self, key: &ScopeKey, scope: &ScopeRow, row: VersionRow) -> Result<Plaintext> {
        let tampered = || Error::SecretTampered {
            path: format!("{}/{}", scope.label, row.name),
            version: row.version,
        };
        // A name read from the file is re-checked: `run` exports it and makes paths from it.
        if row.epoch != scope.epoch || check_secret_name(&row.name).is_err() {
            return Err(tampered());
        }
        let aad = value_aad(&self.vault.id, scope, &row.secret_id, &row.name, row.version);
        key.open(
            &crypto::Sealed {
                nonce: row.nonce,
                ciphertext: row.ciphertext,
            },
            &aad,
        )
        .map(Plaintext::from)
        .ok_or_else(tampered)
    }

    /// Inserts new secret rows, all with the same rotation policy, each sealed (under `key`) in
    /// the state its first version, inserted next as current, gives it.
    pub(super) async fn insert_secrets(
        &self,
        conn: &mut dyn Conn,
        scope: &ScopeRow,
        key: &ScopeKey,
        items: &[NewVersion<'_>],
        policy: RotationPolicy,
        file_name: Option<&str>,
    ) -> Result<()> {
        let now = crate::clock::now();
        let mac = key.state_mac();
        let tags: Vec<[u8; 32]> = items
            .iter()
            .map(|item| {
                super::state::fresh_tag(
                    &self.vault.id,
                    &mac,
                    scope,
                    &item.secret_id,
                    item.name,
                    item.kind.as_str(),
                    file_name,
                    item.version,
                )
            })
            .collect();
        let rows: Vec<NewSecret> = items
            .iter()
            .zip(&tags)
            .map(|(item, tag)| NewSecret {
                id: &item.secret_id,
                scope_id: &scope.id,
                name: item.name,
                kind: item.kind.as_str(),
                is_file: file_name.is_some(),
                file_name,
                policy: policy.as_column(),
                rotate_every_secs: policy.every_secs(),
                now,
                state_tag: &tag[..],
            })
            .collect();
        conn.insert_secret_rows(&rows).await
    }

    /// New versions in `state` ("current", or "pending" for a staged rotation).
    pub(super) async fn insert_versions(
        &self,
        conn: &mut dyn Conn,
        scope: &ScopeRow,
        key: &ScopeKey,
        items: &[NewVersion<'_>],
        state: &str,
    ) -> Result<()> {
        let now = crate::clock::now();
        let sealed: Vec<crypto::Sealed> = items
            .iter()
            .map(|i| {
                let aad = value_aad(&self.vault.id, scope, &i.secret_id, i.name, i.version);
                key.seal(i.value, &aad)
            })
            .collect();
        let rows: Vec<NewVersionRow> = items
            .iter()
            .zip(&sealed)
            .map(|(item, sealed)| NewVersionRow {
                secret_id: &item.secret_id,
                version: item.version,
                state,
                key_epoch: scope.epoch,
                nonce: &sealed.nonce,
                ciphertext: &sealed.ciphertext,
                created_by: &self.member.id,
                created_at: now,
            })
            .collect();
        conn.insert_secret_versions(&rows).await
    }

    /// Before a new current version: previous -> retired, current -> previous (readable until
    /// `previous_until`). A value stored by hand also retires a staged rotation (`retire_pending`):
    /// promoting it later would silently replace the value just chosen.
    pub(super) async fn supersede(
        &self,
        conn: &mut dyn Conn,
        secret_ids: &[&str],
        previous_until: i64,
        retire_pending: bool,
    ) -> Result<()> {
        let now = crate::clock::now();
        let mut steps = vec![
            ("previous", "retired", None),
            ("current", "previous", Some(previous_until)),
        ];
        if retire_pending {
            steps.insert(0, ("pending", "retired", None));
        }
        for (from, to, retire_at) in steps {
            conn.move_versions_state(secret_ids, from, to, retire_at).await?;
        }
        conn.mark_secrets_rotated(secret_ids, now).await
    }
}

/// A value stored by hand keeps the old one readable as previous for the default overlap.
pub(super) fn overlap_end() -> i64 {
    crate::clock::now().saturating_add(rotation::DEFAULT_OVERLAP.as_secs())
}

/// The version after `latest`; a file at `i64::MAX` versions is corrupt, not a reason to wrap.
pub(super) fn next_version(latest: i64, path: &dyn std::fmt::Display) -> Result<i64> {
    latest.checked_add(1).ok_or_else(|| Error::Corrupt {
        context: format!("{path} has an impossible version number"),
    })
}

/// Kind and rotation interval, where given. The note is sealed separately (it needs the key).
async fn update_metadata(conn: &mut dyn Conn, secret_id: &str, options: &SecretOptions) -> Result<()> {
    if let Some(kind) = options.kind {
        conn.set_secret_kind(secret_id, kind.as_str()).await?;
    }
    if let Some(policy) = options.rotation {
        conn.set_secret_policy(secret_id, policy.as_column(), policy.every_secs())
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_binary_value_is_refused_as_text_not_mangled() {
        let dir = tempfile::tempdir().expect("tempdir");
        let session = crate::session::test_owner_session(dir.path()).await;
        session.add_project("llm", &["dev".into()]).await.expect("project");
        let path: SecretPath = "llm/dev/KEYSTORE".parse().expect("path");
        let options = SecretOptions {
            file_name: Some("keystore.p12".into()),
            ..SecretOptions::default()
        };
        session
            .set_secret(&path, &[0x30, 0x82, 0xff, 0xfe], options)
            .await
            .expect("set");
        let err = session.get_text(&path).await.expect_err("not text");
        assert!(matches!(err, Error::ValueNotText { .. }), "{err}");
        let text: SecretPath = "llm/dev/TOKEN".parse().expect("path");
        session
            .set_secret(&text, b"hf_text", SecretOptions::default())
            .await
            .expect("set");
        assert_eq!(session.get_text(&text).await.expect("text").as_str(), "hf_text");
    }

    #[tokio::test]
    async fn a_note_written_back_or_removed_in_the_file_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let session = crate::session::test_owner_session(dir.path()).await;
        session.add_project("llm", &["dev".into()]).await.expect("project");
        let path: SecretPath = "llm/dev/OPENAI_API_KEY".parse().expect("path");
        let with_note = |note: &str| SecretOptions {
            note: Some(Zeroizing::new(note.into())),
            ..SecretOptions::default()
        };
        session
            .set_secret(&path, b"sk-value", with_note("use account A"))
            .await
            .expect("set");
        let pool = session.vault().store.sqlite_pool().clone();
        let (nonce, ciphertext): (Vec<u8>, Vec<u8>) = sqlx::query_as("SELECT note_nonce, note_ciphertext FROM secrets")
            .fetch_one(&pool)
            .await
            .expect("note");
        session
            .edit_secret(&path, with_note("use account B"))
            .await
            .expect("edit");

        sqlx::query("UPDATE secrets SET note_nonce = ?, note_ciphertext = ?")
            .bind(&nonce)
            .bind(&ciphertext)
            .execute(&pool)
            .await
            .expect("write back");
        let err = session.get_note(&path).await.expect_err("an older note");
        assert!(matches!(err, Error::StateTampered { .. }), "{err}");
        sqlx::query("UPDATE secrets SET note_nonce = NULL, note_ciphertext = NULL")
            .execute(&pool)
            .await
            .expect("remove");
        let err = session.get_note(&path).await.expect_err("no note");
        assert!(matches!(err, Error::StateTampered { .. }), "{err}");
    }

    #[tokio::test]
    async fn a_change_made_against_a_replaced_version_is_refused_naming_who_replaced_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let session = crate::session::test_owner_session(dir.path()).await;
        session.add_project("llm", &["dev".into()]).await.expect("project");
        let path: SecretPath = "llm/dev/OPENAI_API_KEY".parse().expect("path");
        let based_on = |version| SecretOptions {
            based_on: Some(version),
            ..SecretOptions::default()
        };
        // Added as new: a second "add" of the same name is someone else's secret now.
        session.set_secret(&path, b"sk-one", based_on(0)).await.expect("add");
        let err = session
            .set_secret(&path, b"sk-other", based_on(0))
            .await
            .expect_err("exists");
        assert!(
            matches!(&err, Error::Conflict { version: 1, by, .. } if by == "ada"),
            "{err}"
        );

        // Two people read v1; one saves v2; the other's save (or edit) based on v1 is refused.
        session.set_secret(&path, b"sk-two", based_on(1)).await.expect("v2");
        let err = session
            .set_secret(&path, b"sk-stale", based_on(1))
            .await
            .expect_err("stale");
        assert!(err.to_string().contains("now version 2, by ada"), "{err}");
        let err = session.edit_secret(&path, based_on(1)).await.expect_err("stale edit");
        assert!(matches!(err, Error::Conflict { version: 2, .. }), "{err}");
        assert_eq!(session.get_secret(&path).await.expect("get").expose(), b"sk-two");
        // Without a version to hold to (a script's plain `set`), the write goes through.
        session
            .set_secret(&path, b"sk-three", SecretOptions::default())
            .await
            .expect("blind set");
    }

    #[tokio::test]
    async fn edit_changes_metadata_and_note_but_not_the_value() {
        let dir = tempfile::tempdir().expect("tempdir");
        let session = crate::session::test_owner_session(dir.path()).await;
        session.add_project("llm", &["dev".into()]).await.expect("project");
        let path: SecretPath = "llm/dev/OPENAI_API_KEY".parse().expect("path");
        let options = SecretOptions {
            note: Some(Zeroizing::new("issued by ops".into())),
            ..SecretOptions::default()
        };
        session.set_secret(&path, b"sk-value", options).await.expect("set");

        let edit = SecretOptions {
            kind: Some(SecretKind::Generic),
            note: Some(Zeroizing::new("moved to the ML team".into())),
            rotation: Some("30d".parse().expect("policy")),
            file_name: None,
            based_on: Some(1),
        };
        session.edit_secret(&path, edit).await.expect("edit");
        let summary = session.vault().secret(&path).await.expect("summary");
        assert_eq!(summary.kind, SecretKind::Generic);
        assert_eq!(summary.rotate_every_secs, Some(30 * 86_400));
        assert_eq!(summary.version, Some(1), "an edit is not a new version");
        let note = session.get_note(&path).await.expect("note");
        assert_eq!(note.as_deref().map(String::as_str), Some("moved to the ML team"));
        assert_eq!(session.get_secret(&path).await.expect("value").expose(), b"sk-value");

        // None keeps a field; an empty note removes the note.
        let clear = SecretOptions {
            note: Some(Zeroizing::new(String::new())),
            ..SecretOptions::default()
        };
        session.edit_secret(&path, clear).await.expect("clear note");
        let summary = session.vault().secret(&path).await.expect("summary");
        assert_eq!((summary.kind, summary.has_note), (SecretKind::Generic, false));
        assert!(session.get_note(&path).await.expect("note").is_none());

        // A typed value over a file secret makes it text again, and a file makes it a file.
        let file = SecretOptions {
            file_name: Some("sa.json".into()),
            ..SecretOptions::default()
        };
        session.set_secret(&path, b"{}", file).await.expect("file");
        let summary = session.vault().secret(&path).await.expect("summary");
        assert_eq!((summary.is_file, summary.file_name.as_deref()), (true, Some("sa.json")));
        session
            .set_secret(&path, b"sk-typed", SecretOptions::default())
            .await
            .expect("text");
        let summary = session.vault().secret(&path).await.expect("summary");
        assert_eq!((summary.is_file, summary.file_name), (false, None));

        let missing: SecretPath = "llm/dev/NOPE".parse().expect("path");
        let err = session
            .edit_secret(&missing, SecretOptions::default())
            .await
            .expect_err("unknown");
        assert!(matches!(err, Error::UnknownSecret { .. }), "{err}");
    }
}

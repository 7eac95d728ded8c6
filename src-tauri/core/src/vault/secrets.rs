//! One secret and its versions: write (with the rules a value must meet), edit, read (audited),
//! remove, and how each version is sealed and opened.
//!
//! Each version's value is XChaCha20-Poly1305 under its scope's key with AAD binding vault,
//! scope, secret and version, so a ciphertext copied to another row fails to decrypt.

use serde::Serialize;
use sqlx::{QueryBuilder, Sqlite};
use zeroize::Zeroizing;

use super::path::{check_new_secret_name, check_secret_name, SecretPath};
use super::projects::ScopeRow;
use crate::crypto::{self, Plaintext, ScopeKey};
use crate::error::{Error, Result};
use crate::kind::SecretKind;
use crate::rotation::{self, RotationPolicy};
use crate::session::Session;
use crate::store::Conn;

/// Largest value or file a secret may hold.
pub const MAX_VALUE_BYTES: u64 = 1024 * 1024;

/// Rows per multi-row INSERT: well under SQLite's 32766 bound parameters.
pub(super) const BATCH: usize = 1000;

/// Metadata given with `set`. `None` fields keep what the secret had (or the kind's default).
#[derive(Default)]
pub struct SecretOptions {
    pub kind: Option<SecretKind>,
    pub note: Option<Zeroizing<String>>,
    pub rotation: Option<RotationPolicy>,
    /// Set for file secrets: the original file name, used when the file is materialised.
    pub file_name: Option<String>,
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
    sqlx::query_as(
        "SELECT s.id, COALESCE((SELECT MAX(version) FROM secret_versions v WHERE v.secret_id = s.id), 0)
         FROM secrets s WHERE s.scope_id = ? AND s.name = ?",
    )
    .bind(scope_id)
    .bind(name)
    .fetch_optional(conn.sqlite())
    .await
    .map_err(|e| Error::db("finding a secret", e))
}

/// One stored version, as read back for decryption.
pub(super) struct VersionRow {
    pub(super) secret_id: String,
    pub(super) name: String,
    pub(super) version: i64,
    pub(super) epoch: i64,
    pub(super) nonce: Vec<u8>,
    pub(super) ciphertext: Vec<u8>,
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
        if value.is_empty() {
            return Err(Error::EmptyValue {
                what: format!("the value for {path}"),
            });
        }
        if value.len() as u64 > MAX_VALUE_BYTES {
            return Err(Error::ValueTooLarge {
                what: format!("the value for {path}"),
                limit: MAX_VALUE_BYTES,
            });
        }
        let mut tx = self.begin().await?;
        let (scope, key) = self.open_scope(&mut *tx, &path.scope).await?;
        let found = existing(&mut *tx, &scope.id, &path.name).await?;
        if let Some((id, _)) = &found {
            super::state::verify(&mut *tx, &self.vault.id, &key, &scope, Some(std::slice::from_ref(id))).await?;
        }
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
            sqlx::query("UPDATE secrets SET is_file = ?, file_name = ? WHERE id = ?")
                .bind(options.file_name.is_some())
                .bind(options.file_name.as_deref())
                .bind(&secret_id)
                .execute(tx.sqlite())
                .await
                .map_err(|e| Error::db("updating a secret", e))?;
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
        update_metadata(&mut *tx, &secret_id, &options).await?;
        if let Some(note) = &options.note {
            self.store_note(&mut *tx, &key, &scope, &secret_id, &path.name, note)
                .await?;
        }
        sqlx::query("UPDATE secrets SET updated_at = ? WHERE id = ?")
            .bind(crate::clock::now())
            .bind(&secret_id)
            .execute(tx.sqlite())
            .await
            .map_err(|e| Error::db("editing a secret", e))?;
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
        type Row = (String, String, i64, i64, Vec<u8>, Vec<u8>);
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT s.id, s.name, v.version, v.key_epoch, v.nonce, v.ciphertext
             FROM secret_versions v JOIN secrets s ON s.id = v.secret_id WHERE s.scope_id = ?",
        )
        .bind(&scope.id)
        .fetch_all(conn.sqlite())
        .await
        .map_err(|e| Error::db("reading a scope for rekeying", e))?;
        let count = rows.len();
        let rekeyed = ScopeRow {
            epoch: new_epoch,
            ..scope.clone()
        };
        let mut resealed: Vec<(String, i64, crypto::Sealed)> = Vec::with_capacity(rows.len());
        for (secret_id, name, version, epoch, nonce, ciphertext) in rows {
            let value = self.open_value(
                old,
                scope,
                VersionRow {
                    secret_id: secret_id.clone(),
                    name: name.clone(),
                    version,
                    epoch,
                    nonce,
                    ciphertext,
                },
            )?;
            let aad = value_aad(&self.vault.id, &rekeyed, &secret_id, &name, version);
            resealed.push((secret_id, version, new.seal(value.expose(), &aad)));
        }
        // Batched: one statement per chunk rather than a round trip per version.
        for chunk in resealed.chunks(BATCH) {
            let mut query: QueryBuilder<Sqlite> = QueryBuilder::new("UPDATE secret_versions SET key_epoch = ");
            query.push_bind(new_epoch);
            query.push(", nonce = v.column3, ciphertext = v.column4 FROM (");
            query.push_values(chunk, |mut row, (secret_id, version, sealed)| {
                row.push_bind(secret_id)
                    .push_bind(*version)
                    .push_bind(&sealed.nonce)
                    .push_bind(&sealed.ciphertext);
            });
            query.push(") AS v WHERE secret_versions.secret_id = v.column1 AND secret_versions.version = v.column2");
            query
                .build()
                .execute(conn.sqlite())
                .await
                .map_err(|e| Error::db("rekeying secrets", e))?;
        }
        type NoteRow = (String, String, Vec<u8>, Vec<u8>);
        let notes: Vec<NoteRow> = sqlx::query_as(
            "SELECT id, name, note_nonce, note_ciphertext FROM secrets
             WHERE scope_id = ? AND note_ciphertext IS NOT NULL",
        )
        .bind(&scope.id)
        .fetch_all(conn.sqlite())
        .await
        .map_err(|e| Error::db("reading notes for rekeying", e))?;
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
        let (nonce, ciphertext) = if note.is_empty() {
            (None, None)
        } else {
            let sealed = key.seal(note.as_bytes(), &note_aad(&self.vault.id, scope, secret_id, name));
            (Some(sealed.nonce), Some(sealed.ciphertext))
        };
        sqlx::query("UPDATE secrets SET note_nonce = ?, note_ciphertext = ? WHERE id = ?")
            .bind(nonce)
            .bind(ciphertext)
            .bind(secret_id)
            .execute(conn.sqlite())
            .await
            .map_err(|e| Error::db("storing a note", e))?;
        Ok(())
    }

    /// Decrypts the current value. The read is audited in the same transaction; if the audit
    /// entry cannot be written, no value is returned.
    pub async fn get_secret(&self, path: &SecretPath) -> Result<Plaintext> {
        let mut tx = self.begin().await?;
        let (scope, key) = self.open_scope(&mut *tx, &path.scope).await?;
        type CurrentRow = (String, Option<i64>, Option<i64>, Option<Vec<u8>>, Option<Vec<u8>>);
        let row: Option<CurrentRow> = sqlx::query_as(
            "SELECT s.id, v.version, v.key_epoch, v.nonce, v.ciphertext FROM secrets s
             LEFT JOIN secret_versions v ON v.secret_id = s.id AND v.state = 'current'
             WHERE s.scope_id = ? AND s.name = ?",
        )
        .bind(&scope.id)
        .bind(&path.name)
        .fetch_optional(tx.sqlite())
        .await
        .map_err(|e| Error::db("reading a secret", e))?;
        let (secret_id, version, epoch, nonce, ciphertext) =
            row.ok_or_else(|| Error::UnknownSecret { path: path.to_string() })?;
        let (Some(version), Some(epoch), Some(nonce), Some(ciphertext)) = (version, epoch, nonce, ciphertext) else {
            return Err(Error::NoCurrentVersion { path: path.to_string() });
        };
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
            epoch,
            nonce,
            ciphertext,
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
        type NoteRow = (String, Option<Vec<u8>>, Option<Vec<u8>>);
        let row: Option<NoteRow> =
            sqlx::query_as("SELECT id, note_nonce, note_ciphertext FROM secrets WHERE scope_id = ? AND name = ?")
                .bind(&scope.id)
                .bind(&path.name)
                .fetch_optional(tx.sqlite())
                .await
                .map_err(|e| Error::db("reading a note", e))?;
        let (secret_id, nonce, ciphertext) = row.ok_or_else(|| Error::UnknownSecret { path: path.to_string() })?;
        // The note is part of the sealed state: an older one written back, or none, is refused.
        super::state::verify(
            &mut *tx,
            &self.vault.id,
            &key,
            &scope,
            Some(std::slice::from_ref(&secret_id)),
        )
        .await?;
        let (Some(nonce), Some(ciphertext)) = (nonce, ciphertext) else {
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
        let deleted = sqlx::query("DELETE FROM secrets WHERE scope_id = ? AND name = ?")
            .bind(&scope.id)
            .bind(&path.name)
            .execute(tx.sqlite())
            .await
            .map_err(|e| Error::db("removing a secret", e))?;
        if deleted.rows_affected() == 0 {
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
        let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO secrets (id, scope_id, name, kind, is_file, file_name, policy, rotate_every_secs, last_rotated_at, created_at, updated_at, state_tag) ",
        );
        query.push_values(items.iter().zip(&tags), |mut row, (item, tag)| {
            row.push_bind(&item.secret_id)
                .push_bind(&scope.id)
                .push_bind(item.name)
                .push_bind(item.kind.as_str())
                .push_bind(file_name.is_some())
                .push_bind(file_name)
                .push_bind(policy.as_column())
                .push_bind(policy.every_secs())
                .push_bind(now)
                .push_bind(now)
                .push_bind(now)
                .push_bind(&tag[..]);
        });
        query
            .build()
            .execute(conn.sqlite())
            .await
            .map_err(|e| Error::db("adding secrets", e))?;
        Ok(())
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
        let mut query: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO secret_versions (secret_id, version, state, key_epoch, nonce, ciphertext, created_by, created_at) ",
        );
        query.push_values(items.iter().zip(&sealed), |mut row, (item, sealed)| {
            row.push_bind(&item.secret_id)
                .push_bind(item.version)
                .push_bind(state)
                .push_bind(scope.epoch)
                .push_bind(&sealed.nonce)
                .push_bind(&sealed.ciphertext)
                .push_bind(&self.member.id)
                .push_bind(now);
        });
        query
            .build()
            .execute(conn.sqlite())
            .await
            .map_err(|e| Error::db("storing secret versions", e))?;
        Ok(())
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
            let mut query: QueryBuilder<Sqlite> = QueryBuilder::new("UPDATE secret_versions SET state = ");
            query
                .push_bind(to)
                .push(", retire_at = ")
                .push_bind(retire_at)
                .push(" WHERE state = ")
                .push_bind(from)
                .push(" AND secret_id IN (");
            let mut list = query.separated(", ");
            for id in secret_ids {
                list.push_bind(*id);
            }
            query.push(")");
            query
                .build()
                .execute(conn.sqlite())
                .await
                .map_err(|e| Error::db("updating versions", e))?;
        }
        let mut query: QueryBuilder<Sqlite> = QueryBuilder::new("UPDATE secrets SET updated_at = ");
        query
            .push_bind(now)
            .push(", last_rotated_at = ")
            .push_bind(now)
            .push(" WHERE id IN (");
        let mut list = query.separated(", ");
        for id in secret_ids {
            list.push_bind(*id);
        }
        query.push(")");
        query
            .build()
            .execute(conn.sqlite())
            .await
            .map_err(|e| Error::db("updating secrets", e))?;
        Ok(())
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
        sqlx::query("UPDATE secrets SET kind = ? WHERE id = ?")
            .bind(kind.as_str())
            .bind(secret_id)
            .execute(conn.sqlite())
            .await
            .map_err(|e| Error::db("updating a secret", e))?;
    }
    if let Some(policy) = options.rotation {
        sqlx::query("UPDATE secrets SET policy = ?, rotate_every_secs = ? WHERE id = ?")
            .bind(policy.as_column())
            .bind(policy.every_secs())
            .bind(secret_id)
            .execute(conn.sqlite())
            .await
            .map_err(|e| Error::db("updating a secret", e))?;
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

//! Whole scopes in and out: decrypting a scope for `run`, `export` and a leak scan (each read
//! audited, all or nothing), and importing a `.env` file (all entries or none).

use std::collections::HashMap;

use serde::Serialize;
use zeroize::Zeroizing;

use super::path::{check_new_secret_name, ScopePath};
use super::projects::resolve_scope;
use super::secrets::{next_version, overlap_end, NewVersion, VersionRow, BATCH};
use crate::crypto::Plaintext;
use crate::error::{Error, Result};
use crate::kind::SecretKind;
use crate::rotation::RotationPolicy;
use crate::session::Session;
use crate::store::secrets::ScopeVersionRow;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    pub created: usize,
    pub updated: usize,
}

/// One decrypted secret of a scope, for `export` and `run`.
pub struct ScopeSecret {
    pub name: String,
    pub kind: SecretKind,
    pub file_name: Option<String>,
    pub value: Plaintext,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    Dotenv,
    Json,
}

/// serde_json keeps copies of the values in its map; wipe them before the map is dropped.
fn zeroize_json(value: &mut serde_json::Value) {
    use zeroize::Zeroize;
    if let serde_json::Value::Object(map) = value {
        for (_, v) in map.iter_mut() {
            if let serde_json::Value::String(s) = v {
                s.zeroize();
            }
        }
    }
}

impl Session {
    /// Decrypts every secret of a scope for `export` or `run`. Each read is audited with its
    /// purpose; all in one transaction, so either every read is recorded or no value is returned.
    pub async fn read_scope(&self, scope_path: &ScopePath, purpose: &str) -> Result<Vec<ScopeSecret>> {
        self.read_scope_only(scope_path, purpose, &[]).await
    }

    /// As [`Session::read_scope`], limited to the secrets named in `only` (all when empty): the
    /// others are neither decrypted nor recorded as read.
    pub async fn read_scope_only(
        &self,
        scope_path: &ScopePath,
        purpose: &str,
        only: &[String],
    ) -> Result<Vec<ScopeSecret>> {
        self.decrypt_scope(scope_path, only, Some(purpose), false).await
    }

    /// Decrypts a scope for a leak scan: the values stay in the scanner's memory and are never
    /// shown, so one `scope.scan` entry is recorded for the scope rather than a read per secret
    /// (a pre-commit hook scans at every commit; a scan is not a member reading the values).
    pub async fn read_scope_for_scan(&self, scope_path: &ScopePath) -> Result<Vec<ScopeSecret>> {
        self.decrypt_scope(scope_path, &[], None, false).await
    }

    /// `read_purpose`: `Some` records a read per secret; `None` one scan entry for the scope.
    /// `previous`: the previous versions still inside their overlap, named `NAME_PREVIOUS`,
    /// instead of the current ones.
    pub(super) async fn decrypt_scope(
        &self,
        scope_path: &ScopePath,
        only: &[String],
        read_purpose: Option<&str>,
        previous: bool,
    ) -> Result<Vec<ScopeSecret>> {
        let mut tx = self.begin().await?;
        let scope = resolve_scope(&mut *tx, scope_path).await?;
        let key = self.scope_key(&mut *tx, &scope).await?;
        let label = scope.label.clone();
        super::state::verify(&mut *tx, &self.vault.id, &key, &scope, None).await?;
        let rows = tx
            .scope_versions_to_decrypt(&scope.id, previous, crate::clock::now())
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for ScopeVersionRow {
            secret_id,
            name,
            kind,
            file_name,
            version,
            key_epoch: epoch,
            nonce,
            ciphertext,
        } in rows
        {
            if !only.is_empty() && !only.contains(&name) {
                continue;
            }
            let path = format!("{label}/{name}");
            let value = self.open_value(
                &key,
                &scope,
                VersionRow {
                    secret_id,
                    name: name.clone(),
                    version,
                    epoch,
                    nonce,
                    ciphertext,
                },
            )?;
            if let Some(purpose) = read_purpose {
                let which = if previous { " (previous)" } else { "" };
                self.audit(
                    &mut *tx,
                    &format!("secret.read:{purpose}"),
                    &format!("{path} v{version}{which}"),
                )
                .await?;
            }
            out.push(ScopeSecret {
                name: if previous { format!("{name}_PREVIOUS") } else { name },
                kind: kind.parse().unwrap_or(SecretKind::Generic),
                file_name,
                value,
            });
        }
        if read_purpose.is_none() {
            self.audit(&mut *tx, "scope.scan", &format!("{label} ({} secrets)", out.len()))
                .await?;
        }
        self.commit(tx, "recording the reads (no value was returned)").await?;
        Ok(out)
    }

    /// Imports .env text into a scope: all entries or none. Existing names get a new version.
    /// `progress(done, total)` is called as values are encrypted and written.
    pub async fn import_dotenv(
        &self,
        scope_path: &ScopePath,
        text: &str,
        lookup: &dyn Fn(&str) -> Option<String>,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<ImportSummary> {
        let entries = crate::dotenv::parse(text, lookup)?;
        // Later assignments override earlier ones, as python-dotenv reads them.
        let mut latest: HashMap<&str, usize> = HashMap::with_capacity(entries.len());
        for (i, entry) in entries.iter().enumerate() {
            check_new_secret_name(&entry.key).map_err(|e| Error::Dotenv {
                line: entry.line,
                // A quoted key can span lines and swallow what was meant as a value: echo it only
                // when it looks like a name someone typed.
                reason: if entry.key.len() <= 64 && entry.key.chars().all(|c| c.is_ascii_graphic()) {
                    e.to_string()
                } else {
                    "the key is not a valid secret name (use letters, digits, '_', '.' and '-')".to_owned()
                },
            })?;
            super::secrets::check_value(&|| format!("the value of {}", entry.key), entry.value.as_bytes(), false)
                .map_err(|e| Error::Dotenv {
                    line: entry.line,
                    reason: e.to_string(),
                })?;
            latest.insert(entry.key.as_str(), i);
        }
        let mut chosen: Vec<usize> = latest.into_values().collect();
        chosen.sort_unstable();

        let mut tx = self.begin().await?;
        let (scope, key) = self.open_scope(&mut *tx, scope_path).await?;
        let known = tx.secret_names_ids_and_latest_versions(&scope.id).await?;
        let known: HashMap<String, (String, i64)> = known.into_iter().map(|(n, id, v)| (n, (id, v))).collect();
        if !known.is_empty() {
            super::state::verify(&mut *tx, &self.vault.id, &key, &scope, None).await?;
        }

        let (mut fresh, mut updates) = (Vec::new(), Vec::new());
        for i in chosen {
            let entry = &entries[i];
            let item = match known.get(&entry.key) {
                Some((id, version)) => NewVersion {
                    secret_id: id.clone(),
                    name: &entry.key,
                    version: next_version(*version, &format!("{scope_path}/{}", entry.key))?,
                    kind: SecretKind::guess(&entry.key),
                    value: entry.value.as_bytes(),
                },
                None => NewVersion {
                    secret_id: uuid::Uuid::new_v4().to_string(),
                    name: &entry.key,
                    version: 1,
                    kind: SecretKind::guess(&entry.key),
                    value: entry.value.as_bytes(),
                },
            };
            if known.contains_key(&entry.key) {
                updates.push(item)
            } else {
                fresh.push(item)
            }
        }
        let total = fresh.len() + updates.len();
        let mut done = 0;
        progress(done, total);
        for chunk in fresh.chunks(BATCH) {
            self.insert_secrets(&mut *tx, &scope, &key, chunk, RotationPolicy::Default, None)
                .await?;
            self.insert_versions(&mut *tx, &scope, &key, chunk, "current").await?;
            done += chunk.len();
            progress(done, total);
        }
        for chunk in updates.chunks(BATCH) {
            let ids: Vec<&str> = chunk.iter().map(|i| i.secret_id.as_str()).collect();
            self.supersede(&mut *tx, &ids, overlap_end(), true).await?;
            self.insert_versions(&mut *tx, &scope, &key, chunk, "current").await?;
            done += chunk.len();
            progress(done, total);
        }
        // New secrets were sealed as they were inserted; updated ones are sealed now, and the
        // scope's set once for all.
        if !updates.is_empty() {
            let touched: Vec<String> = updates.iter().map(|i| i.secret_id.clone()).collect();
            self.seal_states(&mut *tx, &key, &scope, Some(&touched)).await?;
        } else if !fresh.is_empty() {
            self.seal_scope_set(&mut *tx, &key, &scope).await?;
        }
        let summary = ImportSummary {
            created: fresh.len(),
            updated: updates.len(),
        };
        self.audit(
            &mut *tx,
            "scope.import",
            &format!("{scope_path} ({} new, {} updated)", summary.created, summary.updated),
        )
        .await?;
        self.commit(tx, "importing").await?;
        Ok(summary)
    }

    /// Decrypts a scope as .env text or a JSON object, for `export`. Audited like `read_scope`.
    pub async fn export(&self, scope_path: &ScopePath, format: ExportFormat) -> Result<Zeroizing<String>> {
        let secrets = self.read_scope(scope_path, "export").await?;
        match format {
            ExportFormat::Dotenv => crate::dotenv::emit(secrets.iter().map(|s| (s.name.as_str(), s.value.expose()))),
            ExportFormat::Json => {
                let mut map = serde_json::Map::new();
                for secret in &secrets {
                    let text = std::str::from_utf8(secret.value.expose()).map_err(|_| Error::ValueNotText {
                        key: secret.name.clone(),
                    })?;
                    map.insert(secret.name.clone(), serde_json::Value::String(text.to_owned()));
                }
                let mut object = serde_json::Value::Object(map);
                let text = serde_json::to_string_pretty(&object).unwrap_or_default();
                zeroize_json(&mut object);
                Ok(Zeroizing::new(text + "\n"))
            }
        }
    }
}

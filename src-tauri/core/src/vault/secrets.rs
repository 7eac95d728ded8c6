//! Secrets and their versions: write, read (audited), list, history, remove, import, export.
//!
//! Each version's value is XChaCha20-Poly1305 under its scope's key with AAD binding vault,
//! scope, secret and version, so a ciphertext copied to another row fails to decrypt.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::{QueryBuilder, Sqlite, SqliteConnection};
use zeroize::Zeroizing;

use super::path::{check_new_secret_name, check_secret_name, ScopePath, SecretPath};
use super::projects::{resolve_scope, ScopeRow};
use super::{acquire, Vault};
use crate::crypto::{self, Plaintext, ScopeKey};
use crate::error::{Error, Result};
use crate::kind::SecretKind;
use crate::rotation::{self, RotationPolicy, RotationStatus};
use crate::session::Session;

/// Largest value or file a secret may hold.
pub const MAX_VALUE_BYTES: u64 = 1024 * 1024;

/// Rows per multi-row INSERT: well under SQLite's 32766 bound parameters.
const BATCH: usize = 1000;

/// Listing row: names and metadata only, never a value or a note.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct SecretSummary {
    pub project: String,
    pub environment: String,
    pub name: String,
    pub kind: SecretKind,
    pub is_file: bool,
    pub file_name: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub version: Option<i64>,
    /// The policy as chosen: "default", "every 30d", "on-deploy" or "manual".
    pub policy: String,
    /// The interval that applies (policy, kind default, project/environment override), seconds;
    /// `None` when no interval applies (manual, on-deploy).
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub rotate_every_secs: Option<i64>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub last_rotated_at: i64,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub due_at: Option<i64>,
    pub rotation: RotationStatus,
    pub has_note: bool,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub updated_at: i64,
    /// When someone who read it lost access: rotate it at the provider.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub exposed_at: Option<i64>,
    pub exposed_reason: Option<String>,
    /// A staged rotation waiting for promotion.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub pending_version: Option<i64>,
    /// Until when the previous value stays readable (the overlap after a promotion).
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub previous_until: Option<i64>,
    /// The command that validates new values before promotion (metadata, in clear).
    pub check_command: Option<String>,
}

impl SecretSummary {
    pub fn path(&self) -> String {
        format!("{}/{}/{}", self.project, self.environment, self.name)
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct VersionSummary {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub version: i64,
    /// current, pending, previous (readable until `retire_at`) or retired.
    pub state: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub created_at: i64,
    pub created_by: String,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub retire_at: Option<i64>,
    /// For a staged version: "passed" or "failed" once its check ran.
    pub check_status: Option<String>,
}

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

#[derive(sqlx::FromRow)]
struct SummaryRow {
    project: String,
    environment: String,
    name: String,
    kind: String,
    is_file: bool,
    file_name: Option<String>,
    policy: String,
    rotate_every_secs: Option<i64>,
    project_id: i64,
    environment_id: i64,
    first_deploy_since: Option<i64>,
    last_rotated_at: i64,
    has_note: bool,
    updated_at: i64,
    exposed_at: Option<i64>,
    exposed_reason: Option<String>,
    /// `state:version:retire_at:created_at` of the current, pending and previous versions,
    /// comma-separated: one subquery instead of three keeps listing 100k secrets fast.
    live: Option<String>,
    check_command: Option<String>,
}

/// Deployments are looked up per row through an index, only for on-deploy secrets; overrides are
/// few and applied in Rust ([`Caps`]).
const SUMMARY_SELECT: &str = "SELECT p.name AS project, e.name AS environment, s.name, s.kind, s.is_file, s.file_name,
        s.policy, s.rotate_every_secs, p.id AS project_id, e.id AS environment_id,
        CASE WHEN s.policy = 'on-deploy' THEN (SELECT MIN(d.at) FROM deployments d
          WHERE d.scope_id = s.scope_id AND d.at > s.last_rotated_at) END AS first_deploy_since,
        s.last_rotated_at, s.note_ciphertext IS NOT NULL AS has_note, s.updated_at,
        s.exposed_at, s.exposed_reason,
        (SELECT group_concat(v.state || ':' || v.version || ':' || IFNULL(v.retire_at, '') || ':' || v.created_at, ',')
          FROM secret_versions v WHERE v.secret_id = s.id AND v.state IN ('current', 'pending', 'previous')) AS live,
        s.check_command
     FROM secrets s JOIN scopes sc ON sc.id = s.scope_id JOIN environments e ON e.id = sc.environment_id
     JOIN projects p ON p.id = e.project_id";

/// Project and environment rotation overrides, read once per listing.
struct Caps(HashMap<(i64, i64), i64>);

impl Caps {
    async fn load(conn: &mut SqliteConnection) -> Result<Self> {
        let rows: Vec<(i64, i64, i64)> =
            sqlx::query_as("SELECT project_id, environment_id, max_every_secs FROM rotation_overrides")
                .fetch_all(conn)
                .await
                .map_err(|e| Error::db("reading rotation policies", e))?;
        Ok(Caps(rows.into_iter().map(|(p, e, secs)| ((p, e), secs)).collect()))
    }

    /// The strictest of the project's and the environment's interval.
    fn of(&self, project_id: i64, environment_id: i64) -> Option<i64> {
        let project = self.0.get(&(project_id, 0)).copied();
        let environment = self.0.get(&(project_id, environment_id)).copied();
        project.into_iter().chain(environment).min()
    }
}

fn to_summary(row: SummaryRow, caps: &Caps, now: i64) -> SecretSummary {
    let kind = row.kind.parse().unwrap_or(SecretKind::Generic);
    let policy = RotationPolicy::from_columns(&row.policy, row.rotate_every_secs);
    let interval = policy.effective_interval(kind, caps.of(row.project_id, row.environment_id));
    let due_at = rotation::due_at(interval, row.last_rotated_at, row.first_deploy_since);
    let (mut version, mut current_created, mut pending_version, mut previous_until) = (None, None, None, None);
    for entry in row.live.as_deref().unwrap_or("").split(',') {
        let mut parts = entry.split(':');
        let (state, number, retire_at, created) = (parts.next(), parts.next(), parts.next(), parts.next());
        let number = number.and_then(|v| v.parse::<i64>().ok());
        match state {
            Some("current") => {
                version = number;
                current_created = created.and_then(|t| t.parse::<i64>().ok());
            }
            Some("pending") => pending_version = number,
            Some("previous") => {
                previous_until = retire_at
                    .and_then(|t| t.parse::<i64>().ok())
                    .filter(|until| *until > now)
            }
            _ => {}
        }
    }
    // Exposed while the current value is one that existed when the exposure happened: a value
    // staged before it and promoted later, or one rolled back to, stays exposed.
    let exposed = row
        .exposed_at
        .filter(|at| current_created.is_none_or(|created| created <= *at));
    let exposed_reason = exposed.and(row.exposed_reason);
    SecretSummary {
        project: row.project,
        environment: row.environment,
        name: row.name,
        kind,
        is_file: row.is_file,
        file_name: row.file_name,
        version,
        policy: policy.to_string(),
        rotate_every_secs: interval,
        last_rotated_at: row.last_rotated_at,
        due_at,
        rotation: rotation::status(due_at, exposed.is_some(), now, rotation::WARNING_WINDOW),
        has_note: row.has_note,
        updated_at: row.updated_at,
        exposed_at: exposed,
        exposed_reason,
        pending_version,
        previous_until,
        check_command: row.check_command,
    }
}

/// The existing secret of that name in the scope, if any: id and latest version number.
pub(super) async fn existing(conn: &mut SqliteConnection, scope_id: &str, name: &str) -> Result<Option<(String, i64)>> {
    sqlx::query_as(
        "SELECT s.id, COALESCE((SELECT MAX(version) FROM secret_versions v WHERE v.secret_id = s.id), 0)
         FROM secrets s WHERE s.scope_id = ? AND s.name = ?",
    )
    .bind(scope_id)
    .bind(name)
    .fetch_optional(conn)
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

/// The listing behind [`Vault::secrets`] and [`Session::secrets`], on one connection.
async fn list_secrets(
    conn: &mut SqliteConnection,
    project: Option<&str>,
    environment: Option<&str>,
) -> Result<Vec<SecretSummary>> {
    match (project, environment) {
        (Some(p), Some(e)) => {
            resolve_scope(conn, &ScopePath::new(p, e)?).await?;
        }
        (Some(p), None) => {
            let known: Option<i64> = sqlx::query_scalar("SELECT id FROM projects WHERE name = ?")
                .bind(p)
                .fetch_optional(&mut *conn)
                .await
                .map_err(|e| Error::db("finding a project", e))?;
            known.ok_or_else(|| Error::UnknownProject { project: p.to_owned() })?;
        }
        _ => {}
    }
    let rows: Vec<SummaryRow> = sqlx::query_as(&format!(
        "{SUMMARY_SELECT} WHERE (?1 IS NULL OR p.name = ?1) AND (?2 IS NULL OR e.name = ?2) ORDER BY p.name, e.name, s.name"
    ))
    .bind(project)
    .bind(environment)
    .fetch_all(&mut *conn)
    .await
    .map_err(|e| Error::db("listing secrets", e))?;
    let (caps, now) = (Caps::load(conn).await?, crate::clock::now());
    Ok(rows.into_iter().map(|r| to_summary(r, &caps, now)).collect())
}

impl Vault {
    /// Secrets with their metadata, optionally narrowed to a project or a scope.
    pub async fn secrets(&self, project: Option<&str>, environment: Option<&str>) -> Result<Vec<SecretSummary>> {
        list_secrets(&mut *acquire(self).await?, project, environment).await
    }

    /// Secrets whose `project/env/NAME` path contains `query` (case-insensitive), across every
    /// scope, at most `limit`. Names are metadata, so this needs no unlock.
    pub async fn search(&self, query: &str, limit: i64) -> Result<Vec<SecretSummary>> {
        let pattern = format!(
            "%{}%",
            query
                .trim()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        let mut conn = acquire(self).await?;
        let rows: Vec<SummaryRow> = sqlx::query_as(&format!(
            "{SUMMARY_SELECT} WHERE (p.name || '/' || e.name || '/' || s.name) LIKE ? ESCAPE '\\'
             ORDER BY p.name, e.name, s.name LIMIT ?"
        ))
        .bind(pattern)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| Error::db("searching secrets", e))?;
        let (caps, now) = (Caps::load(&mut conn).await?, crate::clock::now());
        Ok(rows.into_iter().map(|r| to_summary(r, &caps, now)).collect())
    }

    pub async fn secret(&self, path: &SecretPath) -> Result<SecretSummary> {
        let mut conn = acquire(self).await?;
        resolve_scope(&mut conn, &path.scope).await?;
        let row: Option<SummaryRow> = sqlx::query_as(&format!(
            "{SUMMARY_SELECT} WHERE p.name = ? AND e.name = ? AND s.name = ?"
        ))
        .bind(&path.scope.project)
        .bind(&path.scope.environment)
        .bind(&path.name)
        .fetch_optional(&mut *conn)
        .await
        .map_err(|e| Error::db("reading a secret", e))?;
        let (caps, now) = (Caps::load(&mut conn).await?, crate::clock::now());
        row.map(|r| to_summary(r, &caps, now))
            .ok_or_else(|| Error::UnknownSecret { path: path.to_string() })
    }

    /// Every version of a secret, newest first, with its state. Metadata only.
    pub async fn history(&self, path: &SecretPath) -> Result<Vec<VersionSummary>> {
        let mut conn = acquire(self).await?;
        let scope = resolve_scope(&mut conn, &path.scope).await?;
        let (secret_id, _) = existing(&mut conn, &scope.id, &path.name)
            .await?
            .ok_or_else(|| Error::UnknownSecret { path: path.to_string() })?;
        type Row = (i64, String, i64, String, Option<i64>, Option<String>);
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT v.version, v.state, v.created_at, COALESCE(m.name, v.created_by), v.retire_at, v.check_status
             FROM secret_versions v LEFT JOIN members m ON m.id = v.created_by
             WHERE v.secret_id = ? ORDER BY v.version DESC",
        )
        .bind(secret_id)
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| Error::db("reading history", e))?;
        let now = crate::clock::now();
        Ok(rows
            .into_iter()
            .map(|(version, state, created_at, created_by, retire_at, check_status)| {
                // A previous version whose overlap ended is retired, whether or not a write has
                // recorded that yet.
                let lapsed = state == "previous" && retire_at.is_none_or(|until| until <= now);
                VersionSummary {
                    version,
                    state: if lapsed { "retired".to_owned() } else { state },
                    created_at,
                    created_by,
                    retire_at,
                    check_status,
                }
            })
            .collect())
    }
}

impl Session {
    /// As [`Vault::secrets`], with the states (exposure, pending and previous versions, saved
    /// check) of every scope this member can open verified under its key, in one read
    /// transaction: the unlocked listing shows nothing an edit of the file made up. Scopes this
    /// member cannot open are listed as the file holds them.
    pub async fn secrets(&self, project: Option<&str>, environment: Option<&str>) -> Result<Vec<SecretSummary>> {
        let mut conn = acquire(&self.vault).await?;
        let mut tx = sqlx::Connection::begin(&mut *conn)
            .await
            .map_err(|e| Error::db("starting a read", e))?;
        let list = list_secrets(&mut tx, project, environment).await?;
        let mut scopes: Vec<(&str, &str)> = list
            .iter()
            .map(|s| (s.project.as_str(), s.environment.as_str()))
            .collect();
        scopes.dedup();
        for (project, environment) in scopes {
            let scope = resolve_scope(&mut tx, &ScopePath::new(project, environment)?).await?;
            match self.scope_key(&mut tx, &scope.id, scope.epoch, &scope.label).await {
                Ok(key) => super::state::verify(&mut tx, &self.vault.id, &key, &scope, None).await?,
                Err(Error::NoAccess { .. }) => {}
                Err(other) => return Err(other),
            }
        }
        Ok(list)
    }

    /// As [`Vault::history`], after checking the secret's sealed state (which versions are current,
    /// previous, pending, retired, and their checks) under the scope key.
    pub async fn history(&self, path: &SecretPath) -> Result<Vec<VersionSummary>> {
        {
            let mut conn = acquire(&self.vault).await?;
            let mut tx = sqlx::Connection::begin(&mut *conn)
                .await
                .map_err(|e| Error::db("starting a read", e))?;
            let (scope, key) = self.open_scope(&mut tx, &path.scope).await?;
            let (secret_id, _) = existing(&mut tx, &scope.id, &path.name)
                .await?
                .ok_or_else(|| Error::UnknownSecret { path: path.to_string() })?;
            super::state::verify(
                &mut tx,
                &self.vault.id,
                &key,
                &scope,
                Some(std::slice::from_ref(&secret_id)),
            )
            .await?;
        }
        self.vault.history(path).await
    }

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
        let (scope, key) = self.open_scope(&mut tx, &path.scope).await?;
        let found = existing(&mut tx, &scope.id, &path.name).await?;
        if let Some((id, _)) = &found {
            super::state::verify(&mut tx, &self.vault.id, &key, &scope, Some(std::slice::from_ref(id))).await?;
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
            self.insert_secrets(&mut tx, &scope, &key, &items, policy, options.file_name.as_deref())
                .await?;
        } else {
            self.supersede(&mut tx, &[secret_id.as_str()], overlap_end(), true)
                .await?;
            update_metadata(&mut tx, &secret_id, &options).await?;
            // The new value decides: a file replaces text and typed text replaces a file.
            sqlx::query("UPDATE secrets SET is_file = ?, file_name = ? WHERE id = ?")
                .bind(options.file_name.is_some())
                .bind(options.file_name.as_deref())
                .bind(&secret_id)
                .execute(&mut *tx)
                .await
                .map_err(|e| Error::db("updating a secret", e))?;
        }
        self.insert_versions(&mut tx, &scope, &key, &items, "current").await?;
        if let Some(note) = &options.note {
            self.store_note(&mut tx, &key, &scope, &secret_id, &path.name, note)
                .await?;
        }
        if created && options.note.is_none() {
            // A new secret was sealed as it was inserted: only the scope's set changed.
            self.seal_scope_set(&mut tx, &key, &scope).await?;
        } else {
            self.seal_states(&mut tx, &key, &scope, Some(std::slice::from_ref(&secret_id)))
                .await?;
        }
        self.audit(&mut tx, "secret.set", &format!("{path} v{version}")).await?;
        self.commit(tx, "storing a secret").await?;
        Ok(SetOutcome { version, created })
    }

    /// Changes a secret's kind, note or rotation interval without a new version of its value
    /// (`None` fields stay as they are; an empty note removes it). One transaction, audited.
    pub async fn edit_secret(&self, path: &SecretPath, options: SecretOptions) -> Result<()> {
        let mut tx = self.begin().await?;
        // Editing needs access to the scope (the note is sealed under its key), not just the file.
        let (scope, key) = self.open_scope(&mut tx, &path.scope).await?;
        let (secret_id, _) = existing(&mut tx, &scope.id, &path.name)
            .await?
            .ok_or_else(|| Error::UnknownSecret { path: path.to_string() })?;
        let this = [secret_id.clone()];
        super::state::verify(&mut tx, &self.vault.id, &key, &scope, Some(&this)).await?;
        update_metadata(&mut tx, &secret_id, &options).await?;
        if let Some(note) = &options.note {
            self.store_note(&mut tx, &key, &scope, &secret_id, &path.name, note)
                .await?;
        }
        sqlx::query("UPDATE secrets SET updated_at = ? WHERE id = ?")
            .bind(crate::clock::now())
            .bind(&secret_id)
            .execute(&mut *tx)
            .await
            .map_err(|e| Error::db("editing a secret", e))?;
        self.seal_states(&mut tx, &key, &scope, Some(&this)).await?;
        self.audit(&mut tx, "secret.edit", &path.to_string()).await?;
        self.commit(tx, "editing a secret").await
    }

    /// Re-encrypts every version (current, previous, pending, retired) and every note of a scope
    /// from `old` to `new` at `new_epoch`, inside the caller's transaction, under the AAD of the
    /// new epoch; each value gets a fresh nonce. Returns the number of versions.
    pub(crate) async fn reencrypt_scope(
        &self,
        conn: &mut SqliteConnection,
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
        .fetch_all(&mut *conn)
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
                .execute(&mut *conn)
                .await
                .map_err(|e| Error::db("rekeying secrets", e))?;
        }
        type NoteRow = (String, String, Vec<u8>, Vec<u8>);
        let notes: Vec<NoteRow> = sqlx::query_as(
            "SELECT id, name, note_nonce, note_ciphertext FROM secrets
             WHERE scope_id = ? AND note_ciphertext IS NOT NULL",
        )
        .bind(&scope.id)
        .fetch_all(&mut *conn)
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
        conn: &mut SqliteConnection,
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
            .execute(&mut *conn)
            .await
            .map_err(|e| Error::db("storing a note", e))?;
        Ok(())
    }

    /// Decrypts the current value. The read is audited in the same transaction; if the audit
    /// entry cannot be written, no value is returned.
    pub async fn get_secret(&self, path: &SecretPath) -> Result<Plaintext> {
        let mut tx = self.begin().await?;
        let (scope, key) = self.open_scope(&mut tx, &path.scope).await?;
        type CurrentRow = (String, Option<i64>, Option<i64>, Option<Vec<u8>>, Option<Vec<u8>>);
        let row: Option<CurrentRow> = sqlx::query_as(
            "SELECT s.id, v.version, v.key_epoch, v.nonce, v.ciphertext FROM secrets s
             LEFT JOIN secret_versions v ON v.secret_id = s.id AND v.state = 'current'
             WHERE s.scope_id = ? AND s.name = ?",
        )
        .bind(&scope.id)
        .bind(&path.name)
        .fetch_optional(&mut *tx)
        .await
        .map_err(|e| Error::db("reading a secret", e))?;
        let (secret_id, version, epoch, nonce, ciphertext) =
            row.ok_or_else(|| Error::UnknownSecret { path: path.to_string() })?;
        let (Some(version), Some(epoch), Some(nonce), Some(ciphertext)) = (version, epoch, nonce, ciphertext) else {
            return Err(Error::NoCurrentVersion { path: path.to_string() });
        };
        super::state::verify(
            &mut tx,
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
        self.audit(&mut tx, "secret.read", &format!("{path} v{version}"))
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
        let (scope, key) = self.open_scope(&mut tx, &path.scope).await?;
        type NoteRow = (String, Option<Vec<u8>>, Option<Vec<u8>>);
        let row: Option<NoteRow> =
            sqlx::query_as("SELECT id, note_nonce, note_ciphertext FROM secrets WHERE scope_id = ? AND name = ?")
                .bind(&scope.id)
                .bind(&path.name)
                .fetch_optional(&mut *tx)
                .await
                .map_err(|e| Error::db("reading a note", e))?;
        let (secret_id, nonce, ciphertext) = row.ok_or_else(|| Error::UnknownSecret { path: path.to_string() })?;
        // The note is part of the sealed state: an older one written back, or none, is refused.
        super::state::verify(
            &mut tx,
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
        self.audit(&mut tx, "secret.read-note", &path.to_string()).await?;
        self.commit(tx, "recording the read (the note was withheld)").await?;
        Ok(Some(Zeroizing::new(note)))
    }

    /// Deletes a secret and every version of it. One transaction, audited.
    pub async fn remove_secret(&self, path: &SecretPath) -> Result<()> {
        let mut tx = self.begin().await?;
        // Removing needs access to the scope, not just write access to the file.
        let (scope, key) = self.open_scope(&mut tx, &path.scope).await?;
        let deleted = sqlx::query("DELETE FROM secrets WHERE scope_id = ? AND name = ?")
            .bind(&scope.id)
            .bind(&path.name)
            .execute(&mut *tx)
            .await
            .map_err(|e| Error::db("removing a secret", e))?;
        if deleted.rows_affected() == 0 {
            return Err(Error::UnknownSecret { path: path.to_string() });
        }
        self.seal_scope_set(&mut tx, &key, &scope).await?;
        self.audit(&mut tx, "secret.remove", &path.to_string()).await?;
        self.commit(tx, "removing a secret").await
    }

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
        let scope = resolve_scope(&mut tx, scope_path).await?;
        let label = scope_path.to_string();
        let key = self.scope_key(&mut tx, &scope.id, scope.epoch, &label).await?;
        super::state::verify(&mut tx, &self.vault.id, &key, &scope, None).await?;
        type Row = (String, String, String, Option<String>, i64, i64, Vec<u8>, Vec<u8>);
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT s.id, s.name, s.kind, s.file_name, v.version, v.key_epoch, v.nonce, v.ciphertext FROM secrets s
             JOIN secret_versions v ON v.secret_id = s.id
               AND v.state = (CASE WHEN ?1 THEN 'previous' ELSE 'current' END)
               AND (NOT ?1 OR v.retire_at > ?2)
             WHERE s.scope_id = ?3 ORDER BY s.name",
        )
        .bind(previous)
        .bind(crate::clock::now())
        .bind(&scope.id)
        .fetch_all(&mut *tx)
        .await
        .map_err(|e| Error::db("reading a scope", e))?;
        let mut out = Vec::with_capacity(rows.len());
        for (secret_id, name, kind, file_name, version, epoch, nonce, ciphertext) in rows {
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
                    &mut tx,
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
            self.audit(&mut tx, "scope.scan", &format!("{label} ({} secrets)", out.len()))
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
                    "the key is not a valid secret name (use letters, digits and '_')".to_owned()
                },
            })?;
            latest.insert(entry.key.as_str(), i);
        }
        let mut chosen: Vec<usize> = latest.into_values().collect();
        chosen.sort_unstable();

        let mut tx = self.begin().await?;
        let (scope, key) = self.open_scope(&mut tx, scope_path).await?;
        let known: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT s.name, s.id, COALESCE((SELECT MAX(version) FROM secret_versions v WHERE v.secret_id = s.id), 0)
             FROM secrets s WHERE s.scope_id = ?",
        )
        .bind(&scope.id)
        .fetch_all(&mut *tx)
        .await
        .map_err(|e| Error::db("reading a scope", e))?;
        let known: HashMap<String, (String, i64)> = known.into_iter().map(|(n, id, v)| (n, (id, v))).collect();
        if !known.is_empty() {
            super::state::verify(&mut tx, &self.vault.id, &key, &scope, None).await?;
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
            self.insert_secrets(&mut tx, &scope, &key, chunk, RotationPolicy::Default, None)
                .await?;
            self.insert_versions(&mut tx, &scope, &key, chunk, "current").await?;
            done += chunk.len();
            progress(done, total);
        }
        for chunk in updates.chunks(BATCH) {
            let ids: Vec<&str> = chunk.iter().map(|i| i.secret_id.as_str()).collect();
            self.supersede(&mut tx, &ids, overlap_end(), true).await?;
            self.insert_versions(&mut tx, &scope, &key, chunk, "current").await?;
            done += chunk.len();
            progress(done, total);
        }
        // New secrets were sealed as they were inserted; updated ones are sealed now, and the
        // scope's set once for all.
        if !updates.is_empty() {
            let touched: Vec<String> = updates.iter().map(|i| i.secret_id.clone()).collect();
            self.seal_states(&mut tx, &key, &scope, Some(&touched)).await?;
        } else if !fresh.is_empty() {
            self.seal_scope_set(&mut tx, &key, &scope).await?;
        }
        let summary = ImportSummary {
            created: fresh.len(),
            updated: updates.len(),
        };
        self.audit(
            &mut tx,
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
    async fn insert_secrets(
        &self,
        conn: &mut SqliteConnection,
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
            .execute(conn)
            .await
            .map_err(|e| Error::db("adding secrets", e))?;
        Ok(())
    }

    /// New versions in `state` ("current", or "pending" for a staged rotation).
    pub(super) async fn insert_versions(
        &self,
        conn: &mut SqliteConnection,
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
            .execute(conn)
            .await
            .map_err(|e| Error::db("storing secret versions", e))?;
        Ok(())
    }

    /// Before a new current version: previous -> retired, current -> previous (readable until
    /// `previous_until`). A value stored by hand also retires a staged rotation (`retire_pending`):
    /// promoting it later would silently replace the value just chosen.
    pub(super) async fn supersede(
        &self,
        conn: &mut SqliteConnection,
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
                .execute(&mut *conn)
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
            .execute(conn)
            .await
            .map_err(|e| Error::db("updating secrets", e))?;
        Ok(())
    }
}

/// A value stored by hand keeps the old one readable as previous for the default overlap.
fn overlap_end() -> i64 {
    crate::clock::now().saturating_add(rotation::DEFAULT_OVERLAP.as_secs())
}

/// The version after `latest`; a file at `i64::MAX` versions is corrupt, not a reason to wrap.
pub(super) fn next_version(latest: i64, path: &dyn std::fmt::Display) -> Result<i64> {
    latest.checked_add(1).ok_or_else(|| Error::Corrupt {
        context: format!("{path} has an impossible version number"),
    })
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

/// Kind and rotation interval, where given. The note is sealed separately (it needs the key).
async fn update_metadata(conn: &mut SqliteConnection, secret_id: &str, options: &SecretOptions) -> Result<()> {
    if let Some(kind) = options.kind {
        sqlx::query("UPDATE secrets SET kind = ? WHERE id = ?")
            .bind(kind.as_str())
            .bind(secret_id)
            .execute(&mut *conn)
            .await
            .map_err(|e| Error::db("updating a secret", e))?;
    }
    if let Some(policy) = options.rotation {
        sqlx::query("UPDATE secrets SET policy = ?, rotate_every_secs = ? WHERE id = ?")
            .bind(policy.as_column())
            .bind(policy.every_secs())
            .bind(secret_id)
            .execute(&mut *conn)
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
        let pool = session.vault().store.pool().clone();
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
    async fn the_unlocked_listing_refuses_an_exposure_cleared_in_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let session = crate::session::test_owner_session(dir.path()).await;
        session.add_project("llm", &["dev".into()]).await.expect("project");
        let path: SecretPath = "llm/dev/OPENAI_API_KEY".parse().expect("path");
        session
            .set_secret(&path, b"sk-value", SecretOptions::default())
            .await
            .expect("set");
        session.mark_leaked(&path, "a notebook").await.expect("flag");
        let listed = session.secrets(Some("llm"), Some("dev")).await.expect("list");
        assert!(listed[0].exposed_at.is_some());

        // Someone who can write the file, but holds no key, clears the flag.
        sqlx::query("UPDATE secrets SET exposed_at = NULL, exposed_reason = NULL")
            .execute(session.vault().store.pool())
            .await
            .expect("edit");
        let err = session.secrets(Some("llm"), Some("dev")).await.expect_err("refused");
        assert!(matches!(err, Error::StateTampered { .. }), "{err}");
        // The locked listing shows what the file holds; the unlocked one never does.
        let locked = session.vault().secrets(Some("llm"), None).await.expect("locked list");
        assert!(locked[0].exposed_at.is_none());
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

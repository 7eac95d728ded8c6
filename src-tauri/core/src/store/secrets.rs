//! Storage of secrets and their versions: ciphertexts, metadata and the sealed state tags.
//!
//! A version's `state` is one of `current`, `previous`, `pending` or `retired`; at most one
//! version of a secret is current. Nothing here checks a state tag or opens a ciphertext: the
//! vault does, above this seam.

use async_trait::async_trait;

use super::sql::{args, Arg, Sql, Statement};
use crate::crypto::Sealed;
use crate::error::Result;

/// One stored version, as read back for decryption.
pub(crate) struct VersionRow {
    pub(crate) secret_id: String,
    pub(crate) name: String,
    pub(crate) version: i64,
    pub(crate) epoch: i64,
    pub(crate) nonce: Vec<u8>,
    pub(crate) ciphertext: Vec<u8>,
}

/// A version's number, the key epoch it is sealed under and its ciphertext.
pub(crate) struct SealedVersion {
    pub(crate) version: i64,
    pub(crate) epoch: i64,
    pub(crate) nonce: Vec<u8>,
    pub(crate) ciphertext: Vec<u8>,
}

/// A version of one secret in a given state.
#[derive(sqlx::FromRow)]
pub(crate) struct StateRow {
    pub(crate) version: i64,
    pub(crate) key_epoch: i64,
    pub(crate) nonce: Vec<u8>,
    pub(crate) ciphertext: Vec<u8>,
    pub(crate) retire_at: Option<i64>,
    pub(crate) check_status: Option<String>,
}

/// One version of a scope's secret to decrypt, with what `run` and `export` need of the secret.
#[derive(sqlx::FromRow)]
pub(crate) struct ScopeVersionRow {
    pub(crate) secret_id: String,
    pub(crate) name: String,
    pub(crate) kind: String,
    pub(crate) file_name: Option<String>,
    pub(crate) version: i64,
    pub(crate) key_epoch: i64,
    pub(crate) nonce: Vec<u8>,
    pub(crate) ciphertext: Vec<u8>,
}

/// A new secret row. Its `last_rotated_at`, `created_at` and `updated_at` are all `now`.
pub(crate) struct NewSecret<'a> {
    pub(crate) id: &'a str,
    pub(crate) scope_id: &'a str,
    pub(crate) name: &'a str,
    pub(crate) kind: &'a str,
    pub(crate) is_file: bool,
    pub(crate) file_name: Option<&'a str>,
    /// The policy column: "default", "every", "on-deploy" or "manual".
    pub(crate) policy: &'a str,
    pub(crate) rotate_every_secs: Option<i64>,
    pub(crate) now: i64,
    pub(crate) state_tag: &'a [u8],
}

/// A new version row.
pub(crate) struct NewVersionRow<'a> {
    pub(crate) secret_id: &'a str,
    pub(crate) version: i64,
    pub(crate) state: &'a str,
    pub(crate) key_epoch: i64,
    pub(crate) nonce: &'a [u8],
    pub(crate) ciphertext: &'a [u8],
    pub(crate) created_by: &'a str,
    pub(crate) created_at: i64,
}

/// Everything that decides a secret's sealed state, one row per version (a secret without
/// versions once, with the version columns `None`).
#[derive(sqlx::FromRow)]
pub(crate) struct SecretStateRow {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) kind: String,
    pub(crate) file_name: Option<String>,
    pub(crate) exposed_at: Option<i64>,
    pub(crate) exposed_reason: Option<String>,
    pub(crate) state_tag: Option<Vec<u8>>,
    pub(crate) check_command: Option<String>,
    pub(crate) check_by: Option<String>,
    pub(crate) version: Option<i64>,
    pub(crate) state: Option<String>,
    pub(crate) retire_at: Option<i64>,
    pub(crate) check_status: Option<String>,
    pub(crate) note_nonce: Option<Vec<u8>>,
    pub(crate) note_ciphertext: Option<Vec<u8>>,
}

/// The check saved on a secret, as the file holds it (verified by the vault before any use).
pub(crate) struct SavedCheckRow {
    pub(crate) secret_id: String,
    pub(crate) command: Option<String>,
    pub(crate) by: Option<String>,
    pub(crate) signature: Option<Vec<u8>>,
}

/// A current, pending or previous version, as the listing shows it. The numbers are `None` when
/// the file holds something else there (the locked listing shows the file as it is).
pub(crate) struct LiveVersion {
    pub(crate) state: String,
    pub(crate) version: Option<i64>,
    pub(crate) retire_at: Option<i64>,
    pub(crate) created_at: Option<i64>,
}

/// A listing row: a secret's metadata with its project and environment, never a value or a note.
pub(crate) struct SummaryRow {
    pub(crate) project: String,
    pub(crate) environment: String,
    pub(crate) name: String,
    pub(crate) kind: String,
    pub(crate) is_file: bool,
    pub(crate) file_name: Option<String>,
    pub(crate) policy: String,
    pub(crate) rotate_every_secs: Option<i64>,
    pub(crate) project_id: i64,
    pub(crate) environment_id: i64,
    /// For an on-deploy secret: the first deployment of its scope after its last rotation.
    pub(crate) first_deploy_since: Option<i64>,
    pub(crate) last_rotated_at: i64,
    pub(crate) has_note: bool,
    pub(crate) updated_at: i64,
    pub(crate) exposed_at: Option<i64>,
    pub(crate) exposed_reason: Option<String>,
    /// Its versions in the states `current`, `pending` and `previous`, in no given order.
    pub(crate) live: Vec<LiveVersion>,
    pub(crate) check_command: Option<String>,
}

/// One entry of a secret's history.
#[derive(sqlx::FromRow)]
pub(crate) struct HistoryRow {
    pub(crate) version: i64,
    pub(crate) state: String,
    pub(crate) created_at: i64,
    /// The creator's member name, or their id when no member has it.
    pub(crate) created_by: String,
    pub(crate) retire_at: Option<i64>,
    pub(crate) check_status: Option<String>,
}

#[async_trait]
pub(crate) trait SecretRows {
    // Finding secrets.

    /// The secret of that name in the scope: its id and its latest version number (0 without
    /// versions).
    async fn secret_id_and_latest_version(&mut self, scope_id: &str, name: &str) -> Result<Option<(String, i64)>>;
    /// (name, id, latest version number or 0) of every secret of the scope.
    async fn secret_names_ids_and_latest_versions(&mut self, scope_id: &str) -> Result<Vec<(String, String, i64)>>;
    /// (version, author's name or id, created at) of the secret's current version.
    async fn current_version_by(&mut self, secret_id: &str) -> Result<Option<(i64, String, i64)>>;
    /// The id of the secret of that name in the scope (looked up to flag a leak).
    async fn secret_id_by_name(&mut self, scope_id: &str, name: &str) -> Result<Option<String>>;
    /// (kind, holds a file) of a secret that exists.
    async fn secret_kind_and_is_file(&mut self, secret_id: &str) -> Result<(String, bool)>;
    /// Names of the scope's on-deploy secrets last rotated before `at`, in name order.
    async fn on_deploy_secret_names_rotated_before(&mut self, scope_id: &str, at: i64) -> Result<Vec<String>>;

    // Writing secret rows.

    async fn insert_secret_rows(&mut self, rows: &[NewSecret<'_>]) -> Result<()>;
    async fn set_secret_file(&mut self, secret_id: &str, is_file: bool, file_name: Option<&str>) -> Result<()>;
    async fn set_secret_kind(&mut self, secret_id: &str, kind: &str) -> Result<()>;
    async fn set_secret_policy(&mut self, secret_id: &str, policy: &str, every_secs: Option<i64>) -> Result<()>;
    async fn set_secret_updated_at(&mut self, secret_id: &str, now: i64) -> Result<()>;
    /// Sets `updated_at` and `last_rotated_at` of each secret to `now` (a new current version).
    async fn mark_secrets_rotated(&mut self, secret_ids: &[&str], now: i64) -> Result<()>;
    /// Sets `updated_at` to `now` and `last_rotated_at` to when `version` of the secret was created
    /// (a rollback to it).
    async fn set_secret_rotated_at_version(&mut self, secret_id: &str, version: i64, now: i64) -> Result<()>;
    /// Deletes the secret of that name in the scope, with its versions. False when there is none.
    async fn delete_secret_by_name(&mut self, scope_id: &str, name: &str) -> Result<bool>;

    // Notes.

    /// Stores a sealed note (nonce, ciphertext), or removes it with `None`.
    async fn set_secret_note(&mut self, secret_id: &str, note: Option<(&[u8], &[u8])>) -> Result<()>;
    /// The id and sealed note (nonce, ciphertext) of the secret of that name in the scope.
    async fn secret_note_by_name(
        &mut self,
        scope_id: &str,
        name: &str,
    ) -> Result<Option<(String, Option<(Vec<u8>, Vec<u8>)>)>>;
    /// (id, name, nonce, ciphertext) of every note of the scope.
    async fn sealed_notes_of_scope(&mut self, scope_id: &str) -> Result<Vec<(String, String, Vec<u8>, Vec<u8>)>>;

    // Checks and exposure.

    /// The check saved on the secret of that name in the scope.
    async fn saved_check_by_name(&mut self, scope_id: &str, name: &str) -> Result<Option<SavedCheckRow>>;
    /// Whether a secret that exists has a saved check.
    async fn secret_has_saved_check(&mut self, secret_id: &str) -> Result<bool>;
    /// Saves a check (command, author, signature) on a secret, or removes it with `None`s, and
    /// sets its `updated_at`.
    async fn set_secret_check(&mut self, secret_id: &str, check: Option<(&str, &str, &[u8])>, now: i64) -> Result<()>;
    /// Removes the checks saved by `member_id` on the scope's secrets; how many there were.
    async fn clear_checks_saved_by(&mut self, scope_id: &str, member_id: &str) -> Result<u64>;
    /// Flags the secret of that name in the scope exposed at `at` for `reason`; its id, `None`
    /// when there is no such secret.
    async fn flag_secret_exposed(
        &mut self,
        scope_id: &str,
        name: &str,
        at: i64,
        reason: &str,
    ) -> Result<Option<String>>;

    // Versions.

    async fn insert_secret_versions(&mut self, rows: &[NewVersionRow<'_>]) -> Result<()>;
    /// The id of the secret of that name in the scope, and its current version if it has one.
    async fn secret_with_current_version(
        &mut self,
        scope_id: &str,
        name: &str,
    ) -> Result<Option<(String, Option<SealedVersion>)>>;
    /// The secret's highest-numbered version in `state`.
    async fn newest_version_in_state(&mut self, secret_id: &str, state: &str) -> Result<Option<StateRow>>;
    /// For every secret of the scope, by name: its current version, or with `previous` its
    /// previous version if that is readable until after `now`.
    async fn scope_versions_to_decrypt(
        &mut self,
        scope_id: &str,
        previous: bool,
        now: i64,
    ) -> Result<Vec<ScopeVersionRow>>;
    /// Every version of every secret of the scope, in any state.
    async fn all_versions_of_scope(&mut self, scope_id: &str) -> Result<Vec<VersionRow>>;
    /// Moves the versions of `secret_ids` in state `from` to `to`, setting their `retire_at`.
    async fn move_versions_state(
        &mut self,
        secret_ids: &[&str],
        from: &str,
        to: &str,
        retire_at: Option<i64>,
    ) -> Result<()>;
    async fn set_version_state(
        &mut self,
        secret_id: &str,
        version: i64,
        state: &str,
        retire_at: Option<i64>,
    ) -> Result<()>;
    /// The secret's previous versions whose `retire_at` is unset or not after `now` become retired.
    async fn retire_lapsed_previous(&mut self, secret_id: &str, now: i64) -> Result<()>;
    /// The secret's pending versions become retired (`retire_at` untouched).
    async fn retire_pending_versions(&mut self, secret_id: &str) -> Result<()>;
    /// Records a check outcome ("passed" or "failed") on `version` if it is still pending.
    async fn set_pending_check_status(&mut self, secret_id: &str, version: i64, status: &str) -> Result<()>;
    /// Replaces the ciphertexts of versions (secret id, version, new ciphertext), all now sealed
    /// under `key_epoch`.
    async fn reseal_versions(&mut self, key_epoch: i64, versions: &[(String, i64, Sealed)]) -> Result<()>;

    // Sealed state.

    /// The state of the scope's secrets (only `only` when given), ordered by secret id and then
    /// version.
    async fn secret_states(&mut self, scope_id: &str, only: Option<&str>) -> Result<Vec<SecretStateRow>>;
    /// (id, state tag) of every secret of the scope, in id order.
    async fn secret_state_tags(&mut self, scope_id: &str) -> Result<Vec<(String, Option<Vec<u8>>)>>;
    /// Sets the state tag of each secret (id, tag).
    async fn set_state_tags(&mut self, tags: &[(String, [u8; 32])]) -> Result<()>;

    // Listing.

    /// The listing, narrowed to a project and environment where given, ordered by project,
    /// environment and name.
    async fn secret_summaries(&mut self, project: Option<&str>, environment: Option<&str>) -> Result<Vec<SummaryRow>>;
    /// Secrets whose `project/environment/name` path contains `text` (case-insensitive, taken
    /// literally), in path order, at most `limit`.
    async fn search_secret_summaries(&mut self, text: &str, limit: i64) -> Result<Vec<SummaryRow>>;
    async fn secret_summary(&mut self, project: &str, environment: &str, name: &str) -> Result<Option<SummaryRow>>;
    /// Every version of a secret, newest first.
    async fn secret_history(&mut self, secret_id: &str) -> Result<Vec<HistoryRow>>;
}

/// Rows per multi-row INSERT or UPDATE, and ids per `IN (...)` list: well under either engine's
/// bound on parameters (SQLite's 32766 is the lower).
const BATCH: usize = 1000;

/// Rows per batched state-tag UPDATE (two parameters each, far below SQLite's limit).
const TAG_BATCH: usize = 500;

/// Deployments are looked up per row through an index, only for on-deploy secrets.
const SUMMARY_SELECT: &str = "SELECT p.name AS project, e.name AS environment, s.name, s.kind, s.is_file, s.file_name,
        s.policy, s.rotate_every_secs, p.id AS project_id, e.id AS environment_id,
        CASE WHEN s.policy = 'on-deploy' THEN (SELECT MIN(d.at) FROM deployments d
          WHERE d.scope_id = s.scope_id AND d.at > s.last_rotated_at) END AS first_deploy_since,
        s.last_rotated_at, s.note_ciphertext IS NOT NULL AS has_note, s.updated_at,
        s.exposed_at, s.exposed_reason,
        (SELECT string_agg(v.state || ':' || v.version || ':' || COALESCE(CAST(v.retire_at AS TEXT), '') || ':' || v.created_at, ',')
          FROM secret_versions v WHERE v.secret_id = s.id AND v.state IN ('current', 'pending', 'previous')) AS live,
        s.check_command
     FROM secrets s JOIN scopes sc ON sc.id = s.scope_id JOIN environments e ON e.id = sc.environment_id
     JOIN projects p ON p.id = e.project_id";

#[derive(sqlx::FromRow)]
struct RawSummaryRow {
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

impl From<RawSummaryRow> for SummaryRow {
    fn from(row: RawSummaryRow) -> Self {
        let live = row
            .live
            .as_deref()
            .unwrap_or("")
            .split(',')
            .map(|entry| {
                let mut parts = entry.split(':');
                let (state, number, retire_at, created) = (parts.next(), parts.next(), parts.next(), parts.next());
                LiveVersion {
                    state: state.unwrap_or_default().to_owned(),
                    version: number.and_then(|v| v.parse::<i64>().ok()),
                    retire_at: retire_at.and_then(|t| t.parse::<i64>().ok()),
                    created_at: created.and_then(|t| t.parse::<i64>().ok()),
                }
            })
            .collect();
        SummaryRow {
            project: row.project,
            environment: row.environment,
            name: row.name,
            kind: row.kind,
            is_file: row.is_file,
            file_name: row.file_name,
            policy: row.policy,
            rotate_every_secs: row.rotate_every_secs,
            project_id: row.project_id,
            environment_id: row.environment_id,
            first_deploy_since: row.first_deploy_since,
            last_rotated_at: row.last_rotated_at,
            has_note: row.has_note,
            updated_at: row.updated_at,
            exposed_at: row.exposed_at,
            exposed_reason: row.exposed_reason,
            live,
            check_command: row.check_command,
        }
    }
}

#[async_trait]
impl<C: Sql> SecretRows for C {
    async fn secret_id_and_latest_version(&mut self, scope_id: &str, name: &str) -> Result<Option<(String, i64)>> {
        self.optional(
            "finding a secret",
            "SELECT s.id, COALESCE((SELECT MAX(version) FROM secret_versions v WHERE v.secret_id = s.id), 0)
             FROM secrets s WHERE s.scope_id = $1 AND s.name = $2",
            &args![scope_id, name],
        )
        .await
    }

    async fn current_version_by(&mut self, secret_id: &str) -> Result<Option<(i64, String, i64)>> {
        self.optional(
            "finding a secret",
            "SELECT v.version, COALESCE(m.name, v.created_by), v.created_at
             FROM secret_versions v LEFT JOIN members m ON m.id = v.created_by
             WHERE v.secret_id = $1 AND v.state = 'current'",
            &args![secret_id],
        )
        .await
    }

    async fn secret_names_ids_and_latest_versions(&mut self, scope_id: &str) -> Result<Vec<(String, String, i64)>> {
        self.all(
            "reading a scope",
            "SELECT s.name, s.id, COALESCE((SELECT MAX(version) FROM secret_versions v WHERE v.secret_id = s.id), 0)
             FROM secrets s WHERE s.scope_id = $1",
            &args![scope_id],
        )
        .await
    }

    async fn secret_id_by_name(&mut self, scope_id: &str, name: &str) -> Result<Option<String>> {
        self.optional_value(
            "flagging a leaked secret",
            "SELECT id FROM secrets WHERE scope_id = $1 AND name = $2",
            &args![scope_id, name],
        )
        .await
    }

    async fn secret_kind_and_is_file(&mut self, secret_id: &str) -> Result<(String, bool)> {
        self.one(
            "reading a secret",
            "SELECT kind, is_file FROM secrets WHERE id = $1",
            &args![secret_id],
        )
        .await
    }

    async fn on_deploy_secret_names_rotated_before(&mut self, scope_id: &str, at: i64) -> Result<Vec<String>> {
        self.column(
            "finding on-deploy secrets",
            "SELECT name FROM secrets WHERE scope_id = $1 AND policy = 'on-deploy' AND last_rotated_at < $2 ORDER BY name",
            &args![scope_id, at],
        )
        .await
    }

    async fn insert_secret_rows(&mut self, rows: &[NewSecret<'_>]) -> Result<()> {
        for chunk in rows.chunks(BATCH) {
            let mut insert = Statement::new::<Self>(
                "INSERT INTO secrets (id, scope_id, name, kind, is_file, file_name, policy, rotate_every_secs, last_rotated_at, created_at, updated_at, state_tag) ",
                chunk.len() * 12,
            );
            insert.values(chunk, |secret| {
                args![
                    secret.id,
                    secret.scope_id,
                    secret.name,
                    secret.kind,
                    secret.is_file,
                    secret.file_name,
                    secret.policy,
                    secret.rotate_every_secs,
                    secret.now,
                    secret.now,
                    secret.now,
                    secret.state_tag,
                ]
            });
            self.execute("adding secrets", insert.sql(), insert.args()).await?;
        }
        Ok(())
    }

    async fn set_secret_file(&mut self, secret_id: &str, is_file: bool, file_name: Option<&str>) -> Result<()> {
        self.execute(
            "updating a secret",
            "UPDATE secrets SET is_file = $1, file_name = $2 WHERE id = $3",
            &args![is_file, file_name, secret_id],
        )
        .await
        .map(drop)
    }

    async fn set_secret_kind(&mut self, secret_id: &str, kind: &str) -> Result<()> {
        self.execute(
            "updating a secret",
            "UPDATE secrets SET kind = $1 WHERE id = $2",
            &args![kind, secret_id],
        )
        .await
        .map(drop)
    }

    async fn set_secret_policy(&mut self, secret_id: &str, policy: &str, every_secs: Option<i64>) -> Result<()> {
        self.execute(
            "updating a secret",
            "UPDATE secrets SET policy = $1, rotate_every_secs = $2 WHERE id = $3",
            &args![policy, every_secs, secret_id],
        )
        .await
        .map(drop)
    }

    async fn set_secret_updated_at(&mut self, secret_id: &str, now: i64) -> Result<()> {
        self.execute(
            "editing a secret",
            "UPDATE secrets SET updated_at = $1 WHERE id = $2",
            &args![now, secret_id],
        )
        .await
        .map(drop)
    }

    async fn mark_secrets_rotated(&mut self, secret_ids: &[&str], now: i64) -> Result<()> {
        for chunk in secret_ids.chunks(BATCH) {
            let mut update = Statement::new::<Self>("UPDATE secrets SET updated_at = ", chunk.len() + 2);
            update
                .bind(now)
                .push(", last_rotated_at = ")
                .bind(now)
                .push(" WHERE id IN (")
                .list(chunk.iter().map(|id| Arg::from(*id)))
                .push(")");
            self.execute("updating secrets", update.sql(), update.args()).await?;
        }
        Ok(())
    }

    async fn set_secret_rotated_at_version(&mut self, secret_id: &str, version: i64, now: i64) -> Result<()> {
        self.execute(
            "rolling back",
            "UPDATE secrets SET updated_at = $3, last_rotated_at =
               (SELECT created_at FROM secret_versions WHERE secret_id = $1 AND version = $2) WHERE id = $1",
            &args![secret_id, version, now],
        )
        .await
        .map(drop)
    }

    async fn delete_secret_by_name(&mut self, scope_id: &str, name: &str) -> Result<bool> {
        let deleted = self
            .execute(
                "removing a secret",
                "DELETE FROM secrets WHERE scope_id = $1 AND name = $2",
                &args![scope_id, name],
            )
            .await?;
        Ok(deleted != 0)
    }

    async fn set_secret_note(&mut self, secret_id: &str, note: Option<(&[u8], &[u8])>) -> Result<()> {
        let (nonce, ciphertext) = note.unzip();
        self.execute(
            "storing a note",
            "UPDATE secrets SET note_nonce = $1, note_ciphertext = $2 WHERE id = $3",
            &args![nonce, ciphertext, secret_id],
        )
        .await
        .map(drop)
    }

    async fn secret_note_by_name(
        &mut self,
        scope_id: &str,
        name: &str,
    ) -> Result<Option<(String, Option<(Vec<u8>, Vec<u8>)>)>> {
        type Row = (String, Option<Vec<u8>>, Option<Vec<u8>>);
        let row: Option<Row> = self
            .optional(
                "reading a note",
                "SELECT id, note_nonce, note_ciphertext FROM secrets WHERE scope_id = $1 AND name = $2",
                &args![scope_id, name],
            )
            .await?;
        Ok(row.map(|(id, nonce, ciphertext)| (id, nonce.zip(ciphertext))))
    }

    async fn sealed_notes_of_scope(&mut self, scope_id: &str) -> Result<Vec<(String, String, Vec<u8>, Vec<u8>)>> {
        self.all(
            "reading notes for rekeying",
            "SELECT id, name, note_nonce, note_ciphertext FROM secrets
             WHERE scope_id = $1 AND note_ciphertext IS NOT NULL",
            &args![scope_id],
        )
        .await
    }

    async fn saved_check_by_name(&mut self, scope_id: &str, name: &str) -> Result<Option<SavedCheckRow>> {
        type Row = (String, Option<String>, Option<String>, Option<Vec<u8>>);
        let row: Option<Row> = self
            .optional(
                "reading a saved check",
                "SELECT id, check_command, check_by, check_signature FROM secrets WHERE scope_id = $1 AND name = $2",
                &args![scope_id, name],
            )
            .await?;
        Ok(row.map(|(secret_id, command, by, signature)| SavedCheckRow {
            secret_id,
            command,
            by,
            signature,
        }))
    }

    async fn secret_has_saved_check(&mut self, secret_id: &str) -> Result<bool> {
        self.value(
            "reading a saved check",
            "SELECT check_command IS NOT NULL FROM secrets WHERE id = $1",
            &args![secret_id],
        )
        .await
    }

    async fn set_secret_check(&mut self, secret_id: &str, check: Option<(&str, &str, &[u8])>, now: i64) -> Result<()> {
        self.execute(
            "saving a check",
            "UPDATE secrets SET check_command = $1, check_by = $2, check_signature = $3, updated_at = $4 WHERE id = $5",
            &args![
                check.map(|(command, _, _)| command),
                check.map(|(_, by, _)| by),
                check.map(|(_, _, signature)| signature),
                now,
                secret_id,
            ],
        )
        .await
        .map(drop)
    }

    async fn clear_checks_saved_by(&mut self, scope_id: &str, member_id: &str) -> Result<u64> {
        self.execute(
            "dropping saved checks",
            "UPDATE secrets SET check_command = NULL, check_by = NULL, check_signature = NULL WHERE scope_id = $1 AND check_by = $2",
            &args![scope_id, member_id],
        )
        .await
    }

    async fn flag_secret_exposed(
        &mut self,
        scope_id: &str,
        name: &str,
        at: i64,
        reason: &str,
    ) -> Result<Option<String>> {
        self.optional_value(
            "flagging an exposed secret",
            "UPDATE secrets SET exposed_at = $1, exposed_reason = $2 WHERE scope_id = $3 AND name = $4 RETURNING id",
            &args![at, reason, scope_id, name],
        )
        .await
    }

    async fn insert_secret_versions(&mut self, rows: &[NewVersionRow<'_>]) -> Result<()> {
        for chunk in rows.chunks(BATCH) {
            let mut insert = Statement::new::<Self>(
                "INSERT INTO secret_versions (secret_id, version, state, key_epoch, nonce, ciphertext, created_by, created_at) ",
                chunk.len() * 8,
            );
            insert.values(chunk, |version| {
                args![
                    version.secret_id,
                    version.version,
                    version.state,
                    version.key_epoch,
                    version.nonce,
                    version.ciphertext,
                    version.created_by,
                    version.created_at,
                ]
            });
            self.execute("storing secret versions", insert.sql(), insert.args())
                .await?;
        }
        Ok(())
    }

    async fn secret_with_current_version(
        &mut self,
        scope_id: &str,
        name: &str,
    ) -> Result<Option<(String, Option<SealedVersion>)>> {
        type Row = (String, Option<i64>, Option<i64>, Option<Vec<u8>>, Option<Vec<u8>>);
        let row: Option<Row> = self
            .optional(
                "reading a secret",
                "SELECT s.id, v.version, v.key_epoch, v.nonce, v.ciphertext FROM secrets s
                 LEFT JOIN secret_versions v ON v.secret_id = s.id AND v.state = 'current'
                 WHERE s.scope_id = $1 AND s.name = $2",
                &args![scope_id, name],
            )
            .await?;
        Ok(row.map(|(id, version, epoch, nonce, ciphertext)| {
            let current = match (version, epoch, nonce, ciphertext) {
                (Some(version), Some(epoch), Some(nonce), Some(ciphertext)) => Some(SealedVersion {
                    version,
                    epoch,
                    nonce,
                    ciphertext,
                }),
                _ => None,
            };
            (id, current)
        }))
    }

    async fn newest_version_in_state(&mut self, secret_id: &str, state: &str) -> Result<Option<StateRow>> {
        self.optional(
            "reading a version",
            "SELECT version, key_epoch, nonce, ciphertext, retire_at, check_status FROM secret_versions
             WHERE secret_id = $1 AND state = $2 ORDER BY version DESC LIMIT 1",
            &args![secret_id, state],
        )
        .await
    }

    async fn scope_versions_to_decrypt(
        &mut self,
        scope_id: &str,
        previous: bool,
        now: i64,
    ) -> Result<Vec<ScopeVersionRow>> {
        self.all(
            "reading a scope",
            "SELECT s.id AS secret_id, s.name, s.kind, s.file_name, v.version, v.key_epoch, v.nonce, v.ciphertext FROM secrets s
             JOIN secret_versions v ON v.secret_id = s.id
               AND v.state = (CASE WHEN $1 THEN 'previous' ELSE 'current' END)
               AND (NOT $1 OR v.retire_at > $2)
             WHERE s.scope_id = $3 ORDER BY s.name",
            &args![previous, now, scope_id],
        )
        .await
    }

    async fn all_versions_of_scope(&mut self, scope_id: &str) -> Result<Vec<VersionRow>> {
        type Row = (String, String, i64, i64, Vec<u8>, Vec<u8>);
        let rows: Vec<Row> = self
            .all(
                "reading a scope for rekeying",
                "SELECT s.id, s.name, v.version, v.key_epoch, v.nonce, v.ciphertext
                 FROM secret_versions v JOIN secrets s ON s.id = v.secret_id WHERE s.scope_id = $1",
                &args![scope_id],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|(secret_id, name, version, epoch, nonce, ciphertext)| VersionRow {
                secret_id,
                name,
                version,
                epoch,
                nonce,
                ciphertext,
            })
            .collect())
    }

    async fn move_versions_state(
        &mut self,
        secret_ids: &[&str],
        from: &str,
        to: &str,
        retire_at: Option<i64>,
    ) -> Result<()> {
        for chunk in secret_ids.chunks(BATCH) {
            let mut update = Statement::new::<Self>("UPDATE secret_versions SET state = ", chunk.len() + 3);
            update
                .bind(to)
                .push(", retire_at = ")
                .bind(retire_at)
                .push(" WHERE state = ")
                .bind(from)
                .push(" AND secret_id IN (")
                .list(chunk.iter().map(|id| Arg::from(*id)))
                .push(")");
            self.execute("updating versions", update.sql(), update.args()).await?;
        }
        Ok(())
    }

    async fn set_version_state(
        &mut self,
        secret_id: &str,
        version: i64,
        state: &str,
        retire_at: Option<i64>,
    ) -> Result<()> {
        self.execute(
            "changing a version's state",
            "UPDATE secret_versions SET state = $1, retire_at = $2 WHERE secret_id = $3 AND version = $4",
            &args![state, retire_at, secret_id, version],
        )
        .await
        .map(drop)
    }

    async fn retire_lapsed_previous(&mut self, secret_id: &str, now: i64) -> Result<()> {
        self.execute(
            "retiring previous versions",
            "UPDATE secret_versions SET state = 'retired'
             WHERE secret_id = $1 AND state = 'previous' AND (retire_at IS NULL OR retire_at <= $2)",
            &args![secret_id, now],
        )
        .await
        .map(drop)
    }

    async fn retire_pending_versions(&mut self, secret_id: &str) -> Result<()> {
        self.execute(
            "retiring a pending version",
            "UPDATE secret_versions SET state = 'retired' WHERE secret_id = $1 AND state = 'pending'",
            &args![secret_id],
        )
        .await
        .map(drop)
    }

    async fn set_pending_check_status(&mut self, secret_id: &str, version: i64, status: &str) -> Result<()> {
        self.execute(
            "recording a check",
            "UPDATE secret_versions SET check_status = $1 WHERE secret_id = $2 AND version = $3 AND state = 'pending'",
            &args![status, secret_id, version],
        )
        .await
        .map(drop)
    }

    async fn reseal_versions(&mut self, key_epoch: i64, versions: &[(String, i64, Sealed)]) -> Result<()> {
        // Batched: one statement per chunk rather than a round trip per version.
        for chunk in versions.chunks(BATCH) {
            let mut update = Statement::new::<Self>("UPDATE secret_versions SET key_epoch = ", chunk.len() * 4 + 1);
            update
                .bind(key_epoch)
                .push(", nonce = v.column3, ciphertext = v.column4 FROM (")
                .values(chunk, |(secret_id, version, sealed)| {
                    args![secret_id, *version, &sealed.nonce, &sealed.ciphertext]
                })
                .push(") AS v WHERE secret_versions.secret_id = v.column1 AND secret_versions.version = v.column2");
            self.execute("rekeying secrets", update.sql(), update.args()).await?;
        }
        Ok(())
    }

    async fn secret_states(&mut self, scope_id: &str, only: Option<&str>) -> Result<Vec<SecretStateRow>> {
        self.all(
            "reading the state of secrets",
            "SELECT s.id, s.name, s.kind, s.file_name, s.exposed_at, s.exposed_reason, s.state_tag,
                    s.check_command, s.check_by, v.version, v.state, v.retire_at, v.check_status,
                    s.note_nonce, s.note_ciphertext
             FROM secrets s LEFT JOIN secret_versions v ON v.secret_id = s.id
             WHERE s.scope_id = $1 AND (CAST($2 AS TEXT) IS NULL OR s.id = $2) ORDER BY s.id, v.version",
            &args![scope_id, only],
        )
        .await
    }

    async fn secret_state_tags(&mut self, scope_id: &str) -> Result<Vec<(String, Option<Vec<u8>>)>> {
        self.all(
            "reading the secrets of a scope",
            "SELECT id, state_tag FROM secrets WHERE scope_id = $1 ORDER BY id",
            &args![scope_id],
        )
        .await
    }

    async fn set_state_tags(&mut self, tags: &[(String, [u8; 32])]) -> Result<()> {
        // One statement per chunk: a rekey seals every secret of the scope, and a round trip per
        // row would cost more than the sealing.
        for chunk in tags.chunks(TAG_BATCH) {
            let mut update = Statement::new::<Self>("UPDATE secrets SET state_tag = v.column2 FROM (", chunk.len() * 2);
            update
                .values(chunk, |(id, tag)| args![id, &tag[..]])
                .push(") AS v WHERE secrets.id = v.column1");
            self.execute("sealing the state of secrets", update.sql(), update.args())
                .await?;
        }
        Ok(())
    }

    async fn secret_summaries(&mut self, project: Option<&str>, environment: Option<&str>) -> Result<Vec<SummaryRow>> {
        let rows: Vec<RawSummaryRow> = self
            .all(
                "listing secrets",
                &format!(
                    "{SUMMARY_SELECT} WHERE (CAST($1 AS TEXT) IS NULL OR p.name = $1) AND (CAST($2 AS TEXT) IS NULL OR e.name = $2)
                     ORDER BY p.name, e.name, s.name"
                ),
                &args![project, environment],
            )
            .await?;
        Ok(rows.into_iter().map(SummaryRow::from).collect())
    }

    async fn search_secret_summaries(&mut self, text: &str, limit: i64) -> Result<Vec<SummaryRow>> {
        let pattern = format!(
            "%{}%",
            text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
        );
        let rows: Vec<RawSummaryRow> = self
            .all(
                "searching secrets",
                &format!(
                    "{SUMMARY_SELECT} WHERE (p.name || '/' || e.name || '/' || s.name) {} $1 ESCAPE '\\'
                     ORDER BY p.name, e.name, s.name LIMIT $2",
                    Self::CASELESS_LIKE
                ),
                &args![&pattern, limit],
            )
            .await?;
        Ok(rows.into_iter().map(SummaryRow::from).collect())
    }

    async fn secret_summary(&mut self, project: &str, environment: &str, name: &str) -> Result<Option<SummaryRow>> {
        let row: Option<RawSummaryRow> = self
            .optional(
                "reading a secret",
                &format!("{SUMMARY_SELECT} WHERE p.name = $1 AND e.name = $2 AND s.name = $3"),
                &args![project, environment, name],
            )
            .await?;
        Ok(row.map(SummaryRow::from))
    }

    async fn secret_history(&mut self, secret_id: &str) -> Result<Vec<HistoryRow>> {
        self.all(
            "reading history",
            "SELECT v.version, v.state, v.created_at, COALESCE(m.name, v.created_by) AS created_by, v.retire_at, v.check_status
             FROM secret_versions v LEFT JOIN members m ON m.id = v.created_by
             WHERE v.secret_id = $1 ORDER BY v.version DESC",
            &args![secret_id],
        )
        .await
    }
}

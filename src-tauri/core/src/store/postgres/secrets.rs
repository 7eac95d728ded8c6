use async_trait::async_trait;
use sqlx::{PgConnection, Postgres, QueryBuilder};

use super::error;
use crate::crypto::Sealed;
use crate::error::Result;
use crate::store::secrets::{
    HistoryRow, LiveVersion, NewSecret, NewVersionRow, SavedCheckRow, ScopeVersionRow, SealedVersion, SecretRows,
    SecretStateRow, StateRow, SummaryRow, VersionRow,
};

/// Rows per multi-row INSERT or UPDATE, and ids per `IN (...)` list: well under SQLite's 32766
/// bound parameters.
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
        (SELECT string_agg(v.state || ':' || v.version || ':' || COALESCE(v.retire_at::text, '') || ':' || v.created_at, ',')
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
impl SecretRows for PgConnection {
    async fn secret_id_and_latest_version(&mut self, scope_id: &str, name: &str) -> Result<Option<(String, i64)>> {
        sqlx::query_as(
            "SELECT s.id, COALESCE((SELECT MAX(version) FROM secret_versions v WHERE v.secret_id = s.id), 0)
             FROM secrets s WHERE s.scope_id = $1 AND s.name = $2",
        )
        .bind(scope_id)
        .bind(name)
        .fetch_optional(self)
        .await
        .map_err(|e| error("finding a secret", e))
    }

    async fn current_version_by(&mut self, secret_id: &str) -> Result<Option<(i64, String, i64)>> {
        sqlx::query_as(
            "SELECT v.version, COALESCE(m.name, v.created_by), v.created_at
             FROM secret_versions v LEFT JOIN members m ON m.id = v.created_by
             WHERE v.secret_id = $1 AND v.state = 'current'",
        )
        .bind(secret_id)
        .fetch_optional(self)
        .await
        .map_err(|e| error("finding a secret", e))
    }

    async fn secret_names_ids_and_latest_versions(&mut self, scope_id: &str) -> Result<Vec<(String, String, i64)>> {
        sqlx::query_as(
            "SELECT s.name, s.id, COALESCE((SELECT MAX(version) FROM secret_versions v WHERE v.secret_id = s.id), 0)
             FROM secrets s WHERE s.scope_id = $1",
        )
        .bind(scope_id)
        .fetch_all(self)
        .await
        .map_err(|e| error("reading a scope", e))
    }

    async fn secret_id_by_name(&mut self, scope_id: &str, name: &str) -> Result<Option<String>> {
        sqlx::query_scalar("SELECT id FROM secrets WHERE scope_id = $1 AND name = $2")
            .bind(scope_id)
            .bind(name)
            .fetch_optional(self)
            .await
            .map_err(|e| error("flagging a leaked secret", e))
    }

    async fn secret_kind_and_is_file(&mut self, secret_id: &str) -> Result<(String, bool)> {
        sqlx::query_as("SELECT kind, is_file FROM secrets WHERE id = $1")
            .bind(secret_id)
            .fetch_one(self)
            .await
            .map_err(|e| error("reading a secret", e))
    }

    async fn on_deploy_secret_names_rotated_before(&mut self, scope_id: &str, at: i64) -> Result<Vec<String>> {
        sqlx::query_scalar(
            "SELECT name FROM secrets WHERE scope_id = $1 AND policy = 'on-deploy' AND last_rotated_at < $2 ORDER BY name COLLATE \"C\"",
        )
        .bind(scope_id)
        .bind(at)
        .fetch_all(self)
        .await
        .map_err(|e| error("finding on-deploy secrets", e))
    }

    async fn insert_secret_rows(&mut self, rows: &[NewSecret<'_>]) -> Result<()> {
        for chunk in rows.chunks(BATCH) {
            let mut query: QueryBuilder<Postgres> = QueryBuilder::new(
                "INSERT INTO secrets (id, scope_id, name, kind, is_file, file_name, policy, rotate_every_secs, last_rotated_at, created_at, updated_at, state_tag) ",
            );
            query.push_values(chunk, |mut row, secret| {
                row.push_bind(secret.id)
                    .push_bind(secret.scope_id)
                    .push_bind(secret.name)
                    .push_bind(secret.kind)
                    .push_bind(secret.is_file)
                    .push_bind(secret.file_name)
                    .push_bind(secret.policy)
                    .push_bind(secret.rotate_every_secs)
                    .push_bind(secret.now)
                    .push_bind(secret.now)
                    .push_bind(secret.now)
                    .push_bind(secret.state_tag);
            });
            query
                .build()
                .execute(&mut *self)
                .await
                .map_err(|e| error("adding secrets", e))?;
        }
        Ok(())
    }

    async fn set_secret_file(&mut self, secret_id: &str, is_file: bool, file_name: Option<&str>) -> Result<()> {
        sqlx::query("UPDATE secrets SET is_file = $1, file_name = $2 WHERE id = $3")
            .bind(is_file)
            .bind(file_name)
            .bind(secret_id)
            .execute(self)
            .await
            .map(drop)
            .map_err(|e| error("updating a secret", e))
    }

    async fn set_secret_kind(&mut self, secret_id: &str, kind: &str) -> Result<()> {
        sqlx::query("UPDATE secrets SET kind = $1 WHERE id = $2")
            .bind(kind)
            .bind(secret_id)
            .execute(self)
            .await
            .map(drop)
            .map_err(|e| error("updating a secret", e))
    }

    async fn set_secret_policy(&mut self, secret_id: &str, policy: &str, every_secs: Option<i64>) -> Result<()> {
        sqlx::query("UPDATE secrets SET policy = $1, rotate_every_secs = $2 WHERE id = $3")
            .bind(policy)
            .bind(every_secs)
            .bind(secret_id)
            .execute(self)
            .await
            .map(drop)
            .map_err(|e| error("updating a secret", e))
    }

    async fn set_secret_updated_at(&mut self, secret_id: &str, now: i64) -> Result<()> {
        sqlx::query("UPDATE secrets SET updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(secret_id)
            .execute(self)
            .await
            .map(drop)
            .map_err(|e| error("editing a secret", e))
    }

    async fn mark_secrets_rotated(&mut self, secret_ids: &[&str], now: i64) -> Result<()> {
        for chunk in secret_ids.chunks(BATCH) {
            let mut query: QueryBuilder<Postgres> = QueryBuilder::new("UPDATE secrets SET updated_at = ");
            query
                .push_bind(now)
                .push(", last_rotated_at = ")
                .push_bind(now)
                .push(" WHERE id IN (");
            let mut list = query.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            query.push(")");
            query
                .build()
                .execute(&mut *self)
                .await
                .map_err(|e| error("updating secrets", e))?;
        }
        Ok(())
    }

    async fn set_secret_rotated_at_version(&mut self, secret_id: &str, version: i64, now: i64) -> Result<()> {
        sqlx::query(
            "UPDATE secrets SET updated_at = $3, last_rotated_at =
               (SELECT created_at FROM secret_versions WHERE secret_id = $1 AND version = $2) WHERE id = $1",
        )
        .bind(secret_id)
        .bind(version)
        .bind(now)
        .execute(self)
        .await
        .map(drop)
        .map_err(|e| error("rolling back", e))
    }

    async fn delete_secret_by_name(&mut self, scope_id: &str, name: &str) -> Result<bool> {
        let deleted = sqlx::query("DELETE FROM secrets WHERE scope_id = $1 AND name = $2")
            .bind(scope_id)
            .bind(name)
            .execute(self)
            .await
            .map_err(|e| error("removing a secret", e))?;
        Ok(deleted.rows_affected() != 0)
    }

    async fn set_secret_note(&mut self, secret_id: &str, note: Option<(&[u8], &[u8])>) -> Result<()> {
        let (nonce, ciphertext) = note.unzip();
        sqlx::query("UPDATE secrets SET note_nonce = $1, note_ciphertext = $2 WHERE id = $3")
            .bind(nonce)
            .bind(ciphertext)
            .bind(secret_id)
            .execute(self)
            .await
            .map(drop)
            .map_err(|e| error("storing a note", e))
    }

    async fn secret_note_by_name(
        &mut self,
        scope_id: &str,
        name: &str,
    ) -> Result<Option<(String, Option<(Vec<u8>, Vec<u8>)>)>> {
        type Row = (String, Option<Vec<u8>>, Option<Vec<u8>>);
        let row: Option<Row> =
            sqlx::query_as("SELECT id, note_nonce, note_ciphertext FROM secrets WHERE scope_id = $1 AND name = $2")
                .bind(scope_id)
                .bind(name)
                .fetch_optional(self)
                .await
                .map_err(|e| error("reading a note", e))?;
        Ok(row.map(|(id, nonce, ciphertext)| (id, nonce.zip(ciphertext))))
    }

    async fn sealed_notes_of_scope(&mut self, scope_id: &str) -> Result<Vec<(String, String, Vec<u8>, Vec<u8>)>> {
        sqlx::query_as(
            "SELECT id, name, note_nonce, note_ciphertext FROM secrets
             WHERE scope_id = $1 AND note_ciphertext IS NOT NULL",
        )
        .bind(scope_id)
        .fetch_all(self)
        .await
        .map_err(|e| error("reading notes for rekeying", e))
    }

    async fn saved_check_by_name(&mut self, scope_id: &str, name: &str) -> Result<Option<SavedCheckRow>> {
        type Row = (String, Option<String>, Option<String>, Option<Vec<u8>>);
        let row: Option<Row> = sqlx::query_as(
            "SELECT id, check_command, check_by, check_signature FROM secrets WHERE scope_id = $1 AND name = $2",
        )
        .bind(scope_id)
        .bind(name)
        .fetch_optional(self)
        .await
        .map_err(|e| error("reading a saved check", e))?;
        Ok(row.map(|(secret_id, command, by, signature)| SavedCheckRow {
            secret_id,
            command,
            by,
            signature,
        }))
    }

    async fn secret_has_saved_check(&mut self, secret_id: &str) -> Result<bool> {
        sqlx::query_scalar("SELECT check_command IS NOT NULL FROM secrets WHERE id = $1")
            .bind(secret_id)
            .fetch_one(self)
            .await
            .map_err(|e| error("reading a saved check", e))
    }

    async fn set_secret_check(&mut self, secret_id: &str, check: Option<(&str, &str, &[u8])>, now: i64) -> Result<()> {
        sqlx::query(
            "UPDATE secrets SET check_command = $1, check_by = $2, check_signature = $3, updated_at = $4 WHERE id = $5",
        )
        .bind(check.map(|(command, _, _)| command))
        .bind(check.map(|(_, by, _)| by))
        .bind(check.map(|(_, _, signature)| signature))
        .bind(now)
        .bind(secret_id)
        .execute(self)
        .await
        .map(drop)
        .map_err(|e| error("saving a check", e))
    }

    async fn clear_checks_saved_by(&mut self, scope_id: &str, member_id: &str) -> Result<u64> {
        let cleared = sqlx::query(
            "UPDATE secrets SET check_command = NULL, check_by = NULL, check_signature = NULL WHERE scope_id = $1 AND check_by = $2",
        )
        .bind(scope_id)
        .bind(member_id)
        .execute(self)
        .await
        .map_err(|e| error("dropping saved checks", e))?;
        Ok(cleared.rows_affected())
    }

    async fn flag_secret_exposed(
        &mut self,
        scope_id: &str,
        name: &str,
        at: i64,
        reason: &str,
    ) -> Result<Option<String>> {
        sqlx::query_scalar(
            "UPDATE secrets SET exposed_at = $1, exposed_reason = $2 WHERE scope_id = $3 AND name = $4 RETURNING id",
        )
        .bind(at)
        .bind(reason)
        .bind(scope_id)
        .bind(name)
        .fetch_optional(self)
        .await
        .map_err(|e| error("flagging an exposed secret", e))
    }

    async fn insert_secret_versions(&mut self, rows: &[NewVersionRow<'_>]) -> Result<()> {
        for chunk in rows.chunks(BATCH) {
            let mut query: QueryBuilder<Postgres> = QueryBuilder::new(
                "INSERT INTO secret_versions (secret_id, version, state, key_epoch, nonce, ciphertext, created_by, created_at) ",
            );
            query.push_values(chunk, |mut row, version| {
                row.push_bind(version.secret_id)
                    .push_bind(version.version)
                    .push_bind(version.state)
                    .push_bind(version.key_epoch)
                    .push_bind(version.nonce)
                    .push_bind(version.ciphertext)
                    .push_bind(version.created_by)
                    .push_bind(version.created_at);
            });
            query
                .build()
                .execute(&mut *self)
                .await
                .map_err(|e| error("storing secret versions", e))?;
        }
        Ok(())
    }

    async fn secret_with_current_version(
        &mut self,
        scope_id: &str,
        name: &str,
    ) -> Result<Option<(String, Option<SealedVersion>)>> {
        type Row = (String, Option<i64>, Option<i64>, Option<Vec<u8>>, Option<Vec<u8>>);
        let row: Option<Row> = sqlx::query_as(
            "SELECT s.id, v.version, v.key_epoch, v.nonce, v.ciphertext FROM secrets s
             LEFT JOIN secret_versions v ON v.secret_id = s.id AND v.state = 'current'
             WHERE s.scope_id = $1 AND s.name = $2",
        )
        .bind(scope_id)
        .bind(name)
        .fetch_optional(self)
        .await
        .map_err(|e| error("reading a secret", e))?;
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
        sqlx::query_as(
            "SELECT version, key_epoch, nonce, ciphertext, retire_at, check_status FROM secret_versions
             WHERE secret_id = $1 AND state = $2 ORDER BY version DESC LIMIT 1",
        )
        .bind(secret_id)
        .bind(state)
        .fetch_optional(self)
        .await
        .map_err(|e| error("reading a version", e))
    }

    async fn scope_versions_to_decrypt(
        &mut self,
        scope_id: &str,
        previous: bool,
        now: i64,
    ) -> Result<Vec<ScopeVersionRow>> {
        sqlx::query_as(
            "SELECT s.id AS secret_id, s.name, s.kind, s.file_name, v.version, v.key_epoch, v.nonce, v.ciphertext FROM secrets s
             JOIN secret_versions v ON v.secret_id = s.id
               AND v.state = (CASE WHEN $1 THEN 'previous' ELSE 'current' END)
               AND (NOT $1 OR v.retire_at > $2)
             WHERE s.scope_id = $3 ORDER BY s.name COLLATE \"C\"",
        )
        .bind(previous)
        .bind(now)
        .bind(scope_id)
        .fetch_all(self)
        .await
        .map_err(|e| error("reading a scope", e))
    }

    async fn all_versions_of_scope(&mut self, scope_id: &str) -> Result<Vec<VersionRow>> {
        type Row = (String, String, i64, i64, Vec<u8>, Vec<u8>);
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT s.id, s.name, v.version, v.key_epoch, v.nonce, v.ciphertext
             FROM secret_versions v JOIN secrets s ON s.id = v.secret_id WHERE s.scope_id = $1",
        )
        .bind(scope_id)
        .fetch_all(self)
        .await
        .map_err(|e| error("reading a scope for rekeying", e))?;
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
            let mut query: QueryBuilder<Postgres> = QueryBuilder::new("UPDATE secret_versions SET state = ");
            query
                .push_bind(to)
                .push(", retire_at = ")
                .push_bind(retire_at)
                .push(" WHERE state = ")
                .push_bind(from)
                .push(" AND secret_id IN (");
            let mut list = query.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            query.push(")");
            query
                .build()
                .execute(&mut *self)
                .await
                .map_err(|e| error("updating versions", e))?;
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
        sqlx::query("UPDATE secret_versions SET state = $1, retire_at = $2 WHERE secret_id = $3 AND version = $4")
            .bind(state)
            .bind(retire_at)
            .bind(secret_id)
            .bind(version)
            .execute(self)
            .await
            .map(drop)
            .map_err(|e| error("changing a version's state", e))
    }

    async fn retire_lapsed_previous(&mut self, secret_id: &str, now: i64) -> Result<()> {
        sqlx::query(
            "UPDATE secret_versions SET state = 'retired'
             WHERE secret_id = $1 AND state = 'previous' AND (retire_at IS NULL OR retire_at <= $2)",
        )
        .bind(secret_id)
        .bind(now)
        .execute(self)
        .await
        .map(drop)
        .map_err(|e| error("retiring previous versions", e))
    }

    async fn retire_pending_versions(&mut self, secret_id: &str) -> Result<()> {
        sqlx::query("UPDATE secret_versions SET state = 'retired' WHERE secret_id = $1 AND state = 'pending'")
            .bind(secret_id)
            .execute(self)
            .await
            .map(drop)
            .map_err(|e| error("retiring a pending version", e))
    }

    async fn set_pending_check_status(&mut self, secret_id: &str, version: i64, status: &str) -> Result<()> {
        sqlx::query(
            "UPDATE secret_versions SET check_status = $1 WHERE secret_id = $2 AND version = $3 AND state = 'pending'",
        )
        .bind(status)
        .bind(secret_id)
        .bind(version)
        .execute(self)
        .await
        .map(drop)
        .map_err(|e| error("recording a check", e))
    }

    async fn reseal_versions(&mut self, key_epoch: i64, versions: &[(String, i64, Sealed)]) -> Result<()> {
        // Batched: one statement per chunk rather than a round trip per version.
        for chunk in versions.chunks(BATCH) {
            let mut query: QueryBuilder<Postgres> = QueryBuilder::new("UPDATE secret_versions SET key_epoch = ");
            query.push_bind(key_epoch);
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
                .execute(&mut *self)
                .await
                .map_err(|e| error("rekeying secrets", e))?;
        }
        Ok(())
    }

    async fn secret_states(&mut self, scope_id: &str, only: Option<&str>) -> Result<Vec<SecretStateRow>> {
        sqlx::query_as(
            "SELECT s.id, s.name, s.kind, s.file_name, s.exposed_at, s.exposed_reason, s.state_tag,
                    s.check_command, s.check_by, v.version, v.state, v.retire_at, v.check_status,
                    s.note_nonce, s.note_ciphertext
             FROM secrets s LEFT JOIN secret_versions v ON v.secret_id = s.id
             WHERE s.scope_id = $1 AND ($2::text IS NULL OR s.id = $2) ORDER BY s.id COLLATE \"C\", v.version",
        )
        .bind(scope_id)
        .bind(only)
        .fetch_all(self)
        .await
        .map_err(|e| error("reading the state of secrets", e))
    }

    async fn secret_state_tags(&mut self, scope_id: &str) -> Result<Vec<(String, Option<Vec<u8>>)>> {
        sqlx::query_as("SELECT id, state_tag FROM secrets WHERE scope_id = $1 ORDER BY id COLLATE \"C\"")
            .bind(scope_id)
            .fetch_all(self)
            .await
            .map_err(|e| error("reading the secrets of a scope", e))
    }

    async fn set_state_tags(&mut self, tags: &[(String, [u8; 32])]) -> Result<()> {
        // One statement per chunk: a rekey seals every secret of the scope, and a round trip per
        // row would cost more than the sealing.
        for chunk in tags.chunks(TAG_BATCH) {
            let mut query: QueryBuilder<Postgres> =
                QueryBuilder::new("UPDATE secrets SET state_tag = v.column2 FROM (");
            query.push_values(chunk, |mut row, (id, tag)| {
                row.push_bind(id).push_bind(&tag[..]);
            });
            query.push(") AS v WHERE secrets.id = v.column1");
            query
                .build()
                .execute(&mut *self)
                .await
                .map_err(|e| error("sealing the state of secrets", e))?;
        }
        Ok(())
    }

    async fn secret_summaries(&mut self, project: Option<&str>, environment: Option<&str>) -> Result<Vec<SummaryRow>> {
        let rows: Vec<RawSummaryRow> = sqlx::query_as(&format!(
            "{SUMMARY_SELECT} WHERE ($1::text IS NULL OR p.name = $1) AND ($2::text IS NULL OR e.name = $2) ORDER BY p.name COLLATE \"C\", e.name COLLATE \"C\", s.name COLLATE \"C\""
        ))
        .bind(project)
        .bind(environment)
        .fetch_all(self)
        .await
        .map_err(|e| error("listing secrets", e))?;
        Ok(rows.into_iter().map(SummaryRow::from).collect())
    }

    async fn search_secret_summaries(&mut self, text: &str, limit: i64) -> Result<Vec<SummaryRow>> {
        let pattern = format!(
            "%{}%",
            text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
        );
        let rows: Vec<RawSummaryRow> = sqlx::query_as(&format!(
            // ILIKE: SQLite's LIKE, which the other engine uses, ignores ASCII case.
            "{SUMMARY_SELECT} WHERE (p.name || '/' || e.name || '/' || s.name) ILIKE $1 ESCAPE '\\'
             ORDER BY p.name COLLATE \"C\", e.name COLLATE \"C\", s.name COLLATE \"C\" LIMIT $2"
        ))
        .bind(pattern)
        .bind(limit)
        .fetch_all(self)
        .await
        .map_err(|e| error("searching secrets", e))?;
        Ok(rows.into_iter().map(SummaryRow::from).collect())
    }

    async fn secret_summary(&mut self, project: &str, environment: &str, name: &str) -> Result<Option<SummaryRow>> {
        let row: Option<RawSummaryRow> = sqlx::query_as(&format!(
            "{SUMMARY_SELECT} WHERE p.name = $1 AND e.name = $2 AND s.name = $3"
        ))
        .bind(project)
        .bind(environment)
        .bind(name)
        .fetch_optional(self)
        .await
        .map_err(|e| error("reading a secret", e))?;
        Ok(row.map(SummaryRow::from))
    }

    async fn secret_history(&mut self, secret_id: &str) -> Result<Vec<HistoryRow>> {
        sqlx::query_as(
            "SELECT v.version, v.state, v.created_at, COALESCE(m.name, v.created_by) AS created_by, v.retire_at, v.check_status
             FROM secret_versions v LEFT JOIN members m ON m.id = v.created_by
             WHERE v.secret_id = $1 ORDER BY v.version DESC",
        )
        .bind(secret_id)
        .fetch_all(self)
        .await
        .map_err(|e| error("reading history", e))
    }
}

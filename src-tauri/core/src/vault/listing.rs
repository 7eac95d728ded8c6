//! What the vault shows of its secrets without their values: the listing of a scope, project or
//! the whole vault, search by path, one secret's summary and its version history. Locked, from the
//! file as it is (`Vault`); unlocked, with every state shown verified under its scope's key first
//! (`Session`).

use std::collections::HashMap;

use serde::Serialize;

use super::path::ScopeRow;
use super::path::{ScopePath, SecretPath};
use super::projects::resolve_scope;
use super::secrets::existing;
use super::{acquire, Vault};
use crate::error::{Error, Result};
use crate::kind::SecretKind;
use crate::rotation::{self, RotationPolicy, RotationStatus};
use crate::session::Session;
use crate::store::secrets::{HistoryRow, SummaryRow};
use crate::store::Conn;

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

/// Project and environment rotation overrides, read once per listing: few, and applied in Rust.
struct Caps(HashMap<(i64, i64), i64>);

impl Caps {
    async fn load(conn: &mut dyn Conn) -> Result<Self> {
        let rows = conn.rotation_caps().await?;
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
    for live in &row.live {
        match live.state.as_str() {
            "current" => {
                version = live.version;
                current_created = live.created_at;
            }
            "pending" => pending_version = live.version,
            "previous" => previous_until = live.retire_at.filter(|until| *until > now),
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

/// The listing behind [`Vault::secrets`] and [`Session::secrets`], on one connection.
async fn list_secrets(
    conn: &mut dyn Conn,
    project: Option<&str>,
    environment: Option<&str>,
) -> Result<Vec<SecretSummary>> {
    match (project, environment) {
        (Some(p), Some(e)) => {
            resolve_scope(conn, &ScopePath::new(p, e)?).await?;
        }
        (Some(p), None) => {
            conn.project_id(p)
                .await?
                .ok_or_else(|| Error::UnknownProject { project: p.to_owned() })?;
        }
        _ => {}
    }
    let rows = conn.secret_summaries(project, environment).await?;
    let (caps, now) = (Caps::load(conn).await?, crate::clock::now());
    Ok(rows.into_iter().map(|r| to_summary(r, &caps, now)).collect())
}

/// Every version of a secret, newest first, with its state, as the file holds it.
async fn read_history(conn: &mut dyn Conn, secret_id: String) -> Result<Vec<VersionSummary>> {
    let rows = conn.secret_history(&secret_id).await?;
    let now = crate::clock::now();
    Ok(rows
        .into_iter()
        .map(|row| {
            let HistoryRow {
                version,
                state,
                created_at,
                created_by,
                retire_at,
                check_status,
            } = row;
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

impl Vault {
    /// Secrets with their metadata, optionally narrowed to a project or a scope.
    pub async fn secrets(&self, project: Option<&str>, environment: Option<&str>) -> Result<Vec<SecretSummary>> {
        list_secrets(&mut *acquire(self).await?, project, environment).await
    }

    /// Secrets whose `project/env/NAME` path contains `query` (case-insensitive), across every
    /// scope, at most `limit`. Names are metadata, so this needs no unlock.
    pub async fn search(&self, query: &str, limit: i64) -> Result<Vec<SecretSummary>> {
        let mut conn = acquire(self).await?;
        let rows = conn.search_secret_summaries(query.trim(), limit).await?;
        let (caps, now) = (Caps::load(&mut *conn).await?, crate::clock::now());
        Ok(rows.into_iter().map(|r| to_summary(r, &caps, now)).collect())
    }

    pub async fn secret(&self, path: &SecretPath) -> Result<SecretSummary> {
        let mut conn = acquire(self).await?;
        resolve_scope(&mut *conn, &path.scope).await?;
        let row = conn
            .secret_summary(&path.scope.project, &path.scope.environment, &path.name)
            .await?;
        let (caps, now) = (Caps::load(&mut *conn).await?, crate::clock::now());
        row.map(|r| to_summary(r, &caps, now))
            .ok_or_else(|| Error::UnknownSecret { path: path.to_string() })
    }

    /// Every version of a secret, newest first, with its state. Metadata only.
    pub async fn history(&self, path: &SecretPath) -> Result<Vec<VersionSummary>> {
        let mut conn = acquire(self).await?;
        let scope = resolve_scope(&mut *conn, &path.scope).await?;
        let (secret_id, _) = existing(&mut *conn, &scope.id, &path.name)
            .await?
            .ok_or_else(|| Error::UnknownSecret { path: path.to_string() })?;
        read_history(&mut *conn, secret_id).await
    }
}

impl Session {
    /// As [`Vault::secrets`], with the states (exposure, pending and previous versions, saved
    /// check) of every scope this member can open verified under its key, in one read
    /// transaction: the unlocked listing shows nothing an edit of the file made up. Scopes this
    /// member cannot open are listed as the file holds them.
    pub async fn secrets(&self, project: Option<&str>, environment: Option<&str>) -> Result<Vec<SecretSummary>> {
        let mut tx = self.vault.store.snapshot().await?;
        let list = list_secrets(&mut *tx, project, environment).await?;
        let mut scopes: Vec<(&str, &str)> = list
            .iter()
            .map(|s| (s.project.as_str(), s.environment.as_str()))
            .collect();
        scopes.dedup();
        for (project, environment) in scopes {
            let scope = resolve_scope(&mut *tx, &ScopePath::new(project, environment)?).await?;
            self.verify_if_held(&mut *tx, &scope, None).await?;
        }
        // Ended here, not left to the process's exit (a server would log a dropped transaction).
        tx.rollback("ending a read").await?;
        Ok(list)
    }

    /// As [`Vault::history`], with the secret's sealed state (which versions are current,
    /// previous, pending, retired, and their checks) verified first when this member holds the
    /// scope's key.
    pub async fn history(&self, path: &SecretPath) -> Result<Vec<VersionSummary>> {
        let mut tx = self.vault.store.snapshot().await?;
        let scope = resolve_scope(&mut *tx, &path.scope).await?;
        let (secret_id, _) = existing(&mut *tx, &scope.id, &path.name)
            .await?
            .ok_or_else(|| Error::UnknownSecret { path: path.to_string() })?;
        self.verify_if_held(&mut *tx, &scope, Some(std::slice::from_ref(&secret_id)))
            .await?;
        let history = read_history(&mut *tx, secret_id).await?;
        tx.rollback("ending a read").await?;
        Ok(history)
    }

    /// Verifies the sealed states of `ids` of `scope` (all when `None`) when this member holds the
    /// scope's key; a scope they cannot open is shown as the file holds it.
    async fn verify_if_held(&self, conn: &mut dyn Conn, scope: &ScopeRow, ids: Option<&[String]>) -> Result<()> {
        match self.scope_key(conn, scope).await {
            Ok(key) => super::state::verify(conn, &self.vault.id, &key, scope, ids).await,
            Err(Error::NoAccess { .. }) => Ok(()),
            Err(other) => Err(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vault::SecretOptions;

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
            .execute(session.vault().store.sqlite_pool())
            .await
            .expect("edit");
        let err = session.secrets(Some("llm"), Some("dev")).await.expect_err("refused");
        assert!(matches!(err, Error::StateTampered { .. }), "{err}");
        // The locked listing shows what the file holds; the unlocked one never does.
        let locked = session.vault().secrets(Some("llm"), None).await.expect("locked list");
        assert!(locked[0].exposed_at.is_none());
    }

    #[tokio::test]
    async fn a_member_without_the_key_sees_the_history_and_list_as_the_file_holds_them() {
        use crate::team::members::Role;
        let dir = tempfile::tempdir().expect("tempdir");
        let ada = crate::session::test_owner_session(dir.path()).await;
        let owner_key = ada.vault().owner_signing_key().await.expect("owner key");
        let ada = ada.with_pinned_owner(owner_key);
        ada.add_project("llm", &["dev".into()]).await.expect("project");
        let path: SecretPath = "llm/dev/OPENAI_API_KEY".parse().expect("path");
        ada.set_secret(&path, b"sk-value", SecretOptions::default())
            .await
            .expect("set");
        let alice = crate::session::test_member(dir.path(), &ada, "alice", Role::Member, &[]).await;
        assert_eq!(alice.history(&path).await.expect("history").len(), 1);
        assert_eq!(alice.secrets(Some("llm"), None).await.expect("list").len(), 1);
        assert!(matches!(alice.get_secret(&path).await, Err(Error::NoAccess { .. })));
    }
}

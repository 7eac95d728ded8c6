//! Storage of rotation overrides (the strictest interval for a project, or one environment of
//! it) and deployment marks (which make a scope's on-deploy secrets due).

use async_trait::async_trait;

use super::sql::{args, Sql};
use crate::error::Result;

/// An override as listed: (project, environment or `None` for the whole project, interval in
/// seconds, who set it by name when known, when).
pub(crate) type OverrideRow = (String, Option<String>, i64, String, i64);

#[async_trait]
pub(crate) trait RotationRows {
    /// Every override, ordered by project and environment.
    async fn rotation_overrides(&mut self) -> Result<Vec<OverrideRow>>;
    /// (project id, environment id or 0 for the whole project, interval in seconds).
    async fn rotation_caps(&mut self) -> Result<Vec<(i64, i64, i64)>>;
    /// Sets the override of a project (`environment_id` 0) or an environment, replacing one.
    async fn upsert_rotation_override(
        &mut self,
        project_id: i64,
        environment_id: i64,
        every_secs: i64,
        set_by: &str,
        now: i64,
    ) -> Result<()>;
    async fn delete_rotation_override(&mut self, project_id: i64, environment_id: i64) -> Result<()>;
    async fn insert_deployment(&mut self, scope_id: &str, at: i64, member_id: &str, note: &str) -> Result<()>;
}

#[async_trait]
impl<C: Sql> RotationRows for C {
    async fn rotation_overrides(&mut self) -> Result<Vec<OverrideRow>> {
        self.all(
            "listing rotation overrides",
            "SELECT p.name, e.name, o.max_every_secs, COALESCE(m.name, o.set_by), o.set_at
             FROM rotation_overrides o JOIN projects p ON p.id = o.project_id
             LEFT JOIN environments e ON e.id = o.environment_id
             LEFT JOIN members m ON m.id = o.set_by ORDER BY p.name, e.name NULLS FIRST",
            &[],
        )
        .await
    }

    async fn rotation_caps(&mut self) -> Result<Vec<(i64, i64, i64)>> {
        self.all(
            "reading rotation policies",
            "SELECT project_id, environment_id, max_every_secs FROM rotation_overrides",
            &[],
        )
        .await
    }

    async fn upsert_rotation_override(
        &mut self,
        project_id: i64,
        environment_id: i64,
        every_secs: i64,
        set_by: &str,
        now: i64,
    ) -> Result<()> {
        self.execute(
            "setting a rotation policy",
            "INSERT INTO rotation_overrides (project_id, environment_id, max_every_secs, set_by, set_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (project_id, environment_id) DO UPDATE SET
               max_every_secs = EXCLUDED.max_every_secs, set_by = EXCLUDED.set_by, set_at = EXCLUDED.set_at",
            &args![project_id, environment_id, every_secs, set_by, now],
        )
        .await
        .map(drop)
    }

    async fn delete_rotation_override(&mut self, project_id: i64, environment_id: i64) -> Result<()> {
        self.execute(
            "removing a rotation policy",
            "DELETE FROM rotation_overrides WHERE project_id = $1 AND environment_id = $2",
            &args![project_id, environment_id],
        )
        .await
        .map(drop)
    }

    async fn insert_deployment(&mut self, scope_id: &str, at: i64, member_id: &str, note: &str) -> Result<()> {
        self.execute(
            "recording a deployment",
            "INSERT INTO deployments (scope_id, at, member_id, note) VALUES ($1, $2, $3, $4)",
            &args![scope_id, at, member_id, note],
        )
        .await
        .map(drop)
    }
}

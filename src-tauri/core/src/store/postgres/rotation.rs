use async_trait::async_trait;
use sqlx::PgConnection;

use super::error;
use crate::error::Result;
use crate::store::rotation::{OverrideRow, RotationRows};

#[async_trait]
impl RotationRows for PgConnection {
    async fn rotation_overrides(&mut self) -> Result<Vec<OverrideRow>> {
        sqlx::query_as(
            "SELECT p.name, e.name, o.max_every_secs, COALESCE(m.name, o.set_by), o.set_at
             FROM rotation_overrides o JOIN projects p ON p.id = o.project_id
             LEFT JOIN environments e ON e.id = o.environment_id
             LEFT JOIN members m ON m.id = o.set_by ORDER BY p.name COLLATE \"C\", e.name COLLATE \"C\" NULLS FIRST",
        )
        .fetch_all(self)
        .await
        .map_err(|e| error("listing rotation overrides", e))
    }

    async fn rotation_caps(&mut self) -> Result<Vec<(i64, i64, i64)>> {
        sqlx::query_as("SELECT project_id, environment_id, max_every_secs FROM rotation_overrides")
            .fetch_all(self)
            .await
            .map_err(|e| error("reading rotation policies", e))
    }

    async fn upsert_rotation_override(
        &mut self,
        project_id: i64,
        environment_id: i64,
        every_secs: i64,
        set_by: &str,
        now: i64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO rotation_overrides (project_id, environment_id, max_every_secs, set_by, set_at)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (project_id, environment_id) DO UPDATE SET
               max_every_secs = excluded.max_every_secs, set_by = excluded.set_by, set_at = excluded.set_at",
        )
        .bind(project_id)
        .bind(environment_id)
        .bind(every_secs)
        .bind(set_by)
        .bind(now)
        .execute(self)
        .await
        .map(drop)
        .map_err(|e| error("setting a rotation policy", e))
    }

    async fn delete_rotation_override(&mut self, project_id: i64, environment_id: i64) -> Result<()> {
        sqlx::query("DELETE FROM rotation_overrides WHERE project_id = $1 AND environment_id = $2")
            .bind(project_id)
            .bind(environment_id)
            .execute(self)
            .await
            .map(drop)
            .map_err(|e| error("removing a rotation policy", e))
    }

    async fn insert_deployment(&mut self, scope_id: &str, at: i64, member_id: &str, note: &str) -> Result<()> {
        sqlx::query("INSERT INTO deployments (scope_id, at, member_id, note) VALUES ($1, $2, $3, $4)")
            .bind(scope_id)
            .bind(at)
            .bind(member_id)
            .bind(note)
            .execute(self)
            .await
            .map(drop)
            .map_err(|e| error("recording a deployment", e))
    }
}

use async_trait::async_trait;
use sqlx::PgConnection;

use super::error;
use crate::error::Result;
use crate::store::projects::{ProjectRows, ScopeLookup};

#[async_trait]
impl ProjectRows for PgConnection {
    async fn find_scope(&mut self, project: &str, environment: &str) -> Result<ScopeLookup> {
        let row: Option<(i64, Option<String>, Option<i64>)> = sqlx::query_as(
            "SELECT p.id, s.id, s.key_epoch FROM projects p
             LEFT JOIN environments e ON e.project_id = p.id AND e.name = $1
             LEFT JOIN scopes s ON s.environment_id = e.id
             WHERE p.name = $2",
        )
        .bind(environment)
        .bind(project)
        .fetch_optional(self)
        .await
        .map_err(|e| error("finding a scope", e))?;
        Ok(match row {
            None => ScopeLookup::NoProject,
            Some((_, Some(id), Some(epoch))) => ScopeLookup::Scope { id, epoch },
            Some(_) => ScopeLookup::NoEnvironment,
        })
    }

    async fn project_tree(&mut self) -> Result<Vec<(String, Option<String>, i64)>> {
        sqlx::query_as(
            "SELECT p.name, e.name, (SELECT COUNT(*) FROM secrets s JOIN scopes sc ON sc.id = s.scope_id WHERE sc.environment_id = e.id)
             FROM projects p LEFT JOIN environments e ON e.project_id = p.id
             ORDER BY p.name COLLATE \"C\", e.name COLLATE \"C\"",
        )
        .fetch_all(self)
        .await
        .map_err(|e| error("listing projects", e))
    }

    async fn project_id(&mut self, name: &str) -> Result<Option<i64>> {
        sqlx::query_scalar("SELECT id FROM projects WHERE name = $1")
            .bind(name)
            .fetch_optional(self)
            .await
            .map_err(|e| error("finding a project", e))
    }

    async fn environment_id(&mut self, project_id: i64, name: &str) -> Result<i64> {
        sqlx::query_scalar("SELECT id FROM environments WHERE project_id = $1 AND name = $2")
            .bind(project_id)
            .bind(name)
            .fetch_one(self)
            .await
            .map_err(|e| error("finding an environment", e))
    }

    async fn insert_project(&mut self, name: &str, now: i64) -> Result<bool> {
        let inserted =
            sqlx::query("INSERT INTO projects (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
                .bind(name)
                .bind(now)
                .execute(self)
                .await
                .map_err(|e| error("adding a project", e))?;
        Ok(inserted.rows_affected() == 1)
    }

    async fn insert_environment(&mut self, project_id: i64, name: &str, now: i64) -> Result<Option<i64>> {
        sqlx::query_scalar(
            "INSERT INTO environments (project_id, name, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (project_id, name) DO NOTHING RETURNING id",
        )
        .bind(project_id)
        .bind(name)
        .bind(now)
        .fetch_optional(self)
        .await
        .map_err(|e| error("adding an environment", e))
    }

    async fn insert_scope(&mut self, scope_id: &str, environment_id: i64, now: i64) -> Result<()> {
        sqlx::query("INSERT INTO scopes (id, environment_id, key_epoch, created_at) VALUES ($1, $2, 1, $3)")
            .bind(scope_id)
            .bind(environment_id)
            .bind(now)
            .execute(self)
            .await
            .map(drop)
            .map_err(|e| error("adding a scope", e))
    }

    async fn scope_epoch(&mut self, scope_id: &str) -> Result<i64> {
        sqlx::query_scalar("SELECT key_epoch FROM scopes WHERE id = $1")
            .bind(scope_id)
            .fetch_one(self)
            .await
            .map_err(|e| error("reading a scope", e))
    }

    async fn set_scope_epoch(&mut self, scope_id: &str, epoch: i64) -> Result<()> {
        sqlx::query("UPDATE scopes SET key_epoch = $1 WHERE id = $2")
            .bind(epoch)
            .bind(scope_id)
            .execute(self)
            .await
            .map(drop)
            .map_err(|e| error("rekeying a scope", e))
    }
}

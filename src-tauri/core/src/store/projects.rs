//! Storage of projects, their environments, and each environment's scope (its id and the
//! number of its current key epoch).

use async_trait::async_trait;

use super::sql::{args, Sql};
use crate::error::Result;

/// What the vault holds at a `project/environment` path.
pub(crate) enum ScopeLookup {
    NoProject,
    NoEnvironment,
    Scope { id: String, epoch: i64 },
}

#[async_trait]
pub(crate) trait ProjectRows {
    async fn find_scope(&mut self, project: &str, environment: &str) -> Result<ScopeLookup>;
    /// (project, environment, secrets in it), ordered by project and environment; a project
    /// without environments appears once with `None`.
    async fn project_tree(&mut self) -> Result<Vec<(String, Option<String>, i64)>>;
    async fn project_id(&mut self, name: &str) -> Result<Option<i64>>;
    /// The id of an environment known to exist.
    async fn environment_id(&mut self, project_id: i64, name: &str) -> Result<i64>;
    /// False when a project of that name exists already.
    async fn insert_project(&mut self, name: &str, now: i64) -> Result<bool>;
    /// The new environment's id; `None` when the project has one of that name already.
    async fn insert_environment(&mut self, project_id: i64, name: &str, now: i64) -> Result<Option<i64>>;
    async fn insert_scope(&mut self, scope_id: &str, environment_id: i64, now: i64) -> Result<()>;
    /// The scope's current key epoch, as its row says (checked against the signed records).
    async fn scope_epoch(&mut self, scope_id: &str) -> Result<i64>;
    /// Moves the scope to a new key epoch (a rekey).
    async fn set_scope_epoch(&mut self, scope_id: &str, epoch: i64) -> Result<()>;
}

#[async_trait]
impl<C: Sql> ProjectRows for C {
    async fn find_scope(&mut self, project: &str, environment: &str) -> Result<ScopeLookup> {
        let row: Option<(i64, Option<String>, Option<i64>)> = self
            .optional(
                "finding a scope",
                "SELECT p.id, s.id, s.key_epoch FROM projects p
                 LEFT JOIN environments e ON e.project_id = p.id AND e.name = $1
                 LEFT JOIN scopes s ON s.environment_id = e.id
                 WHERE p.name = $2",
                &args![environment, project],
            )
            .await?;
        Ok(match row {
            None => ScopeLookup::NoProject,
            Some((_, Some(id), Some(epoch))) => ScopeLookup::Scope { id, epoch },
            Some(_) => ScopeLookup::NoEnvironment,
        })
    }

    async fn project_tree(&mut self) -> Result<Vec<(String, Option<String>, i64)>> {
        self.all(
            "listing projects",
            "SELECT p.name, e.name, (SELECT COUNT(*) FROM secrets s JOIN scopes sc ON sc.id = s.scope_id WHERE sc.environment_id = e.id)
             FROM projects p LEFT JOIN environments e ON e.project_id = p.id
             ORDER BY p.name, e.name NULLS FIRST",
            &[],
        )
        .await
    }

    async fn project_id(&mut self, name: &str) -> Result<Option<i64>> {
        self.optional_value(
            "finding a project",
            "SELECT id FROM projects WHERE name = $1",
            &args![name],
        )
        .await
    }

    async fn environment_id(&mut self, project_id: i64, name: &str) -> Result<i64> {
        self.value(
            "finding an environment",
            "SELECT id FROM environments WHERE project_id = $1 AND name = $2",
            &args![project_id, name],
        )
        .await
    }

    async fn insert_project(&mut self, name: &str, now: i64) -> Result<bool> {
        let inserted = self
            .execute(
                "adding a project",
                "INSERT INTO projects (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
                &args![name, now],
            )
            .await?;
        Ok(inserted == 1)
    }

    async fn insert_environment(&mut self, project_id: i64, name: &str, now: i64) -> Result<Option<i64>> {
        self.optional_value(
            "adding an environment",
            "INSERT INTO environments (project_id, name, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (project_id, name) DO NOTHING RETURNING id",
            &args![project_id, name, now],
        )
        .await
    }

    async fn insert_scope(&mut self, scope_id: &str, environment_id: i64, now: i64) -> Result<()> {
        self.execute(
            "adding a scope",
            "INSERT INTO scopes (id, environment_id, key_epoch, created_at) VALUES ($1, $2, 1, $3)",
            &args![scope_id, environment_id, now],
        )
        .await
        .map(drop)
    }

    async fn scope_epoch(&mut self, scope_id: &str) -> Result<i64> {
        self.value(
            "reading a scope",
            "SELECT key_epoch FROM scopes WHERE id = $1",
            &args![scope_id],
        )
        .await
    }

    async fn set_scope_epoch(&mut self, scope_id: &str, epoch: i64) -> Result<()> {
        self.execute(
            "rekeying a scope",
            "UPDATE scopes SET key_epoch = $1 WHERE id = $2",
            &args![epoch, scope_id],
        )
        .await
        .map(drop)
    }
}

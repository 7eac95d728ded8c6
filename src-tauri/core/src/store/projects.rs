//! Storage of projects, their environments, and each environment's scope (its id and the
//! number of its current key epoch).

use async_trait::async_trait;

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

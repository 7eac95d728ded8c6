//! Storage of rotation overrides (the strictest interval for a project, or one environment of
//! it) and deployment marks (which make a scope's on-deploy secrets due).

use async_trait::async_trait;

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

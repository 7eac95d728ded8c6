//! Storage of the vault row: its id, team name and format.

use async_trait::async_trait;

use crate::error::Result;

#[async_trait]
pub(crate) trait MetaRows {
    /// (id, team name); `None` when the vault row is missing.
    async fn vault_identity(&mut self) -> Result<Option<(String, String)>>;
    /// The vault row, written once at creation with this build's format.
    async fn insert_vault(&mut self, id: &str, team: &str, now: i64) -> Result<()>;
}

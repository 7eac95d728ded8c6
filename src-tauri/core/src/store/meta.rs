//! Storage of the vault row: its id, team name and format.

use async_trait::async_trait;

use super::sql::{args, Sql};
use crate::error::Result;

/// The vault format this build writes and the newest it reads.
pub const FORMAT: i64 = 1;

#[async_trait]
pub(crate) trait MetaRows {
    /// (id, team name); `None` when the vault row is missing.
    async fn vault_identity(&mut self) -> Result<Option<(String, String)>>;
    /// The vault row, written once at creation with this build's format.
    async fn insert_vault(&mut self, id: &str, team: &str, now: i64) -> Result<()>;
}

#[async_trait]
impl<C: Sql> MetaRows for C {
    async fn vault_identity(&mut self) -> Result<Option<(String, String)>> {
        self.optional("reading the vault", "SELECT id, name FROM vault", &[])
            .await
    }

    async fn insert_vault(&mut self, id: &str, team: &str, now: i64) -> Result<()> {
        self.execute(
            "creating the vault",
            "INSERT INTO vault (singleton, id, name, format, created_at) VALUES (1, $1, $2, $3, $4)",
            &args![id, team, FORMAT, now],
        )
        .await
        .map(drop)
    }
}
